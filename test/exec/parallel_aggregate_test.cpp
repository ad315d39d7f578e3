// Parallel aggregation (oneTBB flow graph over morsels of row blocks) must give exactly the
// serial answer, and errors raised in workers must reach the caller.
#include <boost/test/unit_test.hpp>

#include "db001/db001.h"

namespace {

std::unique_ptr<db001::database> make_db(int workers) {
  db001::options o;
  o.parallel_workers = workers;
  o.parallel_threshold_rows = 1000;  // force the parallel plan on a modest table
  return db001::database::open(o);
}

void load(db001::connection& c, int rows) {
  BOOST_REQUIRE(c.execute("CREATE TABLE f(k INT, g INT, x BIGINT, y DOUBLE PRECISION, z NUMERIC(12,2), s TEXT)").ok());
  BOOST_REQUIRE(c.execute("BEGIN").ok());
  auto ins = c.prepare("INSERT INTO f VALUES ($1, $2, $3, $4, $5, $6)");
  BOOST_REQUIRE(ins.ok());
  for (int i = 0; i < rows; ++i) {
    auto r = ins.execute({db001::value::int32(i), db001::value::int32(i % 7),
                          i % 11 == 0 ? db001::value::null(db001::sql_type::int64()) : db001::value::int64(i * 3),
                          db001::value::float64(i * 0.5), db001::value::text(std::to_string(i % 1000) + ".25"),
                          db001::value::text("s" + std::to_string(i % 13))});
    BOOST_REQUIRE(r.ok());
  }
  BOOST_REQUIRE(c.execute("COMMIT").ok());
}

std::vector<std::string> rows_of(db001::connection& c, const std::string& sql) {
  auto r = c.execute(sql);
  BOOST_REQUIRE_MESSAGE(r.ok(), sql + ": " + r.error_message());
  std::vector<std::string> out;
  for (size_t i = 0; i < r.row_count(); ++i) {
    std::string row;
    for (size_t j = 0; j < r.column_count(); ++j) row += (j ? "|" : "") + (r.is_null(i, j) ? "NULL" : r.text(i, j));
    out.push_back(row);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parallel_aggregate)

BOOST_AUTO_TEST_CASE(parallel_equals_serial) {
  auto serial = make_db(1);
  auto parallel = make_db(2);
  auto cs = serial->connect();
  auto cp = parallel->connect();
  load(*cs, 50000);
  load(*cp, 50000);
  const char* queries[] = {
      "SELECT count(*), sum(x), min(x), max(x), avg(x), sum(z), avg(z), count(x) FROM f",
      "SELECT g, count(*), sum(x), min(s), max(s), sum(z) FROM f GROUP BY g ORDER BY g",
      "SELECT g, count(*) FROM f WHERE k % 3 = 0 AND y > 100 GROUP BY g HAVING count(*) > 10 ORDER BY 1",
      "SELECT sum(x * 2 + k) FROM f WHERE z < 500",
  };
  for (auto* q : queries) {
    auto a = rows_of(*cs, q);
    auto b = rows_of(*cp, q);
    BOOST_TEST(a == b, q);
    BOOST_TEST(!a.empty());
  }
  // A concrete value, not just agreement: count of rows with x NULL is 50000/11 rounded up.
  BOOST_TEST(rows_of(*cp, "SELECT count(*) - count(x) FROM f")[0] == "4546");
}

BOOST_AUTO_TEST_CASE(worker_errors_reach_the_caller) {
  auto db = make_db(2);
  auto c = db->connect();
  load(*c, 20000);
  auto r = c->execute("SELECT sum(10 / (k - 12345)) FROM f");
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.sqlstate() == "22012");
  // The session is fine afterwards.
  BOOST_TEST(c->execute("SELECT count(*) FROM f").text(0, 0) == "20000");
}

BOOST_AUTO_TEST_SUITE_END()
