#include "recovery/wal_reader.h"

#include <algorithm>
#include <cerrno>

#include "recovery/crc32c.h"

namespace db001::recovery {

namespace {

bool all_zero(const char* p, size_t n) {
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    if (v != 0) return false;
    p += 8;
    n -= 8;
  }
  while (n--)
    if (*p++ != 0) return false;
  return true;
}

std::string lsn_text(lsn_t l) {
  // PostgreSQL style: high/low 32 bits in hex.
  char buf[40];
  std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(l >> 32), static_cast<unsigned>(l & 0xFFFFFFFFu));
  return buf;
}

}  // namespace

const char* wal_stop_name(wal_stop s) {
  switch (s) {
    case wal_stop::end_of_log:
      return "end_of_log";
    case wal_stop::torn_record:
      return "torn_record";
    case wal_stop::bad_checksum:
      return "bad_checksum";
    case wal_stop::bad_header:
      return "bad_header";
    case wal_stop::missing_segment:
      return "missing_segment";
    case wal_stop::io_error:
      return "io_error";
  }
  return "unknown";
}

std::vector<uint64_t> list_segments(file_system& fs, const std::string& dir) {
  std::vector<uint64_t> out;
  for (const auto& name : fs.list(dir)) {
    uint64_t no;
    if (parse_segment_file_name(name, &no)) out.push_back(no);
  }
  std::sort(out.begin(), out.end());
  return out;
}

wal_reader::wal_reader(file_system& fs, std::vector<std::string> dirs, uint64_t segment_size, lsn_t from)
    : fs_(fs), dirs_(std::move(dirs)), segment_size_(segment_size) {
  check_segment_size(segment_size);
  pos_ = end_ = skip_segment_header(from, segment_size);
  stop_lsn_ = pos_;
}

wal_reader::~wal_reader() = default;

bool wal_reader::fail(wal_stop why, lsn_t at, std::string message) {
  done_ = true;
  stop_ = why;
  stop_lsn_ = at;
  message_ = std::move(message);
  return false;
}

const std::vector<uint64_t>& wal_reader::all_segments() {
  if (!all_segments_) {
    std::vector<uint64_t> all;
    for (const auto& d : dirs_) {
      auto v = list_segments(fs_, d);
      all.insert(all.end(), v.begin(), v.end());
    }
    std::sort(all.begin(), all.end());
    all_segments_ = std::move(all);
  }
  return *all_segments_;
}

bool wal_reader::later_segment_exists(uint64_t no, uint64_t* which) {
  const auto& all = all_segments();
  auto it = std::upper_bound(all.begin(), all.end(), no);
  if (it == all.end()) return false;
  *which = *it;
  return true;
}

uint64_t wal_reader::bytes_after(lsn_t at) {
  const auto& all = all_segments();
  if (all.empty()) return 0;
  lsn_t last_end = segment_start(all.back() + 1, segment_size_);
  return last_end > at ? last_end - at : 0;
}

/// The log ends cleanly at pos_ unless a later segment file exists.
bool wal_reader::finish_clean() {
  uint64_t later;
  if (later_segment_exists(segment_of(pos_, segment_size_), &later))
    return fail(wal_stop::torn_record, pos_,
                "log ends at " + lsn_text(pos_) + " but segment file " + segment_file_name(later) + " follows");
  return fail(wal_stop::end_of_log, pos_, "end of log at " + lsn_text(pos_));
}

bool wal_reader::load_segment(uint64_t no) {
  loaded_ = false;
  std::string name = segment_file_name(no);
  std::string path;
  for (const auto& d : dirs_) {
    std::string p = join_path(d, name);
    if (fs_.exists(p)) {
      path = std::move(p);
      break;
    }
  }
  if (path.empty()) {
    uint64_t later;
    if (later_segment_exists(no, &later))
      return fail(wal_stop::missing_segment, pos_,
                  "segment file " + name + " is missing (needed at " + lsn_text(pos_) + "), but " +
                      segment_file_name(later) + " exists");
    return fail(wal_stop::end_of_log, pos_, "end of log at " + lsn_text(pos_) + " (no segment file " + name + ")");
  }
  auto f = fs_.open_read(path);
  size_t want = static_cast<size_t>(std::min<uint64_t>(f->size(), segment_size_));
  if (!buf_) buf_ = std::make_unique_for_overwrite<char[]>(static_cast<size_t>(segment_size_));
  buf_len_ = f->read_at(0, buf_.get(), want);
  cur_path_ = path;
  lsn_t seg_start = segment_start(no, segment_size_);
  if (buf_len_ < segment_header_size || all_zero(buf_.get(), segment_header_size)) {
    if (all_zero(buf_.get(), buf_len_)) return finish_clean();  // created, header never landed
    return fail(wal_stop::torn_record, seg_start, "incomplete segment header in \"" + path + "\"");
  }
  std::string bad = check_segment_header(buf_.get(), no, segment_size_);
  if (!bad.empty()) return fail(wal_stop::bad_header, seg_start, bad + " in \"" + path + "\"");
  cur_seg_ = no;
  loaded_ = true;
  return true;
}

