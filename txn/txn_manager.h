#pragma once
/// The transaction manager's engine side: timestamps, the registry of running
/// transactions, snapshots, commit/abort with row stamping, write-write conflict handling,
/// waiting with deadlock detection, and garbage collection of versions no snapshot can see.
/// The transaction-manager actor (actors/) owns its sequencing duties (the GC horizon timer,
/// statistics); the hot path — timestamps and visibility — is atomics here, callable from
/// any session thread.
///
/// Thread-safety: every member function is safe from any thread; a `transaction` object is
/// used by its owning session only.
#include <array>
#include <atomic>
#include <deque>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "storage/table.h"
#include "txn/transaction.h"

namespace db001::txn {

/// What a reader needs to decide visibility.
struct snapshot {
  uint64_t read_ts = 0;
  uint64_t my_base = 0;  ///< marker_of(my seq, 0), or 0 outside a transaction
  uint32_t cid = 0;
};

class txn_manager;

/// The durability seam: where committed transactions' records go (recovery/ implements it
/// with the WAL; without one the engine is purely in memory).
///
/// Order: the transaction manager calls prepare() outside any lock, then append() with the
/// commit lock held, so records reach the log in commit-timestamp order. A synchronous log
/// then reports durability back through txn_manager::log_durable / log_failed; commits
/// become visible to new snapshots only once durable (as in PostgreSQL).
class commit_log {
 public:
  virtual ~commit_log() = default;
  /// Builds t's commit record into `record` (all but the commit timestamp). May throw
  /// db_error (e.g. a record too large); the transaction is then aborted.
  virtual void prepare(const transaction& t, std::string& record) = 0;
  /// Queues the record with its commit timestamp. Called with the commit lock held: must be
  /// cheap and must not throw.
  virtual void append(std::string& record, uint64_t commit_ts) noexcept = 0;
  /// true: COMMIT waits until its record is durable, and only durable commits are visible.
  /// false (synchronous_commit = off): commits are visible at once and flushed later.
  virtual bool synchronous() const = 0;
};

/// A session's slot for reads outside a transaction (autocommit point SELECTs): the read
/// timestamp in use, 0 = none. Registered with the manager on first use and for the owner's
/// lifetime, so the GC horizon respects it. Used by one thread at a time (its session).
class reader_slot {
 public:
  reader_slot() = default;
  ~reader_slot();
  reader_slot(const reader_slot&) = delete;
  reader_slot& operator=(const reader_slot&) = delete;

 private:
  friend class txn_manager;
  friend class snapshot_reader;
  txn_manager* tm_ = nullptr;
  std::atomic<uint64_t> ts_{0};
  /// Snapshots taken through this slot (read-only transactions, counted as committed): the
  /// owner's own counter, summed by stats(), so that point reads share no counter's line.
  std::atomic<uint64_t> reads_{0};
};

/// RAII: publishes a snapshot of everything committed now in a reader slot until destroyed.
class snapshot_reader {
 public:
  snapshot_reader(txn_manager& tm, reader_slot& slot);
  ~snapshot_reader() { slot_.ts_.store(0, std::memory_order_release); }
  snapshot_reader(const snapshot_reader&) = delete;
  snapshot_reader& operator=(const snapshot_reader&) = delete;
  const snapshot& snap() const { return snap_; }

 private:
  reader_slot& slot_;
  snapshot snap_;
};

/// Outcome of trying to take the row lock of a version (xmax) for UPDATE/DELETE.
enum class lock_outcome {
  locked,          ///< xmax now holds our marker
  already_ours,    ///< we deleted/updated this version in an earlier command
  updated,         ///< a concurrent transaction committed an update/delete of it (see next version)
};

struct txn_stats {
  uint64_t committed = 0, aborted = 0, lock_waits = 0, gc_reclaimed = 0, active = 0;
};

class txn_manager {
 public:
  txn_manager();
  ~txn_manager();

  /// Starts a transaction. `recycled`, a finished transaction of the caller's, is reused when
  /// no other thread still refers to its state (saves the allocations of a new one).
  std::unique_ptr<transaction> begin(isolation level, std::unique_ptr<transaction> recycled = nullptr);
  /// Starts a statement: advances the command id (unless first) and takes the snapshot the
  /// statement reads (the transaction's first statement always; READ COMMITTED: every one).
  void begin_statement(transaction& t, bool first);
  /// Assigns the commit timestamp, stamps every written row and queues dead versions for GC;
  /// with a synchronous commit log, waits until the commit is durable and visible. Returns
  /// the commit timestamp (0 for a read-only transaction). Throws db_error if the commit's
  /// record cannot be built or made durable; t is then fully rolled back.
  uint64_t commit(transaction& t);
  /// Undoes every write and DDL action of t.
  void abort(transaction& t);

