// Transaction isolation through the embedding API (db001::database / connection), with two or
// three connections: READ COMMITTED vs REPEATABLE READ snapshots, first-updater-wins and the
// READ COMMITTED re-check of the newest version, concurrent unique inserts, deadlocks,
// ROLLBACK of DML and DDL, aborted blocks (25P02), and garbage collection of dead versions.
//
// A statement that must block runs on its own thread (std::async); the test checks it is still
// blocked after a short while, ends the blocking transaction, and then waits at most 10 s for it
// (a hang fails the test instead of hanging it).
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "db001/db001.h"
#include "sql/engine.h"
#include "storage/index.h"
#include "storage/table.h"

namespace {

using namespace std::chrono_literals;

constexpr auto still_blocked_after = 300ms;  ///< how long a blocked statement must stay blocked
constexpr auto unblock_timeout = 10s;        ///< how long it may take to finish once unblocked

db001::options test_options() {
  db001::options o;
  o.parallel_workers = 1;
  return o;
}

/// A database with three connections and the table acc(id INT PRIMARY KEY, bal INT NOT NULL)
/// holding (1, 0) and (2, 0).
struct db_fixture {
  std::unique_ptr<db001::database> db = db001::database::open(test_options());
  std::unique_ptr<db001::connection> c1 = db->connect(), c2 = db->connect(), c3 = db->connect();

  db_fixture() {
    ok(*c1, "CREATE TABLE acc(id INT PRIMARY KEY, bal INT NOT NULL)");
    ok(*c1, "INSERT INTO acc VALUES (1, 0), (2, 0)");
  }

  static db001::result ok(db001::connection& c, const std::string& sql) {
    auto r = c.execute(sql);
    BOOST_REQUIRE_MESSAGE(r.ok(), sql << " -> " << r.sqlstate() << " " << r.error_message());
    return r;
  }
  /// The statement's SQLSTATE ("00000" when it succeeds).
  static std::string state(db001::connection& c, const std::string& sql) { return c.execute(sql).sqlstate(); }
  /// The single value of a one-row, one-column query, as an integer.
  static int64_t scalar(db001::connection& c, const std::string& sql) {
    auto r = ok(c, sql);
    BOOST_REQUIRE_MESSAGE(r.row_count() == 1 && r.column_count() == 1, sql << " -> " << r.row_count() << " rows");
    BOOST_REQUIRE_MESSAGE(!r.is_null(0, 0), sql << " -> NULL");
    return std::stoll(r.text(0, 0));
  }
  int64_t bal(db001::connection& c, int id) {
    return scalar(c, "SELECT bal FROM acc WHERE id = " + std::to_string(id));
  }
  int64_t rows(db001::connection& c, const std::string& table = "acc") {
    return scalar(c, "SELECT count(*) FROM " + table);
  }

  /// Runs sql on connection c on another thread.
  static std::future<db001::result> async(db001::connection& c, std::string sql) {
    return std::async(std::launch::async, [&c, sql] { return c.execute(sql); });
  }
  /// Asserts the statement behind f is still blocked.
  static bool blocked(std::future<db001::result>& f) { return f.wait_for(still_blocked_after) == std::future_status::timeout; }
  /// The result of f, which must arrive within unblock_timeout. On a hang the test fails; `unblock`
  /// (if any) is run to free the thread, and if that does not help the process exits (a blocked
  /// std::async future cannot be abandoned).
  static db001::result await(std::future<db001::result>& f, const char* what, const std::function<void()>& unblock = {}) {
    if (f.wait_for(unblock_timeout) != std::future_status::ready) {
      BOOST_ERROR(what << ": still blocked " << unblock_timeout.count() << " s after it should have been released");
      if (unblock) unblock();
      if (f.wait_for(unblock_timeout) != std::future_status::ready) {
        std::fprintf(stderr, "FATAL: %s: statement hung; exiting\n", what);
        std::fflush(stderr);
        std::_Exit(3);
      }
    }
    return f.get();
  }

  /// Executes an UPDATE of one row n times; returns how many updated exactly one row. Reports
  /// the first failure (the loop goes on, so later checks still run).
  static int run_updates(db001::prepared_statement& upd, int n) {
    int done = 0;
    std::string first;
    for (int i = 0; i < n; ++i) {
      auto r = upd.execute();
      if (r.ok() && r.rows_affected() == 1u)
        ++done;
      else if (first.empty())
        first = "update " + std::to_string(i + 1) + " of " + std::to_string(n) + ": " + r.sqlstate() + " " +
                r.error_message() + " " + r.error_detail() + " (" + std::to_string(r.rows_affected()) + " rows)";
    }
    BOOST_TEST(first.empty(), first << " [" << (n - done) << " of " << n << " updates failed]");
    return done;
  }

