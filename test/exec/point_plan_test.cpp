// The OLTP fast path (exec/point_plan): prepared point SELECTs by a unique key and one-row
// INSERTs must behave exactly as the operator path does — visibility, constraint errors,
// casts, re-planning — and results the caller still holds must never be overwritten.
#include <boost/test/unit_test.hpp>

#include <thread>

#include "db001/db001.h"
#include "sql/engine.h"
#include "sql/session.h"
#include "txn/txn_manager.h"

namespace {

db001::value int8(int64_t k) { return db001::value::int64(k); }

struct kv_fixture {
  std::unique_ptr<db001::database> db = db001::database::open();
  std::unique_ptr<db001::connection> c = db->connect();
  kv_fixture() {
    BOOST_REQUIRE(c->execute("CREATE TABLE kv (k BIGINT PRIMARY KEY, v TEXT NOT NULL, n INT DEFAULT 7, "
                             "s VARCHAR(5))")
                      .ok());
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(point_plan)

BOOST_FIXTURE_TEST_CASE(point_select_sees_what_the_operator_path_sees, kv_fixture) {
  auto ins = c->prepare("INSERT INTO kv (k, v) VALUES ($1, $2)");
  auto sel = c->prepare("SELECT v, n FROM kv WHERE k = $1");
  BOOST_REQUIRE(ins.ok() && sel.ok());
  for (int64_t k = 1; k <= 100; ++k)
    BOOST_REQUIRE(ins.execute({int8(k), db001::value::text("value number " + std::to_string(k))}).ok());
  for (int64_t k = 1; k <= 100; ++k) {
    auto r = sel.execute({int8(k)});
    BOOST_REQUIRE(r.ok());
    BOOST_REQUIRE_EQUAL(r.row_count(), 1u);
    BOOST_TEST(r.text(0, 0) == "value number " + std::to_string(k));
    BOOST_TEST(r.get(0, 1).as_int() == 7, "the default of n");
    BOOST_TEST(r.command_tag() == "SELECT 1");
    BOOST_TEST(r.column_name(1) == "n");
  }
  BOOST_TEST(sel.execute({int8(1000)}).row_count() == 0u);
  BOOST_TEST(sel.execute({db001::value::null()}).row_count() == 0u, "= NULL matches nothing");
  BOOST_TEST(sel.execute({db001::value::int32(5)}).text(0, 0) == "value number 5", "an int4 parameter is cast");
  // Updated and deleted rows: the newest committed version, or none.
  BOOST_REQUIRE(c->execute("UPDATE kv SET v = 'changed' WHERE k = 3").ok());
  BOOST_REQUIRE(c->execute("DELETE FROM kv WHERE k = 4").ok());
  BOOST_TEST(sel.execute({int8(3)}).text(0, 0) == "changed");
  BOOST_TEST(sel.execute({int8(4)}).row_count() == 0u);
  // Inside a block the statement sees its own uncommitted changes; others do not.
  auto other = db->connect();
  auto other_sel = other->prepare("SELECT v, n FROM kv WHERE k = $1");
  BOOST_REQUIRE(c->execute("BEGIN").ok());
  BOOST_REQUIRE(c->execute("UPDATE kv SET v = 'mine' WHERE k = 5").ok());
  BOOST_TEST(sel.execute({int8(5)}).text(0, 0) == "mine");
  BOOST_TEST(other_sel.execute({int8(5)}).text(0, 0) == "value number 5");
  BOOST_REQUIRE(c->execute("ROLLBACK").ok());
  BOOST_TEST(sel.execute({int8(5)}).text(0, 0) == "value number 5");
}

BOOST_FIXTURE_TEST_CASE(held_results_are_never_reused, kv_fixture) {
  auto ins = c->prepare("INSERT INTO kv (k, v) VALUES ($1, $2)");
  auto sel = c->prepare("SELECT v FROM kv WHERE k = $1");
  BOOST_REQUIRE(ins.execute({int8(1), db001::value::text("the first row, long enough")}).ok());
  BOOST_REQUIRE(ins.execute({int8(2), db001::value::text("the second row, long enough")}).ok());
  auto r1 = sel.execute({int8(1)});
  auto r2 = sel.execute({int8(2)});
  auto r3 = sel.execute({int8(3)});
  BOOST_TEST(r1.text(0, 0) == "the first row, long enough");
  BOOST_TEST(r2.text(0, 0) == "the second row, long enough");
  BOOST_TEST(r3.row_count() == 0u);
  BOOST_TEST(r1.command_tag() == "SELECT 1");
  BOOST_TEST(r3.command_tag() == "SELECT 0");
}

BOOST_FIXTURE_TEST_CASE(point_insert_checks_constraints, kv_fixture) {
  auto ins = c->prepare("INSERT INTO kv VALUES ($1, $2, $3, $4)");
  BOOST_REQUIRE(ins.ok());
  BOOST_TEST(ins.execute({int8(1), db001::value::text("a"), db001::value::int32(1), db001::value::text("abc")}).ok());
  auto dup = ins.execute({int8(1), db001::value::text("b"), db001::value::int32(2), db001::value::text("x")});
  BOOST_TEST(dup.sqlstate() == "23505");
  BOOST_TEST(dup.error_detail() == "Key (k)=(1) already exists.");
  auto null_v = ins.execute({int8(2), db001::value::null(), db001::value::int32(2), db001::value::text("x")});
  BOOST_TEST(null_v.sqlstate() == "23502");
  auto too_long = ins.execute({int8(3), db001::value::text("c"), db001::value::int32(3), db001::value::text("abcdef")});
  BOOST_TEST(too_long.sqlstate() == "22001", "varchar(5) is enforced: " << too_long.error_message());
  auto count = c->execute("SELECT count(*), sum(n) FROM kv");
  BOOST_TEST(count.get(0, 0).as_int() == 1);
  BOOST_TEST(count.get(0, 1).as_int() == 1);
  auto tag = ins.execute({int8(4), db001::value::text("d"), db001::value::null(), db001::value::null()});
  BOOST_TEST(tag.command_tag() == "INSERT 0 1");
  BOOST_TEST(c->execute("SELECT n IS NULL FROM kv WHERE k = 4").text(0, 0) == "t", "an explicit NULL, not the default");
}

BOOST_FIXTURE_TEST_CASE(replanned_after_ddl, kv_fixture) {
  BOOST_REQUIRE(c->execute("INSERT INTO kv (k, v) VALUES (1, 'one')").ok());
  auto sel = c->prepare("SELECT * FROM kv WHERE k = $1");
  BOOST_TEST(sel.execute({int8(1)}).column_count() == 4u);
  BOOST_REQUIRE(c->execute("DROP TABLE kv").ok());
  BOOST_TEST(sel.execute({int8(1)}).sqlstate() == "42P01");
  BOOST_REQUIRE(c->execute("CREATE TABLE kv (k BIGINT PRIMARY KEY, w TEXT)").ok());
  BOOST_REQUIRE(c->execute("INSERT INTO kv VALUES (1, 'new')").ok());
  auto r = sel.execute({int8(1)});
  BOOST_REQUIRE(r.ok());
  BOOST_TEST(r.column_count() == 2u);
  BOOST_TEST(r.column_name(1) == "w");
  BOOST_TEST(r.text(0, 1) == "new");
}

// A point read outside a transaction publishes its snapshot in the session's reader slot:
// the versions it may read are not reclaimed while it runs.
BOOST_AUTO_TEST_CASE(reader_slot_holds_the_gc_horizon) {
  db001::txn::txn_manager tm;
  db001::txn::reader_slot slot;
  uint64_t before = tm.gc_horizon();
  {
    db001::txn::snapshot_reader reader(tm, slot);
    BOOST_TEST(reader.snap().read_ts == before);
    auto t = tm.begin(db001::txn::isolation::read_committed);
    t->has_ddl = true;  // forces a commit timestamp
    tm.commit(*t);
    BOOST_TEST(tm.gc_horizon() == before, "the open reader holds the horizon");
  }
  BOOST_TEST(tm.gc_horizon() > before, "released when the read ends");
}

BOOST_AUTO_TEST_SUITE_END()
