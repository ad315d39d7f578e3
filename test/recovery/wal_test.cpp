// WAL format, segment writer and reader on in-memory files (the corruption cases in the manner of LevelDB's
// db/log_test.cc), with injected faults, and on real files in a temp dir.
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <random>

#include "recovery/crc32c.h"
#include "test/recovery/wal_test_util.h"

using namespace db001::recovery;
using namespace db001::recovery::test;

namespace {

constexpr uint64_t seg = 4096;
const std::string wal_dir = "db/wal";
const std::string archive_dir = "db/archive";

std::string seg_path(uint64_t no, const std::string& dir = wal_dir) { return join_path(dir, segment_file_name(no)); }

/// Writes `n` records of random sizes (random batches, a sync now and then) through a writer; returns them.
std::vector<rec> write_random(file_system& fs, wal_segment_writer& w, std::mt19937_64& rng, int n,
                              size_t max_payload = 600, bool with_fillers = true) {
  std::vector<rec> all;
  int i = 0;
  while (i < n) {
    batch b(w.end());
    int k = 1 + static_cast<int>(rng() % 20);
    for (int j = 0; j < k && i < n; ++j, ++i) {
      size_t len = rng() % (max_payload + 1);
      record_type t = static_cast<record_type>(1 + rng() % 3);
      if (with_fillers && rng() % 10 == 0) t = record_type::filler;
      b.add(t, random_payload(rng, len), seg);
    }
    w.write(b.start, b.bytes);
    if (rng() % 3 == 0) w.sync();
    all.insert(all.end(), b.recs.begin(), b.recs.end());
  }
  w.sync();
  return all;
}

struct mem_log {
  memory_file_system fs;
  std::mt19937_64 rng{7};
  std::vector<rec> recs;  // fillers included
  lsn_t end = 0;

  /// A log of `n` records, no fillers.
  explicit mem_log(int n, size_t max_payload = 300) {
    wal_segment_writer w(fs, wal_dir, {seg, ""}, 0);
    recs = write_random(fs, w, rng, n, max_payload, false);
    end = w.end();
  }
  std::vector<rec> read(wal_stop* why = nullptr, lsn_t* end_out = nullptr, lsn_t* stop = nullptr) {
    return read_all(fs, {wal_dir}, seg, 0, why, end_out, stop);
  }
  /// The index of the last segment file.
  uint64_t last_segment() { return list_segments(fs, wal_dir).back(); }
};

std::vector<rec> prefix(const std::vector<rec>& v, size_t n) { return std::vector<rec>(v.begin(), v.begin() + n); }

}  // namespace

BOOST_AUTO_TEST_SUITE(wal_format)

