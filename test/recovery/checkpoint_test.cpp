// Checkpoints (recovery/checkpoint.h): written at a snapshot while another thread commits,
// loaded into a fresh catalog and followed by the replay of the records after S -> the live
// state; incremental checkpoints write only changed blocks; a corrupt or partial newest
// checkpoint falls back to the previous one; throughput figures.
#include "recovery/checkpoint.h"

#include <atomic>
#include <cerrno>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "test/recovery/redo_fixture.h"

using namespace redo_test;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/db001_ckpt_XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl));
    path = tmpl;
  }
  ~temp_dir() { fs::remove_all(path); }
};

std::vector<st::column_def> kv_columns() {
  return {{"id", sql_type::int32(), true}, {"v", sql_type::int64()}, {"s", sql_type::text()}};
}
std::vector<value> kv(int32_t id, int64_t v, std::string s) {
  return {value::int32(id), value::int64(v), value::text(std::move(s))};
}

/// A kv table with a primary key and an index on v, holding ids [0, rows).
std::shared_ptr<st::table> make_kv(engine& e, int rows, std::map<int32_t, row_id>* where = nullptr) {
  std::shared_ptr<st::table> tbl;
  auto t = e.begin();
  tbl = e.create_table(*t, "kv", kv_columns());
  e.create_index(*t, tbl, "kv_pkey", {0}, true, true);
  e.create_index(*t, tbl, "kv_v", {1});
  e.commit(*t);
  for (int i = 0; i < rows;) {
    auto w = e.begin();
    for (int k = 0; k < 1024 && i < rows; ++k, ++i) {
      row_id r = e.insert(*w, tbl, kv(i, i % 97, i % 3 ? "short" : "a longer string value #" + std::to_string(i)));
      if (where) (*where)[i] = r;
    }
    e.commit(*w);
  }
  return tbl;
}

/// Takes a checkpoint of e at its current snapshot (protected by a reader slot meanwhile).
rc::checkpoint_stats checkpoint(engine& e, rc::checkpoint_store& store, uint64_t* snapshot_ts = nullptr) {
  tx::reader_slot slot;
  uint64_t lsn;
  {
    std::lock_guard lock(e.log_mutex);
    lsn = e.log.size();
  }
  tx::snapshot_reader sr(e.tm, slot);
  if (snapshot_ts) *snapshot_ts = sr.snap().read_ts;
  return store.write(e.cat, e.tm, sr.snap(), lsn);
}

/// Loads the newest checkpoint of dir into a fresh catalog, replays e's log after it and
/// compares with e. Returns the loaded checkpoint's sequence.
uint64_t recover_and_compare(engine& e, const std::string& dir) {
  st::catalog fresh;
  rc::checkpoint_store store(dir);
  auto meta = store.load(fresh);
  BOOST_REQUIRE(meta);
  rc::replayer r(fresh, meta->snapshot_ts);
  for (size_t i = meta->redo_lsn; i < e.log.size(); ++i) r.apply_commit(e.log[i]);
  r.finish();
  require_recovered(e, fresh, std::max(r.max_commit_ts(), meta->snapshot_ts));
  return meta->sequence;
}

size_t count_files(const std::string& dir, const std::string& prefix) {
  size_t n = 0;
  for (auto& f : fs::directory_iterator(dir))
    if (f.path().filename().string().rfind(prefix, 0) == 0) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoint_store)

