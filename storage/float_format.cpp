#include "storage/float_format.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

#include "storage/error.h"

namespace db001 {

namespace {

template <class F>
struct fp_traits;
template <>
struct fp_traits<double> {
  using bits_t = uint64_t;
  static constexpr int mantissa_bits = 52, bias = 1023, max_digits = 17, fixed_limit = 15;
};
template <>
struct fp_traits<float> {
  using bits_t = uint32_t;
  static constexpr int mantissa_bits = 23, bias = 127, max_digits = 9, fixed_limit = 6;
};

constexpr uint64_t pow5_u64(int n) {
  uint64_t r = 1;
  for (int i = 0; i < n; ++i) r *= 5;
  return r;
}
constexpr uint64_t pow10_u64(int n) {
  uint64_t r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

/// A positive decimal D * 10^e (D without a sign, at most 19 digits).
struct decimal {
  uint64_t digits = 0;
  int exp = 0;
};

/// Parses the output of to_chars(scientific): "d.ddde+XX".
decimal from_scientific(const char* b, const char* e) {
  decimal r;
  int n = 0;
  const char* p = b;
  for (; p < e && *p != 'e'; ++p) {
    if (*p >= '0' && *p <= '9') {
      r.digits = r.digits * 10 + uint64_t(*p - '0');
      ++n;
    }
  }
  int x = 0;
  std::from_chars(p + (p[1] == '+' ? 2 : 1), e, x);
  r.exp = x - (n - 1);
  return r;
}

/// Writes D * 10^e to out as "De<e>" (for from_chars); returns the length.
size_t plain_text(decimal d, char* out) {
  auto r = std::to_chars(out, out + 40, d.digits);
  *r.ptr++ = 'e';
  r = std::to_chars(r.ptr, out + 48, d.exp);
  return size_t(r.ptr - out);
}

/// Midpoint check: is D * 10^e exactly odd * 2^t? (false when it is not of that form)
bool equals_binary(decimal d, unsigned __int128 odd, int t) {
  if (d.digits == 0) return false;
  unsigned __int128 o;
  int tt;
  if (d.exp >= 0) {
    if (d.exp > 27) return false;  // odd part beyond 2^63 > any midpoint numerator
    const int tz = __builtin_ctzll(d.digits);
    o = (unsigned __int128)(d.digits >> tz) * pow5_u64(d.exp);
    tt = tz + d.exp;
  } else {
    const int f = -d.exp;
    if (f > 27) return false;  // 5^f > 10^19 > D: not divisible
    const uint64_t p5 = pow5_u64(f);
    if (d.digits % p5 != 0) return false;
    const uint64_t q = d.digits / p5;
    const int tz = __builtin_ctzll(q);
    o = q >> tz;
    tt = tz - f;
  }
  return o == odd && tt == t;
}

/// PostgreSQL's Ryu is built with STRICTLY_SHORTEST 0: it never prints a decimal lying exactly on
/// the midpoint between the value and a neighbour (it would depend on the reader's ties-to-even),
/// while std::to_chars does when the mantissa is even. This finds PostgreSQL's digits.
template <class F>
class shortest_digits {
 public:
  using traits = fp_traits<F>;
  explicit shortest_digits(F v) : v_(v) {
    const auto bits = std::bit_cast<typename traits::bits_t>(v);
    const uint64_t mant = uint64_t(bits) & ((uint64_t(1) << traits::mantissa_bits) - 1);
    const int ex = int(bits >> traits::mantissa_bits) & ((1 << (sizeof(F) * 8 - 1 - traits::mantissa_bits)) - 1);
    const uint64_t m2 = ex == 0 ? mant : (uint64_t(1) << traits::mantissa_bits) | mant;
    const int eu = (ex == 0 ? 1 : ex) - traits::bias - traits::mantissa_bits;
    up_odd_ = 2 * m2 + 1;
    up_t_ = eu - 1;
    if (mant == 0 && ex > 1) {  // power of two: the gap below is half as wide
      lo_odd_ = 4 * m2 - 1;
      lo_t_ = eu - 2;
    } else {
      lo_odd_ = 2 * m2 - 1;
      lo_t_ = eu - 1;
    }
  }

  /// Digits and exponent PostgreSQL prints for v (v > 0, finite).
  decimal get() const {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v_, std::chars_format::scientific);
    const decimal d = from_scientific(buf, r.ptr);
    if (!on_boundary(d)) return d;
    int n = 0;
    for (uint64_t x = d.digits; x; x /= 10) ++n;
    for (int k = n; k <= traits::max_digits; ++k) {
      r = std::to_chars(buf, buf + sizeof buf, v_, std::chars_format::scientific, k - 1);
      decimal c = from_scientific(buf, r.ptr);
      if (inside(c)) return strip(c);
      c.digits += 1;  // Ryu takes the next decimal up when the rounded one is out of bounds
      if (c.digits == pow10_u64(k)) {
        c.digits = 1;
        c.exp += k;
      }
      if (inside(c)) return strip(c);
    }
    return d;  // unreachable: 17 (9) digits are always strictly inside
  }

 private:
  bool on_boundary(decimal d) const { return equals_binary(d, up_odd_, up_t_) || equals_binary(d, lo_odd_, lo_t_); }
  bool inside(decimal d) const {
    if (on_boundary(d)) return false;
    char buf[48];
    F back = 0;
    const auto r = std::from_chars(buf, buf + plain_text(d, buf), back);
    return r.ec == std::errc() && back == v_;
  }
  static decimal strip(decimal d) {
    while (d.digits != 0 && d.digits % 10 == 0) {
      d.digits /= 10;
      ++d.exp;
    }
    return d;
  }

  F v_;
  uint64_t up_odd_, lo_odd_;
  int up_t_, lo_t_;
};

/// PostgreSQL's text of a float (shortest digits, fixed or exponential layout).
template <class F>
size_t format_shortest(F v, char* out) {
  if (std::isnan(v)) {
    std::memcpy(out, "NaN", 3);
    return 3;
  }
  char* p = out;
  if (std::signbit(v)) *p++ = '-';
  if (std::isinf(v)) {
    std::memcpy(p, "Infinity", 8);
    return size_t(p + 8 - out);
  }
  if (v == 0) {
    *p++ = '0';
    return size_t(p - out);
  }
  const decimal d = shortest_digits<F>(std::fabs(v)).get();
  char digits[24] = {};
  const int n = int(std::to_chars(digits, digits + sizeof digits, d.digits).ptr - digits);
  const int x = d.exp + n - 1;  // decimal exponent of the first digit
  if (x < -4 || x >= fp_traits<F>::fixed_limit) {
    *p++ = digits[0];
    if (n > 1) {
      *p++ = '.';
      std::memcpy(p, digits + 1, size_t(n - 1));
      p += n - 1;
    }
    *p++ = 'e';
    *p++ = x < 0 ? '-' : '+';
    const int ax = x < 0 ? -x : x;
    if (ax < 10) *p++ = '0';
    p = std::to_chars(p, p + 4, ax).ptr;
  } else if (x < 0) {
    *p++ = '0';
    *p++ = '.';
    for (int i = 0; i < -x - 1; ++i) *p++ = '0';
    std::memcpy(p, digits, size_t(n));
    p += n;
  } else if (n <= x + 1) {
    std::memcpy(p, digits, size_t(n));
    p += n;
    for (int i = n; i < x + 1; ++i) *p++ = '0';
  } else {
    std::memcpy(p, digits, size_t(x + 1));
    p += x + 1;
    *p++ = '.';
    std::memcpy(p, digits + x + 1, size_t(n - x - 1));
    p += n - x - 1;
  }
  return size_t(p - out);
}

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

template <class F>
F parse_float(std::string_view text, const char* type_name) {
  const char* p = text.data();
  const char* e = p + text.size();
  while (p < e && is_space(*p)) ++p;
  while (e > p && is_space(e[-1])) --e;
  const std::string_view body(p, size_t(e - p));
  auto syntax = [&]() -> db_error {
    return db_error(sqlstate::invalid_text_representation,
                    std::string("invalid input syntax for type ") + type_name + ": \"" + std::string(text) + "\"");
  };
  if (body.empty()) throw syntax();
  bool neg = false;
  std::string_view num = body;
  if (num[0] == '+' || num[0] == '-') {
    neg = num[0] == '-';
    num.remove_prefix(1);
  }
  if (num.empty() || num[0] == '+' || num[0] == '-') throw syntax();
  if (iequals(num, "nan")) return F(NAN);  // glibc's strtod also takes "-nan" and "+nan"
  if (iequals(num, "infinity") || iequals(num, "inf")) return neg ? -F(INFINITY) : F(INFINITY);
  F v = 0;
  std::from_chars_result r;
  if (num.size() > 2 && num[0] == '0' && (num[1] == 'x' || num[1] == 'X')) {
    // glibc's strtod (used by PostgreSQL) accepts hexadecimal floats
    num.remove_prefix(2);
    if (num.empty() || num[0] == '+' || num[0] == '-') throw syntax();
    r = std::from_chars(num.data(), num.data() + num.size(), v, std::chars_format::hex);
  } else {
    r = std::from_chars(num.data(), num.data() + num.size(), v, std::chars_format::general);
  }
  if (r.ec == std::errc::invalid_argument) throw syntax();
  // PostgreSQL checks strtod's ERANGE before trailing garbage and names only the number
  if (r.ec == std::errc::result_out_of_range)
    throw db_error(sqlstate::numeric_value_out_of_range, "\"" + std::string(body.data(), size_t(r.ptr - body.data())) +
                                                             "\" is out of range for type " + type_name);
  if (r.ptr != num.data() + num.size()) throw syntax();
  if (std::isnan(v)) return F(NAN);  // "nan(...)", as strtod
  return neg ? -v : v;
}

}  // namespace

size_t format_float8(double d, char* out) { return format_shortest(d, out); }

std::string format_float8(double d) {
  char buf[float_text_max];
  return std::string(buf, format_float8(d, buf));
}

size_t format_float4(float f, char* out) { return format_shortest(f, out); }

std::string format_float4(float f) {
  char buf[float_text_max];
  return std::string(buf, format_float4(f, buf));
}

double parse_float64(std::string_view text) { return parse_float<double>(text, "double precision"); }

float parse_float32(std::string_view text) { return parse_float<float>(text, "real"); }

}  // namespace db001