BOOST_AUTO_TEST_CASE(sizes_and_placement) {
  BOOST_TEST(record_size(0) == 24u);
  BOOST_TEST(record_size(1) == 32u);
  BOOST_TEST(record_size(8) == 32u);
  BOOST_TEST(record_size(9) == 40u);
  BOOST_TEST(max_record_bytes(seg) == seg - segment_header_size);
  BOOST_TEST(record_size(max_payload_size(seg)) == max_record_bytes(seg));
  BOOST_TEST(place(0, 24, seg) == segment_header_size);  // the header area is skipped
  BOOST_TEST(place(100 * 8, 64, seg) == 800u);
  BOOST_TEST(place(seg - 64, 64, seg) == seg - 64);                   // fits exactly
  BOOST_TEST(place(seg - 64, 72, seg) == seg + segment_header_size);  // goes to the next segment
  BOOST_TEST(place(seg, 24, seg) == seg + segment_header_size);       // a segment boundary
  BOOST_TEST(place(3 * seg + 32, max_record_bytes(seg), seg) == 3 * seg + 32);
  BOOST_TEST(valid_segment_size(4096));
  BOOST_TEST(valid_segment_size(16 << 20));
  BOOST_TEST(!valid_segment_size(2048));
  BOOST_TEST(!valid_segment_size(6000));
  BOOST_CHECK_THROW(wal_reader(posix_file_system(), {"x"}, 5000, 0), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(segment_names) {
  BOOST_TEST(segment_file_name(42) == "000000000000002a.wal");
  uint64_t no = 0;
  BOOST_TEST(parse_segment_file_name("000000000000002a.wal", &no));
  BOOST_TEST(no == 42u);
  BOOST_TEST(!parse_segment_file_name("000000000000002A.wal", &no));
  BOOST_TEST(!parse_segment_file_name("000000000000002a.wal.tmp", &no));
  BOOST_TEST(!parse_segment_file_name("2a.wal", &no));
}

BOOST_AUTO_TEST_CASE(record_encoding) {
  std::string buf(record_size(5), 'x');
  encode_record(buf.data(), 4096 + 40, record_type::commit, "hello");
  record_header h = decode_record_header(buf.data());
  BOOST_TEST(h.length == 5u);
  BOOST_TEST(h.type == 1);
  BOOST_TEST(h.lsn == 4136u);
  BOOST_TEST(h.crc == record_crc(buf.data(), buf.data() + 24, 5));
  BOOST_TEST(buf.substr(24, 5) == "hello");
  BOOST_TEST(buf.substr(29) == std::string(3, '\0'));  // padding zeroed
  std::string f(64, 'x');
  encode_filler(f.data(), 96, 64);
  h = decode_record_header(f.data());
  BOOST_TEST(h.length == 40u);
  BOOST_TEST(h.type == 0);
  char sh[segment_header_size];
  encode_segment_header(sh, 7, seg);
  BOOST_TEST(check_segment_header(sh, 7, seg) == "");
  BOOST_TEST(check_segment_header(sh, 8, seg) != "");
  BOOST_TEST(check_segment_header(sh, 7, 2 * seg) != "");
  sh[3] ^= 1;
  BOOST_TEST(check_segment_header(sh, 7, seg) != "");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(wal_segment_writer_suite)

BOOST_AUTO_TEST_CASE(round_trip_many_small_segments) {
  memory_file_system fs;
  std::mt19937_64 rng(1);
  wal_segment_writer w(fs, wal_dir, {seg, ""}, 0);
  auto all = write_random(fs, w, rng, 5000);
  BOOST_TEST(list_segments(fs, wal_dir).size() > 100u);
  wal_stop why;
  lsn_t end;
  auto got = read_all(fs, {wal_dir}, seg, 0, &why, &end);
  BOOST_TEST(got == without_fillers(all));
  BOOST_TEST(why == wal_stop::end_of_log);
  BOOST_TEST(end == w.end());
  // From the middle: a record's LSN, and a segment start.
  auto want = without_fillers(all);
  auto from_mid = read_all(fs, {wal_dir}, seg, want[2500].lsn);
  BOOST_TEST(from_mid == std::vector<rec>(want.begin() + 2500, want.end()));
  lsn_t s50 = segment_start(50, seg);
  auto from_seg = read_all(fs, {wal_dir}, seg, s50);
  std::vector<rec> tail;
  for (auto& r : want)
    if (r.lsn >= s50) tail.push_back(r);
  BOOST_TEST(from_seg == tail);
  // Every segment file but the last is full (filler tails), and names its number.
  auto segs = list_segments(fs, wal_dir);
  for (size_t i = 0; i + 1 < segs.size(); ++i) {
    BOOST_TEST(segs[i] == i);
    BOOST_TEST(fs.contents(seg_path(segs[i])).size() >= seg - 16);
  }
}

BOOST_AUTO_TEST_CASE(one_record_per_write_and_gaps_with_garbage) {
  // The caller's gap bytes (here 0xEE garbage) are replaced by fillers.
  memory_file_system fs;
  std::mt19937_64 rng(2);
  wal_segment_writer w(fs, wal_dir, {seg, ""}, 0);
  std::vector<rec> want;
  batch big(w.end());
  for (int i = 0; i < 300; ++i) {
    lsn_t at = big.add(record_type::commit, random_payload(rng, rng() % 500), seg, static_cast<char>(0xEE));
    (void)at;
  }
  w.write(big.start, big.bytes);
  want = big.recs;
  for (int i = 0; i < 300; ++i) {
    batch b(w.end());
    b.add(record_type::checkpoint, random_payload(rng, rng() % 500), seg);
    w.write(b.start, b.bytes);
    want.push_back(b.recs[0]);
  }
  w.sync();
  wal_stop why;
  BOOST_TEST(read_all(fs, {wal_dir}, seg, 0, &why) == want);
  BOOST_TEST(why == wal_stop::end_of_log);
}

BOOST_AUTO_TEST_CASE(max_size_and_exact_fill) {
  memory_file_system fs;
  std::mt19937_64 rng(3);
  wal_segment_writer w(fs, wal_dir, {seg, ""}, 0);
  std::vector<rec> want;
  auto add1 = [&](size_t len) {
    batch b(w.end());
    b.add(record_type::commit, random_payload(rng, len), seg);
    w.write(b.start, b.bytes);
    want.push_back(b.recs[0]);
    return b.recs[0].lsn;
  };
  // A max-size record takes a whole segment.
  lsn_t a = add1(max_payload_size(seg));
  BOOST_TEST(a == segment_header_size);
  BOOST_TEST(w.end() == seg + segment_header_size);
  // A record that exactly fills the rest of a segment.
  lsn_t b = add1(100);
  size_t rest = static_cast<size_t>(2 * seg - w.end());
  lsn_t c = add1(rest - record_header_size);
  BOOST_TEST(c == b + record_size(100));
  BOOST_TEST(w.end() == 2 * seg + segment_header_size);
  // Leave a tail of 8 and of 16 bytes (too short for a filler), and one of exactly a header.
  for (size_t tail : {8, 16, 24, 32}) {
    size_t room = static_cast<size_t>(segment_start(segment_of(w.end(), seg) + 1, seg) - w.end());
    add1(room - tail - record_header_size);
    add1(tail);  // does not fit: next segment
  }
  add1(max_payload_size(seg));
  w.sync();
  wal_stop why;
  lsn_t end;
  BOOST_TEST(read_all(fs, {wal_dir}, seg, 0, &why, &end) == want);
  BOOST_TEST(why == wal_stop::end_of_log);
  BOOST_TEST(end == w.end());
  // A bigger record is the caller's to reject.
  BOOST_TEST(record_size(max_payload_size(seg) + 1) > max_record_bytes(seg));
}

BOOST_AUTO_TEST_CASE(rejects_holes) {
  memory_file_system fs;
  wal_segment_writer w(fs, wal_dir, {seg, ""}, 0);
  std::string r(record_size(10), '\0');
  encode_record(r.data(), 1024, record_type::commit, "0123456789");
  BOOST_CHECK_THROW(w.write(1024, r), std::invalid_argument);
  BOOST_CHECK_THROW(w.write(36, r), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(wal_reader_suite)

BOOST_AUTO_TEST_CASE(bit_flip_in_every_byte_of_last_record) {
  mem_log log(200);
  auto last = log.recs.back();
  std::string path = seg_path(segment_of(last.lsn, seg));
  std::string good = log.fs.contents(path);
  size_t off = static_cast<size_t>(last.lsn % seg);
  for (size_t i = off; i < off + record_header_size + last.payload.size(); ++i) {
    for (int bit : {0, 7, static_cast<int>(i % 8)}) {
      std::string bad = good;
      bad[i] ^= static_cast<char>(1 << bit);
      log.fs.set_contents(path, bad);
      wal_stop why;
      lsn_t end, stop;
      auto got = log.read(&why, &end, &stop);
      BOOST_TEST_REQUIRE(got == prefix(log.recs, log.recs.size() - 1));
      BOOST_TEST_REQUIRE(
          (why == wal_stop::bad_checksum || why == wal_stop::bad_header || why == wal_stop::torn_record));
      BOOST_TEST_REQUIRE(end == last.lsn);
      BOOST_TEST_REQUIRE(stop == last.lsn);
    }
  }
  log.fs.set_contents(path, good);
  BOOST_TEST(log.read() == log.recs);
}

BOOST_AUTO_TEST_CASE(bit_flip_in_middle_record) {
  mem_log log(300);
  for (size_t k : {size_t{0}, size_t{57}, size_t{150}, log.recs.size() / 2}) {
    auto r = log.recs[k];
    std::string path = seg_path(segment_of(r.lsn, seg));
    std::string good = log.fs.contents(path);
    std::string bad = good;
    bad[r.lsn % seg + record_header_size + r.payload.size() / 2 - (r.payload.empty() ? 4 : 0)] ^= 0x10;
    log.fs.set_contents(path, bad);
    wal_stop why;
    lsn_t end, stop;
    std::string msg;
    auto got = read_all(log.fs, {wal_dir}, seg, 0, &why, &end, &stop, &msg);
    BOOST_TEST(got == prefix(log.recs, k));
    BOOST_TEST((why == wal_stop::bad_checksum || why == wal_stop::bad_header));
    BOOST_TEST(stop == r.lsn);
    BOOST_TEST(!msg.empty());
    log.fs.set_contents(path, good);
  }
}

BOOST_AUTO_TEST_CASE(truncation_at_every_byte_of_last_record) {
  mem_log log(100);
  auto last = log.recs.back();
  std::string path = seg_path(segment_of(last.lsn, seg));
  std::string good = log.fs.contents(path);
  size_t off = static_cast<size_t>(last.lsn % seg);
  BOOST_TEST(good.size() == off + record_size(last.payload.size()));
  for (size_t cut = off; cut < off + record_header_size + last.payload.size(); ++cut) {
    log.fs.set_contents(path, good.substr(0, cut));
    wal_stop why;
    lsn_t end, stop;
    auto got = log.read(&why, &end, &stop);
    BOOST_TEST_INFO("cut " << cut << " off " << off);
    BOOST_TEST_REQUIRE(got == prefix(log.recs, log.recs.size() - 1));
    BOOST_TEST_REQUIRE(end == last.lsn);
    if (cut == off)
      BOOST_TEST_REQUIRE(why == wal_stop::end_of_log);
    else if (cut >= off + 4)  // the crc's bytes might be zero; after them the length is not
      BOOST_TEST_REQUIRE(why == wal_stop::torn_record);
    else
      BOOST_TEST_REQUIRE((why == wal_stop::torn_record || why == wal_stop::end_of_log));
  }
  // Cut inside the padding: the payload is complete, so the record still reads.
  if (record_size(last.payload.size()) > record_header_size + last.payload.size()) {
    log.fs.set_contents(path, good.substr(0, off + record_header_size + last.payload.size()));
    BOOST_TEST(log.read() == log.recs);
  }
}

BOOST_AUTO_TEST_CASE(zeroed_tail_is_a_clean_end) {
  mem_log log(100);
  std::string path = seg_path(log.last_segment());
  std::string good = log.fs.contents(path);
  for (size_t extra : {size_t{8}, size_t{24}, size_t{1000}, seg - good.size()}) {
    log.fs.set_contents(path, good + std::string(extra, '\0'));
    wal_stop why;
    lsn_t end;
    BOOST_TEST(log.read(&why, &end) == log.recs);
    BOOST_TEST(why == wal_stop::end_of_log);
    BOOST_TEST(end == log.end);
  }
  // Zeros, then data: a torn write.
  std::string torn = good + std::string(100, '\0') + "x";
  log.fs.set_contents(path, torn);
  wal_stop why;
  BOOST_TEST(log.read(&why) == log.recs);
  BOOST_TEST(why == wal_stop::torn_record);
  // A new segment file whose header never landed.
  log.fs.set_contents(path, good);
  log.fs.set_contents(seg_path(log.last_segment() + 1), std::string(10, '\0'));
  BOOST_TEST(log.read(&why) == log.recs);
}

BOOST_AUTO_TEST_CASE(missing_middle_segment) {
  mem_log log(400);
  BOOST_TEST_REQUIRE(log.last_segment() >= 4u);
  log.fs.remove(seg_path(2));
  wal_stop why;
  lsn_t end, stop;
  std::string msg;
  auto got = read_all(log.fs, {wal_dir}, seg, 0, &why, &end, &stop, &msg);
  BOOST_TEST(why == wal_stop::missing_segment);
  BOOST_TEST(stop >= 2 * seg);
  BOOST_TEST(stop <= 2 * seg + segment_header_size);
  BOOST_TEST(msg.find(segment_file_name(2)) != std::string::npos);
  for (auto& r : got) BOOST_TEST(r.lsn < 2 * seg);
  BOOST_TEST(got.size() > 0u);
  // The last segment missing is just the end.
  mem_log log2(400);
  log2.fs.remove(seg_path(log2.last_segment()));
  log2.read(&why);
  BOOST_TEST(why == wal_stop::end_of_log);
}

BOOST_AUTO_TEST_CASE(stale_records_are_not_returned) {
  mem_log log(400);
  uint64_t last = log.last_segment();
  // A recycled segment: segment 1's file renamed to the next number with a rewritten header.
  std::string old = log.fs.contents(seg_path(1));
  encode_segment_header(old.data(), last + 1, seg);
  log.fs.set_contents(seg_path(last + 1), old);
  // Make the stream continue into it: pad the last segment with a filler to its end.
  std::string cur = log.fs.contents(seg_path(last));
  size_t used = cur.size();
  cur.resize(seg);
  encode_filler(cur.data() + used, last * seg + used, seg - used);
  log.fs.set_contents(seg_path(last), cur);
  wal_stop why;
  lsn_t end, stop;
  auto got = log.read(&why, &end, &stop);
  BOOST_TEST(got == log.recs);
  BOOST_TEST(why == wal_stop::bad_header);
  BOOST_TEST(stop == (last + 1) * seg + segment_header_size);
  BOOST_TEST(end == (last + 1) * seg + segment_header_size);
  // A file copied under another name without a new header.
  log.fs.set_contents(seg_path(last + 1), log.fs.contents(seg_path(1)));
  log.read(&why);
  BOOST_TEST(why == wal_stop::bad_header);
  // A valid record copied to another position.
  auto r = log.recs[3];
  std::string s0 = log.fs.contents(seg_path(segment_of(r.lsn, seg)));
  std::string rb = s0.substr(r.lsn % seg, record_size(r.payload.size()));
  log.fs.set_contents(seg_path(last + 1), std::string());
  log.fs.remove(seg_path(last + 1));
  cur = log.fs.contents(seg_path(last));
  cur.replace(used, rb.size(), rb);
  log.fs.set_contents(seg_path(last), cur);
  got = log.read(&why, &end, &stop);
  BOOST_TEST(got == log.recs);
  BOOST_TEST(why == wal_stop::bad_header);
  BOOST_TEST(stop == last * seg + used);
}

BOOST_AUTO_TEST_CASE(garbage_lengths_never_over_read) {
  mem_log log(50);
  auto last = log.recs.back();
  std::string path = seg_path(segment_of(last.lsn, seg));
  std::string good = log.fs.contents(path);
  size_t off = static_cast<size_t>(last.lsn % seg);
  for (uint32_t len : {0u, 1u, 0xFFFFFFFFu, 0x80000000u, static_cast<uint32_t>(seg),
                       static_cast<uint32_t>(seg - off - record_header_size),
                       static_cast<uint32_t>(seg - off - record_header_size + 1), 4000u}) {
    std::string bad = good;
    store_u32(bad.data() + off + 4, len);
    log.fs.set_contents(path, bad);
    wal_stop why;
    lsn_t end;
    BOOST_TEST(log.read(&why, &end) == prefix(log.recs, log.recs.size() - 1));
    BOOST_TEST(why != wal_stop::end_of_log);
    BOOST_TEST(end == last.lsn);
    // Also with a valid CRC over what the length claims, where it stays inside the file.
    if (off + record_header_size + len <= bad.size()) {
      store_u32(bad.data() + off, record_crc(bad.data() + off, bad.data() + off + record_header_size, len));
      log.fs.set_contents(path, bad);
      BOOST_TEST(log.read(&why).size() >= log.recs.size() - 1);
    }
  }
  // Random garbage after the segment header, many times, with a correct LSN field at the start.
  std::mt19937_64 rng(9);
  for (int i = 0; i < 2000; ++i) {
    std::string g = good.substr(0, segment_header_size) + random_payload(rng, rng() % (seg - segment_header_size));
    if (g.size() >= segment_header_size + record_header_size) {
      store_u64(g.data() + segment_header_size + 16, segment_of(last.lsn, seg) * seg + segment_header_size);
      if (i % 2) store_u32(g.data() + segment_header_size + 4, static_cast<uint32_t>(rng() % (2 * seg)));
    }
    log.fs.set_contents(path, g);
    wal_stop why;
    log.read(&why);
    BOOST_TEST_REQUIRE(why != wal_stop::io_error);
  }
}

BOOST_AUTO_TEST_CASE(unknown_record_type) {
  mem_log log(10);
  auto last = log.recs.back();
  std::string path = seg_path(segment_of(last.lsn, seg));
  std::string bad = log.fs.contents(path);
  size_t off = static_cast<size_t>(last.lsn % seg);
  bad[off + 8] = 77;
  store_u32(bad.data() + off, record_crc(bad.data() + off, bad.data() + off + 24, last.payload.size()));
  log.fs.set_contents(path, bad);
  wal_stop why;
  std::string msg;
  read_all(log.fs, {wal_dir}, seg, 0, &why, nullptr, nullptr, &msg);
  BOOST_TEST(why == wal_stop::bad_header);
  BOOST_TEST(msg.find("type 77") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(empty_log) {
  memory_file_system fs;
  wal_stop why;
  lsn_t end;
  BOOST_TEST(read_all(fs, {wal_dir}, seg, 0, &why, &end).empty());
  BOOST_TEST(why == wal_stop::end_of_log);
  BOOST_TEST(end == segment_header_size);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(prepare_for_append_suite)

BOOST_AUTO_TEST_CASE(torn_middle_record_then_append_never_resurfaces_stale) {
  // Records A B C; B's tail is damaged but C is intact in the file. After prepare_for_append, a new record B' of
  // B's exact size at B's LSN must not bring C back.
  memory_file_system fs;
  std::mt19937_64 rng(4);
  std::vector<rec> abc;
  {
    wal_segment_writer w(fs, wal_dir, {seg, ""}, 0);
    batch b(w.end());
    b.add(record_type::commit, "A-payload", seg);
    b.add(record_type::commit, random_payload(rng, 200), seg);
    b.add(record_type::commit, "C-payload", seg);
    w.write(b.start, b.bytes);
    w.sync();
    abc = b.recs;
  }
  std::string path = seg_path(0);
  std::string s = fs.contents(path);
  s[abc[1].lsn + record_header_size + 190] ^= 0x55;
  fs.set_contents(path, s);
  wal_stop why;
  std::string msg;
  lsn_t end = prepare_for_append(fs, wal_dir, seg, 0, &why, &msg);
  BOOST_TEST(end == abc[1].lsn);
  BOOST_TEST(why == wal_stop::bad_checksum);
  BOOST_TEST(!msg.empty());
  BOOST_TEST(fs.contents(path).size() == abc[1].lsn);  // cut
  wal_segment_writer w(fs, wal_dir, {seg, ""}, end);
  batch b(w.end());
  b.add(record_type::commit, random_payload(rng, 200), seg);  // B' of B's size
  BOOST_TEST(b.recs[0].lsn == abc[1].lsn);
  w.write(b.start, b.bytes);
  w.sync();
  std::vector<rec> want{abc[0], b.recs[0]};
  BOOST_TEST(read_all(fs, {wal_dir}, seg, 0, &why) == want);
  BOOST_TEST(why == wal_stop::end_of_log);
}

BOOST_AUTO_TEST_CASE(torn_tail_across_segments) {
  mem_log log(300);
  // Damage a record in segment 1: segments 2.. are removed, segment 1 is cut.
  size_t k = 0;
  while (segment_of(log.recs[k].lsn, seg) < 1 || log.recs[k].lsn % seg < 1000) ++k;
  auto r = log.recs[k];
  std::string p1 = seg_path(1);
  std::string s = log.fs.contents(p1);
  s[r.lsn % seg] ^= 1;
  log.fs.set_contents(p1, s);
  wal_stop why;
  lsn_t end = prepare_for_append(log.fs, wal_dir, seg, 0, &why, nullptr);
  BOOST_TEST(end == r.lsn);
  BOOST_TEST(why == wal_stop::bad_checksum);
  BOOST_TEST(list_segments(log.fs, wal_dir) == (std::vector<uint64_t>{0, 1}));
  // Append and re-read; again after a second "restart".
  std::vector<rec> want = prefix(log.recs, k);
  for (int round = 0; round < 2; ++round) {
    wal_segment_writer w(log.fs, wal_dir, {seg, ""}, end);
    auto more = write_random(log.fs, w, log.rng, 100, 300, false);
    want.insert(want.end(), more.begin(), more.end());
    lsn_t e2;
    BOOST_TEST(read_all(log.fs, {wal_dir}, seg, 0, &why, &e2) == want);
    BOOST_TEST(why == wal_stop::end_of_log);
    BOOST_TEST(e2 == w.end());
    end = prepare_for_append(log.fs, wal_dir, seg, 0, &why, nullptr);
    BOOST_TEST(end == w.end());
    BOOST_TEST(why == wal_stop::end_of_log);
  }
}

BOOST_AUTO_TEST_CASE(end_in_segment_tail_and_at_segment_boundary) {
  memory_file_system fs;
  std::vector<rec> want;
  lsn_t end = 0;
  auto add1 = [&](size_t len, const char* what) {
    wal_segment_writer w(fs, wal_dir, {seg, ""}, end);
    batch b(w.end());
    b.add(record_type::commit, std::string(len, what[0]), seg);
    w.write(b.start, b.bytes);
    w.sync();
    want.push_back(b.recs[0]);
    wal_stop why;
    end = prepare_for_append(fs, wal_dir, seg, 0, &why, nullptr);
    BOOST_TEST(why == wal_stop::end_of_log);
    BOOST_TEST(end == w.end());
  };
  add1(max_payload_size(seg) - 40, "a");                                         // leaves a 16-byte tail
  add1(100, "b");                                                                // next segment
  add1(seg - segment_header_size - record_size(100) - record_header_size, "c");  // fills exactly
  add1(8, "d");
  add1(2000, "e");
  add1(2000, "f");  // tail filler written when this is placed in the next segment
  wal_stop why;
  BOOST_TEST(read_all(fs, {wal_dir}, seg, 0, &why) == want);
  BOOST_TEST(why == wal_stop::end_of_log);
}

BOOST_AUTO_TEST_CASE(empty_and_header_only_segments) {
  memory_file_system fs;
  fs.make_dirs(wal_dir);
  wal_stop why;
  BOOST_TEST(prepare_for_append(fs, wal_dir, seg, 0, &why, nullptr) == segment_header_size);
  BOOST_TEST(why == wal_stop::end_of_log);
  // A segment whose header landed but nothing else: removed, and the writer recreates it.
  char h[segment_header_size];
  encode_segment_header(h, 0, seg);
  fs.set_contents(seg_path(0), std::string(h, sizeof h));
  lsn_t end = prepare_for_append(fs, wal_dir, seg, 0, &why, nullptr);
  BOOST_TEST(end == segment_header_size);
  wal_segment_writer w(fs, wal_dir, {seg, ""}, end);
  batch b(w.end());
  b.add(record_type::restore_point, "rp", seg);
  w.write(b.start, b.bytes);
  w.sync();
  BOOST_TEST(read_all(fs, {wal_dir}, seg, 0) == b.recs);
  // A corrupt first segment header: everything is cut.
  std::string s = fs.contents(seg_path(0));
  s[5] ^= 1;
  fs.set_contents(seg_path(0), s);
  end = prepare_for_append(fs, wal_dir, seg, 0, &why, nullptr);
  BOOST_TEST(why == wal_stop::bad_header);
  BOOST_TEST(end == segment_header_size);
  BOOST_TEST(list_segments(fs, wal_dir).empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(faulty_file_system_suite)

namespace {
/// A batch after `end` that crosses into the next segment (so a failure may hit a segment creation).
batch crossing_batch(lsn_t end, std::mt19937_64& rng, size_t min_records = 10) {
  batch b(end);
  while (segment_of(b.end(), seg) == segment_of(end, seg) || b.recs.size() < min_records)
    b.add(record_type::commit, random_payload(rng, 250), seg);
  return b;
}
}  // namespace

BOOST_AUTO_TEST_CASE(enospc_mid_write_then_retry) {
  for (int tenth = -4; tenth < 10; ++tenth) {
    memory_file_system mem;
    faulty_file_system fs(mem);
    std::mt19937_64 rng(5);
    wal_segment_writer w(fs, wal_dir, {seg, ""}, 0);
    auto first = write_random(fs, w, rng, 50, 300, false);
    lsn_t end0 = w.end();
    batch b = crossing_batch(w.end(), rng);
    // A few bytes, a header's worth, and then tenths of the batch.
    uint64_t budget = tenth < 0 ? std::vector<uint64_t>{0, 1, 10, 24}[tenth + 4] : b.bytes.size() * tenth / 10;
    fs.fail_writes(ENOSPC, budget);
    try {
      w.write(b.start, b.bytes);
      BOOST_FAIL("no io_error");
    } catch (const io_error& e) {
      BOOST_TEST(e.err == ENOSPC);
      BOOST_TEST(std::string(e.what()).find("No space left on device") != std::string::npos);
      BOOST_TEST(std::string(e.what()).find("could not write to file \"" + e.path + "\"") == 0u);
      BOOST_TEST(e.path.find(wal_dir) == 0u);
      BOOST_TEST(std::string(e.sqlstate()) == "53100");
    }
    BOOST_TEST(w.end() == end0);
    // Nothing of the failed write is readable (as after a crash now).
    wal_stop why;
    BOOST_TEST(read_all(mem, {wal_dir}, seg, 0, &why) == first);
    BOOST_TEST(why == wal_stop::end_of_log);
    // Still full: fails again.
    BOOST_CHECK_THROW(w.write(b.start, b.bytes), io_error);
    fs.clear();
    w.write(b.start, b.bytes);
    w.sync();
    auto want = first;
    want.insert(want.end(), b.recs.begin(), b.recs.end());
    lsn_t end;
    BOOST_TEST(read_all(mem, {wal_dir}, seg, 0, &why, &end) == want);
    BOOST_TEST(why == wal_stop::end_of_log);
    BOOST_TEST(end == w.end());
  }
}

BOOST_AUTO_TEST_CASE(give_up_failed_transactions_with_fillers) {
  // The actor answers the failed transactions with an error, overwrites their records with fillers of the same
  // sizes, and later batches keep their LSNs.
  memory_file_system mem;
  faulty_file_system fs(mem);
  std::mt19937_64 rng(6);
  wal_segment_writer w(fs, wal_dir, {seg, ""}, 0);
  auto first = write_random(fs, w, rng, 30, 300, false);
  batch failed = crossing_batch(w.end(), rng);
  batch later(failed.end());  // encoded already, after the failed batch
  for (int i = 0; i < 20; ++i) later.add(record_type::commit, random_payload(rng, 100), seg);
  fs.fail_writes(ENOSPC, 700);
  BOOST_CHECK_THROW(w.write(failed.start, failed.bytes), io_error);
  fs.clear();
  batch fillers(failed.start);
  for (auto& r : failed.recs) {
    BOOST_TEST(fillers.add(record_type::filler, std::string(r.payload.size(), '\0'), seg) == r.lsn);
  }
  BOOST_TEST(fillers.end() == failed.end());
  w.write(fillers.start, fillers.bytes);
  w.write(later.start, later.bytes);
  w.sync();
  auto want = first;
  want.insert(want.end(), later.recs.begin(), later.recs.end());
  wal_stop why;
  BOOST_TEST(read_all(mem, {wal_dir}, seg, 0, &why) == want);
  BOOST_TEST(why == wal_stop::end_of_log);
}

BOOST_AUTO_TEST_CASE(eio_on_sync_then_rewrite) {
  for (int n : {1, 2, 3}) {
    memory_file_system mem;
    faulty_file_system fs(mem);
    std::mt19937_64 rng(7);
    wal_segment_writer w(fs, wal_dir, {seg, ""}, 0);
    auto first = write_random(fs, w, rng, 30, 300, false);
    batch b = crossing_batch(w.end(), rng);  // creates a segment: file syncs and a directory sync
    w.write(b.start, b.bytes);
    fs.fail_syncs(EIO, n);
    int failures = 0;
    for (int i = 0; i < n; ++i) {
      try {
        w.sync();
      } catch (const io_error& e) {
        ++failures;
        BOOST_TEST(e.err == EIO);
        BOOST_TEST(std::string(e.what()).find("could not fsync") == 0u);
        BOOST_TEST(std::string(e.what()).find("Input/output error") != std::string::npos);
        BOOST_TEST(std::string(e.what()).find(e.path) != std::string::npos);
        BOOST_TEST(std::string(e.sqlstate()) == "58030");
      }
    }
    BOOST_TEST(failures == n);
    fs.clear();
    w.write(b.start, b.bytes);  // written again before syncing again
    w.sync();
    auto want = first;
    want.insert(want.end(), b.recs.begin(), b.recs.end());
    BOOST_TEST(read_all(mem, {wal_dir}, seg, 0) == want);
  }
}

BOOST_AUTO_TEST_CASE(faults_reach_files_opened_earlier) {
  memory_file_system mem;
  faulty_file_system fs(mem);
  fs.make_dirs("d");
  auto f = fs.open("d/x", true);
  f->write_at(0, "abc", 3);
  fs.fail_writes(EDQUOT, 2);
  BOOST_CHECK_THROW(f->write_at(3, "defg", 4), io_error);
  BOOST_TEST(mem.contents("d/x") == "abcde");
  fs.fail_syncs(EIO, 1);
  BOOST_CHECK_THROW(f->sync(), io_error);
  f->sync();
  BOOST_CHECK_THROW(fs.open("d/missing", false), io_error);
  try {
    fs.open("d/missing", false);
  } catch (const io_error& e) {
    BOOST_TEST(e.err == ENOENT);
    BOOST_TEST(std::string(e.what()) == "could not open file \"d/missing\": No such file or directory");
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(archiving)

BOOST_AUTO_TEST_CASE(recycle_archives_then_removes) {
  memory_file_system fs;
  std::mt19937_64 rng(8);
  wal_segment_writer w(fs, wal_dir, {seg, archive_dir}, 0);
  auto all = without_fillers(write_random(fs, w, rng, 400));
  uint64_t last = list_segments(fs, wal_dir).back();
  BOOST_TEST_REQUIRE(last >= 8u);
  std::string s3 = fs.contents(seg_path(3));
  w.recycle(6 * seg + 100);  // segments 0..5 are wholly below
  BOOST_TEST(list_segments(fs, archive_dir) == (std::vector<uint64_t>{0, 1, 2, 3, 4, 5}));
  BOOST_TEST(list_segments(fs, wal_dir).front() == 6u);
  BOOST_TEST(fs.contents(seg_path(3, archive_dir)) == s3);
  BOOST_TEST(fs.list(archive_dir).size() == 6u);  // no temp files left
  // Read across both directories.
  wal_stop why;
  BOOST_TEST(read_all(fs, {wal_dir, archive_dir}, seg, 0, &why) == all);
  BOOST_TEST(why == wal_stop::end_of_log);
  // The WAL dir alone misses its beginning.
  read_all(fs, {wal_dir}, seg, 0, &why);
  BOOST_TEST(why == wal_stop::missing_segment);
  // Recycling everything never takes the segment being written.
  w.recycle(UINT64_MAX);
  BOOST_TEST(list_segments(fs, wal_dir) == std::vector<uint64_t>{segment_of(w.end(), seg)});
  BOOST_TEST(list_segments(fs, archive_dir).size() == segment_of(w.end(), seg));
  // And the writer goes on.
  auto more = without_fillers(write_random(fs, w, rng, 100));
  all.insert(all.end(), more.begin(), more.end());
  BOOST_TEST(read_all(fs, {wal_dir, archive_dir}, seg, 0, &why) == all);
  BOOST_TEST(why == wal_stop::end_of_log);
}

BOOST_AUTO_TEST_CASE(failed_archiving_keeps_the_segment) {
  memory_file_system mem;
  faulty_file_system fs(mem);
  std::mt19937_64 rng(9);
  wal_segment_writer w(fs, wal_dir, {seg, archive_dir}, 0);
  auto all = without_fillers(write_random(fs, w, rng, 200));
  fs.fail_syncs(EIO, 1);  // the archive copy's fsync
  BOOST_CHECK_THROW(w.recycle(3 * seg), io_error);
  BOOST_TEST(list_segments(fs, wal_dir).front() == 0u);
  BOOST_TEST(list_segments(fs, archive_dir).empty());
  fs.fail_writes(ENOSPC, 100);  // the archive copy's write
  BOOST_CHECK_THROW(w.recycle(3 * seg), io_error);
  BOOST_TEST(list_segments(fs, wal_dir).front() == 0u);
  BOOST_TEST(list_segments(fs, archive_dir).empty());
  fs.clear();
  w.recycle(3 * seg);
  BOOST_TEST(list_segments(fs, archive_dir) == (std::vector<uint64_t>{0, 1, 2}));
  BOOST_TEST(list_segments(fs, wal_dir).front() == 3u);
  BOOST_TEST(read_all(fs, {wal_dir, archive_dir}, seg, 0) == all);
  // Already archived (a crash between the copy and the removal): not copied again, just removed.
  mem.set_contents(seg_path(2), mem.contents(seg_path(2, archive_dir)));
  w.recycle(3 * seg);
  BOOST_TEST(!fs.exists(seg_path(2)));
}

BOOST_AUTO_TEST_CASE(recycle_without_archive) {
  memory_file_system fs;
  std::mt19937_64 rng(10);
  wal_segment_writer w(fs, wal_dir, {seg, ""}, 0);
  auto all = without_fillers(write_random(fs, w, rng, 200));
  w.recycle(4 * seg);
  BOOST_TEST(list_segments(fs, wal_dir).front() == 4u);
  std::vector<rec> tail;
  for (auto& r : all)
    if (r.lsn >= 4 * seg) tail.push_back(r);
  wal_stop why;
  BOOST_TEST(read_all(fs, {wal_dir}, seg, 4 * seg, &why) == tail);
  BOOST_TEST(why == wal_stop::end_of_log);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(crash_recovery)

// Repeatedly: an acknowledged (synced) log, then a batch whose write a crash interrupts — the files cut at a random
// LSN inside it, or a random range inside it never landed (zeros) while later bytes did — then prepare_for_append,
// a new writer, another batch. The log must always read as the acknowledged records, then a prefix of the
// interrupted batch (at least the records wholly before the damage), then the new batch; never anything else.
BOOST_AUTO_TEST_CASE(random_crashes_inside_a_batch) {
  memory_file_system fs;
  std::mt19937_64 rng(13);
  std::vector<rec> acked;
  lsn_t end = 0;
  for (int iter = 0; iter < 300; ++iter) {
    std::vector<rec> bs;
    lsn_t b0, b1;
    {
      wal_segment_writer w(fs, wal_dir, {seg, ""}, end);
      batch b(w.end());
      int k = 1 + static_cast<int>(rng() % 12);
      for (int j = 0; j < k; ++j) b.add(record_type::commit, random_payload(rng, rng() % 900), seg);
      w.write(b.start, b.bytes);
      bs = b.recs;
      b0 = end;  // the damage may reach back into the tail filler the batch wrote
      b1 = w.end();
    }
    lsn_t damage = b0 + (rng() % (b1 - b0 + 1)) / 8 * 8;
    if (rng() % 2 == 0) {  // cut at `damage`
      for (uint64_t no : list_segments(fs, wal_dir)) {
        lsn_t start = segment_start(no, seg);
        std::string p = seg_path(no);
        if (start >= damage)
          fs.remove(p);
        else if (start + seg > damage) {
          std::string s = fs.contents(p);
          if (s.size() > damage - start) s.resize(damage - start);
          fs.set_contents(p, s);
        }
      }
    } else {  // [damage, damage + len) never landed
      lsn_t len = 1 + rng() % 600;
      for (lsn_t x = damage; x < std::min(damage + len, b1); ++x) {
        std::string p = seg_path(segment_of(x, seg));
        if (!fs.exists(p)) continue;
        std::string s = fs.contents(p);
        if (x % seg < s.size()) s[x % seg] = 0;
        fs.set_contents(p, s);
      }
    }
    wal_stop why;
    lsn_t got_end;
    auto got = read_all(fs, {wal_dir}, seg, 0, &why, &got_end);
    BOOST_TEST_INFO("iteration " << iter);
    BOOST_TEST_REQUIRE(got.size() >= acked.size());
    BOOST_TEST_REQUIRE(std::equal(acked.begin(), acked.end(), got.begin()));
    size_t k = got.size() - acked.size();
    BOOST_TEST_REQUIRE(k <= bs.size());
    BOOST_TEST_REQUIRE(std::equal(got.begin() + acked.size(), got.end(), bs.begin()));
    size_t intact = 0;
    while (intact < bs.size() && bs[intact].lsn + record_size(bs[intact].payload.size()) <= damage) ++intact;
    BOOST_TEST_REQUIRE(k >= intact);
    end = prepare_for_append(fs, wal_dir, seg, 0, &why, nullptr);
    BOOST_TEST_REQUIRE(end == got_end);
    acked = got;
    // A new batch after the restart, synced.
    wal_segment_writer w(fs, wal_dir, {seg, ""}, end);
    batch c(w.end());
    int k2 = 1 + static_cast<int>(rng() % 5);
    for (int j = 0; j < k2; ++j) c.add(record_type::commit, random_payload(rng, rng() % 900), seg);
    w.write(c.start, c.bytes);
    w.sync();
    acked.insert(acked.end(), c.recs.begin(), c.recs.end());
    end = w.end();
    auto again = read_all(fs, {wal_dir}, seg, 0, &why);
    BOOST_TEST_REQUIRE(again == acked);
    BOOST_TEST_REQUIRE(why == wal_stop::end_of_log);
  }
  BOOST_TEST(list_segments(fs, wal_dir).size() > 20u);
}

BOOST_AUTO_TEST_SUITE_END()
