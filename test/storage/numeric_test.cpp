// Tests of the exact decimal library (storage/numeric.h). Expected values come from
// PostgreSQL 15 or from Python's decimal module (ROUND_HALF_UP) where noted.
#include "storage/numeric.h"

#include <boost/test/unit_test.hpp>
#include <random>
#include <string>

#include "test/storage/db_error_capture.h"

using namespace db001;
using db001::test::code_of;
using db001::test::message_of;

namespace {

/// int128 from decimal digits (test helper; no validation).
int128_t i128(std::string_view s) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  int128_t v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return neg ? -v : v;
}

std::string fmt(numeric_value v) { return format_numeric(v.unscaled, v.scale); }

}  // namespace

BOOST_AUTO_TEST_SUITE(numeric)

BOOST_AUTO_TEST_CASE(pow10_table) {
  BOOST_TEST(numeric_pow10(0) == 1);
  BOOST_TEST(numeric_pow10(18) == int128_t(1000000000000000000LL));
  BOOST_TEST(format_numeric(numeric_pow10(38), 0) == "1" + std::string(38, '0'));
  BOOST_TEST(numeric_in_range(numeric_pow10(38) - 1));
  BOOST_TEST(!numeric_in_range(numeric_pow10(38)));
  BOOST_TEST(!numeric_in_range(-numeric_pow10(38)));
}

BOOST_AUTO_TEST_CASE(parse_natural_scale) {
  // PostgreSQL: '1e-3'::numeric, '1.5e3', '.5', '5.', '-0.000', ' +1.50 '
  BOOST_TEST(fmt(parse_numeric("1e-3")) == "0.001");
  BOOST_TEST(fmt(parse_numeric("1.5e3")) == "1500");
  BOOST_TEST(fmt(parse_numeric(".5")) == "0.5");
  BOOST_TEST(fmt(parse_numeric("5.")) == "5");
  BOOST_TEST(fmt(parse_numeric("-0.000")) == "0.000");
  BOOST_TEST(fmt(parse_numeric(" +1.50 ")) == "1.50");
  BOOST_TEST(fmt(parse_numeric("\t-12.5E+1\n")) == "-125");
  BOOST_TEST(fmt(parse_numeric("0e200000")) == "0");
  BOOST_TEST(fmt(parse_numeric("00012.3400")) == "12.3400");
  BOOST_TEST((parse_numeric("12.50") == numeric_value{1250, 2}));
  BOOST_TEST((parse_numeric("-1.5e-2") == numeric_value{-15, 3}));
  const std::string nines38(38, '9');
  BOOST_TEST(fmt(parse_numeric(nines38)) == nines38);
  BOOST_TEST(fmt(parse_numeric("-" + nines38)) == "-" + nines38);
  BOOST_TEST(fmt(parse_numeric("0." + nines38)) == "0." + nines38);
}

BOOST_AUTO_TEST_CASE(parse_scale_reduced_beyond_38_digits) {
  // 40 fraction digits: rounded to 38 (deviation: PostgreSQL keeps them all)
  BOOST_TEST(fmt(parse_numeric("0.1234567890123456789012345678901234567890")) ==
             "0.12345678901234567890123456789012345679");
  // integer digits take precedence over fraction digits
  BOOST_TEST(fmt(parse_numeric("12345678901234567890.1234567890123456789012345")) ==
             "12345678901234567890.123456789012345679");
  // rounding carries into a 39th digit: one more fraction digit is dropped
  BOOST_TEST(fmt(parse_numeric("9.99999999999999999999999999999999999999")) == "10." + std::string(36, '0'));
  // tiny values underflow to zero at scale 38
  BOOST_TEST(fmt(parse_numeric("1e-50")) == "0." + std::string(38, '0'));
}

