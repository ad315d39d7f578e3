#pragma once
/// Checkpoints: a consistent image of every table's rows visible at a snapshot S, written
/// without stopping writers, plus the catalog image and the redo LSN the WAL replay starts at.
/// Replay after loading applies only commit records with ts > S.
///
/// Files in the checkpoint directory:
///   ckpt-<seq>.dat     data: a header, then block images (the rows of one row block visible at
///                      S, by slot), written as <name>.tmp + fsync + rename.
///   manifest-<seq>     names the valid checkpoint, written last (tmp + fsync + rename + fsync
///                      of the directory): S, redo LSN, wall-clock time, the catalog image, and
///                      for every table and block which data file holds the block's current
///                      image (file seq, offset, length, CRC32C, high-water mark, rows); the
///                      whole manifest is covered by a CRC32C.
/// Incremental: a block whose stamps hold no transaction marker and whose last_changed() is
/// <= the previous checkpoint's S is not written again; the manifest points to the image
/// written before. Every `full_every` checkpoints (or when less than half the bytes of the
/// referenced files are still referenced) a full checkpoint is written. The store keeps the
/// newest manifest and the one before it (the fallback when the newest is corrupt) and
/// deletes every file neither needs.
///
/// Layouts (little endian):
///   data file header: "DB1CKDAT" | u32 version (1) | u64 seq
///   block image: u32 table oid | u32 block | u32 rows | 128 bytes slot bitmap (bit = row of
///     that slot present) | per column: u8 has NULLs | [rows NULL bytes] | fixed: rows x width
///     bytes; strings: rows x u32 length, then the bytes
///   manifest: "DB1CKMAN" | u32 version (1) | u64 seq | u64 S | u64 redo LSN | u64 unix micros |
///     u64 seq of the full checkpoint the chain starts at | str catalog image |
///     u32 tables { u32 oid | u32 blocks { u64 file seq (0: no rows) | u64 offset | u32 length |
///     u32 crc | u32 used | u32 rows } } | u32 files { u64 seq | u64 size } | u32 CRC32C of all before
///
/// Startup, as the lead wires it:
///   checkpoint_store store(dir);                      // keep this instance for the checkpointer:
///   auto meta = store.load(cat);                      // its next write() is incremental on the
///   replayer rep(cat, meta ? meta->snapshot_ts : 0);  // loaded chain (a new instance writes full)
///   for each WAL record from meta ? meta->redo_lsn : start: rep.apply_commit(payload);
///   rep.finish();
///   tm.restore_clock(max(meta ? meta->snapshot_ts : 0, rep.max_commit_ts()));
/// The WAL may be truncated only below min_retained_redo_lsn() (the fallback checkpoint's).
///
/// Thread-safety: one thread uses a checkpoint_store at a time (the checkpointer actor, or
/// startup). write() runs concurrently with committing transactions.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "recovery/catalog_image.h"
#include "recovery/file_io.h"
#include "storage/catalog.h"
#include "txn/txn_manager.h"

namespace db001::recovery {

struct checkpoint_meta {
  uint64_t snapshot_ts = 0;  ///< S: replay applies commit records with ts > S
  uint64_t redo_lsn = 0;     ///< where the WAL replay starts (as the writer was given it)
  uint64_t unix_micros = 0;  ///< when the checkpoint was written
  uint64_t sequence = 0;
  uint32_t next_oid = 0;
  std::string manifest_path;
};

struct checkpoint_stats {
  uint64_t sequence = 0;
  bool full = false;
  uint64_t blocks_written = 0;  ///< block images written to the new data file
  uint64_t blocks_skipped = 0;  ///< unchanged blocks whose older image the manifest reuses
  uint64_t blocks_empty = 0;    ///< blocks without a row visible at S (no image needed)
  uint64_t rows_written = 0;
  uint64_t bytes_written = 0;  ///< data file + manifest
  uint64_t files_deleted = 0;
  double seconds = 0;
};

struct checkpoint_load_stats {
  uint64_t rows = 0, blocks = 0, bytes = 0;
  double seconds_read = 0;     ///< manifest, CRCs, rows into blocks
  double seconds_indexes = 0;  ///< building every index
  double seconds = 0;
  uint32_t manifests_rejected = 0;  ///< newer manifests that were corrupt or incomplete
};

struct checkpoint_options {
  uint32_t full_every = 8;  ///< a full checkpoint at least every this many
  unsigned threads = 0;     ///< loader threads (0 = hardware concurrency)
  /// Files are listed, written, synced, renamed and removed through this (null: the real file
  /// system; tests inject a full disk or failing syncs). load() maps the data files directly,
  /// so it needs a file system backed by real files.
  file_system* fs = nullptr;
};

class checkpoint_store {
 public:
  explicit checkpoint_store(std::string dir, checkpoint_options opts = {});

