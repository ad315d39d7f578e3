// Bad input through the embedding API gets a clean error: PostgreSQL's SQLSTATE, message,
// cursor position and DETAIL, never a crash, a hang, an exception out of the API or wrong data.
//
// Every expected SQLSTATE, message, position, DETAIL, notice and result below is what
// PostgreSQL 15 answered for the same statements run in the same order on one session
// (libpq against a scratch server; positions are PG_DIAG_STATEMENT_POSITION).
//
// Known engine bugs: a check that fails today because of an engine bug stays in place, marked
// "KNOWN BUG" with what DB-001 answers, and its test case declares the number of failing checks
// with expected_failures(n), so the suite stays green while the bug is open and turns red if
// the case gets worse. Boost still prints each expected failure (with the SQL) in the log.
// When a bug is fixed, remove its marker and lower (or drop) the case's expected_failures.
#include <boost/test/unit_test.hpp>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "db001/db001.h"

namespace {

using cell = std::optional<std::string>;
const cell NULL_ = std::nullopt;

/// The statement for a failure message (long generated statements are cut).
std::string shown(std::string_view sql) {
  if (sql.size() <= 200) return std::string(sql);
  return std::string(sql.substr(0, 200)) + "... (" + std::to_string(sql.size()) + " bytes)";
}

/// One fresh database and connection, with checks that record failures through Boost.Test.
struct session {
  std::unique_ptr<db001::database> db;
  std::unique_ptr<db001::connection> c;

  session() {
    db001::options o;
    o.parallel_workers = 1;
    db = db001::database::open(o);
    c = db->connect();
  }

  /// connection::execute; an exception escaping the API is a failure (and yields nothing).
  std::optional<db001::result> run(std::string_view sql) {
    try {
      return c->execute(sql);
    } catch (const std::exception& e) {
      BOOST_ERROR("exception escaped connection::execute: " << e.what());
    } catch (...) {
      BOOST_ERROR("unknown exception escaped connection::execute");
    }
    return std::nullopt;
  }

  /// Expects an error: SQLSTATE and message always; position when `pos` > 0; DETAIL when given.
  void err(std::string_view sql, std::string state, std::string msg, int pos = 0, std::string detail = "") {
    BOOST_TEST_CONTEXT("SQL: " << shown(sql)) {
      auto r = run(sql);
      if (!r) return;
      if (r->ok()) {
        BOOST_ERROR("succeeded (" << r->command_tag() << ") but " << state << " was expected");
        return;
      }
      BOOST_TEST(r->sqlstate() == state);
      BOOST_TEST(r->error_message() == msg);
      if (pos > 0) BOOST_TEST(r->error_position() == pos);
      if (!detail.empty()) BOOST_TEST(r->error_detail() == detail);
    }
  }

  /// Expects success; checks the command tag when given and that each notice appears.
  void ok(std::string_view sql, std::string tag = "", std::initializer_list<std::string> notices = {}) {
    BOOST_TEST_CONTEXT("SQL: " << shown(sql)) {
      auto r = run(sql);
      if (!r) return;
      if (!r->ok()) {
        BOOST_ERROR("failed: " << r->sqlstate() << " " << r->error_message());
        return;
      }
      if (!tag.empty()) BOOST_TEST(r->command_tag() == tag);
      for (const auto& n : notices) {
        bool found = false;
        for (const auto& got : r->notices()) found |= got.find(n) != std::string::npos;
        BOOST_TEST(found, "notice \"" << n << "\" expected");
      }
    }
  }

  static std::string render(const std::vector<std::vector<cell>>& rows) {
    std::string out;
    for (const auto& row : rows) {
      out += "\n  ";
      for (size_t i = 0; i < row.size(); ++i) out += (i ? " | " : "") + (row[i] ? "'" + *row[i] + "'" : "NULL");
    }
    return out.empty() ? "(no rows)" : out;
  }

  /// Expects a query result, compared as PostgreSQL's text output row by row (in order).
  void rows(std::string_view sql, const std::vector<std::vector<cell>>& expected) {
    BOOST_TEST_CONTEXT("SQL: " << shown(sql)) {
      auto r = run(sql);
      if (!r) return;
      if (!r->ok()) {
        BOOST_ERROR("failed: " << r->sqlstate() << " " << r->error_message());
        return;
      }
      std::vector<std::vector<cell>> actual;
      for (size_t i = 0; i < r->row_count(); ++i) {
        actual.emplace_back();
        for (size_t j = 0; j < r->column_count(); ++j)
          actual.back().push_back(r->is_null(i, j) ? NULL_ : cell(r->text(i, j)));
      }
      BOOST_TEST(render(actual) == render(expected));
    }
  }

