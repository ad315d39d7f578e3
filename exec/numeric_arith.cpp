#include "exec/numeric_arith.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "exec/numeric_kernels.h"
#include "storage/error.h"
#include "storage/numeric.h"

namespace db001::exec {

namespace {

using uint128_t = unsigned __int128;

/// A side whose values all fit int64: its cells (n of them) or its constant, and the largest
/// magnitude among them.
struct small_side {
  const int64_t* cells = nullptr;
  int64_t constant = 0;
  uint64_t max_abs = 0;
};

uint64_t magnitude(int64_t x) { return x < 0 ? uint64_t(0) - uint64_t(x) : uint64_t(x); }

/// o as int64 values (int128 cells narrowed into `scratch`); false if some value does not fit.
bool narrow(const numeric_operand& o, uint32_t n, std::vector<int64_t>& scratch, small_side& s) {
  constexpr int128_t lo = std::numeric_limits<int64_t>::min(), hi = std::numeric_limits<int64_t>::max();
  if (!o.v) {
    if (o.constant < lo || o.constant > hi) return false;
    s.constant = int64_t(o.constant);
    s.max_abs = magnitude(s.constant);
    return true;
  }
  uint64_t m = 0;
  if (o.v->type.physical() == phys::i64) {
    const int64_t* x = o.v->as<int64_t>();
    for (uint32_t i = 0; i < n; ++i) m = std::max(m, magnitude(x[i]));
    s.cells = x;
  } else {
    // One pass: the low halves, whether every high half is the low half's sign extension,
    // and the largest magnitude.
    const int128_t* w = o.v->as<int128_t>();
    scratch.resize(n);
    int64_t* x = scratch.data();
    uint64_t mismatch = 0;
    for (uint32_t i = 0; i < n; ++i) {
      auto low = int64_t(uint64_t(w[i]));
      auto high = int64_t(uint64_t(uint128_t(w[i]) >> 64));
      mismatch |= uint64_t(high ^ (low >> 63));
      x[i] = low;
      m = std::max(m, magnitude(low));
    }
    if (mismatch != 0) return false;
    s.cells = x;
  }
  s.max_abs = m;
  return true;
}

/// r[i] = f(a_i, b_i) for rows 0..n, a constant side read once.
template <class F>
void each(const small_side& a, const small_side& b, uint32_t n, int128_t* r, F f) {
  if (a.cells && b.cells) {
    for (uint32_t i = 0; i < n; ++i) r[i] = f(a.cells[i], b.cells[i]);
  } else if (a.cells) {
    int64_t y = b.constant;
    for (uint32_t i = 0; i < n; ++i) r[i] = f(a.cells[i], y);
  } else if (b.cells) {
    int64_t x = a.constant;
    for (uint32_t i = 0; i < n; ++i) r[i] = f(x, b.cells[i]);
  } else {
    std::fill(r, r + n, f(a.constant, b.constant));
  }
}

/// Multiplication at scale sa + sb, and addition / subtraction at scale max(sa, sb), of sides
/// whose values fit int64: the bound from the largest magnitudes proves every result (NULL
/// rows too: their cells are zeros or valid values) fits, so the loops check nothing. Returns
/// false when the shape or the bound does not allow it.
bool unchecked_arith(op_kind op, const numeric_operand& a, const numeric_operand& b, int128_t* r, uint32_t n,
                     int rscale) {
  bool mul = op == op_kind::mul && a.scale + b.scale == rscale;
  bool add_sub = (op == op_kind::add || op == op_kind::sub) && rscale == std::max(a.scale, b.scale);
  if (!mul && !add_sub) return false;
  thread_local std::vector<int64_t> scratch_a, scratch_b;
  small_side x, y;
  if (!narrow(a, n, scratch_a, x) || !narrow(b, n, scratch_b, y)) return false;
  constexpr uint128_t int64_room = uint128_t(1) << 63;
  if (mul) {
    // |x * y| <= 2^63 * 2^63 = 2^126 < 10^38: always in range as int128.
    if (uint128_t(x.max_abs) * y.max_abs < int64_room)
      each(x, y, n, r, [](int64_t p, int64_t q) { return int128_t(p * q); });
    else
      each(x, y, n, r, [](int64_t p, int64_t q) { return int128_t(p) * q; });
    return true;
  }
  int da = rscale - a.scale, db = rscale - b.scale;
  if (da > 18 || db > 18) return false;
  int64_t fa = int64_t(numeric_pow10(da)), fb = int64_t(numeric_pow10(db));
  uint128_t bound = uint128_t(x.max_abs) * uint64_t(fa) + uint128_t(y.max_abs) * uint64_t(fb);
  bool add = op == op_kind::add;
  if (bound < int64_room) {
    if (add)
      each(x, y, n, r, [fa, fb](int64_t p, int64_t q) { return int128_t(p * fa + q * fb); });
    else
      each(x, y, n, r, [fa, fb](int64_t p, int64_t q) { return int128_t(p * fa - q * fb); });
    return true;
  }
  if (bound >= uint128_t(numeric_pow10(38))) return false;
  if (add)
    each(x, y, n, r, [fa, fb](int64_t p, int64_t q) { return int128_t(p) * fa + int128_t(q) * fb; });
  else
    each(x, y, n, r, [fa, fb](int64_t p, int64_t q) { return int128_t(p) * fa - int128_t(q) * fb; });
  return true;
}

/// The same shapes with a check per row (values beyond int64, or bounds too large to prove).
bool checked_arith(op_kind op, const numeric_operand& a, const numeric_operand& b, int128_t* r, uint32_t n,
                   int rscale) {
  int sa = a.scale, sb = b.scale;
  if (op == op_kind::mul && sa + sb == rscale) {
    for (uint32_t i = 0; i < n; ++i) {
      int128_t z;
      if (__builtin_mul_overflow(a.at(i), b.at(i), &z) || !numeric_in_range(z))
        z = numeric_mul(a.at(i), sa, b.at(i), sb, rscale);  // exact, or 22003
      r[i] = z;
    }
    return true;
  }
  if ((op == op_kind::add || op == op_kind::sub) && rscale == std::max(sa, sb)) {
    int128_t fa = pow10_128(rscale - sa), fb = pow10_128(rscale - sb);
    bool add = op == op_kind::add;
    for (uint32_t i = 0; i < n; ++i) {
      int128_t x = a.at(i), y = b.at(i), z;
      if (fa != 1 && __builtin_mul_overflow(x, fa, &x)) numeric_overflow();
      if (fb != 1 && __builtin_mul_overflow(y, fb, &y)) numeric_overflow();
      if ((add ? __builtin_add_overflow(x, y, &z) : __builtin_sub_overflow(x, y, &z)) || !numeric_in_range(z))
        numeric_overflow();
      r[i] = z;
    }
    return true;
  }
  return false;
}

}  // namespace

void numeric_arith(op_kind op, const numeric_operand& a, const numeric_operand& b, int128_t* r,
                   const uint8_t* nulls, uint32_t n, int rscale) {
  if (unchecked_arith(op, a, b, r, n, rscale) || checked_arith(op, a, b, r, n, rscale)) return;
  // Everything else (division, modulo, results at another scale) row by row, skipping NULL
  // rows (their zeros would divide by zero).
  int sa = a.scale, sb = b.scale;
  for (uint32_t i = 0; i < n; ++i) {
    if (nulls && nulls[i]) {
      r[i] = 0;
      continue;
    }
    int128_t x = a.at(i), y = b.at(i), z = 0;
    switch (op) {
      case op_kind::add:
        z = sa == sb ? numeric_add_same_scale(x, y) : numeric_add(x, sa, y, sb);
        z = rescale128(z, std::max(sa, sb), rscale);
        break;
      case op_kind::sub:
        z = sa == sb ? numeric_sub_same_scale(x, y) : numeric_sub(x, sa, y, sb);
        z = rescale128(z, std::max(sa, sb), rscale);
        break;
      case op_kind::mul: z = numeric_mul(x, sa, y, sb, rscale); break;
      case op_kind::div: z = numeric_div(x, sa, y, sb, rscale); break;
      case op_kind::mod: z = rescale128(numeric_mod(x, sa, y, sb), std::max(sa, sb), rscale); break;
      default: throw db_error(sqlstate::undefined_function, "operator does not exist for numeric");
    }
    r[i] = z;
  }
}

}  // namespace db001::exec