BOOST_AUTO_TEST_CASE(parse_malformed) {
  for (std::string bad : {"",    "-",   "+",    ".",     "1e",   "1e+",   "1.2.3", "abc", " ",    "   ", "1 2",
                          "++1", "--1", "0x10", "1_000", "+NaN", "1e5.5", "e5",    "1,5", "1.5x", "- 1"}) {
    BOOST_TEST_CONTEXT("input '" << bad << "'") {
      BOOST_TEST(code_of([&] { parse_numeric(bad); }) == "22P02");
      BOOST_TEST(code_of([&] { parse_numeric(bad, 10, 2); }) == "22P02");
    }
  }
  BOOST_TEST(code_of([] {
               parse_numeric(
                   std::string("1\0"
                               "2",
                               3));
             }) == "22P02");
  BOOST_TEST(code_of([] { parse_numeric(std::string("12\0", 3)); }) == "22P02");
  BOOST_TEST(message_of([] { parse_numeric("abc"); }) == "invalid input syntax for type numeric: \"abc\"");
  BOOST_TEST(message_of([] { parse_numeric(" 1x "); }) == "invalid input syntax for type numeric: \" 1x \"");
  // values PostgreSQL has but int128 cannot hold
  BOOST_TEST(code_of([] { parse_numeric("NaN"); }) == "0A000");
  BOOST_TEST(code_of([] { parse_numeric(" infinity "); }) == "0A000");
  BOOST_TEST(code_of([] { parse_numeric("-Inf"); }) == "0A000");
}

BOOST_AUTO_TEST_CASE(parse_overflow) {
  const std::string nines39(39, '9');
  BOOST_TEST(code_of([&] { parse_numeric(nines39); }) == "22003");
  BOOST_TEST(message_of([&] { parse_numeric(nines39); }) == "value overflows numeric format");
  BOOST_TEST(code_of([] { parse_numeric("1e38"); }) == "22003");
  BOOST_TEST(code_of([] { parse_numeric("1e200000"); }) == "22003");
  BOOST_TEST(code_of([] { parse_numeric("1" + std::string(5000, '0')); }) == "22003");
  BOOST_TEST(fmt(parse_numeric("1e37")) == "1" + std::string(37, '0'));
  // rounding 38 nines + .5 carries to 10^38
  BOOST_TEST(code_of([] { parse_numeric(std::string(38, '9') + ".5"); }) == "22003");
}

BOOST_AUTO_TEST_CASE(parse_typmod) {
  // PostgreSQL: 1000.00::numeric(5,2) -> numeric field overflow; 0.125 -> 0.13; -0.125 -> -0.13
  BOOST_TEST(code_of([] { parse_numeric("1000.00", 5, 2); }) == "22003");
  BOOST_TEST(message_of([] { parse_numeric("1000.00", 5, 2); }) == "numeric field overflow");
  try {
    parse_numeric("1000.00", 5, 2);
  } catch (const db_error& e) {
    BOOST_TEST(e.detail() == "A field with precision 5, scale 2 must round to an absolute value less than 10^3.");
  }
  try {
    parse_numeric("1.00", 2, 2);
  } catch (const db_error& e) {
    BOOST_TEST(e.detail() == "A field with precision 2, scale 2 must round to an absolute value less than 1.");
  }
  try {
    numeric_from_double(INFINITY, 10, 2);
  } catch (const db_error& e) {
    BOOST_TEST(e.detail() == "A field with precision 10, scale 2 cannot hold an infinite value.");
  }
  BOOST_TEST(code_of([] { parse_numeric("999.995", 5, 2); }) == "22003");
  BOOST_TEST(parse_numeric("999.994", 5, 2) == 99999);
  BOOST_TEST(parse_numeric("999.99", 5, 2) == 99999);
  BOOST_TEST(parse_numeric("-999.99", 5, 2) == -99999);
  BOOST_TEST(parse_numeric("0.125", 5, 2) == 13);
  BOOST_TEST(parse_numeric("-0.125", 5, 2) == -13);
  BOOST_TEST(parse_numeric("0.124999999", 5, 2) == 12);
  BOOST_TEST(parse_numeric("0.99", 2, 2) == 99);
  BOOST_TEST(code_of([] { parse_numeric("1.00", 2, 2); }) == "22003");
  BOOST_TEST(code_of([] { parse_numeric("0.995", 2, 2); }) == "22003");
  BOOST_TEST(parse_numeric("1e-2000", 5, 2) == 0);
  BOOST_TEST(parse_numeric("1.5e2", 5, 2) == 15000);
  BOOST_TEST(parse_numeric("12", 5, 0) == 12);
  BOOST_TEST(parse_numeric("12.5", 5, 0) == 13);
  BOOST_TEST(parse_numeric("-12.5", 5, 0) == -13);
  // long inputs: only the digit after the rounding position matters
  BOOST_TEST(parse_numeric("1." + std::string(100, '5'), 5, 2) == 156);
  BOOST_TEST(parse_numeric("0." + std::string(100, '0') + "1", 10, 2) == 0);
  BOOST_TEST(parse_numeric("-0.005", 10, 2) == -1);
  // no precision: fixed scale only
  BOOST_TEST(parse_numeric("123456789012345678901234567890.5", -1, 0) == i128("123456789012345678901234567891"));
  BOOST_TEST(code_of([] { parse_numeric("1e36", -1, 3); }) == "22003");
}

