// txn_manager with a commit log (the durability seam): records reach the log in commit-timestamp
// order; with a synchronous log a commit is visible to new snapshots only once the log reports
// it durable; a commit whose record fails is rolled back completely (58030) and never seen;
// unique checks wait for a commit whose durability is undecided; row locks go past it (early lock
// release) and a transaction that did so fails if a commit record fails meanwhile.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/error.h"
#include "storage/table.h"
#include "txn/transaction.h"
#include "txn/txn_manager.h"

namespace {

using namespace std::chrono_literals;
namespace st = db001::storage;
namespace tx = db001::txn;
using st::row_id;

/// Records every appended commit; durability is reported by the test.
struct fake_log : tx::commit_log {
  explicit fake_log(bool sync) : sync_(sync) {}
  void prepare(const tx::transaction& t, std::string& record) override {
    record.assign("writes=" + std::to_string(t.writes.size()));
  }
  void append(std::string& record, uint64_t commit_ts) noexcept override {
    std::lock_guard lock(mutex);
    records.push_back(record);
    timestamps.push_back(commit_ts);
  }
  bool synchronous() const override { return sync_; }
  size_t count() {
    std::lock_guard lock(mutex);
    return timestamps.size();
  }
  uint64_t last_ts() {
    std::lock_guard lock(mutex);
    return timestamps.back();
  }
  bool sync_;
  std::mutex mutex;
  std::vector<std::string> records;
  std::vector<uint64_t> timestamps;
};

struct log_fixture {
  tx::txn_manager tm;
  fake_log log{true};
  std::shared_ptr<st::table> tbl =
      std::make_shared<st::table>(1, "t", std::vector<st::column_def>{{"a", db001::sql_type::int32()}});
  log_fixture() { tm.set_commit_log(&log); }

