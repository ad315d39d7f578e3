// The WAL on real files: posix_file_system in a temp dir (mkdtemp under /tmp, removed at the end). Also a
// reader-throughput measurement, disabled by default:
//   test_recovery --run_test=posix_file_system_suite/wal_reader_throughput
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "test/recovery/wal_test_util.h"

using namespace db001::recovery;
using namespace db001::recovery::test;

namespace {

struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/db001_wal_XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(posix_file_system_suite)

BOOST_AUTO_TEST_CASE(file_operations) {
  temp_dir t;
  file_system& fs = posix_file_system();
  std::string d = t.path + "/a/b";
  fs.make_dirs(d);
  fs.make_dirs(d);
  BOOST_TEST(fs.exists(d));
  BOOST_TEST(fs.list(d).empty());
  BOOST_TEST(fs.list(t.path + "/nope").empty());
  std::string p = d + "/f";
  {
    auto f = fs.open(p, true);
    f->write_at(0, "hello", 5);
    f->write_at(10, "world", 5);  // a hole reads as zeros
    f->sync();
    BOOST_TEST(f->size() == 15u);
    char buf[32];
    BOOST_TEST(f->read_at(0, buf, sizeof buf) == 15u);
    BOOST_TEST(std::string(buf, 15) == std::string("hello\0\0\0\0\0world", 15));
    BOOST_TEST(f->read_at(100, buf, 4) == 0u);
    f->truncate(3);
    BOOST_TEST(f->size() == 3u);
  }
  fs.sync_dir(d);
  {
    ::chmod(p.c_str(), 0444);  // a read-only archive
    auto f = fs.open_read(p);
    char buf[8];
    BOOST_TEST(f->read_at(0, buf, sizeof buf) == 3u);
    BOOST_CHECK_THROW(f->write_at(0, "x", 1), io_error);
    ::chmod(p.c_str(), 0644);
  }
  fs.rename(p, d + "/g");
  BOOST_TEST(!fs.exists(p));
  BOOST_TEST(fs.list(d) == std::vector<std::string>{"g"});
  fs.remove(d + "/g");
  BOOST_TEST(!fs.exists(d + "/g"));
  try {
    fs.open(p, false);
    BOOST_FAIL("opened a missing file");
  } catch (const io_error& e) {
    BOOST_TEST(e.err == ENOENT);
    BOOST_TEST(e.path == p);
    BOOST_TEST(std::string(e.what()) == "could not open file \"" + p + "\": No such file or directory");
  }
  BOOST_CHECK_THROW(fs.remove(p), io_error);
  BOOST_CHECK_THROW(fs.rename(p, p + "x"), io_error);
  BOOST_CHECK_THROW(fs.sync_dir(t.path + "/nope"), io_error);
}

BOOST_AUTO_TEST_CASE(wal_on_real_files) {
  temp_dir t;
  file_system& fs = posix_file_system();
  const uint64_t seg = 8192;
  std::string wal = t.path + "/wal", arch = t.path + "/archive";
  std::mt19937_64 rng(11);
  std::vector<rec> want;
  lsn_t end = 0;
  for (int round = 0; round < 3; ++round) {
    wal_stop why;
    end = prepare_for_append(fs, wal, seg, 0, &why, nullptr);
    BOOST_TEST(why == wal_stop::end_of_log);
    wal_segment_writer w(fs, wal, {seg, arch}, end);
    for (int i = 0; i < 50; ++i) {
      batch b(w.end());
      for (int j = 0; j < 10; ++j) b.add(record_type::commit, random_payload(rng, rng() % 700), seg);
      w.write(b.start, b.bytes);
      w.sync();
      want.insert(want.end(), b.recs.begin(), b.recs.end());
    }
    end = w.end();
  }
  wal_stop why;
  lsn_t got_end;
  BOOST_TEST(read_all(fs, {wal}, seg, 0, &why, &got_end) == want);
  BOOST_TEST(why == wal_stop::end_of_log);
  BOOST_TEST(got_end == end);
  // Archive half, read across both.
  {
    wal_segment_writer w(fs, wal, {seg, arch}, end);
    w.recycle(end / 2);
  }
  BOOST_TEST(!list_segments(fs, arch).empty());
  BOOST_TEST(read_all(fs, {wal, arch}, seg, 0, &why) == want);
  BOOST_TEST(why == wal_stop::end_of_log);
  // Tear the last record with a real truncate: prepare_for_append cuts before it.
  auto last = want.back();
  std::string path = join_path(wal, segment_file_name(segment_of(last.lsn, seg)));
  std::filesystem::resize_file(path, last.lsn % seg + 30);
  // From 0 the WAL dir alone lacks the archived segments: nothing is cut.
  BOOST_TEST(prepare_for_append(fs, wal, seg, 0, &why, nullptr) == segment_header_size);
  BOOST_TEST(why == wal_stop::missing_segment);
  BOOST_TEST(std::filesystem::file_size(path) == last.lsn % seg + 30);
  // From the first segment still there (the redo start of the last checkpoint is never below it).
  lsn_t e = prepare_for_append(fs, wal, seg, segment_start(list_segments(fs, wal).front(), seg), &why, nullptr);
  BOOST_TEST(why == wal_stop::torn_record);
  BOOST_TEST(e == last.lsn);
  BOOST_TEST(std::filesystem::file_size(path) == last.lsn % seg);
  want.pop_back();
  BOOST_TEST(read_all(fs, {wal, arch}, seg, 0, &why) == want);
  BOOST_TEST(why == wal_stop::end_of_log);
}

BOOST_AUTO_TEST_CASE(wal_reader_throughput, *boost::unit_test::disabled()) {
  // ~200 MB of 100-byte records in 16 MB segments, written once, then read (page cache hot).
  temp_dir t;
  file_system& fs = posix_file_system();
  const uint64_t seg = default_segment_size;
  const size_t payload = 100;
  const size_t n = (200u << 20) / record_size(payload);
  std::string wal = t.path + "/wal";
  std::mt19937_64 rng(12);
  std::string p = random_payload(rng, payload);
  auto t0 = std::chrono::steady_clock::now();
  {
    wal_segment_writer w(fs, wal, {seg, ""}, 0);
    size_t i = 0;
    while (i < n) {
      batch b(w.end());
      for (int j = 0; j < 4096 && i < n; ++j, ++i) b.add(record_type::commit, p, seg);
      w.write(b.start, b.bytes);
    }
    w.sync();
  }
  auto t1 = std::chrono::steady_clock::now();
  for (int pass = 0; pass < 3; ++pass) {
    auto r0 = std::chrono::steady_clock::now();
    wal_reader r(fs, {wal}, seg, 0);
    wal_record x;
    size_t count = 0, bytes = 0;
    uint64_t sum = 0;
    while (r.next(x)) {
      ++count;
      bytes += x.payload.size();
      sum += static_cast<unsigned char>(x.payload[0]);
    }
    auto r1 = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(r1 - r0).count();
    double mb = static_cast<double>(r.end()) / (1 << 20);
    BOOST_TEST(count == n);
    BOOST_TEST(r.stop() == wal_stop::end_of_log);
    BOOST_TEST_MESSAGE("read " << count << " records, " << mb << " MB in " << s << " s: " << mb / s << " MB/s, "
                               << count / s / 1e6 << " M records/s (payload sum " << sum << ")");
  }
  BOOST_TEST_MESSAGE("write+sync: " << std::chrono::duration<double>(t1 - t0).count() << " s");
}

BOOST_AUTO_TEST_SUITE_END()
