#pragma once
// Helpers shared by the WAL tests: a log builder that places and encodes records the way the WAL writer actor
// does, and a reader that collects everything.
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "recovery/wal_reader.h"
#include "recovery/wal_segment_writer.h"

namespace db001::recovery {
inline std::ostream& operator<<(std::ostream& os, wal_stop s) { return os << wal_stop_name(s); }
inline std::ostream& operator<<(std::ostream& os, record_type t) { return os << record_type_name(t); }
}  // namespace db001::recovery

namespace db001::recovery::test {

struct rec {
  lsn_t lsn;
  record_type type;
  std::string payload;
  bool operator==(const rec& o) const { return lsn == o.lsn && type == o.type && payload == o.payload; }
};

inline std::ostream& operator<<(std::ostream& os, const rec& r) {
  return os << "{" << r.lsn << " " << record_type_name(r.type) << " " << r.payload.size() << "B}";
}

/// Encodes a batch of records after `end` into one buffer (gaps left as zeros, or garbage), as the actor would.
struct batch {
  lsn_t start = 0;
  std::string bytes;
  std::vector<rec> recs;  // what was encoded (fillers included)

  batch(lsn_t end) : start(end) {}
  /// Appends a record; returns its LSN.
  lsn_t add(record_type t, const std::string& payload, uint64_t segment_size, char gap_byte = 0) {
    size_t n = record_size(payload.size());
    lsn_t cur = start + bytes.size();
    lsn_t at = place(cur, n, segment_size);
    if (bytes.empty())
      start = at;
    else
      bytes.append(static_cast<size_t>(at - cur), gap_byte);
    std::string buf(n, '\0');
    if (t == record_type::filler)
      encode_filler(buf.data(), at, n);
    else
      encode_record(buf.data(), at, t, payload);
    bytes += buf;
    recs.push_back({at, t, t == record_type::filler ? std::string(n - record_header_size, '\0') : payload});
    return at;
  }
  lsn_t end() const { return start + bytes.size(); }
};

inline std::string random_payload(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

/// Reads everything from `from`.
inline std::vector<rec> read_all(file_system& fs, std::vector<std::string> dirs, uint64_t segment_size, lsn_t from,
                                 wal_stop* why = nullptr, lsn_t* end = nullptr, lsn_t* stop_lsn = nullptr,
                                 std::string* message = nullptr) {
  wal_reader r(fs, std::move(dirs), segment_size, from);
  std::vector<rec> out;
  wal_record x;
  while (r.next(x)) out.push_back({x.lsn, x.type, std::string(x.payload)});
  if (why) *why = r.stop();
  if (end) *end = r.end();
  if (stop_lsn) *stop_lsn = r.stop_lsn();
  if (message) *message = r.message();
  return out;
}

/// The non-filler records of `v`.
inline std::vector<rec> without_fillers(const std::vector<rec>& v) {
  std::vector<rec> out;
  for (auto& r : v)
    if (r.type != record_type::filler) out.push_back(r);
  return out;
}

}  // namespace db001::recovery::test
