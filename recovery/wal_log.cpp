#include "recovery/wal_log.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "recovery/redo_codec.h"
#include "storage/catalog.h"

namespace db001::recovery {

namespace {
uint64_t unix_micros() {
  return uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count());
}
}  // namespace

wal_log::wal_log(storage::catalog& cat, txn::txn_manager& tm, file_system& fs, std::string dir, options o, lsn_t end)
    : cat_(cat), tm_(tm), opts_(std::move(o)) {
  wal_segment_writer::options wo;
  wo.segment_size = opts_.segment_size;
  wo.archive_dir = opts_.archive_dir;
  writer_ = std::make_unique<wal_segment_writer>(fs, std::move(dir), wo, end);
  queue_start_ = insert_ = writer_->end();
  end_lsn_.store(insert_);
  stats_.end = insert_;
}

wal_log::~wal_log() = default;

void wal_log::prepare(const txn::transaction& t, std::string& record) { encode_commit(record, t, cat_); }

void wal_log::queue_locked(record_type type, std::string_view payload, uint8_t flags, uint64_t commit_ts) {
  size_t bytes = record_size(payload.size());
  lsn_t at = place(insert_, bytes, opts_.segment_size);
  size_t off = queue_.size();
  queue_.resize(off + size_t(at - insert_) + bytes, '\0');  // zeros over a skipped segment tail/header
  encode_record(queue_.data() + off + size_t(at - insert_), at, type, payload, flags);
  if (type == record_type::commit) queued_commits_.push_back({commit_ts, at, bytes});
  insert_ = at + bytes;
}

void wal_log::append(std::string& record, uint64_t commit_ts) noexcept {
  patch_commit_prefix(record.data(), commit_ts, unix_micros());
  size_t max = max_payload_size(opts_.segment_size);
  {
    std::lock_guard lock(queue_mutex_);
    lsn_t first = place(insert_, record_size(std::min(record.size(), max)), opts_.segment_size);
    std::string_view rest(record);
    do {
      std::string_view part = rest.substr(0, max);
      rest.remove_prefix(part.size());
      queue_locked(record_type::commit, part, rest.empty() ? 0 : flag_continued, commit_ts);
    } while (!rest.empty());
    recent_.emplace_back(commit_ts, first);
    end_lsn_.store(insert_, std::memory_order_relaxed);
    // synchronous_commit = off: the writer's timer flushes every fsync_interval; wake it early
    // only when a lot is queued.
    if (!opts_.synchronous && queue_.size() < async_wake_bytes) return;
  }
  if (!woken_.exchange(true) && wake_) wake_();
}

lsn_t wal_log::append_record(record_type type, std::string_view payload) {
  if (payload.size() > max_payload_size(opts_.segment_size))
    throw std::invalid_argument("WAL record too large");
  lsn_t at;
  {
    std::lock_guard lock(queue_mutex_);
    at = place(insert_, record_size(payload.size()), opts_.segment_size);
    queue_locked(type, payload, 0, 0);
    end_lsn_.store(insert_, std::memory_order_relaxed);
  }
  if (!woken_.exchange(true) && wake_) wake_();
  return at;
}

bool wal_log::pending() const {
  std::lock_guard lock(queue_mutex_);
  return !queue_.empty() || retry_pending_.load(std::memory_order_acquire);
}

void wal_log::recycle_requested() {
  if (lsn_t r = recycle_to_.exchange(0)) {
    try {
      writer_->recycle(r);
    } catch (const io_error& e) {  // kept; the next request retries
      std::lock_guard sl(stats_mutex_);
      last_error_ = e.what();
    }
  }
}

std::vector<uint64_t> wal_log::fail_queued() {
  std::lock_guard lock(queue_mutex_);
  std::vector<uint64_t> out;
  out.reserve(queued_commits_.size());
  for (auto& c : queued_commits_) {
    encode_filler(queue_.data() + (c.lsn - queue_start_), c.lsn, c.bytes);
    out.push_back(c.ts);
  }
  queued_commits_.clear();
  return out;
}

bool wal_log::flush() {
  woken_.store(false);
  std::string batch;
  lsn_t start;
  std::vector<queued_commit> commits;
  {
    std::lock_guard lock(queue_mutex_);
    if (queue_.empty() && retry_.empty()) {
      recycle_requested();
      return true;
    }
    batch.swap(queue_);
    start = queue_start_;
    queue_start_ = insert_;
    commits.swap(queued_commits_);
  }
  if (!retry_.empty()) {
    // The failed batch first: it ends where this one starts.
    retry_ += batch;
    batch.swap(retry_);
    retry_.clear();
    retry_pending_.store(false, std::memory_order_release);
    start = retry_start_;
    retry_commits_.insert(retry_commits_.end(), commits.begin(), commits.end());
    commits.swap(retry_commits_);
    retry_commits_.clear();
  }
  try {
    writer_->write(start, batch);
    writer_->sync();
  } catch (const io_error& e) {
    uint64_t lo = ~uint64_t(0), hi = 0;
    if (opts_.synchronous) {
      // Give those commits up: fillers keep every later LSN valid; the sessions roll back.
      for (auto& c : commits) {
        encode_filler(batch.data() + (c.lsn - start), c.lsn, c.bytes);
        lo = std::min(lo, c.ts);
        hi = std::max(hi, c.ts);
      }
      commits.clear();
      // The records may have reached the file all the same (the write succeeded but the sync
      // failed, or a prefix landed): put the fillers over them at once, so that a crash before
      // the next flush cannot replay transactions whose sessions were told they rolled back.
      try {
        writer_->write(start, batch);
        writer_->sync();
        batch.clear();  // done: nothing left to write again
      } catch (const io_error&) {
      }
    }
    retry_.swap(batch);
    retry_pending_.store(!retry_.empty(), std::memory_order_release);
    retry_start_ = start;
    retry_commits_.swap(commits);
    {
      std::lock_guard sl(stats_mutex_);
      ++stats_.failures;
      last_error_ = e.what();
    }
    if (hi) tm_.log_failed(lo, hi, e.what(), e.sqlstate(), [this] { return fail_queued(); });
    return false;
  }
  uint64_t newest = 0;
  for (auto& c : commits) newest = std::max(newest, c.ts);
  {
    std::lock_guard sl(stats_mutex_);
    stats_.bytes_written += batch.size();
    ++stats_.fsyncs;
    // Count records, not parts: a part that continues belongs to the next.
    uint64_t n = 0;
    for (size_t i = 0; i < commits.size(); ++i) n += (i + 1 == commits.size() || commits[i + 1].ts != commits[i].ts);
    stats_.commits += n;
  }
  if (newest) tm_.log_durable(newest);
  {
    std::lock_guard lock(queue_mutex_);
    uint64_t visible = tm_.snapshot_ts();
    while (!recent_.empty() && recent_.front().first <= visible) recent_.pop_front();
  }
  recycle_requested();
  return true;
}

lsn_t wal_log::begin_checkpoint(const std::function<uint64_t()>& take_snapshot) {
  std::lock_guard lock(queue_mutex_);
  uint64_t s = take_snapshot();
  for (auto& [ts, lsn] : recent_)
    if (ts > s) return lsn;
  return insert_;
}

wal_stats wal_log::stats() const {
  std::lock_guard sl(stats_mutex_);
  wal_stats s = stats_;
  s.end = end_lsn_.load(std::memory_order_relaxed);
  return s;
}

std::string wal_log::last_error() const {
  std::lock_guard sl(stats_mutex_);
  return last_error_;
}

}  // namespace db001::recovery
