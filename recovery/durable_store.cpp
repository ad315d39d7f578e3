#include "recovery/durable_store.h"

#include <optional>

#include "storage/catalog.h"
#include "txn/txn_manager.h"

namespace db001::recovery {

namespace {
std::string join(const std::string& dir, const char* name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}
}  // namespace

durable_store::durable_store(storage::catalog& cat, txn::txn_manager& tm, durable_config cfg,
                             recovery_progress progress)
    : cat_(cat),
      tm_(tm),
      cfg_(std::move(cfg)),
      fs_(cfg_.fs ? *cfg_.fs : posix_file_system()),
      store_(join(cfg_.data_dir, "checkpoints"), checkpoint_options{.fs = cfg_.checkpoint_fs}) {
  if (cfg_.wal_dir.empty()) cfg_.wal_dir = join(cfg_.data_dir, "wal");
  fs_.make_dirs(cfg_.wal_dir);
  recovery_paths paths{cfg_.wal_dir, cfg_.archive_dir, cfg_.segment_size};
  auto t0 = std::chrono::steady_clock::now();
  recovery_ = recover_database(cat_, tm_, store_, fs_, paths, cfg_.target, progress);
  recovery_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  wal_log::options lo;
  lo.segment_size = cfg_.segment_size;
  lo.archive_dir = cfg_.archive_dir;
  lo.synchronous = cfg_.synchronous;
  log_ = std::make_unique<wal_log>(cat_, tm_, fs_, cfg_.wal_dir, lo, recovery_.end);
  last_checkpoint_time_ = std::chrono::steady_clock::now();
  last_checkpoint_lsn_ = recovery_.end;
  // After a point-in-time recovery the checkpoints on disk are newer than the restored state:
  // write one of the restored state now (a new store instance writes a full checkpoint).
  if (cfg_.target.what != recovery_target::kind::none) checkpoint();
}

durable_store::~durable_store() { detach(); }

void durable_store::attach() {
  tm_.set_commit_log(log_.get());
  attached_ = true;
}

void durable_store::detach() {
  if (!attached_) return;
  for (int i = 0; i < 3 && log_->pending(); ++i) log_->flush();
  tm_.set_commit_log(nullptr);
  attached_ = false;
}

bool durable_store::checkpoint_due() const {
  // Nothing committed since the last checkpoint: nothing to write.
  if (last_snapshot_ts_ && tm_.snapshot_ts() == last_snapshot_ts_ && log_->bytes_since(last_checkpoint_lsn_) == 0)
    return false;
  if (std::chrono::steady_clock::now() - last_checkpoint_time_ >= cfg_.checkpoint_interval) return true;
  return log_->bytes_since(last_checkpoint_lsn_) >= cfg_.checkpoint_wal_bytes;
}

checkpoint_report durable_store::checkpoint() {
  try {
    return checkpoint_once();
  } catch (...) {
    checkpoint_failures_.fetch_add(1, std::memory_order_relaxed);
    throw;
  }
}

checkpoint_report durable_store::checkpoint_once() {
  std::lock_guard one_at_a_time(checkpoint_mutex_);
  auto t0 = std::chrono::steady_clock::now();
  // No transaction may hold uncommitted catalog changes while the catalog image is taken.
  std::unique_lock ddl(tm_.ddl_mutex());
  txn::reader_slot slot;
  std::optional<txn::snapshot_reader> reader;
  checkpoint_report rep;
  rep.redo_lsn = log_->begin_checkpoint([&] {
    reader.emplace(tm_, slot);
    return reader->snap().read_ts;
  });
  rep.snapshot_ts = reader->snap().read_ts;
  rep.stats = store_.write(cat_, tm_, reader->snap(), rep.redo_lsn);
  reader.reset();
  log_->request_recycle(store_.min_retained_redo_lsn());
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  last_checkpoint_time_ = std::chrono::steady_clock::now();
  last_checkpoint_lsn_ = rep.redo_lsn;
  last_snapshot_ts_ = rep.snapshot_ts;
  {
    std::lock_guard lock(report_mutex_);
    last_report_ = rep;
  }
  checkpoints_.fetch_add(1, std::memory_order_relaxed);
  return rep;
}

std::optional<checkpoint_report> durable_store::last_checkpoint() const {
  std::lock_guard lock(report_mutex_);
  return last_report_;
}

}  // namespace db001::recovery