  /// Prepares `sql`; a failure to prepare is reported as a check failure.
  db001::prepared_statement prepare(std::string_view sql) {
    try {
      return c->prepare(sql);
    } catch (const std::exception& e) {
      BOOST_ERROR("exception escaped connection::prepare: " << e.what());
    } catch (...) {
      BOOST_ERROR("unknown exception escaped connection::prepare");
    }
    return {};
  }
};

/// SQLSTATE of a result ("00000" when ok).
std::string state_of(const db001::result& r) { return r.ok() ? "00000" : r.sqlstate(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(errors)

// 42601 with PostgreSQL's 1-based character position of the offending token
BOOST_AUTO_TEST_CASE(syntax_error_positions) {
  session s;
  s.err("SELEC 1", "42601", "syntax error at or near \"SELEC\"", 1);
  s.err("SELECT 1 +", "42601", "syntax error at end of input", 11);
  s.err("SELECT * FROM", "42601", "syntax error at end of input", 14);
  s.err("SELECT 1 2", "42601", "syntax error at or near \"2\"", 10);
  s.err("SELECT 1)", "42601", "syntax error at or near \")\"", 9);
  s.err("SELECT (1", "42601", "syntax error at end of input", 10);
  s.err("SELECT * FROM t WHERE", "42601", "syntax error at end of input", 22);
  s.err("CREATE TABLE (a int)", "42601", "syntax error at or near \"(\"", 14);
  s.err("CREATE TABLE x(select int)", "42601", "syntax error at or near \"select\"", 16);
  s.err("INSERT INTO t VALUES (1,)", "42601", "syntax error at or near \")\"", 25);
  s.err("SELECT 1 FROM t GROUP", "42601", "syntax error at end of input", 22);
  s.err("UPDATE SET a = 1", "42601", "syntax error at or near \"=\"", 14);
  s.err("DELETE t", "42601", "syntax error at or near \"t\"", 8);
  s.err("SELECT 'abc", "42601", "unterminated quoted string at or near \"'abc\"", 8);
  s.err("SELECT 1 /* never closed", "42601", "unterminated /* comment at or near \"/* never closed\"", 10);
  s.err("SELECT \"abc", "42601", "unterminated quoted identifier at or near \"\"abc\"", 8);
  s.err("SELECT \"\"", "42601", "zero-length delimited identifier at or near \"\"\"\"", 8);
  s.err("SELECT 0x", "42601", "trailing junk after numeric literal at or near \"0x\"", 8);
  s.err("select 1 +\n  2 +\n  FROM t", "42601", "syntax error at or near \"FROM\"", 20);
  s.err("   \n\t SELEC", "42601", "syntax error at or near \"SELEC\"", 7);
}

// positions count characters, not bytes: text before the error holds 2-, 3- and 4-byte UTF-8 characters
BOOST_AUTO_TEST_CASE(syntax_error_positions_multibyte) {
  session s;
  s.err("SELECT 'ü' +", "42601", "syntax error at end of input", 13);               // KNOWN BUG: pos 12 (pg 13)
  s.err("SELECT 'äöü' + FROM t", "42601", "syntax error at or near \"FROM\"", 16);  // KNOWN BUG: pos 13 (pg 16)
  s.err("SELECT '日本語', 1 +", "42601", "syntax error at end of input", 18);       // KNOWN BUG: pos 12 (pg 18)
  s.err("SELECT '日本語' AS \"列\" FRM t", "42601", "syntax error at or near \"FRM\"",
        21);                                                                        // KNOWN BUG: pos 15 (pg 21)
  s.err("SELECT '🙂🙂' ,, 1", "42601", "syntax error at or near \",\"", 14);    // KNOWN BUG: pos 11 (pg 14)
  s.err("SELECT 'é' AS é, 'x' y z", "42601", "syntax error at or near \"z\"", 24);  // KNOWN BUG: pos 22 (pg 24)
  s.err("/* ünïcödé comment */ SELEC 1", "42601", "syntax error at or near \"SELEC\"",
        23);  // KNOWN BUG: pos 19 (pg 23)
}

// a syntax error anywhere in a multi-statement string runs none of it; positions count from the start of the whole
// string
BOOST_AUTO_TEST_CASE(syntax_error_in_later_statement) {
  session s;
  s.ok("CREATE TABLE t(a int)");
  s.err("SELECT 1; SELEC 2", "42601", "syntax error at or near \"SELEC\"", 11);
  s.err("SELECT 'üüüü', 1; SELEC", "42601", "syntax error at or near \"SELEC\"", 19);  // KNOWN BUG: pos 15 (pg 19)
  s.err("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2) garbage", "42601", "syntax error at or near \"garbage\"",
        52);
  s.rows("SELECT count(*) FROM t", {{"0"}});
  s.err("SELECT 1; SELECT nosuch FROM t", "42703", "column \"nosuch\" does not exist", 18);
  s.err("SELECT 'ä'; SELECT 'ö'; SELECT nosuch FROM t", "42703", "column \"nosuch\" does not exist", 32);
}

// 42P01
BOOST_AUTO_TEST_CASE(undefined_table, *boost::unit_test::expected_failures(1)) {
  session s;
  s.err("SELECT * FROM nosuch", "42P01", "relation \"nosuch\" does not exist", 15);
  s.err("SELECT 1 FROM (SELECT 1) x, nosuch", "42P01", "relation \"nosuch\" does not exist", 29);
  s.err("SELECT * FROM (SELECT * FROM nosuch) s", "42P01", "relation \"nosuch\" does not exist", 30);
  s.err("SELECT (SELECT 1 FROM nosuch)", "42P01", "relation \"nosuch\" does not exist", 23);
  s.err("INSERT INTO nosuch VALUES (1)", "42P01", "relation \"nosuch\" does not exist", 13);
  s.err("UPDATE nosuch SET a = 1", "42P01", "relation \"nosuch\" does not exist", 8);
  s.err("DELETE FROM nosuch", "42P01", "relation \"nosuch\" does not exist", 13);
  s.ok("CREATE TABLE t(a int)");
  s.err("SELECT * FROM t JOIN nosuch ON true", "42P01", "relation \"nosuch\" does not exist", 22);
  s.err("SELECT nosuch.a FROM t", "42P01", "missing FROM-clause entry for table \"nosuch\"", 8);
  s.err("SELECT t.a FROM t AS x", "42P01", "invalid reference to FROM-clause entry for table \"t\"",
        8);  // KNOWN BUG: msg 'missing FROM-clause entry for table "t"'
  s.err("CREATE INDEX i ON nosuch(a)", "42P01", "relation \"nosuch\" does not exist");
  s.err("CREATE VIEW v AS SELECT * FROM nosuch", "42P01", "relation \"nosuch\" does not exist", 32);
  s.err("SELECT * FROM T_NOSUCH", "42P01", "relation \"t_nosuch\" does not exist", 15);
  s.err("SELECT * FROM \"T\"", "42P01", "relation \"T\" does not exist", 15);
}

// 42703
BOOST_AUTO_TEST_CASE(undefined_column) {
  session s;
  s.ok("CREATE TABLE t(a int, b text)");
  s.err("SELECT c FROM t", "42703", "column \"c\" does not exist", 8);
  s.err("SELECT a FROM t WHERE c = 1", "42703", "column \"c\" does not exist", 23);
  s.err("SELECT a FROM t ORDER BY c", "42703", "column \"c\" does not exist", 26);
  s.err("SELECT a FROM t GROUP BY c", "42703", "column \"c\" does not exist", 26);
  s.err("SELECT t.c FROM t", "42703", "column t.c does not exist", 8);
  s.err("SELECT \"A\" FROM t", "42703", "column \"A\" does not exist", 8);
  s.err("INSERT INTO t(a, c) VALUES (1, 2)", "42703", "column \"c\" of relation \"t\" does not exist", 18);
  s.err("UPDATE t SET c = 1", "42703", "column \"c\" of relation \"t\" does not exist", 14);
  s.err("UPDATE t SET a = c", "42703", "column \"c\" does not exist", 18);
  s.err("DELETE FROM t WHERE c > 0", "42703", "column \"c\" does not exist", 21);
  s.err("SELECT * FROM t x JOIN t y USING (c)", "42703",
        "column \"c\" specified in USING clause does not exist in left table");
  s.err("SELECT a FROM (SELECT a FROM t) s WHERE b = 'x'", "42703", "column \"b\" does not exist", 41);
  s.err("SELECT sum(c) FROM t", "42703", "column \"c\" does not exist", 12);
  s.err("CREATE INDEX i ON t(c)", "42703", "column \"c\" does not exist");
}

// 42702 (qualified names, USING columns and distinct aliases are not ambiguous)
BOOST_AUTO_TEST_CASE(ambiguous_column) {
  session s;
  s.ok("CREATE TABLE t(a int, b int)");
  s.ok("CREATE TABLE u(a int, c int)");
  s.err("SELECT a FROM t, u", "42702", "column reference \"a\" is ambiguous", 8);
  s.err("SELECT b FROM t, u WHERE a = 1", "42702", "column reference \"a\" is ambiguous", 26);
  s.rows("SELECT t.a FROM t, u ORDER BY a", {});
  s.err("SELECT a FROM t JOIN u ON a = c", "42702", "column reference \"a\" is ambiguous", 27);
  s.err("SELECT a, b AS a FROM t ORDER BY a", "42702", "ORDER BY \"a\" is ambiguous", 34);
  s.rows("SELECT a FROM t JOIN u USING (a)", {});
  s.rows("SELECT * FROM t x, t y WHERE x.a = y.a", {});
  s.err("SELECT a FROM t x, t y", "42702", "column reference \"a\" is ambiguous", 8);
}

// 42883 operator/function does not exist, 42804 datatype mismatch
BOOST_AUTO_TEST_CASE(operator_and_type_errors, *boost::unit_test::expected_failures(6)) {
  session s;
  s.ok("CREATE TABLE t(a int, b text, c date, d boolean)");
  s.err("SELECT 1 + true", "42883", "operator does not exist: integer + boolean", 10);
  s.err("SELECT 'a'::text - 'b'::text", "42883", "operator does not exist: text - text", 18);
  s.err("SELECT a + b FROM t", "42883", "operator does not exist: integer + text", 10);
  s.err("SELECT c * c FROM t", "42883", "operator does not exist: date * date", 10);
  s.err("SELECT -d FROM t", "42883", "operator does not exist: - boolean", 8);
  s.err("SELECT NOT a FROM t", "42804", "argument of NOT must be type boolean, not type integer", 12);
  s.err("SELECT nosuch(1)", "42883", "function nosuch(integer) does not exist", 8);
  s.err("SELECT length(1)", "42883", "function length(integer) does not exist", 8);
  s.err("SELECT abs('x'::text)", "42883", "function abs(text) does not exist", 8);
  s.err("SELECT 1 WHERE 1", "42804", "argument of WHERE must be type boolean, not type integer", 16);
  s.err("SELECT a FROM t WHERE b", "42804", "argument of WHERE must be type boolean, not type text", 23);
  s.err("SELECT CASE WHEN 1 THEN 1 END", "42804", "argument of CASE/WHEN must be type boolean, not type integer", 18);
  s.err("SELECT CASE WHEN true THEN 1 ELSE 'x'::text END", "42804", "CASE types text and integer cannot be matched",
        28);  // KNOWN BUG: msg 'CASE types integer and text cannot be matched'; pos 35 (pg 28)
  s.err("SELECT COALESCE(1, 'x'::text)", "42804", "COALESCE types integer and text cannot be matched", 20);
  s.err("SELECT 1 UNION SELECT 'x'::text", "42804", "UNION types integer and text cannot be matched",
        23);  // KNOWN BUG: pos 0 (pg 23)
  s.err("SELECT 1 IN ('x'::text)", "42883", "operator does not exist: integer = text", 10);
  s.err("INSERT INTO t(a) VALUES ('x'::text)", "42804",
        "column \"a\" is of type integer but expression is of type text", 26);
  s.err("INSERT INTO t(d) VALUES (1)", "42804", "column \"d\" is of type boolean but expression is of type integer",
        26);
  s.err("UPDATE t SET c = 1", "42804", "column \"c\" is of type date but expression is of type integer", 18);
  s.err("SELECT a FROM t WHERE a = b", "42883", "operator does not exist: integer = text", 25);
  s.err("SELECT a FROM t WHERE c > 1", "42883", "operator does not exist: date > integer", 25);
  s.err("SELECT sum(b) FROM t", "42883", "function sum(text) does not exist", 8);
  s.err("SELECT avg(d) FROM t", "42883", "function avg(boolean) does not exist", 8);
  s.err("SELECT a FROM t LIMIT 'x'::text", "42804", "argument of LIMIT must be type bigint, not type text",
        23);  // KNOWN BUG: msg 'argument of type text cannot be used as bigint'
  s.err("SELECT 'a' LIKE 1", "42883", "operator does not exist: unknown ~~ integer",
        12);  // KNOWN BUG: state 42804; msg 'argument of type integer cannot be used as text'
}

// 22P02 invalid input syntax (and 22007/22008 for dates)
BOOST_AUTO_TEST_CASE(invalid_text_representation, *boost::unit_test::expected_failures(15)) {
  session s;
  s.ok("CREATE TABLE t(a int, b numeric(6,2), c boolean, d float8, e bigint, f date)");
  s.err("SELECT 'abc'::int", "22P02", "invalid input syntax for type integer: \"abc\"", 8);  // KNOWN BUG: pos 13 (pg 8)
  s.err("SELECT '1.5'::int", "22P02", "invalid input syntax for type integer: \"1.5\"", 8);  // KNOWN BUG: pos 13 (pg 8)
  s.err("SELECT ''::int", "22P02", "invalid input syntax for type integer: \"\"", 8);        // KNOWN BUG: pos 10 (pg 8)
  s.err("SELECT ' 12 x'::int", "22P02", "invalid input syntax for type integer: \" 12 x\"",
        8);  // KNOWN BUG: pos 15 (pg 8)
  s.err("SELECT 'abc'::bigint", "22P02", "invalid input syntax for type bigint: \"abc\"",
        8);  // KNOWN BUG: pos 13 (pg 8)
  s.err("SELECT 'abc'::smallint", "22P02", "invalid input syntax for type smallint: \"abc\"",
        8);  // KNOWN BUG: pos 13 (pg 8)
  s.err("SELECT 'abc'::numeric", "22P02", "invalid input syntax for type numeric: \"abc\"",
        8);  // KNOWN BUG: pos 13 (pg 8)
  s.err("SELECT '1e'::float8", "22P02", "invalid input syntax for type double precision: \"1e\"",
        8);                                                                            // KNOWN BUG: pos 12 (pg 8)
  s.err("SELECT 'x'::real", "22P02", "invalid input syntax for type real: \"x\"", 8);  // KNOWN BUG: pos 11 (pg 8)
  s.err("SELECT 'maybe'::boolean", "22P02", "invalid input syntax for type boolean: \"maybe\"",
        8);                                                                                // KNOWN BUG: pos 15 (pg 8)
  s.err("SELECT 'abc'::date", "22007", "invalid input syntax for type date: \"abc\"", 8);  // KNOWN BUG: pos 13 (pg 8)
  s.err("SELECT '2023-02-30'::date", "22008", "date/time field value out of range: \"2023-02-30\"",
        8);  // KNOWN BUG: pos 20 (pg 8)
  s.err("SELECT '2023-01-01 25:00'::timestamp", "22008", "date/time field value out of range: \"2023-01-01 25:00\"",
        8);  // KNOWN BUG: pos 26 (pg 8)
  s.err("INSERT INTO t(a) VALUES ('x')", "22P02", "invalid input syntax for type integer: \"x\"", 26);
  s.err("INSERT INTO t(b) VALUES ('1.2.3')", "22P02", "invalid input syntax for type numeric: \"1.2.3\"", 26);
  s.err("INSERT INTO t(c) VALUES ('yes please')", "22P02", "invalid input syntax for type boolean: \"yes please\"", 26);
  s.err("INSERT INTO t(e) VALUES ('12abc')", "22P02", "invalid input syntax for type bigint: \"12abc\"", 26);
  s.err("SELECT * FROM t WHERE a = 'x'", "22P02", "invalid input syntax for type integer: \"x\"",
        27);                                                                             // KNOWN BUG: pos 25 (pg 27)
  s.err("SELECT 1 + 'a'", "22P02", "invalid input syntax for type integer: \"a\"", 12);  // KNOWN BUG: pos 10 (pg 12)
  s.rows("SELECT ' 12 '::int, '+7'::int, '-0'::int, ' t '::boolean, 'Yes'::boolean, 'off'::boolean, ' 1.50 '::numeric",
         {{"12", "7", "0", "t", "t", "f", "1.50"}});
}

// 22003: int2/int4/int8 arithmetic, casts and aggregates; SUM over bigint is numeric and exact
BOOST_AUTO_TEST_CASE(integer_overflow, *boost::unit_test::expected_failures(6)) {
  session s;
  s.err("SELECT 2147483647 + 1", "22003", "integer out of range");
  s.err("SELECT -2147483647 - 2", "22003", "integer out of range");
  s.err("SELECT 2147483647 * 2", "22003", "integer out of range");
  s.err("SELECT (-2147483648) / (-1)", "22003",
        "integer out of range");  // KNOWN BUG: succeeded: SELECT 1 [['2147483648']]
  s.rows("SELECT -(-2147483648)", {{"2147483648"}});
  s.err("SELECT abs(-2147483648)", "22003", "integer out of range");  // KNOWN BUG: succeeded: SELECT 1 [['2147483648']]
  s.err("SELECT 9223372036854775807 + 1", "22003", "bigint out of range");
  s.err("SELECT (-9223372036854775807 - 1) * -1", "22003", "bigint out of range");
  s.err("SELECT 9223372036854775807::bigint * 2", "22003", "bigint out of range");
  s.err("SELECT (-9223372036854775808)::bigint / -1", "22003", "bigint out of range");
  s.err("SELECT 32767::smallint + 1::smallint", "22003", "smallint out of range");
  s.err("SELECT (-32768)::smallint * (-1)::smallint", "22003", "smallint out of range");
  s.err("SELECT 3000000000::int", "22003", "integer out of range");
  s.err("SELECT 40000::smallint", "22003", "smallint out of range");
  s.err("SELECT 40000::int::smallint", "22003", "smallint out of range");
  s.err("SELECT '2147483648'::int", "22003", "value \"2147483648\" is out of range for type integer",
        8);  // KNOWN BUG: pos 20 (pg 8)
  s.err("SELECT '-2147483649'::int", "22003", "value \"-2147483649\" is out of range for type integer",
        8);  // KNOWN BUG: pos 21 (pg 8)
  s.err("SELECT '9223372036854775808'::bigint", "22003",
        "value \"9223372036854775808\" is out of range for type bigint", 8);  // KNOWN BUG: pos 29 (pg 8)
  s.err("SELECT '32768'::smallint", "22003", "value \"32768\" is out of range for type smallint",
        8);  // KNOWN BUG: pos 15 (pg 8)
  s.err("SELECT 2147483647.5::int", "22003", "integer out of range");
  s.err("SELECT 1e10::float8::int", "22003", "integer out of range");
  s.err("SELECT 'NaN'::float8::int", "22003", "integer out of range");
  s.err("SELECT 'Infinity'::float8::bigint", "22003", "bigint out of range");
  s.err("SELECT 99999999999999999999::numeric::bigint", "22003", "bigint out of range");
  s.rows("SELECT (-2147483648) % (-1), (-9223372036854775808)::bigint % (-1), (-2147483648)::int / 1",
         {{"0", "0", "-2147483648"}});
  s.ok("CREATE TABLE t(a int, b bigint, c smallint)");
  s.ok("INSERT INTO t VALUES (2147483647, 9223372036854775807, 32767), (1, 1, 1)", "INSERT 0 2");
  s.err("SELECT a + 1 FROM t", "22003", "integer out of range");
  s.err("SELECT b + 1 FROM t", "22003", "bigint out of range");
  s.err("SELECT c + 1::smallint FROM t", "22003", "smallint out of range");
  s.rows("SELECT sum(b) FROM t", {{"9223372036854775808"}});
  s.err("SELECT sum(b)::bigint FROM t", "22003", "bigint out of range");
  s.rows("SELECT sum(a) FROM t", {{"2147483648"}});
  s.err("SELECT sum(a)::int FROM t", "22003", "integer out of range");
  s.rows("SELECT sum(c) FROM t", {{"32768"}});
  s.err("SELECT max(a) + 1 FROM t", "22003", "integer out of range");
  s.rows("SELECT sum(b) FROM t WHERE b < 0", {{NULL_}});
  s.err("INSERT INTO t(a) VALUES (2147483648)", "22003", "integer out of range");
  s.err("INSERT INTO t(c) VALUES (32768)", "22003", "smallint out of range");
  s.err("UPDATE t SET a = a + 1", "22003", "integer out of range");
  s.err("UPDATE t SET c = c * 2", "22003", "smallint out of range");
  s.rows("SELECT a, b, c FROM t ORDER BY a", {{"1", "1", "1"}, {"2147483647", "9223372036854775807", "32767"}});
}

// 22003 numeric field overflow (with DETAIL), float overflow; 2201E/2201F for invalid math arguments
BOOST_AUTO_TEST_CASE(numeric_overflow, *boost::unit_test::expected_failures(3)) {
  session s;
  s.err("SELECT 1000::numeric(3,0)", "22003", "numeric field overflow", 0,
        "A field with precision 3, scale 0 must round to an absolute value less than 10^3.");
  s.rows("SELECT 12.345::numeric(4,2)", {{"12.35"}});
  s.err("SELECT 99.995::numeric(4,2)", "22003", "numeric field overflow", 0,
        "A field with precision 4, scale 2 must round to an absolute value less than 10^2.");
  s.rows("SELECT 99.994::numeric(4,2), (-99.994)::numeric(4,2), 0.005::numeric(3,2), (-0.005)::numeric(3,2)",
         {{"99.99", "-99.99", "0.01", "-0.01"}});
  s.err("SELECT '123.456'::numeric(5,3)", "22003", "numeric field overflow", 0,
        "A field with precision 5, scale 3 must round to an absolute value less than 10^2.");
  s.ok("CREATE TABLE t(a numeric(5,2))");
  s.err("INSERT INTO t VALUES (1000)", "22003", "numeric field overflow", 0,
        "A field with precision 5, scale 2 must round to an absolute value less than 10^3.");
  s.ok("INSERT INTO t VALUES (999.994)", "INSERT 0 1");
  s.err("INSERT INTO t VALUES (999.995)", "22003", "numeric field overflow", 0,
        "A field with precision 5, scale 2 must round to an absolute value less than 10^3.");
  s.err("UPDATE t SET a = a * 10", "22003", "numeric field overflow", 0,
        "A field with precision 5, scale 2 must round to an absolute value less than 10^3.");
  s.rows("SELECT a FROM t", {{"999.99"}});
  s.err("SELECT '1e400'::float8", "22003", "\"1e400\" is out of range for type double precision",
        8);  // KNOWN BUG: pos 15 (pg 8)
  s.err("SELECT '1e-400'::float8", "22003", "\"1e-400\" is out of range for type double precision",
        8);                                                                                // KNOWN BUG: pos 16 (pg 8)
  s.err("SELECT '3.4e39'::real", "22003", "\"3.4e39\" is out of range for type real", 8);  // KNOWN BUG: pos 16 (pg 8)
  s.err("SELECT '1e300'::float8 * '1e300'::float8", "22003", "value out of range: overflow");
  s.err("SELECT '1e200'::float8::real", "22003", "value out of range: overflow");
  s.err("SELECT sqrt(-1)", "2201F", "cannot take square root of a negative number");
  s.err("SELECT ln(0)", "2201E", "cannot take logarithm of zero");
  s.err("SELECT ln(-1)", "2201E", "cannot take logarithm of a negative number");
  s.err("SELECT power(0, -1)", "2201F", "zero raised to a negative power is undefined");
}

// 22012 for int2/int4/int8/numeric/float4/float8 division and modulo
BOOST_AUTO_TEST_CASE(division_by_zero) {
  session s;
  s.ok("CREATE TABLE t(i int, b bigint, s smallint, n numeric(5,2), f float8, r real)");
  s.ok("INSERT INTO t VALUES (0, 0, 0, 0, 0, 0)");
  s.err("SELECT 1/0", "22012", "division by zero");
  s.err("SELECT 1::bigint/0", "22012", "division by zero");
  s.err("SELECT 1::smallint/0::smallint", "22012", "division by zero");
  s.err("SELECT 1.0/0", "22012", "division by zero");
  s.err("SELECT 1.0/0.0", "22012", "division by zero");
  s.err("SELECT 1::float8/0", "22012", "division by zero");
  s.err("SELECT 1::real/0", "22012", "division by zero");
  s.err("SELECT 0/0", "22012", "division by zero");
  s.err("SELECT 5 % 0", "22012", "division by zero");
  s.err("SELECT 5::bigint % 0", "22012", "division by zero");
  s.err("SELECT 5.5 % 0", "22012", "division by zero");
  s.err("SELECT mod(5, 0)", "22012", "division by zero");
  s.err("SELECT 10 / i FROM t", "22012", "division by zero");
  s.err("SELECT 10 / b FROM t", "22012", "division by zero");
  s.err("SELECT 10::smallint / s FROM t", "22012", "division by zero");
  s.err("SELECT 10 / n FROM t", "22012", "division by zero");
  s.err("SELECT 10 / f FROM t", "22012", "division by zero");
  s.err("SELECT 10 / r FROM t", "22012", "division by zero");
  s.err("SELECT 10 % i FROM t", "22012", "division by zero");
  s.err("SELECT count(*) FROM t WHERE 1 / i > 0", "22012", "division by zero");
  s.err("SELECT sum(1 / i) FROM t", "22012", "division by zero");
  s.err("UPDATE t SET i = 1 / i", "22012", "division by zero");
  s.rows("SELECT i FROM t", {{"0"}});
  s.rows("SELECT 1 / NULLIF(i, 0) FROM t", {{NULL_}});
}

// 22001 on assignment; explicit casts truncate; trailing blanks are dropped
BOOST_AUTO_TEST_CASE(string_right_truncation, *boost::unit_test::expected_failures(1)) {
  session s;
  s.ok("CREATE TABLE t(a varchar(3), b char(3))");
  s.err("INSERT INTO t(a) VALUES ('abcd')", "22001", "value too long for type character varying(3)");
  s.err("INSERT INTO t(b) VALUES ('abcd')", "22001", "value too long for type character(3)");
  s.ok("INSERT INTO t(a, b) VALUES ('abc   ', 'xy    ')", "INSERT 0 1");
  s.err("UPDATE t SET a = a || 'x'", "22001", "value too long for type character varying(3)");
  s.rows("SELECT 'abcdef'::varchar(3), 'abcdef'::char(2), CAST('héllo' AS varchar(2))", {{"abc", "ab", "hé"}});
  s.rows("SELECT a, length(a), b, length(b), octet_length(b) FROM t",
         {{"abc", "3", "xy ", "2", "3"}});  // KNOWN BUG: rows [['abc', '3', 'xy ', '2', '2']]
  s.ok("INSERT INTO t(a) VALUES ('héé')", "INSERT 0 1");
  s.err("INSERT INTO t(a) VALUES ('héllo')", "22001", "value too long for type character varying(3)");
}

// 23502
BOOST_AUTO_TEST_CASE(not_null_violation, *boost::unit_test::expected_failures(7)) {
  session s;
  s.ok("CREATE TABLE t(a int PRIMARY KEY, b text NOT NULL, c int)");
  s.err("INSERT INTO t VALUES (1, NULL, 1)", "23502",
        "null value in column \"b\" of relation \"t\" violates not-null constraint", 0,
        "Failing row contains (1, null, 1).");  // KNOWN BUG: detail ''
  s.err("INSERT INTO t(a, c) VALUES (1, 1)", "23502",
        "null value in column \"b\" of relation \"t\" violates not-null constraint", 0,
        "Failing row contains (1, null, 1).");  // KNOWN BUG: detail ''
  s.err("INSERT INTO t VALUES (NULL, 'x', 1)", "23502",
        "null value in column \"a\" of relation \"t\" violates not-null constraint", 0,
        "Failing row contains (null, x, 1).");  // KNOWN BUG: detail ''
  s.err("INSERT INTO t(b) VALUES ('x')", "23502",
        "null value in column \"a\" of relation \"t\" violates not-null constraint", 0,
        "Failing row contains (null, x, null).");  // KNOWN BUG: detail ''
  s.ok("INSERT INTO t VALUES (1, 'x', 1)", "INSERT 0 1");
  s.err("UPDATE t SET b = NULL", "23502", "null value in column \"b\" of relation \"t\" violates not-null constraint",
        0, "Failing row contains (1, null, 1).");  // KNOWN BUG: detail ''
  s.err("UPDATE t SET a = NULL WHERE a = 1", "23502",
        "null value in column \"a\" of relation \"t\" violates not-null constraint", 0,
        "Failing row contains (null, x, 1).");  // KNOWN BUG: detail ''
  s.err("INSERT INTO t SELECT 2, NULL, 2", "23502",
        "null value in column \"b\" of relation \"t\" violates not-null constraint", 0,
        "Failing row contains (2, null, 2).");  // KNOWN BUG: detail ''
  s.rows("SELECT a, b, c FROM t", {{"1", "x", "1"}});
}

// 23505 with PostgreSQL's DETAIL; NULLs never collide
BOOST_AUTO_TEST_CASE(unique_violation, *boost::unit_test::expected_failures(1)) {
  session s;
  s.ok("CREATE TABLE t(a int PRIMARY KEY, b text UNIQUE, c int, d int, UNIQUE (c, d))");
  s.ok("INSERT INTO t VALUES (1, 'x', 1, 1)", "INSERT 0 1");
  s.err("INSERT INTO t VALUES (1, 'y', 2, 2)", "23505", "duplicate key value violates unique constraint \"t_pkey\"", 0,
        "Key (a)=(1) already exists.");
  s.err("INSERT INTO t VALUES (2, 'x', 2, 2)", "23505", "duplicate key value violates unique constraint \"t_b_key\"", 0,
        "Key (b)=(x) already exists.");
  s.err("INSERT INTO t VALUES (2, 'y', 1, 1)", "23505", "duplicate key value violates unique constraint \"t_c_d_key\"",
        0, "Key (c, d)=(1, 1) already exists.");
  s.ok("INSERT INTO t VALUES (2, 'y', 1, NULL), (3, 'z', 1, NULL)", "INSERT 0 2");
  s.err("INSERT INTO t VALUES (4, 'w', 7, 7), (5, 'v', 7, 7)", "23505",
        "duplicate key value violates unique constraint \"t_c_d_key\"", 0, "Key (c, d)=(7, 7) already exists.");
  s.err("UPDATE t SET a = 1", "23505", "duplicate key value violates unique constraint \"t_pkey\"", 0,
        "Key (a)=(1) already exists.");
  s.err("UPDATE t SET b = 'x' WHERE a = 2", "23505", "duplicate key value violates unique constraint \"t_b_key\"", 0,
        "Key (b)=(x) already exists.");
  s.err("CREATE UNIQUE INDEX t_c ON t(c)", "23505", "could not create unique index \"t_c\"", 0,
        "Key (c)=(1) is duplicated.");  // KNOWN BUG: detail 'Key is duplicated.'
  s.ok("CREATE UNIQUE INDEX t_b ON t(b, a)");
  s.ok("INSERT INTO t VALUES (9, 'q', 1, 9)", "INSERT 0 1");
  s.ok("CREATE UNIQUE INDEX t_dd ON t(d)", "CREATE INDEX");
  s.rows("SELECT a, b, c, d FROM t ORDER BY a",
         {{"1", "x", "1", "1"}, {"2", "y", "1", NULL_}, {"3", "z", "1", NULL_}, {"9", "q", "1", "9"}});
}

// 25P02 until ROLLBACK; COMMIT of an aborted block rolls back
BOOST_AUTO_TEST_CASE(aborted_transaction_block) {
  session s;
  s.ok("CREATE TABLE t(a int PRIMARY KEY)");
  s.ok("BEGIN", "BEGIN");
  s.ok("INSERT INTO t VALUES (1)", "INSERT 0 1");
  s.err("SELECT 1/0", "22012", "division by zero");
  s.err("SELECT 1", "25P02", "current transaction is aborted, commands ignored until end of transaction block");
  s.err("INSERT INTO t VALUES (2)", "25P02",
        "current transaction is aborted, commands ignored until end of transaction block");
  s.ok("COMMIT", "ROLLBACK");
  s.rows("SELECT count(*) FROM t", {{"0"}});
  s.ok("BEGIN", "BEGIN");
  s.ok("INSERT INTO t VALUES (3)", "INSERT 0 1");
  s.err("SELEC 1", "42601", "syntax error at or near \"SELEC\"", 1);
  s.err("SELECT * FROM t", "25P02", "current transaction is aborted, commands ignored until end of transaction block");
  s.ok("ROLLBACK", "ROLLBACK");
  s.ok("BEGIN", "BEGIN");
  s.ok("INSERT INTO t VALUES (4)", "INSERT 0 1");
  s.err("INSERT INTO t VALUES (4)", "23505", "duplicate key value violates unique constraint \"t_pkey\"", 0,
        "Key (a)=(4) already exists.");
  s.err("INSERT INTO t VALUES (5)", "25P02",
        "current transaction is aborted, commands ignored until end of transaction block");
  s.ok("ROLLBACK", "ROLLBACK");
  s.rows("SELECT count(*) FROM t", {{"0"}});
}

// 21000 more than one row in a scalar subquery (0 rows is NULL)
BOOST_AUTO_TEST_CASE(cardinality_violation) {
  session s;
  s.ok("CREATE TABLE t(a int)");
  s.ok("INSERT INTO t VALUES (1), (2)");
  s.err("SELECT (SELECT 1 UNION ALL SELECT 2)", "21000",
        "more than one row returned by a subquery used as an expression");
  s.err("SELECT (SELECT a FROM t)", "21000", "more than one row returned by a subquery used as an expression");
  s.err("SELECT 1 WHERE 1 = (SELECT a FROM t)", "21000",
        "more than one row returned by a subquery used as an expression");
  s.err("SELECT a FROM t WHERE a = (SELECT a FROM t x WHERE x.a >= t.a)", "21000",
        "more than one row returned by a subquery used as an expression");
  s.err("UPDATE t SET a = (SELECT a FROM t)", "21000",
        "more than one row returned by a subquery used as an expression");
  s.rows("SELECT (SELECT a FROM t WHERE a > 5)", {{NULL_}});
  s.rows("SELECT (SELECT a FROM t ORDER BY a LIMIT 1)", {{"1"}});
  s.err("SELECT (SELECT 1, 2)", "42601", "subquery must return only one column", 8);
  s.err("SELECT 1 IN (SELECT 1, 2)", "42601", "subquery has too many columns", 10);
}

// 42803
BOOST_AUTO_TEST_CASE(grouping_errors, *boost::unit_test::expected_failures(1)) {
  session s;
  s.ok("CREATE TABLE t(a int, b int)");
  s.err("SELECT a, sum(b) FROM t", "42803",
        "column \"t.a\" must appear in the GROUP BY clause or be used in an aggregate function", 8);
  s.err("SELECT a FROM t GROUP BY b", "42803",
        "column \"t.a\" must appear in the GROUP BY clause or be used in an aggregate function", 8);
  s.err("SELECT a + 1 FROM t GROUP BY a + 2", "42803",
        "column \"t.a\" must appear in the GROUP BY clause or be used in an aggregate function", 8);
  s.err("SELECT a FROM t HAVING a > 1", "42803",
        "column \"t.a\" must appear in the GROUP BY clause or be used in an aggregate function",
        8);  // KNOWN BUG: pos 24 (pg 8)
  s.err("SELECT b FROM t GROUP BY a ORDER BY b", "42803",
        "column \"t.b\" must appear in the GROUP BY clause or be used in an aggregate function", 8);
  s.err("SELECT a FROM t WHERE sum(b) > 0", "42803", "aggregate functions are not allowed in WHERE", 23);
  s.err("SELECT sum(sum(b)) FROM t", "42803", "aggregate function calls cannot be nested", 12);
  s.err("SELECT a FROM t GROUP BY sum(b)", "42803", "aggregate functions are not allowed in GROUP BY", 26);
  s.err("INSERT INTO t VALUES (sum(1), 1)", "42803", "aggregate functions are not allowed in VALUES", 23);
  s.err("UPDATE t SET a = count(*)", "42803", "aggregate functions are not allowed in UPDATE", 18);
  s.rows("SELECT a FROM t WHERE a IN (SELECT max(b) FROM t GROUP BY a HAVING max(b) > a)", {});
  s.rows("SELECT a + 1 FROM t GROUP BY a + 1", {});
}

// 42P10
BOOST_AUTO_TEST_CASE(order_by_position) {
  session s;
  s.ok("CREATE TABLE t(a int, b int)");
  s.err("SELECT a FROM t ORDER BY 2", "42P10", "ORDER BY position 2 is not in select list", 26);
  s.err("SELECT a FROM t ORDER BY 0", "42P10", "ORDER BY position 0 is not in select list", 26);
  s.err("SELECT a, b FROM t ORDER BY -1", "42P10", "ORDER BY position -1 is not in select list", 29);
  s.err("SELECT a FROM t GROUP BY 2", "42P10", "GROUP BY position 2 is not in select list", 26);
  s.err("SELECT DISTINCT a FROM t ORDER BY b", "42P10",
        "for SELECT DISTINCT, ORDER BY expressions must appear in select list", 35);
  s.err("SELECT a FROM t UNION SELECT b FROM t ORDER BY b", "42703", "column \"b\" does not exist", 48);
  s.err("SELECT a FROM t UNION SELECT b FROM t ORDER BY 2", "42P10", "ORDER BY position 2 is not in select list", 48);
}

// 42P01/42704 for missing objects, notices for IF [NOT] EXISTS, 42P07 duplicates, 42809 wrong object type
BOOST_AUTO_TEST_CASE(ddl_missing_and_duplicate_objects, *boost::unit_test::expected_failures(2)) {
  session s;
  s.err("DROP TABLE nosuch", "42P01", "table \"nosuch\" does not exist");
  s.err("DROP INDEX nosuch", "42704", "index \"nosuch\" does not exist");
  s.err("DROP VIEW nosuch", "42P01", "view \"nosuch\" does not exist");
  s.ok("DROP TABLE IF EXISTS nosuch", "DROP TABLE", {"table \"nosuch\" does not exist, skipping"});
  s.ok("DROP INDEX IF EXISTS nosuch", "DROP INDEX", {"index \"nosuch\" does not exist, skipping"});
  s.ok("DROP VIEW IF EXISTS nosuch", "DROP VIEW", {"view \"nosuch\" does not exist, skipping"});
  s.ok("CREATE TABLE t(a int)");
  s.err("CREATE TABLE t(b int)", "42P07", "relation \"t\" already exists");
  s.ok("CREATE TABLE IF NOT EXISTS t(b int)", "CREATE TABLE", {"relation \"t\" already exists, skipping"});
  s.err("CREATE TABLE u(a int, a int)", "42701", "column \"a\" specified more than once");
  s.err("CREATE TABLE u(a nosuchtype)", "42704", "type \"nosuchtype\" does not exist", 18);
  s.ok("CREATE INDEX ti ON t(a)");
  s.err("CREATE INDEX ti ON t(a)", "42P07", "relation \"ti\" already exists");
  s.ok("CREATE INDEX IF NOT EXISTS ti ON t(a)", "CREATE INDEX", {"relation \"ti\" already exists, skipping"});
  s.err("CREATE TABLE ti(a int)", "42P07", "relation \"ti\" already exists");
  s.ok("CREATE VIEW v AS SELECT a FROM t");
  s.err("CREATE VIEW v AS SELECT 1", "42P07", "relation \"v\" already exists");
  s.err("CREATE TABLE v(a int)", "42P07", "relation \"v\" already exists");
  s.err("DROP TABLE ti", "42809", "\"ti\" is not a table");
  s.err("DROP VIEW t", "42809", "\"t\" is not a view");
  s.err("DROP TABLE v", "42809", "\"v\" is not a table");
  s.err("DROP TABLE IF EXISTS t, nosuch", "2BP01", "cannot drop table t because other objects depend on it", 0,
        "view v depends on table t");  // KNOWN BUG: succeeded: DROP TABLE []
  s.err("DROP TABLE v, nosuch", "42809", "\"v\" is not a table");
  s.rows("SELECT * FROM v", {});  // KNOWN BUG: error 42P01 relation "t" does not exist
}

// 2201W/2201X
BOOST_AUTO_TEST_CASE(limit_offset_errors, *boost::unit_test::expected_failures(1)) {
  session s;
  s.err("SELECT 1 LIMIT -1", "2201W", "LIMIT must not be negative");
  s.err("SELECT 1 OFFSET -1", "2201X", "OFFSET must not be negative");
  s.err("SELECT 1 LIMIT 'x'", "22P02", "invalid input syntax for type bigint: \"x\"", 16);
  s.rows("SELECT 1 LIMIT NULL", {{"1"}});
  s.rows("SELECT 1 OFFSET NULL", {{"1"}});
  s.rows("SELECT 1 LIMIT 0", {});
  s.rows("SELECT 1 LIMIT 1.5", {{"1"}});  // KNOWN BUG: error 42804 argument of type numeric cannot be used as bigint
  s.rows("SELECT 1 LIMIT 9223372036854775807 OFFSET 9223372036854775807", {});
}

// a simple-query string runs as one implicit transaction: an error undoes its earlier statements
BOOST_AUTO_TEST_CASE(multi_statement_string_is_one_transaction) {
  session s;
  s.ok("CREATE TABLE t(a int PRIMARY KEY)");
  s.err("INSERT INTO t VALUES (1); INSERT INTO t VALUES (1)", "23505",
        "duplicate key value violates unique constraint \"t_pkey\"", 0, "Key (a)=(1) already exists.");
  s.rows("SELECT count(*) FROM t", {{"0"}});  // KNOWN BUG: rows [['1']]
  s.err("INSERT INTO t VALUES (2); SELECT 1/0", "22012", "division by zero");
  s.rows("SELECT count(*) FROM t", {{"0"}});  // KNOWN BUG: rows [['2']]
  s.err("CREATE TABLE u(a int); INSERT INTO u VALUES (1); SELECT 1/0", "22012", "division by zero");
  s.err("SELECT count(*) FROM u", "42P01", "relation \"u\" does not exist",
        22);  // KNOWN BUG: succeeded: SELECT 1 [['1']]
  s.err("INSERT INTO t VALUES (3); COMMIT; SELECT 1/0", "22012", "division by zero");
  s.rows("SELECT count(*) FROM t", {{"1"}});  // KNOWN BUG: rows [['3']]
}

// plain NUMERIC (no typmod): every value keeps its own scale in PostgreSQL
BOOST_AUTO_TEST_CASE(wrong_results_plain_numeric, *boost::unit_test::expected_failures(5)) {
  session s;
  s.ok("CREATE TABLE n(x numeric)");
  s.ok("INSERT INTO n VALUES (1.5), (2.25), (10)", "INSERT 0 3");
  s.rows("SELECT x FROM n ORDER BY x", {{"1.5"}, {"2.25"}, {"10"}});  // KNOWN BUG: rows [['10'], ['15'], ['225']]
  s.rows("SELECT sum(x), avg(x), max(x) FROM n",
         {{"13.75", "4.5833333333333333", "10"}});  // KNOWN BUG: rows [['250', '833.3333333333333333', '225']]
  s.rows("SELECT x FROM (VALUES (1.5), (2.25)) v(x) ORDER BY x",
         {{"1.5"}, {"2.25"}});  // KNOWN BUG: rows [['1.50'], ['2.25']]
  s.rows("SELECT sum(x) FROM (VALUES (1.5), (2.25)) v(x)", {{"3.75"}});
  s.rows("SELECT count(DISTINCT x) FROM (VALUES (1.5), (1.50)) v(x)", {{"1"}});
  s.rows("SELECT COALESCE(NULL, 1.5, 2.25), CASE WHEN true THEN 1.5 ELSE 2.25 END",
         {{"1.5", "1.5"}});                                         // KNOWN BUG: rows [['1.50', '1.50']]
  s.rows("SELECT 1.5 UNION ALL SELECT 2.25", {{"1.5"}, {"2.25"}});  // KNOWN BUG: rows [['1.50'], ['2.25']]
}

// numeric division: PostgreSQL's result scale (select_div_scale) depends on the operands' weights
BOOST_AUTO_TEST_CASE(wrong_results_numeric_division_scale, *boost::unit_test::expected_failures(6)) {
  session s;
  s.rows("SELECT 1/3::numeric", {{"0.33333333333333333333"}});  // KNOWN BUG: rows [['0.3333333333333333']]
  s.rows("SELECT 2147483648::numeric / 2",
         {{"1073741824.00000000"}});  // KNOWN BUG: rows [['1073741824.0000000000000000']]
  s.rows("SELECT 0.000001::numeric / 3", {{"0.000000333333333333333333"}});  // KNOWN BUG: rows [['0.0000003333333333']]
  s.rows("SELECT avg(x) FROM (VALUES (1000000000), (2000000001)) v(x)",
         {{"1500000000.50000000"}});  // KNOWN BUG: rows [['1500000000.5000000000000000']]
  s.rows("SELECT 1234567890123456789::numeric / 7",
         {{"176366841446208113"}});  // KNOWN BUG: rows [['176366841446208112.7142857142857143']]
  s.rows("SELECT (1 / 4.0)::text, (7.0 / 7)::text, 1::dec / 8, 2 / 3.0",
         {{"0.25000000000000000000", "1.00000000000000000000", "0.12500000000000000000",
           "0.66666666666666666667"}});  // KNOWN BUG: rows [['0.2500000000000000', '1.0000000000000000',
                                         // '0.1250000000000000', '0.6666666666666667']]
  s.rows("SELECT 2 / 3.00000000000000000000", {{"0.66666666666666666667"}});
}

// NUMERIC literals beyond 38 digits are silently rounded (1e-40 becomes 0) or rejected where PostgreSQL is exact
BOOST_AUTO_TEST_CASE(wrong_results_numeric_precision, *boost::unit_test::expected_failures(6)) {
  session s;
  s.rows("SELECT 1e-40 = 0", {{"f"}});          // KNOWN BUG: rows [['t']]
  s.rows("SELECT 1e-40::float8", {{"1e-40"}});  // KNOWN BUG: rows [['0']]
  s.rows("SELECT 0.1234567890123456789012345678901234567890",
         {{"0.1234567890123456789012345678901234567890"}});  // KNOWN BUG: rows
                                                             // [['0.12345678901234567890123456789012345679']]
  s.rows("SELECT '0.000000000000000000000000000000000000000123'::numeric",
         {{"0.000000000000000000000000000000000000000123"}});  // KNOWN BUG: rows
                                                               // [['0.00000000000000000000000000000000000000']]
  s.rows("SELECT 1e39",
         {{"1000000000000000000000000000000000000000"}});  // KNOWN BUG: error 22003 value overflows numeric format
  s.rows("SELECT -1e308::float8 < 0", {{"t"}});            // KNOWN BUG: error 22003 value overflows numeric format
}

// float8 overflow/underflow are errors (22003), never Infinity or 0
BOOST_AUTO_TEST_CASE(wrong_results_float_overflow, *boost::unit_test::expected_failures(1)) {
  session s;
  s.err("SELECT exp(1000)", "22003", "value out of range: overflow");  // KNOWN BUG: succeeded: SELECT 1 [['Infinity']]
  s.err("SELECT power(10::float8, 400)", "22003",
        "value out of range: overflow");  // KNOWN BUG: succeeded: SELECT 1 [['Infinity']]
  s.err("SELECT '1e-300'::float8 * '1e-300'::float8", "22003",
        "value out of range: underflow");        // KNOWN BUG: succeeded: SELECT 1 [['0']]
  s.rows("SELECT 1e308::float8", {{"1e+308"}});  // KNOWN BUG: error 22003 value overflows numeric format
  s.err("SELECT 0.0 ^ -1", "2201F",
        "zero raised to a negative power is undefined");  // KNOWN BUG: state 22003; msg 'value out of range: overflow'
}

// multi-byte text functions (the reference database uses C.UTF-8), aggregate ORDER BY, LIKE escapes
BOOST_AUTO_TEST_CASE(wrong_results_strings, *boost::unit_test::expected_failures(11)) {
  session s;
  s.rows("SELECT lpad('é', 3, 'ü'), rpad('é', 3, 'ü')", {{"üüé", "éüü"}});  // KNOWN BUG: rows [['üé', 'éü']]
  s.rows("SELECT reverse('héllo')", {{"olléh"}});                           // KNOWN BUG: rows [['oll\udca9\udcc3h']]
  s.rows("SELECT upper('é'), lower('É')", {{"É", "é"}});                    // KNOWN BUG: rows [['é', 'É']]
  s.rows("SELECT octet_length('xy'::char(3))", {{"3"}});                    // KNOWN BUG: rows [['2']]
  s.rows("SELECT string_agg(x, ',' ORDER BY x) FROM (VALUES ('c'), ('a'), ('b')) v(x)",
         {{"a,b,c"}});  // KNOWN BUG: rows [['c,a,b']]
  s.err("SELECT 'abc' LIKE 'a\\'", "22025",
        "LIKE pattern must not end with escape character");  // KNOWN BUG: succeeded: SELECT 1 [['f']]
  s.rows("SELECT 'héllo' LIKE 'h_llo', '日本語' LIKE '__語', 'héllo' ILIKE 'H_LLO'",
         {{"t", "t", "t"}});                     // KNOWN BUG: rows [['f', 'f', 'f']]
  s.rows("SELECT 'ÉCOLE' ILIKE 'é%'", {{"t"}});  // KNOWN BUG: rows [['f']]
  s.rows("SELECT 'a_c' LIKE 'a!_c' ESCAPE '!'",
         {{"t"}});  // KNOWN BUG: error 42883 function like_escape(unknown, unknown) does not exist
  s.rows("SELECT concat('a', 1, NULL, true), concat_ws(',', 1, 2)",
         {{"a1t", "1,2"}});  // KNOWN BUG: error 42804 argument of type integer cannot be used as text
  s.err("SELECT a FROM (VALUES (1)) v(a) ORDER BY 'x'", "42601", "non-integer constant in ORDER BY",
        42);  // KNOWN BUG: succeeded: SELECT 1 [['1']]
}

// ---------------------------------------------------------------------------------------------
// Written by hand (PostgreSQL's answers from libpq's PQprepare/PQexecPrepared and PQexec).
// ---------------------------------------------------------------------------------------------

// Wrong number of parameters (08P01), parameters that do not convert to the parameter's type,
// errors at execution, and statements that stay usable after a failed execution.
BOOST_AUTO_TEST_CASE(prepared_statement_parameters) {
  using db001::value;
  session s;
  s.ok("CREATE TABLE pt(a int PRIMARY KEY, b text)");
  auto ins = s.prepare("INSERT INTO pt VALUES ($1, $2)");
  BOOST_TEST_REQUIRE(ins.ok());
  BOOST_TEST(ins.param_count() == 2u);

  // PostgreSQL: 08P01 bind message supplies 1 parameters, but prepared statement "s1" requires 2
  auto r = ins.execute({value::int32(1)});
  BOOST_TEST(r.sqlstate() == "08P01");
  BOOST_TEST(r.error_message().rfind("bind message supplies 1 parameters, but prepared statement ", 0) == 0);
  BOOST_TEST(r.error_message().find("requires 2") != std::string::npos);
  r = ins.execute({value::int32(1), value::text("x"), value::text("y")});
  BOOST_TEST(r.sqlstate() == "08P01");
  BOOST_TEST(r.error_message().rfind("bind message supplies 3 parameters", 0) == 0);
  r = ins.execute({});
  BOOST_TEST(r.sqlstate() == "08P01");

  // Text that is no integer: 22P02 invalid input syntax for type integer: "abc".
  r = ins.execute({value::text("abc"), value::text("x")});
  BOOST_TEST(r.sqlstate() == "22P02");
  BOOST_TEST(r.error_message() == "invalid input syntax for type integer: \"abc\"");
  // Out of range: 22003 value "2147483648" is out of range for type integer.
  r = ins.execute({value::text("2147483648"), value::text("x")});
  BOOST_TEST(r.sqlstate() == "22003");
  BOOST_TEST(r.error_message() == "value \"2147483648\" is out of range for type integer");
  r = ins.execute({value::int64(int64_t(1) << 40), value::text("x")});
  BOOST_TEST(r.sqlstate() == "22003");
  BOOST_TEST(r.error_message() == "integer out of range");
  // A value of a type with no cast to integer is an error, not a reinterpretation of its bits.
  r = ins.execute({value::date(0), value::text("x")});
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.sqlstate().size() == 5u);
  BOOST_TEST(s.c->execute("SELECT count(*) FROM pt").text(0, 0) == "0");

  // The statement still works, and later errors are the usual ones.
  r = ins.execute({value::int32(1), value::text("x")});
  BOOST_TEST(r.ok());
  BOOST_TEST(r.command_tag() == "INSERT 0 1");
  r = ins.execute({value::int32(1), value::text("y")});
  BOOST_TEST(r.sqlstate() == "23505");
  BOOST_TEST(r.error_detail() == "Key (a)=(1) already exists.");
  r = ins.execute({value::null(), value::text("y")});
  BOOST_TEST(r.sqlstate() == "23502");
  r = ins.execute({value::int32(2), value::null()});
  BOOST_TEST(r.ok());
  s.rows("SELECT a, b FROM pt ORDER BY a", {{"1", "x"}, {"2", NULL_}});

  // Errors at execution time.
  auto lim = s.prepare("SELECT 1 LIMIT $1");
  BOOST_TEST_REQUIRE(lim.ok());
  r = lim.execute({value::int64(-1)});
  BOOST_TEST(r.sqlstate() == "2201W");
  BOOST_TEST(r.error_message() == "LIMIT must not be negative");
  auto div = s.prepare("SELECT 10 / $1");
  BOOST_TEST_REQUIRE(div.ok());
  r = div.execute({value::int32(0)});
  BOOST_TEST(r.sqlstate() == "22012");
  r = div.execute({value::int32(5)});
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.text(0, 0) == "2");
  auto vc = s.prepare("SELECT $1::varchar(2)");
  BOOST_TEST_REQUIRE(vc.ok());
  r = vc.execute({value::text("abcd")});
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.text(0, 0) == "ab");
}