  snapshot snapshot_of(const transaction& t) const { return {t.read_ts, t.marker_base(), t.cid}; }
  /// A snapshot of everything committed now, outside any transaction (catalog scans, tests).
  snapshot current_snapshot() const { return {snapshot_ts(), 0, 0}; }

  /// Is the version in (blk, slot) visible to s?
  bool visible(const storage::row_block& blk, uint32_t slot, const snapshot& s) const;
  /// Unique checks read other transactions' changes dirty: does the version (blk, slot)
  /// block t from inserting the same unique key? 0 = no, 1 = yes (a live or committed
  /// version), 2 = it depends on transaction *wait_seq, which is still running: the caller
  /// releases its locks, wait_for()s it and checks again. With a synchronous log, waits (in
  /// place) for a commit whose durability is undecided: it may still be rolled back.
  int unique_conflict(const transaction& t, const storage::row_block& blk, uint32_t slot, uint64_t* wait_seq) const;
  /// Blocks until transaction `other_seq` ends or has stamped its commit (its durability may
  /// still be undecided: callers look at the stamps again); throws 40P01 if that would deadlock.
  void wait_for(transaction& t, uint64_t other_seq);

  /// Takes the row lock of a version visible to t. Waits for a concurrent writer to end. A
  /// version deleted by a commit whose durability is undecided is reported `updated` at once
  /// (early lock release: the caller may follow it to the new version); t then depends on
  /// that commit and fails at COMMIT (40001) if a commit record fails meanwhile.
  /// REQUIRES: the version is visible to t's snapshot.
  lock_outcome lock_version(transaction& t, storage::row_block& blk, uint32_t slot);

  /// Records in the write set (caller has stamped xmin/xmax with t's marker).
  void record_insert(transaction& t, const std::shared_ptr<storage::table>& tbl, storage::row_id rid) {
    t.writes.push_back({touch(t, tbl), true, rid});
  }
  void record_delete(transaction& t, const std::shared_ptr<storage::table>& tbl, storage::row_id rid) {
    t.writes.push_back({touch(t, tbl), false, rid});
  }

  /// Reclaims versions that no running snapshot can see. Returns how many.
  size_t collect_garbage();
  /// The oldest snapshot timestamp any running transaction uses (or now).
  uint64_t gc_horizon() const;
  txn_stats stats() const;
  uint64_t now() const { return clock_.load(std::memory_order_acquire); }
  /// The newest commit timestamp new snapshots see (with a synchronous log: the newest
  /// durable commit with nothing undecided before it).
  uint64_t snapshot_ts() const {
    return gated_ ? visible_.load(std::memory_order_acquire) : clock_.load(std::memory_order_acquire);
  }

  // --- durability (see commit_log) ---
  /// Plugs in the commit log. REQUIRES: no transaction is running (set at start-up).
  void set_commit_log(commit_log* log);
  /// After recovery: continue timestamps after ts. REQUIRES: no transaction is running.
  void restore_clock(uint64_t ts);
  /// Runs fn(snapshot_ts) with the commit lock held: no commit can be appended to the log
  /// meanwhile (checkpoints pair a snapshot with a WAL position this way).
  template <class F>
  void with_commit_lock(F&& fn) {
    std::lock_guard lock(commit_mutex_);
    fn(snapshot_ts());
  }
  /// From the log writer: every commit with timestamp <= ts is durable (or failed, below).
  void log_durable(uint64_t ts);
  /// From the log writer: the commits with timestamps [lo, hi] could not be made durable;
  /// their sessions roll them back and report `message` with SQLSTATE `code` (58030 io_error,
  /// 53100 disk_full). With the commit lock held, fail_queued (if given) takes every record
  /// queued behind them out of the log (fillers) and returns their timestamps: those commits
  /// fail too, since with early lock release they may depend on the failed ones.
  void log_failed(uint64_t lo, uint64_t hi, const std::string& message, const std::string& code = "58030",
                  const std::function<std::vector<uint64_t>()>& fail_queued = {});
  /// Marks t as doing DDL and takes the DDL lock until t ends: the catalog is not versioned,
  /// so one transaction at a time may hold uncommitted catalog changes (a commit record's and a
  /// checkpoint's catalog image must never show another transaction's). Honors t.interrupt.
  void begin_ddl(transaction& t);
  /// The DDL lock itself (checkpoints hold it while they take the catalog image).
  std::timed_mutex& ddl_mutex() { return ddl_mutex_; }
  /// Blocks until commit ts is visible to new snapshots.
  void wait_visible(uint64_t ts) const;

