// The durability glue end to end, without SQL or actors: a catalog + transaction manager with a
// durable_store (WAL on memory_file_system / faulty_file_system, checkpoints in a temp dir); a
// test thread calls wal_log::flush() in place of the WAL writer actor. A "crash" drops the
// in-memory objects and keeps the file system; recovery runs into fresh objects.
//   wal_log:          group commit, ENOSPC / EIO batches rolled back, split records
//   recover_database: torn tails (every byte of the last record, the last part of a split one), PITR
//   durable_store:    checkpoint while committing + WAL replay after it, segment recycling
#include "recovery/durable_store.h"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "recovery/wal_reader.h"
#include "storage/error.h"
#include "test/recovery/redo_fixture.h"
#include "test/recovery/wal_test_util.h"

using namespace redo_test;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t small_segment = 64 << 10;
const std::string wal_dir = "/wal";

struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/db001-durable-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl));
    path = tmpl;
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
};

rc::durable_config make_config(rc::file_system& fs, const std::string& data_dir,
                               uint64_t segment_size = small_segment) {
  rc::durable_config cfg;
  cfg.data_dir = data_dir;
  cfg.wal_dir = wal_dir;
  cfg.segment_size = segment_size;
  cfg.fs = &fs;
  return cfg;
}

/// One "process": engine state plus its durable store (recovered at construction, attached).
struct node {
  engine e;
  std::unique_ptr<rc::durable_store> ds;
  explicit node(const rc::durable_config& cfg) {
    ds = std::make_unique<rc::durable_store>(e.cat, e.tm, cfg);
    ds->attach();
  }
  rc::wal_log& log() { return ds->log(); }
  const rc::recovery_result& recovery() const { return ds->recovery(); }
  std::shared_ptr<st::table> kv() { return e.cat.find_table("kv"); }
  dump state(bool strict = false, std::string* problems = nullptr) {
    return dump_of(e.cat, e.tm, e.tm.current_snapshot(), strict, problems);
  }
  /// ids of the rows of kv visible now.
  std::set<int32_t> ids() {
    std::set<int32_t> out;
    auto tbl = kv();
    if (!tbl) return out;
    auto snap = e.tm.current_snapshot();
    for (uint32_t b = 0; b < tbl->block_count(); ++b) {
      auto& blk = tbl->block(b);
      for (uint32_t s = 0; s < blk.used(); ++s) {
        if (!e.tm.visible(blk, s, snap)) continue;
        int32_t id;
        std::memcpy(&id, blk.column(0).data + 4 * s, 4);
        out.insert(id);
      }
    }
    return out;
  }
};

std::vector<value> kv(int32_t id, int64_t v, std::string s) {
  return {value::int32(id), value::int64(v), value::text(std::move(s))};
}

/// Stands in for the WAL writer actor: flushes continuously until destroyed.
struct flusher {
  std::atomic<bool> stop{false};
  std::thread th;
  explicit flusher(rc::wal_log& log)
      : th([this, &log] {
          while (!stop.load()) {
            log.flush();
            std::this_thread::sleep_for(100us);
          }
          log.flush();
        }) {}
  ~flusher() {
    stop = true;
    th.join();
  }
};

/// Creates table kv (id primary key, v, s) in a committed transaction. REQUIRES: someone flushes.
void create_kv(node& n) {
  auto t = n.e.begin();
  auto tbl =
      n.e.create_table(*t, "kv", {{"id", sql_type::int32(), true}, {"v", sql_type::int64()}, {"s", sql_type::text()}});
  n.e.create_index(*t, tbl, "kv_pkey", {0}, true, true);
  n.e.tm.commit(*t);
}

/// Inserts rows with these ids in one committed transaction; returns the commit timestamp.
uint64_t insert_rows(node& n, const std::vector<int32_t>& ids, const std::string& text = "row") {
  auto t = n.e.begin();
  for (int32_t id : ids) n.e.insert(*t, n.kv(), kv(id, id * 10, text + " " + std::to_string(id)));
  return n.e.tm.commit(*t);
}

/// The row id of the visible row with this id (REQUIRE-fails if none).
row_id find_row(node& n, int32_t id) {
  auto tbl = n.kv();
  auto snap = n.e.tm.current_snapshot();
  for (uint32_t b = 0; b < tbl->block_count(); ++b) {
    auto& blk = tbl->block(b);
    for (uint32_t s = 0; s < blk.used(); ++s) {
      int32_t x;
      std::memcpy(&x, blk.column(0).data + 4 * s, 4);
      if (x == id && n.e.tm.visible(blk, s, snap)) return st::make_rid(b, s);
    }
  }
  BOOST_FAIL("row " << id << " not found");
  return 0;
}

