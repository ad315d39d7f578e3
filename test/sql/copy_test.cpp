// COPY in the engine (sql/copy.h): options, the text and CSV formats in both directions, the
// load through engine::session's copy_in, and its transaction semantics.
//
// Every expected output, SQLSTATE, message, hint and context below is what PostgreSQL 15
// answered for the same statement and data (libpq's PQputCopyData / PQgetCopyData against a
// scratch server, test/pg_scratch.sh).
#include "sql/copy.h"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "db001/db001.h"
#include "sql/engine.h"
#include "sql/session.h"

namespace {

using db001::engine::result_data;
using row_t = std::vector<std::optional<std::string>>;

struct copy_fixture {
  static db001::options opts() {
    db001::options o;
    o.parallel_workers = 1;
    return o;
  }
  db001::engine::engine eng{opts()};
  db001::engine::session s{eng};

  void exec(const std::string& sql) {
    auto rs = s.execute(sql);
    for (auto& r : rs) BOOST_REQUIRE_MESSAGE(r->ok(), sql << ": " << r->code << " " << r->message);
  }
  std::shared_ptr<result_data> exec1(const std::string& sql) { return s.execute(sql).back(); }
  /// Runs COPY ... FROM STDIN with `data` fed in chunks of `chunk` bytes (0 = at once).
  std::shared_ptr<result_data> copy_in(const std::string& sql, std::string_view data, size_t chunk = 0,
                                       const char* fail = nullptr) {
    BOOST_REQUIRE(s.copy_kind_of(sql) == db001::sql::copy_kind::from_stdin);
    auto in = s.begin_copy_in(sql);
    if (in->error()) return in->error();
    if (chunk == 0) chunk = std::max<size_t>(1, data.size());
    for (size_t i = 0; i < data.size(); i += chunk)
      if (auto e = in->feed(data.substr(i, chunk))) return e;
    return fail ? in->fail(fail) : in->finish();
  }
  std::string copy_out(const std::string& sql) {
    BOOST_REQUIRE(s.copy_kind_of(sql) == db001::sql::copy_kind::to_stdout);
    auto out = s.run_copy_out(sql);
    BOOST_REQUIRE_MESSAGE(!out->error(), sql << ": " << out->error()->code << " " << out->error()->message);
    return out->all();
  }
  std::vector<row_t> rows(const std::string& sql) {
    auto r = exec1(sql);
    BOOST_REQUIRE_MESSAGE(r->ok(), sql << ": " << r->message);
    std::vector<row_t> out;
    for (size_t i = 0; i < r->rows->row_count(); ++i) {
      row_t row;
      for (size_t c = 0; c < r->names.size(); ++c) {
        auto v = r->rows->get(i, c);
        row.push_back(v.is_null() ? std::nullopt : std::optional<std::string>(v.to_string()));
      }
      out.push_back(row);
    }
    return out;
  }
  /// Expects an error result with SQLSTATE, message, and (when given) context and hint.
  static void expect(const std::shared_ptr<result_data>& r, const std::string& code, const std::string& msg,
                     const std::string& context = "", const std::string& hint = "", const std::string& detail = "") {
    BOOST_REQUIRE(r);
    BOOST_TEST(r->code == code, "code " << r->code << " != " << code << " (" << r->message << ")");
    BOOST_TEST(r->message == msg);
    BOOST_TEST(r->context == context);
    BOOST_TEST(r->hint == hint);
    if (!detail.empty()) BOOST_TEST(r->detail == detail);
  }
};

std::optional<std::string> S(std::string s) { return s; }
const std::optional<std::string> N = std::nullopt;

db001::sql::copy_options text_opts() { return {}; }
db001::sql::copy_options csv_opts() {
  db001::sql::copy_options o;
  o.format = db001::sql::copy_format::csv;
  o.delimiter = ',';
  o.null_marker = "";
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(copy)

// ---------------------------------------------------------------------------------------------
// COPY TO: PostgreSQL's output, byte for byte
// ---------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(copy_to_text_and_csv_as_postgresql, copy_fixture) {
  exec(
      "CREATE TABLE t (a int, b text, c float8, d numeric(10,2), e bool, f date, g timestamp, h varchar(5), "
      "i char(3), j real, k bigint, l smallint)");
  exec(
      "INSERT INTO t VALUES (1, E'x\\ty\\nz\\\\w\\r\\b\\f\\v\\001,\"q', 1.5, 3.1, true, '2024-01-31', "
      "'2024-01-31 12:34:56.5', 'ab', 'c', 0.1, -5, 7); INSERT INTO t VALUES "
      "(null,null,null,null,null,null,null,null,null,null,null,null); "
      "INSERT INTO t VALUES (2, '', 'NaN', -0.5, false, '2000-02-29', 'infinity', '', '', 'Infinity', 0,0); "
      "INSERT INTO t VALUES (3, '\\.', '1e100', 0, true, 'infinity', '1999-01-08 04:05:06', 'a,b', 'a\"', '1e-10', 1, "
      "1)");
  const std::string r1 =
      "1\tx\\ty\\nz\\\\w\\r\\b\\fv\x01,\"q\t1.5\t3.10\tt\t2024-01-31\t2024-01-31 12:34:56.5\tab\tc  \t0.1\t-5\t7\n";
  const std::string r2 = "\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n";
  const std::string r3 = "2\t\tNaN\t-0.50\tf\t2000-02-29\tinfinity\t\t   \tInfinity\t0\t0\n";
  const std::string r4 = "3\t\\\\.\t1e+100\t0.00\tt\tinfinity\t1999-01-08 04:05:06\ta,b\ta\" \t1e-10\t1\t1\n";
  BOOST_TEST(copy_out("COPY t TO STDOUT") == r1 + r2 + r3 + r4);

  BOOST_TEST(copy_out("COPY t TO STDOUT (FORMAT csv, HEADER)") ==
             "a,b,c,d,e,f,g,h,i,j,k,l\n"
             "1,\"x\ty\nz\\w\r\b\fv\x01,\"\"q\",1.5,3.10,t,2024-01-31,2024-01-31 12:34:56.5,ab,c  ,0.1,-5,7\n"
             ",,,,,,,,,,,\n"
             "2,\"\",NaN,-0.50,f,2000-02-29,infinity,\"\",   ,Infinity,0,0\n"
             "3,\\.,1e+100,0.00,t,infinity,1999-01-08 04:05:06,\"a,b\",\"a\"\" \",1e-10,1,1\n");
  BOOST_TEST(copy_out("COPY t (b, a) TO STDOUT (HEADER)") ==
             "b\ta\nx\\ty\\nz\\\\w\\r\\b\\fv\x01,\"q\t1\n\\N\t\\N\n\t2\n\\\\.\t3\n");
  BOOST_TEST(copy_out("COPY t (a, b, k) TO STDOUT (FORMAT csv, FORCE_QUOTE *)") ==
             "\"1\",\"x\ty\nz\\w\r\b\fv\x01,\"\"q\",\"-5\"\n,,\n\"2\",\"\",\"0\"\n\"3\",\"\\.\",\"1\"\n");
  BOOST_TEST(copy_out("COPY t (b) TO STDOUT (FORMAT csv)") == "\"x\ty\nz\\w\r\b\fv\x01,\"\"q\"\n\n\"\"\n\"\\.\"\n");
  BOOST_TEST(copy_out("COPY t (a, b, h) TO STDOUT (FORMAT csv, NULL 'N', QUOTE '''', ESCAPE '\\', DELIMITER '|')") ==
             "1|'x\ty\nz\\\\w\r\b\fv\x01,\"q'|ab\nN|N|N\n2||\n3|\\.|a,b\n");
  BOOST_TEST(copy_out("COPY t (a, b, h) TO STDOUT (DELIMITER ',', NULL 'nil')") ==
             "1,x\\ty\\nz\\\\w\\r\\b\\fv\x01\\,\"q,ab\nnil,nil,nil\n2,,\n3,\\\\.,a\\,b\n");
  BOOST_TEST(copy_out("COPY (SELECT b AS \"x,y\", 'N' AS \"\\N\" FROM t) TO STDOUT (FORMAT csv, HEADER, NULL 'N')") ==
             "\"x,y\",\\N\n\"x\ty\nz\\w\r\b\fv\x01,\"\"q\",\"N\"\nN,\"N\"\n,\"N\"\n\\.,\"N\"\n");
  BOOST_TEST(copy_out("COPY (SELECT b AS \"x\ty\" FROM t) TO STDOUT (HEADER)") ==
             "x\\ty\nx\\ty\\nz\\\\w\\r\\b\\fv\x01,\"q\n\\N\n\n\\\\.\n");
  BOOST_TEST(copy_out("COPY t (a, b) TO STDOUT (DELIMITER E'\\001')") ==
             "1\x01x\\ty\\nz\\\\w\\r\\b\\fv\\\x01,\"q\n\\N\x01\\N\n2\x01\n3\x01\\\\.\n");
  auto out = s.run_copy_out("COPY t TO STDOUT");
  BOOST_TEST(out->column_count() == 12u);
  std::string line;
  size_t n = 0;
  while (out->next(line)) ++n;
  BOOST_TEST(n == 4u);
  BOOST_TEST(out->result()->tag == "COPY 4");
}

// ---------------------------------------------------------------------------------------------
// COPY FROM: the formats
// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(text_format_escapes_and_markers) {
  using db001::sql::parse_copy_data;
  auto r = parse_copy_data(text_opts(), "1\ta\\x41\\101\\n\\t\\\\\\q\\x\n");
  BOOST_TEST((r == std::vector<row_t>{{S("1"), S("aAA\n\t\\qx")}}));
  r = parse_copy_data(text_opts(), "1\t\\N\n\\N\t\n\t\\\t\n1\ta\\");
  BOOST_TEST((r == std::vector<row_t>{{S("1"), N}, {N, S("")}, {S(""), S("\t")}, {S("1"), S("a")}}));
  r = parse_copy_data(text_opts(), "1\tab\\.\nnot read\n");
  BOOST_TEST((r == std::vector<row_t>{{S("1"), S("ab")}}));
  r = parse_copy_data(text_opts(), "1\ta\r\n2\tb\r\n\\.\r\ngarbage");
  BOOST_TEST((r == std::vector<row_t>{{S("1"), S("a")}, {S("2"), S("b")}}));
  r = parse_copy_data(text_opts(), "1\ta\r2\tb\r");
  BOOST_TEST((r == std::vector<row_t>{{S("1"), S("a")}, {S("2"), S("b")}}));
  r = parse_copy_data(text_opts(), "a\\\nb\t\\r\\b\\f\\v\\7\\0101\n");
  BOOST_TEST((r == std::vector<row_t>{{S("a\nb"), S("\r\b\f\v\x07\x08"
                                                    "1")}}));
}

