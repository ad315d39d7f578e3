#pragma once
/// The on-disk side of one database: recovery at open (recover_database), the WAL (wal_log,
/// plugged into the transaction manager as its commit log) and checkpoints
/// (checkpoint_store). The WAL writer and checkpointer actors (actors/) drive flush() and
/// checkpoint(); nothing here starts a thread.
///
/// Layout: <data_dir>/checkpoints/ (checkpoint files and manifests), <wal_dir>/*.wal,
/// <archive_dir>/*.wal when archiving is on.
///
/// Thread-safety: checkpoint() from one thread at a time (the checkpointer); the log as
/// wal_log documents.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "recovery/checkpoint.h"
#include "recovery/startup.h"
#include "recovery/wal_log.h"

namespace db001::recovery {

struct durable_config {
  std::string data_dir;
  std::string wal_dir;
  std::string archive_dir;
  uint64_t segment_size = default_segment_size;
  bool synchronous = true;
  std::chrono::milliseconds checkpoint_interval{5 * 60 * 1000};
  uint64_t checkpoint_wal_bytes = uint64_t(256) << 20;
  recovery_target target;
  file_system* fs = nullptr;             ///< the WAL's; null = the real one (tests inject faults here)
  file_system* checkpoint_fs = nullptr;  ///< the checkpoints' (real files: load() maps them); null = the real one
};

struct checkpoint_report {
  checkpoint_stats stats;
  uint64_t snapshot_ts = 0;
  lsn_t redo_lsn = 0;
  double seconds = 0;
};

class durable_store {
 public:
  /// Recovers the database into cat/tm (both empty and idle) and opens the WAL after the
  /// recovered end. Does NOT plug the log into tm: the owner sets the log's wake-up first,
  /// then calls attach(). Throws recovery_error / io_error when the data cannot be recovered.
  durable_store(storage::catalog& cat, txn::txn_manager& tm, durable_config cfg,
                recovery_progress progress = {});
  ~durable_store();

  /// Plugs the WAL into the transaction manager (commits are logged from now on).
  void attach();
  /// Unplugs it after a last flush. REQUIRES: no transaction is running.
  void detach();

  wal_log& log() { return *log_; }
  const recovery_result& recovery() const { return recovery_; }
  const durable_config& config() const { return cfg_; }

  /// Whether a checkpoint is due (interval elapsed, or the WAL grew past checkpoint_wal_bytes).
  bool checkpoint_due() const;
  /// Writes a checkpoint at a fresh snapshot and lets the WAL recycle what it no longer needs.
  /// Safe from any thread (one checkpoint at a time); waits for a running DDL transaction.
  checkpoint_report checkpoint();
  /// The last checkpoint's report (nullopt before the first).
  std::optional<checkpoint_report> last_checkpoint() const;
  /// Checkpoints completed by this store (since it was opened) and checkpoint() calls that threw.
  uint64_t checkpoints_completed() const { return checkpoints_.load(std::memory_order_relaxed); }
  uint64_t checkpoints_failed() const { return checkpoint_failures_.load(std::memory_order_relaxed); }
  /// Wall-clock seconds the start-up recovery took (checkpoint load + WAL replay + cutting).
  double recovery_seconds() const { return recovery_seconds_; }

 private:
  checkpoint_report checkpoint_once();

  storage::catalog& cat_;
  txn::txn_manager& tm_;
  durable_config cfg_;
  file_system& fs_;
  checkpoint_store store_;
  recovery_result recovery_;
  std::unique_ptr<wal_log> log_;
  bool attached_ = false;
  std::chrono::steady_clock::time_point last_checkpoint_time_;
  lsn_t last_checkpoint_lsn_ = 0;
  uint64_t last_snapshot_ts_ = 0;  ///< of the last checkpoint (0 = none yet)
  std::mutex checkpoint_mutex_;
  double recovery_seconds_ = 0;
  std::atomic<uint64_t> checkpoints_{0};
  std::atomic<uint64_t> checkpoint_failures_{0};
  mutable std::mutex report_mutex_;
  std::optional<checkpoint_report> last_report_;
};

}  // namespace db001::recovery