BOOST_AUTO_TEST_CASE(format) {
  BOOST_TEST(format_numeric(150, 2) == "1.50");
  BOOST_TEST(format_numeric(-5, 2) == "-0.05");
  BOOST_TEST(format_numeric(0, 0) == "0");
  BOOST_TEST(format_numeric(0, 3) == "0.000");
  BOOST_TEST(format_numeric(12345, 0) == "12345");
  BOOST_TEST(format_numeric(-12345, 1) == "-1234.5");
  BOOST_TEST(format_numeric(1, 38) == "0." + std::string(37, '0') + "1");
  BOOST_TEST(format_numeric(numeric_limit - 1, 0) == std::string(38, '9'));
  BOOST_TEST(format_numeric(-(numeric_limit - 1), 38) == "-0." + std::string(38, '9'));
  BOOST_TEST(format_numeric(i128("10000000000000000000"), 0) == "10000000000000000000");  // chunk boundary
  BOOST_TEST(format_numeric(i128("10000000000000000000000000000000000000"), 19) ==
             "1000000000000000000.0000000000000000000");
  char buf[numeric_text_max];
  const size_t n = format_numeric(-(numeric_limit - 1), 20, buf);
  BOOST_TEST(std::string(buf, n) == "-" + std::string(18, '9') + "." + std::string(20, '9'));
}

BOOST_AUTO_TEST_CASE(round_trip_random) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    const int digits = int(rng() % 39);  // 0..38
    using u128 = unsigned __int128;
    const u128 m = (u128(rng()) << 64) | rng();
    int128_t v = digits == 0 ? 0 : int128_t(m % u128(numeric_pow10(digits)));
    if (rng() & 1) v = -v;
    const int scale = int(rng() % 39);
    const std::string text = format_numeric(v, scale);
    const numeric_value back = parse_numeric(text);
    BOOST_TEST_REQUIRE((back == numeric_value{v, scale}), text);
    BOOST_TEST_REQUIRE(parse_numeric(text, 38, scale) == v, text);
    // compare agrees with equality across scales
    if (scale < 38 && digits < 38) BOOST_TEST_REQUIRE(numeric_cmp(v, scale, v * 10, scale + 1) == 0);
  }
}

BOOST_AUTO_TEST_CASE(rescale_and_typmod) {
  BOOST_TEST(numeric_rescale(12345, 3, 2) == 1235);
  BOOST_TEST(numeric_rescale(-12345, 3, 2) == -1235);
  BOOST_TEST(numeric_rescale(-12344, 3, 2) == -1234);
  BOOST_TEST(numeric_rescale(15, 1, 3) == 1500);
  BOOST_TEST(numeric_rescale(5, 0, 37) == 5 * numeric_pow10(37));
  BOOST_TEST(code_of([] { numeric_rescale(10, 0, 37); }) == "22003");
  BOOST_TEST(code_of([] { numeric_rescale(1, 0, 40); }) == "22003");
  BOOST_TEST(numeric_rescale(0, 0, 60) == 0);
  BOOST_TEST(numeric_rescale(numeric_limit - 1, 38, 0) == 1);
  BOOST_TEST(numeric_div_pow10_round(numeric_limit - 1, 39) == 0);
  BOOST_TEST(numeric_apply_typmod(12345, 3, 5, 2) == 1235);
  BOOST_TEST(numeric_apply_typmod(15, 1, 5, 2) == 150);
  BOOST_TEST(code_of([] { numeric_apply_typmod(100000, 2, 5, 2); }) == "22003");
  BOOST_TEST(code_of([] { numeric_apply_typmod(1000, 0, 5, 2); }) == "22003");
  BOOST_TEST(numeric_apply_typmod(999, 0, 5, 2) == 99900);
  BOOST_TEST(code_of([] { numeric_apply_typmod(1, 0, 3, 3); }) == "22003");
  BOOST_TEST(numeric_apply_typmod(0, 0, 3, 3) == 0);
  BOOST_TEST(code_of([] { numeric_apply_typmod(numeric_limit - 1, 0, 38, 2); }) == "22003");
  BOOST_TEST(message_of([] { numeric_apply_typmod(numeric_limit - 1, 0, 38, 2); }) == "numeric field overflow");
  BOOST_TEST(numeric_digits(0) == 0);
  BOOST_TEST(numeric_digits(9) == 1);
  BOOST_TEST(numeric_digits(-10) == 2);
  BOOST_TEST(numeric_digits(numeric_limit - 1) == 38);
}

