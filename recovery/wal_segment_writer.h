#pragma once
/// Writes the WAL stream into segment files (format: recovery/wal_format.h). The WAL writer actor owns one: it
/// places records with place(), encodes them into a buffer with encode_record, hands the buffer to write() and
/// calls sync() once per group commit.
///
/// The writer takes care of the segment structure: it creates segment files (with their header) as the stream
/// reaches them, writes a filler record over the unused tail of a segment the stream left (whatever the caller's
/// buffer holds there), and archives and removes old segments (recycle).
///
/// Errors: throws io_error (recovery/file_io.h). A failed write() or sync() changes nothing the caller relies on:
/// write the same range again (with the same records, or fillers of the same sizes for transactions given up) and
/// sync. After a failed sync the data written since the last good sync must be written again before syncing — on
/// Linux a failed fsync may drop the dirty pages and a second fsync then succeeds without them.
///
/// Thread-safety: not thread-safe; one owner (the WAL writer actor).
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "recovery/file_io.h"
#include "recovery/wal_format.h"

namespace db001::recovery {

class wal_segment_writer {
 public:
  struct options {
    uint64_t segment_size = default_segment_size;
    std::string archive_dir;  ///< empty = no archiving
  };

  /// Appends after `end`, the valid end of the log found by prepare_for_append (or the redo start of an empty
  /// log). Creates `dir` (and the archive dir) if missing. Throws std::invalid_argument for a bad segment size or
  /// an unaligned `end`, io_error if the directories cannot be created.
  wal_segment_writer(file_system& fs, std::string dir, options o, lsn_t end);
  ~wal_segment_writer();
  wal_segment_writer(const wal_segment_writer&) = delete;
  wal_segment_writer& operator=(const wal_segment_writer&) = delete;

  /// Writes `bytes` as the stream's LSNs [at, at + bytes.size()): records encoded at the LSNs place() gave them.
  /// Bytes falling into a segment header area are ignored (the writer writes the real header when it creates a
  /// segment); bytes falling into the unused tail of a segment (after its last record, where place() skipped to
  /// the next segment) are replaced by a filler record (or ignored when fewer than a header's size). The writer
  /// finds the records by their headers: a position whose header does not carry its own LSN starts the tail.
  /// REQUIRES: `at` 8-aligned; at <= end(), or `at` is the first data byte of the segment after end()'s (the tail
  /// of end()'s segment is then filled); `bytes` end at a record's end.
  /// Throws io_error; then the writer cuts what the failed write may have left beyond end() (best effort: the
  /// segment holding end() is truncated there, later segment files are removed), so neither a crash nor a
  /// shorter rewrite brings part of it back. end() only advances when the whole write succeeded; write the range
  /// again — the same records, or fillers of the same sizes (encode_filler) for the transactions given up.
  void write(lsn_t at, std::string_view bytes);

  /// Makes everything written so far durable: fdatasync of every segment written since the last sync, and of the
  /// directory when a segment file was created. Throws io_error (see the class comment).
  void sync();

  /// Removes the segments wholly below `keep_from` that the stream has left (never the segment end() is in).
  /// With an archive dir, each is first copied there (a temp file, fsync, rename, directory fsync; skipped when
  /// the archive already holds it) and removed only afterwards. Throws io_error; a segment that failed stays and
  /// the next recycle retries it.
  void recycle(lsn_t keep_from);

  /// The LSN after the last record written (moved past a segment header): place(end(), ...) places the next one.
  lsn_t end() const { return end_; }

  const options& opts() const { return opts_; }

 private:
  struct open_segment {
    std::unique_ptr<file> f;
    bool header_ok = false;
    bool dirty = false;
  };
  open_segment& segment(uint64_t no);
  void fill_tail(lsn_t at);
  void write_records(lsn_t at, std::string_view bytes);
  void discard_after_end();
  void archive(uint64_t no);

  file_system& fs_;
  std::string dir_;
  options opts_;
  lsn_t end_;
  std::map<uint64_t, open_segment> open_;
  bool dir_dirty_ = false;
  std::vector<char> scratch_;
};

}  // namespace db001::recovery