  /// Slots of a table whose stamps still hold a transaction marker. Once every transaction has
  /// ended, commit has stamped (or abort undone) every marker: there must be none.
  size_t stale_markers(const std::string& name) {
    auto t = table(name);
    size_t n = 0;
    for (uint32_t b = 0; b < t->block_count(); ++b) {
      auto& blk = t->block(b);
      for (uint32_t s = 0; s < blk.used(); ++s) {
        uint64_t xmin = blk.load_xmin(s), xmax = blk.load_xmax(s);
        if (xmin == db001::storage::slot_free) continue;
        if ((xmin & db001::storage::txn_bit) || (xmax & db001::storage::txn_bit)) ++n;
      }
    }
    return n;
  }

  db001::engine::engine& eng() { return db->engine(); }
  db001::txn::txn_manager& tm() { return eng().txns(); }
  std::shared_ptr<db001::storage::table> table(const std::string& name) {
    auto t = eng().catalog().find_table(name);
    BOOST_REQUIRE_MESSAGE(t, "table " << name << " not found in the catalog");
    return t;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(isolation)

// ------------------------------------------------------------------------------------------
// Snapshots
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(read_committed_sees_commits_between_statements, db_fixture) {
  ok(*c1, "BEGIN");
  BOOST_TEST(bal(*c1, 1) == 0);
  BOOST_TEST(rows(*c1) == 2);
  ok(*c2, "UPDATE acc SET bal = 5 WHERE id = 1");
  ok(*c2, "INSERT INTO acc VALUES (3, 30)");
  ok(*c2, "DELETE FROM acc WHERE id = 2");
  BOOST_TEST(bal(*c1, 1) == 5);
  BOOST_TEST(rows(*c1) == 2);
  BOOST_TEST(scalar(*c1, "SELECT sum(bal) FROM acc") == 35);
  // ...but not uncommitted changes.
  ok(*c2, "BEGIN");
  ok(*c2, "UPDATE acc SET bal = 6 WHERE id = 1");
  BOOST_TEST(bal(*c1, 1) == 5);
  ok(*c2, "COMMIT");
  BOOST_TEST(bal(*c1, 1) == 6);
  ok(*c1, "COMMIT");
}

BOOST_FIXTURE_TEST_CASE(repeatable_read_keeps_its_snapshot, db_fixture) {
  ok(*c1, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  BOOST_TEST(bal(*c1, 1) == 0);
  ok(*c2, "UPDATE acc SET bal = 5 WHERE id = 1");
  ok(*c2, "INSERT INTO acc VALUES (3, 30)");
  ok(*c2, "DELETE FROM acc WHERE id = 2");
  BOOST_TEST(bal(*c1, 1) == 0);
  BOOST_TEST(rows(*c1) == 2);
  BOOST_TEST(scalar(*c1, "SELECT count(*) FROM acc WHERE id = 2") == 1);
  BOOST_TEST(scalar(*c1, "SELECT count(*) FROM acc WHERE id = 3") == 0);
  BOOST_TEST(scalar(*c1, "SELECT sum(bal) FROM acc") == 0);
  ok(*c1, "COMMIT");
  BOOST_TEST(bal(*c1, 1) == 5);
  BOOST_TEST(scalar(*c1, "SELECT sum(bal) FROM acc") == 35);
}

BOOST_FIXTURE_TEST_CASE(repeatable_read_snapshot_starts_at_first_statement, db_fixture) {
  ok(*c1, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  ok(*c2, "UPDATE acc SET bal = 5 WHERE id = 1");  // after BEGIN, before c1's first statement
  BOOST_TEST(bal(*c1, 1) == 5, "the snapshot is taken by the first statement, not by BEGIN");
  ok(*c2, "UPDATE acc SET bal = 6 WHERE id = 1");
  BOOST_TEST(bal(*c1, 1) == 5);
  ok(*c1, "COMMIT");
  // The same with SET TRANSACTION ISOLATION LEVEL inside the block.
  ok(*c1, "BEGIN");
  ok(*c1, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
  ok(*c2, "UPDATE acc SET bal = 7 WHERE id = 1");
  BOOST_TEST(bal(*c1, 1) == 7);
  ok(*c2, "UPDATE acc SET bal = 8 WHERE id = 1");
  BOOST_TEST(bal(*c1, 1) == 7);
  ok(*c1, "COMMIT");
  BOOST_TEST(bal(*c1, 1) == 8);
}

// ------------------------------------------------------------------------------------------
// Write-write conflicts: REPEATABLE READ (first updater wins)
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(repeatable_read_waits_then_fails_when_first_updater_commits, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "UPDATE acc SET bal = bal + 1 WHERE id = 1");
  ok(*c2, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  auto f = async(*c2, "UPDATE acc SET bal = bal + 10 WHERE id = 1");
  BOOST_TEST(blocked(f), "the second updater must wait for the first");
  ok(*c1, "COMMIT");
  auto r = await(f, "RR update after the first updater committed");
  BOOST_TEST(r.sqlstate() == "40001");
  BOOST_TEST(state(*c2, "SELECT 1") == "25P02");
  ok(*c2, "ROLLBACK");
  BOOST_TEST(bal(*c2, 1) == 1);
}

BOOST_FIXTURE_TEST_CASE(repeatable_read_waits_then_succeeds_when_first_updater_rolls_back, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "UPDATE acc SET bal = bal + 1 WHERE id = 1");
  ok(*c2, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  auto f = async(*c2, "UPDATE acc SET bal = bal + 10 WHERE id = 1");
  BOOST_TEST(blocked(f));
  ok(*c1, "ROLLBACK");
  auto r = await(f, "RR update after the first updater rolled back");
  BOOST_TEST(r.ok(), r.sqlstate() << " " << r.error_message());
  BOOST_TEST(r.rows_affected() == 1u);
  ok(*c2, "COMMIT");
  BOOST_TEST(bal(*c1, 1) == 10);
}

BOOST_FIXTURE_TEST_CASE(repeatable_read_fails_on_update_committed_after_its_snapshot, db_fixture) {
  ok(*c2, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  BOOST_TEST(bal(*c2, 1) == 0);
  ok(*c1, "UPDATE acc SET bal = 5 WHERE id = 1");
  ok(*c1, "DELETE FROM acc WHERE id = 2");
  BOOST_TEST(state(*c2, "UPDATE acc SET bal = bal + 1 WHERE id = 1") == "40001");
  ok(*c2, "ROLLBACK");
  ok(*c2, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  BOOST_TEST(bal(*c2, 1) == 5);
  ok(*c1, "UPDATE acc SET bal = 6 WHERE id = 1");
  BOOST_TEST(state(*c2, "DELETE FROM acc WHERE id = 1") == "40001");
  ok(*c2, "ROLLBACK");
  // Rows the concurrent transaction did not touch can still be updated.
  ok(*c2, "INSERT INTO acc VALUES (3, 0)");
  ok(*c2, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  BOOST_TEST(bal(*c2, 3) == 0);
  ok(*c1, "UPDATE acc SET bal = 7 WHERE id = 1");
  auto r = ok(*c2, "UPDATE acc SET bal = 1 WHERE id = 3");
  BOOST_TEST(r.rows_affected() == 1u);
  ok(*c2, "COMMIT");
  BOOST_TEST(bal(*c1, 1) == 7);
  BOOST_TEST(bal(*c1, 3) == 1);
}

BOOST_FIXTURE_TEST_CASE(repeatable_read_delete_vs_update_fails, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "UPDATE acc SET bal = 9 WHERE id = 1");
  ok(*c2, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  auto f = async(*c2, "DELETE FROM acc WHERE id = 1");
  BOOST_TEST(blocked(f));
  ok(*c1, "COMMIT");
  auto r = await(f, "RR delete after a concurrent update committed");
  BOOST_TEST(r.sqlstate() == "40001");
  ok(*c2, "ROLLBACK");
  BOOST_TEST(bal(*c1, 1) == 9);
}

// ------------------------------------------------------------------------------------------
// Write-write conflicts: READ COMMITTED (re-check the newest version)
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(read_committed_concurrent_increments_both_apply, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "UPDATE acc SET bal = bal + 1 WHERE id = 1");
  auto f = async(*c2, "UPDATE acc SET bal = bal + 1 WHERE id = 1");  // autocommit, READ COMMITTED
  BOOST_TEST(blocked(f));
  ok(*c1, "COMMIT");
  auto r = await(f, "RC increment after the first committed");
  BOOST_TEST(r.ok(), r.sqlstate() << " " << r.error_message());
  BOOST_TEST(r.rows_affected() == 1u);
  BOOST_TEST(bal(*c1, 1) == 2, "READ COMMITTED must apply the second increment to the newest version");
  BOOST_TEST(rows(*c1) == 2);
  // Through a seq scan predicate as well (bal is not indexed).
  ok(*c1, "BEGIN");
  ok(*c1, "UPDATE acc SET bal = bal + 1 WHERE bal >= 0");
  auto g = async(*c2, "UPDATE acc SET bal = bal * 10 WHERE bal >= 0");
  BOOST_TEST(blocked(g));
  ok(*c1, "COMMIT");
  auto r2 = await(g, "RC multiply after the increment committed");
  BOOST_TEST(r2.rows_affected() == 2u);
  BOOST_TEST(bal(*c1, 1) == 30);
  BOOST_TEST(bal(*c1, 2) == 10);
}

BOOST_FIXTURE_TEST_CASE(read_committed_rechecks_where_on_newest_version, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "UPDATE acc SET bal = 1 WHERE id = 1");
  auto f = async(*c2, "UPDATE acc SET bal = 100 WHERE bal = 0");  // matches rows 1 and 2 in its snapshot
  BOOST_TEST(blocked(f));
  ok(*c1, "COMMIT");
  auto r = await(f, "RC update re-checking its WHERE");
  BOOST_TEST(r.ok(), r.sqlstate() << " " << r.error_message());
  BOOST_TEST(r.rows_affected() == 1u, "row 1 no longer has bal = 0 after the concurrent update");
  BOOST_TEST(bal(*c1, 1) == 1);
  BOOST_TEST(bal(*c1, 2) == 100);
  // The same with the predicate on the key (index scan) and an extra condition.
  ok(*c1, "BEGIN");
  ok(*c1, "UPDATE acc SET bal = 2 WHERE id = 1");
  auto g = async(*c2, "UPDATE acc SET bal = 50 WHERE id = 1 AND bal = 1");
  BOOST_TEST(blocked(g));
  ok(*c1, "COMMIT");
  auto r2 = await(g, "RC update with key + value predicate");
  BOOST_TEST(r2.rows_affected() == 0u);
  BOOST_TEST(bal(*c1, 1) == 2);
}

BOOST_FIXTURE_TEST_CASE(read_committed_update_waits_for_delete_then_updates_nothing, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "DELETE FROM acc WHERE id = 1");
  auto f = async(*c2, "UPDATE acc SET bal = bal + 1 WHERE id = 1");
  BOOST_TEST(blocked(f));
  ok(*c1, "COMMIT");
  auto r = await(f, "RC update of a concurrently deleted row");
  BOOST_TEST(r.ok(), r.sqlstate() << " " << r.error_message());
  BOOST_TEST(r.rows_affected() == 0u);
  BOOST_TEST(scalar(*c1, "SELECT count(*) FROM acc WHERE id = 1") == 0);
  BOOST_TEST(rows(*c1) == 1);
}

BOOST_FIXTURE_TEST_CASE(read_committed_delete_waits_for_update_then_deletes_newest_version, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "UPDATE acc SET bal = 7 WHERE id = 1");
  auto f = async(*c2, "DELETE FROM acc WHERE id = 1");
  BOOST_TEST(blocked(f));
  ok(*c1, "COMMIT");
  auto r = await(f, "RC delete of a concurrently updated row");
  BOOST_TEST(r.rows_affected() == 1u);
  BOOST_TEST(scalar(*c1, "SELECT count(*) FROM acc WHERE id = 1") == 0);
  // A delete whose predicate no longer holds on the newest version deletes nothing.
  ok(*c1, "BEGIN");
  ok(*c1, "UPDATE acc SET bal = 7 WHERE id = 2");
  auto g = async(*c2, "DELETE FROM acc WHERE bal = 0");
  BOOST_TEST(blocked(g));
  ok(*c1, "COMMIT");
  auto r2 = await(g, "RC delete re-checking its WHERE");
  BOOST_TEST(r2.rows_affected() == 0u);
  BOOST_TEST(bal(*c1, 2) == 7);
}

// An earlier UPDATE of row 1 that was rolled back leaves the row's old version pointing at the
// aborted new version; a later committed DELETE of the row must still look like a deletion to a
// READ COMMITTED updater that waited for it (PostgreSQL: UPDATE 0, the row stays deleted).
BOOST_FIXTURE_TEST_CASE(read_committed_update_after_rolled_back_update_and_committed_delete, db_fixture) {
  ok(*c1, "CREATE TABLE other(x INT)");
  // c3 holds an old snapshot so the aborted version is not reclaimed meanwhile (determinism).
  ok(*c3, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  BOOST_TEST(rows(*c3) == 2);
  ok(*c2, "INSERT INTO other VALUES (1)");  // a commit after c3's snapshot
  ok(*c1, "BEGIN");
  ok(*c1, "UPDATE acc SET bal = 100 WHERE id = 1");
  ok(*c1, "ROLLBACK");
  BOOST_REQUIRE(bal(*c1, 1) == 0);
  ok(*c1, "BEGIN");
  ok(*c1, "DELETE FROM acc WHERE id = 1");
  auto f = async(*c2, "UPDATE acc SET bal = bal + 1 WHERE id = 1");
  BOOST_TEST(blocked(f));
  ok(*c1, "COMMIT");
  auto r = await(f, "RC update of a row deleted concurrently");
  BOOST_TEST(r.ok(), r.sqlstate() << " " << r.error_message());
  BOOST_TEST(r.rows_affected() == 0u, "the row was deleted: nothing to update");
  auto back = c1->execute("SELECT bal FROM acc WHERE id = 1");
  BOOST_TEST(back.row_count() == 0u, "a deleted row came back" << (back.row_count() ? " with bal = " + back.text(0, 0) : ""));
  BOOST_TEST(rows(*c1) == 1);
  ok(*c3, "COMMIT");
}

// The READ COMMITTED re-check follows the old version's successor pointer. Here the successor
// lands in row id 0 (the first slot of the table, reclaimed and reused): it is still a successor.
BOOST_FIXTURE_TEST_CASE(read_committed_follows_update_into_row_id_zero, db_fixture) {
  ok(*c1, "CREATE TABLE one(id INT PRIMARY KEY, bal INT NOT NULL)");
  ok(*c1, "INSERT INTO one VALUES (1, 0)");  // row id 0
  auto tbl = table("one");
  ok(*c1, "UPDATE one SET bal = 0 WHERE id = 1");  // new version in row id 1; row id 0 dead
  tm().collect_garbage();
  BOOST_REQUIRE_MESSAGE(tbl->block(0).load_xmin(0) == db001::storage::slot_free, "row id 0 was not reclaimed");
  ok(*c1, "BEGIN");
  ok(*c1, "UPDATE one SET bal = bal + 1 WHERE id = 1");  // new version reuses row id 0
  BOOST_REQUIRE_MESSAGE(tbl->block(0).load_xmin(0) & db001::storage::txn_bit,
                        "setup: the new version did not reuse row id 0");
  auto f = async(*c2, "UPDATE one SET bal = bal + 1 WHERE id = 1");
  BOOST_TEST(blocked(f));
  ok(*c1, "COMMIT");
  auto r = await(f, "RC update following a successor in row id 0");
  BOOST_TEST(r.ok(), r.sqlstate() << " " << r.error_message());
  BOOST_TEST(r.rows_affected() == 1u, "the successor in row id 0 was taken for 'no successor' (row deleted)");
  BOOST_TEST(scalar(*c1, "SELECT bal FROM one WHERE id = 1") == 2);
}

// ------------------------------------------------------------------------------------------
// Unique keys inserted concurrently
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(concurrent_unique_insert_waits_then_fails_when_first_commits, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "INSERT INTO acc VALUES (3, 1)");
  auto f = async(*c2, "INSERT INTO acc VALUES (3, 2)");
  BOOST_TEST(blocked(f), "the second inserter of a key must wait for the first");
  ok(*c1, "COMMIT");
  auto r = await(f, "second insert of a committed key");
  BOOST_TEST(r.sqlstate() == "23505");
  BOOST_TEST(bal(*c1, 3) == 1);
  BOOST_TEST(rows(*c1) == 3);
}

BOOST_FIXTURE_TEST_CASE(concurrent_unique_insert_waits_then_succeeds_when_first_aborts, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "INSERT INTO acc VALUES (3, 1)");
  ok(*c2, "BEGIN");
  auto f = async(*c2, "INSERT INTO acc VALUES (3, 2)");
  BOOST_TEST(blocked(f));
  ok(*c1, "ROLLBACK");
  auto r = await(f, "second insert of an aborted key");
  BOOST_TEST(r.ok(), r.sqlstate() << " " << r.error_message());
  ok(*c2, "COMMIT");
  BOOST_TEST(bal(*c1, 3) == 2);
  BOOST_TEST(rows(*c1) == 3);
}

BOOST_FIXTURE_TEST_CASE(unique_insert_of_key_being_deleted_waits_for_the_deleter, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "DELETE FROM acc WHERE id = 1");
  auto f = async(*c2, "INSERT INTO acc VALUES (1, 5)");
  BOOST_TEST(blocked(f));
  ok(*c1, "COMMIT");
  auto r = await(f, "insert of a key whose deleter committed");
  BOOST_TEST(r.ok(), r.sqlstate() << " " << r.error_message());
  BOOST_TEST(bal(*c1, 1) == 5);
  // ...and fails if the deleter rolls back.
  ok(*c1, "BEGIN");
  ok(*c1, "DELETE FROM acc WHERE id = 2");
  auto g = async(*c2, "INSERT INTO acc VALUES (2, 5)");
  BOOST_TEST(blocked(g));
  ok(*c1, "ROLLBACK");
  auto r2 = await(g, "insert of a key whose deleter rolled back");
  BOOST_TEST(r2.sqlstate() == "23505");
  BOOST_TEST(bal(*c1, 2) == 0);
}

// ------------------------------------------------------------------------------------------
// Deadlocks
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(deadlock_one_transaction_fails_other_proceeds, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c2, "BEGIN");
  ok(*c1, "UPDATE acc SET bal = bal + 1 WHERE id = 1");
  ok(*c2, "UPDATE acc SET bal = bal + 10 WHERE id = 2");
  auto f1 = async(*c1, "UPDATE acc SET bal = bal + 1 WHERE id = 2");  // waits for c2
  BOOST_REQUIRE(blocked(f1));
  auto f2 = async(*c2, "UPDATE acc SET bal = bal + 10 WHERE id = 1");  // closes the cycle
  // The second waiter detects the cycle at once; the first one is released by its abort.
  auto r2 = await(f2, "second waiter in a deadlock");
  auto r1 = await(f1, "first waiter in a deadlock");
  int deadlocks = (r1.sqlstate() == "40P01") + (r2.sqlstate() == "40P01");
  BOOST_TEST(deadlocks == 1, "c1: " << r1.sqlstate() << ", c2: " << r2.sqlstate());
  BOOST_TEST((r1.ok() || r2.ok()), "the other transaction must proceed");
  ok(*c1, r1.ok() ? "COMMIT" : "ROLLBACK");
  ok(*c2, r2.ok() ? "COMMIT" : "ROLLBACK");
  if (r1.ok()) {
    BOOST_TEST(bal(*c3, 1) == 1);
    BOOST_TEST(bal(*c3, 2) == 1);
  } else {
    BOOST_TEST(bal(*c3, 1) == 10);
    BOOST_TEST(bal(*c3, 2) == 10);
  }
  BOOST_TEST(tm().stats().active == 0u);
}

// ------------------------------------------------------------------------------------------
// ROLLBACK and aborted blocks
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(rollback_undoes_inserts_updates_deletes, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "INSERT INTO acc VALUES (3, 30), (4, 40)");
  ok(*c1, "UPDATE acc SET bal = 11 WHERE id = 1");
  ok(*c1, "UPDATE acc SET bal = 12 WHERE id = 1");
  ok(*c1, "DELETE FROM acc WHERE id = 2");
  ok(*c1, "UPDATE acc SET bal = 31 WHERE id = 3");
  ok(*c1, "DELETE FROM acc WHERE id = 4");
  BOOST_TEST(rows(*c1) == 2);
  BOOST_TEST(scalar(*c1, "SELECT sum(bal) FROM acc") == 43);
  BOOST_TEST(rows(*c2) == 2);
  BOOST_TEST(scalar(*c2, "SELECT sum(bal) FROM acc") == 0);
  ok(*c1, "ROLLBACK");
  BOOST_TEST(rows(*c1) == 2);
  BOOST_TEST(bal(*c1, 1) == 0);
  BOOST_TEST(bal(*c1, 2) == 0);
  BOOST_TEST(scalar(*c1, "SELECT count(*) FROM acc WHERE id >= 3") == 0);
  // The rolled-back keys are free again; the restored rows are still locked by nobody.
  ok(*c2, "INSERT INTO acc VALUES (3, 3)");
  BOOST_TEST(ok(*c2, "UPDATE acc SET bal = 1 WHERE id <= 2").rows_affected() == 2u);
  BOOST_TEST(scalar(*c1, "SELECT sum(bal) FROM acc") == 5);
}

BOOST_FIXTURE_TEST_CASE(rollback_undoes_ddl, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "CREATE TABLE t2(a INT PRIMARY KEY)");
  ok(*c1, "INSERT INTO t2 VALUES (1), (2)");
  ok(*c1, "CREATE INDEX acc_bal ON acc(bal)");
  ok(*c1, "CREATE VIEW v AS SELECT id FROM acc");
  BOOST_TEST(rows(*c1, "t2") == 2);
  ok(*c1, "ROLLBACK");
  BOOST_TEST(state(*c1, "SELECT * FROM t2") == "42P01");
  BOOST_TEST(state(*c1, "SELECT * FROM v") == "42P01");
  BOOST_TEST(state(*c1, "DROP INDEX acc_bal") == "42704");
  ok(*c1, "CREATE TABLE t2(a INT PRIMARY KEY)");  // the name is free again
  BOOST_TEST(rows(*c1, "t2") == 0);
  // DROP TABLE rolled back: the table comes back with its rows and its primary key.
  ok(*c1, "UPDATE acc SET bal = 5 WHERE id = 2");
  ok(*c1, "BEGIN");
  ok(*c1, "DROP TABLE acc");
  BOOST_TEST(state(*c1, "SELECT * FROM acc") == "42P01");
  ok(*c1, "ROLLBACK");
  BOOST_TEST(rows(*c1) == 2);
  BOOST_TEST(bal(*c1, 2) == 5);
  BOOST_TEST(state(*c1, "INSERT INTO acc VALUES (1, 1)") == "23505");
}

