#include "actors/checkpointer_actor.h"

#include <caf/all.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "actors/messages.h"
#include "recovery/durable_store.h"

namespace db001::actors {

namespace {

struct checkpointer_state {
  recovery::durable_store* store = nullptr;
  static inline const char* name = "db001.checkpointer";
};

/// Runs one checkpoint; errors are logged (the next tick tries again).
std::tuple<uint64_t, uint64_t, double> run(recovery::durable_store& store) {
  try {
    auto rep = store.checkpoint();
    char line[600];
    std::snprintf(line, sizeof line,
                  "db001: checkpoint of %s: %llu (%s) at snapshot %llu: %llu blocks written, %llu unchanged, %.1f MB "
                  "in %.2f s",
                  store.config().data_dir.c_str(), (unsigned long long)rep.stats.sequence, rep.stats.full ? "full" : "incremental",
                  (unsigned long long)rep.snapshot_ts, (unsigned long long)rep.stats.blocks_written,
                  (unsigned long long)rep.stats.blocks_skipped, double(rep.stats.bytes_written) / 1e6, rep.seconds);
    std::cerr << line << std::endl;
    return {rep.stats.blocks_written, rep.stats.bytes_written, rep.seconds};
  } catch (const std::exception& e) {
    std::cerr << "db001: checkpoint of " << store.config().data_dir << " failed: " << e.what() << std::endl;
    return {0, 0, -1.0};
  }
}

caf::behavior checkpointer_actor(caf::stateful_actor<checkpointer_state>* self, recovery::durable_store* store) {
  self->state.store = store;
  self->delayed_send(self, std::chrono::seconds(1), tick_atom::value);
  return {
      [=](tick_atom) {
        if (self->state.store->checkpoint_due()) run(*self->state.store);
        self->delayed_send(self, std::chrono::seconds(1), tick_atom::value);
      },
      [=](checkpoint_atom) { return run(*self->state.store); },
  };
}

}  // namespace

caf::actor spawn_checkpointer(caf::actor_system& sys, recovery::durable_store& store) {
  return sys.spawn<caf::detached>(checkpointer_actor, &store);
}

}  // namespace db001::actors