uint64_t unix_micros_now() {
  return uint64_t(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

/// Commits A (id 1), then B (id 2) on a fresh kv table, noting a time and the log end between
/// them (and writing the restore point "before_b" there when asked): point-in-time targets
/// that must stop after A.
struct between_a_and_b {
  uint64_t unix_micros = 0;
  rc::lsn_t lsn = 0;
};
between_a_and_b commit_a_then_b(node& n, bool restore_point) {
  between_a_and_b at;
  create_kv(n);
  insert_rows(n, {1});  // A
  std::this_thread::sleep_for(5ms);
  at.unix_micros = unix_micros_now();
  std::this_thread::sleep_for(5ms);
  if (restore_point) n.log().append_record(rc::record_type::restore_point, "before_b");
  at.lsn = n.log().stats().end;
  insert_rows(n, {2});  // B
  return at;
}

/// A copy of the WAL directory (to run several recoveries, each of which cuts the log, from one state).
std::unique_ptr<rc::memory_file_system> clone_wal(rc::memory_file_system& from) {
  auto to = std::make_unique<rc::memory_file_system>();
  to->make_dirs(wal_dir);
  for (auto& name : from.list(wal_dir)) {
    try {
      to->set_contents(rc::join_path(wal_dir, name), from.contents(rc::join_path(wal_dir, name)));
    } catch (const rc::io_error&) {
      // removed since the listing (a WAL writer cutting after a failed write): as if the crash came after that
    }
  }
  return to;
}

struct wal_entry {
  rc::lsn_t lsn, next;
  rc::record_type type;
  uint8_t flags;
  size_t length;
};
std::vector<wal_entry> read_wal(rc::file_system& fs, uint64_t segment_size, rc::lsn_t from = 0) {
  rc::wal_reader r(fs, {wal_dir}, segment_size, rc::skip_segment_header(from, segment_size));
  std::vector<wal_entry> out;
  rc::wal_record x;
  while (r.next(x)) out.push_back({x.lsn, x.next, x.type, x.flags, x.payload.size()});
  return out;
}

std::string segment_path(rc::lsn_t lsn, uint64_t segment_size) {
  return rc::join_path(wal_dir, rc::segment_file_name(rc::segment_of(lsn, segment_size)));
}

/// Cuts the WAL file holding `lsn` there (everything after it in that segment is gone).
void cut_at(rc::memory_file_system& fs, rc::lsn_t lsn, uint64_t segment_size) {
  auto path = segment_path(lsn, segment_size);
  auto bytes = fs.contents(path);
  size_t off = size_t(lsn % segment_size);
  BOOST_REQUIRE_LE(off, bytes.size());
  bytes.resize(off);
  fs.set_contents(path, std::move(bytes));
}

/// Waits until `n` commits have been assigned timestamps after `base` and appended to the log.
void await_appended(node& n, uint64_t base, uint64_t count) {
  for (int i = 0; i < 5000 && n.e.tm.now() < base + count; ++i) std::this_thread::sleep_for(1ms);
  BOOST_REQUIRE_EQUAL(n.e.tm.now(), base + count);
  n.e.tm.with_commit_lock([](uint64_t) {});  // append() runs under the commit lock: it is done
}

}  // namespace

// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(wal_log)

BOOST_AUTO_TEST_CASE(group_commit_then_crash_and_recover) {
  temp_dir dir;
  rc::memory_file_system mem;
  auto cfg = make_config(mem, dir.path, rc::default_segment_size);
  dump want;
  {
    node n(cfg);
    flusher f(n.log());
    create_kv(n);
    uint64_t base = n.e.tm.now();
    uint64_t durable0 = n.log().stats().commits;
    BOOST_REQUIRE_EQUAL(durable0, 1u);
    constexpr int threads = 4, per_thread = 500;
    std::atomic<int> early{0}, invisible{0};
    std::vector<std::thread> ts;
    for (int k = 0; k < threads; ++k)
      ts.emplace_back([&, k] {
        for (int i = 0; i < per_thread; ++i) {
          auto t = n.e.begin();
          n.e.insert(*t, n.kv(), kv(k * 1000 + i, i, "thread " + std::to_string(k) + " commit " + std::to_string(i)));
          uint64_t cts = n.e.tm.commit(*t);
          // Every commit up to cts (timestamps are dense) has been synced before COMMIT returns.
          if (n.log().stats().commits - durable0 < cts - base) early.fetch_add(1);
          if (n.e.tm.snapshot_ts() < cts) invisible.fetch_add(1);
        }
      });
    for (auto& t : ts) t.join();
    BOOST_TEST(early.load() == 0, "a COMMIT returned before its record was synced");
    BOOST_TEST(invisible.load() == 0, "a COMMIT returned before its rows were visible");
    auto s = n.log().stats();
    BOOST_TEST(s.commits - durable0 == uint64_t(threads * per_thread));
    BOOST_TEST(s.failures == 0u);
    BOOST_TEST_MESSAGE("group commit: " << s.commits << " commits, " << s.fsyncs << " fsyncs");
    BOOST_TEST(s.fsyncs < s.commits, "no group commit happened");
    BOOST_TEST(mem.file_syncs() <= s.fsyncs + 1);
    BOOST_TEST(n.ids().size() == size_t(threads * per_thread));
    want = n.state();
  }  // crash: only the file system survives
  node r(cfg);
  BOOST_TEST(r.recovery().commits_applied == 2001u);
  BOOST_TEST(!r.recovery().checkpoint_loaded);
  std::string problems;
  auto got = r.state(true, &problems);
  BOOST_TEST(problems == "");
  require_same(want, got);
}

namespace {
/// Three transactions (each inserts 100+j and deletes row j) whose batch fails in flush();
/// checks the error code and that all of it is undone.
void failing_batch(node& n, rc::faulty_file_system& faulty, bool fail_write, int err, const std::string& code,
                   int32_t insert_base) {
  auto before = n.ids();
  std::vector<std::unique_ptr<tx::transaction>> txs;
  for (int j = 0; j < 3; ++j) {
    auto t = n.e.begin();
    n.e.insert(*t, n.kv(), kv(insert_base + j, j, "doomed"));
    n.e.remove(*t, n.kv(), find_row(n, j));
    txs.push_back(std::move(t));
  }
  uint64_t base = n.e.tm.now();
  std::vector<std::future<uint64_t>> fs;
  for (auto& t : txs) fs.push_back(std::async(std::launch::async, [&n, tp = t.get()] { return n.e.tm.commit(*tp); }));
  await_appended(n, base, 3);
  for (auto& f : fs) BOOST_TEST((f.wait_for(20ms) == std::future_status::timeout), "COMMIT returned before a flush");
  if (fail_write)
    faulty.fail_writes(err, 40);  // the write lands 40 bytes, then the disk is full
  else
    faulty.fail_syncs(err, 1);
  BOOST_TEST(!n.log().flush());
  BOOST_TEST(n.log().last_error() != "");
  for (auto& f : fs) {
    BOOST_REQUIRE(f.wait_for(5s) == std::future_status::ready);
    try {
      f.get();
      BOOST_ERROR("COMMIT of a failed batch succeeded");
    } catch (const db001::db_error& e) {
      BOOST_TEST(e.code() == code);
      BOOST_TEST_MESSAGE("failed commit: " << e.code() << " " << e.what());
    }
  }
  BOOST_TEST((n.ids() == before), "rows of failed commits are visible or their deletions stuck");
  if (fail_write) BOOST_TEST(!n.log().flush(), "the disk is still full");
  faulty.clear();
  // The reverted deletions must survive GC; the row locks are free again.
  n.e.tm.collect_garbage();
  BOOST_TEST((n.ids() == before));
  auto t = n.e.begin();
  n.e.remove(*t, n.kv(), find_row(n, 0));
  n.e.tm.abort(*t);
}
}  // namespace

BOOST_AUTO_TEST_CASE(failed_batches_roll_back_and_later_commits_succeed) {
  temp_dir dir;
  rc::memory_file_system mem;
  rc::faulty_file_system faulty(mem);
  auto cfg = make_config(faulty, dir.path);
  dump want;
  {
    node n(cfg);
    {
      flusher f(n.log());
      create_kv(n);
      insert_rows(n, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    }
    failing_batch(n, faulty, true, ENOSPC, "53100", 100);
    {
      flusher f(n.log());
      insert_rows(n, {200, 201});
      auto t = n.e.begin();
      n.e.remove(*t, n.kv(), find_row(n, 5));
      n.e.tm.commit(*t);
    }
    failing_batch(n, faulty, false, EIO, "58030", 300);
    {
      flusher f(n.log());
      insert_rows(n, {400, 401});
    }
    BOOST_TEST(n.log().stats().failures >= 2u);
    BOOST_TEST(!n.log().pending());
    std::set<int32_t> expect{0, 1, 2, 3, 4, 6, 7, 8, 9, 200, 201, 400, 401};
    BOOST_TEST((n.ids() == expect));
    want = n.state();
  }
  auto rcfg = make_config(mem, dir.path);
  node r(rcfg);
  std::string problems;
  auto got = r.state(true, &problems);
  BOOST_TEST(problems == "");
  require_same(want, got);
  BOOST_TEST(r.recovery().stop == rc::wal_stop::end_of_log);
}

BOOST_AUTO_TEST_CASE(crash_right_after_a_failed_sync_does_not_bring_back_rolled_back_commits) {
  // After a failed fdatasync the records may well be in the file (here: they are). Their sessions were told
  // "rolled back", so a crash before the next flush must not replay them.
  for (int failing_syncs : {1, 1000}) {
    BOOST_TEST_CONTEXT("failing syncs: " << failing_syncs) {
      temp_dir dir;
      rc::memory_file_system mem;
      rc::faulty_file_system faulty(mem);
      auto cfg = make_config(faulty, dir.path);
      std::unique_ptr<rc::memory_file_system> at_crash;
      {
        node n(cfg);
        {
          flusher f(n.log());
          create_kv(n);
          insert_rows(n, {0, 1, 2});
        }
        auto t = n.e.begin();
        n.e.insert(*t, n.kv(), kv(50, 50, "doomed"));
        n.e.remove(*t, n.kv(), find_row(n, 1));
        uint64_t base = n.e.tm.now();
        auto f = std::async(std::launch::async, [&] { return n.e.tm.commit(*t); });
        await_appended(n, base, 1);
        faulty.fail_syncs(EIO, failing_syncs);
        BOOST_TEST(!n.log().flush());
        BOOST_REQUIRE(f.wait_for(5s) == std::future_status::ready);
        BOOST_CHECK_THROW(f.get(), db001::db_error);
        at_crash = clone_wal(mem);  // the crash: before any further flush
        faulty.clear();
      }
      node r(make_config(*at_crash, dir.path));
      BOOST_TEST((r.ids() == std::set<int32_t>{0, 1, 2}));
    }
  }
}

BOOST_AUTO_TEST_CASE(commits_under_random_write_and_sync_failures_recover_exactly) {
  // Four sessions insert and delete their own rows while the WAL disk fails now and then; every
  // COMMIT that returned is in the recovered state, every one that threw is not.
  temp_dir dir;
  rc::memory_file_system mem;
  rc::faulty_file_system faulty(mem);
  auto cfg = make_config(faulty, dir.path);
  constexpr int threads = 4, per_thread = 300;
  std::set<int32_t> model;
  std::mutex model_mutex;
  std::atomic<int> failed{0}, wrong_code{0}, lock_trouble{0};
  dump want;
  {
    node n(cfg);
    flusher f(n.log());
    create_kv(n);
    std::atomic<bool> stop{false};
    std::thread chaos([&] {
      std::mt19937 rng(7);
      while (!stop.load()) {
        std::this_thread::sleep_for(std::chrono::microseconds(500 + rng() % 2000));
        if (rng() % 2)
          faulty.fail_syncs(EIO, 1 + int(rng() % 3));
        else
          faulty.fail_writes(ENOSPC, rng() % 3000);
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 1000));
        faulty.clear();
      }
    });
    std::vector<std::thread> ts;
    for (int k = 0; k < threads; ++k)
      ts.emplace_back([&, k] {
        std::mt19937 rng(k);
        std::vector<std::pair<int32_t, row_id>> mine;
        for (int i = 0; i < per_thread; ++i) {
          auto t = n.e.begin();
          int32_t id = k * 100000 + i;
          row_id rid = n.e.insert(*t, n.kv(), kv(id, i, "session " + std::to_string(k)));
          std::optional<size_t> victim;
          if (!mine.empty() && rng() % 3 == 0) {
            victim = rng() % mine.size();
            auto& blk = n.kv()->block_of(mine[*victim].second);
            if (n.e.tm.lock_version(*t, blk, st::rid_slot(mine[*victim].second)) != tx::lock_outcome::locked) {
              lock_trouble.fetch_add(1);
              n.e.tm.abort(*t);
              continue;
            }
            n.e.tm.record_delete(*t, n.kv(), mine[*victim].second);
          }
          try {
            n.e.tm.commit(*t);
          } catch (const db001::db_error& e) {
            failed.fetch_add(1);
            if (e.code() != "58030" && e.code() != "53100") wrong_code.fetch_add(1);
            continue;
          }
          std::lock_guard lock(model_mutex);
          model.insert(id);
          mine.emplace_back(id, rid);
          if (victim) {
            model.erase(mine[*victim].first);
            mine.erase(mine.begin() + std::ptrdiff_t(*victim));
          }
        }
      });
    for (auto& t : ts) t.join();
    stop = true;
    chaos.join();
    faulty.clear();
    BOOST_TEST_MESSAGE(failed.load() << " of " << threads * per_thread << " commits failed");
    BOOST_TEST(wrong_code.load() == 0);
    BOOST_TEST(lock_trouble.load() == 0);
    BOOST_TEST((n.ids() == model));
    n.e.tm.collect_garbage();
    BOOST_TEST((n.ids() == model));
    want = n.state();
  }
  node r(make_config(mem, dir.path));
  std::string problems;
  auto got = r.state(true, &problems);
  BOOST_TEST(problems == "");
  require_same(want, got);
  BOOST_TEST((r.ids() == model));
}