BOOST_FIXTURE_TEST_CASE(rolled_back_and_failed_statements_leave_no_row_locks_behind, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "INSERT INTO acc VALUES (3, 3)");
  ok(*c1, "UPDATE acc SET bal = 1 WHERE id = 1");
  ok(*c1, "DELETE FROM acc WHERE id = 2");
  ok(*c1, "ROLLBACK");
  BOOST_TEST(stale_markers("acc") == 0u);
  // A statement that fails after it took a row lock (the new version violates NOT NULL / the
  // primary key): its abort must release that lock like any other.
  BOOST_TEST(state(*c1, "UPDATE acc SET bal = NULL WHERE id = 1") == "23502");
  BOOST_TEST(stale_markers("acc") == 0u, "the failed UPDATE left its row lock (xmax marker) on the old version");
  BOOST_TEST(state(*c1, "UPDATE acc SET id = 2 WHERE id = 1") == "23505");
  BOOST_TEST(stale_markers("acc") == 0u, "the failed UPDATE left its row lock (xmax marker) on the old version");
  BOOST_TEST(bal(*c1, 1) == 0);
  BOOST_TEST(bal(*c1, 2) == 0);
  BOOST_TEST(rows(*c1) == 2);
  // The rows are not locked for anybody.
  auto f = async(*c2, "UPDATE acc SET bal = 5");
  auto r = await(f, "update after failed statements");
  BOOST_TEST(r.rows_affected() == 2u);
  BOOST_TEST(stale_markers("acc") == 0u);
}