BOOST_AUTO_TEST_CASE(add_sub) {
  BOOST_TEST(numeric_add(15, 1, 25, 2) == 175);  // 1.5 + 0.25 = 1.75
  BOOST_TEST(numeric_sub(15, 1, 25, 2) == 125);
  BOOST_TEST(numeric_sub(25, 2, 15, 1) == -125);
  BOOST_TEST(numeric_add_scale(1, 2) == 2);
  BOOST_TEST(numeric_add_same_scale(numeric_limit - 2, 1) == numeric_limit - 1);
  BOOST_TEST(code_of([] { numeric_add_same_scale(numeric_limit - 1, 1); }) == "22003");
  BOOST_TEST(code_of([] { numeric_sub_same_scale(-(numeric_limit - 1), 1); }) == "22003");
  BOOST_TEST(code_of([] { numeric_add_same_scale(numeric_limit - 1, numeric_limit - 1); }) == "22003");
  BOOST_TEST(message_of([] { numeric_add_same_scale(numeric_limit - 1, 1); }) == "value overflows numeric format");
  // aligning scales overflows: 10^37 at scale 0 plus something at scale 2
  BOOST_TEST(code_of([] { numeric_add(numeric_pow10(37), 0, 1, 2); }) == "22003");
}

BOOST_AUTO_TEST_CASE(mul) {
  BOOST_TEST(numeric_mul(15, 1, 25, 2) == 375);  // 1.5 * 0.25 = 0.375
  BOOST_TEST(numeric_mul(-15, 1, 25, 2) == -375);
  BOOST_TEST(numeric_mul(0, 5, -25, 2) == 0);
  BOOST_TEST(numeric_mul_scale(2, 2) == 4);
  BOOST_TEST(numeric_mul_scale(20, 20) == 24);
  BOOST_TEST(numeric_mul_scale(30, 2) == 30);
  // 1/3 * 2/3 at scale 20 each: rounded to 24 digits (Python decimal, ROUND_HALF_UP)
  BOOST_TEST(format_numeric(numeric_mul(i128("33333333333333333333"), 20, i128("66666666666666666667"), 20), 24) ==
             "0.222222222222222222221111");
  // 256-bit intermediate then rounding
  const int128_t a = i128("12345678901234567890123456789"), b = i128("98765432109876543");
  BOOST_TEST(format_numeric(numeric_mul(a, 9, b, 27), 27) == "1219326311.370217949657064494964487123");
  BOOST_TEST(format_numeric(numeric_mul(-a, 9, b, 27), 27) == "-1219326311.370217949657064494964487123");
  // explicit result scale above the natural one
  BOOST_TEST(numeric_mul(15, 1, 2, 0, 3) == 3000);
  // overflow
  BOOST_TEST(code_of([] { numeric_mul(numeric_pow10(19), 0, numeric_pow10(19), 0); }) == "22003");
  BOOST_TEST(numeric_mul(numeric_pow10(19), 0, numeric_pow10(18), 0) == numeric_pow10(37));
  BOOST_TEST(code_of([&] { numeric_mul(a, 9, b * 100, 2); }) == "22003");
}