bool wal_reader::next(wal_record& r) {
  if (done_) return false;
  const uint64_t size = segment_size_;
  try {
    for (;;) {
      uint64_t no = segment_of(pos_, size);
      if (!loaded_ || no != cur_seg_) {
        if (!load_segment(no)) return false;
      }
      size_t off = static_cast<size_t>(pos_ % size);
      if (off < segment_header_size) {
        pos_ += segment_header_size - off;
        off = segment_header_size;
      }
      if (size - off < record_header_size) {  // the segment's short tail
        pos_ += size - off;
        continue;
      }
      if (off + record_header_size > buf_len_) {  // the file ends here (or within a header)
        if (all_zero(buf_.get() + std::min(off, buf_len_), buf_len_ - std::min(off, buf_len_))) return finish_clean();
        return fail(wal_stop::torn_record, pos_,
                    "incomplete record header at " + lsn_text(pos_) + " in \"" + cur_path_ + "\"");
      }
      const char* p = buf_.get() + off;
      record_header h = decode_record_header(p);
      if (h.lsn != pos_) {
        if (all_zero(p, record_header_size)) {
          if (all_zero(p, buf_len_ - off)) return finish_clean();
          return fail(wal_stop::torn_record, pos_,
                      "zeroed record header followed by data at " + lsn_text(pos_) + " in \"" + cur_path_ + "\"");
        }
        return fail(wal_stop::bad_header, pos_,
                    "record at " + lsn_text(pos_) + " carries LSN " + lsn_text(h.lsn) + " in \"" + cur_path_ + "\"");
      }
      if (h.length > size - off - record_header_size)
        return fail(wal_stop::bad_header, pos_,
                    "invalid record length " + std::to_string(h.length) + " at " + lsn_text(pos_) + " in \"" +
                        cur_path_ + "\"");
      if (off + record_header_size + h.length > buf_len_)
        return fail(wal_stop::torn_record, pos_,
                    "record at " + lsn_text(pos_) + " of length " + std::to_string(h.length) +
                        " is cut short by the end of \"" + cur_path_ + "\"");
      if (record_crc(p, p + record_header_size, h.length) != h.crc)
        return fail(wal_stop::bad_checksum, pos_,
                    "incorrect record checksum at " + lsn_text(pos_) + " in \"" + cur_path_ + "\"");
      if (!is_known_record_type(h.type))
        return fail(
            wal_stop::bad_header, pos_,
            "invalid record type " + std::to_string(h.type) + " at " + lsn_text(pos_) + " in \"" + cur_path_ + "\"");
      lsn_t at = pos_;
      pos_ += record_size(h.length);
      end_ = skip_segment_header(pos_, size);
      if (h.type == static_cast<uint8_t>(record_type::filler)) continue;
      r.lsn = at;
      r.type = static_cast<record_type>(h.type);
      r.flags = h.flags;
      r.payload = std::string_view(p + record_header_size, h.length);
      r.next = pos_;
      return true;
    }
  } catch (const io_error& e) {
    error_ = e;
    return fail(wal_stop::io_error, pos_, e.what());
  }
}

void truncate_wal(file_system& fs, const std::string& dir, uint64_t segment_size, lsn_t end) {
  check_segment_size(segment_size);
  bool removed = false;
  for (uint64_t no : list_segments(fs, dir)) {
    lsn_t start = segment_start(no, segment_size);
    if (start + segment_size <= end) continue;  // wholly before the end
    std::string path = join_path(dir, segment_file_name(no));
    if (start + segment_header_size < end) {  // holds records before the end: cut after them
      auto f = fs.open(path, false);
      if (f->size() > end - start) {
        f->truncate(end - start);
        f->sync();
      }
    } else {
      fs.remove(path);
      removed = true;
    }
  }
  if (removed) fs.sync_dir(dir);
}

lsn_t prepare_for_append(file_system& fs, const std::string& dir, uint64_t segment_size, lsn_t from, wal_stop* why,
                         std::string* message) {
  wal_reader reader(fs, {dir}, segment_size, from);
  wal_record r;
  while (reader.next(r)) {
  }
  if (reader.stop() == wal_stop::io_error) throw *reader.error();
  if (reader.stop() != wal_stop::missing_segment) truncate_wal(fs, dir, segment_size, reader.end());
  if (why) *why = reader.stop();
  if (message) *message = reader.message();
  return reader.end();
}

}  // namespace db001::recovery
