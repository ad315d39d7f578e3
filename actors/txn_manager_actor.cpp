#include "actors/txn_manager_actor.h"

#include <caf/all.hpp>

#include "actors/messages.h"
#include "txn/txn_manager.h"

namespace db001::actors {

namespace {

struct txn_manager_state {
  txn::txn_manager* tm = nullptr;
  std::chrono::milliseconds interval{50};
  static inline const char* name = "db001.txn_manager";
};

caf::behavior txn_manager_actor(caf::stateful_actor<txn_manager_state>* self, txn::txn_manager* tm,
                                std::chrono::milliseconds interval) {
  self->state.tm = tm;
  self->state.interval = interval;
  self->delayed_send(self, interval, tick_atom::value);
  return {
      [=](tick_atom) {
        self->state.tm->collect_garbage();
        self->delayed_send(self, self->state.interval, tick_atom::value);
      },
      [=](gc_atom) -> uint64_t { return self->state.tm->collect_garbage(); },
      [=](stats_atom) -> std::tuple<uint64_t, uint64_t, uint64_t, uint64_t, uint64_t> {
        auto s = self->state.tm->stats();
        return std::make_tuple(s.committed, s.aborted, s.active, s.lock_waits, s.gc_reclaimed);
      },
  };
}

}  // namespace

caf::actor spawn_txn_manager(caf::actor_system& sys, txn::txn_manager& tm, std::chrono::milliseconds gc_interval) {
  return sys.spawn(txn_manager_actor, &tm, gc_interval);
}

}  // namespace db001::actors
