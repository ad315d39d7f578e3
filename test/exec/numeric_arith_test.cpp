// Tests of exec/numeric_arith: every fast path (int64 cells, int128 cells that fit or do not
// fit 64 bits, a constant on either side, bounds just inside and just outside what the
// unchecked loops may take) gives exactly what the scalar library of storage/numeric.h gives
// row by row, and overflow beyond 38 digits is 22003 on both.
#include "exec/numeric_arith.h"

#include <boost/test/unit_test.hpp>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "exec/context.h"
#include "exec/evaluate.h"
#include "storage/error.h"
#include "storage/numeric.h"

namespace db001::exec {
namespace {

/// A NUMERIC vector of the cells (int64 cells for width <= 18, else int128).
vector numeric_vector(const std::vector<int128_t>& cells, int width, int scale) {
  sql_type t = sql_type::numeric(width, scale);
  vector_writer w(t, uint32_t(cells.size()));
  for (size_t i = 0; i < cells.size(); ++i) {
    if (t.physical() == phys::i64)
      w.data<int64_t>()[i] = int64_t(cells[i]);
    else
      w.data<int128_t>()[i] = cells[i];
  }
  return w.finish(false);
}

/// The scalar library's answer for one row, or nullopt for 22003.
std::optional<int128_t> reference(op_kind op, int128_t x, int sa, int128_t y, int sb, int rscale) {
  try {
    switch (op) {
      case op_kind::add: return numeric_rescale(numeric_add(x, sa, y, sb), std::max(sa, sb), rscale);
      case op_kind::sub: return numeric_rescale(numeric_sub(x, sa, y, sb), std::max(sa, sb), rscale);
      case op_kind::mul: return numeric_mul(x, sa, y, sb, rscale);
      default: return numeric_div(x, sa, y, sb, rscale);
    }
  } catch (const db_error& e) {
    BOOST_REQUIRE_EQUAL(std::string(e.code()), "22003");
    return std::nullopt;
  }
}

std::string text(int128_t v) {
  std::string s;
  bool neg = v < 0;
  auto u = neg ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
  do {
    s.insert(s.begin(), char('0' + int(u % 10)));
    u /= 10;
  } while (u);
  return neg ? "-" + s : s;
}

/// Runs numeric_arith on the operands and compares each row with the reference; when some
/// row overflows, numeric_arith must throw 22003 instead.
void check(op_kind op, const numeric_operand& a, const numeric_operand& b, uint32_t n, int rscale,
           const std::string& what) {
  std::vector<std::optional<int128_t>> want(n);
  bool overflow = false;
  for (uint32_t i = 0; i < n; ++i) {
    want[i] = reference(op, a.at(i), a.scale, b.at(i), b.scale, rscale);
    overflow = overflow || !want[i];
  }
  std::vector<int128_t> got(n);
  try {
    numeric_arith(op, a, b, got.data(), nullptr, n, rscale);
  } catch (const db_error& e) {
    BOOST_TEST(overflow, what << ": unexpected " << e.code() << " " << e.what());
    BOOST_TEST(std::string(e.code()) == "22003", what);
    return;
  }
  BOOST_TEST(!overflow, what << ": an overflowing row computed without error");
  for (uint32_t i = 0; i < n && !overflow; ++i)
    BOOST_REQUIRE_MESSAGE(got[i] == *want[i], what << " row " << i << ": " << text(a.at(i)) << " op " << text(b.at(i))
                                                   << " = " << text(got[i]) << ", want " << text(*want[i]));
}

constexpr int128_t i64max = std::numeric_limits<int64_t>::max();
constexpr int128_t i64min = std::numeric_limits<int64_t>::min();

}  // namespace

BOOST_AUTO_TEST_SUITE(numeric_arith_kernels)

BOOST_AUTO_TEST_CASE(random_batches_match_the_scalar_rules) {
  std::mt19937_64 rng(7);
  // Magnitude classes: TPC-H-like prices, values near 2^31 / 2^62 / int64's ends, beyond int64.
  const std::vector<int128_t> limits = {1000, 1000000000, int128_t(1) << 31, int128_t(1) << 62, i64max,
                                        int128_t(i64max) * 1000, numeric_pow10(37)};
  auto draw = [&](int128_t limit) {
    int128_t v = int128_t(rng() % uint64_t(std::min<int128_t>(limit, i64max))) * (limit > i64max ? limit / i64max : 1);
    return rng() % 2 ? -v : v;
  };
  int cases = 0;
  for (op_kind op : {op_kind::add, op_kind::sub, op_kind::mul})
    for (int128_t la : limits)
      for (int128_t lb : limits)
        for (int shape = 0; shape < 3; ++shape) {  // vector op vector, vector op constant, constant op vector
          const uint32_t n = 300;
          int sa = int(rng() % 5), sb = int(rng() % 5);
          int rscale = op == op_kind::mul ? sa + sb : std::max(sa, sb);
          std::vector<int128_t> xa(n), xb(n);
          for (auto& v : xa) v = draw(la);
          for (auto& v : xb) v = draw(lb);
          if (rng() % 4 == 0) xa[rng() % n] = la > i64max ? i64max : i64min;  // an extreme cell
          vector va = numeric_vector(xa, la > i64max ? 38 : (rng() % 2 ? 18 : 30), sa);
          vector vb = numeric_vector(xb, lb > i64max ? 38 : (rng() % 2 ? 18 : 30), sb);
          numeric_operand a{&va, 0, sa}, b{&vb, 0, sb};
          if (shape == 1) b = {nullptr, xb[0], sb};
          if (shape == 2) a = {nullptr, xa[0], sa};
          check(op, a, b, n, rscale,
                "op " + std::to_string(int(op)) + " shape " + std::to_string(shape) + " limits " + text(la) + "/" + text(lb));
          ++cases;
        }
  BOOST_TEST(cases == 3 * 7 * 7 * 3);
}

BOOST_AUTO_TEST_CASE(bounds_at_the_edges_of_the_unchecked_loops) {
  // Products at 2^63 - 1 stay in int64 math; one more needs int128; 10^19 * 10^19 = 10^38 overflows.
  int128_t three_e9 = 3037000499;  // floor(sqrt(2^63 - 1))
  for (int128_t x : {three_e9, three_e9 + 1, int128_t(i64max), int128_t(i64min)}) {
    vector v = numeric_vector({x, -x, 0, 1}, 18, 0);
    numeric_operand a{&v, 0, 0};
    check(op_kind::mul, a, a, 4, 0, "square of " + text(x));
    check(op_kind::add, a, a, 4, 0, "double of " + text(x));
    check(op_kind::sub, a, numeric_operand{nullptr, -x, 0}, 4, 0, "x - (-x) for " + text(x));
  }
  vector big = numeric_vector({numeric_pow10(19), 5}, 38, 0);
  numeric_operand b{&big, 0, 0};
  check(op_kind::mul, b, b, 2, 0, "10^19 squared");  // 10^38: 22003
  vector near = numeric_vector({numeric_pow10(38) - 1, 1}, 38, 0);
  check(op_kind::add, numeric_operand{&near, 0, 0}, numeric_operand{nullptr, 1, 0}, 2, 0, "10^38 - 1 + 1");
  // Rescaling by 10^18 on one side (scale 0 + scale 18).
  vector p = numeric_vector({i64max, -7, 9}, 18, 0);
  check(op_kind::add, numeric_operand{&p, 0, 0}, numeric_operand{nullptr, 1, 18}, 3, 18, "rescale by 10^18");
}

BOOST_AUTO_TEST_CASE(null_rows_do_not_divide_by_zero) {
  vector x = numeric_vector({10, 20, 30}, 18, 2);
  vector y = numeric_vector({2, 0, 3}, 18, 0);  // row 1 is NULL: its cell holds 0
  uint8_t nulls[3] = {0, 1, 0};
  int128_t r[3] = {};
  numeric_arith(op_kind::div, numeric_operand{&x, 0, 2}, numeric_operand{&y, 0, 0}, r, nulls, 3, 4);
  BOOST_TEST(text(r[0]) == "500");   // 0.10 / 2 = 0.0500
  BOOST_TEST(text(r[2]) == "1000");  // 0.30 / 3 = 0.1000
  BOOST_CHECK_THROW(numeric_arith(op_kind::div, numeric_operand{&x, 0, 2}, numeric_operand{&y, 0, 0}, r, nullptr, 3, 4),
                    db_error);
}

BOOST_AUTO_TEST_CASE(a_result_typed_with_a_precision_is_checked_and_narrowed) {
  // The binder types arithmetic as NUMERIC without a precision (int128 cells); an expression
  // typed NUMERIC(6,2) (int64 cells) is computed wide and must fit its precision.
  vector col = numeric_vector({12345, -99999, 0}, 18, 2);  // 123.45, -999.99, 0.00
  batch in;
  in.cols.push_back(col);
  in.size = in.count = 3;
  exec_ctx ctx;
  auto sum_with = [&](int128_t unscaled) {
    auto c = expr::make_constant(value::numeric(unscaled, sql_type::numeric(-1, 2)), sql_type::numeric(-1, 2));
    auto e = expr::make(expr_kind::arith, sql_type::numeric(6, 2), {expr::make_column(0, col.type), c});
    e->op = op_kind::add;
    return evaluate(*e, in, ctx);
  };
  vector ok = sum_with(100);  // + 1.00
  BOOST_REQUIRE(ok.type.physical() == phys::i64);
  BOOST_TEST(ok.as<int64_t>()[0] == 12445);
  BOOST_TEST(ok.as<int64_t>()[1] == -99899);
  BOOST_TEST(ok.as<int64_t>()[2] == 100);
  try {
    sum_with(9000000);  // 123.45 + 90000.00 does not fit NUMERIC(6,2)
    BOOST_ERROR("expected 22003");
  } catch (const db_error& e) {
    BOOST_TEST(std::string(e.code()) == "22003");
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace db001::exec
