#pragma once
/// The checkpointer actor of one database: every second it asks the durable store whether a
/// checkpoint is due (checkpoint_interval elapsed, or the WAL grew past checkpoint_wal_bytes)
/// and writes one — a consistent image at one snapshot, incremental, taken while writers go
/// on (recovery/checkpoint.h) — after which the WAL writer recycles (or archives) the
/// segments no checkpoint needs. Timers are delayed messages to self.
///
/// Runs detached: a checkpoint writes and fsyncs files for seconds.
///
/// Messages:
///   checkpoint_atom -> (uint64_t blocks_written, uint64_t bytes_written, double seconds)
#include <caf/fwd.hpp>

namespace db001::recovery {
class durable_store;
}

namespace db001::actors {

caf::actor spawn_checkpointer(caf::actor_system& sys, recovery::durable_store& store);

}  // namespace db001::actors