  /// Writes a checkpoint of every table as seen by snap. REQUIRES: the caller keeps snap
  /// protected from GC until this returns (a registered reader at snap.read_ts), and no
  /// transaction holds uncommitted DDL while the catalog image is taken (the catalog is not
  /// versioned): hold the DDL lock around write() or at least its start. Every commit with
  /// ts > snap.read_ts must have its commit record at or after redo_lsn.
  /// Throws db_error on I/O errors (53100 for a full disk, else 58030, as PostgreSQL); then
  /// nothing changes on disk but a removed .tmp.
  checkpoint_stats write(const storage::catalog& cat, const txn::txn_manager& tm, const txn::snapshot& snap,
                         uint64_t redo_lsn);

  /// Loads the newest valid checkpoint into an empty catalog (falling back to older manifests
  /// when the newest is missing pieces or fails its CRCs); nullopt if there is none. Builds every
  /// index (see build_indexes below), the free lists and row counts; rows get xmin = S. The caller then replays the WAL
  /// from meta.redo_lsn with skip_upto_ts = meta.snapshot_ts and continues the clock from S.
  /// With build_indexes = false the indexes stay empty: WAL replay then runs without index
  /// maintenance and build_indexes() fills them all once at the end.
  std::optional<checkpoint_meta> load(storage::catalog& cat, bool build_indexes = true);
  /// Builds every index of cat from its table's rows, in parallel (the loader's threads).
  /// REQUIRES: the indexes are empty and nobody else uses the catalog.
  void build_indexes(storage::catalog& cat);

  const checkpoint_load_stats& last_load_stats() const { return load_stats_; }
  /// The redo LSN of the oldest checkpoint the store keeps (the fallback): the WAL may be
  /// truncated only below it. 0 = no checkpoint.
  uint64_t min_retained_redo_lsn() const { return retained_redo_lsn_; }
  const std::string& dir() const { return dir_; }

  /// A block entry of a manifest (public for tests and tools).
  struct block_ref {
    uint64_t file = 0;  ///< data file seq, 0 = no visible rows
    uint64_t offset = 0;
    uint32_t length = 0, crc = 0, used = 0, rows = 0;
  };
  struct manifest {
    uint64_t seq = 0, snapshot_ts = 0, redo_lsn = 0, unix_micros = 0, full_seq = 0;
    std::string catalog_image;
    std::map<uint32_t, std::vector<block_ref>> tables;  ///< table oid -> blocks
    std::map<uint64_t, uint64_t> files;                 ///< data file seq -> size
  };

 private:
  std::string path_of(const char* prefix, uint64_t seq) const;
  std::optional<manifest> read_manifest(const std::string& path) const;
  void remove_unneeded(const manifest& keep_new, const manifest* keep_old, checkpoint_stats& st);

  std::string dir_;
  checkpoint_options opts_;
  file_system& fs_;
  std::optional<manifest> prev_;  ///< the newest checkpoint written or loaded (incremental base)
  checkpoint_load_stats load_stats_;
  uint64_t retained_redo_lsn_ = 0;
};

}  // namespace db001::recovery