// Errors while preparing: PostgreSQL's SQLSTATE, message and position, kept by the statement.
BOOST_AUTO_TEST_CASE(prepare_errors, *boost::unit_test::expected_failures(1)) {
  using db001::value;
  session s;
  s.ok("CREATE TABLE pt(a int PRIMARY KEY, b text)");
  struct bad {
    const char* sql;
    const char* state;
    const char* msg;
    int pos;
  };
  const bad cases[] = {
      // KNOWN BUG (2 checks): executing it succeeds (session::execute_prepared ignores the error)
      {"SELECT a FROM pt WHERE a = $1; SELECT 1", "42601", "cannot insert multiple commands into a prepared statement",
       0},
      {"SELECT nosuch FROM pt WHERE a = $1", "42703", "column \"nosuch\" does not exist", 8},
      // KNOWN BUG (2 checks): executing it succeeds (session::execute_prepared ignores the error)
      {"SELEC $1", "42601", "syntax error at or near \"SELEC\"", 1},
      {"SELECT $0", "42P02", "there is no parameter $0", 8},
      {"SELECT $1::int + $1::text", "42883", "operator does not exist: integer + text", 16},
      {"INSERT INTO nosuch VALUES ($1)", "42P01", "relation \"nosuch\" does not exist", 13},
      // KNOWN BUG: position 26 (the '=' operator), PostgreSQL points at the literal
      {"SELECT * FROM pt WHERE a = 'x'", "22P02", "invalid input syntax for type integer: \"x\"", 28},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT("SQL: " << shown(c.sql)) {
      auto p = s.prepare(c.sql);
      BOOST_TEST(!p.ok());
      BOOST_TEST(p.error().sqlstate() == c.state);
      BOOST_TEST(p.error().error_message() == c.msg);
      if (c.pos) BOOST_TEST(p.error().error_position() == c.pos);
      // Executing a statement that failed to prepare repeats the error; it never crashes.
      auto r = p.execute({value::int32(1)});
      BOOST_TEST(!r.ok());
      BOOST_TEST(r.sqlstate() == c.state);
    }
  }
  // An empty statement prepares and executes to nothing (PostgreSQL: an empty query).
  auto empty = s.prepare("");
  BOOST_TEST(empty.ok());
  BOOST_TEST(empty.execute().ok());
  // The connection is fine afterwards.
  s.rows("SELECT count(*) FROM pt", {{"0"}});
}

