#include "recovery/wal_segment_writer.h"

#include <algorithm>
#include <stdexcept>

#include "recovery/wal_reader.h"

namespace db001::recovery {

wal_segment_writer::wal_segment_writer(file_system& fs, std::string dir, options o, lsn_t end)
    : fs_(fs), dir_(std::move(dir)), opts_(std::move(o)) {
  check_segment_size(opts_.segment_size);
  if (end % record_alignment != 0) throw std::invalid_argument("WAL end " + std::to_string(end) + " is not aligned");
  end_ = skip_segment_header(end, opts_.segment_size);
  fs_.make_dirs(dir_);
  if (!opts_.archive_dir.empty()) fs_.make_dirs(opts_.archive_dir);
}

wal_segment_writer::~wal_segment_writer() = default;

wal_segment_writer::open_segment& wal_segment_writer::segment(uint64_t no) {
  auto it = open_.find(no);
  if (it == open_.end()) {
    std::string path = join_path(dir_, segment_file_name(no));
    bool existed = fs_.exists(path);
    auto f = fs_.open(path, true);
    if (!existed) dir_dirty_ = true;
    it = open_.emplace(no, open_segment{std::move(f), false, false}).first;
  }
  open_segment& s = it->second;
  if (!s.header_ok) {
    char h[segment_header_size];
    if (s.f->size() >= segment_header_size && s.f->read_at(0, h, sizeof h) == sizeof h &&
        check_segment_header(h, no, opts_.segment_size).empty()) {
      s.header_ok = true;
    } else {
      encode_segment_header(h, no, opts_.segment_size);
      s.dirty = true;
      s.f->write_at(0, h, sizeof h);
      s.header_ok = true;
    }
  }
  return s;
}

void wal_segment_writer::fill_tail(lsn_t at) {
  const uint64_t size = opts_.segment_size;
  uint64_t no = segment_of(at, size);
  size_t len = static_cast<size_t>(segment_start(no + 1, size) - at);
  if (len < record_header_size) return;
  if (scratch_.size() < len) scratch_.resize(len);
  encode_filler(scratch_.data(), at, len);
  open_segment& s = segment(no);
  s.dirty = true;
  s.f->write_at(at % size, scratch_.data(), len);
}

void wal_segment_writer::write(lsn_t at, std::string_view bytes) {
  const uint64_t size = opts_.segment_size;
  if (bytes.empty()) return;
  if (at % record_alignment != 0) throw std::invalid_argument("WAL write at unaligned LSN " + std::to_string(at));
  lsn_t first = skip_segment_header(at, size);
  if (first > end_) {
    uint64_t end_seg = segment_of(end_, size);
    if (segment_of(first, size) != end_seg + 1 || first % size != segment_header_size ||
        end_ % size == segment_header_size)
      throw std::invalid_argument("WAL write at " + std::to_string(at) + " leaves a hole after the end " +
                                  std::to_string(end_));
  }
  try {
    if (first > end_) fill_tail(end_);
    write_records(at, bytes);
  } catch (const io_error&) {
    discard_after_end();
    throw;
  }
}

void wal_segment_writer::discard_after_end() {
  // Best effort: what a failed write left beyond end() must not be read as records after a crash (the caller
  // reported those transactions failed), nor linger behind a shorter rewrite.
  const uint64_t size = opts_.segment_size;
  uint64_t end_seg = segment_of(end_, size);
  try {
    for (uint64_t no : list_segments(fs_, dir_)) {
      if (no <= end_seg) continue;
      open_.erase(no);
      fs_.remove(join_path(dir_, segment_file_name(no)));
      dir_dirty_ = true;
    }
    for (auto it = open_.begin(); it != open_.end();) {
      if (it->first > end_seg) {
        it = open_.erase(it);
        continue;
      }
      if (it->first == end_seg && it->second.f->size() > end_ % size) {
        it->second.dirty = true;
        it->second.f->truncate(end_ % size);
      }
      ++it;
    }
  } catch (const io_error&) {
  }
}

void wal_segment_writer::write_records(lsn_t at, std::string_view bytes) {
  const uint64_t size = opts_.segment_size;
  const char* base = bytes.data();
  const lsn_t stop = at + bytes.size();
  lsn_t complete = end_;  // the end of the last whole record written
  lsn_t pos = at;
  while (pos < stop) {
    uint64_t no = segment_of(pos, size);
    lsn_t seg_start = segment_start(no, size), seg_end = seg_start + size;
    if (pos - seg_start < segment_header_size) {
      pos = seg_start + segment_header_size;
      continue;
    }
    // Walk the records in this segment: [pos, q) is passed through as the caller encoded it.
    lsn_t q = pos;
    bool tail = false;
    while (q < stop && q < seg_end) {
      if (seg_end - q < record_header_size) {  // too short for a record: skipped by readers
        tail = true;
        break;
      }
      if (stop - q < record_header_size) {  // a partial header ends the input: written as is
        q = stop;
        break;
      }
      record_header h = decode_record_header(base + (q - at));
      if (h.lsn != q || record_size(h.length) > seg_end - q) {  // not a record: the segment's unused tail
        tail = true;
        break;
      }
      lsn_t next = q + record_size(h.length);
      if (next > stop) {  // the input ends inside this record: written as is
        q = stop;
        break;
      }
      q = next;
      complete = q;
    }
    if (q > pos) {
      open_segment& s = segment(no);
      s.dirty = true;
      s.f->write_at(pos - seg_start, base + (pos - at), static_cast<size_t>(q - pos));
    }
    if (tail) {
      fill_tail(q);
      pos = seg_end;
    } else {
      pos = q;
    }
  }
  end_ = std::max(end_, skip_segment_header(complete, size));
}

void wal_segment_writer::sync() {
  for (auto& [no, s] : open_) {
    if (!s.dirty) continue;
    s.f->sync();
    s.dirty = false;
  }
  if (dir_dirty_) {
    fs_.sync_dir(dir_);
    dir_dirty_ = false;
  }
  // Close the segments the stream has left.
  uint64_t cur = segment_of(end_, opts_.segment_size);
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->first < cur && !it->second.dirty)
      it = open_.erase(it);
    else
      ++it;
  }
}