BOOST_AUTO_TEST_CASE(div) {
  BOOST_TEST(numeric_div_scale(0, 0) == 16);
  BOOST_TEST(numeric_div_scale(2, 20) == 20);
  BOOST_TEST(numeric_div(1, 0, 3, 0, 16) == 3333333333333333);
  BOOST_TEST(numeric_div(2, 0, 3, 0, 16) == 6666666666666667);
  BOOST_TEST(numeric_div(-2, 0, 3, 0, 16) == -6666666666666667);
  BOOST_TEST(numeric_div(2, 0, -3, 0, 16) == -6666666666666667);
  BOOST_TEST(numeric_div(0, 0, -3, 0, 16) == 0);
  BOOST_TEST(numeric_div(75, 1, 25, 1, 0) == 3);
  BOOST_TEST(numeric_div(1, 0, 8, 0, 2) == 13);  // 0.125 -> 0.13
  BOOST_TEST(code_of([] { numeric_div(1, 0, 0, 0, 16); }) == "22012");
  BOOST_TEST(message_of([] { numeric_div(1, 0, 0, 3, 16); }) == "division by zero");
  // PostgreSQL's value-dependent scale: 1/3 -> 20, 10/3 -> 16, 100000/3 -> 12
  BOOST_TEST(numeric_select_div_scale(1, 0, 3, 0) == 20);
  BOOST_TEST(numeric_select_div_scale(10, 0, 3, 0) == 16);
  BOOST_TEST(numeric_select_div_scale(100000, 0, 3, 0) == 12);
  // PostgreSQL: 1/3::numeric = 0.33333333333333333333, 100000/3::numeric = 33333.333333333333
  BOOST_TEST(format_numeric(numeric_div(1, 0, 3, 0, 20), 20) == "0.33333333333333333333");
  BOOST_TEST(format_numeric(numeric_div(100000, 0, 3, 0, 12), 12) == "33333.333333333333");
  // PostgreSQL: 1.0/3.00000000000000000000001 = 0.33333333333333333333333
  const int128_t b = i128("300000000000000000000001");
  const int rs = numeric_select_div_scale(10, 1, b, 23);
  BOOST_TEST(rs == 23);
  BOOST_TEST(format_numeric(numeric_div(10, 1, b, 23, rs), rs) == "0.33333333333333333333333");
  // dividend beyond 128 bits: 10^30 / (7*10^20) at scale 16 (Python decimal)
  BOOST_TEST(format_numeric(numeric_div(numeric_pow10(30), 0, 7 * numeric_pow10(20), 0, 16), 16) ==
             "1428571428.5714285714285714");
  // divisor scaled beyond 128 bits: result scale below the operand scales
  BOOST_TEST(numeric_div(numeric_pow10(37), 38, numeric_pow10(37), 38, 0) == 1);
  BOOST_TEST(code_of([] { numeric_div(numeric_limit - 1, 0, 7, 19, 16); }) == "22003");
  BOOST_TEST(code_of([] { numeric_div(numeric_limit - 1, 0, 1, 38, 38); }) == "22003");
}

BOOST_AUTO_TEST_CASE(mod) {
  // PostgreSQL: mod(-7.5, 2) = -1.5, 7.5 % -2 = 1.5
  BOOST_TEST(numeric_mod(75, 1, 2, 0) == 15);
  BOOST_TEST(numeric_mod(-75, 1, 2, 0) == -15);
  BOOST_TEST(numeric_mod(75, 1, -2, 0) == 15);
  BOOST_TEST(numeric_mod(7, 0, 25, 2) == 0);  // 7 = 28 * 0.25
  BOOST_TEST(numeric_mod(7, 0, 3, 1) == 1);   // 7 - 23 * 0.3 = 0.1
  BOOST_TEST(numeric_mod(7, 0, 3, 0) == 1);
  BOOST_TEST(code_of([] { numeric_mod(7, 0, 0, 2); }) == "22012");
  // 10^37 % 0.3: scaled dividend 10^38 exceeds the 38-digit range but the remainder fits
  BOOST_TEST(numeric_mod(numeric_pow10(37), 0, 3, 1) == 1);
  // (10^38 - 1) % 7e-20: 256-bit dividend (Python: (10**38-1)*10**20 % 7 = 2)
  BOOST_TEST(numeric_mod(numeric_limit - 1, 0, 7, 20) == 2);
}