BOOST_AUTO_TEST_CASE(csv_format_quotes_and_nulls) {
  using db001::sql::parse_copy_data;
  auto r = parse_copy_data(csv_opts(), "1,\"a\nb\"\n2,\n3,\"\"\n\"1\",a\n1,\"a\"\"b\"\n1,\"ab\"c\n1,a b \n");
  BOOST_TEST((r == std::vector<row_t>{{S("1"), S("a\nb")},
                                      {S("2"), N},
                                      {S("3"), S("")},
                                      {S("1"), S("a")},
                                      {S("1"), S("a\"b")},
                                      {S("1"), S("abc")},
                                      {S("1"), S("a b ")}}));
  r = parse_copy_data(csv_opts(), "1,a\n\\.\n2,b\n");
  BOOST_TEST((r == std::vector<row_t>{{S("1"), S("a")}}));
  r = parse_copy_data(csv_opts(), "\\.x,1\n\"\\.\"\n");
  BOOST_TEST((r == std::vector<row_t>{{S("\\.x"), S("1")}, {S("\\.")}}));
  auto o = csv_opts();
  o.quote = '\'';
  o.escape = '\\';
  r = parse_copy_data(o, "'a\\'b','c\\\\d','x''y',\\\n");
  BOOST_TEST((r == std::vector<row_t>{{S("a'b"), S("c\\d"), S("xy"), S("\\")}}));
}

