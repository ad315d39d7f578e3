// A multi-row INSERT ... VALUES evaluates its parameters, constants and casts of them by the
// scalar cast rules (exec/evaluate_scalar), a one-row INSERT through the point plan: both must
// store what PostgreSQL stores (length checks, padding, numeric rounding, dates) and fail with
// its SQLSTATEs, leaving nothing behind.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "db001/db001.h"

namespace {

using db001::value;

struct two_tables {
  std::unique_ptr<db001::database> db = db001::database::open();
  std::unique_ptr<db001::connection> c = db->connect();
  two_tables() {
    for (const char* t : {"a", "b"})
      BOOST_REQUIRE(c->execute(std::string("CREATE TABLE ") + t +
                               " (v VARCHAR(3), ch CHAR(4), n NUMERIC(5,2), d DATE, i SMALLINT, t TEXT)")
                        .ok());
  }
  /// Inserts the row twice through a two-row VALUES into a (the values operator) and once
  /// into b (one row: the point plan); both outcomes.
  std::pair<db001::result, db001::result> insert_both(const std::string& exprs, const std::vector<value>& params) {
    auto two_rows = c->prepare("INSERT INTO a VALUES (" + exprs + "), (" + exprs + ")");
    auto one_row = c->prepare("INSERT INTO b VALUES (" + exprs + ")");
    BOOST_REQUIRE_MESSAGE(two_rows.ok(), two_rows.error().error_message());
    BOOST_REQUIRE_MESSAGE(one_row.ok(), one_row.error().error_message());
    return {two_rows.execute(params), one_row.execute(params)};
  }
  std::string table_text(const char* t) {
    auto r = c->execute(std::string("SELECT v, ch, n, d, i, t FROM ") + t + " ORDER BY 1, 2, 3, 4, 5, 6");
    BOOST_REQUIRE(r.ok());
    std::string s;
    for (size_t row = 0; row < r.row_count(); ++row) {
      for (size_t col = 0; col < r.column_count(); ++col) s += (r.is_null(row, col) ? "NULL" : r.text(row, col)) + "|";
      s += "\n";
    }
    return s;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(values_rows)

BOOST_FIXTURE_TEST_CASE(parameters_and_casts_store_what_postgresql_stores, two_tables) {
  struct row_case {
    std::string exprs;
    std::vector<value> params;
  };
  std::vector<row_case> cases = {
      {"$1, $2, $3, $4, $5, $6",
       {value::text("ab"), value::text("xy"), value::text("12.345"), value::text("2024-02-29"), value::int32(7),
        value::text("plain")}},
      {"$1, $2, $3, $4, $5, $6",  // trailing spaces beyond varchar(3) are cut, not an error
       {value::text("abc   "), value::text("wxyz  "), value::int32(999), value::text("1998-09-02"),
        value::int64(-32768), value::null()}},
      {"$1::varchar(2), 'p'::char(2), $2::numeric(4,1), '2000-01-01'::date + 1, $3::smallint, $4::text",
       {value::text("truncated"), value::text("1.25"), value::text("12"), value::text("x")}},
      {"NULL, NULL, NULL, NULL, NULL, NULL", {}},
      {"'q', 'r', 1.005, '1970-01-01', 1, 'const'", {}},
  };
  for (auto& rc : cases) {
    auto [a, b] = insert_both(rc.exprs, rc.params);
    BOOST_TEST(a.ok(), rc.exprs << ": " << a.error_message());
    BOOST_TEST(b.ok(), rc.exprs << ": " << b.error_message());
  }
  const std::string want =
      "ab|xy  |12.35|2024-02-29|7|plain|\n"
      "abc|wxyz|999.00|1998-09-02|-32768|NULL|\n"
      "q|r   |1.01|1970-01-01|1|const|\n"
      "tr|p   |1.30|2000-01-02|12|x|\n"
      "NULL|NULL|NULL|NULL|NULL|NULL|\n";
  std::string twice;
  for (size_t i = 0; i < want.size();) {
    size_t eol = want.find('\n', i) + 1;
    twice += want.substr(i, eol - i) + want.substr(i, eol - i);
    i = eol;
  }
  BOOST_TEST(table_text("a") == twice);
  BOOST_TEST(table_text("b") == want);
}

BOOST_FIXTURE_TEST_CASE(bad_values_fail_alike, two_tables) {
  struct bad_case {
    std::string exprs;
    std::vector<value> params;
    const char* sqlstate;
  };
  std::vector<bad_case> cases = {
      {"$1, 'a', 1, NULL, 1, 't'", {value::text("abcd")}, "22001"},           // varchar(3)
      {"'a', $1, 1, NULL, 1, 't'", {value::text("abcde")}, "22001"},          // char(4)
      {"'a', 'b', $1, NULL, 1, 't'", {value::text("1000")}, "22003"},         // numeric(5,2)
      {"'a', 'b', 1, $1, 1, 't'", {value::text("2023-02-29")}, "22008"},      // no such day
      {"'a', 'b', 1, NULL, $1, 't'", {value::int64(40000)}, "22003"},         // smallint
      {"'a', 'b', 1, NULL, $1::smallint, 't'", {value::text("x1")}, "22P02"},  // not a number
  };
  for (auto& bc : cases) {
    auto [a, b] = insert_both(bc.exprs, bc.params);
    BOOST_TEST(a.sqlstate() == bc.sqlstate, bc.exprs << ": " << a.sqlstate() << " " << a.error_message());
    BOOST_TEST(b.sqlstate() == bc.sqlstate, bc.exprs << ": " << b.sqlstate() << " " << b.error_message());
  }
  BOOST_TEST(table_text("a") == "", "a failed row leaves no row of its statement");
  BOOST_TEST(table_text("b") == "");
}

BOOST_AUTO_TEST_SUITE_END()