BOOST_AUTO_TEST_CASE(compare) {
  BOOST_TEST(numeric_cmp(15, 1, 150, 2) == 0);
  BOOST_TEST(numeric_cmp(15, 1, 151, 2) == -1);
  BOOST_TEST(numeric_cmp(-15, 1, -151, 2) == 1);
  BOOST_TEST(numeric_cmp(-1, 0, 5, 1) == -1);
  BOOST_TEST(numeric_cmp(0, 0, 0, 5) == 0);
  BOOST_TEST(numeric_cmp(0, 0, -1, 38) == 1);
  // needs 256 bits: 10^37 vs 0.999... (38 nines at scale 38)
  BOOST_TEST(numeric_cmp(numeric_pow10(37), 0, numeric_limit - 1, 38) == 1);
  BOOST_TEST(numeric_cmp(-(numeric_limit - 1), 0, -(numeric_limit - 1), 38) == -1);
  BOOST_TEST(numeric_cmp(numeric_limit - 1, 38, numeric_limit - 1, 37) == -1);
}

BOOST_AUTO_TEST_CASE(round_trunc_ceil_floor_sign) {
  // PostgreSQL: round(1.5, 3) = 1.500, round(1234.5, -2) = 1200, trunc(-1.59, 1) = -1.5,
  // sign(-1.50) = -1, ceil(-1.5) = -1, floor(-1.5) = -2, round(-2.5) = -3
  BOOST_TEST(numeric_round(15, 1, 3) == 1500);
  BOOST_TEST(numeric_round(12345, 1, -2) == 1200);
  BOOST_TEST(numeric_round(12355, 1, -1) == 1240);
  BOOST_TEST(numeric_round(-25, 1, 0) == -3);
  BOOST_TEST(numeric_round(25, 1, 0) == 3);
  BOOST_TEST(numeric_round(1234, 3, 2) == 123);
  BOOST_TEST(numeric_round(1235, 3, 2) == 124);
  BOOST_TEST(numeric_round(5, 0, -1) == 10);
  BOOST_TEST(numeric_round(5, 0, -50) == 0);
  BOOST_TEST(numeric_trunc(-159, 2, 1) == -15);
  BOOST_TEST(numeric_trunc(159, 2, 0) == 1);
  BOOST_TEST(numeric_trunc(12345, 1, -2) == 1200);
  BOOST_TEST(numeric_trunc(15, 1, 3) == 1500);
  BOOST_TEST(numeric_ceil(-15, 1) == -1);
  BOOST_TEST(numeric_ceil(15, 1) == 2);
  BOOST_TEST(numeric_ceil(20, 1) == 2);
  BOOST_TEST(numeric_floor(-15, 1) == -2);
  BOOST_TEST(numeric_floor(15, 1) == 1);
  BOOST_TEST(numeric_floor(-20, 1) == -2);
  BOOST_TEST(numeric_sign(-150) == -1);
  BOOST_TEST(numeric_sign(0) == 0);
  BOOST_TEST(numeric_abs(-150) == 150);
  BOOST_TEST(numeric_neg(-(numeric_limit - 1)) == numeric_limit - 1);
}

