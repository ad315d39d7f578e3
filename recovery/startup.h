#pragma once
/// Start-up recovery of one database: load the newest valid checkpoint, replay the WAL after
/// it (commit records in timestamp order, the parts of split records joined), stop at the end
/// of the valid log — a torn or corrupt tail is reported and cut off so no stale record can
/// resurface — or at a point-in-time target, and continue the transaction clock.
///
/// Thread-safety: single-threaded; nobody else uses the catalog or the manager while it runs.
/// Errors: throws recovery_error (XX001) when the log cannot be trusted to be complete (a
/// missing segment, a read error) or a record cannot be applied; io_error when cutting fails.
#include <cstdint>
#include <functional>
#include <string>

#include "recovery/catalog_image.h"
#include "recovery/checkpoint.h"
#include "recovery/file_io.h"
#include "recovery/wal_format.h"
#include "recovery/wal_reader.h"

namespace db001::storage {
class catalog;
}
namespace db001::txn {
class txn_manager;
}

namespace db001::recovery {

/// Where point-in-time recovery stops (none = replay everything).
struct recovery_target {
  enum class kind { none, time, lsn, name } what = kind::none;
  uint64_t unix_micros = 0;  ///< time: apply commits made at or before it
  lsn_t lsn = 0;             ///< lsn: apply records that start before it
  std::string name;          ///< name: apply everything up to the restore point of that name
};

struct recovery_result {
  bool checkpoint_loaded = false;
  uint64_t checkpoint_ts = 0;
  double checkpoint_seconds = 0;
  lsn_t redo_from = 0;
  uint64_t records = 0;  ///< WAL records read after the redo start (commit parts, restore points)
  uint64_t commits_applied = 0;
  uint64_t changes_applied = 0;  ///< row inserts and deletes of the commits applied
  uint64_t bytes = 0;  ///< WAL bytes read
  double replay_seconds = 0;
  double index_seconds = 0;  ///< building every index after the replay
  lsn_t end = 0;  ///< where the log continues
  wal_stop stop = wal_stop::end_of_log;
  std::string stop_message;
  bool target_reached = false;
  uint64_t last_commit_micros = 0;  ///< wall-clock time of the newest commit applied
};

struct recovery_paths {
  std::string wal_dir;
  std::string archive_dir;  ///< also searched for segments when set
  uint64_t segment_size = default_segment_size;
};

/// Thrown when a restore-point target is not in the log (nothing was changed on disk).
struct target_not_found : recovery_error {
  using recovery_error::recovery_error;
};

/// Receives a log line and the number of WAL records read so far (every 2 s and at the end).
using recovery_progress = std::function<void(const std::string& line, uint64_t records)>;

/// Recovers into an empty catalog and a fresh manager.
recovery_result recover_database(storage::catalog& cat, txn::txn_manager& tm, checkpoint_store& store,
                                 file_system& fs, const recovery_paths& paths, const recovery_target& target,
                                 const recovery_progress& progress);

/// Parses "2026-11-24 18:00:00[.ffffff]" (UTC; a zone suffix is ignored), or plain
/// microseconds since the Unix epoch; throws std::invalid_argument.
uint64_t parse_target_time(const std::string& text);

}  // namespace db001::recovery