// A plan prepared before DDL is not used after it: the table is gone (42P01), or re-planned.
BOOST_AUTO_TEST_CASE(prepared_statement_after_ddl) {
  using db001::value;
  session s;
  s.ok("CREATE TABLE pt(a int PRIMARY KEY, b text)");
  s.ok("INSERT INTO pt VALUES (1, 'one')");
  auto sel = s.prepare("SELECT b FROM pt WHERE a = $1");
  BOOST_TEST_REQUIRE(sel.ok());
  auto r = sel.execute({value::int32(1)});
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.text(0, 0) == "one");
  s.ok("DROP TABLE pt");
  r = sel.execute({value::int32(1)});
  BOOST_TEST(r.sqlstate() == "42P01");
  BOOST_TEST(r.error_message() == "relation \"pt\" does not exist");
  // Recreated with the same column types: re-planned against the new table.
  s.ok("CREATE TABLE pt(a int PRIMARY KEY, b text)");
  s.ok("INSERT INTO pt VALUES (1, 'uno')");
  r = sel.execute({value::int32(1)});
  BOOST_TEST_REQUIRE(r.ok());
  BOOST_TEST(r.text(0, 0) == "uno");
}

// PostgreSQL refuses to run a prepared statement whose result columns would change type
// (0A000 cached plan must not change result type); DB-001 re-plans and returns the new type.
BOOST_AUTO_TEST_CASE(prepared_statement_result_type_change, *boost::unit_test::expected_failures(2)) {
  using db001::value;
  session s;
  s.ok("CREATE TABLE pt(a int PRIMARY KEY, b text)");
  auto sel = s.prepare("SELECT b FROM pt WHERE a = $1");
  BOOST_TEST_REQUIRE(sel.ok());
  s.ok("DROP TABLE pt");
  s.ok("CREATE TABLE pt(a int PRIMARY KEY, b int)");
  s.ok("INSERT INTO pt VALUES (1, 42)");
  auto r = sel.execute({value::int32(1)});
  BOOST_TEST(r.sqlstate() == "0A000");                                         // KNOWN BUG: ok, returns 42
  BOOST_TEST(r.error_message() == "cached plan must not change result type");  // KNOWN BUG
}

