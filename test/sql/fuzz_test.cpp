// Randomized robustness test of the embedding API: thousands of malformed statements (random
// bytes, every prefix of valid statements, token soups, mutated statements, deep nesting, huge
// literals, NUL bytes, invalid UTF-8) go through connection::execute and connection::prepare.
// Each must come back as a result — ok, or an error with a 5-character SQLSTATE — without an
// exception escaping the API, a crash or a hang; valid statements interleaved with the garbage
// must keep answering correctly (the database state is not corrupted).
//
// Reproducible: the seed is fixed (DB001_FUZZ_SEED=<n> in the environment picks another one)
// and printed with every failure together with the statement, escaped. DB001_FUZZ_ROUNDS=<n>
// changes the number of rounds of 250 random statements (default 300, about 5 s);
// DB001_FUZZ_TRACE=1 prints every statement to stderr before it runs (to find a crashing one).
//
// Known engine crash: string comparisons read NULL rows' uninitialized string_t
// (compare_vectors in exec/evaluate.cpp; reproduction in errors_test.cpp, suite
// errors_known_crashes). The default seed does not reach it; seeds 4, 6, 7 and 10 with
// DB001_FUZZ_ROUNDS=200 do.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "db001/db001.h"

namespace {

using clock_type = std::chrono::steady_clock;

/// Longest time one statement may take before it counts as a hang.
constexpr double max_statement_seconds = 10.0;

uint64_t fuzz_seed() {
  if (const char* s = std::getenv("DB001_FUZZ_SEED")) return std::strtoull(s, nullptr, 10);
  return 20240531;
}

/// The statement as a C++ string literal body (so a failure can be pasted into a test).
std::string escaped(std::string_view s, size_t max = 300) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += char(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
      out += "\"\"";  // ends the hex escape
    }
  }
  if (s.size() > max) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