void wal_segment_writer::archive(uint64_t no) {
  std::string name = segment_file_name(no);
  std::string src_path = join_path(dir_, name);
  std::string dst_path = join_path(opts_.archive_dir, name);
  auto src = fs_.open_read(src_path);
  uint64_t n = src->size();
  if (fs_.exists(dst_path) && fs_.open_read(dst_path)->size() == n) return;  // archived before
  std::vector<char> buf(static_cast<size_t>(n));
  if (src->read_at(0, buf.data(), buf.size()) != buf.size())
    throw io_error::make(EIO, src_path, "read file (it shrank while being archived)");
  std::string tmp_path = dst_path + ".tmp";
  {
    auto tmp = fs_.open(tmp_path, true);
    tmp->truncate(0);
    tmp->write_at(0, buf.data(), buf.size());
    tmp->sync();
  }
  fs_.rename(tmp_path, dst_path);
  fs_.sync_dir(opts_.archive_dir);
}

void wal_segment_writer::recycle(lsn_t keep_from) {
  const uint64_t size = opts_.segment_size;
  uint64_t cur = segment_of(end_, size);
  bool removed = false;
  for (uint64_t no : list_segments(fs_, dir_)) {
    if (no >= cur || segment_start(no + 1, size) > keep_from) continue;
    auto it = open_.find(no);
    if (it != open_.end() && it->second.dirty) {
      it->second.f->sync();
      it->second.dirty = false;
    }
    if (!opts_.archive_dir.empty()) archive(no);
    if (it != open_.end()) open_.erase(it);
    fs_.remove(join_path(dir_, segment_file_name(no)));
    removed = true;
  }
  if (removed) fs_.sync_dir(dir_);
}

}  // namespace db001::recovery