// Inside an aborted block, prepared statements get 25P02 as well, until ROLLBACK.
BOOST_AUTO_TEST_CASE(prepared_statement_in_aborted_block) {
  using db001::value;
  session s;
  s.ok("CREATE TABLE pt(a int PRIMARY KEY)");
  auto ins = s.prepare("INSERT INTO pt VALUES ($1)");
  BOOST_TEST_REQUIRE(ins.ok());
  s.ok("BEGIN");
  BOOST_TEST(ins.execute({value::int32(1)}).ok());
  BOOST_TEST(ins.execute({value::int32(1)}).sqlstate() == "23505");
  BOOST_TEST(s.c->failed());
  BOOST_TEST(s.c->in_transaction());
  auto r = ins.execute({value::int32(2)});
  BOOST_TEST(r.sqlstate() == "25P02");
  BOOST_TEST(r.error_message() == "current transaction is aborted, commands ignored until end of transaction block");
  auto p = s.prepare("SELECT a FROM pt");
  BOOST_TEST(p.error().sqlstate() == "25P02");
  s.ok("ROLLBACK", "ROLLBACK");
  BOOST_TEST(!s.c->failed());
  BOOST_TEST(!s.c->in_transaction());
  BOOST_TEST(ins.execute({value::int32(3)}).ok());
  s.rows("SELECT a FROM pt", {{"3"}});
}