BOOST_AUTO_TEST_CASE(to_and_from_double) {
  BOOST_TEST(numeric_to_double(1, 1) == 0.1);
  BOOST_TEST(numeric_to_double(-15, 1) == -1.5);
  BOOST_TEST(numeric_to_double(0, 5) == 0.0);
  BOOST_TEST(numeric_to_double(i128("12345678901234567890123456789"), 10) == 1234567890123456789.0123456789);
  BOOST_TEST(numeric_to_double(numeric_limit - 1, 38) == 1.0);
  BOOST_TEST(numeric_to_double(1, 38) == 1e-38);
  BOOST_TEST(numeric_to_float(1, 1) == 0.1f);
  BOOST_TEST(numeric_to_float(numeric_limit - 1, 0) == 1e38f);
  // PostgreSQL: 1e-20::float8::numeric = 0.00000000000000000001, 1e20 -> 100000000000000000000,
  // 123456789.123::float8::numeric(20,5) = 123456789.12300, 0.1::float4::numeric = 0.1
  BOOST_TEST(fmt(numeric_from_double(1e-20)) == "0.00000000000000000001");
  BOOST_TEST(fmt(numeric_from_double(1e20)) == "100000000000000000000");
  BOOST_TEST(fmt(numeric_from_double(0.1)) == "0.1");
  BOOST_TEST(fmt(numeric_from_double(1.0 / 3.0)) == "0.333333333333333");
  BOOST_TEST(fmt(numeric_from_double(-2.5)) == "-2.5");
  BOOST_TEST(fmt(numeric_from_double(0.0)) == "0");
  BOOST_TEST(format_numeric(numeric_from_double(123456789.123, 20, 5), 5) == "123456789.12300");
  BOOST_TEST(numeric_from_double(2.675, 5, 2) == 268);  // "2.675" at 15 digits, then half up
  BOOST_TEST(fmt(numeric_from_float(0.1f)) == "0.1");
  BOOST_TEST(fmt(numeric_from_float(1e-20f)) == "0.00000000000000000001");
  BOOST_TEST(fmt(numeric_from_float(16777217.0f)) == "16777200");
  BOOST_TEST(numeric_from_float(1.5f, 3, 0) == 2);
  BOOST_TEST(code_of([] { numeric_from_double(NAN); }) == "0A000");
  BOOST_TEST(code_of([] { numeric_from_double(INFINITY); }) == "22003");
  BOOST_TEST(message_of([] { numeric_from_double(INFINITY); }) == "cannot convert infinity to numeric");
  BOOST_TEST(message_of([] { numeric_from_double(INFINITY, 10, 2); }) == "numeric field overflow");
  BOOST_TEST(code_of([] { numeric_from_double(1e300); }) == "22003");
  BOOST_TEST(code_of([] { numeric_from_double(1000.0, 5, 2); }) == "22003");
  BOOST_TEST(code_of([] { numeric_from_float(-INFINITY, 5, 2); }) == "22003");
}

BOOST_AUTO_TEST_CASE(to_and_from_int) {
  // PostgreSQL: 2.5::numeric::int = 3, -2.5::numeric::int = -3
  BOOST_TEST(numeric_to_int64(25, 1, type_id::int32) == 3);
  BOOST_TEST(numeric_to_int64(-25, 1, type_id::int32) == -3);
  BOOST_TEST(numeric_to_int64(24, 1, type_id::int32) == 2);
  BOOST_TEST(numeric_to_int64(21474836474, 1, type_id::int32) == 2147483647);
  BOOST_TEST(code_of([] { numeric_to_int64(21474836475, 1, type_id::int32); }) == "22003");
  BOOST_TEST(message_of([] { numeric_to_int64(21474836475, 1, type_id::int32); }) == "integer out of range");
  BOOST_TEST(numeric_to_int64(-327684, 1, type_id::int16) == -32768);
  BOOST_TEST(message_of([] { numeric_to_int64(-327685, 1, type_id::int16); }) == "smallint out of range");
  BOOST_TEST(numeric_to_int64(int128_t(INT64_MIN), 0) == INT64_MIN);
  BOOST_TEST(message_of([] { numeric_to_int64(int128_t(INT64_MIN) - 1, 0); }) == "bigint out of range");
  BOOST_TEST(message_of([] { numeric_to_int64(numeric_limit - 1, 0); }) == "bigint out of range");
  BOOST_TEST(numeric_to_int64(numeric_limit - 1, 38) == 1);
  BOOST_TEST(numeric_from_int64(5, 3, 2) == 500);
  BOOST_TEST(numeric_from_int64(INT64_MIN, -1, 0) == int128_t(INT64_MIN));
  BOOST_TEST(numeric_from_int64(INT64_MAX, 38, 19) == int128_t(INT64_MAX) * numeric_pow10(19));
  BOOST_TEST(code_of([] { numeric_from_int64(1000, 5, 2); }) == "22003");
  BOOST_TEST(code_of([] { numeric_from_int64(INT64_MAX, 38, 20); }) == "22003");
}

BOOST_AUTO_TEST_SUITE_END()