BOOST_AUTO_TEST_CASE(checkpoint_while_another_thread_commits_then_load_and_replay) {
  temp_dir d;
  engine e;
  std::map<int32_t, row_id> where;
  auto tbl = make_kv(e, 20000, &where);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::atomic<uint64_t> commits{0};
  std::thread writer([&] {  // no Boost.Test calls on this thread
    std::mt19937_64 rng(11);
    int next_id = 20000;
    while (!stop.load()) {
      auto t = e.begin();
      auto w = where;
      for (int k = 0, n = 1 + int(rng() % 5); k < n; ++k) {
        int op = int(rng() % 3);
        if (op == 0 || w.empty()) {
          int id = next_id++;
          w[id] = e.insert(*t, tbl, kv(id, id % 97, "new row " + std::to_string(id)));
          continue;
        }
        auto it = w.lower_bound(int32_t(rng() % uint64_t(next_id)));
        if (it == w.end()) it = w.begin();
        row_id rid = it->second;
        if (e.tm.lock_version(*t, tbl->block_of(rid), st::rid_slot(rid)) != tx::lock_outcome::locked) {
          failures++;
          continue;
        }
        e.tm.record_delete(*t, tbl, rid);
        if (op == 1) {
          int id = it->first;
          w[id] = e.insert(*t, tbl, kv(id, int64_t(rng() % 1000), "updated " + std::to_string(rng() % 100000)));
        } else {
          w.erase(it);
        }
        e.tm.begin_statement(*t, false);
      }
      if (rng() % 8 == 0) {
        e.tm.abort(*t);
      } else {
        e.commit(*t);
        where = std::move(w);
        commits++;
      }
      if (rng() % 64 == 0) e.tm.collect_garbage();
    }
  });
  rc::checkpoint_store store(d.path);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto s1 = checkpoint(e, store);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto s2 = checkpoint(e, store);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop = true;
  writer.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST_MESSAGE("commits " << commits.load() << "; checkpoint 1: " << s1.blocks_written
                                << " written; checkpoint 2: " << s2.blocks_written << " written, " << s2.blocks_skipped
                                << " skipped");
  BOOST_TEST(s1.full);
  BOOST_TEST(!s2.full);
  BOOST_TEST(commits.load() > 10u);
  BOOST_TEST(recover_and_compare(e, d.path) == s2.sequence);
}

BOOST_AUTO_TEST_CASE(incremental_checkpoints_write_only_changed_blocks) {
  temp_dir d;
  engine e;
  auto tbl = make_kv(e, 20 * 1024);  // exactly 20 full blocks
  BOOST_REQUIRE_EQUAL(tbl->block_count(), 20u);
  rc::checkpoint_store store(d.path, {4, 2});
  auto s1 = checkpoint(e, store);
  BOOST_TEST(s1.full);
  BOOST_TEST(s1.blocks_written == 20u);
  BOOST_TEST(s1.rows_written == 20u * 1024);
  {
    // An update of a row of block 3 (the new version goes to a new block 20), a delete in block 7.
    auto t = e.begin();
    e.update(*t, tbl, st::make_rid(3, 5), kv(3 * 1024 + 5, 1, "changed"));
    e.remove(*t, tbl, st::make_rid(7, 9));
    e.commit(*t);
  }
  auto s2 = checkpoint(e, store);
  BOOST_TEST(!s2.full);
  BOOST_TEST(s2.blocks_written == 3u);
  BOOST_TEST(s2.blocks_skipped == 18u);
  BOOST_TEST(recover_and_compare(e, d.path) == s2.sequence);
  auto s3 = checkpoint(e, store);  // nothing changed
  BOOST_TEST(s3.blocks_written == 0u);
  BOOST_TEST(s3.blocks_skipped == 21u);
  BOOST_TEST(recover_and_compare(e, d.path) == s3.sequence);
  // A running transaction's marker makes its block dirty (its change is not in the image).
  auto running = e.begin();
  e.remove(*running, tbl, st::make_rid(5, 1));
  auto s4 = checkpoint(e, store);
  BOOST_TEST(!s4.full);
  BOOST_TEST(s4.blocks_written == 1u);
  e.tm.abort(*running);
  BOOST_TEST(recover_and_compare(e, d.path) == s4.sequence);
  auto s5 = checkpoint(e, store);  // every 4th is full
  BOOST_TEST(s5.full);
  BOOST_TEST(s5.blocks_written == 21u);
  // Kept: manifests 4 and 5; data files of 4's chain (1, 2, 4) and of 5.
  BOOST_TEST(count_files(d.path, "manifest-") == 2u);
  BOOST_TEST(count_files(d.path, "ckpt-") == 4u);
  {
    auto t = e.begin();
    e.insert(*t, tbl, kv(-1, -1, "after the full one"));
    e.commit(*t);
  }
  auto s6 = checkpoint(e, store);
  BOOST_TEST(!s6.full);
  BOOST_TEST(s6.blocks_written == 1u);
  BOOST_TEST(count_files(d.path, "manifest-") == 2u);
  BOOST_TEST(count_files(d.path, "ckpt-") == 2u);  // 5 and 6
  BOOST_TEST(s6.files_deleted == 4u);              // manifest 4, data 1, 2, 4
  BOOST_TEST(recover_and_compare(e, d.path) == s6.sequence);
  // A store continuing after a load writes incrementally on top of the loaded chain.
  st::catalog fresh;
  rc::checkpoint_store again(d.path, {4, 2});
  BOOST_REQUIRE(again.load(fresh));
  BOOST_TEST(again.last_load_stats().rows == 20u * 1024);
}