// PostgreSQL aborts a transaction block when a statement fails to parse or plan (an error in
// the Parse message), so a failed prepare inside BEGIN leaves the block in 25P02 as well.
BOOST_AUTO_TEST_CASE(failed_prepare_aborts_block) {
  session s;
  s.ok("CREATE TABLE pt(a int)");
  s.ok("BEGIN");
  s.ok("INSERT INTO pt VALUES (1)");
  auto p = s.prepare("SELECT nosuch FROM pt");
  BOOST_TEST(p.error().sqlstate() == "42703");
  BOOST_TEST(s.c->failed());  // KNOWN BUG: session::prepare does not abort the block
  s.err("SELECT 1", "25P02",  // KNOWN BUG: runs
        "current transaction is aborted, commands ignored until end of transaction block");
  s.ok("COMMIT", "ROLLBACK");                  // KNOWN BUG: commits, tag COMMIT
  s.rows("SELECT count(*) FROM pt", {{"0"}});  // KNOWN BUG: 1 (the INSERT was committed)
}

// Features the README lists as not yet supported fail with 0A000 and leave nothing behind.
BOOST_AUTO_TEST_CASE(unsupported_features_are_0A000) {
  session s;
  s.ok("CREATE TABLE t(a int PRIMARY KEY, b int)");
  s.ok("INSERT INTO t VALUES (1, 1), (2, 2)");
  const char* cases[] = {
      "CREATE SEQUENCE seq",
      "CREATE TABLE s1(a serial)",
      "CREATE TABLE s2(a bigserial PRIMARY KEY)",
      "CREATE TABLE c1(a int CHECK (a > 0))",
      "CREATE TABLE c2(a int, CHECK (a > 0))",
      "CREATE TABLE f1(a int REFERENCES t(a))",
      "CREATE TABLE f2(a int, FOREIGN KEY (a) REFERENCES t(a))",
      "INSERT INTO t VALUES (3, 3) ON CONFLICT DO NOTHING",
      "INSERT INTO t VALUES (1, 1) ON CONFLICT (a) DO UPDATE SET b = 9",
      "INSERT INTO t VALUES (4, 4) RETURNING a",
      "UPDATE t SET b = 7 RETURNING *",
      "DELETE FROM t RETURNING *",
      "UPDATE t SET b = u.a FROM t u WHERE t.a = u.a",
      "WITH x AS (SELECT 1) SELECT * FROM x",
      "WITH RECURSIVE x(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM x WHERE n < 3) SELECT * FROM x",
      "WITH d AS (DELETE FROM t RETURNING a) SELECT 1",
      "SELECT row_number() OVER () FROM t",
      "SELECT sum(a) OVER (PARTITION BY b) FROM t",
      "EXPLAIN SELECT 1",
      "EXPLAIN ANALYZE DELETE FROM t",
      "SELECT interval '1 day'",
      "SELECT '2020-01-01'::timestamptz",
      "CREATE TABLE iv(a interval)",
      "CREATE TABLE tz(a timestamptz)",
  };
  for (const char* sql : cases) {
    BOOST_TEST_CONTEXT("SQL: " << shown(sql)) {
      auto r = s.run(sql);
      if (!r) continue;
      BOOST_TEST(state_of(*r) == "0A000");
      BOOST_TEST(!r->error_message().empty());
    }
  }
  s.ok("BEGIN");
  s.err("SAVEPOINT sp", "0A000", "transaction command SAVEPOINT is not supported yet");
  s.ok("ROLLBACK");
  // Nothing was created or changed.
  s.rows("SELECT a, b FROM t ORDER BY a", {{"1", "1"}, {"2", "2"}});
  for (const char* name : {"s1", "s2", "c1", "c2", "f1", "f2", "iv", "tz"}) {
    auto r = s.run(std::string("SELECT * FROM ") + name);
    if (r) BOOST_TEST(r->sqlstate() == "42P01", name);
  }
}

