#pragma once
/// The WAL writer actor of one database: owns the writing side of its wal_log. Committing
/// sessions queue their records themselves (under the commit lock, recovery/wal_log.h) and
/// wake this actor with one flush_atom per batch; it writes everything queued with one
/// write and one fdatasync (group commit) and reports durability to the transaction manager,
/// which releases the waiting COMMITs. A delayed message to self flushes every
/// fsync_interval (synchronous_commit = off) and retries a batch that failed (ENOSPC, EIO).
///
/// Runs detached (its own thread): fdatasync blocks, and must never block a CAF worker that
/// other actors need.
///
/// Messages:
///   flush_atom  -> (nothing)  write and sync what is queued
#include <caf/fwd.hpp>

#include <chrono>

namespace db001::recovery {
class wal_log;
}

namespace db001::actors {

/// Spawns the writer and sets the log's wake-up to message it.
caf::actor spawn_wal_writer(caf::actor_system& sys, recovery::wal_log& log, std::chrono::milliseconds interval);

}  // namespace db001::actors