bool valid_sqlstate(const std::string& s) {
  if (s.size() != 5) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

// Valid statements over the fuzz tables fz and fy: run as they are, cut into prefixes and mutated.
const std::vector<std::string>& valid_statements() {
  static const std::vector<std::string> v = {
      "CREATE TABLE fz(a int PRIMARY KEY, b text, c numeric(8,2), d float8, e date, f boolean, g varchar(5), "
      "h char(3), i bigint)",
      "INSERT INTO fz VALUES (1, 'one', 1.25, 0.5, '2024-01-31', true, 'x', 'ab', 9000000000)",
      "INSERT INTO fz VALUES (2, 'two', -3.5, '1e300', '1999-12-31', false, 'yy', 'c', -1), (3, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL)",
      "INSERT INTO fz(a, b) SELECT a + 100, b FROM fz WHERE a < 5",
      "UPDATE fz SET b = b || 'x', c = c * 2 WHERE a % 2 = 0",
      "DELETE FROM fz WHERE a > 1000 AND b LIKE 'x%'",
      "SELECT a, b, c FROM fz WHERE a BETWEEN 1 AND 10 ORDER BY a DESC NULLS LAST LIMIT 5 OFFSET 1",
      "SELECT b, count(*), sum(c), avg(d), min(e), max(f::int) FROM fz GROUP BY b HAVING count(*) > 0 ORDER BY 2, 1",
      "SELECT x.a, y.b FROM fz x LEFT JOIN fz y ON x.a = y.a + 1 WHERE y.b IS NOT NULL",
      "SELECT * FROM fz x FULL JOIN fy USING (a)",
      "SELECT CASE WHEN a > 2 THEN 'big' WHEN a IS NULL THEN NULL ELSE 'small' END FROM fz",
      "SELECT coalesce(b, 'none'), nullif(a, 1), greatest(a, 3), least(c, 1.5) FROM fz",
      "SELECT a FROM fz WHERE a IN (SELECT a FROM fy) AND NOT EXISTS (SELECT 1 FROM fy WHERE fy.a = fz.a + 1)",
      "SELECT (SELECT max(a) FROM fy), a FROM fz",
      "SELECT a FROM fz UNION SELECT a FROM fy EXCEPT SELECT 3 ORDER BY 1",
      "SELECT substr(b, 2, 3), upper(b), length(b), trim(both 'x' from b), replace(b, 'o', '0'), position('n' in b) "
      "FROM fz",
      "SELECT round(c, 1), trunc(d), ceil(c), floor(d), abs(i), sqrt(abs(d)), power(2, 10), mod(a, 3) FROM fz",
      "SELECT e + 1, e - '2024-01-01'::date, '2024-02-29'::date, e::timestamp FROM fz",
      "SELECT CAST(a AS text), a::float8, '12'::int + 1, 1.5::numeric(3,1), '1e3'::float8 FROM fz",
      "SELECT DISTINCT b FROM fz ORDER BY b NULLS FIRST",
      "SELECT string_agg(b, ','), bool_and(f), bool_or(f), count(DISTINCT b) FROM fz",
      "SELECT x FROM (VALUES (1), (NULL), (3)) v(x) WHERE x > ANY (SELECT a FROM fy)",
      "SELECT 'é' || 'ü', '日本' LIKE '日%', 'ÀB' ILIKE 'àb', lpad('ab', 5, 'é')",
      "SELECT a FROM fz WHERE b ILIKE '%O%' OR c IS DISTINCT FROM 1.25",
      "SELECT a, h, g FROM fz WHERE h = 'ab ' AND g <> 'x' OR e > DATE '2000-01-01'",
      "SELECT a / (a - 1), i * 1000000000, d * 1e10, c / 0.01 FROM fz",
      "CREATE INDEX fz_b ON fz(b, a)",
      "CREATE UNIQUE INDEX fz_g ON fz(g)",
      "CREATE VIEW fv AS SELECT a, b FROM fz WHERE a < 3",
      "SELECT * FROM fv JOIN fz USING (a) NATURAL JOIN fy",
      "DROP VIEW IF EXISTS fv",
      "DROP INDEX IF EXISTS fz_b",
      "BEGIN ISOLATION LEVEL REPEATABLE READ",
      "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
      "COMMIT",
      "ROLLBACK",
      "SHOW transaction_isolation",
      "SET work_mem = '64MB'",
      "SELECT 1; SELECT 2; INSERT INTO fy VALUES (7)",
  };
  return v;
}

const std::vector<std::string>& vocabulary() {
  static const std::vector<std::string> v = {
      "SELECT",
      "FROM",
      "WHERE",
      "GROUP",
      "BY",
      "HAVING",
      "ORDER",
      "LIMIT",
      "OFFSET",
      "UNION",
      "ALL",
      "EXCEPT",
      "INTERSECT",
      "DISTINCT",
      "INSERT",
      "INTO",
      "VALUES",
      "UPDATE",
      "SET",
      "DELETE",
      "CREATE",
      "TABLE",
      "INDEX",
      "VIEW",
      "DROP",
      "IF",
      "EXISTS",
      "NOT",
      "NULL",
      "PRIMARY",
      "KEY",
      "UNIQUE",
      "DEFAULT",
      "AND",
      "OR",
      "IN",
      "IS",
      "BETWEEN",
      "LIKE",
      "ILIKE",
      "CASE",
      "WHEN",
      "THEN",
      "ELSE",
      "END",
      "CAST",
      "AS",
      "JOIN",
      "LEFT",
      "RIGHT",
      "FULL",
      "INNER",
      "CROSS",
      "NATURAL",
      "ON",
      "USING",
      "ASC",
      "DESC",
      "NULLS",
      "FIRST",
      "LAST",
      "BEGIN",
      "COMMIT",
      "ROLLBACK",
      "TRANSACTION",
      "ISOLATION",
      "LEVEL",
      "SERIALIZABLE",
      "ANY",
      "SOME",
      "TRUE",
      "FALSE",
      "WITH",
      "RECURSIVE",
      "OVER",
      "RETURNING",
      "EXPLAIN",
      "SHOW",
      "INTERVAL",
      "DATE",
      "TIMESTAMP",
      "fz",
      "fy",
      "fv",
      "fz_b",
      "a",
      "b",
      "c",
      "d",
      "e",
      "f",
      "g",
      "h",
      "i",
      "x",
      "y",
      "nosuch",
      "int",
      "integer",
      "bigint",
      "smallint",
      "numeric(5,2)",
      "numeric",
      "float8",
      "real",
      "text",
      "varchar(3)",
      "char(2)",
      "boolean",
      "date",
      "count(*)",
      "sum",
      "avg",
      "min",
      "max",
      "string_agg",
      "bool_and",
      "abs",
      "round",
      "substr",
      "length",
      "upper",
      "coalesce",
      "nullif",
      "greatest",
      "lpad",
      "position",
      "trim",
      "mod",
      "sqrt",
      "power",
      "(",
      ")",
      "(",
      ")",
      ",",
      ",",
      ";",
      "*",
      "+",
      "-",
      "/",
      "%",
      "=",
      "<>",
      "<",
      ">",
      "<=",
      ">=",
      "||",
      "::",
      ".",
      "$1",
      "$2",
      "0",
      "1",
      "2",
      "-1",
      "2147483647",
      "-2147483648",
      "9223372036854775807",
      "32767",
      "1.5",
      "0.0",
      "1e308",
      "1e-308",
      "'x'",
      "'é'",
      "''",
      "'abc'",
      "'2024-02-29'",
      "'NaN'",
      "'Infinity'",
      "'1e400'",
      "E'\\x41'",
      "'日本語'",
      "\"fz\"",
      "\"A\"",
      "/* c */",
      "--",
      "\n",
  };
  return v;
}

struct fuzzer {
  std::mt19937_64 rng;
  uint64_t seed;
  std::unique_ptr<db001::database> db;
  std::unique_ptr<db001::connection> c;
  std::map<std::string, int> states;                   ///< SQLSTATE -> count, for the log
  std::map<std::string, std::string> internal_errors;  ///< XX000 message -> first statement
  size_t statements = 0;
  int rounds = 300;  ///< rounds of 250 random statements (DB001_FUZZ_ROUNDS in the environment)
  bool trace = std::getenv("DB001_FUZZ_TRACE") != nullptr;  ///< print each statement to stderr first

  explicit fuzzer(uint64_t s) : rng(s), seed(s) {
    db001::options o;
    o.parallel_workers = 2;
    o.parallel_threshold_rows = 1000;  // the reference table is larger: its checks run in parallel too
    db = db001::database::open(o);
    c = db->connect();
    if (const char* r = std::getenv("DB001_FUZZ_ROUNDS")) rounds = std::atoi(r);
  }

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); }
  bool chance(int percent) { return int(pick(100)) < percent; }

  /// Reads every cell of an ok result, the way a host would.
  static void read_all(const db001::result& r) {
    for (size_t i = 0; i < r.row_count() && i < 200; ++i)
      for (size_t j = 0; j < r.column_count(); ++j) {
        (void)r.text(i, j);
        (void)r.is_null(i, j);
      }
  }

  void check(const db001::result& r, std::string_view sql, const char* via) {
    if (r.ok()) {
      read_all(r);
      ++states["00000"];
      return;
    }
    ++states[r.sqlstate()];
    if (!valid_sqlstate(r.sqlstate()))
      BOOST_ERROR(via << ": bad SQLSTATE '" << r.sqlstate() << "' (seed " << seed << ") for \"" << escaped(sql)
                      << "\"");
    if (r.sqlstate() == "XX000") internal_errors.try_emplace(r.error_message(), escaped(sql));
  }

  /// One statement through execute, and (sometimes) through prepare + execute.
  void feed(std::string_view sql, bool also_prepare) {
    ++statements;
    if (trace)
      std::fprintf(stderr, "fuzz %zu%s: \"%s\"\n", statements, also_prepare ? " (+prepare)" : "",
                   escaped(sql, 100000).c_str());
    auto start = clock_type::now();
    try {
      auto r = c->execute(sql);
      check(r, sql, "execute");
    } catch (const std::exception& e) {
      BOOST_ERROR("exception escaped execute (seed " << seed << "): " << e.what() << " for \"" << escaped(sql) << "\"");
    } catch (...) {
      BOOST_ERROR("unknown exception escaped execute (seed " << seed << ") for \"" << escaped(sql) << "\"");
    }
    if (also_prepare) {
      try {
        auto p = c->prepare(sql);
        if (!p.ok()) {
          check(p.error(), sql, "prepare");
        } else {
          std::vector<db001::value> params;
          size_t n = chance(70) ? p.param_count() : pick(4);
          for (size_t i = 0; i < n; ++i) {
            switch (pick(5)) {
              case 0:
                params.push_back(db001::value::int32(int32_t(rng())));
                break;
              case 1:
                params.push_back(db001::value::text(chance(50) ? "12" : "x\xc3"));
                break;
              case 2:
                params.push_back(db001::value::null());
                break;
              case 3:
                params.push_back(db001::value::float64(1e300));
                break;
              default:
                params.push_back(db001::value::int64(INT64_MIN));
                break;
            }
          }
          check(p.execute(params), sql, "prepared execute");
        }
      } catch (const std::exception& e) {
        BOOST_ERROR("exception escaped prepare/execute (seed " << seed << "): " << e.what() << " for \"" << escaped(sql)
                                                               << "\"");
      } catch (...) {
        BOOST_ERROR("unknown exception escaped prepare/execute (seed " << seed << ") for \"" << escaped(sql) << "\"");
      }
    }
    double secs = std::chrono::duration<double>(clock_type::now() - start).count();
    if (secs > max_statement_seconds)
      BOOST_ERROR("statement took " << secs << " s (seed " << seed << "): \"" << escaped(sql) << "\"");
  }

  std::string random_bytes() {
    size_t n = pick(120);
    std::string s;
    bool printable = chance(60);
    for (size_t i = 0; i < n; ++i) s += printable ? char(0x20 + pick(95)) : char(pick(256));
    return s;
  }

  std::string token_soup() {
    const auto& v = vocabulary();
    size_t n = 1 + pick(25);
    std::string s = chance(70) ? std::string(chance(50) ? "SELECT " : "") : std::string();
    for (size_t i = 0; i < n; ++i) {
      s += v[pick(v.size())];
      if (!chance(10)) s += ' ';
    }
    return s;
  }

  std::string mutate(std::string s) {
    const auto& v = vocabulary();
    int edits = 1 + int(pick(3));
    for (int k = 0; k < edits && !s.empty(); ++k) {
      size_t at = pick(s.size() + 1);
      switch (pick(7)) {
        case 0:
          s.erase(at, 1 + pick(8));
          break;  // delete a run
        case 1:
          s.insert(at, v[pick(v.size())] + " ");
          break;  // insert a token
        case 2:
          if (at < s.size()) s[at] = char(0x20 + pick(95));
          break;  // replace a byte
        case 3:
          s.insert(at, s.substr(pick(s.size()), 1 + pick(10)));
          break;  // duplicate a run
        case 4:
          s.insert(at, chance(50) ? "'" : "\"");
          break;  // unbalance quotes
        case 5:
          s.insert(at, chance(50) ? "(" : ")");
          break;  // unbalance parens
        default:
          if (at < s.size()) s[at] = char(0x80 + pick(128));
          break;  // a stray non-ASCII byte
      }
    }
    return s;
  }

  // A random well-formed (mostly) statement over fz/fy: reaches the binder and the executor
  // with type errors, overflows, NULLs, subqueries and aggregates in odd places.
  std::string literal() {
    static const char* lits[] = {"NULL",
                                 "0",
                                 "1",
                                 "-1",
                                 "2147483647",
                                 "-2147483648",
                                 "9223372036854775807",
                                 "32767",
                                 "1.5",
                                 "-0.25",
                                 "99999999999999999999999999999999999999",
                                 "1e10",
                                 "'x'",
                                 "'é'",
                                 "''",
                                 "'12'",
                                 "'2024-02-29'",
                                 "'NaN'",
                                 "'1e400'",
                                 "true",
                                 "false",
                                 "DATE '2000-01-01'",
                                 "'abc'::varchar(2)",
                                 "'ab'::char(4)",
                                 "1.5::float8",
                                 "'-Infinity'::float8",
                                 "0.0001::numeric(5,4)",
                                 "$1",
                                 "$2"};
    return lits[pick(std::size(lits))];
  }
  std::string column() {
    static const char* cols[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "fz.a", "fy.a", "nosuch"};
    return cols[pick(std::size(cols))];
  }
  std::string expr(int depth) {
    if (depth <= 0 || chance(25)) return chance(55) ? column() : literal();
    static const char* binops[] = {
        "+", "-", "*", "/", "%", "||", "=", "<>", "<", ">=", "AND", "OR", "LIKE", "IS DISTINCT FROM", "^"};
    static const char* funcs[] = {"abs",      "round",      "trunc",    "ceil",    "floor",    "sqrt",    "power",
                                  "mod",      "length",     "upper",    "lower",   "substr",   "replace", "left",
                                  "right",    "reverse",    "coalesce", "nullif",  "greatest", "least",   "concat",
                                  "position", "exp",        "ln",       "sum",     "count",    "min",     "max",
                                  "avg",      "string_agg", "bool_and", "nosuchfn"};
    static const char* types[] = {"int",  "smallint",   "bigint",  "numeric", "numeric(4,1)", "float8",   "real",
                                  "text", "varchar(2)", "char(3)", "boolean", "date",         "timestamp"};
    int d = depth - 1;
    switch (pick(10)) {
      case 0:
        return "(" + expr(d) + " " + binops[pick(std::size(binops))] + " " + expr(d) + ")";
      case 1:
        return "(" + expr(d) + " " + binops[pick(std::size(binops))] + " " + expr(d) + ")";
      case 2: {
        std::string f = std::string(funcs[pick(std::size(funcs))]) + "(";
        size_t n = pick(4);
        for (size_t i = 0; i < n; ++i) f += (i ? ", " : "") + expr(d);
        return f + ")";
      }
      case 3:
        return chance(50) ? "(" + expr(d) + ")::" + types[pick(std::size(types))]
                          : "CAST(" + expr(d) + " AS " + types[pick(std::size(types))] + ")";
      case 4:
        return "CASE WHEN " + expr(d) + " THEN " + expr(d) + " ELSE " + expr(d) + " END";
      case 5:
        return "(SELECT " + expr(d) + " FROM fy" + (chance(50) ? " LIMIT 1)" : ")");
      case 6:
        return expr(d) + (chance(50) ? " IN (SELECT a FROM fy)" : " NOT IN (1, NULL, " + expr(d) + ")");
      case 7:
        return chance(50) ? "-" + expr(d) : "NOT " + expr(d);
      case 8:
        return expr(d) + (chance(50) ? " IS NULL" : " BETWEEN " + expr(d) + " AND " + expr(d));
      default:
        return "EXISTS (SELECT 1 FROM fy WHERE " + expr(d) + ")";
    }
  }
  std::string random_statement() {
    int d = 1 + int(pick(4));
    switch (pick(6)) {
      case 0:
        return "INSERT INTO fz VALUES (" + std::to_string(200 + pick(100000)) + ", " + expr(d) + ", " + expr(d) + ", " +
               expr(d) + ")";
      case 1:
        return "UPDATE fz SET " + std::string(1, char('b' + pick(8))) + " = " + expr(d) + " WHERE " + expr(d);
      case 2:
        return "DELETE FROM fz WHERE " + expr(d) + " AND a > 100";
      default: {
        std::string q = std::string("SELECT ") + (chance(15) ? "DISTINCT " : "") + expr(d) + ", " + expr(d);
        q += chance(30) ? " FROM fz LEFT JOIN fy ON " + expr(1) : " FROM fz";
        if (chance(60)) q += " WHERE " + expr(d);
        if (chance(30)) q += " GROUP BY " + expr(1);
        if (chance(15)) q += " HAVING " + expr(d);
        if (chance(40))
          q +=
              " ORDER BY " + (chance(50) ? std::to_string(pick(4)) : expr(1)) + (chance(50) ? " DESC NULLS FIRST" : "");
        if (chance(20)) q += " LIMIT " + expr(0);
        if (chance(10)) q += " OFFSET " + expr(0);
        if (chance(10)) q += (chance(50) ? " UNION " : " EXCEPT ALL ") + std::string("SELECT a, b FROM fz");
        return q;
      }
    }
  }

  /// Recreates the fuzz tables (whatever the garbage did to them), outside any transaction.
  void reset_fuzz_tables() {
    c->execute("ROLLBACK");
    c->execute("DROP VIEW IF EXISTS fv");
    c->execute("DROP TABLE IF EXISTS fz");
    c->execute("DROP TABLE IF EXISTS fy");
    const auto& v = valid_statements();
    for (size_t i = 0; i < 3; ++i) BOOST_TEST_REQUIRE(c->execute(v[i]).ok(), v[i]);
    BOOST_TEST_REQUIRE(c->execute("CREATE TABLE fy(a int)").ok());
    BOOST_TEST_REQUIRE(c->execute("INSERT INTO fy VALUES (1), (2), (NULL)").ok());
  }

  /// The reference table, which no generated statement names: its content must never change.
  void create_reference() {
    BOOST_TEST_REQUIRE(
        c->execute("CREATE TABLE zz_reference_k9(k int PRIMARY KEY, v text NOT NULL, n numeric(10,2))").ok());
    std::string ins = "INSERT INTO zz_reference_k9 VALUES ";
    for (int i = 1; i <= 2000; ++i) {
      if (i > 1) ins += ", ";
      ins += "(" + std::to_string(i) + ", 'v" + std::to_string(i % 97) + "', " + std::to_string(i) + ".25)";
    }
    BOOST_TEST_REQUIRE(c->execute(ins).ok());
  }

  /// The database still answers correctly: the reference table is intact (scan, index lookup,
  /// aggregate) and plain statements still work on this session.
  void verify(const char* when) {
    BOOST_TEST_CONTEXT("verify " << when << " (seed " << seed << ")") {
      c->execute("ROLLBACK");  // leave whatever block the garbage opened
      auto r = c->execute("SELECT count(*), sum(k), min(v), max(v), sum(n) FROM zz_reference_k9");
      BOOST_TEST_REQUIRE(r.ok(), r.sqlstate() + " " + r.error_message());
      BOOST_TEST(r.text(0, 0) == "2000");
      BOOST_TEST(r.text(0, 1) == "2001000");
      BOOST_TEST(r.text(0, 2) == "v0");
      BOOST_TEST(r.text(0, 3) == "v96");
      BOOST_TEST(r.text(0, 4) == "2001500.00");
      r = c->execute("SELECT v, n FROM zz_reference_k9 WHERE k = 1234");
      BOOST_TEST_REQUIRE(r.ok(), r.sqlstate() + " " + r.error_message());
      BOOST_TEST_REQUIRE(r.row_count() == 1u);
      BOOST_TEST(r.text(0, 0) == "v70");
      BOOST_TEST(r.text(0, 1) == "1234.25");
      r = c->execute("SELECT 1 + 1, 'ok' || '!'");
      BOOST_TEST_REQUIRE(r.ok());
      BOOST_TEST(r.text(0, 0) == "2");
      BOOST_TEST(r.text(0, 1) == "ok!");
      BOOST_TEST(!c->failed());
      BOOST_TEST(!c->in_transaction());
    }
  }
};