BOOST_AUTO_TEST_CASE(crash_at_a_random_moment_under_failures) {
  // The file system is copied (the "crash") while sessions commit and the disk fails: every COMMIT
  // that returned before is in the recovered state, none that threw before is.
  for (bool sync_failures : {true, false}) {
    BOOST_TEST_CONTEXT((sync_failures ? "EIO on fdatasync" : "ENOSPC on write")) {
      temp_dir dir;
      rc::memory_file_system mem;
      rc::faulty_file_system faulty(mem);
      auto cfg = make_config(faulty, dir.path);
      std::mutex mu;
      std::set<int32_t> ok, failed, attempted;
      std::set<int32_t> ok_at_crash, failed_at_crash;
      std::unique_ptr<rc::memory_file_system> at_crash;
      {
        node n(cfg);
        flusher f(n.log());
        create_kv(n);
        std::atomic<bool> stop{false};
        std::thread chaos([&] {
          std::mt19937 rng(sync_failures ? 11 : 12);
          while (!stop.load()) {
            std::this_thread::sleep_for(std::chrono::microseconds(300 + rng() % 1500));
            if (sync_failures)
              faulty.fail_syncs(EIO, 1 + int(rng() % 3));
            else
              faulty.fail_writes(ENOSPC, rng() % 2000);
            std::this_thread::sleep_for(std::chrono::microseconds(rng() % 800));
            faulty.clear();
          }
        });
        std::vector<std::thread> ts;
        for (int k = 0; k < 4; ++k)
          ts.emplace_back([&, k] {
            for (int i = 0; i < 400; ++i) {
              int32_t id = k * 100000 + i;
              {
                std::lock_guard lock(mu);
                attempted.insert(id);
              }
              auto t = n.e.begin();
              n.e.insert(*t, n.kv(), kv(id, i, "x"));
              bool good = true;
              try {
                n.e.tm.commit(*t);
              } catch (const db001::db_error&) {
                good = false;
              }
              std::lock_guard lock(mu);
              (good ? ok : failed).insert(id);
            }
          });
        auto crash_after = std::chrono::milliseconds(20 + std::random_device()() % 100);
        BOOST_TEST_MESSAGE("crash after " << crash_after.count() << " ms");
        std::this_thread::sleep_for(crash_after);
        {
          std::lock_guard lock(mu);  // no COMMIT outcome is recorded while the copy is taken
          ok_at_crash = ok;
          failed_at_crash = failed;
          at_crash = clone_wal(mem);
        }
        for (auto& t : ts) t.join();
        stop = true;
        chaos.join();
        faulty.clear();
      }
      BOOST_TEST_MESSAGE("at the crash: " << ok_at_crash.size() << " committed, " << failed_at_crash.size()
                                          << " failed");
      BOOST_TEST(!ok_at_crash.empty());
      node r(make_config(*at_crash, dir.path));
      auto got = r.ids();
      for (int32_t id : ok_at_crash) BOOST_TEST(got.count(id) == 1u, "committed row " << id << " lost");
      for (int32_t id : failed_at_crash) BOOST_TEST(got.count(id) == 0u, "rolled-back row " << id << " replayed");
      for (int32_t id : got) BOOST_TEST(attempted.count(id) == 1u);
    }
  }
}