BOOST_AUTO_TEST_CASE(chunk_boundaries_at_every_byte) {
  using namespace db001::sql;
  struct sample {
    copy_options opts;
    std::string data;
  };
  auto crlf_csv = csv_opts();
  crlf_csv.header = true;
  std::vector<sample> samples = {
      {text_opts(), "1\tab\\tc\\\\\\x41\\101\t\\N\n2\t\\\\.x\t\\\n\n3\t\xc3\xa9t\xc3\xa9\t\n\\.\nignored"},
      {text_opts(), "1\ta\r\n2\t\\r\\n\r\n\\.\r\n"},
      {text_opts(), "1\ta\r2\tb\r3"},
      {crlf_csv, "a,b\r\n1,\"x\r\ny\"\r\n\"q\"\"\",\r\n\\.\r\n"},
      {csv_opts(), "1,\"a\nb\",\"\"\n2,,\"\\.\"\n\\.\n"},
  };
  for (auto& smp : samples) {
    const auto whole = parse_copy_data(smp.opts, smp.data);
    BOOST_TEST(!whole.empty());
    for (size_t cut = 0; cut <= smp.data.size(); ++cut) {
      copy_parser p(smp.opts);
      struct sink final : copy_row_sink {
        std::vector<row_t> rows;
        void row(std::span<const copy_field> f) override {
          auto& r = rows.emplace_back();
          for (auto& x : f) r.push_back(x.null ? std::nullopt : std::optional<std::string>(std::string(x.view())));
        }
      } s;
      p.feed(std::string_view(smp.data).substr(0, cut), s);
      p.feed(std::string_view(smp.data).substr(cut), s);
      p.finish(s);
      BOOST_TEST((s.rows == whole), "split at " << cut << " of sample " << smp.data);
    }
    copy_parser p(smp.opts);
    struct sink final : copy_row_sink {
      size_t n = 0;
      void row(std::span<const copy_field>) override { ++n; }
    } s;
    for (char c : smp.data) p.feed(std::string_view(&c, 1), s);
    p.finish(s);
    BOOST_TEST(s.n == whole.size());
  }
}

// ---------------------------------------------------------------------------------------------
// Loading through the session
// ---------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(round_trip_every_type, copy_fixture) {
  exec(
      "CREATE TABLE t (a int, b text, c float8, d numeric(10,2), e bool, f date, g timestamp, h varchar(5), "
      "i char(3), j real, k bigint, l smallint, m numeric(30,5))");
  exec(
      "INSERT INTO t VALUES (1, E'x\\ty\\nz\\\\w\\r\\b\\f\\001,\"q\u00e9', 1.5, 3.1, true, '2024-01-31', "
      "'2024-01-31 12:34:56.5', 'ab', 'c', 0.1, -5, 7, 123456789012.12345); INSERT INTO t VALUES "
      "(null,null,null,null,null,null,null,null,null,null,null,null,null); "
      "INSERT INTO t VALUES (2, '', 'NaN', -0.5, false, '2000-02-29', 'infinity', '', '', '-Infinity', "
      "9223372036854775807, -32768, 0); "
      "INSERT INTO t VALUES (3, '\\.', '1e100', 0, true, 'infinity', '1999-01-08 04:05:06', 'a,b', 'a\"', '1e-10', 1, "
      "1, -1.5)");
  exec(
      "CREATE TABLE u (a int, b text, c float8, d numeric(10,2), e bool, f date, g timestamp, h varchar(5), "
      "i char(3), j real, k bigint, l smallint, m numeric(30,5))");
  const std::vector<std::pair<std::string, std::string>> formats = {
      {"", ""},
      {" (FORMAT csv)", " (FORMAT csv)"},
      {" (FORMAT csv, HEADER, FORCE_QUOTE *)", " (FORMAT csv, HEADER match)"},
      {" (HEADER, DELIMITER '|')", " (HEADER, DELIMITER '|')"},
      {" (FORMAT csv, NULL 'NULL', QUOTE '''', ESCAPE '\\')", " (FORMAT csv, NULL 'NULL', QUOTE '''', ESCAPE '\\')"}};
  for (auto& [out_fmt, in_fmt] : formats) {
    std::string data = copy_out("COPY t TO STDOUT" + out_fmt);
    for (size_t chunk : {size_t(0), size_t(1), size_t(7)}) {
      exec("DELETE FROM u");
      auto r = copy_in("COPY u FROM STDIN" + in_fmt, data, chunk);
      BOOST_TEST(r->ok(), in_fmt << ": " << r->message << " " << r->context);
      BOOST_TEST(r->tag == "COPY 4");
      BOOST_TEST(copy_out("COPY u TO STDOUT" + out_fmt) == data, out_fmt << " chunk " << chunk);
    }
  }
}