std::string repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fuzz)

BOOST_AUTO_TEST_CASE(malformed_statements_never_crash) {
  const uint64_t seed = fuzz_seed();
  BOOST_TEST_MESSAGE("fuzz seed " << seed << " (set DB001_FUZZ_SEED to change)");
  fuzzer f(seed);
  f.create_reference();
  f.reset_fuzz_tables();
  f.verify("at the start");
  const auto& valid = valid_statements();

  // 1. Every prefix of every valid statement (cuts through tokens, quotes and UTF-8 sequences).
  for (const auto& s : valid) {
    for (size_t n = 0; n <= s.size(); ++n) f.feed(std::string_view(s).substr(0, n), n % 7 == 0);
    f.reset_fuzz_tables();
  }
  f.verify("after the prefixes");

  // 2. Random bytes, token soups, mutated and randomly generated statements, interleaved with
  //    valid statements.
  for (int round = 0; round < f.rounds; ++round) {
    for (int i = 0; i < 250; ++i) {
      switch (f.pick(6)) {
        case 0:
          f.feed(f.random_bytes(), f.chance(30));
          break;
        case 1:
          f.feed(f.token_soup(), f.chance(30));
          break;
        case 2:
          f.feed(f.mutate(valid[f.pick(valid.size())]), f.chance(30));
          break;
        case 3:
        case 4:
          f.feed(f.random_statement(), f.chance(40));
          break;
        default:
          f.feed(valid[f.pick(valid.size())], f.chance(20));
          break;
      }
      if (f.c->failed() && f.chance(80)) f.c->execute("ROLLBACK");  // mostly leave aborted blocks soon
    }
    f.verify("after a round of garbage");
    f.reset_fuzz_tables();
  }

  // 3. Deep nesting, huge literals, NUL bytes and invalid UTF-8.
  std::vector<std::string> extreme = {
      "SELECT " + repeat("(", 10000) + "1" + repeat(")", 10000),
      "SELECT " + repeat("(", 10000) + "1",
      "SELECT " + repeat("1+", 10000) + "1",
      "SELECT " + repeat("-", 10001) + "1",
      "SELECT " + repeat("- ", 10000) + "1",
      "SELECT " + repeat("NOT ", 10000) + "true",
      "SELECT " + repeat("abs(", 5000) + "1" + repeat(")", 5000),
      "SELECT " + repeat("(SELECT ", 3000) + "1" + repeat(")", 3000),
      "SELECT " + repeat("CASE WHEN true THEN ", 3000) + "1" + repeat(" END", 3000),
      "SELECT 1 WHERE " + repeat("1=1 AND ", 20000) + "true",
      repeat("SELECT 1 UNION ALL ", 20000) + "SELECT 1",
      "SELECT * FROM fz WHERE a IN (" + repeat("1,", 100000) + "2)",
      "SELECT '" + std::string(1 << 20, 'x') + "'",
      "SELECT length('" + repeat("日本", 200000) + "')",
      "SELECT " + std::string(100000, '9'),
      "SELECT 0." + std::string(100000, '1'),
      "SELECT 1" + std::string(400, '0') + "::float8",
      "SELECT " + std::string(60, '9') + "::numeric(38,0)",
      "SELECT 1e99999999999999999999",
      "SELECT '" + std::string(100000, '9') + "'::int",
      "SELECT '" + std::string(100000, '1') + "'::numeric",
      "SELECT '" + std::string(100000, '1') + "'::float8",
      "SELECT \"" + std::string(10000, 'a') + "\" FROM fz",
      "CREATE TABLE " + std::string(10000, 't') + "(a int)",
      "SELECT $" + std::string(30, '9'),
      "SELECT $2147483648",
      "SELECT 1" + repeat(";", 100000),
      repeat("SELECT 1;", 20000),
      "SELECT " + repeat("a,", 5000) + "a FROM fz",
      "SELECT count(*) FROM fy f1, fy f2, fy f3, fy f4, fy f5, fy f6, fy f7, fy f8",
      "SELECT * FROM " + repeat("fy, ", 6) + "fy",
      "SELECT count(*) FROM " + repeat("fy NATURAL JOIN ", 50) + "fy",
      "SELECT lpad('x', 100000), repeat('ab', 100000), rpad('', 100000, 'é')",
      "SELECT repeat('x', -5), lpad('x', -1), substr('abc', -10, 2), left('abc', -100)",
      std::string("SELECT 1\0 2", 11),
      std::string("SELECT '\0'", 10),
      std::string(100, '\0'),
      "SELECT '\xff\xfe'",
      "SELECT 'a\xc3'",
      "SELECT \xc3\xa9",
      "SELECT '\xed\xa0\x80'",
      "SELECT '\xf4\x90\x80\x80'",
      "SELECT 1 -- \xff",
      "SELECT U&'\\d800'",
      "SELECT E'\\xff'",
      "SELECT E'\\u0000'",
      "SELECT E'\\777'",
      "SELECT chr(0)",
      "SELECT '\\'",
      "SELECT $$unterminated",
      "SELECT $tag$x$tag$, $$$$",
      "SELECT 'a' 'b'",
      "SELECT 'a'\n'b'",
      "SELECT 1::int::text::int::numeric::float8::real::bigint::smallint",
      "SELECT ''::date, 'epoch'::date, 'infinity'::date, '-infinity'::timestamp, '294277-01-01'::timestamp",
      "SELECT '0001-01-01 BC'::date, '5874897-12-31'::date, '5874898-01-01'::date",
      "SELECT 'NaN'::float8::numeric, '-Infinity'::float8::int",
      "SELECT -9223372036854775808 / -1, -9223372036854775808 % -1, abs(-9223372036854775808)",
      "SELECT round(1.5, 2147483647), round(1.5, -2147483648), trunc(1.5, 100000)",
      "SELECT power(2, 100000), power(-8, 1.0/3), power(10, -400), exp(-100000), ln(1e-300)",
      "SELECT 1.0 / 3 * 3 = 1, 10 ^ 38, 99999999999999999999999999999999999999 + 1",
      "SELECT sum(x) FROM (VALUES (99999999999999999999999999999999999999), (1)) v(x)",
      "SELECT avg(x) FROM (VALUES (9223372036854775807), (9223372036854775807)) v(x)",
      "INSERT INTO fy VALUES " + repeat("(1),", 50000) + "(2)",
      "SELECT count(*) FROM fy WHERE a IN (SELECT a FROM fy)",
  };
  for (const auto& s : extreme) f.feed(s, true);
  f.verify("after the extreme statements");

  // 4. Garbage inside transaction blocks: the block must end cleanly either way.
  for (int i = 0; i < 200; ++i) {
    f.feed("BEGIN", false);
    f.feed(valid[3], false);
    f.feed(f.chance(50) ? f.token_soup() : f.mutate(valid[f.pick(valid.size())]), f.chance(20));
    f.feed(valid[f.pick(valid.size())], false);
    f.feed(f.chance(50) ? "COMMIT" : "ROLLBACK", false);
  }
  f.verify("after garbage in transaction blocks");

  std::string summary;
  for (const auto& [state, n] : f.states) summary += " " + state + ":" + std::to_string(n);
  BOOST_TEST_MESSAGE("fuzz: " << f.statements << " statements; results by SQLSTATE:" << summary);
  for (const auto& [msg, sql] : f.internal_errors)
    BOOST_TEST_MESSAGE("fuzz: XX000 \"" << msg << "\" first from \"" << sql << "\"");
}

BOOST_AUTO_TEST_SUITE_END()
