#pragma once
/// The transaction-manager actor: owns the periodic duties of the transaction manager —
/// the GC horizon and reclaiming versions no snapshot can see (a delayed message to self
/// every gc_interval) — and answers statistics. Commit timestamps and visibility are the
/// engine's atomics (txn/txn_manager.h), called inline by sessions: an actor round trip per
/// commit would cost more than the commit itself.
///
/// Messages:
///   gc_atom                -> size_t reclaimed   (collect garbage now)
///   stats_atom             -> (uint64_t committed, uint64_t aborted, uint64_t active,
///                              uint64_t lock_waits, uint64_t reclaimed)
#include <caf/fwd.hpp>

#include <chrono>

namespace db001::txn {
class txn_manager;
}

namespace db001::actors {

caf::actor spawn_txn_manager(caf::actor_system& sys, txn::txn_manager& tm,
                             std::chrono::milliseconds gc_interval = std::chrono::milliseconds(50));

}  // namespace db001::actors