BOOST_AUTO_TEST_CASE(corrupt_or_partial_newest_checkpoint_falls_back_to_the_previous) {
  temp_dir d;
  engine e;
  auto tbl = make_kv(e, 5000);
  rc::checkpoint_store store(d.path);
  auto a = checkpoint(e, store);
  for (int i = 0; i < 50; ++i) {
    auto t = e.begin();
    e.update(*t, tbl, st::make_rid(uint32_t(i % 4), uint32_t(i)),
             kv(int32_t(uint32_t(i % 4) * 1024 + uint32_t(i)), i, "b"));
    e.commit(*t);
  }
  auto b = checkpoint(e, store);
  BOOST_REQUIRE(!b.full);
  BOOST_REQUIRE(b.blocks_written > 0u);
  {
    auto t = e.begin();
    e.insert(*t, tbl, kv(-5, 5, "after b"));
    e.commit(*t);
  }
  char name[64];
  std::snprintf(name, sizeof name, "/manifest-%016llx", (unsigned long long)b.sequence);
  std::string mpath = d.path + name;
  std::snprintf(name, sizeof name, "/ckpt-%016llx.dat", (unsigned long long)b.sequence);
  std::string dpath = d.path + name;
  auto read = [](const std::string& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  auto put = [](const std::string& p, const std::string& bytes) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << bytes;
  };
  std::string manifest = read(mpath), data = read(dpath);
  BOOST_TEST(recover_and_compare(e, d.path) == b.sequence);
  // A flipped byte in the manifest (bad CRC).
  std::string bad = manifest;
  bad[bad.size() / 2] ^= 0x40;
  put(mpath, bad);
  BOOST_TEST(recover_and_compare(e, d.path) == a.sequence);
  // A partial manifest.
  put(mpath, manifest.substr(0, manifest.size() / 2));
  BOOST_TEST(recover_and_compare(e, d.path) == a.sequence);
  // No manifest (crash before the rename).
  fs::remove(mpath);
  BOOST_TEST(recover_and_compare(e, d.path) == a.sequence);
  // A good manifest but a corrupt block in its data file.
  put(mpath, manifest);
  bad = data;
  bad[bad.size() - 3] ^= 0x01;
  put(dpath, bad);
  BOOST_TEST(recover_and_compare(e, d.path) == a.sequence);
  // A truncated data file.
  put(dpath, data.substr(0, data.size() - 100));
  BOOST_TEST(recover_and_compare(e, d.path) == a.sequence);
  put(dpath, data);
  BOOST_TEST(recover_and_compare(e, d.path) == b.sequence);
  // Nothing valid at all: nullopt.
  temp_dir empty;
  st::catalog fresh;
  rc::checkpoint_store none(empty.path);
  BOOST_TEST(!none.load(fresh).has_value());
}

BOOST_AUTO_TEST_CASE(checkpoint_after_recovery_is_incremental_on_the_loaded_chain) {
  temp_dir d;
  engine e;
  auto tbl = make_kv(e, 10 * 1024);
  {
    rc::checkpoint_store store(d.path);
    checkpoint(e, store);
  }
  size_t lsn = e.log.size();
  {
    auto t = e.begin();  // touches blocks 2 and 6 (and a new block 10 for the new version)
    e.update(*t, tbl, st::make_rid(2, 100), kv(2 * 1024 + 100, 5, "changed after the checkpoint"));
    e.remove(*t, tbl, st::make_rid(6, 0));
    e.commit(*t);
  }
  // Restart 1: load + replay, then a checkpoint of the recovered engine.
  st::catalog f;
  tx::txn_manager tm2;
  rc::checkpoint_store store(d.path);
  auto meta = store.load(f);
  BOOST_REQUIRE(meta);
  rc::replayer r(f, meta->snapshot_ts);
  for (size_t i = lsn; i < e.log.size(); ++i) r.apply_commit(e.log[i]);
  r.finish();
  tm2.restore_clock(std::max(meta->snapshot_ts, r.max_commit_ts()));
  auto s = store.write(f, tm2, tm2.current_snapshot(), e.log.size());
  BOOST_TEST(!s.full);
  BOOST_TEST(s.blocks_written == 3u);
  BOOST_TEST(s.blocks_skipped == 8u);
  // Restart 2: from that checkpoint alone.
  BOOST_TEST(recover_and_compare(e, d.path) == s.sequence);
}