 private:
  friend class reader_slot;
  friend class snapshot_reader;
  void register_reader(reader_slot* r);
  void unregister_reader(reader_slot* r);
  /// Wakes the transactions waiting in wait_for for st to end (after its end is published).
  static void wake_waiters(txn_state& st);
  static uint32_t touch(transaction& t, const std::shared_ptr<storage::table>& tbl) {
    for (size_t i = t.touched.size(); i-- > 0;)
      if (t.touched[i] == tbl) return uint32_t(i);
    t.touched.push_back(tbl);
    return uint32_t(t.touched.size() - 1);
  }
  std::shared_ptr<txn_state> lookup(uint64_t seq) const;
  /// Ends a committed transaction for everyone: done, waiters woken, out of the registry.
  void finish(txn_state& st);
  /// Rolls back a commit whose record could not be made durable (its rows carry cts).
  void revert_commit(transaction& t, uint64_t cts);
  /// t goes past a commit whose durability is undecided (early lock release): see log_failed.
  void note_undecided_dependency(transaction& t, uint64_t cts);
  struct garbage;
  /// The undo shared by abort() and revert_commit(), newest write first: versions t inserted
  /// become aborted (returned as garbage reclaimable at reclaim_ts); versions t deleted, whose
  /// xmax satisfies (xmax & mask) == stamp, live again (counted back when recount_deleted).
  std::vector<garbage> undo_row_stamps(transaction& t, uint64_t reclaim_ts, uint64_t stamp, uint64_t mask,
                                       bool recount_deleted);
  /// Then: DDL undo, t's state aborted, the garbage queued, a failed commit's stamp (failed_cts,
  /// 0 = none) released from the visible watermark, t finished and its DDL lock dropped.
  void end_undone(transaction& t, std::vector<garbage> dead, uint64_t failed_cts);
  void recompute_visible_locked();
  /// Commit ts of the writer of stamp (a ts or a marker), or 0 if not committed (active,
  /// aborted). Spins while the writer is committing. If the writer is gone from the
  /// registry, re-reads `slot_stamp` (it has been stamped meanwhile).
  bool visible_once(storage::row_block& b, uint32_t slot, const snapshot& s, uint64_t xmin) const;
  /// The commit timestamp a stamp stands for (0: not committed); reloads the slot's xmin
  /// (of_xmin) or xmax when the writer has left the registry.
  uint64_t resolve(uint64_t stamp, const storage::row_block& b, uint32_t slot, bool of_xmin) const;
  static constexpr size_t shards = 16;
  struct shard {
    mutable std::shared_mutex mutex;
    std::unordered_map<uint64_t, std::shared_ptr<txn_state>> map;
  };
  std::array<shard, shards> registry_;
  std::atomic<uint64_t> clock_{2};
  std::atomic<uint64_t> next_seq_{1};

  // Durability: commits are appended to the log under commit_mutex_ (timestamp order).
  commit_log* log_ = nullptr;
  bool gated_ = false;  ///< snapshots read visible_ (synchronous log) instead of clock_
  std::mutex commit_mutex_;
  std::timed_mutex ddl_mutex_;
  std::atomic<uint64_t> visible_{2};
  std::atomic<uint64_t> log_failures_{0};  ///< failed log batches so far (early lock release)
  mutable std::mutex visible_mutex_;  ///< mutable: wait_visible() is called from const checks
  mutable std::condition_variable visible_cv_;
  uint64_t durable_upto_ = 2;    ///< guarded by visible_mutex_
  std::set<uint64_t> failed_;    ///< failed commits not yet rolled back (hold visible_ below them)
  std::string failure_message_;  ///< of the latest failed batch
  std::string failure_code_;     ///< its SQLSTATE

  struct garbage {
    uint64_t ts;  ///< reclaimable once the horizon reaches ts
    std::shared_ptr<storage::table> tbl;
    storage::row_id rid;
  };
  mutable std::mutex gc_mutex_;
  std::deque<garbage> gc_queue_;
  std::mutex gc_run_mutex_;

  mutable std::mutex readers_mutex_;
  std::vector<reader_slot*> readers_;
  std::atomic<uint64_t> committed_{0}, aborted_{0}, lock_waits_{0}, reclaimed_{0};
};

}  // namespace db001::txn
