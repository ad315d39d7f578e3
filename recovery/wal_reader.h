#pragma once
/// Reads the WAL stream (format: recovery/wal_format.h) from an LSN on, segment by segment, for recovery and for
/// tools that inspect the log; and prepares the log for appending at startup.
///
/// The reader never crashes or reads out of bounds on garbage: every length is checked against the segment and
/// the bytes actually read, and it stops at the first position that does not hold a valid record, saying why
/// (wal_stop) and where. It reads each segment file whole into one buffer (one big read), so replay runs at the
/// speed of the CRC (the SSE4.2 instruction) and the parsing.
///
/// Thread-safety: a wal_reader is used by one thread at a time; the free functions are safe from any thread as
/// long as nothing writes the log meanwhile.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recovery/file_io.h"
#include "recovery/wal_format.h"

namespace db001::recovery {

/// One record read. `payload` stays valid until the next call of wal_reader::next.
struct wal_record {
  lsn_t lsn = 0;
  record_type type = record_type::filler;
  uint8_t flags = 0;
  std::string_view payload;
  lsn_t next = 0;  ///< the LSN after this record
};

/// Why reading stopped.
enum class wal_stop {
  end_of_log,       ///< a clean end: the file ends, or zeros follow, and no later segment file exists
  torn_record,      ///< a record (or segment header) cut short, or data after a zeroed header, or segment files
                    ///< beyond the end: a write the crash interrupted
  bad_checksum,     ///< a record's CRC does not match
  bad_header,       ///< an impossible header: wrong LSN (a stale record), length beyond the segment, unknown type,
                    ///< or a bad segment header
  missing_segment,  ///< the segment file the log continues in does not exist, but later ones do
  io_error,         ///< reading failed (message() says how)
};
const char* wal_stop_name(wal_stop s);

class wal_reader {
 public:
  /// Reads records from `from` on (a record's LSN, or a segment start), looking for each segment file in `dirs` in
  /// order (the WAL directory, then the archive). Throws std::invalid_argument for a bad segment size.
  wal_reader(file_system& fs, std::vector<std::string> dirs, uint64_t segment_size, lsn_t from);
  ~wal_reader();
  wal_reader(const wal_reader&) = delete;
  wal_reader& operator=(const wal_reader&) = delete;

  /// The next record (fillers are skipped); false at the end of the log (see stop()). Never throws io_error.
  bool next(wal_record& r);

  /// After next() returned false: why reading stopped, at which LSN, and a message saying what was found there.
  wal_stop stop() const { return stop_; }
  lsn_t stop_lsn() const { return stop_lsn_; }
  const std::string& message() const { return message_; }
  /// The io_error that stopped reading, when stop() == wal_stop::io_error.
  const std::optional<io_error>& error() const { return error_; }

  /// The LSN after the last good record (fillers included), or `from` (moved past a segment header) if none.
  lsn_t end() const { return end_; }

  /// At most how many bytes of log follow `at`: up to the end of the newest segment file (0 if
  /// none lies past `at`). Sizes the buffer of a commit record split over many segments.
  uint64_t bytes_after(lsn_t at);

 private:
  bool load_segment(uint64_t no);
  bool finish_clean();
  bool fail(wal_stop why, lsn_t at, std::string message);
  bool later_segment_exists(uint64_t no, uint64_t* which);
  const std::vector<uint64_t>& all_segments();

  file_system& fs_;
  std::vector<std::string> dirs_;
  uint64_t segment_size_;
  lsn_t pos_;
  lsn_t end_;
  std::unique_ptr<char[]> buf_;
  size_t buf_len_ = 0;
  uint64_t cur_seg_ = 0;
  bool loaded_ = false;
  std::string cur_path_;
  std::optional<std::vector<uint64_t>> all_segments_;
  bool done_ = false;
  wal_stop stop_ = wal_stop::end_of_log;
  lsn_t stop_lsn_ = 0;
  std::string message_;
  std::optional<io_error> error_;
};

/// Segment numbers of the segment files in `dir`, ascending (empty if `dir` does not exist).
std::vector<uint64_t> list_segments(file_system& fs, const std::string& dir);

/// Cuts the log in `dir` at `end` (a valid end found by a wal_reader): the segment holding `end` is truncated
/// there, later segment files are removed (as is the segment starting at `end` when it holds no record before it),
/// and the changes are fsynced. Segments before `end`'s are left alone. Throws io_error.
void truncate_wal(file_system& fs, const std::string& dir, uint64_t segment_size, lsn_t end);

/// Startup: reads the log in `dir` from `from` to its valid end, cuts everything after it (truncate_wal) so a stale
/// record can never resurface after new appends, and returns that end, which the wal_segment_writer appends after.
/// `why` and `message` (optional) receive why reading stopped: wal_stop::end_of_log for a clean end, else what was
/// found. Anything after the end is removed whatever the reason, except for wal_stop::missing_segment: then nothing
/// is cut (the later segments may be all that is left of committed work) and the caller must not start a writer —
/// a restore from the archive is needed. A caller that wants to refuse to start on other corruption (a bad checksum
/// in the middle of the log) checks its replay reader first; after replaying, truncate_wal(fs, dir, size,
/// replay_reader.end()) does the cut without reading the log a second time.
/// Throws io_error when reading or cutting fails.
lsn_t prepare_for_append(file_system& fs, const std::string& dir, uint64_t segment_size, lsn_t from, wal_stop* why,
                         std::string* message);

}  // namespace db001::recovery
