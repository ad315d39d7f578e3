#pragma once
/// A transaction: its shared state (seen by other transactions resolving its row stamps),
/// its snapshot, command counter, write set and DDL undo actions.
///
/// Row stamps (row_block xmin/xmax) hold either a commit timestamp (< txn_bit) or, until
/// the writer has committed and stamped its rows, a marker:
///   bit 63 = 1 | bits 62..24 = transaction sequence number | bits 23..0 = command id
/// The command id makes a statement blind to its own changes (the Halloween problem):
/// a row created by command c of my transaction is visible to my commands > c.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/interrupt.h"
#include "storage/row_block.h"

namespace db001::storage {
class table;
}

namespace db001::txn {

enum class isolation { read_committed, repeatable_read, serializable };

inline constexpr uint32_t cid_bits = 24;
inline constexpr uint64_t cid_mask = (uint64_t(1) << cid_bits) - 1;
inline constexpr uint64_t marker_of(uint64_t seq, uint32_t cid) {
  return storage::txn_bit | (seq << cid_bits) | cid;
}
inline constexpr uint64_t seq_of_marker(uint64_t m) { return (m & ~storage::txn_bit) >> cid_bits; }

/// commit_ts values of a transaction that has none yet.
inline constexpr uint64_t status_active = 0;
inline constexpr uint64_t status_committing = ~uint64_t(0) - 1;
inline constexpr uint64_t status_aborted = ~uint64_t(0);

/// What other transactions may look at. Thread-safety: atomics; the cv/mutex pair wakes
/// transactions waiting for this one to end.
struct txn_state {
  uint64_t seq = 0;
  std::atomic<uint64_t> commit_ts{status_active};
  std::atomic<uint64_t> read_ts{0};       ///< the snapshot in use (for the GC horizon)
  std::atomic<uint64_t> waiting_for{0};   ///< seq of the transaction this one waits on, 0 = none
  std::atomic<uint32_t> waiters{0};       ///< transactions blocked in wait_for on this one
  /// Set when the transaction's end is final for everyone: aborted, or committed and visible
  /// to new snapshots (with a synchronous WAL: durable). Waiters wait for this, not for
  /// commit_ts, so a row lock is never taken on a version whose commit may still fail.
  std::atomic<bool> done{false};
  /// Committed and its rows stamped with the commit ts, durability maybe still undecided:
  /// row-lock waiters may go on (early lock release, see txn_manager::lock_version).
  std::atomic<bool> stamped{false};
  std::mutex mutex;
  std::condition_variable ended;
  bool finished() const { return done.load(std::memory_order_acquire); }
};

/// A row version this transaction created or deleted.
struct write_entry {
  uint32_t table_index;  ///< into transaction::touched
  bool inserted;         ///< true: xmin is ours; false: xmax is ours
  storage::row_id rid;
};

/// Owned by one session; not thread-safe.
class transaction {
 public:
  std::shared_ptr<txn_state> state;
  isolation level = isolation::read_committed;
  uint64_t read_ts = 0;  ///< snapshot timestamp: commits with ts <= read_ts are visible
  uint32_t cid = 0;      ///< current command id
  std::vector<write_entry> writes;
  std::vector<std::shared_ptr<storage::table>> touched;  ///< the tables written (kept alive)
  std::vector<std::function<void()>> ddl_undo;  ///< run in reverse on rollback
  bool has_ddl = false;
  /// Early lock release: t locked past a version whose deleting commit was not yet durable
  /// (and may have read what that commit wrote). t may commit only if no commit record failed
  /// since then: dep_failures is txn_manager's count of log failures when the first such
  /// dependency was taken.
  bool undecided_dependency = false;
  uint64_t dep_failures = 0;
  uint64_t dep_cts = 0;  ///< the newest undecided commit t went past
  /// The owning session's cancel request and statement deadline; txn_manager::wait_for polls
  /// it, so a statement blocked on a row lock ends with 57014 too. Null = never interrupted.
  const storage::interrupt* interrupt = nullptr;
  std::string redo;  ///< the commit record being built (kept to reuse its capacity)
  /// Held from the transaction's first DDL statement to its end (txn_manager::begin_ddl).
  std::unique_lock<std::timed_mutex> ddl_lock;

  uint64_t seq() const { return state->seq; }
  uint64_t marker() const { return marker_of(state->seq, cid); }
  uint64_t marker_base() const { return marker_of(state->seq, 0); }
};

}  // namespace db001::txn
