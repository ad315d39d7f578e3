#pragma once
/// Inline helpers of the vectorized numeric kernels: powers of ten and overflow-checked
/// rescaling of unscaled NUMERIC values (int128 at a given scale).
#include <cstdint>

#include "storage/error.h"
#include "storage/types.h"

namespace db001::exec {

inline int128_t pow10_128(int n) {
  static const auto table = [] {
    struct t {
      int128_t v[39];
    } r{};
    r.v[0] = 1;
    for (int i = 1; i < 39; ++i) r.v[i] = r.v[i - 1] * 10;
    return r;
  }();
  return table.v[n];
}

[[noreturn]] inline void numeric_overflow() {
  throw db_error(sqlstate::numeric_value_out_of_range, "value overflows numeric format");
}

/// v * 10^(to - from) for to >= from, with overflow check; rounds half away from zero when to < from.
inline int128_t rescale128(int128_t v, int from, int to) {
  if (to == from) return v;
  if (to > from) {
    int128_t r;
    if (to - from > 38 || __builtin_mul_overflow(v, pow10_128(to - from), &r)) numeric_overflow();
    return r;
  }
  int d = from - to;
  if (d > 38) return 0;
  int128_t p = pow10_128(d);
  int128_t q = v / p, rem = v % p;
  if (rem < 0) rem = -rem;
  if (rem * 2 >= p) q += (v < 0 ? -1 : 1);
  return q;
}

/// Largest magnitude of NUMERIC: 38 digits.
inline bool numeric_fits(int128_t v) {
  static const int128_t lim = pow10_128(38);
  return v < lim && v > -lim;
}

}  // namespace db001::exec
