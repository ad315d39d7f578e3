// Tests of casts, text input of scalar types, float text I/O, type names and value output.
// Expected texts and errors come from PostgreSQL 15 (psql against a scratch server).
#include "storage/cast.h"

#include <bit>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "test/storage/db_error_capture.h"

using namespace db001;
using db001::test::code_of;
using db001::test::message_of;

namespace {

/// Text output of casting text `s` to `t` (explicit cast unless told).
std::string cast_text(std::string_view s, sql_type t, cast_kind k = cast_kind::explicit_) {
  return cast_value(value::text(std::string(s)), t, k).to_string();
}

std::string name_of(std::optional<sql_type> t) { return t ? t->name() : "none"; }

}  // namespace

BOOST_AUTO_TEST_SUITE(float_format)

BOOST_AUTO_TEST_CASE(float8_output_matches_postgres) {
  // select x::float8::text in PostgreSQL 15
  const std::vector<std::pair<double, const char*>> table = {
      {0.1, "0.1"},
      {1e20, "1e+20"},
      {123456789012345680000.0, "1.2345678901234568e+20"},
      {1.5, "1.5"},
      {100, "100"},
      {-0.0, "-0"},
      {0.0, "0"},
      {1e15, "1e+15"},
      {1e14, "100000000000000"},
      {999999999999999, "999999999999999"},
      {123456789012345.6, "123456789012345.6"},
      {1234567890123456.7, "1.2345678901234568e+15"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {0.000123456, "0.000123456"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {2.2250738585072014e-308, "2.2250738585072014e-308"},
      {5e-324, "5e-324"},
      {-1.5e-7, "-1.5e-07"},
      {3.141592653589793, "3.141592653589793"},
      {1e16, "1e+16"},
      {12345678901234567890.0, "1.2345678901234567e+19"},
      {0.30000000000000004, "0.30000000000000004"},
      {-123.456, "-123.456"},
      {9007199254740993.0, "9.007199254740992e+15"},
      {1e22, "1e+22"},
      {123e-20, "1.23e-18"},
      {1e100, "1e+100"},
      {-1e-100, "-1e-100"},
      {12345678901234.5, "12345678901234.5"},
      {1e-310, "1e-310"},
      // 1e23 lies exactly between two doubles; PostgreSQL's Ryu never prints such a midpoint
      {1e23, "9.999999999999999e+22"},
  };
  for (const auto& [d, text] : table) BOOST_TEST(format_float8(d) == text);
  BOOST_TEST(format_float8(NAN) == "NaN");
  BOOST_TEST(format_float8(INFINITY) == "Infinity");
  BOOST_TEST(format_float8(-INFINITY) == "-Infinity");
  char buf[float_text_max];
  BOOST_TEST(std::string(buf, format_float8(-2.2250738585072014e-308, buf)) == "-2.2250738585072014e-308");
}

BOOST_AUTO_TEST_CASE(float4_output_matches_postgres) {
  // select x::float4::text in PostgreSQL 15
  const std::vector<std::pair<float, const char*>> table = {
      {0.1f, "0.1"},
      {1e20f, "1e+20"},
      {1.5f, "1.5"},
      {100.0f, "100"},
      {-0.0f, "-0"},
      {1e6f, "1e+06"},
      {1e5f, "100000"},
      {123456.0f, "123456"},
      {1234567.0f, "1.234567e+06"},
      {999999.0f, "999999"},
      {0.0001f, "0.0001"},
      {0.00001f, "1e-05"},
      {3.4028235e38f, "3.4028235e+38"},
      {1.17549435e-38f, "1.1754944e-38"},
      {1e-45f, "1e-45"},
      {3.14159265f, "3.1415927"},
      {16777217.0f, "1.6777216e+07"},
      {0.3f, "0.3"},
      {-2.5e-5f, "-2.5e-05"},
      {12345.678f, "12345.678"},
      // shortest digits on a rounding midpoint are avoided by PostgreSQL (STRICTLY_SHORTEST 0):
      // std::to_chars would print 6.495831e+07
      {64958312.0f, "6.4958312e+07"},
      {99801593156.0f, "9.9801596e+10"},
      {4768352302.8105861f, "4.7683523e+09"},
  };
  for (const auto& [f, text] : table) BOOST_TEST(format_float4(f) == text);
  BOOST_TEST(format_float4(NAN) == "NaN");
  BOOST_TEST(format_float4(-INFINITY) == "-Infinity");
}

BOOST_AUTO_TEST_CASE(float_input) {
  BOOST_TEST(parse_float64("0.1") == 0.1);
  BOOST_TEST(parse_float64(" -1.5e3 ") == -1500.0);
  BOOST_TEST(parse_float64("+.5") == 0.5);
  BOOST_TEST(parse_float64("5.") == 5.0);
  BOOST_TEST(parse_float64("0x10") == 16.0);  // glibc strtod, as PostgreSQL on Linux
  BOOST_TEST(parse_float64("1e-310") == 1e-310);
  BOOST_TEST(std::isinf(parse_float64(" inf ")));
  BOOST_TEST(parse_float64("-INFINITY") == -INFINITY);
  BOOST_TEST(parse_float64("+Infinity") == INFINITY);
  BOOST_TEST(std::isnan(parse_float64("nan")));
  BOOST_TEST(std::isnan(parse_float64("-NaN")));
  BOOST_TEST(std::signbit(parse_float64("-0")));
  BOOST_TEST(parse_float32("0.1") == 0.1f);
  BOOST_TEST(parse_float32("1e-40") == 1e-40f);
  BOOST_TEST(message_of([] { parse_float64("1e400"); }) == "\"1e400\" is out of range for type double precision");
  BOOST_TEST(message_of([] { parse_float64(" 1e-400 "); }) == "\"1e-400\" is out of range for type double precision");
  BOOST_TEST(code_of([] { parse_float64("-1e400"); }) == "22003");
  BOOST_TEST(message_of([] { parse_float32("1e39"); }) == "\"1e39\" is out of range for type real");
  BOOST_TEST(message_of([] { parse_float32("1e-50"); }) == "\"1e-50\" is out of range for type real");
  // PostgreSQL reports strtod's ERANGE before trailing garbage, naming the number only
  BOOST_TEST(message_of([] { parse_float32("9e73-9 E"); }) == "\"9e73\" is out of range for type real");
  BOOST_TEST(message_of([] { parse_float64("abc"); }) == "invalid input syntax for type double precision: \"abc\"");
  BOOST_TEST(message_of([] { parse_float32("abc"); }) == "invalid input syntax for type real: \"abc\"");
  for (std::string bad : {"", " ", "-", "+", "1e", "1e+", "1.2.3", "abc", "- 1", "1_000", "0x", "infinityx", "--1",
                          "+-1", "1 2", "e5", ".", "0x+1", "1,5"}) {
    BOOST_TEST_CONTEXT("input '" << bad << "'") {
      BOOST_TEST(code_of([&] { parse_float64(bad); }) == "22P02");
      BOOST_TEST(code_of([&] { parse_float32(bad); }) == "22P02");
    }
  }
  BOOST_TEST(code_of([] { parse_float64(std::string("1\0", 2)); }) == "22P02");
  BOOST_TEST(code_of([] {
               parse_float64(
                   std::string("\0"
                               "1",
                               2));
             }) == "22P02");
}

BOOST_AUTO_TEST_CASE(round_trip_random) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 50000; ++i) {
    const double d = std::bit_cast<double>(rng());
    if (std::isnan(d)) continue;
    const std::string text = format_float8(d);
    BOOST_TEST_REQUIRE(std::bit_cast<uint64_t>(parse_float64(text)) == std::bit_cast<uint64_t>(d), text);
    const float f = std::bit_cast<float>(uint32_t(rng()));
    if (std::isnan(f)) continue;
    const std::string ftext = format_float4(f);
    BOOST_TEST_REQUIRE(std::bit_cast<uint32_t>(parse_float32(ftext)) == std::bit_cast<uint32_t>(f), ftext);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cast)

BOOST_AUTO_TEST_CASE(type_names_and_oids) {
  BOOST_TEST(sql_type::boolean().name() == "boolean");
  BOOST_TEST(sql_type::int16().name() == "smallint");
  BOOST_TEST(sql_type::int32().name() == "integer");
  BOOST_TEST(sql_type::int64().name() == "bigint");
  BOOST_TEST(sql_type::float32().name() == "real");
  BOOST_TEST(sql_type::float64().name() == "double precision");
  BOOST_TEST(sql_type::numeric().name() == "numeric");
  BOOST_TEST(sql_type::numeric(10, 2).name() == "numeric(10,2)");
  BOOST_TEST(sql_type::numeric(5, 0).name() == "numeric(5,0)");
  BOOST_TEST(sql_type::text().name() == "text");
  BOOST_TEST(sql_type::varchar().name() == "character varying");
  BOOST_TEST(sql_type::varchar(5).name() == "character varying(5)");
  BOOST_TEST(sql_type::bpchar(3).name() == "character(3)");
  BOOST_TEST(sql_type::bpchar().name() == "bpchar");
  BOOST_TEST(sql_type::date().name() == "date");
  BOOST_TEST(sql_type::timestamp().name() == "timestamp without time zone");
  BOOST_TEST(sql_type::unknown().name() == "unknown");
  BOOST_TEST(sql_type::null().name() == "unknown");
  const std::vector<std::pair<sql_type, uint32_t>> oids = {
      {sql_type::boolean(), 16},   {sql_type::int16(), 21},    {sql_type::int32(), 23},
      {sql_type::int64(), 20},     {sql_type::float32(), 700}, {sql_type::float64(), 701},
      {sql_type::numeric(), 1700}, {sql_type::text(), 25},     {sql_type::varchar(3), 1043},
      {sql_type::bpchar(2), 1042}, {sql_type::date(), 1082},   {sql_type::timestamp(), 1114},
      {sql_type::unknown(), 705},  {sql_type::null(), 705}};
  for (const auto& [t, oid] : oids) BOOST_TEST(t.oid() == oid, t.name());
}

BOOST_AUTO_TEST_CASE(integer_input) {
  BOOST_TEST(parse_int64(" 12 ", type_id::int32) == 12);
  BOOST_TEST(parse_int64("+5", type_id::int16) == 5);
  BOOST_TEST(parse_int64("-0") == 0);
  BOOST_TEST(parse_int64("\t\n-42\r\f\v", type_id::int64) == -42);
  BOOST_TEST(parse_int64("0000000000000000000000000000001", type_id::int16) == 1);
  BOOST_TEST(parse_int64("2147483647", type_id::int32) == INT32_MAX);
  BOOST_TEST(parse_int64("-2147483648", type_id::int32) == INT32_MIN);
  BOOST_TEST(parse_int64("-32768", type_id::int16) == INT16_MIN);
  BOOST_TEST(parse_int64("9223372036854775807") == INT64_MAX);
  BOOST_TEST(parse_int64("-9223372036854775808") == INT64_MIN);
  // PostgreSQL 15 messages
  BOOST_TEST(message_of([] { parse_int64("99999999999", type_id::int32); }) ==
             "value \"99999999999\" is out of range for type integer");
  BOOST_TEST(code_of([] { parse_int64("2147483648", type_id::int32); }) == "22003");
  BOOST_TEST(code_of([] { parse_int64("-2147483649", type_id::int32); }) == "22003");
  BOOST_TEST(message_of([] { parse_int64("32768", type_id::int16); }) ==
             "value \"32768\" is out of range for type smallint");
  BOOST_TEST(message_of([] { parse_int64("9223372036854775808"); }) ==
             "value \"9223372036854775808\" is out of range for type bigint");
  BOOST_TEST(code_of([] { parse_int64("-9223372036854775809"); }) == "22003");
  BOOST_TEST(code_of([] { parse_int64("99999999999999999999999999"); }) == "22003");
  BOOST_TEST(message_of([] { parse_int64("1.0", type_id::int32); }) ==
             "invalid input syntax for type integer: \"1.0\"");
  BOOST_TEST(message_of([] { parse_int64("", type_id::int32); }) == "invalid input syntax for type integer: \"\"");
  BOOST_TEST(message_of([] { parse_int64("x", type_id::int16); }) == "invalid input syntax for type smallint: \"x\"");
  BOOST_TEST(message_of([] { parse_int64("x", type_id::int64); }) == "invalid input syntax for type bigint: \"x\"");
  for (std::string bad :
       {"", "-", "+", "   ", "abc", "1 2", "0x10", "1e5", "1.", ".1", "--1", "+-1", "1_000", "- 1", "١"}) {
    BOOST_TEST_CONTEXT("input '" << bad << "'") {
      BOOST_TEST(code_of([&] { parse_int64(bad, type_id::int32); }) == "22P02");
    }
  }
  BOOST_TEST(code_of([] { parse_int64(std::string("12\0", 3), type_id::int32); }) == "22P02");
  BOOST_TEST(code_of([] {
               parse_int64(std::string("1\0"
                                       "2",
                                       3),
                           type_id::int32);
             }) == "22P02");
}

BOOST_AUTO_TEST_CASE(integer_ranges) {
  BOOST_TEST(check_int_range(32767, type_id::int16) == 32767);
  BOOST_TEST(message_of([] { check_int_range(32768, type_id::int16); }) == "smallint out of range");
  BOOST_TEST(message_of([] { check_int_range(int64_t(INT32_MAX) + 1, type_id::int32); }) == "integer out of range");
  BOOST_TEST(check_int_range(INT64_MIN, type_id::int64) == INT64_MIN);
  // PostgreSQL: 2.5::float8::int = 2, 3.5 -> 4, -2.5 -> -2 (rint)
  BOOST_TEST(float_to_int(2.5, type_id::int32) == 2);
  BOOST_TEST(float_to_int(3.5, type_id::int32) == 4);
  BOOST_TEST(float_to_int(-2.5, type_id::int32) == -2);
  BOOST_TEST(float_to_int(2147483647.4, type_id::int32) == INT32_MAX);
  BOOST_TEST(message_of([] { float_to_int(2147483647.5, type_id::int32); }) == "integer out of range");
  BOOST_TEST(message_of([] { float_to_int(NAN, type_id::int32); }) == "integer out of range");
  BOOST_TEST(message_of([] { float_to_int(INFINITY, type_id::int64); }) == "bigint out of range");
  BOOST_TEST(message_of([] { float_to_int(9223372036854775808.0, type_id::int64); }) == "bigint out of range");
  BOOST_TEST(float_to_int(-9223372036854775808.0, type_id::int64) == INT64_MIN);
  BOOST_TEST(message_of([] { float_to_int(-32768.6, type_id::int16); }) == "smallint out of range");
}

BOOST_AUTO_TEST_CASE(boolean_input) {
  for (std::string t : {"t", "tr", "tru", "true", "TRUE", " True ", "y", "yes", "YE", "on", "ON", "1", "yes "})
    BOOST_TEST(parse_bool(t) == true, t);
  for (std::string f : {"f", "fa", "false", "FALSE", "n", "no", "NO", "of", "off", "OFF", "0", " off"})
    BOOST_TEST(parse_bool(f) == false, f);
  for (std::string bad : {"", " ", "o", "tx", "truee", "yess", "2", "01", "10", "nope", "x", "-1", "onn", "t rue"}) {
    BOOST_TEST_CONTEXT("input '" << bad << "'") {
      BOOST_TEST(code_of([&] { parse_bool(bad); }) == "22P02");
    }
  }
  BOOST_TEST(message_of([] { parse_bool("x"); }) == "invalid input syntax for type boolean: \"x\"");
  BOOST_TEST(code_of([] { parse_bool(std::string("t\0", 2)); }) == "22P02");
}

BOOST_AUTO_TEST_CASE(string_lengths) {
  BOOST_TEST(utf8_length("héllo") == 5);
  BOOST_TEST(utf8_prefix_bytes("éèêë", 2) == 4);
  BOOST_TEST(rtrim_spaces("a  ") == "a");
  BOOST_TEST(rtrim_spaces("   ") == "");
  const sql_type vc3 = sql_type::varchar(3), ch3 = sql_type::bpchar(3);
  // PostgreSQL: insert 'abcd' into varchar(3) -> 22001; 'ab    ' stores 'ab ' (length 3)
  BOOST_TEST(message_of([&] { apply_string_length("abcd", vc3, cast_kind::assignment); }) ==
             "value too long for type character varying(3)");
  BOOST_TEST(apply_string_length("ab    ", vc3, cast_kind::assignment) == "ab ");
  BOOST_TEST(apply_string_length("abcd", vc3, cast_kind::explicit_) == "abc");
  BOOST_TEST(apply_string_length("ab", vc3, cast_kind::assignment) == "ab");
  BOOST_TEST(message_of([&] { apply_string_length("abcd", ch3, cast_kind::assignment); }) ==
             "value too long for type character(3)");
  BOOST_TEST(apply_string_length("ab    ", ch3, cast_kind::assignment) == "ab ");
  BOOST_TEST(apply_string_length("a", ch3, cast_kind::assignment) == "a  ");
  BOOST_TEST(apply_string_length("", ch3, cast_kind::implicit) == "   ");
  // multi-byte characters count once: 'éèêë'::varchar(2) = 'éè'; 'éè'::char(4) is 6 bytes
  BOOST_TEST(apply_string_length("éèêë", sql_type::varchar(2), cast_kind::explicit_) == "éè");
  BOOST_TEST(code_of([] { apply_string_length("éèêë", sql_type::varchar(3), cast_kind::assignment); }) == "22001");
  BOOST_TEST(apply_string_length("éèê", sql_type::varchar(3), cast_kind::assignment) == "éèê");
  BOOST_TEST(apply_string_length("éè", sql_type::bpchar(4), cast_kind::explicit_) == "éè  ");
  BOOST_TEST(apply_string_length("abcdef", sql_type::text(), cast_kind::assignment) == "abcdef");
  BOOST_TEST(apply_string_length("abcdef", sql_type::varchar(), cast_kind::assignment) == "abcdef");
  BOOST_TEST(apply_string_length("abc  ", sql_type::bpchar(), cast_kind::assignment) == "abc  ");
}

BOOST_AUTO_TEST_CASE(value_output) {
  BOOST_TEST(value::boolean(true).to_string() == "t");
  BOOST_TEST(value::boolean(false).to_string() == "f");
  BOOST_TEST(value::int16(-32768).to_string() == "-32768");
  BOOST_TEST(value::int64(INT64_MIN).to_string() == "-9223372036854775808");
  BOOST_TEST(value::float32(0.1f).to_string() == "0.1");
  BOOST_TEST(value::float64(1e20).to_string() == "1e+20");
  BOOST_TEST(value::numeric(150, sql_type::numeric(5, 2)).to_string() == "1.50");
  BOOST_TEST(value::numeric(-5, sql_type::numeric(-1, 2)).to_string() == "-0.05");
  BOOST_TEST(value::text("ab ", sql_type::bpchar(3)).to_string() == "ab ");
  BOOST_TEST(value::date(0).to_string() == "2000-01-01");
  BOOST_TEST(value::timestamp(1500000).to_string() == "2000-01-01 00:00:01.5");
  BOOST_TEST(value::null(sql_type::int32()).to_string() == "");
  BOOST_TEST(value().is_null());
  BOOST_TEST(value::int32(7).to_double() == 7.0);
  BOOST_TEST(value::numeric(15, sql_type::numeric(5, 1)).to_double() == 1.5);
  BOOST_TEST(value::float32(0.5f).to_double() == 0.5);
  BOOST_TEST(value::text(" 2.5 ").to_double() == 2.5);
}

BOOST_AUTO_TEST_CASE(cast_nulls) {
  const value n = cast_value(value::null(sql_type::text()), sql_type::int32(), cast_kind::explicit_);
  BOOST_TEST(n.is_null());
  BOOST_TEST(n.type().name() == "integer");
  BOOST_TEST(cast_value(value(), sql_type::date(), cast_kind::implicit).is_null());
  BOOST_TEST(cast_value(value::null(sql_type::int32()), sql_type::boolean(), cast_kind::explicit_).is_null());
}

BOOST_AUTO_TEST_CASE(cast_numbers) {
  const auto ex = cast_kind::explicit_, as = cast_kind::assignment;
  BOOST_TEST(message_of([&] { cast_value(value::int32(40000), sql_type::int16(), as); }) == "smallint out of range");
  BOOST_TEST(message_of([&] { cast_value(value::int64(int64_t(INT32_MAX) + 1), sql_type::int32(), as); }) ==
             "integer out of range");
  BOOST_TEST(cast_value(value::int64(INT32_MIN), sql_type::int32(), as).as_int() == INT32_MIN);
  BOOST_TEST(cast_value(value::int16(7), sql_type::int64(), as).type().name() == "bigint");
  BOOST_TEST(cast_value(value::float64(3.5), sql_type::int32(), as).as_int() == 4);
  BOOST_TEST(cast_value(value::float32(2.5f), sql_type::int16(), as).as_int() == 2);
  BOOST_TEST(cast_value(value::numeric(25, sql_type::numeric(3, 1)), sql_type::int32(), as).as_int() == 3);
  BOOST_TEST(cast_value(value::numeric(-25, sql_type::numeric(3, 1)), sql_type::int64(), as).as_int() == -3);
  BOOST_TEST(message_of([&] { cast_value(value::int32(1000), sql_type::numeric(5, 2), as); }) ==
             "numeric field overflow");
  BOOST_TEST(cast_value(value::int32(999), sql_type::numeric(5, 2), as).to_string() == "999.00");
  const value plain = cast_value(value::int32(42), sql_type::numeric(), ex);
  BOOST_TEST(plain.to_string() == "42");
  BOOST_TEST(plain.type().name() == "numeric");
  // PostgreSQL: 123456789.123::float8::numeric(20,5) = 123456789.12300, 0.1::float4::numeric = 0.1
  BOOST_TEST(cast_value(value::float64(123456789.123), sql_type::numeric(20, 5), ex).to_string() == "123456789.12300");
  BOOST_TEST(cast_value(value::float32(0.1f), sql_type::numeric(), ex).to_string() == "0.1");
  BOOST_TEST(cast_value(value::float64(1.0 / 3), sql_type::numeric(), ex).to_string() == "0.333333333333333");
  BOOST_TEST(cast_value(value::float64(1.0 / 3), sql_type::numeric(), ex).type().scale == 15);
  BOOST_TEST(code_of([&] { cast_value(value::float64(INFINITY), sql_type::numeric(10, 2), ex); }) == "22003");
  BOOST_TEST(cast_value(value::numeric(12345, sql_type::numeric(10, 3)), sql_type::numeric(10, 2), as).to_string() ==
             "12.35");
  BOOST_TEST(cast_value(value::numeric(12345, sql_type::numeric(10, 3)), sql_type::numeric(), as).to_string() ==
             "12.345");
  BOOST_TEST(code_of([&] {
               cast_value(value::numeric(100000, sql_type::numeric(10, 2)), sql_type::numeric(5, 2), as);
             }) == "22003");
  BOOST_TEST(cast_value(value::numeric(15, sql_type::numeric(5, 1)), sql_type::float64(), ex).as_float() == 1.5);
  BOOST_TEST(cast_value(value::numeric(1, sql_type::numeric(5, 1)), sql_type::float32(), ex).to_string() == "0.1");
  BOOST_TEST(cast_value(value::int64(INT64_MAX), sql_type::float64(), ex).to_string() == "9.223372036854776e+18");
  BOOST_TEST(cast_value(value::int32(16777217), sql_type::float32(), ex).to_string() == "1.6777216e+07");
  BOOST_TEST(cast_value(value::float32(0.1f), sql_type::float64(), ex).to_string() == "0.10000000149011612");
  BOOST_TEST(cast_value(value::float64(0.1), sql_type::float32(), as).to_string() == "0.1");
  // PostgreSQL: 1e300::float8::float4 -> value out of range: overflow; 1e-300 -> underflow
  BOOST_TEST(message_of([&] { cast_value(value::float64(1e300), sql_type::float32(), as); }) ==
             "value out of range: overflow");
  BOOST_TEST(message_of([&] { cast_value(value::float64(1e-300), sql_type::float32(), as); }) ==
             "value out of range: underflow");
  BOOST_TEST(cast_value(value::float64(INFINITY), sql_type::float32(), as).to_string() == "Infinity");
  BOOST_TEST(cast_value(value::float64(NAN), sql_type::float32(), as).to_string() == "NaN");
}

BOOST_AUTO_TEST_CASE(cast_booleans) {
  const auto ex = cast_kind::explicit_;
  // PostgreSQL: 1::bool = t, 0::bool = f, 2::bool = t, true::int = 1, 5::int8::bool -> 42846
  BOOST_TEST(cast_value(value::int32(2), sql_type::boolean(), ex).to_string() == "t");
  BOOST_TEST(cast_value(value::int32(0), sql_type::boolean(), ex).to_string() == "f");
  BOOST_TEST(cast_value(value::boolean(true), sql_type::int32(), ex).as_int() == 1);
  BOOST_TEST(message_of([&] { cast_value(value::int64(5), sql_type::boolean(), ex); }) ==
             "cannot cast type bigint to boolean");
  BOOST_TEST(code_of([&] { cast_value(value::boolean(true), sql_type::int64(), ex); }) == "42846");
  // PostgreSQL: true::text = 'true', false::varchar(3) = 'fal'
  BOOST_TEST(cast_value(value::boolean(true), sql_type::text(), ex).to_string() == "true");
  BOOST_TEST(cast_value(value::boolean(false), sql_type::varchar(3), ex).to_string() == "fal");
  BOOST_TEST(cast_text(" yes ", sql_type::boolean()) == "t");
  BOOST_TEST(code_of([] { cast_text("o", sql_type::boolean()); }) == "22P02");
}

BOOST_AUTO_TEST_CASE(cast_strings) {
  const auto ex = cast_kind::explicit_, as = cast_kind::assignment, im = cast_kind::implicit;
  // PostgreSQL: 12345::varchar(3) = '123'; insert 12345 into varchar(3) -> 22001
  BOOST_TEST(cast_value(value::int32(12345), sql_type::varchar(3), ex).to_string() == "123");
  BOOST_TEST(message_of([&] { cast_value(value::int32(12345), sql_type::varchar(3), as); }) ==
             "value too long for type character varying(3)");
  BOOST_TEST(cast_value(value::numeric(150, sql_type::numeric(5, 2)), sql_type::text(), as).to_string() == "1.50");
  BOOST_TEST(cast_value(value::float64(5.5), sql_type::text(), as).to_string() == "5.5");
  BOOST_TEST(cast_value(value::date(0), sql_type::text(), as).to_string() == "2000-01-01");
  BOOST_TEST(cast_value(value::int32(7), sql_type::bpchar(3), as).to_string() == "7  ");
  // bpchar -> text/varchar drops trailing spaces: 'a  '::char(3)::text || '|' = 'a|'
  const value ch = cast_value(value::text("a"), sql_type::bpchar(3), as);
  BOOST_TEST(ch.as_string() == "a  ");
  BOOST_TEST(cast_value(ch, sql_type::text(), im).as_string() == "a");
  BOOST_TEST(cast_value(ch, sql_type::varchar(), im).as_string() == "a");
  BOOST_TEST(cast_value(ch, sql_type::bpchar(5), im).as_string() == "a    ");
  BOOST_TEST(cast_value(ch, sql_type::bpchar(2), as).as_string() == "a ");
  BOOST_TEST(cast_value(value::text("ab    ", sql_type::varchar()), sql_type::varchar(3), as).as_string() == "ab ");
  BOOST_TEST(code_of([&] { cast_value(value::text("abcd"), sql_type::bpchar(3), as); }) == "22001");
  BOOST_TEST(cast_value(value::text("abcd"), sql_type::bpchar(3), ex).as_string() == "abc");
  // unknown literal coercion follows the context
  const value lit = value::text("abcdef", sql_type::unknown());
  BOOST_TEST(cast_value(lit, sql_type::varchar(3), ex).as_string() == "abc");
  BOOST_TEST(code_of([&] { cast_value(lit, sql_type::varchar(3), as); }) == "22001");
  BOOST_TEST(cast_value(lit, sql_type::text(), im).type().name() == "text");
}

BOOST_AUTO_TEST_CASE(cast_from_text) {
  BOOST_TEST(cast_text(" 12 ", sql_type::int32()) == "12");
  BOOST_TEST(message_of([] { cast_text("abc", sql_type::int32()); }) ==
             "invalid input syntax for type integer: \"abc\"");
  BOOST_TEST(message_of([] { cast_text("99999999999", sql_type::int32()); }) ==
             "value \"99999999999\" is out of range for type integer");
  BOOST_TEST(cast_text("1e20", sql_type::float64()) == "1e+20");
  BOOST_TEST(cast_text("1e6", sql_type::float32()) == "1e+06");
  BOOST_TEST(cast_text(" +1.50 ", sql_type::numeric()) == "1.50");
  BOOST_TEST(cast_value(value::text("1.50"), sql_type::numeric(), cast_kind::explicit_).type().scale == 2);
  BOOST_TEST(cast_text("0.125", sql_type::numeric(5, 2)) == "0.13");
  BOOST_TEST(message_of([] { cast_text("1000.00", sql_type::numeric(5, 2)); }) == "numeric field overflow");
  BOOST_TEST(message_of([] { cast_text("x", sql_type::numeric()); }) == "invalid input syntax for type numeric: \"x\"");
  BOOST_TEST(cast_text("20210315", sql_type::date()) == "2021-03-15");
  BOOST_TEST(code_of([] { cast_text("2021-02-29", sql_type::date()); }) == "22008");
  BOOST_TEST(cast_text("2021-03-15T01:02:03", sql_type::timestamp()) == "2021-03-15 01:02:03");
  BOOST_TEST(cast_value(value::text("12", sql_type::varchar(5)), sql_type::int16(), cast_kind::explicit_).as_int() ==
             12);
  BOOST_TEST(cast_value(value::text("12 ", sql_type::bpchar(3)), sql_type::int64(), cast_kind::explicit_).as_int() ==
             12);
  const value p = parse_value("42", sql_type::int64());
  BOOST_TEST(p.type().name() == "bigint");
  BOOST_TEST(p.as_int() == 42);
}

BOOST_AUTO_TEST_CASE(cast_datetime) {
  const auto ex = cast_kind::explicit_, as = cast_kind::assignment;
  const value d = value::date(parse_date("2021-03-15"));
  BOOST_TEST(cast_value(d, sql_type::timestamp(), cast_kind::implicit).to_string() == "2021-03-15 00:00:00");
  BOOST_TEST(
      cast_value(value::timestamp(parse_timestamp("1999-12-31 23:59:59.999999")), sql_type::date(), as).to_string() ==
      "1999-12-31");
  BOOST_TEST(cast_value(value::timestamp(timestamp_infinity), sql_type::date(), as).to_string() == "infinity");
  BOOST_TEST(cast_value(value::timestamp(parse_timestamp("2021-03-15 10:11:12.5")), sql_type::text(), as).to_string() ==
             "2021-03-15 10:11:12.5");
  BOOST_TEST(message_of([&] { cast_value(d, sql_type::int32(), ex); }) == "cannot cast type date to integer");
  BOOST_TEST(code_of([&] { cast_value(value::int32(1), sql_type::date(), ex); }) == "42846");
  BOOST_TEST(code_of([&] { cast_value(value::boolean(true), sql_type::timestamp(), ex); }) == "42846");
}

BOOST_AUTO_TEST_CASE(cast_contexts) {
  using k = cast_kind;
  const sql_type i2 = sql_type::int16(), i4 = sql_type::int32(), i8 = sql_type::int64(), f4 = sql_type::float32(),
                 f8 = sql_type::float64(), num = sql_type::numeric(), txt = sql_type::text(), vc = sql_type::varchar(5),
                 ch = sql_type::bpchar(3), b = sql_type::boolean(), dt = sql_type::date(), ts = sql_type::timestamp(),
                 unk = sql_type::unknown(), nul = sql_type::null();
  // pg_cast contexts of PostgreSQL 15
  BOOST_TEST(can_cast(i2, i4, k::implicit));
  BOOST_TEST(can_cast(i4, i8, k::implicit));
  BOOST_TEST(can_cast(i8, num, k::implicit));
  BOOST_TEST(can_cast(num, f4, k::implicit));
  BOOST_TEST(can_cast(i8, f4, k::implicit));
  BOOST_TEST(can_cast(f4, f8, k::implicit));
  BOOST_TEST(!can_cast(i4, i2, k::implicit));
  BOOST_TEST(can_cast(i4, i2, k::assignment));
  BOOST_TEST(!can_cast(f8, i4, k::implicit));
  BOOST_TEST(can_cast(f8, i4, k::assignment));
  BOOST_TEST(can_cast(f4, num, k::assignment));
  BOOST_TEST(!can_cast(f4, num, k::implicit));
  BOOST_TEST(can_cast(num, sql_type::numeric(5, 2), k::implicit));
  BOOST_TEST(!can_cast(txt, i4, k::assignment));
  BOOST_TEST(can_cast(txt, i4, k::explicit_));
  BOOST_TEST(can_cast(i4, txt, k::assignment));
  BOOST_TEST(!can_cast(i4, txt, k::implicit));
  BOOST_TEST(can_cast(b, txt, k::assignment));
  BOOST_TEST(can_cast(vc, txt, k::implicit));
  BOOST_TEST(can_cast(txt, vc, k::implicit));
  BOOST_TEST(can_cast(ch, vc, k::implicit));
  BOOST_TEST(can_cast(unk, dt, k::implicit));
  BOOST_TEST(can_cast(nul, b, k::implicit));
  BOOST_TEST(can_cast(dt, ts, k::implicit));
  BOOST_TEST(!can_cast(ts, dt, k::implicit));
  BOOST_TEST(can_cast(ts, dt, k::assignment));
  BOOST_TEST(!can_cast(b, i4, k::assignment));
  BOOST_TEST(can_cast(b, i4, k::explicit_));
  BOOST_TEST(can_cast(i4, b, k::explicit_));
  BOOST_TEST(!can_cast(b, i8, k::explicit_));
  BOOST_TEST(!can_cast(i2, b, k::explicit_));
  BOOST_TEST(!can_cast(dt, i4, k::explicit_));
  BOOST_TEST(!can_cast(f8, b, k::explicit_));
  BOOST_TEST(!can_cast(i4, dt, k::explicit_));
  BOOST_TEST(!can_cast(i4, unk, k::explicit_));
  BOOST_TEST((cast_context(i4, i8) == k::implicit));
  BOOST_TEST(!cast_context(dt, b).has_value());
  BOOST_TEST(message_of([&] { throw_cannot_cast(dt, b); }) == "cannot cast type date to boolean");
}

BOOST_AUTO_TEST_CASE(common_supertypes) {
  const sql_type i2 = sql_type::int16(), i4 = sql_type::int32(), i8 = sql_type::int64(), f4 = sql_type::float32(),
                 f8 = sql_type::float64(), txt = sql_type::text(), unk = sql_type::unknown(), nul = sql_type::null();
  BOOST_TEST(name_of(common_supertype(i4, i8)) == "bigint");
  BOOST_TEST(name_of(common_supertype(i8, i4)) == "bigint");
  BOOST_TEST(name_of(common_supertype(i4, sql_type::numeric(10, 2))) == "numeric");
  BOOST_TEST(common_supertype(i4, sql_type::numeric(10, 2))->scale == 2);
  // PostgreSQL: numeric UNION float4 -> real; int UNION float4 -> real
  BOOST_TEST(name_of(common_supertype(sql_type::numeric(), f4)) == "real");
  BOOST_TEST(name_of(common_supertype(i4, f4)) == "real");
  BOOST_TEST(name_of(common_supertype(f8, sql_type::numeric())) == "double precision");
  BOOST_TEST(name_of(common_supertype(f8, i2)) == "double precision");
  BOOST_TEST(!common_supertype(i4, txt).has_value());
  BOOST_TEST(!common_supertype(sql_type::boolean(), i4).has_value());
  BOOST_TEST(!common_supertype(sql_type::date(), txt).has_value());
  BOOST_TEST(name_of(common_supertype(unk, unk)) == "text");
  BOOST_TEST(name_of(common_supertype(nul, nul)) == "text");
  BOOST_TEST(name_of(common_supertype(nul, i4)) == "integer");
  BOOST_TEST(name_of(common_supertype(unk, sql_type::date())) == "date");
  // PostgreSQL: varchar UNION text -> character varying; text UNION varchar -> text;
  // char(3) UNION varchar -> character (bpchar)
  BOOST_TEST(name_of(common_supertype(sql_type::varchar(), txt)) == "character varying");
  BOOST_TEST(name_of(common_supertype(txt, sql_type::varchar())) == "text");
  BOOST_TEST(name_of(common_supertype(sql_type::bpchar(3), sql_type::varchar())) == "bpchar");
  BOOST_TEST(name_of(common_supertype(sql_type::varchar(5), sql_type::varchar(5))) == "character varying(5)");
  BOOST_TEST(name_of(common_supertype(sql_type::varchar(5), sql_type::varchar(10))) == "character varying");
  BOOST_TEST(name_of(common_supertype(sql_type::varchar(5), unk)) == "character varying");
  BOOST_TEST(name_of(common_supertype(sql_type::numeric(10, 2), sql_type::numeric(10, 2))) == "numeric(10,2)");
  BOOST_TEST(name_of(common_supertype(sql_type::date(), sql_type::timestamp())) == "timestamp without time zone");
  BOOST_TEST(name_of(common_supertype(sql_type::boolean(), unk)) == "boolean");
  const sql_type list[] = {i2, unk, i8, sql_type::numeric(5, 1), nul};
  const auto t = common_supertype(std::span<const sql_type>(list));
  BOOST_TEST(name_of(t) == "numeric");
  BOOST_TEST(t->scale == 1);
  const sql_type bad[] = {i2, unk, txt};
  BOOST_TEST(!common_supertype(std::span<const sql_type>(bad)).has_value());
  BOOST_TEST(name_of(common_supertype(std::span<const sql_type>())) == "text");
  BOOST_TEST(int(category_of(type_id::bpchar)) == int('S'));
  BOOST_TEST(is_preferred_type(type_id::float64));
  BOOST_TEST(!is_preferred_type(type_id::numeric));
}

BOOST_AUTO_TEST_SUITE_END()
