#include "storage/numeric.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "storage/cast.h"

namespace db001 {

using uint128_t = unsigned __int128;

void throw_numeric_overflow() {
  throw db_error(sqlstate::numeric_value_out_of_range, "value overflows numeric format");
}
void throw_numeric_field_overflow(int precision, int scale, bool infinite) {
  db_error e(sqlstate::numeric_value_out_of_range, "numeric field overflow");
  const std::string field = "A field with precision " + std::to_string(precision) + ", scale " + std::to_string(scale);
  if (infinite) throw e.with_detail(field + " cannot hold an infinite value.");
  const int maxdigits = precision - scale;
  throw e.with_detail(field + " must round to an absolute value less than " +
                      (maxdigits > 0 ? "10^" + std::to_string(maxdigits) : std::string("1")) + ".");
}
void throw_division_by_zero() { throw db_error(sqlstate::division_by_zero, "division by zero"); }

namespace {

// ---------------------------------------------------------------------------------------------
// 256-bit unsigned helper for exact intermediate results (products, scaled dividends).
// ---------------------------------------------------------------------------------------------
struct u256 {
  uint128_t hi = 0, lo = 0;
  bool fits128() const { return hi == 0; }
  bool is_zero() const { return hi == 0 && lo == 0; }
};

bool operator<(const u256& a, const u256& b) { return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo; }
bool operator>=(const u256& a, const u256& b) { return !(a < b); }

u256 sub(const u256& a, const u256& b) {
  u256 r;
  r.lo = a.lo - b.lo;
  r.hi = a.hi - b.hi - (a.lo < b.lo ? 1 : 0);
  return r;
}
u256 add_small(const u256& a, uint64_t b) {
  u256 r = a;
  r.lo += b;
  if (r.lo < b) ++r.hi;
  return r;
}
u256 shl1(const u256& a) { return {(a.hi << 1) | (a.lo >> 127), a.lo << 1}; }

/// Full 128x128 -> 256 product.
u256 mul_128(uint128_t a, uint128_t b) {
  const uint64_t a0 = uint64_t(a), a1 = uint64_t(a >> 64), b0 = uint64_t(b), b1 = uint64_t(b >> 64);
  const uint128_t p00 = uint128_t(a0) * b0, p01 = uint128_t(a0) * b1, p10 = uint128_t(a1) * b0,
                  p11 = uint128_t(a1) * b1;
  const uint128_t mid = (p00 >> 64) + uint64_t(p01) + uint64_t(p10);
  u256 r;
  r.lo = (mid << 64) | uint64_t(p00);
  r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
  return r;
}

/// a * b with a 256-bit a; sets overflow when the product needs more than 256 bits.
u256 mul_256_128(const u256& a, uint128_t b, bool& overflow) {
  u256 lo = mul_128(a.lo, b);
  u256 hi = mul_128(a.hi, b);
  if (!hi.fits128()) overflow = true;
  u256 r = lo;
  r.hi += hi.lo;
  if (r.hi < hi.lo) overflow = true;
  return r;
}

/// a / d for a 64-bit divisor, remainder in rem.
u256 div_64(const u256& a, uint64_t d, uint64_t& rem) {
  uint64_t limbs[4] = {uint64_t(a.hi >> 64), uint64_t(a.hi), uint64_t(a.lo >> 64), uint64_t(a.lo)};
  uint128_t r = 0;
  for (auto& l : limbs) {
    const uint128_t cur = (r << 64) | l;
    l = uint64_t(cur / d);
    r = cur % d;
  }
  rem = uint64_t(r);
  return {(uint128_t(limbs[0]) << 64) | limbs[1], (uint128_t(limbs[2]) << 64) | limbs[3]};
}

int bit_length(const u256& a) {
  auto bl128 = [](uint128_t x) {
    const uint64_t h = uint64_t(x >> 64);
    if (h) return 128 - __builtin_clzll(h);
    const uint64_t l = uint64_t(x);
    return l ? 64 - __builtin_clzll(l) : 0;
  };
  return a.hi ? 128 + bl128(a.hi) : bl128(a.lo);
}

/// Round-half-up quotient of magnitudes: round(n / d), d != 0.
u256 div_round(const u256& n, const u256& d) {
  if (n.fits128() && d.fits128()) {
    const uint128_t q = n.lo / d.lo, r = n.lo % d.lo;
    // 2r >= d without overflow: r >= d - r
    return {0, q + (r >= d.lo - r ? 1 : 0)};
  }
  u256 q, r;
  for (int i = bit_length(n) - 1; i >= 0; --i) {
    r = shl1(r);
    const bool bit = i >= 128 ? (n.hi >> (i - 128)) & 1 : (n.lo >> i) & 1;
    if (bit) r.lo |= 1;
    if (r >= d) {
      r = sub(r, d);
      if (i >= 128)
        q.hi |= uint128_t(1) << (i - 128);
      else
        q.lo |= uint128_t(1) << i;
    }
  }
  if (shl1(r) >= d) q = add_small(q, 1);
  return q;
}

/// Remainder of magnitudes: n mod d, d != 0.
u256 mod_256(const u256& n, const u256& d) {
  if (n.fits128() && d.fits128()) return {0, n.lo % d.lo};
  u256 r;
  for (int i = bit_length(n) - 1; i >= 0; --i) {
    r = shl1(r);
    const bool bit = i >= 128 ? (n.hi >> (i - 128)) & 1 : (n.lo >> i) & 1;
    if (bit) r.lo |= 1;
    if (r >= d) r = sub(r, d);
  }
  return r;
}

/// Magnitude x * 10^k, k in [0, 76]; overflow flag set if beyond 256 bits.
u256 mul_pow10(uint128_t x, int k, bool& overflow) {
  if (k <= numeric_max_digits) return mul_128(x, uint128_t(numeric_pow10(k)));
  u256 r = mul_128(x, uint128_t(numeric_pow10(numeric_max_digits)));
  return mul_256_128(r, uint128_t(numeric_pow10(k - numeric_max_digits)), overflow);
}

/// round(x / 10^k) half up on a magnitude, k >= 0.
u256 div_pow10_round(u256 x, int k) {
  if (k == 0) return x;
  uint64_t rem = 0;
  int left = k - 1;  // divide by 10^(k-1) exactly (floor), then by 10 looking at the digit
  while (left > 0) {
    const int step = left > 19 ? 19 : left;
    x = div_64(x, uint64_t(numeric_pow10(step)), rem);
    left -= step;
  }
  x = div_64(x, 10, rem);
  if (rem >= 5) x = add_small(x, 1);
  return x;
}

uint128_t magnitude(int128_t v) { return v < 0 ? uint128_t(0) - uint128_t(v) : uint128_t(v); }

/// Signed result from a magnitude, checking the 38-digit range.
int128_t from_magnitude(const u256& m, bool negative) {
  if (!m.fits128() || m.lo >= uint128_t(numeric_limit)) throw_numeric_overflow();
  const int128_t r = int128_t(m.lo);
  return negative ? -r : r;
}

// ---------------------------------------------------------------------------------------------
// Decimal text scanning
// ---------------------------------------------------------------------------------------------

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

[[noreturn]] void throw_numeric_syntax(std::string_view text) {
  throw db_error(sqlstate::invalid_text_representation,
                 "invalid input syntax for type numeric: \"" + std::string(text) + "\"");
}

/// A scanned decimal: value = digits * 10^exp10 where `digits` are the significant digits
/// (no leading zeros; only the first kept_max stored), ndigits their total count.
struct scanned_decimal {
  static constexpr int kept_max = 40;
  bool negative = false;
  char digits[kept_max] = {};
  int64_t ndigits = 0;  // significant digits (from the first non-zero one)
  int64_t exp10 = 0;    // power of ten of the last significant digit
  int64_t dscale = 0;   // natural display scale: digits after the point minus the exponent (>= 0)
};

scanned_decimal scan_decimal(std::string_view text) {
  scanned_decimal r;
  const char* p = text.data();
  const char* e = p + text.size();
  while (p < e && is_space(*p)) ++p;
  const char* sign_pos = p;
  if (p < e && (*p == '+' || *p == '-')) {
    r.negative = *p == '-';
    ++p;
  }
  // NaN / Infinity are valid PostgreSQL numerics we cannot represent ("+NaN" is a syntax error).
  {
    const char* q = e;
    while (q > p && is_space(q[-1])) --q;
    const std::string_view word(p, size_t(q - p));
    const bool had_sign = p != sign_pos;
    if (iequals(word, "infinity") || iequals(word, "inf") || (!had_sign && iequals(word, "nan")))
      throw db_error(sqlstate::feature_not_supported, "numeric NaN/Infinity is not supported");
  }
  bool any_digit = false, seen_point = false;
  int64_t frac_digits = 0;
  for (; p < e; ++p) {
    const char c = *p;
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (seen_point) ++frac_digits;
      if (r.ndigits == 0 && c == '0') continue;  // leading zero (also after the point)
      if (r.ndigits < scanned_decimal::kept_max) r.digits[r.ndigits] = c;
      ++r.ndigits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) throw_numeric_syntax(text);
  int64_t exponent = 0;
  if (p < e && (*p == 'e' || *p == 'E')) {
    ++p;
    bool eneg = false;
    if (p < e && (*p == '+' || *p == '-')) {
      eneg = *p == '-';
      ++p;
    }
    if (p == e || *p < '0' || *p > '9') throw_numeric_syntax(text);
    for (; p < e && *p >= '0' && *p <= '9'; ++p) {
      if (exponent < 1000000000) exponent = exponent * 10 + (*p - '0');  // saturates: overflows anyway
    }
    if (eneg) exponent = -exponent;
  }
  while (p < e && is_space(*p)) ++p;
  if (p != e) throw_numeric_syntax(text);
  // Digits counted in ndigits include trailing zeros of the integer part; leading zeros are
  // dropped. The last significant digit has weight 10^(exponent - frac_digits).
  r.exp10 = exponent - frac_digits;
  r.dscale = frac_digits - exponent > 0 ? frac_digits - exponent : 0;
  return r;
}

/// Unscaled value of a scanned decimal at `scale`, rounding half away from zero.
/// Returns false (overflow) when the result needs more than 38 digits.
bool scanned_to_scale(const scanned_decimal& d, int scale, int128_t& out) {
  if (d.ndigits == 0) {
    out = 0;
    return true;
  }
  const int64_t k = d.exp10 + scale;   // shift of the last significant digit
  const int64_t kept = d.ndigits + k;  // digits of the result before rounding
  if (kept > numeric_max_digits) return false;
  if (kept < 0) {
    out = 0;
    return true;
  }
  uint128_t m = 0;
  const int64_t take = kept < d.ndigits ? kept : d.ndigits;  // significant digits used (<= 38)
  for (int64_t i = 0; i < take; ++i) m = m * 10 + uint128_t(d.digits[i] - '0');
  if (k > 0) {
    m *= uint128_t(numeric_pow10(int(k)));
  } else if (k < 0) {
    // The first dropped digit decides rounding (index take <= 38 < kept_max).
    if (d.digits[take] >= '5') ++m;
  }
  if (m >= uint128_t(numeric_limit)) return false;
  out = d.negative ? -int128_t(m) : int128_t(m);
  return true;
}

size_t write_u128(uint128_t v, char* out) {
  char tmp[48];
  int n = 0;
  do {
    // peel 19 digits at a time through 64-bit arithmetic
    const uint128_t chunk = 10000000000000000000ULL;
    uint64_t part = uint64_t(v % chunk);
    v /= chunk;
    for (int i = 0; i < 19 && (part != 0 || v != 0); ++i) {
      tmp[n++] = char('0' + part % 10);
      part /= 10;
    }
  } while (v != 0);
  if (n == 0) tmp[n++] = '0';
  for (int i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  return size_t(n);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Text I/O
// ---------------------------------------------------------------------------------------------

numeric_value parse_numeric(std::string_view text) {
  const scanned_decimal d = scan_decimal(text);
  int scale = d.dscale > numeric_max_scale ? numeric_max_scale : int(d.dscale);
  if (d.ndigits > 0) {
    // Reduce the scale when the digits do not fit in 38 (rounding); integer digits must fit.
    const int64_t int_digits = d.ndigits + d.exp10;  // digits before the point
    if (int_digits > numeric_max_digits) throw_numeric_overflow();
    if (int_digits + scale > numeric_max_digits) scale = int(numeric_max_digits - (int_digits > 0 ? int_digits : 0));
  }
  int128_t v;
  while (!scanned_to_scale(d, scale, v)) {
    if (scale == 0) throw_numeric_overflow();
    --scale;  // rounding carried into a 39th digit: drop one more fraction digit
  }
  return {v, scale};
}

int128_t parse_numeric(std::string_view text, int precision, int scale) {
  const scanned_decimal d = scan_decimal(text);
  int128_t v;
  if (!scanned_to_scale(d, scale, v)) {
    if (precision >= 0 && precision <= numeric_max_digits) throw_numeric_field_overflow(precision, scale);
    throw_numeric_overflow();
  }
  if (precision >= 0 && precision < numeric_max_digits && numeric_abs(v) >= numeric_pow10(precision))
    throw_numeric_field_overflow(precision, scale);
  return v;
}

size_t format_numeric(int128_t unscaled, int scale, char* out) {
  char* p = out;
  uint128_t m = magnitude(unscaled);
  if (unscaled < 0) *p++ = '-';
  char digits[48];
  size_t n = write_u128(m, digits);
  if (scale <= 0) {
    std::memcpy(p, digits, n);
    return size_t(p + n - out);
  }
  const size_t s = size_t(scale);
  if (n <= s) {
    *p++ = '0';
    *p++ = '.';
    for (size_t i = n; i < s; ++i) *p++ = '0';
    std::memcpy(p, digits, n);
    p += n;
  } else {
    std::memcpy(p, digits, n - s);
    p += n - s;
    *p++ = '.';
    std::memcpy(p, digits + n - s, s);
    p += s;
  }
  return size_t(p - out);
}

std::string format_numeric(int128_t unscaled, int scale) {
  char buf[numeric_text_max];
  return std::string(buf, format_numeric(unscaled, scale, buf));
}

// ---------------------------------------------------------------------------------------------
// Scale and typmod
// ---------------------------------------------------------------------------------------------

int128_t numeric_div_pow10_round(int128_t v, int k) {
  if (k <= 0) return v;
  if (k > numeric_max_digits) return 0;
  const int128_t p = numeric_pow10(k);
  int128_t q = v / p;
  const int128_t r = v % p;
  const int128_t ar = r < 0 ? -r : r;
  if (ar >= p - ar) q += v < 0 ? -1 : 1;
  return q;
}

int numeric_digits(int128_t v) {
  const uint128_t m = magnitude(v);
  int n = 0;
  while (n <= numeric_max_digits && m >= uint128_t(numeric_pow10(n))) ++n;
  return n;  // 39 for values >= 10^38 (invalid anyway)
}

int128_t numeric_rescale(int128_t v, int from_scale, int to_scale) {
  if (to_scale == from_scale) return v;
  if (to_scale < from_scale) return numeric_div_pow10_round(v, from_scale - to_scale);
  if (v == 0) return 0;
  const int k = to_scale - from_scale;
  if (k >= numeric_max_digits) throw_numeric_overflow();
  int128_t r;
  if (__builtin_mul_overflow(v, numeric_pow10(k), &r) || !numeric_in_range(r)) throw_numeric_overflow();
  return r;
}

int128_t numeric_apply_typmod(int128_t v, int from_scale, int precision, int scale) {
  if (precision < 0) return numeric_rescale(v, from_scale, scale);
  if (precision >= numeric_max_digits) {
    // any 38-digit value fits; only the rescale itself can overflow
    if (scale > from_scale && v != 0 && numeric_digits(v) + scale - from_scale > numeric_max_digits)
      throw_numeric_field_overflow(precision, scale);
    return numeric_rescale(v, from_scale, scale);
  }
  if (scale >= from_scale) {
    // |v| * 10^(scale - from_scale) < 10^precision  <=>  |v| < 10^(precision - scale + from_scale)
    const int room = precision - scale + from_scale;
    if (room <= 0) {
      if (v != 0) throw_numeric_field_overflow(precision, scale);
      return 0;
    }
    if (room < numeric_max_digits && numeric_abs(v) >= numeric_pow10(room))
      throw_numeric_field_overflow(precision, scale);
    return numeric_rescale(v, from_scale, scale);
  }
  const int128_t r = numeric_div_pow10_round(v, from_scale - scale);
  if (numeric_abs(r) >= numeric_pow10(precision)) throw_numeric_field_overflow(precision, scale);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------------

namespace {
/// a and b brought to a common scale, exactly (may overflow 128 bits only when the true
/// result does not fit 38 digits anyway for add/sub, so the helper throws).
void align(int128_t& a, int sa, int128_t& b, int sb) {
  if (sa < sb)
    a = numeric_rescale(a, sa, sb);
  else if (sb < sa)
    b = numeric_rescale(b, sb, sa);
}
}  // namespace

int128_t numeric_add(int128_t a, int sa, int128_t b, int sb) {
  align(a, sa, b, sb);
  return numeric_add_same_scale(a, b);
}

int128_t numeric_sub(int128_t a, int sa, int128_t b, int sb) {
  align(a, sa, b, sb);
  return numeric_sub_same_scale(a, b);
}

int128_t numeric_mul(int128_t a, int sa, int128_t b, int sb, int result_scale) {
  const bool neg = (a < 0) != (b < 0);
  if (a == 0 || b == 0) return 0;
  u256 m = mul_128(magnitude(a), magnitude(b));
  const int natural = sa + sb;
  if (result_scale < natural) {
    m = div_pow10_round(m, natural - result_scale);
  } else if (result_scale > natural) {
    if (!m.fits128()) throw_numeric_overflow();
    bool overflow = false;
    m = mul_pow10(m.lo, result_scale - natural, overflow);
    if (overflow) throw_numeric_overflow();
  }
  return from_magnitude(m, neg);
}

int numeric_select_div_scale(int128_t a, int sa, int128_t b, int sb) {
  auto weight_and_first = [](int128_t v, int s, int& weight, int& first) {
    weight = 0;
    first = 0;
    if (v == 0) return;
    const int e = numeric_digits(v) - 1 - s;  // decimal exponent of the leading digit
    weight = e >= 0 ? e / 4 : -((-e + 3) / 4);
    const int shift = s + 4 * weight;  // |v| / 10^shift = first base-10000 digit (+ fraction)
    const uint128_t m = magnitude(v);
    if (shift >= 0)
      first = int(m / uint128_t(numeric_pow10(shift)));
    else
      first = int(m * uint128_t(numeric_pow10(-shift)));
  };
  int w1, f1, w2, f2;
  weight_and_first(a, sa, w1, f1);
  weight_and_first(b, sb, w2, f2);
  int qweight = w1 - w2;
  if (f1 <= f2) --qweight;
  int rscale = numeric_min_sig_digits - qweight * 4;
  if (rscale < sa) rscale = sa;
  if (rscale < sb) rscale = sb;
  if (rscale < 0) rscale = 0;
  if (rscale > numeric_max_scale) rscale = numeric_max_scale;
  return rscale;
}

int128_t numeric_div(int128_t a, int sa, int128_t b, int sb, int result_scale) {
  if (b == 0) throw_division_by_zero();
  if (a == 0) return 0;
  const bool neg = (a < 0) != (b < 0);
  // a/10^sa / (b/10^sb) * 10^rs = a * 10^(rs - sa + sb) / b
  const int e = result_scale - sa + sb;
  u256 n, d;
  bool overflow = false;
  if (e >= 0) {
    n = mul_pow10(magnitude(a), e, overflow);
    d = {0, magnitude(b)};
  } else {
    n = {0, magnitude(a)};
    d = mul_pow10(magnitude(b), -e, overflow);
  }
  if (overflow) throw_numeric_overflow();  // dividend beyond 2^256: the quotient is >= 2^129
  return from_magnitude(div_round(n, d), neg);
}

int128_t numeric_mod(int128_t a, int sa, int128_t b, int sb) {
  if (b == 0) throw_division_by_zero();
  const int s = numeric_add_scale(sa, sb);
  bool overflow = false;
  const u256 n = mul_pow10(magnitude(a), s - sa, overflow);
  const u256 d = mul_pow10(magnitude(b), s - sb, overflow);
  const u256 r = mod_256(n, d);  // r <= min(n, d - 1); one of them is unscaled, so r < 10^38
  return from_magnitude(r, a < 0);
}

int numeric_cmp(int128_t a, int sa, int128_t b, int sb) {
  if (sa == sb) return (a > b) - (a < b);
  const int sga = numeric_sign(a), sgb = numeric_sign(b);
  if (sga != sgb) return sga < sgb ? -1 : 1;
  if (sga == 0) return 0;
  const int s = numeric_add_scale(sa, sb);
  bool overflow = false;
  const u256 ma = mul_pow10(magnitude(a), s - sa, overflow);
  const u256 mb = mul_pow10(magnitude(b), s - sb, overflow);
  const int c = ma < mb ? -1 : (mb < ma ? 1 : 0);
  return sga > 0 ? c : -c;
}

int128_t numeric_round(int128_t v, int scale, int n) {
  const int rs = n > 0 ? n : 0;
  if (n >= scale) return numeric_rescale(v, scale, rs);
  // round at position n (possibly negative), then express at scale rs
  const int drop = scale - n;  // > 0
  if (drop > numeric_max_digits) return 0;
  int128_t r = numeric_div_pow10_round(v, drop);  // value in units of 10^-n
  if (n < 0) {
    // back to units of 1: multiply by 10^-n
    if (r == 0) return 0;
    if (-n >= numeric_max_digits) throw_numeric_overflow();
    int128_t out;
    if (__builtin_mul_overflow(r, numeric_pow10(-n), &out) || !numeric_in_range(out)) throw_numeric_overflow();
    return out;
  }
  return r;
}

int128_t numeric_trunc(int128_t v, int scale, int n) {
  const int rs = n > 0 ? n : 0;
  if (n >= scale) return numeric_rescale(v, scale, rs);
  const int drop = scale - n;
  if (drop > numeric_max_digits) return 0;
  const int128_t r = v / numeric_pow10(drop);
  if (n < 0) {
    if (r == 0) return 0;
    if (-n >= numeric_max_digits) throw_numeric_overflow();
    int128_t out;
    if (__builtin_mul_overflow(r, numeric_pow10(-n), &out) || !numeric_in_range(out)) throw_numeric_overflow();
    return out;
  }
  return r;
}

int128_t numeric_ceil(int128_t v, int scale) {
  if (scale <= 0) return v;
  const int128_t p = numeric_pow10(scale);
  int128_t q = v / p;
  if (v % p > 0) ++q;
  return q;
}

int128_t numeric_floor(int128_t v, int scale) {
  if (scale <= 0) return v;
  const int128_t p = numeric_pow10(scale);
  int128_t q = v / p;
  if (v % p < 0) --q;
  return q;
}

// ---------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------

double numeric_to_double(int128_t v, int scale) {
  static constexpr double exact_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                           1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  const uint128_t m = magnitude(v);
  if (m < (uint128_t(1) << 53) && scale >= 0 && scale <= 22) {
    // both operands exact: one IEEE division is correctly rounded
    return double(v) / exact_pow10[scale];
  }
  char buf[numeric_text_max];
  const size_t n = format_numeric(v, scale, buf);
  double d = 0;
  std::from_chars(buf, buf + n, d);
  return d;
}

float numeric_to_float(int128_t v, int scale) {
  char buf[numeric_text_max];
  const size_t n = format_numeric(v, scale, buf);
  float f = 0;
  std::from_chars(buf, buf + n, f);
  return f;
}

namespace {
void check_convertible(double d) {
  if (std::isnan(d)) throw db_error(sqlstate::feature_not_supported, "cannot convert NaN to numeric");
  if (std::isinf(d)) throw db_error(sqlstate::numeric_value_out_of_range, "cannot convert infinity to numeric");
}
std::string_view print_g(double d, int digits, char* buf) {
  const auto r = std::to_chars(buf, buf + 64, d, std::chars_format::general, digits);
  return {buf, size_t(r.ptr - buf)};
}
std::string_view print_g(float f, int digits, char* buf) {
  const auto r = std::to_chars(buf, buf + 64, f, std::chars_format::general, digits);
  return {buf, size_t(r.ptr - buf)};
}
}  // namespace

numeric_value numeric_from_double(double d) {
  check_convertible(d);
  char buf[64];
  return parse_numeric(print_g(d, 15, buf));
}

int128_t numeric_from_double(double d, int precision, int scale) {
  if (std::isinf(d) && precision >= 0) throw_numeric_field_overflow(precision, scale, true);
  check_convertible(d);
  char buf[64];
  return parse_numeric(print_g(d, 15, buf), precision, scale);
}

numeric_value numeric_from_float(float f) {
  check_convertible(f);
  char buf[64];
  return parse_numeric(print_g(f, 6, buf));
}

int128_t numeric_from_float(float f, int precision, int scale) {
  if (std::isinf(f) && precision >= 0) throw_numeric_field_overflow(precision, scale, true);
  check_convertible(f);
  char buf[64];
  return parse_numeric(print_g(f, 6, buf), precision, scale);
}

int64_t numeric_to_int64(int128_t v, int scale, type_id target) {
  const int128_t r = numeric_div_pow10_round(v, scale);
  int128_t lo = INT64_MIN, hi = INT64_MAX;
  if (target == type_id::int32) {
    lo = INT32_MIN;
    hi = INT32_MAX;
  } else if (target == type_id::int16) {
    lo = INT16_MIN;
    hi = INT16_MAX;
  }
  if (r < lo || r > hi) throw_int_out_of_range(target);
  return int64_t(r);
}

int128_t numeric_from_int64(int64_t x, int precision, int scale) {
  return numeric_apply_typmod(int128_t(x), 0, precision, scale);
}

}  // namespace db001
