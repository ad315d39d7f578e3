// Unit tests of db001-shell's psql-style table printer (tools/shell/table_printer.h): the exact
// text of psql's aligned format (border 1) and expanded (\x) format.
#include "tools/shell/table_printer.h"

#include <boost/test/unit_test.hpp>

// The test binaries of test/ are built from test_main.cpp and the *_test.cpp files only, so the
// printer's source (which needs nothing from the engine) is compiled into this test directly.

namespace {

using db001::shell::align;
using db001::shell::table;

table make(std::vector<std::string> headers, std::vector<align> aligns, std::vector<std::vector<std::string>> rows) {
  table t;
  t.headers = std::move(headers);
  t.aligns = std::move(aligns);
  t.rows = std::move(rows);
  return t;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(table_printer)

BOOST_AUTO_TEST_CASE(numbers_right_text_left_null_empty) {
  // SELECT a, b FROM t: a integer, b text; the second b is NULL (printed as nothing).
  table t = make({"a", "b"}, {align::right, align::left}, {{"1", "one"}, {"22", ""}});
  BOOST_TEST(db001::shell::format_aligned(t) ==
             " a  |  b  \n"
             "----+-----\n"
             "  1 | one\n"
             " 22 | \n"
             "(2 rows)\n"
             "\n");
}

BOOST_AUTO_TEST_CASE(headers_centered_extra_space_right) {
  table t = make({"unique1", "stringu1"}, {align::right, align::left}, {{"19", "TAAAAA"}, {"0", "AAAAAA"}});
  BOOST_TEST(db001::shell::format_aligned(t) ==
             " unique1 | stringu1 \n"
             "---------+----------\n"
             "      19 | TAAAAA\n"
             "       0 | AAAAAA\n"
             "(2 rows)\n"
             "\n");
  table u = make({"x", "name"}, {align::left, align::left}, {{"abcdef", "a"}});
  BOOST_TEST(db001::shell::format_aligned(u) ==
             "   x    | name \n"
             "--------+------\n"
             " abcdef | a\n"
             "(1 row)\n"
             "\n");
}

BOOST_AUTO_TEST_CASE(empty_result) {
  table t = make({"x"}, {align::right}, {});
  BOOST_TEST(db001::shell::format_aligned(t) ==
             " x \n"
             "---\n"
             "(0 rows)\n"
             "\n");
  table wide = make({"count", "name"}, {align::right, align::left}, {});
  BOOST_TEST(db001::shell::format_aligned(wide) ==
             " count | name \n"
             "-------+------\n"
             "(0 rows)\n"
             "\n");
}

BOOST_AUTO_TEST_CASE(utf8_width_counts_characters) {
  BOOST_TEST(db001::shell::display_width("abc") == 3u);
  BOOST_TEST(db001::shell::display_width("\xc3\xbcn\xc3\xaf") == 3u);  // "ünï"
  BOOST_TEST(db001::shell::display_width("\xe2\x82\xac"
                                         "5") == 2u);                 // "€5"
  table t = make({"n\xc3\xa4me", "v"}, {align::left, align::right},   // "näme"
                 {{"\xc3\xbc", "1"}, {"\xc3\xa9t\xc3\xa9s", "22"}});  // "ü", "étés"
  BOOST_TEST(db001::shell::format_aligned(t) ==
             " n\xc3\xa4me | v  \n"
             "------+----\n"
             " \xc3\xbc    |  1\n"
             " \xc3\xa9t\xc3\xa9s | 22\n"
             "(2 rows)\n"
             "\n");
}

BOOST_AUTO_TEST_CASE(title_and_footers_like_describe) {
  // psql's \d output: centered title, no row count, footer lines.
  table t = make({"Column", "Type", "Collation", "Nullable", "Default"}, {},
                 {{"i", "integer", "", "", ""}, {"t", "text", "", "not null", "'x'::text"}});
  t.title = "Table \"public.unique_tbl\"";
  t.row_count_footer = false;
  t.footers = {"Indexes:", "    \"unique_idx3\" UNIQUE, btree (i)"};
  BOOST_TEST(db001::shell::format_aligned(t) ==
             "              Table \"public.unique_tbl\"\n"
             " Column |  Type   | Collation | Nullable |  Default  \n"
             "--------+---------+-----------+----------+-----------\n"
             " i      | integer |           |          | \n"
             " t      | text    |           | not null | 'x'::text\n"
             "Indexes:\n"
             "    \"unique_idx3\" UNIQUE, btree (i)\n"
             "\n");
  table list = make({"Schema", "Name", "Type", "Owner"}, {}, {{"public", "t", "table", "db001"}});
  list.title = "List of relations";
  BOOST_TEST(db001::shell::format_aligned(list) ==
             "       List of relations\n"
             " Schema | Name | Type  | Owner \n"
             "--------+------+-------+-------\n"
             " public | t    | table | db001\n"
             "(1 row)\n"
             "\n");
}

BOOST_AUTO_TEST_CASE(multiline_cells) {
  table t = make({"m", "n"}, {align::left, align::right}, {{"multi\nline", "2"}, {"x", "3"}});
  BOOST_TEST(db001::shell::format_aligned(t) ==
             "   m   | n \n"
             "-------+---\n"
             " multi+| 2\n"
             " line  | \n"
             " x     | 3\n"
             "(2 rows)\n"
             "\n");
}

BOOST_AUTO_TEST_CASE(expanded_format) {
  table t = make({"a", "bb"}, {align::right, align::left}, {{"1", "hello"}, {"2", ""}});
  BOOST_TEST(db001::shell::format_expanded(t) ==
             "-[ RECORD 1 ]\n"
             "a  | 1\n"
             "bb | hello\n"
             "-[ RECORD 2 ]\n"
             "a  | 2\n"
             "bb | \n"
             "\n");
  table wide = make({"a", "b"}, {}, {{"1", "a rather long value here"}});
  BOOST_TEST(db001::shell::format_expanded(wide) ==
             "-[ RECORD 1 ]---------------\n"
             "a | 1\n"
             "b | a rather long value here\n"
             "\n");
  table empty = make({"a"}, {}, {});
  BOOST_TEST(db001::shell::format_expanded(empty) == "(0 rows)\n\n");
}

BOOST_AUTO_TEST_CASE(row_count_text) {
  BOOST_TEST(db001::shell::row_count_text(0) == "(0 rows)");
  BOOST_TEST(db001::shell::row_count_text(1) == "(1 row)");
  BOOST_TEST(db001::shell::row_count_text(1234) == "(1234 rows)");
}

BOOST_AUTO_TEST_SUITE_END()