BOOST_FIXTURE_TEST_CASE(column_lists_take_defaults, copy_fixture) {
  exec("CREATE TABLE t (a int DEFAULT 42, b text, c text DEFAULT 'zz', d int DEFAULT 1 + 2)");
  auto r = copy_in("COPY t (b) FROM STDIN", "q\n\\N\n");
  BOOST_TEST(r->tag == "COPY 2");
  BOOST_TEST((rows("SELECT * FROM t") ==
              std::vector<row_t>{{S("42"), S("q"), S("zz"), S("3")}, {S("42"), N, S("zz"), S("3")}}));
  r = copy_in("COPY t (d, a) FROM STDIN (FORMAT csv)", "7,8\n");
  BOOST_TEST(r->ok());
  BOOST_TEST((rows("SELECT * FROM t WHERE d = 7") == std::vector<row_t>{{S("8"), N, S("zz"), S("7")}}));
  // FORCE_NULL and FORCE_NOT_NULL
  exec("CREATE TABLE f (a int, b text)");
  r = copy_in("COPY f FROM STDIN (FORMAT csv, NULL 'x', FORCE_NULL (b))", "1,\"x\"\n2,x\n3,\n4,\"\"\n");
  BOOST_TEST(r->ok());
  BOOST_TEST((rows("SELECT * FROM f ORDER BY a") ==
              std::vector<row_t>{{S("1"), N}, {S("2"), N}, {S("3"), S("")}, {S("4"), S("")}}));
  exec("DELETE FROM f");
  r = copy_in("COPY f FROM STDIN (FORMAT csv, FORCE_NOT_NULL (b))", "1,\"x\"\n2,x\n3,\n4,\"\"\n");
  BOOST_TEST(r->ok());
  BOOST_TEST((rows("SELECT * FROM f ORDER BY a") ==
              std::vector<row_t>{{S("1"), S("x")}, {S("2"), S("x")}, {S("3"), S("")}, {S("4"), S("")}}));
  // HEADER skips, HEADER MATCH checks
  exec("DELETE FROM f");
  BOOST_TEST(copy_in("COPY f FROM STDIN (HEADER match)", "a\tb\n1\tx\n")->ok());
  BOOST_TEST(copy_in("COPY f FROM STDIN (FORMAT csv, HEADER true)", "a b\n2,y\n")->ok());
  BOOST_TEST(copy_in("COPY f FROM STDIN (HEADER)", "\\.\n")->tag == "COPY 0");
  BOOST_TEST((rows("SELECT * FROM f ORDER BY a") == std::vector<row_t>{{S("1"), S("x")}, {S("2"), S("y")}}));
}