// The API around errors: empty and comment-only strings, execute_all, the session flags,
// notices, and a failed statement leaving the session usable.
BOOST_AUTO_TEST_CASE(api_edges) {
  session s;
  for (const char* sql : {"", "   ", ";", ";;;", "-- only a comment", "/* only a comment */", "\n\t\n"}) {
    BOOST_TEST_CONTEXT("SQL: '" << sql << "'") {
      auto r = s.run(sql);
      if (r) BOOST_TEST(r->ok());
    }
  }
  auto all = s.c->execute_all("SELECT 1; SELECT 2; SELECT 1/0; SELECT 3");
  BOOST_TEST_REQUIRE(all.size() == 3u);  // stops after the error, as PostgreSQL's simple query
  BOOST_TEST(all[0].text(0, 0) == "1");
  BOOST_TEST(all[1].text(0, 0) == "2");
  BOOST_TEST(all[2].sqlstate() == "22012");

  // text_view: a text cell's bytes without a copy; empty for NULL, other types, out of range.
  auto tv = s.c->execute("SELECT 'abcdefghijklmnopqrstuvwxyz'::text, NULL::text, 42, 'x'::varchar(3) "
                         "UNION ALL SELECT 'second', 'b', 7, 'y'");
  BOOST_TEST_REQUIRE(tv.ok());
  BOOST_TEST(tv.text_view(0, 0) == "abcdefghijklmnopqrstuvwxyz");
  BOOST_TEST(tv.text_view(0, 1).empty());
  BOOST_TEST(tv.is_null(0, 1));
  BOOST_TEST(tv.text_view(0, 2).empty());  // an integer: text() gives "42"
  BOOST_TEST(tv.text(0, 2) == "42");
  BOOST_TEST(tv.text_view(0, 3) == "x");
  BOOST_TEST(tv.text_view(1, 0) == "second");
  BOOST_TEST(tv.text_view(1, 1) == "b");
  BOOST_TEST(tv.text_view(2, 0).empty());
  BOOST_TEST(tv.text_view(0, 9).empty());

  auto r = s.c->execute("SELECT 1/0");
  BOOST_TEST(r.sqlstate() == "22012");
  BOOST_TEST(r.error_position() == 0);
  BOOST_TEST(r.row_count() == 0u);
  BOOST_TEST(r.column_count() == 0u);
  BOOST_TEST(!s.c->in_transaction());
  BOOST_TEST(!s.c->failed());

  s.ok("COMMIT", "COMMIT", {"there is no transaction in progress"});
  s.ok("ROLLBACK", "ROLLBACK", {"there is no transaction in progress"});
  s.ok("BEGIN", "BEGIN");
  s.ok("BEGIN", "BEGIN", {"there is already a transaction in progress"});
  BOOST_TEST(s.c->in_transaction());
  s.err("SELECT nosuch", "42703", "column \"nosuch\" does not exist", 8);
  BOOST_TEST(s.c->failed());
  s.err("COMMIT; SELECT 1/0", "22012", "division by zero");  // COMMIT ends the block, then the error
  BOOST_TEST(!s.c->in_transaction());
  BOOST_TEST(!s.c->failed());
  s.rows("SELECT 42", {{"42"}});
}

