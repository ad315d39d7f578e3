// Simple parameterization of simple queries (sql/auto_param.h) and the session's plan cache
// behind it: which constants are taken out, malformed input, and that a query run through a
// cached plan answers exactly what the same query answers when parsed as written.
#include <boost/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "db001/db001.h"
#include "sql/auto_param.h"

using db001::sql::parameterize;

namespace {

/// The parameterized text and the parameters as "type:value" (int4, int8, unknown).
struct shape {
  std::string text;
  std::vector<std::string> params;
};

std::optional<shape> shape_of(std::string_view sql) {
  auto q = parameterize(sql);
  if (!q) return std::nullopt;
  BOOST_REQUIRE_EQUAL(q->types.size(), q->values.size());
  shape s{q->text, {}};
  for (size_t i = 0; i < q->types.size(); ++i) {
    std::string t = q->types[i].id == db001::type_id::int32   ? "int4"
                    : q->types[i].id == db001::type_id::int64 ? "int8"
                    : q->types[i].id == db001::type_id::unknown ? "unknown"
                                                               : "other";
    s.params.push_back(t + ":" + q->values[i].to_string());
  }
  return s;
}

void expect(std::string_view sql, const std::string& text, const std::vector<std::string>& params) {
  BOOST_TEST_CONTEXT("SQL: " << sql) {
    auto s = shape_of(sql);
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST(s->text == text);
    BOOST_TEST(s->params == params, boost::test_tools::per_element());
  }
}

void untouched(std::string_view sql) {
  BOOST_TEST_CONTEXT("SQL: " << sql) {
    auto s = shape_of(sql);
    BOOST_TEST(!s.has_value(), "taken out: " << (s ? s->text : ""));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(auto_param)

BOOST_AUTO_TEST_CASE(pgbench_statements) {
  expect("SELECT abalance FROM pgbench_accounts WHERE aid = 123;", "SELECT abalance FROM pgbench_accounts WHERE aid = $1;",
         {"int4:123"});
  expect("UPDATE pgbench_accounts SET abalance = abalance + -4321 WHERE aid = 99;",
         "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;", {"int4:-4321", "int4:99"});
  expect("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (7, 1, 12, -50, CURRENT_TIMESTAMP);",
         "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);",
         {"int4:7", "int4:1", "int4:12", "int4:-50"});
}

BOOST_AUTO_TEST_CASE(constants_taken) {
  expect("select * from t where k = 3000000000", "select * from t where k = $1", {"int8:3000000000"});
  expect("select * from t where k = 2147483647", "select * from t where k = $1", {"int4:2147483647"});
  // As PostgreSQL types them: by the digits before the sign.
  expect("select * from t where k = -2147483648", "select * from t where k = $1", {"int8:-2147483648"});
  expect("select * from t where k = 0000000000012", "select * from t where k = $1", {"int4:12"});
  expect("SELECT v FROM t WHERE name = 'it''s' AND k >= 5", "SELECT v FROM t WHERE name = $1 AND k >= $2",
         {"unknown:it's", "int4:5"});
  expect("DELETE FROM t WHERE k IN (1, 2, 'x')", "DELETE FROM t WHERE k IN ($1, $2, $3)",
         {"int4:1", "int4:2", "unknown:x"});
  expect("INSERT INTO t VALUES (1, 'a'), (2, 'b') RETURNING k", "INSERT INTO t VALUES ($1, $2), ($3, $4) RETURNING k",
         {"int4:1", "unknown:a", "int4:2", "unknown:b"});
  expect("SELECT x * 2 FROM t WHERE \"Col\" <> 4 ORDER BY 1", "SELECT x * $1 FROM t WHERE \"Col\" <> $2 ORDER BY 1",
         {"int4:2", "int4:4"});
  expect("SELECT * FROM t WHERE lower(v) = 'a' -- comment\n", "SELECT * FROM t WHERE lower(v) = $1 -- comment\n",
         {"unknown:a"});
  expect("SELECT * FROM t WHERE a=-1", "SELECT * FROM t WHERE a=$1", {"int4:-1"});
}

BOOST_AUTO_TEST_CASE(constants_kept) {
  untouched("SELECT 1");
  untouched("SELECT * FROM t ORDER BY 1, 2");
  untouched("SELECT a, count(*) FROM t GROUP BY 1 LIMIT 5 OFFSET 2");
  untouched("SELECT * FROM t WHERE 1 = 1");
  untouched("SELECT * FROM t WHERE x = 1 / 0");
  untouched("SELECT * FROM t WHERE x = '1'::int");
  untouched("SELECT * FROM t WHERE d = DATE '2020-01-01'");
  untouched("SELECT * FROM t WHERE v = E'a\\nb'");
  untouched("SELECT * FROM t WHERE v = U&'d\\0061t'");
  untouched("SELECT * FROM t WHERE n = 1.5");
  untouched("SELECT * FROM t WHERE n = 1e5");
  untouched("SELECT * FROM t WHERE n = 99999999999999999999");
  untouched("SELECT * FROM t WHERE v = 'a' 'b'");
  untouched("SELECT * FROM t WHERE k = $1");
  untouched("SELECT * FROM t WHERE v = $$x$$");
  untouched("SELECT * FROM t WHERE k = 1; SELECT 2");
  untouched("BEGIN");
  untouched("CREATE TABLE t (a varchar(10) DEFAULT 'x')");
  untouched("EXPLAIN SELECT * FROM t WHERE k = 1");
  untouched("SELECT * FROM t WHERE v LIKE 'a%'");
  untouched("SELECT * FROM t WHERE k BETWEEN 1 AND 5");
  untouched("SELECT * FROM (VALUES (1, 'a')) v(a, b)");
  untouched("SELECT * FROM t WHERE v = 'caf\xc3'");  // invalid UTF-8: the parser reports it
  untouched(std::string_view("SELECT * FROM t WHERE v = 'a\0b'", 31));
}

BOOST_AUTO_TEST_CASE(malformed_input) {
  for (std::string_view sql :
       {"", ";", "   ", "SELECT * FROM t WHERE v = 'unterminated", "SELECT * FROM t WHERE \"x = 1", "SELECT /* open",
        "SELECT * FROM t WHERE k = 1)", "SELECT * FROM t WHERE k = (1", "SELECT * FROM t WHERE k = 12abc",
        "SELECT * FROM t WHERE k = 0x1F", "SELECT -", "SELECT * FROM t WHERE k = --1", "''''''", "select 'a'''"}) {
    BOOST_TEST_CONTEXT("SQL: " << sql) {
      auto q = parameterize(sql);
      if (q) BOOST_TEST(q->types.size() == q->values.size());
    }
  }
  // Random token soup: never crashes; what comes out has one $n per constant, numbered in order.
  static const char* pieces[] = {"SELECT ", "INSERT ", "UPDATE ", "DELETE ", "VALUES ", "IN ", "(", ")", ",", " = ",
                                 "-", "+", "'", "''", "'x'", "\"", "1", "2147483648", "99999999999999999999", " a ",
                                 " AND ", ";", "--", "/*", "*/", "\n", "$", "::", ".", "é", "\xff", "E", "'s'"};
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string sql;
    int n = 1 + int(rng() % 24);
    for (int k = 0; k < n; ++k) sql += pieces[rng() % (sizeof pieces / sizeof pieces[0])];
    auto q = parameterize(sql);
    if (!q) continue;
    BOOST_TEST_REQUIRE(q->types.size() == q->values.size());
    for (size_t p = 1; p <= q->types.size(); ++p)
      BOOST_TEST_REQUIRE(q->text.find("$" + std::to_string(p)) != std::string::npos, sql);
  }
}

namespace {

/// One database; run() executes a query as a one-statement simple query (through the plan
/// cache when it parameterizes) and written() behind "SELECT 1;" (never parameterized).
struct db {
  std::unique_ptr<db001::database> d = db001::database::open();
  std::unique_ptr<db001::connection> c = d->connect();

  static std::string dump(const db001::result& r) {
    if (!r.ok()) return "ERROR " + r.sqlstate() + " " + r.error_message();
    std::string s = r.command_tag() + " |";
    for (size_t i = 0; i < r.column_count(); ++i) s += " " + r.column_name(i) + ":" + std::to_string(int(r.column_type(i).id));
    for (size_t row = 0; row < r.row_count(); ++row) {
      s += "\n";
      for (size_t col = 0; col < r.column_count(); ++col) s += (r.is_null(row, col) ? "NULL" : r.text(row, col)) + "|";
    }
    return s;
  }
  std::string run(const std::string& sql) { return dump(c->execute(sql)); }
  std::string written(const std::string& sql) { return dump(c->execute("SELECT 1; " + sql)); }
  void ok(const std::string& sql) {
    auto r = c->execute(sql);
    BOOST_REQUIRE_MESSAGE(r.ok(), sql << ": " << r.error_message());
  }
  /// Reads answer the same both ways, twice (the second run uses the cached plan).
  void same(const std::string& sql) {
    BOOST_TEST_CONTEXT("SQL: " << sql) {
      std::string want = written(sql);
      BOOST_TEST(run(sql) == want);
      BOOST_TEST(run(sql) == want);
    }
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(cached_plans_answer_as_written) {
  db s;
  s.ok("CREATE TABLE t (k bigint PRIMARY KEY, i2 smallint, v varchar(3), c char(5), n numeric(10,2), d date, "
       "x text, f float8)");
  s.ok("INSERT INTO t VALUES (1, 1, 'abc', 'ab', 1.23, '2020-01-02', 'one', 0.5), (2, -4, 'xy', 'abc', 2, "
       "'2021-03-04', 'two', 1)");
  for (std::string q : {"SELECT * FROM t WHERE k = 1", "SELECT * FROM t WHERE k = 3000000000",
                        "SELECT * FROM t WHERE i2 = 100000", "SELECT * FROM t WHERE i2 = -4",
                        "SELECT * FROM t WHERE v = 'abcdef'",  // no cut to varchar(3)
                        "SELECT * FROM t WHERE v = 'abc'", "SELECT * FROM t WHERE c = 'ab '",
                        "SELECT * FROM t WHERE c = 'ab'", "SELECT * FROM t WHERE n = '1.234'",  // no rounding
                        "SELECT * FROM t WHERE n = '1.23'", "SELECT * FROM t WHERE d = '2020-01-02'",
                        "SELECT * FROM t WHERE d > '2020-06-01'", "SELECT k FROM t WHERE x = 'two'",
                        "SELECT k FROM t WHERE x IN ('one', 'three')", "SELECT k * 2, k + 3000000000 FROM t WHERE k = 1",
                        "SELECT f * 2 FROM t WHERE f < 1", "SELECT k FROM t WHERE k = 'abc'",
                        "SELECT k / 0 FROM t WHERE k = 7", "SELECT k / 0 FROM t WHERE k = 1",
                        "SELECT x FROM t WHERE x = 5", "SELECT k FROM t WHERE d = 'not a date'",
                        "SELECT k FROM t ORDER BY 1"})
    s.same(q);
  // Writes: the same outcome as written, on two identical tables.
  s.ok("CREATE TABLE w1 (k int PRIMARY KEY, v varchar(3), n numeric(5,2))");
  s.ok("CREATE TABLE w2 (k int PRIMARY KEY, v varchar(3), n numeric(5,2))");
  for (std::string q : {"INSERT INTO %s VALUES (1, 'abc', 1.5)", "INSERT INTO %s VALUES (2, 'abcd', 1)",
                        "INSERT INTO %s VALUES (3, 'a', 1000)", "INSERT INTO %s VALUES (1, 'dup', 1)",
                        "INSERT INTO %s VALUES (4, 'b', 2), (5, 'c', 3)", "UPDATE %s SET n = n + -1 WHERE k = 4",
                        "UPDATE %s SET v = 'toolong' WHERE k = 5", "DELETE FROM %s WHERE k IN (1, 5)",
                        "SELECT * FROM %s ORDER BY k"}) {
    auto on = [&](const char* table) {
      std::string sql = q;
      sql.replace(sql.find("%s"), 2, table);
      return sql;
    };
    BOOST_TEST_CONTEXT("SQL: " << q) {
      std::string a = s.run(on("w1")), b = s.written(on("w2"));
      for (auto* out : {&a, &b})
        for (size_t at; (at = out->find(out == &a ? "w1" : "w2")) != std::string::npos;) out->replace(at, 2, "w");
      BOOST_TEST(a == b);
    }
  }
}

BOOST_AUTO_TEST_CASE(plans_follow_ddl_and_settings) {
  db s;
  s.ok("CREATE TABLE pt (a int PRIMARY KEY, b text)");
  s.ok("INSERT INTO pt VALUES (1, 'one')");
  BOOST_TEST(s.run("SELECT b FROM pt WHERE a = 1") == "SELECT 1 | b:" + std::to_string(int(db001::type_id::text)) +
                                                          "\none|");
  s.ok("DROP TABLE pt");
  BOOST_TEST(s.run("SELECT b FROM pt WHERE a = 1") == "ERROR 42P01 relation \"pt\" does not exist");
  s.ok("CREATE TABLE pt (a text, b int)");
  s.ok("INSERT INTO pt VALUES ('1', 42)");
  // The same text now compares text with text and returns an integer.
  s.same("SELECT b FROM pt WHERE a = '1'");
  BOOST_TEST(s.run("SELECT b FROM pt WHERE a = 1") == s.written("SELECT b FROM pt WHERE a = 1"));
  // Plans made before a settings change are made again after it (same answers either way).
  s.ok("CREATE TABLE dt (d date)");
  s.ok("INSERT INTO dt VALUES ('2020-01-02')");
  s.same("SELECT count(*) FROM dt WHERE d = '01/02/2020'");
  s.ok("SET datestyle = 'ISO, DMY'");
  s.same("SELECT count(*) FROM dt WHERE d = '01/02/2020'");
}

BOOST_AUTO_TEST_CASE(errors_and_transaction_blocks) {
  db s;
  s.ok("CREATE TABLE e (k int PRIMARY KEY)");
  s.ok("INSERT INTO e VALUES (1)");
  s.ok("BEGIN");
  BOOST_TEST(s.run("INSERT INTO e VALUES (1)").rfind("ERROR 23505", 0) == 0);
  BOOST_TEST(s.run("SELECT k FROM e WHERE k = 1").rfind("ERROR 25P02", 0) == 0);  // the block is aborted
  s.ok("ROLLBACK");
  BOOST_TEST(s.run("SELECT k FROM e WHERE k = 1") == s.written("SELECT k FROM e WHERE k = 1"));
  // A constant that does not convert runs as written: its error points at the literal.
  auto r = s.c->execute("SELECT k FROM e WHERE k = 'x1'");
  auto w = s.c->execute("SELECT 1; SELECT k FROM e WHERE k = 'x1'");
  BOOST_TEST(r.sqlstate() == "22P02");
  BOOST_TEST(r.error_message() == w.error_message());
  BOOST_TEST(r.error_position() > 0);
  BOOST_TEST(r.error_position() + 10 == w.error_position());  // "SELECT 1; " shifts the written one
}

BOOST_AUTO_TEST_SUITE_END()