  std::unique_ptr<tx::transaction> begin(tx::isolation level = tx::isolation::read_committed) {
    auto t = tm.begin(level);
    tm.begin_statement(*t, true);
    return t;
  }
  row_id insert(tx::transaction& t, int32_t v) {
    row_id rid = tbl->allocate_slot();
    tbl->set_fixed(rid, 0, &v);
    tbl->block_of(rid).store_xmin(st::rid_slot(rid), t.marker());
    tm.record_insert(t, tbl, rid);
    return rid;
  }
  void remove(tx::transaction& t, row_id rid) {
    BOOST_REQUIRE(tm.lock_version(t, tbl->block_of(rid), st::rid_slot(rid)) == tx::lock_outcome::locked);
    tm.record_delete(t, tbl, rid);
  }
  bool vis_now(row_id rid) { return tm.visible(tbl->block_of(rid), st::rid_slot(rid), tm.current_snapshot()); }
  /// Commits on another thread (a synchronous commit blocks until the log reports back).
  std::future<uint64_t> commit_async(tx::transaction& t) {
    return std::async(std::launch::async, [this, &t] { return tm.commit(t); });
  }
  /// Waits until the log has n records (the committing thread got past append()).
  void await_records(size_t n) {
    // Generous: on a loaded 2-core machine the committing thread may start late.
    for (int i = 0; i < 30000 && log.count() < n; ++i) std::this_thread::sleep_for(1ms);
    if (log.count() != n) tm.log_durable(uint64_t(1) << 60);  // release blocked commits: never hang
    BOOST_REQUIRE_EQUAL(log.count(), n);
  }
  /// t deletes row and commits on another thread; returns once the commit record is in the log,
  /// its durability undecided (neither reported durable nor failed), with its timestamp in *cts.
  std::future<uint64_t> undecided_delete(tx::transaction& t, row_id row, uint64_t* cts) {
    size_t n = log.count();
    remove(t, row);
    auto f = commit_async(t);
    await_records(n + 1);
    *cts = log.last_ts();
    return f;
  }
  /// t1 deletes `row` and its commit c1 is queued, not yet durable; t2 then takes the row's
  /// lock and passes the undecided deletion (early lock release).
  struct passed_deletion {
    std::unique_ptr<tx::transaction> t1, t2;
    uint64_t c1 = 0;
    std::future<uint64_t> f1;
  };
  passed_deletion pass_undecided_delete(row_id row) {
    passed_deletion p;
    p.t1 = begin();
    p.f1 = undecided_delete(*p.t1, row, &p.c1);
    p.t2 = begin();
    BOOST_TEST((tm.lock_version(*p.t2, tbl->block_of(row), st::rid_slot(row)) == tx::lock_outcome::updated));
    return p;
  }
  /// A row committed and made durable.
  row_id durable_row(int32_t v) {
    auto t = begin();
    row_id rid = insert(*t, v);
    size_t n = log.count();  // before the commit starts: it may append before we look
    auto f = commit_async(*t);
    await_records(n + 1);
    tm.log_durable(log.last_ts());
    BOOST_REQUIRE(f.wait_for(5s) == std::future_status::ready);
    f.get();
    return rid;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(commit_log)

BOOST_FIXTURE_TEST_CASE(synchronous_commit_is_invisible_until_durable, log_fixture) {
  auto t = begin();
  row_id rid = insert(*t, 1);
  auto f = commit_async(*t);
  await_records(1);
  BOOST_TEST(log.records[0] == "writes=1");
  uint64_t cts = log.last_ts();
  BOOST_TEST((f.wait_for(50ms) == std::future_status::timeout), "COMMIT must wait for the log");
  BOOST_TEST(tm.snapshot_ts() < cts);
  BOOST_TEST(!vis_now(rid), "a commit that is not durable yet is invisible to new snapshots");
  auto reader = begin();
  BOOST_TEST(!tm.visible(tbl->block_of(rid), st::rid_slot(rid), tm.snapshot_of(*reader)));
  tm.log_durable(cts);
  BOOST_REQUIRE(f.wait_for(5s) == std::future_status::ready);
  BOOST_TEST(f.get() == cts);
  BOOST_TEST(tm.snapshot_ts() == cts);
  BOOST_TEST(vis_now(rid));
  tm.abort(*reader);
}

BOOST_FIXTURE_TEST_CASE(records_are_appended_in_commit_timestamp_order, log_fixture) {
  constexpr int threads = 4, per_thread = 200;
  std::atomic<bool> stop{false};
  // The "log writer": reports everything appended so far as durable, continuously.
  std::thread writer([&] {
    while (!stop) {
      if (log.count()) tm.log_durable(log.last_ts());
      std::this_thread::sleep_for(100us);
    }
  });
  std::vector<std::thread> ts;
  for (int k = 0; k < threads; ++k)
    ts.emplace_back([&, k] {
      for (int i = 0; i < per_thread; ++i) {
        auto t = begin();
        insert(*t, k * 1000 + i);
        tm.commit(*t);
      }
    });
  for (auto& t : ts) t.join();
  stop = true;
  writer.join();
  BOOST_REQUIRE_EQUAL(log.timestamps.size(), size_t(threads * per_thread));
  for (size_t i = 1; i < log.timestamps.size(); ++i)
    BOOST_REQUIRE_EQUAL(log.timestamps[i], log.timestamps[i - 1] + 1);
}

BOOST_FIXTURE_TEST_CASE(failed_commit_is_rolled_back_and_reported, log_fixture) {
  row_id old_row = durable_row(1);
  auto t = begin();
  row_id ins = insert(*t, 2);
  remove(*t, old_row);
  auto f = commit_async(*t);
  await_records(2);
  uint64_t cts = log.last_ts();
  tm.log_failed(cts, cts, "could not fsync file \"wal/0000000000000000.wal\": No space left on device");
  BOOST_REQUIRE(f.wait_for(5s) == std::future_status::ready);
  try {
    f.get();
    BOOST_FAIL("a commit whose record failed must not succeed");
  } catch (const db001::db_error& e) {
    BOOST_TEST(e.code() == "58030");
    BOOST_TEST(std::string(e.what()).find("No space left on device") != std::string::npos);
  }
  BOOST_TEST(tm.snapshot_ts() >= cts, "visibility moves on once the failed commit is rolled back");
  BOOST_TEST(!vis_now(ins), "the failed transaction's insert is gone");
  BOOST_TEST(vis_now(old_row), "the failed transaction's delete is undone");
  BOOST_TEST(tbl->block_of(old_row).load_xmax(st::rid_slot(old_row)) == st::ts_infinity);
  tm.collect_garbage();
  BOOST_TEST(vis_now(old_row), "GC must not reclaim a row whose deletion was rolled back");
  // Later commits go through, and may update the row again.
  auto t2 = begin();
  remove(*t2, old_row);
  auto f2 = commit_async(*t2);
  await_records(3);
  tm.log_durable(log.last_ts());
  BOOST_REQUIRE(f2.wait_for(5s) == std::future_status::ready);
  BOOST_TEST(f2.get() == log.last_ts());
  BOOST_TEST(!vis_now(old_row));
}

BOOST_FIXTURE_TEST_CASE(durable_commits_after_a_failed_one_wait_for_its_rollback, log_fixture) {
  auto t1 = begin();
  row_id r1 = insert(*t1, 1);
  auto f1 = commit_async(*t1);
  await_records(1);
  uint64_t c1 = log.last_ts();
  auto t2 = begin();
  row_id r2 = insert(*t2, 2);
  auto f2 = commit_async(*t2);
  await_records(2);
  uint64_t c2 = log.last_ts();
  // c1 fails, c2 is durable: c2 becomes visible only after c1 was rolled back.
  tm.log_failed(c1, c1, "could not write to file: Input/output error");
  tm.log_durable(c2);
  BOOST_REQUIRE(f1.wait_for(5s) == std::future_status::ready);
  BOOST_CHECK_THROW(f1.get(), db001::db_error);
  BOOST_REQUIRE(f2.wait_for(5s) == std::future_status::ready);
  BOOST_TEST(f2.get() == c2);
  BOOST_TEST(!vis_now(r1));
  BOOST_TEST(vis_now(r2));
}

BOOST_FIXTURE_TEST_CASE(row_lock_passes_an_undecided_deletion_at_once, log_fixture) {
  // Early lock release: t2 does not wait for c1's durability; it goes past the deleted version
  // (and would follow it to the new one) and commits after c1 once c1 is durable.
  row_id row = durable_row(1);
  auto [t1, t2, c1, f1] = pass_undecided_delete(row);
  BOOST_TEST(t2->undecided_dependency);
  insert(*t2, 2);
  auto f2 = commit_async(*t2);
  await_records(3);
  uint64_t c2 = log.last_ts();
  BOOST_TEST(c2 > c1, "the dependent commit's record follows the one it depends on");
  tm.log_durable(c2);
  BOOST_REQUIRE(f1.wait_for(5s) == std::future_status::ready);
  BOOST_TEST(f1.get() == c1);
  BOOST_REQUIRE(f2.wait_for(5s) == std::future_status::ready);
  BOOST_TEST(f2.get() == c2);
}

BOOST_FIXTURE_TEST_CASE(dependent_transaction_fails_when_the_deletion_it_passed_fails, log_fixture) {
  row_id row = durable_row(1);
  auto [t1, t2, c1, f1] = pass_undecided_delete(row);
  row_id r2 = insert(*t2, 2);
  tm.log_failed(c1, c1, "disk full");
  BOOST_CHECK_THROW(f1.get(), db001::db_error);
  BOOST_TEST(vis_now(row), "the failed deletion was rolled back");
  // t2 went past the failed deletion (it took the row for deleted): it must not commit.
  try {
    tm.commit(*t2);
    BOOST_ERROR("a transaction that depended on a failed commit committed");
  } catch (const db001::db_error& e) {
    BOOST_TEST(e.code() == "40001");
  }
  BOOST_TEST(!vis_now(r2));
  BOOST_TEST(log.count() == 2u, "its record never reached the log");
  // The row is free again: a new transaction locks it.
  auto t3 = begin();
  BOOST_TEST((tm.lock_version(*t3, tbl->block_of(row), st::rid_slot(row)) == tx::lock_outcome::locked));
  tm.abort(*t3);
}

BOOST_FIXTURE_TEST_CASE(dependent_transaction_without_writes_waits_for_the_commit_it_passed, log_fixture) {
  // t2 only found the row deleted by the undecided c1 (an UPDATE that then matched nothing):
  // it has no record of its own, yet its answer must not stand before c1 is durable.
  row_id row = durable_row(1);
  for (bool fail : {false, true}) {
    BOOST_TEST_CONTEXT("c1 " << (fail ? "fails" : "becomes durable")) {
      row_id r = fail ? durable_row(5) : row;
      auto [t1, t2, c1, f1] = pass_undecided_delete(r);
      auto f2 = commit_async(*t2);
      BOOST_TEST((f2.wait_for(50ms) == std::future_status::timeout), "t2's COMMIT waits for c1");
      if (fail) {
        tm.log_failed(c1, c1, "disk full");
        BOOST_CHECK_THROW(f1.get(), db001::db_error);
        try {
          f2.get();
          BOOST_ERROR("t2 committed although the deletion it saw was rolled back");
        } catch (const db001::db_error& e) {
          BOOST_TEST(e.code() == "40001");
        }
      } else {
        tm.log_durable(c1);
        BOOST_TEST(f1.get() == c1);
        BOOST_REQUIRE(f2.wait_for(5s) == std::future_status::ready);
        f2.get();
      }
    }
  }
}

BOOST_FIXTURE_TEST_CASE(commits_queued_behind_a_failed_one_fail_with_it, log_fixture) {
  // t2 depends on c1 and is already queued when c1's batch fails: the log fails every commit
  // queued behind the failed batch, so t2 never becomes durable without c1.
  row_id row = durable_row(1);
  auto [t1, t2, c1, f1] = pass_undecided_delete(row);
  row_id r2 = insert(*t2, 2);
  auto f2 = commit_async(*t2);
  await_records(3);
  uint64_t c2 = log.last_ts();
  bool cascaded = false;
  tm.log_failed(c1, c1, "disk full", "53100", [&] {
    cascaded = true;
    return std::vector<uint64_t>{c2};
  });
  BOOST_TEST(cascaded);
  BOOST_CHECK_THROW(f1.get(), db001::db_error);
  try {
    f2.get();
    BOOST_ERROR("a commit queued behind a failed one succeeded");
  } catch (const db001::db_error& e) {
    BOOST_TEST(e.code() == "53100");
  }
  BOOST_TEST(vis_now(row));
  BOOST_TEST(!vis_now(r2));
  // Later commits go through.
  row_id r3 = durable_row(3);
  BOOST_TEST(vis_now(r3));
}

BOOST_FIXTURE_TEST_CASE(unique_check_waits_for_an_undecided_deletion, log_fixture) {
  // t1 deletes the row holding a key and its commit fails: a concurrent insert of the same key
  // must not pass the unique check meanwhile (two live rows with one key after the rollback).
  row_id row = durable_row(1);
  auto t1 = begin();
  uint64_t c1 = 0;
  auto f1 = undecided_delete(*t1, row, &c1);
  auto t2 = begin();
  auto f2 = std::async(std::launch::async, [&] {
    uint64_t w = 0;
    return tm.unique_conflict(*t2, tbl->block_of(row), st::rid_slot(row), &w);
  });
  BOOST_TEST((f2.wait_for(50ms) == std::future_status::timeout), "the deletion may still fail");
  tm.log_failed(c1, c1, "disk full");
  BOOST_CHECK_THROW(f1.get(), db001::db_error);
  BOOST_REQUIRE(f2.wait_for(5s) == std::future_status::ready);
  BOOST_TEST(f2.get() == 1, "the deletion was rolled back: the key is taken");
  tm.abort(*t2);
}

BOOST_FIXTURE_TEST_CASE(unique_check_waits_for_an_undecided_insert, log_fixture) {
  // t1 inserts a key and its commit fails: a concurrent insert of the key is no violation.
  auto t1 = begin();
  row_id row = insert(*t1, 1);
  auto f1 = commit_async(*t1);
  await_records(1);
  uint64_t c1 = log.last_ts();
  auto t2 = begin();
  auto f2 = std::async(std::launch::async, [&] {
    uint64_t w = 0;
    return tm.unique_conflict(*t2, tbl->block_of(row), st::rid_slot(row), &w);
  });
  BOOST_TEST((f2.wait_for(50ms) == std::future_status::timeout), "the insert may still fail");
  tm.log_failed(c1, c1, "disk full");
  BOOST_CHECK_THROW(f1.get(), db001::db_error);
  BOOST_REQUIRE(f2.wait_for(5s) == std::future_status::ready);
  BOOST_TEST(f2.get() == 0, "the insert was rolled back: no conflict");
  tm.abort(*t2);
}

BOOST_FIXTURE_TEST_CASE(asynchronous_log_commits_are_visible_at_once, log_fixture) {
  fake_log async_log(false);
  tx::txn_manager tm2;
  tm2.set_commit_log(&async_log);
  auto t = tm2.begin(tx::isolation::read_committed);
  tm2.begin_statement(*t, true);
  row_id rid = tbl->allocate_slot();
  int32_t v = 5;
  tbl->set_fixed(rid, 0, &v);
  tbl->block_of(rid).store_xmin(st::rid_slot(rid), t->marker());
  tm2.record_insert(*t, tbl, rid);
  uint64_t cts = tm2.commit(*t);  // returns without the log reporting back
  BOOST_TEST(async_log.count() == 1u);
  BOOST_TEST(async_log.last_ts() == cts);
  BOOST_TEST(tm2.visible(tbl->block_of(rid), st::rid_slot(rid), tm2.current_snapshot()));
}

BOOST_FIXTURE_TEST_CASE(read_only_transactions_write_no_record, log_fixture) {
  row_id row = durable_row(1);
  size_t before = log.count();
  auto t = begin();
  BOOST_TEST(vis_now(row));
  BOOST_TEST(tm.commit(*t) == 0u);
  BOOST_TEST(log.count() == before);
}

BOOST_AUTO_TEST_SUITE_END()
