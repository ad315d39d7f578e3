#include "recovery/startup.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "recovery/catalog_image.h"
#include "recovery/redo_codec.h"
#include "recovery/replayer.h"
#include "recovery/wal_log.h"
#include "storage/catalog.h"
#include "storage/datetime.h"
#include "txn/txn_manager.h"

namespace db001::recovery {

namespace {
using clock_type = std::chrono::steady_clock;
double since(clock_type::time_point t0) { return std::chrono::duration<double>(clock_type::now() - t0).count(); }

std::string rate_line(const char* what, uint64_t records, uint64_t bytes, double s) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "%s: %llu records, %.1f MB in %.2f s (%.0f records/s, %.1f MB/s)", what,
                (unsigned long long)records, double(bytes) / 1e6, s, s > 0 ? double(records) / s : 0.0,
                s > 0 ? double(bytes) / 1e6 / s : 0.0);
  return buf;
}
}  // namespace

uint64_t parse_target_time(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) return std::stoull(text);
  try {
    int64_t pg = db001::parse_timestamp(text);  // microseconds since 2000-01-01 (zone ignored: UTC)
    return uint64_t(pg + int64_t(946684800) * 1000000);
  } catch (const std::exception& e) {
    throw std::invalid_argument("invalid recovery target time \"" + text + "\": " + e.what());
  }
}

recovery_result recover_database(storage::catalog& cat, txn::txn_manager& tm, checkpoint_store& store,
                                 file_system& fs, const recovery_paths& paths, const recovery_target& target,
                                 const recovery_progress& progress) {
  recovery_result res;
  auto t0 = clock_type::now();
  // Point-in-time recovery replays the whole (archived) history: checkpoints may be newer
  // than the target.
  // Indexes are built once, after the replay (which then has no index maintenance to do).
  auto meta = target.what == recovery_target::kind::none ? store.load(cat, /*build_indexes=*/false) : std::nullopt;
  res.checkpoint_seconds = since(t0);
  uint64_t skip = 0;
  if (meta) {
    res.checkpoint_loaded = true;
    res.checkpoint_ts = skip = meta->snapshot_ts;
    res.redo_from = meta->redo_lsn;
    if (progress) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "loaded checkpoint %llu (snapshot %llu, redo from LSN %llu) in %.2f s",
                    (unsigned long long)meta->sequence, (unsigned long long)meta->snapshot_ts,
                    (unsigned long long)meta->redo_lsn, res.checkpoint_seconds);
      progress(buf, 0);
    }
  } else {
    // No checkpoint: the log starts at the oldest segment we have.
    auto segs = list_segments(fs, paths.wal_dir);
    if (!paths.archive_dir.empty()) {
      auto arch = list_segments(fs, paths.archive_dir);
      if (!arch.empty() && (segs.empty() || arch.front() < segs.front())) segs.insert(segs.begin(), arch.front());
    }
    res.redo_from = segs.empty() ? 0 : segment_start(segs.front(), paths.segment_size);
  }
  res.redo_from = skip_segment_header(res.redo_from, paths.segment_size);

  std::vector<std::string> dirs{paths.wal_dir};
  if (!paths.archive_dir.empty()) dirs.push_back(paths.archive_dir);
  wal_reader reader(fs, dirs, paths.segment_size, res.redo_from);
  // Index maintenance deferred, so changes can be applied by up to 4 threads.
  unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  replayer rep(cat, skip, /*maintain_indexes=*/false, threads);
  auto t1 = clock_type::now();
  auto last_report = t1;
  std::string joined;       // parts of a split commit record
  lsn_t chain_start = 0;    // LSN of its first part
  lsn_t end = res.redo_from;
  wal_record r;
  bool stopped_at_target = false;
  while (reader.next(r)) {
    ++res.records;
    res.bytes += r.next - r.lsn;
    if (target.what == recovery_target::kind::lsn && r.lsn >= target.lsn) {
      stopped_at_target = true;
      end = joined.empty() ? r.lsn : chain_start;
      break;
    }
    if (r.type == record_type::commit) {
      if (r.flags & flag_continued) {
        if (joined.empty()) {
          chain_start = r.lsn;
          // Room for the whole record at once (at most the rest of the log; pages are only
          // touched as parts arrive): growing by doubling would copy a 1 GB load's record
          // several times over, each time into freshly faulted memory.
          // Capped at a quarter of the RAM: with archived segments the rest of the log can be
          // far longer than any record, and strict overcommit counts reserved memory.
          uint64_t cap = uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGESIZE)) / 4;
          try {
            joined.reserve(std::max<uint64_t>(joined.capacity(), std::min(reader.bytes_after(r.lsn), cap)));
          } catch (const std::exception&) {  // bad_alloc, length_error: grow as needed instead
          }
        }
        joined.append(r.payload);
        continue;
      }
      std::string_view payload = r.payload;
      if (!joined.empty()) {
        joined.append(r.payload);
        payload = joined;
      }
      auto head = peek_commit(payload);
      if (target.what == recovery_target::kind::time && head.unix_micros > target.unix_micros) {
        stopped_at_target = true;
        end = joined.empty() ? r.lsn : chain_start;
        break;
      }
      rep.apply_commit(payload);
      if (head.commit_ts > skip) {
        ++res.commits_applied;
        res.last_commit_micros = head.unix_micros;
      }
      joined.clear();
    } else if (r.type == record_type::restore_point) {
      if (target.what == recovery_target::kind::name && r.payload == target.name) {
        stopped_at_target = true;
        end = r.next;
        break;
      }
    }
    end = r.next;
    if (progress && since(last_report) >= 2.0) {
      last_report = clock_type::now();
      progress(rate_line("replaying WAL", res.records, res.bytes, since(t1)), res.records);
    }
  }
  res.replay_seconds = since(t1);
  res.target_reached = stopped_at_target;
  if (!stopped_at_target) {
    res.stop = reader.stop();
    res.stop_message = reader.message();
    if (res.stop == wal_stop::missing_segment || res.stop == wal_stop::io_error)
      throw recovery_error("WAL replay stopped at LSN " + std::to_string(reader.stop_lsn()) + ": " +
                           reader.message());
    // A split record without its last part was never committed: cut from its first part.
    end = joined.empty() ? reader.end() : chain_start;
    if (target.what == recovery_target::kind::name)
      throw target_not_found("recovery target restore point \"" + target.name + "\" not found in the WAL");
  }
  rep.finish();
  res.changes_applied = rep.changes();
  auto t2 = clock_type::now();
  store.build_indexes(cat);
  res.index_seconds = since(t2);
  tm.restore_clock(std::max(skip, rep.max_commit_ts()));
  res.end = end;
  if (progress) {
    progress(rate_line("WAL replay done", res.records, res.bytes, res.replay_seconds) + "; " +
             std::to_string(res.commits_applied) + " commits applied (" + std::to_string(res.changes_applied) +
                 " row changes); log ends at LSN " + std::to_string(end) +
             (stopped_at_target ? " (recovery target reached)"
                                : std::string(" (") + wal_stop_name(res.stop) +
                                      (res.stop_message.empty() ? "" : ": " + res.stop_message) + ")"),
             res.records);
    char buf[100];
    std::snprintf(buf, sizeof buf, "indexes built in %.2f s", res.index_seconds);
    progress(buf, res.records);
  }
  if (fs.exists(paths.wal_dir)) truncate_wal(fs, paths.wal_dir, paths.segment_size, end);
  return res;
}

}  // namespace db001::recovery