BOOST_FIXTURE_TEST_CASE(error_in_block_aborts_it_until_rollback, db_fixture) {
  ok(*c1, "BEGIN");
  ok(*c1, "INSERT INTO acc VALUES (3, 3)");
  ok(*c1, "UPDATE acc SET bal = 1 WHERE id = 1");
  BOOST_TEST(state(*c1, "SELECT 1 / 0") == "22012");
  BOOST_TEST(c1->in_transaction());
  BOOST_TEST(c1->failed());
  BOOST_TEST(state(*c1, "SELECT 1") == "25P02");
  BOOST_TEST(state(*c1, "INSERT INTO acc VALUES (4, 4)") == "25P02");
  auto p = c1->prepare("SELECT bal FROM acc WHERE id = $1");
  BOOST_TEST((!p.ok() ? p.error().sqlstate() : p.execute({db001::value::int32(1)}).sqlstate()) == "25P02");
  // The failed block holds no row locks any more: another session updates row 1 at once.
  auto f = async(*c2, "UPDATE acc SET bal = 2 WHERE id = 1");
  auto r = await(f, "update of a row locked by an aborted block", [&] { c1->execute("ROLLBACK"); });
  BOOST_TEST(r.ok(), r.sqlstate() << " " << r.error_message());
  auto end = c1->execute("COMMIT");
  BOOST_TEST(end.ok());
  BOOST_TEST(end.command_tag() == "ROLLBACK", "COMMIT of a failed block reports ROLLBACK");
  BOOST_TEST(!c1->in_transaction());
  BOOST_TEST(!c1->failed());
  BOOST_TEST(scalar(*c1, "SELECT count(*) FROM acc WHERE id >= 3") == 0);
  BOOST_TEST(bal(*c1, 1) == 2);
  // A unique violation aborts the block the same way; ROLLBACK ends it.
  ok(*c1, "BEGIN");
  BOOST_TEST(state(*c1, "INSERT INTO acc VALUES (1, 0)") == "23505");
  BOOST_TEST(state(*c1, "UPDATE acc SET bal = 3") == "25P02");
  BOOST_TEST(ok(*c1, "ROLLBACK").command_tag() == "ROLLBACK");
  BOOST_TEST(bal(*c1, 1) == 2);
}

