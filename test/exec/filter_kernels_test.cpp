// Tests of exec/simd_kernels' filter kernels (filter_compare, compare_mask, mask_to_sel)
// against a plain loop of the same rule, for every operator, lane type and batch shape:
// lengths around the SIMD width, dense and selected rows, with and without NULLs.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <random>
#include <vector>

#include "exec/simd_kernels.h"

using db001::exec::op_kind;
namespace simd = db001::exec::simd;

namespace {

const op_kind all_ops[] = {op_kind::eq, op_kind::ne, op_kind::lt, op_kind::le, op_kind::gt, op_kind::ge};
const uint32_t lengths[] = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 1024};

template <class T>
bool holds(op_kind op, T a, T c) {
  switch (op) {
    case op_kind::eq: return a == c;
    case op_kind::ne: return a != c;
    case op_kind::lt: return a < c;
    case op_kind::le: return a <= c;
    case op_kind::gt: return a > c;
    default: return a >= c;
  }
}

/// Values in a small range around the constant (so every operator both holds and fails),
/// with runs of equal values and the type's extremes mixed in.
template <class T>
std::vector<T> make_data(std::mt19937_64& rng, uint32_t n, T constant) {
  std::vector<T> d(n);
  for (uint32_t i = 0; i < n; ++i) {
    switch (rng() % 8) {
      case 0: d[i] = std::numeric_limits<T>::lowest(); break;
      case 1: d[i] = std::numeric_limits<T>::max(); break;
      case 2: d[i] = constant; break;
      default: d[i] = T(constant + T(int(rng() % 7) - 3));
    }
  }
  return d;
}

template <class T>
void check_type(T constant) {
  std::mt19937_64 rng(11);
  for (uint32_t n : lengths) {
    auto data = make_data<T>(rng, n, constant);
    std::vector<uint8_t> nulls(n);
    for (auto& b : nulls) b = rng() % 5 == 0;
    std::vector<uint32_t> sel;
    for (uint32_t i = 0; i < n; ++i)
      if (rng() % 3) sel.push_back(i);
    for (op_kind op : all_ops) {
      for (int shape = 0; shape < 4; ++shape) {  // dense / dense+NULLs / selected / selected+NULLs
        bool with_sel = shape >= 2, with_nulls = shape % 2 == 1;
        const uint32_t* s = with_sel ? sel.data() : nullptr;
        uint32_t count = with_sel ? uint32_t(sel.size()) : n;
        std::vector<uint32_t> want;
        for (uint32_t i = 0; i < count; ++i) {
          uint32_t r = s ? s[i] : i;
          if (!(with_nulls && nulls[r]) && holds(op, data[r], constant)) want.push_back(r);
        }
        std::vector<uint32_t> got(count + 1);
        uint32_t k = simd::filter_compare<T>(data.data(), with_nulls ? nulls.data() : nullptr, op, constant, s, count,
                                             got.data());
        got.resize(k);
        BOOST_TEST(got == want, "filter_compare n " << n << " op " << int(op) << " shape " << shape);
      }
      if constexpr (!std::is_same_v<T, float>) {
        std::vector<uint8_t> mask(n), want(n);
        for (uint32_t i = 0; i < n; ++i) {
          mask[i] = rng() % 4 != 0;
          want[i] = mask[i] & uint8_t(holds(op, data[i], constant));
        }
        simd::compare_mask<T>(data.data(), op, constant, n, mask.data());
        BOOST_TEST(mask == want, "compare_mask n " << n << " op " << int(op));
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(filter_kernels)

BOOST_AUTO_TEST_CASE(filter_compare_and_compare_mask_match_the_rule) {
  check_type<int32_t>(8766);  // a date
  check_type<int32_t>(0);
  check_type<int64_t>(24 * 100);  // a NUMERIC(15,2) as scaled integer
  check_type<int64_t>(-5);
  check_type<double>(0.5);
  check_type<float>(-2.0f);
}

BOOST_AUTO_TEST_CASE(mask_to_sel_lists_the_set_rows_in_order) {
  std::mt19937_64 rng(3);
  for (uint32_t n : lengths) {
    for (int density = 0; density < 4; ++density) {  // none, sparse, half, all
      std::vector<uint8_t> mask(n);
      for (auto& b : mask) b = density == 0 ? 0 : density == 3 ? 1 : density == 1 ? rng() % 17 == 0 : rng() % 2;
      std::vector<uint32_t> want;
      for (uint32_t i = 0; i < n; ++i)
        if (mask[i]) want.push_back(i);
      std::vector<uint32_t> got(n + 1);
      got.resize(simd::mask_to_sel(mask.data(), n, got.data()));
      BOOST_TEST(got == want, "n " << n << " density " << density);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