BOOST_FIXTURE_TEST_CASE(data_errors_as_postgresql, copy_fixture) {
  exec("CREATE TABLE t (a int, b text)");
  const char* fmt = "22P04";
  expect(copy_in("COPY t FROM STDIN", "1\tabc\t3\n"), fmt, "extra data after last expected column",
         "COPY t, line 1: \"1\tabc\t3\"");
  expect(copy_in("COPY t FROM STDIN", "1\n"), fmt, "missing data for column \"b\"", "COPY t, line 1: \"1\"");
  expect(copy_in("COPY t FROM STDIN", "1"), fmt, "missing data for column \"b\"", "COPY t, line 1: \"1\"");
  expect(copy_in("COPY t FROM STDIN", "x\tabc\n"), "22P02", "invalid input syntax for type integer: \"x\"",
         "COPY t, line 1, column a: \"x\"");
  expect(copy_in("COPY t FROM STDIN", "\n"), "22P02", "invalid input syntax for type integer: \"\"",
         "COPY t, line 1, column a: \"\"");
  expect(copy_in("COPY t FROM STDIN", "99999999999\ta\n"), "22003",
         "value \"99999999999\" is out of range for type integer", "COPY t, line 1, column a: \"99999999999\"");
  expect(copy_in("COPY t FROM STDIN", "1\ta\r\n2\tb\n"), fmt, "literal newline found in data", "COPY t, line 2",
         "Use \"\\n\" to represent newline.");
  expect(copy_in("COPY t FROM STDIN", "1\ta\n2\tb\r\n"), fmt, "literal carriage return found in data", "COPY t, line 2",
         "Use \"\\r\" to represent carriage return.");
  expect(copy_in("COPY t FROM STDIN", "1\ta\r2\tb\n"), fmt, "literal newline found in data", "COPY t, line 2",
         "Use \"\\n\" to represent newline.");
  expect(copy_in("COPY t FROM STDIN", "1\tab\\.x\n"), fmt, "end-of-copy marker corrupt", "COPY t, line 1");
  expect(copy_in("COPY t FROM STDIN", "1\ta\n\\."), fmt, "end-of-copy marker corrupt", "COPY t, line 2");
  expect(copy_in("COPY t FROM STDIN", "1\ta\r\n\\.\n"), fmt, "end-of-copy marker does not match previous newline style",
         "COPY t, line 2");
  expect(copy_in("COPY t FROM STDIN", "1\t\\xff\n"), "22021", "invalid byte sequence for encoding \"UTF8\": 0xff",
         "COPY t, line 1: \"1\t\\xff\"");
  expect(copy_in("COPY t FROM STDIN", "1\t\xff\n"), "22021", "invalid byte sequence for encoding \"UTF8\": 0xff",
         "COPY t, line 1");
  expect(copy_in("COPY t FROM STDIN", "1\ta\n2\t\xff\n"), "22021", "invalid byte sequence for encoding \"UTF8\": 0xff",
         "COPY t, line 2");
  expect(copy_in("COPY t FROM STDIN", "1\ta\\000b\n"), "22021", "invalid byte sequence for encoding \"UTF8\": 0x00",
         "COPY t, line 1: \"1\ta\\000b\"");
  expect(copy_in("COPY t FROM STDIN", std::string("1\ta\0b\n", 6)), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0x00", "COPY t, line 1");
  expect(copy_in("COPY t FROM STDIN", "1\t\xe2\x82(\n"), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0xe2 0x82 0x28", "COPY t, line 1");
  expect(copy_in("COPY t FROM STDIN", "1\t\xed\xa0\x80\n"), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0xed 0xa0 0x80", "COPY t, line 1");
  expect(copy_in("COPY t FROM STDIN", "1\t\xe0\x80\x80x\n"), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0xe0 0x80 0x80", "COPY t, line 1");
  expect(copy_in("COPY t FROM STDIN", "1\t\xf4\x90\x80\x80\n"), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0xf4 0x90 0x80 0x80", "COPY t, line 1");
  expect(copy_in("COPY t FROM STDIN", "1\t\xe2\x82"), "22021", "invalid byte sequence for encoding \"UTF8\": 0xe2 0x82",
         "COPY t, line 1");
  expect(copy_in("COPY t FROM STDIN", "1\t\\xe2\\x82\n"), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0xe2 0x82", "COPY t, line 1: \"1\t\\xe2\\x82\"");
  // CSV
  expect(copy_in("COPY t FROM STDIN (FORMAT csv)", "1,\"abc\n"), fmt, "unterminated CSV quoted field",
         "COPY t, line 1: \"1,\"abc\n\"");
  expect(copy_in("COPY t FROM STDIN (FORMAT csv)", "1,a\r\n2,b\n"), fmt, "unquoted newline found in data",
         "COPY t, line 2", "Use quoted CSV field to represent newline.");
  expect(copy_in("COPY t FROM STDIN (FORMAT csv)", "1,a\n2,b\r\n"), fmt, "unquoted carriage return found in data",
         "COPY t, line 2", "Use quoted CSV field to represent carriage return.");
  expect(copy_in("COPY t FROM STDIN (FORMAT csv)", "1,a\n\\.x\n"), "22P02",
         "invalid input syntax for type integer: \"\\.x\"", "COPY t, line 2, column a: \"\\.x\"");
  expect(copy_in("COPY t FROM STDIN (FORMAT csv)", "1,a,\n"), fmt, "extra data after last expected column",
         "COPY t, line 1: \"1,a,\"");
  expect(copy_in("COPY t FROM STDIN (FORMAT csv)", "1,\"\xff\"\n"), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0xff", "COPY t, line 1");
  expect(copy_in("COPY t FROM STDIN (FORMAT csv)", "1,a\n2,\"x\n\xff\"\n"), "22021",
         "invalid byte sequence for encoding \"UTF8\": 0xff", "COPY t, line 3");
  expect(copy_in("COPY t FROM STDIN (FORMAT csv)", "1,a\n\\.\r\n"), fmt,
         "end-of-copy marker does not match previous newline style", "COPY t, line 2");
  expect(copy_in("COPY t FROM STDIN (FORMAT csv, HEADER)", "a,b\n1,x\n2,y\nz,3\n"), "22P02",
         "invalid input syntax for type integer: \"z\"", "COPY t, line 4, column a: \"z\"");
  // HEADER MATCH
  expect(copy_in("COPY t FROM STDIN (HEADER match)", "a\tc\n1\tx\n"), fmt,
         "column name mismatch in header line field 2: got \"c\", expected \"b\"", "COPY t, line 1: \"a\tc\"");
  expect(copy_in("COPY t FROM STDIN (HEADER match)", "a\n1\tx\n"), fmt,
         "wrong number of fields in header line: got 1, expected 2", "COPY t, line 1: \"a\"");
  expect(copy_in("COPY t FROM STDIN (HEADER match)", "\\N\tb\n"), fmt,
         "column name mismatch in header line field 1: got null value (\"\\N\"), expected \"a\"",
         "COPY t, line 1: \"\\N\tb\"");
  expect(copy_in("COPY t FROM STDIN (HEADER match)", ""), fmt,
         "wrong number of fields in header line: got 1, expected 2", "COPY t, line 1: \"\"");
  // CopyFail
  expect(copy_in("COPY t FROM STDIN", "1\tabc\n2\t\\N\n", 0, "boom"), "57014", "COPY from stdin failed: boom",
         "COPY t, line 3");
  expect(copy_in("COPY t FROM STDIN", "1\ta\n2\t", 0, "bye"), "57014", "COPY from stdin failed: bye", "COPY t, line 2");
  // Long lines are cut at 100 bytes in the context.
  std::string longline = "1\t" + std::string(120, 'x') + "\t3\n";
  expect(copy_in("COPY t FROM STDIN", longline), fmt, "extra data after last expected column",
         "COPY t, line 1: \"" + longline.substr(0, 100) + "...\"");
  BOOST_TEST((rows("SELECT count(*) FROM t")[0][0] == S("0")));
}

BOOST_FIXTURE_TEST_CASE(constraint_errors_as_postgresql, copy_fixture) {
  exec("CREATE TABLE nn (a int NOT NULL, b text)");
  expect(copy_in("COPY nn FROM STDIN", "1\tx\n\\N\ty\n"), "23502",
         "null value in column \"a\" of relation \"nn\" violates not-null constraint", "COPY nn, line 2: \"\\N\ty\"",
         "", "Failing row contains (null, y).");
  exec("CREATE TABLE pk (a int PRIMARY KEY, b text)");
  expect(copy_in("COPY pk FROM STDIN", "1\tx\n1\ty\n"), "23505",
         "duplicate key value violates unique constraint \"pk_pkey\"", "COPY pk, line 2", "",
         "Key (a)=(1) already exists.");
  exec("CREATE TABLE vc (a int, b varchar(2))");
  expect(copy_in("COPY vc FROM STDIN", "1\txyz\n"), "22001", "value too long for type character varying(2)",
         "COPY vc, line 1, column b: \"xyz\"");
  BOOST_TEST((rows("SELECT count(*) FROM pk")[0][0] == S("0")));
  BOOST_TEST((rows("SELECT count(*) FROM nn")[0][0] == S("0")));
}

BOOST_FIXTURE_TEST_CASE(statement_errors_as_postgresql, copy_fixture) {
  exec("CREATE TABLE t (a int, b text)");
  exec("CREATE VIEW v AS SELECT 1");
  struct c {
    std::string sql, code, msg;
    int pos = 0;
    std::string hint = "";
  };
  const std::string anyone = "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.";
  std::vector<c> cases = {
      {"COPY t FROM STDIN (FORMAT csv, FORMAT text)", "42601", "conflicting or redundant options", 32},
      {"COPY t FROM STDIN (FORMAT xml)", "22023", "COPY format \"xml\" not recognized", 20},
      {"COPY t FROM STDIN (DELIMITER ',,')", "0A000", "COPY delimiter must be a single one-byte character"},
      {"COPY t FROM STDIN (DELIMITER '')", "0A000", "COPY delimiter must be a single one-byte character"},
      {"COPY t FROM STDIN (DELIMITER E'\\n')", "22023", "COPY delimiter cannot be newline or carriage return"},
      {"COPY t FROM STDIN (DELIMITER 'a')", "22023", "COPY delimiter cannot be \"a\""},
      {"COPY t FROM STDIN (DELIMITER '\\')", "22023", "COPY delimiter cannot be \"\\\""},
      {"COPY t FROM STDIN (QUOTE '\"')", "0A000", "COPY quote available only in CSV mode"},
      {"COPY t FROM STDIN (ESCAPE '\"')", "0A000", "COPY escape available only in CSV mode"},
      {"COPY t FROM STDIN (FORMAT csv, QUOTE 'ab')", "0A000", "COPY quote must be a single one-byte character"},
      {"COPY t FROM STDIN (FORMAT csv, QUOTE ',')", "22023", "COPY delimiter and quote must be different"},
      {"COPY t FROM STDIN (FORMAT csv, ESCAPE '')", "0A000", "COPY escape must be a single one-byte character"},
      {"COPY t FROM STDIN (FORMAT csv, FORCE_QUOTE *)", "0A000", "COPY force quote only available using COPY TO"},
      {"COPY t TO STDOUT (FORCE_QUOTE *)", "0A000", "COPY force quote available only in CSV mode"},
      {"COPY t TO STDOUT (FORMAT csv, FORCE_QUOTE (c))", "42703", "column \"c\" of relation \"t\" does not exist"},
      {"COPY t TO STDOUT (FORMAT csv, FORCE_QUOTE a)", "22023",
       "argument to option \"force_quote\" must be a list of column names", 31},
      {"COPY t TO STDOUT (FORMAT csv, FORCE_NOT_NULL (a))", "0A000",
       "COPY force not null only available using COPY FROM"},
      {"COPY t FROM STDIN (FORCE_NULL (a))", "0A000", "COPY force null available only in CSV mode"},
      {"COPY t FROM STDIN (FORMAT csv, NULL '\"')", "0A000",
       "CSV quote character must not appear in the NULL specification"},
      {"COPY t FROM STDIN (NULL E'\\n')", "22023", "COPY null representation cannot use newline or carriage return"},
      {"COPY t FROM STDIN (NULL E'a\\tb')", "0A000", "COPY delimiter must not appear in the NULL specification"},
      {"COPY t FROM STDIN (HEADER 'x')", "42601", "header requires a Boolean value or \"match\""},
      {"COPY t TO STDOUT (HEADER match)", "0A000", "cannot use \"match\" with HEADER in COPY TO"},
      {"COPY t FROM STDIN (HEADER 2)", "42601", "header requires a Boolean value or \"match\""},
      {"COPY t FROM STDIN (foo 1)", "42601", "option \"foo\" not recognized", 20},
      {"COPY t FROM STDIN (FREEZE 'x')", "42601", "freeze requires a Boolean value"},
      {"COPY t FROM STDIN (ENCODING 'xx')", "22023", "argument to option \"encoding\" must be a valid encoding name",
       20},
      {"COPY t FROM STDIN (FORMAT binary, DELIMITER ',')", "42601", "cannot specify DELIMITER in BINARY mode"},
      {"COPY t FROM STDIN (FORMAT binary, HEADER)", "0A000", "cannot specify HEADER in BINARY mode"},
      {"COPY t FROM STDIN DELIMITER ',' DELIMITER ';'", "42601", "conflicting or redundant options", 33},
      {"COPY t FROM STDIN (FORMAT csv, DELIMITER '\"')", "22023", "COPY delimiter and quote must be different"},
      {"COPY t FROM STDIN (FORMAT 1)", "22023", "COPY format \"1\" not recognized", 20},
      {"COPY t FROM STDIN (DELIMITER 1)", "22023", "COPY delimiter cannot be \"1\""},
      {"COPY t FROM STDIN (FORMAT)", "42601", "format requires a parameter"},
      {"COPY t FROM STDIN (NULL)", "42601", "null requires a parameter"},
      {"COPY t FROM STDIN (HEADER on, HEADER off)", "42601", "conflicting or redundant options", 31},
      {"COPY t FROM STDIN (FORMAT csv, FORCE_NOT_NULL *)", "22023",
       "argument to option \"force_not_null\" must be a list of column names", 32},
      {"COPY t FROM STDIN (FORMAT csv, FORCE_NULL (a), FORCE_NULL(b))", "42601", "conflicting or redundant options",
       48},
      {"COPY t FROM STDIN (FORMAT 'CSV')", "22023", "COPY format \"CSV\" not recognized", 20},
      {"COPY t FROM STDIN (\"FORMAT\" csv)", "42601", "option \"FORMAT\" not recognized", 20},
      {"COPY t FROM STDIN (DELIMITER '\xc3\xa9')", "0A000", "COPY delimiter must be a single one-byte character"},
      {"COPY t TO STDOUT (FORMAT csv, FORCE_QUOTE (b, b))", "42701", "column \"b\" specified more than once"},
      {"COPY t (b) TO STDOUT (FORMAT csv, FORCE_QUOTE (a))", "42P10",
       "FORCE_QUOTE column \"a\" not referenced by COPY"},
      {"COPY t FROM STDIN (NULL 'x', NULL 'y')", "42601", "conflicting or redundant options", 30},
      {"COPY nosuch FROM STDIN", "42P01", "relation \"nosuch\" does not exist"},
      {"COPY t (nosuch) FROM STDIN", "42703", "column \"nosuch\" of relation \"t\" does not exist"},
      {"COPY t (a, a) FROM STDIN", "42701", "column \"a\" specified more than once"},
      {"COPY v FROM STDIN", "42809", "cannot copy to view \"v\"", 0,
       "To enable copying to a view, provide an INSTEAD OF INSERT trigger."},
      {"COPY v TO STDOUT", "42809", "cannot copy from view \"v\"", 0, "Try the COPY (SELECT ...) TO variant."},
      {"COPY t TO STDOUT WHERE a > 1", "42601", "WHERE clause not allowed with COPY TO", 18},
      {"COPY (INSERT INTO t VALUES (1)) TO STDOUT", "0A000", "COPY query must have a RETURNING clause"},
      {"COPY t FROM '/tmp/x'", "42501",
       "must be superuser or have privileges of the pg_read_server_files role to COPY from a file", 0, anyone},
      {"COPY t TO '/tmp/x'", "42501",
       "must be superuser or have privileges of the pg_write_server_files role to COPY to a file", 0, anyone},
      {"COPY t FROM PROGRAM 'cat'", "42501",
       "must be superuser or have privileges of the pg_execute_server_program role to COPY to or from an external "
       "program",
       0, anyone},
  };
  for (auto& x : cases) {
    std::shared_ptr<result_data> r;
    auto kind = s.copy_kind_of(x.sql);
    if (kind == db001::sql::copy_kind::from_stdin)
      r = s.begin_copy_in(x.sql)->error();
    else if (kind == db001::sql::copy_kind::to_stdout)
      r = s.run_copy_out(x.sql)->error();
    else
      r = exec1(x.sql);
    BOOST_REQUIRE_MESSAGE(r, x.sql);
    BOOST_TEST(r->code == x.code, x.sql << ": " << r->code << " " << r->message);
    BOOST_TEST(r->message == x.msg, x.sql);
    BOOST_TEST(r->position == x.pos, x.sql << ": position " << r->position);
    BOOST_TEST(r->hint == x.hint, x.sql);
  }
  // Accepted as PostgreSQL accepts them.
  for (std::string ok : {"COPY t FROM STDIN CSV HEADER QUOTE AS '''' FORCE NOT NULL a", "COPY t FROM STDIN (HEADER)",
                         "COPY t FROM STDIN USING DELIMITERS ','", "COPY t FROM STDIN (FORMAT CSV)",
                         "COPY t FROM STDIN (FORMAT csv, FORCE_NULL (b), FORCE_NOT_NULL (b))",
                         "COPY t FROM STDIN (FREEZE on)", "COPY t FROM STDIN (NULL 'a\\tb')"})
    BOOST_TEST(copy_in(ok, "")->tag == "COPY 0", ok);
  BOOST_TEST(copy_out("COPY t TO STDOUT CSV FORCE QUOTE *").empty());
  // Without the protocol layer: a clear error, never a hang.
  expect(exec1("COPY t FROM STDIN"), "0A000", "COPY FROM STDIN is only supported through the wire protocol");
  expect(exec1("COPY t TO STDOUT"), "0A000", "COPY TO STDOUT is only supported through the wire protocol");
  expect(exec1("COPY nosuch FROM STDIN"), "42P01", "relation \"nosuch\" does not exist");
  BOOST_TEST((s.copy_kind_of("SELECT 1") == db001::sql::copy_kind::none));
  BOOST_TEST((s.copy_kind_of("  /* x */ copy t from stdin; select 1") == db001::sql::copy_kind::none));
  BOOST_TEST((s.copy_kind_of("-- c\n copy t to stdout") == db001::sql::copy_kind::to_stdout));
  BOOST_TEST((s.copy_kind_of("COPY t FROM '/x'") == db001::sql::copy_kind::other));
  BOOST_TEST((s.copy_kind_of("copyx") == db001::sql::copy_kind::none));
}

// ---------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(transaction_semantics, copy_fixture) {
  exec("CREATE TABLE t (a int PRIMARY KEY, b text)");
  // Autocommit: a failed COPY leaves nothing, even rows before the bad one.
  expect(copy_in("COPY t FROM STDIN", "1\ta\n2\tb\nx\tc\n"), "22P02", "invalid input syntax for type integer: \"x\"",
         "COPY t, line 3, column a: \"x\"");
  BOOST_TEST((rows("SELECT count(*) FROM t")[0][0] == S("0")));
  expect(copy_in("COPY t FROM STDIN", "1\ta\n2\tb\n", 0, "stop"), "57014", "COPY from stdin failed: stop",
         "COPY t, line 3");
  BOOST_TEST((rows("SELECT count(*) FROM t")[0][0] == S("0")));
  BOOST_TEST(copy_in("COPY t FROM STDIN", "1\ta\n2\tb\n")->tag == "COPY 2");
  BOOST_TEST((rows("SELECT count(*) FROM t")[0][0] == S("2")));
  // Inside BEGIN ... ROLLBACK.
  exec("BEGIN");
  BOOST_TEST(copy_in("COPY t FROM STDIN", "3\tc\n")->ok());
  BOOST_TEST(s.in_transaction());
  BOOST_TEST((rows("SELECT count(*) FROM t")[0][0] == S("3")));
  exec("ROLLBACK");
  BOOST_TEST((rows("SELECT count(*) FROM t")[0][0] == S("2")));
  // Inside BEGIN ... COMMIT, with other statements.
  exec("BEGIN");
  exec("INSERT INTO t VALUES (10, 'x')");
  BOOST_TEST(copy_in("COPY t FROM STDIN (FORMAT csv)", "11,y\n12,z\n")->ok());
  exec("COMMIT");
  BOOST_TEST((rows("SELECT count(*) FROM t")[0][0] == S("5")));
  // An error aborts the block: 25P02 until ROLLBACK, and nothing of the block survives.
  exec("BEGIN");
  exec("INSERT INTO t VALUES (20, 'x')");
  expect(copy_in("COPY t FROM STDIN", "21\ta\n1\tdup\n"), "23505",
         "duplicate key value violates unique constraint \"t_pkey\"", "COPY t, line 2");
  BOOST_TEST(s.failed());
  expect(copy_in("COPY t FROM STDIN", "30\tz\n"), "25P02",
         "current transaction is aborted, commands ignored until end of transaction block");
  auto r = s.run_copy_out("COPY t TO STDOUT");
  expect(r->error(), "25P02", "current transaction is aborted, commands ignored until end of transaction block");
  exec("ROLLBACK");
  BOOST_TEST((rows("SELECT count(*) FROM t")[0][0] == S("5")));
  // A bad COPY statement inside a block aborts it too.
  exec("BEGIN");
  BOOST_TEST(s.begin_copy_in("COPY t FROM STDIN (FORMAT xml)")->error());
  BOOST_TEST(s.failed());
  exec("ROLLBACK");
  // An abandoned copy_in (connection lost) rolls back.
  {
    auto in = s.begin_copy_in("COPY t FROM STDIN");
    BOOST_TEST(!in->feed("40\ta\n"));
  }
  BOOST_TEST((rows("SELECT count(*) FROM t")[0][0] == S("5")));
  // After an error, further input is ignored and the same error comes back.
  auto in = s.begin_copy_in("COPY t FROM STDIN");
  auto e = in->feed("x\n");
  BOOST_REQUIRE(e);
  BOOST_TEST(in->feed("50\ta\n") == e);
  BOOST_TEST(in->finish() == e);
  BOOST_TEST(copy_out("COPY t (a) TO STDOUT") == "1\n2\n10\n11\n12\n");
}

// ---------------------------------------------------------------------------------------------
// Robustness and speed
// ---------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(malformed_input_fuzz, copy_fixture) {
  exec("CREATE TABLE t (a int, b text, c varchar(3), d numeric(5,2), e date)");
  std::mt19937_64 rng(42);
  const std::string alphabet = "0123456789abc\t\n\r\\.,\"'N- \x01\xc3\xa9\xff";
  size_t ok = 0, errors = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string data;
    size_t len = rng() % 64;
    for (size_t k = 0; k < len; ++k) data += (rng() % 8 == 0) ? char(rng() % 256) : alphabet[rng() % alphabet.size()];
    std::string sql = i % 3 == 0   ? "COPY t FROM STDIN"
                      : i % 3 == 1 ? "COPY t FROM STDIN (FORMAT csv, HEADER)"
                                   : "COPY t (b, a) FROM STDIN (FORMAT csv, QUOTE '''', ESCAPE '\\', NULL 'N')";
    try {
      auto r = copy_in(sql, data, 1 + rng() % 9, i % 17 == 0 ? "x" : nullptr);
      (r->ok() ? ok : errors) += 1;
      if (!r->ok()) BOOST_TEST(r->code.substr(0, 2) != "XX", r->code << " " << r->message);
    } catch (const std::exception& e) {
      BOOST_ERROR("exception escaped COPY: " << e.what());
    }
  }
  BOOST_TEST(ok + errors == 3000u);
  BOOST_TEST_MESSAGE("fuzz: " << ok << " loads, " << errors << " errors");
  // The bare parser only ever throws db_error.
  for (int i = 0; i < 3000; ++i) {
    std::string data;
    size_t len = rng() % 80;
    for (size_t k = 0; k < len; ++k) data += alphabet[rng() % alphabet.size()];
    auto o = i % 2 ? csv_opts() : text_opts();
    try {
      db001::sql::parse_copy_data(o, data);
    } catch (const db001::db_error&) {
    }
  }
}

BOOST_FIXTURE_TEST_CASE(load_one_million_rows, copy_fixture) {
  // pgbench -i's accounts table and COPY data (aid, bid, abalance, filler '').
  exec("CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler char(84))");
  const int n = 1000000;
  std::string data;
  data.reserve(size_t(n) * 24);
  for (int i = 1; i <= n; ++i) {
    data += std::to_string(i);
    data += '\t';
    data += std::to_string((i - 1) / 100000 + 1);
    data += "\t0\t\n";
  }
  auto t0 = std::chrono::steady_clock::now();
  auto in = s.begin_copy_in("COPY pgbench_accounts FROM STDIN WITH (FREEZE ON)");
  BOOST_REQUIRE(!in->error());
  const size_t chunk = 65536;  // libpq-sized CopyData messages
  for (size_t i = 0; i < data.size(); i += chunk) BOOST_REQUIRE(!in->feed(std::string_view(data).substr(i, chunk)));
  auto r = in->finish();
  auto t1 = std::chrono::steady_clock::now();
  BOOST_TEST(r->tag == "COPY 1000000");
  double secs = std::chrono::duration<double>(t1 - t0).count();
  BOOST_TEST_MESSAGE("COPY FROM: 1,000,000 rows in " << secs << " s = " << size_t(n / secs) << " rows/s");
  std::printf("COPY FROM: 1,000,000 pgbench_accounts rows in %.3f s = %.0f rows/s\n", secs, n / secs);
  t0 = std::chrono::steady_clock::now();
  auto out = s.run_copy_out("COPY pgbench_accounts TO STDOUT");
  std::string line;
  size_t lines = 0;
  while (out->next(line)) {
    ++lines;
    line.clear();
  }
  t1 = std::chrono::steady_clock::now();
  BOOST_TEST(lines == size_t(n));
  secs = std::chrono::duration<double>(t1 - t0).count();
  std::printf("COPY TO: 1,000,000 rows in %.3f s = %.0f rows/s\n", secs, n / secs);
  BOOST_TEST((rows("SELECT count(*), sum(bid), min(length(filler)) FROM pgbench_accounts") ==
              std::vector<row_t>{{S("1000000"), S("5500000"), S("0")}}));
}

BOOST_AUTO_TEST_SUITE_END()
