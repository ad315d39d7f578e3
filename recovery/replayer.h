#pragma once
/// Replays commit records (recovery/redo_codec.h) into a catalog at startup: after a checkpoint
/// was loaded (or into an empty catalog), in commit-ts order.
///
/// An insert puts the row into exactly its row id's slot (table::restore_slot), fills every
/// index and stamps xmin = the commit ts; a delete removes the row's index entries and frees
/// the slot at once (no snapshot exists during recovery). Changes of tables that do not exist
/// (dropped later in the same transaction) are skipped. A record with a catalog image applies
/// the image first (recovery/catalog_image.h). Records with commit ts <= skip_upto_ts (already
/// in the checkpoint) are skipped.
///
/// Thread-safety: single-threaded; nobody else uses the catalog while it runs.
/// Errors: a malformed payload, a record out of commit-ts order, an insert into an occupied slot
/// or a delete of an empty one throw recovery_error naming the record and what is wrong. The
/// record's framing is checked before anything of it is applied; a later failure (a row that
/// does not fit its table) leaves the record half applied — recovery has failed then anyway.
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "recovery/catalog_image.h"
#include "storage/catalog.h"

namespace db001::recovery {

class replayer {
 public:
  /// maintain_indexes = false: inserts and deletes leave the indexes alone (and indexes that
  /// catalog images add stay empty); the caller builds every index after the last record, which
  /// is much cheaper than one random B+Tree insert and erase per change.
  /// apply_threads > 1 (only without index maintenance): changes are applied by this thread and
  /// apply_threads - 1 helpers, each change by the thread its row block maps to, so the changes
  /// of one slot keep their commit order; catalog images and finish() wait for the helpers. A
  /// helper's failure is thrown by the next of those waits (or apply_commit) on this thread.
  replayer(storage::catalog& cat, uint64_t skip_upto_ts, bool maintain_indexes = true, unsigned apply_threads = 1);
  ~replayer();
  replayer(const replayer&) = delete;
  replayer& operator=(const replayer&) = delete;

  /// Applies one commit-record payload (or skips it, see above).
  void apply_commit(std::string_view payload);
  /// After the last record: rebuilds every table's free list and approximate row count.
  void finish();

  /// The newest commit ts applied or skipped (0 = none): the txn_manager's clock continues from it.
  uint64_t max_commit_ts() const { return max_ts_; }
  /// Records applied (not counting skipped ones), and skipped.
  uint64_t records() const { return records_; }
  uint64_t skipped() const { return skipped_; }
  uint64_t changes() const { return changes_; }

  /// An insert may create at most this many blocks beyond a table's end (default 2^20, i.e. a
  /// gap of 1 G rows left by long uncommitted inserts). Bounds the memory a corrupt row id can
  /// claim; tests of corrupt input lower it.
  void set_block_gap_limit(uint32_t blocks) { gap_limit_ = blocks; }

 private:
  struct table_entry {
    std::shared_ptr<storage::table> tbl;  ///< null: the table does not exist (skip its changes)
    std::shared_ptr<const storage::table::index_list> indexes;
  };
  struct change {
    char kind;
    uint32_t oid;
    storage::row_id rid;
    std::string_view row;
  };
  table_entry& lookup(uint32_t oid);
  void insert(const table_entry& te, storage::row_id rid, std::string_view row, uint64_t ts) const;
  void remove(const table_entry& te, storage::row_id rid, uint64_t ts) const;
  /// Waits until the helpers have applied everything handed to them; rethrows a helper's error.
  void sync_helpers();
  struct helpers;
  std::unique_ptr<helpers> helpers_;  ///< null: this thread applies everything

  storage::catalog& cat_;
  uint64_t skip_upto_;
  bool maintain_indexes_;
  uint32_t gap_limit_ = uint32_t(1) << 20;
  uint64_t max_ts_ = 0, last_applied_ts_ = 0;
  uint64_t records_ = 0, skipped_ = 0, changes_ = 0;
  std::unordered_map<uint32_t, table_entry> tables_;
  bool tables_valid_ = false;
  uint32_t last_oid_ = 0;
  table_entry* last_ = nullptr;
  std::vector<change> changes_buf_;
};

}  // namespace db001::recovery