BOOST_AUTO_TEST_CASE(asynchronous_log_retries_a_failed_batch) {
  // synchronous_commit = off: commits are visible at once; a failed batch is written again later.
  temp_dir dir;
  rc::memory_file_system mem;
  rc::faulty_file_system faulty(mem);
  auto cfg = make_config(faulty, dir.path);
  cfg.synchronous = false;
  {
    node n(cfg);
    create_kv(n);
    insert_rows(n, {1});
    BOOST_TEST(n.log().flush());
    insert_rows(n, {2});
    BOOST_TEST((n.ids() == std::set<int32_t>{1, 2}), "asynchronous commits are visible before the flush");
    faulty.fail_syncs(EIO, 1);
    BOOST_TEST(!n.log().flush());
    BOOST_TEST(n.log().pending());
    insert_rows(n, {3});
    BOOST_TEST(n.log().flush());
    BOOST_TEST(!n.log().pending());
  }
  node r(make_config(mem, dir.path));
  BOOST_TEST((r.ids() == std::set<int32_t>{1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(record_bigger_than_a_segment_is_split_and_recovered_whole) {
  temp_dir dir;
  rc::memory_file_system mem;
  auto cfg = make_config(mem, dir.path);
  constexpr int big_rows = 5000;
  std::vector<int32_t> big_ids;
  for (int i = 0; i < big_rows; ++i) big_ids.push_back(1000 + i);
  const std::string text = "a text value long enough to make the record span segments";
  std::set<int32_t> small{1, 2, 3};
  {
    node n(cfg);
    flusher f(n.log());
    create_kv(n);
    insert_rows(n, {1, 2});
    insert_rows(n, {3});
    uint64_t before = n.log().stats().commits;
    insert_rows(n, big_ids, text);
    BOOST_TEST(n.log().stats().commits == before + 1, "a split record counts as one commit");
  }
  // The parts: all but the last carry flag_continued.
  auto recs = read_wal(mem, small_segment);
  size_t parts = 0;
  for (auto& r : recs) parts += (r.flags & rc::flag_continued) != 0;
  BOOST_TEST_MESSAGE("split into " << parts + 1 << " parts");
  BOOST_REQUIRE_GE(parts, 2u);
  BOOST_REQUIRE(!(recs.back().flags & rc::flag_continued));
  size_t first_part = recs.size() - 1;
  while (first_part > 0 && (recs[first_part - 1].flags & rc::flag_continued)) --first_part;
  BOOST_REQUIRE_EQUAL(recs.size() - first_part, parts + 1);
  rc::lsn_t chain_start = recs[first_part].lsn;
  auto whole = small;
  whole.insert(big_ids.begin(), big_ids.end());
  {
    auto copy = clone_wal(mem);
    auto ccfg = make_config(*copy, dir.path);
    node r(ccfg);
    BOOST_TEST((r.ids() == whole));
    BOOST_TEST(r.recovery().commits_applied == 4u);
  }
  // Tear the last part in the middle: the whole transaction goes and the log ends at its first part.
  auto& last = recs.back();
  cut_at(mem, last.lsn + (last.next - last.lsn) / 2, small_segment);
  {
    node r(cfg);
    BOOST_TEST((r.ids() == small));
    BOOST_TEST(r.recovery().stop == rc::wal_stop::torn_record);
    BOOST_TEST(r.recovery().end == chain_start);
    BOOST_TEST(r.recovery().commits_applied == 3u);
    flusher f(r.log());
    insert_rows(r, {4, 5});
    insert_rows(r, {6});
  }
  {
    node r(cfg);
    BOOST_TEST((r.ids() == std::set<int32_t>{1, 2, 3, 4, 5, 6}));
    BOOST_TEST(r.recovery().stop == rc::wal_stop::end_of_log);
    BOOST_TEST(r.recovery().commits_applied == 5u);
  }
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(durable_store)

BOOST_AUTO_TEST_CASE(checkpoint_while_committing_then_replay_after_it) {
  temp_dir dir;
  rc::memory_file_system mem;
  auto cfg = make_config(mem, dir.path);
  const std::string pad(120, 'x');
  dump want;
  rc::checkpoint_report ck1, ck2;
  std::mutex ts_mutex;
  std::vector<uint64_t> commit_ts;
  {
    node n(cfg);
    auto f = std::make_unique<flusher>(n.log());
    create_kv(n);
    int32_t next = 0;
    auto commit_some = [&](int count) {
      for (int i = 0; i < count; ++i, next += 3) {
        uint64_t ts = insert_rows(n, {next, next + 1, next + 2}, pad);
        std::lock_guard lock(ts_mutex);
        commit_ts.push_back(ts);
      }
    };
    commit_some(400);  // several segments
    // A second thread keeps committing (inserts, updates, deletes) while checkpoints are taken.
    std::atomic<bool> stop{false};
    std::atomic<int> errors{0};
    std::thread writer([&] {
      int32_t id = 1000000;
      while (!stop.load()) {
        try {
          auto t = n.e.begin();
          n.e.insert(*t, n.kv(), kv(id, id, pad));
          n.e.insert(*t, n.kv(), kv(id + 1, id, pad));
          uint64_t ts = n.e.tm.commit(*t);
          auto u = n.e.begin();
          auto rid = find_row(n, id);
          n.e.update(*u, n.kv(), rid, kv(id, -id, "updated"));
          n.e.remove(*u, n.kv(), find_row(n, id + 1));
          uint64_t ts2 = n.e.tm.commit(*u);
          std::lock_guard lock(ts_mutex);
          commit_ts.push_back(ts);
          commit_ts.push_back(ts2);
        } catch (...) {
          errors.fetch_add(1);
        }
        id += 2;
      }
    });
    std::this_thread::sleep_for(20ms);
    ck1 = n.ds->checkpoint();
    commit_some(200);
    ck2 = n.ds->checkpoint();
    std::this_thread::sleep_for(20ms);
    stop = true;
    writer.join();
    BOOST_TEST(errors.load() == 0);
    commit_some(100);
    BOOST_TEST(ck1.snapshot_ts < ck2.snapshot_ts);
    BOOST_TEST(ck1.redo_lsn <= ck2.redo_lsn);
    BOOST_TEST(n.ds->last_checkpoint()->redo_lsn == ck2.redo_lsn);
    want = n.state();
    // The fallback checkpoint (ck1) is the oldest kept: the next flush recycles the segments below it.
    f.reset();  // one flusher at a time
    BOOST_TEST(n.log().flush());
    uint64_t keep = rc::segment_of(ck1.redo_lsn, small_segment);
    BOOST_TEST_MESSAGE("ck1 redo " << ck1.redo_lsn << " (segment " << keep << "), ck2 redo " << ck2.redo_lsn);
    BOOST_REQUIRE_GE(keep, 1u);
    auto segs = rc::list_segments(mem, wal_dir);
    BOOST_REQUIRE(!segs.empty());
    BOOST_TEST(*std::min_element(segs.begin(), segs.end()) == keep);
  }
  node r(cfg);
  auto& res = r.recovery();
  BOOST_TEST(res.checkpoint_loaded);
  BOOST_TEST(res.checkpoint_ts == ck2.snapshot_ts);
  BOOST_TEST(res.redo_from == rc::skip_segment_header(ck2.redo_lsn, small_segment));
  uint64_t after = 0;
  for (uint64_t ts : commit_ts) after += ts > ck2.snapshot_ts;
  BOOST_TEST(res.commits_applied == after);
  BOOST_TEST(res.records == after, "replay read records the checkpoint already holds");
  std::string problems;
  auto got = r.state(true, &problems);
  BOOST_TEST(problems == "");
  require_same(want, got);
}

BOOST_AUTO_TEST_CASE(checkpoint_while_the_wal_disk_is_full) {
  // A failed batch waits to be written again when the checkpointer runs: the redo LSN lies past the end of the
  // WAL on disk. Recovery from that checkpoint works, both after a crash right then and after the disk is back.
  temp_dir dir;
  rc::memory_file_system mem;
  rc::faulty_file_system faulty(mem);
  auto cfg = make_config(faulty, dir.path);
  std::unique_ptr<rc::memory_file_system> at_crash;
  {
    node n(cfg);
    {
      flusher f(n.log());
      create_kv(n);
      insert_rows(n, {1});
    }
    faulty.fail_writes(ENOSPC, 0);
    auto t = n.e.begin();
    n.e.insert(*t, n.kv(), kv(2, 2, "doomed"));
    uint64_t base = n.e.tm.now();
    auto f = std::async(std::launch::async, [&] { return n.e.tm.commit(*t); });
    await_appended(n, base, 1);
    BOOST_TEST(!n.log().flush());
    BOOST_CHECK_THROW(f.get(), db001::db_error);
    BOOST_TEST(n.log().pending());
    auto ck = n.ds->checkpoint();
    BOOST_TEST_MESSAGE("redo LSN " << ck.redo_lsn);
    at_crash = clone_wal(mem);
    faulty.clear();
    flusher f2(n.log());
    insert_rows(n, {4});
  }
  {
    node r(make_config(*at_crash, dir.path));
    BOOST_TEST(r.recovery().checkpoint_loaded);
    BOOST_TEST((r.ids() == std::set<int32_t>{1}));
    {
      flusher f(r.log());
      insert_rows(r, {3});
    }
    r.ds.reset();
    node again(make_config(*at_crash, dir.path));
    BOOST_TEST((again.ids() == std::set<int32_t>{1, 3}));
  }
  node r(make_config(mem, dir.path));
  BOOST_TEST((r.ids() == std::set<int32_t>{1, 4}));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(recover_database)

BOOST_AUTO_TEST_CASE(point_in_time_targets) {
  temp_dir dir;
  rc::memory_file_system mem;
  auto cfg = make_config(mem, dir.path);
  between_a_and_b between;
  {
    node n(cfg);
    flusher f(n.log());
    between = commit_a_then_b(n, true);
  }
  auto recover_with = [&](rc::recovery_target target) {
    temp_dir own;  // recovery to a target writes a checkpoint of the restored state
    auto copy = clone_wal(mem);
    auto c = make_config(*copy, own.path);
    c.target = target;
    node r(c);
    BOOST_TEST(r.recovery().target_reached);
    BOOST_TEST((r.ids() == std::set<int32_t>{1}));
    // The log was cut at the target: a new commit goes after A and survives the next recovery.
    {
      flusher f(r.log());
      insert_rows(r, {3});
    }
    r.ds.reset();
    node again(make_config(*copy, own.path));
    BOOST_TEST((again.ids() == std::set<int32_t>{1, 3}));
    // Recovery to a target checkpoints the restored state: only the new commit is replayed.
    BOOST_TEST(again.recovery().checkpoint_loaded);
    BOOST_TEST(again.recovery().commits_applied == 1u);
  };
  rc::recovery_target by_time;
  by_time.what = rc::recovery_target::kind::time;
  by_time.unix_micros = between.unix_micros;
  recover_with(by_time);
  rc::recovery_target by_name;
  by_name.what = rc::recovery_target::kind::name;
  by_name.name = "before_b";
  recover_with(by_name);
  rc::recovery_target by_lsn;
  by_lsn.what = rc::recovery_target::kind::lsn;
  by_lsn.lsn = between.lsn;
  recover_with(by_lsn);
  // An unknown restore point is an error, not a silent full replay.
  {
    auto copy = clone_wal(mem);
    auto c = make_config(*copy, dir.path);
    c.target.what = rc::recovery_target::kind::name;
    c.target.name = "nope";
    engine e;
    BOOST_CHECK_THROW(rc::durable_store(e.cat, e.tm, c), std::exception);
  }
  // No target: everything.
  node r(cfg);
  BOOST_TEST((r.ids() == std::set<int32_t>{1, 2}));
  BOOST_TEST(!r.recovery().target_reached);
}

BOOST_AUTO_TEST_CASE(target_before_the_newest_checkpoint_replays_the_wal_from_its_start) {
  // The checkpoint already holds B: point-in-time recovery must not start from it (B would be there with the
  // target "reached"); it replays the whole WAL instead.
  temp_dir dir;
  rc::memory_file_system mem;
  auto cfg = make_config(mem, dir.path);
  between_a_and_b between;
  {
    node n(cfg);
    flusher f(n.log());
    between = commit_a_then_b(n, false);
    n.ds->checkpoint();
    insert_rows(n, {3});
  }
  rc::recovery_target by_time;
  by_time.what = rc::recovery_target::kind::time;
  by_time.unix_micros = between.unix_micros;
  rc::recovery_target by_lsn;
  by_lsn.what = rc::recovery_target::kind::lsn;
  by_lsn.lsn = between.lsn;
  for (auto& target : {by_time, by_lsn}) {
    temp_dir copy_dir;  // recovery to a target writes a checkpoint of the restored state: not into dir
    std::filesystem::copy(dir.path, copy_dir.path, std::filesystem::copy_options::recursive);
    auto copy = clone_wal(mem);
    auto c = make_config(*copy, copy_dir.path);
    c.target = target;
    node r(c);
    BOOST_TEST(r.recovery().target_reached);
    BOOST_TEST(!r.recovery().checkpoint_loaded);
    BOOST_TEST((r.ids() == std::set<int32_t>{1}));
  }
  node r(cfg);
  BOOST_TEST(r.recovery().checkpoint_loaded);
  BOOST_TEST((r.ids() == std::set<int32_t>{1, 2, 3}));
}

BOOST_AUTO_TEST_CASE(torn_tail_at_every_byte_of_the_last_record) {
  temp_dir dir;
  rc::memory_file_system mem;
  auto cfg = make_config(mem, dir.path);
  std::set<int32_t> earlier;
  {
    node n(cfg);
    flusher f(n.log());
    create_kv(n);
    for (int32_t i = 0; i < 10; ++i) {
      insert_rows(n, {i});
      earlier.insert(i);
    }
    insert_rows(n, {99}, "the last commit, with a string of some length to tear");
  }
  auto recs = read_wal(mem, small_segment);
  BOOST_REQUIRE_EQUAL(recs.size(), 12u);
  auto last = recs.back();
  BOOST_REQUIRE(rc::segment_of(last.lsn, small_segment) == rc::segment_of(last.next - 1, small_segment));
  rc::lsn_t payload_end = last.lsn + rc::record_header_size + last.length;
  auto with_last = earlier;
  with_last.insert(99);
  for (rc::lsn_t cut = last.lsn; cut < last.next; ++cut) {
    auto copy = clone_wal(mem);
    cut_at(*copy, cut, small_segment);
    auto c = make_config(*copy, dir.path);
    try {
      node r(c);
      if (cut < payload_end) {
        BOOST_TEST((r.ids() == earlier), "cut at " << cut);
        BOOST_TEST(r.recovery().end == last.lsn, "cut at " << cut);
      } else {  // only padding is missing: the record is whole
        BOOST_TEST((r.ids() == with_last), "cut at " << cut);
      }
    } catch (const std::exception& e) {
      BOOST_ERROR("recovery with the log cut at " << cut << " threw: " << e.what());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