BOOST_AUTO_TEST_CASE(a_checkpoint_that_cannot_write_fails_cleanly_and_the_previous_one_stays) {
  // The store writes through a file system that fails like a real disk: full in the middle of
  // the data file or of the manifest (an incremental checkpoint without changed blocks writes
  // no data file, so its manifest is the first write), or an fsync that fails. Each time the
  // error is PostgreSQL's (53100 for a full disk, 58030 otherwise), no .tmp is left behind, the
  // newest complete checkpoint still loads, and after the fault the next checkpoint succeeds.
  temp_dir d;
  engine e;
  auto tbl = make_kv(e, 3000);
  rc::faulty_file_system disk(rc::posix_file_system());
  rc::checkpoint_store store(d.path, rc::checkpoint_options{.fs = &disk});
  auto s1 = checkpoint(e, store);
  BOOST_REQUIRE(s1.sequence == 1u);
  struct fault_case {
    const char* what;
    bool change_a_block;  // false: no data file, the manifest fails
    int err;
    bool on_sync;
    const char* sqlstate;
  };
  uint32_t block = 1;
  for (const fault_case& f : {fault_case{"disk full in the data file", true, ENOSPC, false, "53100"},
                              fault_case{"data file fsync fails", true, EIO, true, "58030"},
                              fault_case{"disk full in the manifest", false, ENOSPC, false, "53100"},
                              fault_case{"manifest fsync fails", false, EIO, true, "58030"}}) {
    BOOST_TEST_CONTEXT(f.what) {
      if (f.change_a_block) {
        auto t = e.begin();
        e.update(*t, tbl, st::make_rid(block, 5), kv(int32_t(block * 1024 + 5), 1, std::string("changed, ") + f.what));
        e.commit(*t);
        ++block;
      }
      if (f.on_sync)
        disk.fail_syncs(f.err, 1);
      else
        disk.fail_writes(f.err, 100);
      try {
        checkpoint(e, store);
        BOOST_ERROR("the checkpoint should have failed");
      } catch (const db001::db_error& err) {
        BOOST_TEST(err.code() == f.sqlstate, err.what());
        BOOST_TEST(std::string(err.what()).find("checkpoint") != std::string::npos, err.what());
      }
      disk.clear();
      for (auto& entry : fs::directory_iterator(d.path))
        BOOST_TEST(entry.path().extension() != ".tmp", entry.path().string() + " was left behind");
      BOOST_TEST(recover_and_compare(e, d.path) == 1u);  // checkpoint 1 + the whole log
    }
  }
  auto s2 = checkpoint(e, store);
  BOOST_TEST(s2.sequence >= 2u);
  BOOST_TEST(recover_and_compare(e, d.path) == s2.sequence);
}

