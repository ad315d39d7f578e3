// Unit tests of the sqllogictest runner's engine-independent half: script parsing, value
// rendering, sorting, hashing (MD5, RFC 1321 test vectors) and result comparison.
#include "test/slt/slt_parser.h"

#include <boost/test/unit_test.hpp>
#include <sstream>

// The test binaries of test/ are built from test_main.cpp and the *_test.cpp files only, so the
// one source file the parser needs is compiled into this test directly.

namespace {

using namespace db001::slt;

std::vector<record> parse_all(const std::string& text) {
  std::istringstream in(text);
  script_parser p(in);
  std::vector<record> out;
  record r;
  while (p.next(r)) out.push_back(r);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(slt_parser)

BOOST_AUTO_TEST_CASE(md5_rfc1321_vectors) {
  BOOST_TEST(md5::hex("") == "d41d8cd98f00b204e9800998ecf8427e");
  BOOST_TEST(md5::hex("a") == "0cc175b9c0f1b6a831c399e269772661");
  BOOST_TEST(md5::hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
  BOOST_TEST(md5::hex("message digest") == "f96b697d7cb7938d525a2f31aaf161d0");
  BOOST_TEST(md5::hex("abcdefghijklmnopqrstuvwxyz") == "c3fcd3d76192e4007dfb496cca67e13b");
  BOOST_TEST(md5::hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
             "d174ab98d277d9f5a5611c2c9f419d9f");
  BOOST_TEST(md5::hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890") ==
             "57edf4a22be3c955ac49da2e2107b67a");
}

BOOST_AUTO_TEST_CASE(md5_incremental_equals_one_shot) {
  std::string big(1000000, 'a');
  BOOST_TEST(md5::hex(big) == "7707d6ae4e027c70eea2a935c2296f21");
  md5 h;
  for (size_t i = 0; i < big.size();) {  // odd chunk sizes cross the 64-byte block boundaries
    size_t n = std::min<size_t>(1 + i % 97, big.size() - i);
    h.update(big.data() + i, n);
    i += n;
  }
  BOOST_TEST(h.hex_digest() == "7707d6ae4e027c70eea2a935c2296f21");
  BOOST_TEST(h.hex_digest() == "7707d6ae4e027c70eea2a935c2296f21");  // stable after finishing
}

BOOST_AUTO_TEST_CASE(hash_of_values) {
  BOOST_TEST(hash_values({"1", "2"}) == "6ddb4095eb719e2a9f0a3f95677d24e0");  // md5("1\n2\n")
  BOOST_TEST(hash_values({"NULL", "x", "(empty)"}) == "bfc55f84c3f277e81fa44ddadf832308");
  BOOST_TEST(hash_line(2, "abc") == "2 values hashing to abc");
}

BOOST_AUTO_TEST_CASE(parses_statements_queries_and_controls) {
  auto recs = parse_all(
      "# leading comment\n"
      "hash-threshold 8\n"
      "\n"
      "statement ok\n"
      "CREATE TABLE t1(a INTEGER,\n"
      "  b VARCHAR(30))\n"
      "\n\n"
      "statement error\n"
      "INSERT INTO nosuch VALUES(1)\n"
      "\n"
      "query IT rowsort label-7\n"
      "SELECT a, b\n"
      "# a comment inside the record is dropped\n"
      "  FROM t1\n"
      "----\n"
      "1\n"
      "x y\n"
      "\n"
      "query R nosort\n"
      "SELECT 1.5\n"
      "\n"
      "query I valuesort\n"
      "SELECT a FROM t1\n"
      "----\n"
      "30 values hashing to 3c13dee48d9356ae19af2515e05e6b54\n"
      "\n"
      "halt\n");
  BOOST_TEST_REQUIRE(recs.size() == 7u);
  BOOST_TEST((recs[0].kind == record_kind::hash_threshold));
  BOOST_TEST(recs[0].threshold == 8);
  BOOST_TEST(recs[0].line == 2);

  BOOST_TEST((recs[1].kind == record_kind::statement_ok));
  BOOST_TEST(recs[1].sql == "CREATE TABLE t1(a INTEGER,\n  b VARCHAR(30))");
  BOOST_TEST(recs[1].line == 4);
  BOOST_TEST(!recs[1].skip);

  BOOST_TEST((recs[2].kind == record_kind::statement_error));
  BOOST_TEST(recs[2].line == 9);

  const record& q = recs[3];
  BOOST_TEST((q.kind == record_kind::query));
  BOOST_TEST(q.types == "IT");
  BOOST_TEST((q.sort == sort_mode::rowsort));
  BOOST_TEST(q.label == "label-7");
  BOOST_TEST(q.sql == "SELECT a, b\n  FROM t1");
  BOOST_TEST(q.has_results);
  BOOST_TEST(q.expected == (std::vector<std::string>{"1", "x y"}));

  BOOST_TEST((recs[4].kind == record_kind::query));
  BOOST_TEST((recs[4].sort == sort_mode::nosort));
  BOOST_TEST(!recs[4].has_results);  // no "----": an empty result is expected
  BOOST_TEST(recs[4].expected.empty());

  BOOST_TEST((recs[5].sort == sort_mode::valuesort));
  BOOST_TEST(recs[5].expected.size() == 1u);
  BOOST_TEST((recs[6].kind == record_kind::halt));
  BOOST_TEST(recs[6].line == 28);
}

BOOST_AUTO_TEST_CASE(halt_record_and_crlf) {
  auto recs = parse_all("statement ok\r\nSELECT 1\r\n\r\nhalt\r\n\r\nstatement ok\r\nSELECT 2\r\n");
  BOOST_TEST_REQUIRE(recs.size() == 3u);
  BOOST_TEST(recs[0].sql == "SELECT 1");
  BOOST_TEST((recs[1].kind == record_kind::halt));
  BOOST_TEST(recs[2].line == 6);
}

BOOST_AUTO_TEST_CASE(conditions_for_postgresql) {
  auto recs = parse_all(
      "skipif postgresql # PostgreSQL requires AS\n"
      "query I rowsort\n"
      "SELECT 1\n"
      "\n"
      "onlyif mysql # aggregate syntax: \n"
      "statement ok\n"
      "SELECT 2\n"
      "\n"
      "onlyif postgresql\n"
      "statement ok\n"
      "SELECT 3\n"
      "\n"
      "skipif mysql\n"
      "skipif mssql\n"
      "statement ok\n"
      "SELECT 4\n"
      "\n"
      "onlyif sqlite\n"
      "halt\n"
      "\n"
      "skipif sqlite\n"
      "halt\n");
  BOOST_TEST_REQUIRE(recs.size() == 6u);
  BOOST_TEST(recs[0].skip);
  BOOST_TEST(recs[1].skip);
  BOOST_TEST(!recs[2].skip);
  BOOST_TEST(!recs[3].skip);
  BOOST_TEST(recs[3].line == 15);
  BOOST_TEST(((recs[4].kind == record_kind::halt) && recs[4].skip));
  BOOST_TEST(((recs[5].kind == record_kind::halt) && !recs[5].skip));
}

BOOST_AUTO_TEST_CASE(malformed_records_are_reported_not_thrown) {
  auto recs = parse_all(
      "statement perhaps\n"
      "SELECT 1\n"
      "\n"
      "query X nosort\n"
      "SELECT 1\n"
      "\n"
      "query I sideways\n"
      "SELECT 1\n"
      "\n"
      "frobnicate\n"
      "\n"
      "statement ok\n"
      "\n"
      "query I\n"
      "----\n"
      "1\n"
      "\n"
      "hash-threshold many\n"
      "\n"
      "onlyif mysql\n"
      "\n"
      "statement ok\n"
      "SELECT 'still parsed'\n");
  BOOST_TEST_REQUIRE(recs.size() == 9u);
  for (size_t i = 0; i < 8; ++i) {
    BOOST_TEST((recs[i].kind == record_kind::malformed), "record " << i);
    BOOST_TEST(!recs[i].error.empty());
  }
  BOOST_TEST(recs[0].line == 1);
  BOOST_TEST(recs[1].line == 4);
  BOOST_TEST(recs[3].error.find("frobnicate") != std::string::npos);
  BOOST_TEST(recs[4].line == 12);  // statement without SQL
  BOOST_TEST((recs[8].kind == record_kind::statement_ok));
  BOOST_TEST(recs[8].sql == "SELECT 'still parsed'");
}

BOOST_AUTO_TEST_CASE(integer_rendering_like_sqlite) {
  BOOST_TEST(leading_int("42") == 42);
  BOOST_TEST(leading_int("  -17abc") == -17);
  BOOST_TEST(leading_int("+5") == 5);
  BOOST_TEST(leading_int("1.9") == 1);
  BOOST_TEST(leading_int("1e3") == 1);
  BOOST_TEST(leading_int("abc") == 0);
  BOOST_TEST(leading_int("") == 0);
  BOOST_TEST(leading_int("99999999999999999999") == std::numeric_limits<int64_t>::max());
  BOOST_TEST(leading_int("-9223372036854775808") == std::numeric_limits<int64_t>::min());
  BOOST_TEST(leading_int("-99999999999999999999") == std::numeric_limits<int64_t>::min());
  BOOST_TEST(truncate_to_int(2.9) == 2);
  BOOST_TEST(truncate_to_int(-2.9) == -2);
  BOOST_TEST(truncate_to_int(1e300) == std::numeric_limits<int64_t>::max());
  BOOST_TEST(truncate_to_int(std::nan("")) == 0);
  BOOST_TEST(format_int(-12) == "-12");
}

BOOST_AUTO_TEST_CASE(real_and_text_rendering) {
  BOOST_TEST(format_real(1.25) == "1.250");
  BOOST_TEST(format_real(2) == "2.000");
  BOOST_TEST(format_real(-0.0) == "0.000");
  BOOST_TEST(format_real(-0.0001) == "-0.000");
  BOOST_TEST(format_real(1234.5678) == "1234.568");
  BOOST_TEST(leading_real("12.5e1xyz") == 125.0);
  BOOST_TEST(leading_real(" -3.5") == -3.5);
  BOOST_TEST(leading_real(".5") == 0.5);
  BOOST_TEST(leading_real("e5") == 0.0);
  BOOST_TEST(leading_real("inf") == 0.0);
  BOOST_TEST(format_text("") == "(empty)");
  BOOST_TEST(format_text("a b") == "a b");
  BOOST_TEST(format_text("tab\there\n") == "tab@here@");
  BOOST_TEST(format_text("caf\xc3\xa9") == "caf@@");
  BOOST_TEST(format_text("~\x7f") == "~@");
}

BOOST_AUTO_TEST_CASE(sort_modes) {
  std::vector<std::string> v = {"9", "b", "10", "a", "9", "a"};
  auto rows = v;
  sort_values(rows, 2, sort_mode::rowsort);  // rows (9,b) (10,a) (9,a), compared as strings
  BOOST_TEST(rows == (std::vector<std::string>{"10", "a", "9", "a", "9", "b"}));
  auto values = v;
  sort_values(values, 2, sort_mode::valuesort);
  BOOST_TEST(values == (std::vector<std::string>{"10", "9", "9", "a", "a", "b"}));
  auto none = v;
  sort_values(none, 2, sort_mode::nosort);
  BOOST_TEST(none == v);
  std::vector<std::string> nulls = {"NULL", "1", "(empty)"};
  sort_values(nulls, 1, sort_mode::rowsort);
  BOOST_TEST(nulls == (std::vector<std::string>{"(empty)", "1", "NULL"}));
}

BOOST_AUTO_TEST_CASE(result_comparison) {
  const auto no = sort_mode::nosort;
  std::vector<std::string> actual = {"1", "x y", "2", "z"};
  BOOST_TEST(results_match(actual, "IT", no, {"1", "x y", "2", "z"}));
  BOOST_TEST(!results_match(actual, "IT", no, {"1", "x y", "2", "w"}));
  BOOST_TEST(!results_match(actual, "IT", no, {"1", "x y", "2"}));
  // One row per line, values separated by blanks or (DuckDB) tabs.
  BOOST_TEST(results_match(actual, "IT", no, {"1 x y", "2   z"}));
  BOOST_TEST(results_match(actual, "IT", no, {"1\tx y", "2\tz"}));
  BOOST_TEST(!results_match(actual, "IT", no, {"1 x y", "3 z"}));
  BOOST_TEST(!results_match(actual, "IT", no, {"1\tx y", "2\tw"}));
  // Hashed results: count and hash must both agree.
  BOOST_TEST(results_match({"1", "2"}, "I", no, {"2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0"}));
  BOOST_TEST(results_match({"1", "2"}, "I", no, {"2 values hashing to 6DDB4095EB719E2A9F0A3F95677D24E0"}));
  BOOST_TEST(!results_match({"1", "2"}, "I", no, {"3 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0"}));
  BOOST_TEST(!results_match({"1", "3"}, "I", no, {"2 values hashing to 6ddb4095eb719e2a9f0a3f95677d24e0"}));
  BOOST_TEST(!parse_hash_line("2 values hashing to xyz"));
  BOOST_TEST(results_match({}, "I", no, {}));
  BOOST_TEST(!results_match({"1"}, "I", no, {}));
}

BOOST_AUTO_TEST_CASE(lenient_value_matching) {
  // R: another precision of the same number matches the %.3f rendering.
  BOOST_TEST(value_matches("1.500", "1.5", 'R'));
  BOOST_TEST(value_matches("0.333", "0.3333333333333333", 'R'));
  BOOST_TEST(!value_matches("0.334", "0.3333", 'R'));
  BOOST_TEST(!value_matches("1.500", "1.5", 'I'));
  BOOST_TEST(!value_matches("NULL", "0", 'R'));
  // T: UTF-8 written as is matches its '@' rendering.
  BOOST_TEST(value_matches("caf@@", "caf\xc3\xa9", 'T'));
  BOOST_TEST(!value_matches("cafe", "caf\xc3\xa9", 'T'));
  BOOST_TEST(results_match({"1", "1.500", "2", "2.250"}, "IR", sort_mode::nosort, {"1\t1.5", "2\t2.25"}));
  BOOST_TEST(results_match({"1.500", "2.250"}, "R", sort_mode::valuesort, {"1.5", "2.25"}));
  BOOST_TEST(!results_match({"1", "2.250"}, "IR", sort_mode::valuesort, {"1", "2.25"}));  // mixed: exact only
}

BOOST_AUTO_TEST_CASE(expected_errors) {
  const std::string msg = "relation \"nosuch\" does not exist";
  BOOST_TEST(error_matches("", "42P01", msg));
  BOOST_TEST(error_matches("does not exist", "42P01", msg));
  BOOST_TEST(!error_matches("division by zero", "42P01", msg));
  BOOST_TEST(error_matches("42P01", "42P01", msg));
  BOOST_TEST(error_matches("<REGEX>:relation .* does not", "42P01", msg));
  BOOST_TEST(!error_matches("<REGEX>:^does", "42P01", msg));
  BOOST_TEST(error_matches("<!REGEX>:division", "42P01", msg));
  bool bad = false;
  BOOST_TEST(!error_matches("<REGEX>:(", "42P01", msg, &bad));
  BOOST_TEST(bad);
}

BOOST_AUTO_TEST_CASE(duckdb_style_records) {
  auto recs = parse_all(
      "statement error\n"
      "SELECT 1/0\n"
      "----\n"
      "division by zero\n"
      "\n"
      "statement maybe\n"
      "DROP TABLE t\n"
      "\n"
      "mode skip\n"
      "\n"
      "mode unskip\n");
  BOOST_TEST_REQUIRE(recs.size() == 4u);
  BOOST_TEST((recs[0].kind == record_kind::statement_error));
  BOOST_TEST(recs[0].sql == "SELECT 1/0");
  BOOST_TEST(recs[0].expected == (std::vector<std::string>{"division by zero"}));
  BOOST_TEST((recs[1].kind == record_kind::statement_maybe));
  BOOST_TEST(((recs[2].kind == record_kind::mode) && recs[2].mode == "skip"));
  BOOST_TEST(((recs[3].kind == record_kind::mode) && recs[3].mode == "unskip"));
}

BOOST_AUTO_TEST_CASE(json_escaping) {
  BOOST_TEST(json_escape("a\"b\\c\nd\te\x01") == "a\\\"b\\\\c\\nd\\te\\u0001");
  BOOST_TEST(json_escape("caf\xc3\xa9") == "caf\xc3\xa9");
  BOOST_TEST(json_escape("bad\xff") == "bad\xef\xbf\xbd");
  BOOST_TEST(json_escape("cut\xc3") == "cut\xef\xbf\xbd");
}

BOOST_AUTO_TEST_SUITE_END()