// An embedded NUL and bytes that are not UTF-8 are rejected with 22021, as PostgreSQL rejects
// them when the query string arrives (invalid byte sequence for encoding "UTF8": 0x..).
BOOST_AUTO_TEST_CASE(nul_byte_in_query) {
  session s;
  using namespace std::string_view_literals;
  for (auto sql : {"SELECT 1\0"sv, "SELECT '\0'"sv, "\0"sv, "SELECT 1; \0 SELECT 2"sv}) {
    auto r = s.run(sql);
    if (!r) continue;
    BOOST_TEST(r->sqlstate() == "22021");
    BOOST_TEST(r->error_message() == "invalid byte sequence for encoding \"UTF8\": 0x00");
  }
  s.rows("SELECT 1", {{"1"}});
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_query, *boost::unit_test::expected_failures(5)) {
  session s;
  struct bad {
    std::string sql;
    std::string bytes;  // PostgreSQL's rendering of the bad sequence
  };
  const bad cases[] = {
      {"SELECT '\xff'", "0xff"},
      {"SELECT 'a\xc3'", "0xc3 0x27"},
      {"SELECT '\xed\xa0\x80'", "0xed 0xa0 0x80"},  // a UTF-16 surrogate
      {"SELECT '\xc0\xaf'", "0xc0 0xaf"},           // overlong
      {"SELECT 1 \xff", "0xff"},
      {"SELECT 1 -- \xe2\x82", "0xe2 0x82"},  // even inside a comment
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT("SQL bytes: " << c.bytes) {
      auto r = s.run(c.sql);
      if (!r) continue;
      // KNOWN BUG: XX000 "cannot read the parse tree" (the comment case is even accepted)
      BOOST_TEST(state_of(*r) == "22021");
      BOOST_TEST(r->error_message() == "invalid byte sequence for encoding \"UTF8\": " + c.bytes);
    }
  }
  s.rows("SELECT 1", {{"1"}});
}

// Statements nested deeper than the engine handles fail cleanly (PostgreSQL: 42601 "memory
// exhausted" from the grammar for 10000 parentheses, 54001 "stack depth limit exceeded" for
// 10000 nested operators); shallower nesting that PostgreSQL evaluates works.
BOOST_AUTO_TEST_CASE(deep_nesting) {
  session s;
  auto rep = [](const std::string& x, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += x;
    return out;
  };
  s.err("SELECT " + rep("(", 10000) + "1" + rep(")", 10000), "42601", "memory exhausted at or near \"(\"", 10004);
  s.rows("SELECT " + rep("(", 1000) + "1" + rep(")", 1000), {{"1"}});
  s.rows("SELECT " + rep("1+", 200) + "1", {{"201"}});
  s.rows("SELECT " + rep("(SELECT ", 100) + "1" + rep(")", 100), {{"1"}});
  s.rows("SELECT 1 WHERE " + rep("1=1 OR ", 5000) + "1=1", {{"1"}});
  s.rows("SELECT " + rep("- ", 1001) + "1", {{"-1"}});
}

BOOST_AUTO_TEST_CASE(deep_nesting_that_postgresql_evaluates, *boost::unit_test::expected_failures(1)) {
  session s;
  auto rep = [](const std::string& x, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += x;
    return out;
  };
  // KNOWN BUG (all of these): XX000 "cannot read the parse tree" — simdjson's default depth
  // limit (1024) on libpg_query's JSON caps expressions at ~250 levels.
  s.rows("SELECT " + rep("1+", 1000) + "1", {{"1001"}});
  s.rows("SELECT " + rep("NOT ", 1000) + "true", {{"t"}});
  s.rows("SELECT " + rep("abs(", 500) + "1" + rep(")", 500), {{"1"}});
  s.rows("SELECT " + rep("CASE WHEN true THEN ", 1000) + "1" + rep(" END", 1000), {{"1"}});
  s.rows("SELECT length(" + rep("'a'||", 2000) + "'a')", {{"2001"}});
  s.rows("SELECT count(*) FROM (" + rep("SELECT 1 UNION ALL ", 4999) + "SELECT 1) u", {{"5000"}});
  // 10000 nested operators: PostgreSQL 54001 stack depth limit exceeded.
  auto r = s.run("SELECT " + rep("1+", 10000) + "1");
  if (r) BOOST_TEST(r->sqlstate() == "54001");
  s.rows("SELECT 1", {{"1"}});
}

BOOST_AUTO_TEST_SUITE_END()

// Known engine crashes (SIGSEGV), kept as reproductions. The suite is disabled so that it does not
// take the whole binary down; run it with --run_test=errors_known_crashes. When a crash is fixed,
// move its case into the suite above.
BOOST_AUTO_TEST_SUITE(errors_known_crashes, *boost::unit_test::disabled())

// A string comparison reads the string_t
// of NULL rows, which vectors built by vector_writer leave uninitialized (here CASE without
// ELSE); the previous query leaves a freed buffer whose bytes look like a long string at
// address 0x10, so compare_vectors (exec/evaluate.cpp) dereferences it: SIGSEGV.
// PostgreSQL answers 0. Found by fuzz_test.cpp (seeds 4, 6, 7, 10 with DB001_FUZZ_ROUNDS=200).
BOOST_AUTO_TEST_CASE(string_compare_reads_null_slots) {
  session s;
  s.ok("CREATE TABLE k(i int)");
  s.ok("INSERT INTO k VALUES (1), (2), (3), (4)");
  s.rows("SELECT i::numeric(38,0) + 295147905179352826856 FROM k",
         {{"295147905179352826857"}, {"295147905179352826858"}, {"295147905179352826859"}, {"295147905179352826860"}});
  s.rows("SELECT count(*) FROM k WHERE (CASE WHEN i < 0 THEN 'x' END) < 'z'", {{"0"}});
  s.rows("SELECT count(*) FROM k WHERE (CASE WHEN i < 0 THEN 'x' END) = 'z'", {{"0"}});
}

// Reading a
// cell of an error result, or a row/column past the end, dereferences a null or out-of-range
// row collection (result::is_null/get/text in actors/database.cpp), and executing a
// default-constructed prepared_statement dereferences its null session box. A host that forgets
// to check ok() crashes. Expected here: NULL / "" or std::out_of_range, never SIGSEGV.
BOOST_AUTO_TEST_CASE(result_accessors_out_of_range) {
  session s;
  auto no_crash = [](const char* what, auto&& f) {
    try {
      f();
    } catch (const std::out_of_range&) {
    } catch (const std::exception& e) {
      BOOST_ERROR(what << ": unexpected exception " << e.what());
    }
  };
  auto e = s.c->execute("SELECT 1/0");
  BOOST_TEST(e.row_count() == 0u);
  no_crash("is_null on an error result", [&] { BOOST_TEST(e.is_null(0, 0)); });
  no_crash("text on an error result", [&] { BOOST_TEST(e.text(0, 0) == ""); });
  auto r = s.c->execute("SELECT 1");
  no_crash("text past the last row", [&] { BOOST_TEST(r.text(1000000, 0) == ""); });
  no_crash("is_null past the last column", [&] { BOOST_TEST(r.is_null(0, 7)); });
  no_crash("column_name past the last column", [&] { (void)r.column_name(3); });
  db001::prepared_statement none;
  no_crash("execute a default-constructed prepared_statement", [&] { BOOST_TEST(!none.execute({}).ok()); });
}

BOOST_AUTO_TEST_SUITE_END()
