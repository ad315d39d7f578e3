// Replay of commit-record sequences (recovery/replayer.h): insert, update, delete, slot reuse
// after GC, a table created+filled+dropped in one transaction, an index added to a filled table,
// renames, NOT NULL changes, skipping records already in a checkpoint, and a randomized
// workload compared with a std::map model.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <random>

#include "test/recovery/redo_fixture.h"

using namespace redo_test;

namespace {

std::vector<st::column_def> kv_columns() {
  return {{"id", sql_type::int32(), true}, {"v", sql_type::int64()}, {"s", sql_type::text()}};
}
std::vector<value> kv(int32_t id, int64_t v, std::string s) {
  return {value::int32(id), value::int64(v), value::text(std::move(s))};
}

/// Reads (id -> (v, s)) of the rows of `tbl` visible at snap.
std::map<int32_t, std::pair<int64_t, std::string>> read_kv(const st::table& tbl, const tx::txn_manager& tm,
                                                           const tx::snapshot& snap) {
  std::map<int32_t, std::pair<int64_t, std::string>> out;
  for (uint32_t b = 0; b < tbl.block_count(); ++b) {
    auto& blk = tbl.block(b);
    for (uint32_t s = 0; s < blk.used(); ++s) {
      if (!tm.visible(blk, s, snap)) continue;
      int32_t id;
      int64_t v;
      std::memcpy(&id, blk.column(0).data + 4 * s, 4);
      std::memcpy(&v, blk.column(1).data + 8 * s, 8);
      auto str = reinterpret_cast<const db001::string_t*>(blk.column(2).data)[s].view();
      BOOST_REQUIRE_MESSAGE(out.emplace(id, std::make_pair(v, std::string(str))).second, "id " << id << " twice");
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(replayer)

BOOST_AUTO_TEST_CASE(insert_update_delete_and_slot_reuse_after_gc) {
  engine e;
  std::shared_ptr<st::table> tbl;
  {
    auto t = e.begin();
    tbl = e.create_table(*t, "kv", kv_columns());
    e.create_index(*t, tbl, "kv_pkey", {0}, true, true);
    e.create_index(*t, tbl, "kv_v", {1});
    e.commit(*t);
  }
  std::vector<row_id> rids;
  {
    auto t = e.begin();
    for (int i = 0; i < 10; ++i) rids.push_back(e.insert(*t, tbl, kv(i, i * 10, "row " + std::to_string(i))));
    e.commit(*t);
  }
  {
    auto t = e.begin();
    rids[3] = e.update(*t, tbl, rids[3], kv(3, 333, "updated three, with a string longer than inline"));
    e.remove(*t, tbl, rids[5]);
    e.commit(*t);
  }
  row_id freed = rids[5];
  BOOST_REQUIRE(e.tm.collect_garbage() >= 2u);
  row_id reused;
  {
    auto t = e.begin();
    reused = e.insert(*t, tbl, kv(50, 500, "reuses a slot"));
    e.commit(*t);
  }
  BOOST_TEST_MESSAGE("freed " << freed << ", reused " << reused);
  BOOST_TEST((reused == freed || reused == 3u), "the GC'd slot is reused");
  {
    auto t = e.begin();  // an insert and a delete of the same row in one transaction
    row_id r = e.insert(*t, tbl, kv(60, 600, "short-lived"));
    e.tm.begin_statement(*t, false);
    e.remove(*t, tbl, r);
    e.commit(*t);
  }
  st::catalog fresh;
  auto r = replay_all(fresh, e.log);
  require_recovered(e, fresh, r.max_commit_ts());
  auto t2 = fresh.find_table("kv");
  BOOST_TEST(t2->approx_rows() == 10);
  // The free list was rebuilt: the next insert in the recovered table takes a free slot below the end.
  row_id next = t2->allocate_slot();
  BOOST_TEST(next < st::make_rid(0, t2->block(0).used()));
}

BOOST_AUTO_TEST_CASE(table_created_filled_and_dropped_in_one_transaction) {
  engine e;
  auto t = e.begin();
  auto keep = e.create_table(*t, "keep", kv_columns());
  auto gone = e.create_table(*t, "gone", kv_columns());
  e.create_index(*t, gone, "gone_pkey", {0}, true, true);
  for (int i = 0; i < 100; ++i) e.insert(*t, gone, kv(i, i, "x"));
  e.insert(*t, keep, kv(1, 1, "kept"));
  e.cat.remove_table("gone");
  e.commit(*t);
  BOOST_REQUIRE(e.cat.find_table("gone") == nullptr);
  st::catalog fresh;
  auto r = replay_all(fresh, e.log);
  BOOST_TEST(fresh.find_table("gone") == nullptr);
  BOOST_TEST(fresh.find_index("gone_pkey") == nullptr);
  require_recovered(e, fresh, r.max_commit_ts());
}

BOOST_AUTO_TEST_CASE(index_added_to_a_filled_table_is_backfilled) {
  engine e;
  std::shared_ptr<st::table> tbl;
  {
    auto t = e.begin();
    tbl = e.create_table(*t, "kv", {{"id", sql_type::int32()}, {"v", sql_type::int64()}, {"s", sql_type::text()}});
    for (int i = 0; i < 3000; ++i) e.insert(*t, tbl, kv(i, i % 7, "s" + std::to_string(i % 13)));
    e.commit(*t);
  }
  {
    auto t = e.begin();
    for (int i = 0; i < 3000; i += 3) e.remove(*t, tbl, row_id(i));
    e.commit(*t);
  }
  {
    // ALTER TABLE ADD PRIMARY KEY: the index, then the column becomes NOT NULL.
    auto t = e.begin();
    e.create_index(*t, tbl, "kv_pkey", {0}, true, true);
    tbl->set_not_null(0, true);
    e.create_index(*t, tbl, "kv_s_v", {2, 1});
    e.insert(*t, tbl, kv(5000, 1, "after"));
    e.commit(*t);
  }
  st::catalog fresh;
  auto r = replay_all(fresh, e.log);
  require_recovered(e, fresh, r.max_commit_ts());
  BOOST_TEST(fresh.find_table("kv")->column(0).not_null);
  BOOST_TEST(fresh.find_index("kv_pkey")->entry_count() == 2001u);
  BOOST_TEST(fresh.find_index("kv_s_v")->entry_count() == 2001u);
}

BOOST_AUTO_TEST_CASE(renames_and_drops_by_oid) {
  engine e;
  std::shared_ptr<st::table> a, b;
  {
    auto t = e.begin();
    a = e.create_table(*t, "a", kv_columns());
    b = e.create_table(*t, "b", kv_columns());
    e.create_index(*t, a, "a_pkey", {0}, true, true);
    e.create_index(*t, b, "b_pkey", {0}, true, true);
    e.create_index(*t, b, "b_v", {1});
    e.insert(*t, a, kv(1, 1, "in a"));
    e.insert(*t, b, kv(2, 2, "in b"));
    e.commit(*t);
  }
  {
    // Swap the tables' names and rename an index; drop b_v; a new table takes an old name.
    auto t = e.begin();
    t->has_ddl = true;
    e.cat.remove_table("a");
    e.cat.remove_table("b");
    a->rename("b");
    b->rename("a");
    for (auto& tbl : {a, b}) {
      e.cat.add_table(tbl);
      auto list = tbl->indexes();
      for (auto& ix : *list) {
        tbl->remove_index(ix.get());
        e.cat.add_index(ix);
      }
    }
    auto ix = e.cat.remove_index("a_pkey");
    ix->rename("renamed_pkey");
    e.cat.add_index(ix);
    e.cat.remove_index("b_v");
    e.insert(*t, a, kv(3, 3, "in a, now called b"));
    e.commit(*t);
  }
  st::catalog fresh;
  auto r = replay_all(fresh, e.log);
  require_recovered(e, fresh, r.max_commit_ts());
  BOOST_TEST(fresh.find_table("b")->oid() == a->oid());
  BOOST_TEST(fresh.find_index("renamed_pkey") != nullptr);
  BOOST_TEST(fresh.find_index("b_v") == nullptr);
  BOOST_TEST(fresh.find_table("a")->indexes()->size() == 1u);
}

BOOST_AUTO_TEST_CASE(records_up_to_the_checkpoint_are_skipped) {
  engine e;
  std::shared_ptr<st::table> tbl;
  {
    auto t = e.begin();
    tbl = e.create_table(*t, "kv", kv_columns());
    e.commit(*t);
  }
  uint64_t mid = 0;
  for (int i = 0; i < 10; ++i) {
    auto t = e.begin();
    e.insert(*t, tbl, kv(i, i, "x"));
    uint64_t ts = e.commit(*t);
    if (i == 4) mid = ts;
  }
  st::catalog fresh;
  rc::replayer r(fresh, mid);
  for (auto& p : e.log) r.apply_commit(p);
  r.finish();
  BOOST_TEST(r.skipped() == 6u);  // the CREATE TABLE and 5 inserts
  BOOST_TEST(r.records() == 5u);
  // Nothing created the table here: its rows were skipped as belonging to a dropped table.
  BOOST_TEST(fresh.find_table("kv") == nullptr);
  // Out of order: an older record after a newer one is an error.
  st::catalog other;
  rc::replayer r2(other, 0);
  r2.apply_commit(e.log[0]);
  r2.apply_commit(e.log[2]);
  BOOST_CHECK_THROW(r2.apply_commit(e.log[1]), rc::recovery_error);
}

BOOST_AUTO_TEST_CASE(randomized_transactions_replay_to_the_final_state) {
  engine e;
  std::shared_ptr<st::table> tbl;
  std::shared_ptr<st::index> pk;
  {
    auto t = e.begin();
    tbl = e.create_table(*t, "acc", kv_columns());
    pk = e.create_index(*t, tbl, "acc_pkey", {0}, true, true);
    e.create_index(*t, tbl, "acc_v", {1});
    e.commit(*t);
  }
  std::mt19937_64 rng(2024);
  std::map<int32_t, std::pair<int64_t, std::string>> model;
  std::map<int32_t, row_id> where;  // id -> rid of the live version
  auto find_rid = [&](int32_t id) { return where.at(id); };
  for (int round = 0; round < 3000; ++round) {
    auto t = e.begin();
    auto m = model;
    auto w = where;
    int ops = 1 + int(rng() % 6);
    for (int k = 0; k < ops; ++k) {
      int32_t id = int32_t(rng() % 4000);
      std::string s =
          rng() % 4 ? "v" + std::to_string(rng() % 100) : std::string(20 + rng() % 50, char('a' + rng() % 26));
      int64_t v = int64_t(rng() % 50);
      if (!m.count(id)) {
        w[id] = e.insert(*t, tbl, kv(id, v, s));
        m[id] = {v, s};
      } else if (rng() % 2) {
        w[id] = e.update(*t, tbl, w.at(id), kv(id, v, s));
        m[id] = {v, s};
      } else {
        e.remove(*t, tbl, w.at(id));
        m.erase(id);
        w.erase(id);
      }
      e.tm.begin_statement(*t, false);
    }
    if (rng() % 10 == 0) {
      e.tm.abort(*t);
    } else {
      e.commit(*t);
      model = std::move(m);
      where = std::move(w);
    }
    if (round % 37 == 0) e.tm.collect_garbage();
  }
  (void)find_rid;
  BOOST_REQUIRE(read_kv(*tbl, e.tm, e.tm.current_snapshot()) == model);
  st::catalog fresh;
  auto r = replay_all(fresh, e.log);
  tx::txn_manager tm2;
  tm2.restore_clock(r.max_commit_ts());
  auto t2 = fresh.find_table("acc");
  BOOST_TEST((read_kv(*t2, tm2, tm2.current_snapshot()) == model));
  BOOST_TEST(t2->approx_rows() == int64_t(model.size()));
  BOOST_TEST(fresh.find_index("acc_pkey")->entry_count() == model.size());
  BOOST_TEST(fresh.find_index("acc_v")->entry_count() == model.size());
  require_recovered(e, fresh, r.max_commit_ts());
  // As recovery replays: indexes built at the end, changes applied by 3 threads by row block.
  for (unsigned threads : {2u, 3u}) {
    BOOST_TEST_CONTEXT("apply threads " << threads) {
      st::catalog par;
      auto rp = replay_all(par, e.log, 0, threads);
      BOOST_TEST(rp.records() == r.records());
      BOOST_TEST(rp.changes() == r.changes());
      require_recovered(e, par, rp.max_commit_ts());
    }
  }
}

BOOST_AUTO_TEST_CASE(replay_speed_single_row_inserts_with_pk, *boost::unit_test::label("bench")) {
  engine e;
  std::shared_ptr<st::table> tbl;
  {
    auto t = e.begin();
    tbl = e.create_table(*t, "bench",
                         {{"id", sql_type::int64(), true}, {"v", sql_type::int32()}, {"s", sql_type::text()}});
    e.create_index(*t, tbl, "bench_pkey", {0}, true, true);
    e.commit(*t);
  }
  const int n = 1000000;
  std::mt19937_64 rng(5);
  auto rec = e.begin();
  for (int i = 0; i < n; ++i) {
    // A single-row insert commit record, built directly (no need for a million transactions).
    e.insert(*rec, tbl,
             {value::int64(int64_t(rng() >> 1)), value::int32(i), value::text("payload " + std::to_string(i))});
  }
  std::vector<std::string> log{e.log[0]};
  for (int i = 0; i < n; ++i) {
    tx::transaction one;
    one.touched = rec->touched;
    one.writes = {rec->writes[size_t(i)]};
    std::string p;
    rc::encode_commit(p, one, e.cat);
    rc::patch_commit_prefix(p.data(), 1000 + uint64_t(i), 0);
    log.push_back(std::move(p));
  }
  e.tm.abort(*rec);
  st::catalog fresh;
  auto t0 = std::chrono::steady_clock::now();
  auto r = replay_all(fresh, log);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("replay: %d single-row insert records in %.3f s = %.0f records/s\n", n, s, n / s);
  BOOST_TEST(fresh.find_index("bench_pkey")->entry_count() == size_t(n));
  BOOST_TEST(r.records() == size_t(n) + 1);
}

BOOST_AUTO_TEST_SUITE_END()