BOOST_AUTO_TEST_CASE(catalog_newer_than_the_snapshot) {
  // The checkpoint's catalog is taken after S: a NULL row visible at S is deleted after S, then
  // the column becomes a NOT NULL primary key, and a table is created and an index dropped, all
  // before the checkpoint is written. Load + replay must still give the live state.
  temp_dir d;
  engine e;
  std::shared_ptr<st::table> tbl;
  row_id null_row;
  {
    auto t = e.begin();
    tbl = e.create_table(*t, "p", {{"id", sql_type::int32()}, {"v", sql_type::int64()}, {"s", sql_type::text()}});
    e.create_index(*t, tbl, "p_v", {1});
    for (int i = 0; i < 100; ++i) e.insert(*t, tbl, kv(i, i, "x"));
    null_row = e.insert(*t, tbl, {value::null(sql_type::int32()), value::int64(7), value::text("null id")});
    e.commit(*t);
  }
  tx::reader_slot slot;
  uint64_t lsn = e.log.size();
  tx::snapshot_reader sr(e.tm, slot);
  {
    auto t = e.begin();
    e.remove(*t, tbl, null_row);
    e.commit(*t);
  }
  {
    auto t = e.begin();
    e.create_index(*t, tbl, "p_pkey", {0}, true, true);
    tbl->set_not_null(0, true);
    e.cat.remove_index("p_v");
    auto other = e.create_table(*t, "later", kv_columns());
    e.insert(*t, other, kv(1, 2, "later row"));
    e.commit(*t);
  }
  rc::checkpoint_store store(d.path);
  store.write(e.cat, e.tm, sr.snap(), lsn);
  BOOST_TEST(recover_and_compare(e, d.path) == 1u);
}

BOOST_AUTO_TEST_CASE(throughput_1m_rows, *boost::unit_test::label("bench")) {
  temp_dir d;
  engine e;
  std::shared_ptr<st::table> tbl;
  {
    auto t = e.begin();
    tbl = e.create_table(*t, "bench",
                         {{"id", sql_type::int64(), true},
                          {"v", sql_type::int32()},
                          {"s", sql_type::text()},
                          {"n", sql_type::numeric(12, 2)}});
    e.create_index(*t, tbl, "bench_pkey", {0}, true, true);
    e.create_index(*t, tbl, "bench_v", {1});
    e.commit(*t);
  }
  const int n = std::getenv("DB001_BENCH_ROWS") ? std::atoi(std::getenv("DB001_BENCH_ROWS")) : 1000000;
  std::mt19937_64 rng(3);
  {
    auto t = e.begin();
    for (int i = 0; i < n; ++i)
      e.insert(*t, tbl,
               {value::int64(int64_t(rng() >> 2)), value::int32(int32_t(rng() % 100000)),
                value::text("customer name " + std::to_string(rng() % 1000000)),
                value::numeric(int64_t(rng() % 10000000), sql_type::numeric(12, 2))});
    e.commit(*t);
  }
  rc::checkpoint_store store(d.path);
  auto s = checkpoint(e, store);
  std::printf("table memory (blocks + strings, without indexes): %.1f MB\n", tbl->memory_bytes() / 1e6);
  std::printf("checkpoint write: %llu rows, %.1f MB in %.3f s = %.0f MB/s\n", (unsigned long long)s.rows_written,
              s.bytes_written / 1e6, s.seconds, s.bytes_written / 1e6 / s.seconds);
  st::catalog fresh;
  rc::checkpoint_store loader(
      d.path, {8, unsigned(std::getenv("DB001_LOAD_THREADS") ? std::atoi(std::getenv("DB001_LOAD_THREADS")) : 2)});
  auto meta = loader.load(fresh);
  BOOST_REQUIRE(meta);
  auto& ls = loader.last_load_stats();
  std::printf("checkpoint load (2 threads): %llu rows, %.1f MB: rows %.3f s, indexes %.3f s, total %.3f s\n",
              (unsigned long long)ls.rows, ls.bytes / 1e6, ls.seconds_read, ls.seconds_indexes, ls.seconds);
  BOOST_TEST(ls.rows == size_t(n));
  BOOST_TEST(fresh.find_index("bench_pkey")->entry_count() == size_t(n));
  BOOST_TEST(fresh.find_index("bench_v")->entry_count() == size_t(n));
  auto ftbl = fresh.find_table("bench");
  for (unsigned threads : {1u, 2u}) {
    st::index ix(1, "x", ftbl.get(), {0}, true, true);
    auto t0 = std::chrono::steady_clock::now();
    rc::build_index(ix, threads);
    std::printf("build_index of the int64 primary key on %u thread(s): %.3f s\n", threads,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    BOOST_TEST(ix.entry_count() == size_t(n));
  }
  auto s2 = checkpoint(e, store);
  BOOST_TEST(s2.blocks_written == 0u);
  std::printf("incremental checkpoint with nothing changed: %.3f s for %llu blocks\n", s2.seconds,
              (unsigned long long)s2.blocks_skipped);
}

BOOST_AUTO_TEST_SUITE_END()
