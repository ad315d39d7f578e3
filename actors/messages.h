#pragma once
/// Atoms of DB-001's actor messages (CAF 0.17 atoms: at most 10 characters).
#include <caf/atom.hpp>

namespace db001::actors {

/// txn manager: run garbage collection now (also its own timer tick).
using gc_atom = caf::atom_constant<caf::atom("db001gc")>;
/// txn manager: its own GC timer.
using tick_atom = caf::atom_constant<caf::atom("db001tick")>;
/// txn manager: reply with (committed, aborted, active, lock_waits, reclaimed) as uint64_t.
using stats_atom = caf::atom_constant<caf::atom("db001stats")>;

/// WAL writer: write and fsync what is queued (sent by committing sessions, once per batch).
using flush_atom = caf::atom_constant<caf::atom("db001flush")>;
/// checkpointer: write a checkpoint now; replies with (blocks written, bytes written, seconds).
using checkpoint_atom = caf::atom_constant<caf::atom("db001ckpt")>;

}  // namespace db001::actors
