#pragma once
/// The WAL of one database as the transaction manager sees it (txn::commit_log): commit
/// records are encoded by the committing session (prepare), placed at their LSN and queued
/// under the commit lock (append), and written + fdatasynced in batches by flush() — one
/// write and one sync for every commit queued meanwhile (group commit). The WAL writer actor
/// (actors/wal_writer_actor) calls flush() when woken (set_wakeup) and on its timer.
///
/// A commit record bigger than a segment allows is split into consecutive records; every
/// part but the last carries flag_continued (they are queued together, so nothing else lies
/// between them). Replay joins them and drops a record whose last part is missing.
///
/// Failures: a write or sync that fails (ENOSPC, EIO) fails the commits of that batch — with
/// a synchronous log their records are overwritten by fillers (written at once, since the
/// records may have reached the file) and their sessions roll them back with the error's
/// SQLSTATE (io_error::sqlstate: 53100 for a full disk, else 58030; txn_manager::log_failed);
/// if that fails too, the batch is written again at the next flush, so later commits succeed
/// once the disk is back. With synchronous_commit = off the batch is
/// simply retried (those commits are visible already; a crash before the retry loses them,
/// as PostgreSQL's asynchronous commit does).
///
/// Thread-safety: prepare/append from any session thread; flush, request_recycle and
/// begin_checkpoint from the WAL writer / checkpointer threads; stats from anywhere.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "recovery/file_io.h"
#include "recovery/wal_format.h"
#include "recovery/wal_segment_writer.h"
#include "txn/txn_manager.h"

namespace db001::storage {
class catalog;
}

namespace db001::recovery {

/// With synchronous_commit = off, queued bytes that wake the writer before its timer.
inline constexpr size_t async_wake_bytes = size_t(4) << 20;

/// Flag of a record whose payload continues in the next record.
inline constexpr uint8_t flag_continued = 1;

struct wal_stats {
  uint64_t bytes_written = 0;
  uint64_t fsyncs = 0;
  uint64_t commits = 0;  ///< commit records made durable
  uint64_t failures = 0;
  lsn_t end = 0;  ///< the LSN after the last record queued
};

class wal_log : public txn::commit_log {
 public:
  struct options {
    uint64_t segment_size = default_segment_size;
    std::string archive_dir;
    bool synchronous = true;
  };
  /// Appends after `end` (the valid end recovery found) in `dir`.
  wal_log(storage::catalog& cat, txn::txn_manager& tm, file_system& fs, std::string dir, options o, lsn_t end);
  ~wal_log() override;

  // txn::commit_log
  void prepare(const txn::transaction& t, std::string& record) override;
  void append(std::string& record, uint64_t commit_ts) noexcept override;
  bool synchronous() const override { return opts_.synchronous; }

  /// Called (once per batch, with the commit lock held) when a commit was queued and the writer
  /// has not been woken since its last flush. Set before the log is plugged into the manager.
  void set_wakeup(std::function<void()> wake) { wake_ = std::move(wake); }
  /// Queues a record of another type (restore points); returns its LSN.
  lsn_t append_record(record_type type, std::string_view payload);

  /// Writes and syncs everything queued. Returns false if that failed (see the class comment;
  /// the error is in last_error()). Called by the WAL writer only.
  bool flush();
  /// True when records are queued or a failed batch waits to be written again.
  bool pending() const;
  /// Old segments below lsn may go (archived first when archiving is on); done at the next flush.
  void request_recycle(lsn_t lsn) { recycle_to_.store(lsn, std::memory_order_release); }

  /// For a checkpoint: calls take_snapshot() (which must register a snapshot and return its
  /// timestamp S) and returns the LSN where replay after a checkpoint at S must start: every
  /// commit with timestamp > S has its record at or after it.
  lsn_t begin_checkpoint(const std::function<uint64_t()>& take_snapshot);

  wal_stats stats() const;
  std::string last_error() const;
  /// Bytes queued since the LSN (to trigger checkpoints by WAL volume).
  uint64_t bytes_since(lsn_t lsn) const { return end_lsn_.load(std::memory_order_relaxed) - lsn; }

 private:
  void queue_locked(record_type type, std::string_view payload, uint8_t flags, uint64_t commit_ts);
  /// Runs a pending request_recycle (flushing thread only).
  void recycle_requested();
  /// After a failed batch (commit lock held by the caller): the commits queued behind it are
  /// failed too (fillers in their place; early lock release may have built on the failed
  /// ones). Returns their timestamps.
  std::vector<uint64_t> fail_queued();

  storage::catalog& cat_;
  txn::txn_manager& tm_;
  options opts_;
  std::unique_ptr<wal_segment_writer> writer_;  ///< used by flush() only
  std::function<void()> wake_;

  mutable std::mutex queue_mutex_;
  std::string queue_;          ///< encoded records for LSNs [queue_start_, insert_)
  lsn_t queue_start_ = 0;
  lsn_t insert_ = 0;           ///< where the next record goes (before place())
  struct queued_commit {
    uint64_t ts;
    lsn_t lsn;
    size_t bytes;  ///< all parts
  };
  std::vector<queued_commit> queued_commits_;  ///< commits in queue_, in order
  std::deque<std::pair<uint64_t, lsn_t>> recent_;  ///< (ts, lsn) of commits not yet visible
  std::atomic<bool> woken_{false};
  std::atomic<lsn_t> end_lsn_{0};

  // Owned by the flushing thread.
  std::string retry_;  ///< a batch that failed: written again first (LSNs [retry_start_, ...))
  lsn_t retry_start_ = 0;
  std::vector<queued_commit> retry_commits_;
  std::atomic<lsn_t> recycle_to_{0};
  std::atomic<bool> retry_pending_{false};  ///< retry_ is not empty (readable from any thread)

  mutable std::mutex stats_mutex_;
  wal_stats stats_;
  std::string last_error_;
};

}  // namespace db001::recovery
