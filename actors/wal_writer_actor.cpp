#include "actors/wal_writer_actor.h"

#include <caf/all.hpp>

#include <iostream>

#include "actors/messages.h"
#include "recovery/wal_log.h"

namespace db001::actors {

namespace {

struct wal_writer_state {
  recovery::wal_log* log = nullptr;
  std::chrono::milliseconds interval{10};
  bool failing = false;
  static inline const char* name = "db001.wal_writer";
};

void flush(caf::stateful_actor<wal_writer_state>* self) {
  auto& st = self->state;
  bool ok = st.log->flush();
  if (!ok && !st.failing) std::cerr << "db001: WAL write failed: " << st.log->last_error() << std::endl;
  if (ok && st.failing) std::cerr << "db001: WAL writes succeed again" << std::endl;
  st.failing = !ok;
}

caf::behavior wal_writer_actor(caf::stateful_actor<wal_writer_state>* self, recovery::wal_log* log,
                               std::chrono::milliseconds interval) {
  self->state.log = log;
  self->state.interval = interval;
  self->delayed_send(self, interval, tick_atom::value);
  self->set_exit_handler([=](const caf::exit_msg& m) {
    flush(self);  // what was queued before shutdown
    self->quit(m.reason);
  });
  return {
      [=](flush_atom) { flush(self); },
      [=](tick_atom) {
        if (self->state.log->pending()) flush(self);
        // A failing disk is retried less often.
        auto next = self->state.failing ? std::chrono::milliseconds(200) : self->state.interval;
        self->delayed_send(self, next, tick_atom::value);
      },
  };
}

}  // namespace

caf::actor spawn_wal_writer(caf::actor_system& sys, recovery::wal_log& log, std::chrono::milliseconds interval) {
  auto a = sys.spawn<caf::detached>(wal_writer_actor, &log, interval);
  // A message to a writer that has exited is dropped; the owner detaches the log before that.
  log.set_wakeup([a] { caf::anon_send(a, flush_atom::value); });
  return a;
}

}  // namespace db001::actors
