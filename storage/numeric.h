#pragma once
/// Exact decimal arithmetic for NUMERIC: a value is an unscaled `int128_t` plus a decimal scale
/// (value = unscaled / 10^scale), at most 38 significant digits (|unscaled| < 10^38).
///
/// Conventions
///   - Rounding is always half away from zero (PostgreSQL's round_var).
///   - Scales are in [0, numeric_max_scale]; PostgreSQL's negative scales are not supported.
///   - "numeric field overflow" (22003) when a value does not fit a NUMERIC(p,s) typmod;
///     "value overflows numeric format" (22003) when a result needs more than 38 digits
///     (PostgreSQL's limit is 131072 digits; ours is the int128 range).
///   - 22012 "division by zero" for / and % by zero.
///   - NaN and +-Infinity (PostgreSQL 14+) cannot be represented: input of them is rejected
///     with 0A000 "numeric NaN/Infinity is not supported".
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/error.h"
#include "storage/types.h"

namespace db001 {

/// Largest number of decimal digits an unscaled value may have.
inline constexpr int numeric_max_digits = 38;
/// Largest scale (all digits after the point).
inline constexpr int numeric_max_scale = 38;
/// Default static cap on the scale of a product (see numeric_mul_scale).
inline constexpr int numeric_mul_scale_cap = 24;
/// Minimum significant digits of a quotient (PostgreSQL's NUMERIC_MIN_SIG_DIGITS).
inline constexpr int numeric_min_sig_digits = 16;
/// Buffer size enough for any formatted numeric (sign, 38 digits, point, leading "0.").
inline constexpr size_t numeric_text_max = 48;

namespace detail {
constexpr int128_t make_pow10(int n) {
  int128_t r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}
struct pow10_table {
  int128_t v[numeric_max_digits + 1];
  constexpr pow10_table() : v() {
    for (int i = 0; i <= numeric_max_digits; ++i) v[i] = make_pow10(i);
  }
};
inline constexpr pow10_table pow10_tab{};
}  // namespace detail

/// 10^n as int128 for n in [0, 38] (unchecked).
inline constexpr int128_t numeric_pow10(int n) { return detail::pow10_tab.v[n]; }
/// 10^38: every valid unscaled value has |v| < numeric_limit.
inline constexpr int128_t numeric_limit = detail::make_pow10(numeric_max_digits);

/// An unscaled value with its scale, for results whose scale depends on the input
/// (text input of plain NUMERIC, float -> numeric, extract()).
struct numeric_value {
  int128_t unscaled = 0;
  int scale = 0;
  bool operator==(const numeric_value&) const = default;
};

/// Throws 22003 "value overflows numeric format".
[[noreturn]] void throw_numeric_overflow();
/// Throws 22003 "numeric field overflow" with PostgreSQL's DETAIL ("A field with precision 5,
/// scale 2 must round to an absolute value less than 10^3." or "... cannot hold an infinite value.").
[[noreturn]] void throw_numeric_field_overflow(int precision, int scale, bool infinite = false);
/// Throws 22012 "division by zero".
[[noreturn]] void throw_division_by_zero();

/// True when |v| < 10^38 (the value is a valid unscaled numeric).
inline constexpr bool numeric_in_range(int128_t v) { return v < numeric_limit && v > -numeric_limit; }

// ---------------------------------------------------------------------------------------------
// Text I/O
// ---------------------------------------------------------------------------------------------

/// Parses NUMERIC text input ("12.50", " -1.5e3 ", ".5") keeping the input's own scale
/// (digits after the point minus the exponent, at least 0), like PostgreSQL's numeric_in.
/// When the input has more than 38 digits in total, the scale is reduced (with rounding) to
/// fit; 22003 "value overflows numeric format" when the integer part alone exceeds 38 digits.
/// 22P02 `invalid input syntax for type numeric: "<text>"` on malformed text.
numeric_value parse_numeric(std::string_view text);
/// Parses NUMERIC text input into NUMERIC(precision, scale): rounds to `scale` digits after the
/// point and throws 22003 "numeric field overflow" if the result needs more than
/// precision - scale integer digits. precision < 0 means no precision check (plain NUMERIC at
/// a fixed scale). Returns the unscaled value at `scale`.
int128_t parse_numeric(std::string_view text, int precision, int scale);

/// Writes the text form of unscaled/10^scale to `out` (at least numeric_text_max bytes), exactly
/// as PostgreSQL prints it: all `scale` digits shown ("1.50", "-0.05", "0", "0.000").
/// Returns the number of bytes written (no terminator).
size_t format_numeric(int128_t unscaled, int scale, char* out);
/// format_numeric into a std::string.
std::string format_numeric(int128_t unscaled, int scale);

// ---------------------------------------------------------------------------------------------
// Scale and typmod
// ---------------------------------------------------------------------------------------------

/// Divides v by 10^k (k >= 0) rounding half away from zero; k > 38 yields 0.
int128_t numeric_div_pow10_round(int128_t v, int k);
/// Converts v from `from_scale` to `to_scale`: rounds when reducing the scale, multiplies when
/// raising it (22003 "value overflows numeric format" if the result exceeds 38 digits).
int128_t numeric_rescale(int128_t v, int from_scale, int to_scale);
/// Applies the typmod NUMERIC(precision, scale) to v at `from_scale` (PostgreSQL's
/// apply_typmod): rescales with rounding, then 22003 "numeric field overflow" when
/// |result| >= 10^precision. precision < 0: rescale only.
int128_t numeric_apply_typmod(int128_t v, int from_scale, int precision, int scale);
/// Number of decimal digits of |v| (0 for v == 0).
int numeric_digits(int128_t v);

// ---------------------------------------------------------------------------------------------
// Arithmetic. Operands are unscaled values with their scales; results are unscaled at the
// stated result scale. All throw 22003 "value overflows numeric format" beyond 38 digits.
// ---------------------------------------------------------------------------------------------

/// a + b, both at the same scale (hot path of the vectorized executor).
inline int128_t numeric_add_same_scale(int128_t a, int128_t b) {
  int128_t r;
  if (__builtin_add_overflow(a, b, &r) || !numeric_in_range(r)) [[unlikely]]
    throw_numeric_overflow();
  return r;
}
/// a - b, both at the same scale.
inline int128_t numeric_sub_same_scale(int128_t a, int128_t b) {
  int128_t r;
  if (__builtin_sub_overflow(a, b, &r) || !numeric_in_range(r)) [[unlikely]]
    throw_numeric_overflow();
  return r;
}
/// Result scale of + and -: max(s1, s2) (as PostgreSQL).
inline constexpr int numeric_add_scale(int s1, int s2) { return s1 > s2 ? s1 : s2; }
/// a + b; the result is at numeric_add_scale(sa, sb).
int128_t numeric_add(int128_t a, int sa, int128_t b, int sb);
/// a - b; the result is at numeric_add_scale(sa, sb).
int128_t numeric_sub(int128_t a, int sa, int128_t b, int sb);

/// Result scale of *: s1 + s2 as in PostgreSQL, but capped at max(s1, s2, numeric_mul_scale_cap)
/// so that products of long fractions keep room for integer digits (deviation: PostgreSQL
/// never rounds a product).
inline constexpr int numeric_mul_scale(int s1, int s2) {
  int cap = s1 > s2 ? s1 : s2;
  if (cap < numeric_mul_scale_cap) cap = numeric_mul_scale_cap;
  int s = s1 + s2;
  return s < cap ? s : cap;
}
/// a * b computed exactly (256-bit) and rounded to `result_scale` (any scale in [0, 38]).
int128_t numeric_mul(int128_t a, int sa, int128_t b, int sb, int result_scale);
/// a * b at numeric_mul_scale(sa, sb).
inline int128_t numeric_mul(int128_t a, int sa, int128_t b, int sb) {
  return numeric_mul(a, sa, b, sb, numeric_mul_scale(sa, sb));
}

/// Static result scale of /: max(16, s1, s2) (capped at 38). PostgreSQL's select_div_scale
/// depends on the operand values (it aims at 16 significant digits: 1/3 has scale 20, 10/3
/// scale 16, 100000/3 scale 12); a vectorized column needs one scale per expression, so this
/// is the deviation the executor uses. numeric_select_div_scale gives the exact PG rule.
inline constexpr int numeric_div_scale(int s1, int s2) {
  int s = numeric_min_sig_digits;
  if (s1 > s) s = s1;
  if (s2 > s) s = s2;
  return s > numeric_max_scale ? numeric_max_scale : s;
}
/// PostgreSQL's select_div_scale for the actual operand values (for constant folding and the
/// row-at-a-time path), capped to [0, 38].
int numeric_select_div_scale(int128_t a, int sa, int128_t b, int sb);
/// a / b rounded half away from zero to `result_scale`; 22012 "division by zero" if b == 0.
int128_t numeric_div(int128_t a, int sa, int128_t b, int sb, int result_scale);
/// a % b (sign of a, PostgreSQL's mod_var: a - trunc(a/b)*b) at numeric_add_scale(sa, sb);
/// 22012 "division by zero" if b == 0.
int128_t numeric_mod(int128_t a, int sa, int128_t b, int sb);
/// Three-way comparison of a/10^sa and b/10^sb: -1, 0 or 1 (exact, never overflows).
int numeric_cmp(int128_t a, int sa, int128_t b, int sb);
/// -v (cannot overflow: the range is symmetric).
inline constexpr int128_t numeric_neg(int128_t v) { return -v; }
/// |v| (same scale).
inline constexpr int128_t numeric_abs(int128_t v) { return v < 0 ? -v : v; }
/// sign(v): -1, 0 or 1 (PostgreSQL's sign(numeric) prints it with scale 0).
inline constexpr int numeric_sign(int128_t v) { return (v > 0) - (v < 0); }

/// round(v, n): v at `scale` rounded half away from zero to n digits after the point
/// (n may be negative: round(1234, -2) = 1200). Result at scale max(n, 0), as PostgreSQL.
int128_t numeric_round(int128_t v, int scale, int n);
/// trunc(v, n): like numeric_round but truncating toward zero. Result at scale max(n, 0).
int128_t numeric_trunc(int128_t v, int scale, int n);
/// ceil(v): smallest integer >= v, at scale 0.
int128_t numeric_ceil(int128_t v, int scale);
/// floor(v): largest integer <= v, at scale 0.
int128_t numeric_floor(int128_t v, int scale);

// ---------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------

/// numeric -> float8 as PostgreSQL (correctly rounded from the decimal text).
double numeric_to_double(int128_t v, int scale);
/// numeric -> float4 as PostgreSQL (correctly rounded from the decimal text).
float numeric_to_float(int128_t v, int scale);
/// float8 -> plain numeric as PostgreSQL's float8_numeric: the value printed with 15
/// significant digits ("%.15g") and read back with its natural scale.
/// NaN: 0A000 "cannot convert NaN to numeric"; +-Inf: 22003 "cannot convert infinity to numeric".
numeric_value numeric_from_double(double d);
/// float8 -> NUMERIC(precision, scale): as numeric_from_double, then the typmod
/// (22003 "numeric field overflow"; infinity also gives "numeric field overflow" as PG 15).
int128_t numeric_from_double(double d, int precision, int scale);
/// float4 -> plain numeric (6 significant digits, PostgreSQL's float4_numeric).
numeric_value numeric_from_float(float f);
/// float4 -> NUMERIC(precision, scale).
int128_t numeric_from_float(float f, int precision, int scale);
/// numeric -> integer type `target` (int16/int32/int64): rounds half away from zero, then
/// 22003 "smallint out of range" / "integer out of range" / "bigint out of range".
int64_t numeric_to_int64(int128_t v, int scale, type_id target = type_id::int64);
/// integer -> NUMERIC(precision, scale) (precision < 0: no check). Returns the unscaled value.
int128_t numeric_from_int64(int64_t x, int precision, int scale);

}  // namespace db001