// ------------------------------------------------------------------------------------------
// Garbage collection of dead versions
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(dead_versions_are_reclaimed_after_the_oldest_snapshot_ends, db_fixture) {
  auto tbl = table("acc");
  auto pk = tbl->indexes()->at(0);
  tm().collect_garbage();
  ok(*c3, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  BOOST_TEST(bal(*c3, 1) == 0);  // holds the GC horizon
  auto upd = c1->prepare("UPDATE acc SET bal = bal + 1 WHERE id = 1");
  BOOST_REQUIRE(upd.ok());
  constexpr int n = 2000;
  BOOST_TEST(run_updates(upd, n) == n);
  uint64_t before = tm().stats().gc_reclaimed;
  tm().collect_garbage();
  BOOST_TEST(tm().stats().gc_reclaimed == before, "versions an open snapshot can see must not be reclaimed");
  BOOST_TEST(bal(*c3, 1) == 0, "the old snapshot still reads its version");
  BOOST_TEST(pk->entry_count() >= size_t(n + 2));
  BOOST_TEST(tbl->block_count() >= 2u);
  ok(*c3, "COMMIT");
  tm().collect_garbage();
  uint64_t reclaimed = tm().stats().gc_reclaimed - before;
  BOOST_TEST(reclaimed >= uint64_t(n), "only " << reclaimed << " of " << n << " dead versions reclaimed");
  BOOST_TEST(pk->entry_count() == 2u, "index entries of reclaimed versions must be removed");
  BOOST_TEST(bal(*c1, 1) == n);
  BOOST_TEST(rows(*c1) == 2);
  // Reclaimed slots are reused: another n updates allocate no new block.
  uint32_t blocks = tbl->block_count();
  int done = run_updates(upd, n);
  BOOST_TEST(done == n);
  BOOST_TEST(tbl->block_count() == blocks);
  BOOST_TEST(bal(*c1, 1) == n + done);
}

BOOST_FIXTURE_TEST_CASE(memory_stays_bounded_over_100k_updates_of_one_row, db_fixture) {
  ok(*c1, "CREATE TABLE m(id INT PRIMARY KEY, v INT NOT NULL, pad TEXT)");
  ok(*c1, "INSERT INTO m VALUES (1, 0, lpad('x', 100, 'x'))");  // a long string: heap memory per version
  auto tbl = table("m");
  auto pk = tbl->indexes()->at(0);
  const size_t initial_mem = tbl->memory_bytes();  // one block + one long string
  auto upd = c1->prepare("UPDATE m SET v = v + 1 WHERE id = 1");
  BOOST_REQUIRE(upd.ok());
  constexpr int n = 100000;
  size_t max_mem = 0, max_entries = 0;
  uint32_t max_blocks = 0;
  int done = 0;
  for (int i = 1; i <= n; i += 1000) {
    done += run_updates(upd, 1000);
    tm().collect_garbage();
    max_mem = std::max(max_mem, tbl->memory_bytes());
    max_entries = std::max(max_entries, pk->entry_count());
    max_blocks = std::max(max_blocks, tbl->block_count());
  }
  BOOST_TEST(done == n);
  BOOST_TEST_MESSAGE("100k updates: max blocks " << max_blocks << ", max memory " << max_mem << " B, max index entries "
                                                 << max_entries << ", reclaimed " << tm().stats().gc_reclaimed);
  BOOST_TEST(scalar(*c1, "SELECT v FROM m WHERE id = 1") == done);
  BOOST_TEST(scalar(*c1, "SELECT count(*) FROM m") == 1);
  BOOST_TEST(max_blocks <= 3u, "dead versions are not reused: " << max_blocks << " blocks");
  BOOST_TEST(max_entries <= 3000u);
  BOOST_TEST(max_mem <= 3 * initial_mem + (1u << 20), "table memory grew to " << max_mem << " B");
  BOOST_TEST(tm().stats().gc_reclaimed >= uint64_t(n - 2000));
}

// Scans skip the stamps of a block that an earlier scan found all live and committed, until
// any stamp of it is written (row_block::known_all_visible). Every kind of change after such a
// scan must still show, to exactly the snapshots that should see it.
BOOST_FIXTURE_TEST_CASE(scans_of_unchanged_blocks_see_every_later_change, db_fixture) {
  ok(*c1, "CREATE TABLE t(k INT PRIMARY KEY, v INT NOT NULL)");
  ok(*c1, "INSERT INTO t SELECT g, g FROM generate_series(1, 3000) g");  // three blocks
  const std::string count = "SELECT count(*) FROM t WHERE v > 0", sum = "SELECT sum(v) FROM t WHERE v > 0";
  // Twice: the first scan after a change notes the blocks, the second reads through the note.
  auto count_twice = [&](db001::connection& c, int64_t want) {
    for (int pass = 1; pass <= 2; ++pass) BOOST_TEST(scalar(c, count) == want, "pass " << pass);
  };
  BOOST_TEST(scalar(*c2, count) == 3000);  // the blocks get their note here...
  BOOST_TEST(scalar(*c2, sum) == 4501500);  // ...and are read by it here
  // An uncommitted delete: gone for its own transaction only; a snapshot older than its
  // commit keeps the rows.
  ok(*c1, "BEGIN");
  BOOST_TEST(ok(*c1, "DELETE FROM t WHERE k % 2 = 0").rows_affected() == 1500u);
  BOOST_TEST(scalar(*c1, count) == 1500);
  BOOST_TEST(scalar(*c2, count) == 3000);
  ok(*c3, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  BOOST_TEST(scalar(*c3, count) == 3000);
  ok(*c1, "COMMIT");
  count_twice(*c2, 1500);
  BOOST_TEST(scalar(*c3, count) == 3000);
  ok(*c3, "COMMIT");
  // An UPDATE of every row scans blocks it writes new versions into: each row once.
  for (int round = 1; round <= 2; ++round) {
    BOOST_TEST(scalar(*c2, count) == 1500);
    BOOST_TEST(ok(*c1, "UPDATE t SET v = v + 1").rows_affected() == 1500u);
    BOOST_TEST(scalar(*c2, sum) == 2250000 + 1500 * round);  // odd k: 1 + 3 + ... + 2999 = 2 250 000
  }
  // A rolled-back insert leaves nothing behind, before or after a scan notes the blocks.
  ok(*c1, "BEGIN");
  ok(*c1, "INSERT INTO t SELECT g, 1 FROM generate_series(5001, 5100) g");
  BOOST_TEST(scalar(*c1, count) == 1600);
  ok(*c1, "ROLLBACK");
  count_twice(*c2, 1500);
  // Reclaimed slots reused by a later commit: invisible to a snapshot taken before it.
  ok(*c1, "VACUUM");
  ok(*c3, "BEGIN ISOLATION LEVEL REPEATABLE READ");
  BOOST_TEST(scalar(*c3, count) == 1500);
  ok(*c1, "INSERT INTO t SELECT g, 1 FROM generate_series(10001, 12000) g");
  count_twice(*c2, 3500);
  count_twice(*c3, 1500);
  ok(*c3, "COMMIT");
}

BOOST_AUTO_TEST_SUITE_END()
