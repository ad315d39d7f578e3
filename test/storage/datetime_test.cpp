// Tests of DATE / TIMESTAMP (storage/datetime.h). Expected texts come from PostgreSQL 15.
#include "storage/datetime.h"

#include <boost/test/unit_test.hpp>
#include <random>
#include <string>

#include "test/storage/db_error_capture.h"

using namespace db001;
using db001::test::code_of;
using db001::test::message_of;

namespace {

std::string date_text(std::string_view s) { return format_date(parse_date(s)); }
std::string ts_text(std::string_view s) { return format_timestamp(parse_timestamp(s)); }
int64_t ts(std::string_view s) { return parse_timestamp(s); }
std::string extract_text(datetime_field f, std::string_view s) {
  const auto v = extract_timestamp(f, parse_timestamp(s));
  return v ? format_numeric(v->unscaled, v->scale) : "NULL";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(datetime)

BOOST_AUTO_TEST_CASE(civil_conversions) {
  BOOST_TEST(days_from_civil(2000, 1, 1) == 0);
  BOOST_TEST(days_from_civil(1970, 1, 1) == unix_epoch_date);
  BOOST_TEST(days_from_civil(2021, 3, 15) == 7744);  // Python: (date(2021,3,15)-date(2000,1,1)).days
  BOOST_TEST(days_from_civil(1, 1, 1) == -730119);
  BOOST_TEST(days_from_civil(-4713, 11, 24) == date_min);  // 4714-11-24 BC
  BOOST_TEST(days_from_civil(5874898, 1, 1) == date_end);  // PostgreSQL's DATE_END_JULIAN
  BOOST_TEST(days_from_civil(294277, 1, 1) * usecs_per_day == timestamp_end);
  BOOST_TEST(int64_t(date_min) * usecs_per_day == timestamp_min);
  BOOST_TEST((civil_from_days(0) == civil_date{2000, 1, 1}));
  BOOST_TEST((civil_from_days(-1) == civil_date{1999, 12, 31}));
  BOOST_TEST((civil_from_days(days_from_civil(2020, 2, 29)) == civil_date{2020, 2, 29}));
  BOOST_TEST((civil_from_days(date_min) == civil_date{-4713, 11, 24}));
  // every day of the valid range near the ends and a dense sample in between round-trips
  int64_t checked = 0, bad = 0;
  for (int64_t d = date_min; d < date_end; d += (d < date_min + 800000 || d > date_end - 800000) ? 1 : 997) {
    const civil_date c = civil_from_days(d);
    const bool valid = c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= days_in_month(c.year, c.month);
    if (!valid || days_from_civil(c.year, c.month, c.day) != d) ++bad;
    // consecutive days advance the calendar by exactly one day
    const civil_date n = civil_from_days(d + 1);
    if (!(n.day == c.day + 1 || (n.day == 1 && (n.month == c.month + 1 || (n.month == 1 && n.year == c.year + 1)))))
      ++bad;
    ++checked;
  }
  BOOST_TEST(checked > 3000000);
  BOOST_TEST(bad == 0);
  BOOST_TEST(is_leap_year(2000));
  BOOST_TEST(!is_leap_year(1900));
  BOOST_TEST(is_leap_year(0));  // 1 BC
  BOOST_TEST(days_in_month(2021, 2) == 28);
  BOOST_TEST(days_in_month(2024, 2) == 29);
  BOOST_TEST(date_dow(0) == 6);  // 2000-01-01 was a Saturday
  BOOST_TEST(date_dow(-1) == 5);
}

BOOST_AUTO_TEST_CASE(parse_format_date) {
  BOOST_TEST(date_text("2021-03-15") == "2021-03-15");
  BOOST_TEST(date_text("20210315") == "2021-03-15");
  BOOST_TEST(date_text("960704") == "1996-07-04");
  BOOST_TEST(date_text(" 2021-03-15 ") == "2021-03-15");
  BOOST_TEST(date_text("2021-1-5") == "2021-01-05");
  BOOST_TEST(date_text("2021/01/05") == "2021-01-05");
  BOOST_TEST(date_text("01-05-2021") == "2021-01-05");  // DateStyle MDY
  BOOST_TEST(date_text("01/05/21") == "2021-01-05");
  BOOST_TEST(date_text("epoch") == "1970-01-01");
  BOOST_TEST(date_text("infinity") == "infinity");
  BOOST_TEST(date_text("-Infinity") == "-infinity");
  BOOST_TEST(parse_date("infinity") == date_infinity);
  BOOST_TEST(parse_date("-infinity") == date_neg_infinity);
  BOOST_TEST(date_text("2021-03-15 12:34:56") == "2021-03-15");
  BOOST_TEST(date_text("2021-03-15T12:34:56.5") == "2021-03-15");
  BOOST_TEST(date_text("0001-01-01 BC") == "0001-01-01 BC");
  BOOST_TEST(date_text("0001-01-01 AD") == "0001-01-01");
  BOOST_TEST(date_text("10000-01-01") == "10000-01-01");
  BOOST_TEST(date_text("999-01-01") == "0999-01-01");
  BOOST_TEST(date_text("4714-11-24 BC") == "4714-11-24 BC");
  BOOST_TEST(date_text("5874897-12-31") == "5874897-12-31");
  BOOST_TEST(date_text("2020-02-29") == "2020-02-29");
  BOOST_TEST(parse_date("2000-01-01") == 0);
  BOOST_TEST(parse_date("1999-12-31") == -1);
  const int32_t today = parse_date("today");
  BOOST_TEST(parse_date("tomorrow") - today == 1);
  BOOST_TEST(today - parse_date("yesterday") == 1);
  BOOST_TEST(parse_date("now") == today);
  char buf[datetime_text_max];
  BOOST_TEST(std::string(buf, format_date(days_from_civil(-4713, 11, 24), buf)) == "4714-11-24 BC");
}

BOOST_AUTO_TEST_CASE(parse_date_errors) {
  // PostgreSQL 15: syntax 22007, bad field 22008, outside the Julian range 22008
  BOOST_TEST(code_of([] { parse_date("2021-13-01"); }) == "22008");
  BOOST_TEST(message_of([] { parse_date("2021-13-01"); }) == "date/time field value out of range: \"2021-13-01\"");
  BOOST_TEST(code_of([] { parse_date("2021-02-29"); }) == "22008");
  // PostgreSQL adds a DateStyle hint for an impossible month or day, not for Feb 29
  auto hint_of = [](std::string_view s) {
    try {
      parse_date(s);
    } catch (const db_error& e) {
      return e.hint();
    }
    return std::string("none");
  };
  BOOST_TEST(hint_of("2021-13-01") == "Perhaps you need a different \"datestyle\" setting.");
  BOOST_TEST(hint_of("21-01-05") == "Perhaps you need a different \"datestyle\" setting.");
  BOOST_TEST(hint_of("2021-02-29") == "");
  BOOST_TEST(message_of([] { parse_date("2021-02-29"); }) == "date/time field value out of range: \"2021-02-29\"");
  BOOST_TEST(code_of([] { parse_date("2021-04-31"); }) == "22008");
  BOOST_TEST(code_of([] { parse_date("2021-00-10"); }) == "22008");
  BOOST_TEST(code_of([] { parse_date("2021-01-00"); }) == "22008");
  BOOST_TEST(code_of([] { parse_date("0000-01-01"); }) == "22008");
  BOOST_TEST(code_of([] { parse_date("21-01-05"); }) == "22008");
  BOOST_TEST(code_of([] { parse_date("2021-03-15 25:00"); }) == "22008");
  BOOST_TEST(code_of([] { parse_date("99999999999-01-01"); }) == "22008");
  BOOST_TEST(code_of([] { parse_date("5874898-01-01"); }) == "22008");
  BOOST_TEST(message_of([] { parse_date("5874898-01-01"); }) == "date out of range: \"5874898-01-01\"");
  BOOST_TEST(message_of([] { parse_date("4714-11-23 BC"); }) == "date out of range: \"4714-11-23 BC\"");
  BOOST_TEST(message_of([] { parse_date("abc"); }) == "invalid input syntax for type date: \"abc\"");
  BOOST_TEST(message_of([] { parse_date(""); }) == "invalid input syntax for type date: \"\"");
  for (std::string bad :
       {"abc", "", "   ", "2021", "2021-", "2021-03", "2021-03-", "2021--03-01", "2021-03-15T", "2021-03-15 x",
        "2021-03/15", "2021-03-15 BCX", "2021-03-15 12", "12:00", "1e5", "2021.03.15.1"}) {
    BOOST_TEST_CONTEXT("input '" << bad << "'") {
      BOOST_TEST(code_of([&] { parse_date(bad); }) == "22007");
    }
  }
  BOOST_TEST(code_of([] { parse_date(std::string("2021-01-01\0", 11)); }) == "22007");
  BOOST_TEST(code_of([] { parse_date(std::string("2021-01\0-01", 11)); }) == "22007");
  BOOST_TEST(code_of([] { parse_date(std::string("\0", 1)); }) == "22007");
}

BOOST_AUTO_TEST_CASE(parse_format_timestamp) {
  // PostgreSQL 15 outputs
  BOOST_TEST(ts_text("2021-03-15T12:34:56.1234567") == "2021-03-15 12:34:56.123457");
  BOOST_TEST(ts_text("2021-03-15 24:00") == "2021-03-16 00:00:00");
  BOOST_TEST(ts_text("2021-03-15 23:59:60") == "2021-03-16 00:00:00");
  BOOST_TEST(ts_text("2021-03-15 12:00+02") == "2021-03-15 12:00:00");
  BOOST_TEST(ts_text("2021-03-15 12:00Z") == "2021-03-15 12:00:00");
  BOOST_TEST(ts_text("2021-03-15 12:00:00 -05:30") == "2021-03-15 12:00:00");
  BOOST_TEST(ts_text("2021-03-15 12:00:00 UTC") == "2021-03-15 12:00:00");
  BOOST_TEST(ts_text("2021-03-15 1:2:3.5") == "2021-03-15 01:02:03.5");
  BOOST_TEST(ts_text("2021-03-15 12:00:00.000001") == "2021-03-15 12:00:00.000001");
  BOOST_TEST(ts_text("2021-03-15 12:00:00.120") == "2021-03-15 12:00:00.12");
  BOOST_TEST(ts_text("2021-03-15 12:00:00.9999999") == "2021-03-15 12:00:01");
  BOOST_TEST(ts_text("2021-03-15") == "2021-03-15 00:00:00");
  // two fields with a fraction are minutes:seconds (PostgreSQL)
  BOOST_TEST(ts_text("2021-03-15 19:27.523") == "2021-03-15 00:19:27.523");
  BOOST_TEST(ts_text("2021-03-15 00:60.5") == "2021-03-15 00:01:00.5");
  BOOST_TEST(ts_text("  2021-03-15   08:09  ") == "2021-03-15 08:09:00");
  BOOST_TEST(ts_text("294276-12-31 23:59:59.999999") == "294276-12-31 23:59:59.999999");
  BOOST_TEST(ts_text("4714-11-24 00:00:00 BC") == "4714-11-24 00:00:00 BC");
  BOOST_TEST(ts_text("0001-12-31 23:59:59.5 BC") == "0001-12-31 23:59:59.5 BC");
  BOOST_TEST(ts_text("epoch") == "1970-01-01 00:00:00");
  BOOST_TEST(ts_text("infinity") == "infinity");
  BOOST_TEST(ts_text("-infinity") == "-infinity");
  BOOST_TEST(ts("2000-01-01 00:00:00") == 0);
  BOOST_TEST(ts("1999-12-31 23:59:59.999999") == -1);
  BOOST_TEST(ts("4714-11-24 00:00:00 BC") == timestamp_min);
  BOOST_TEST(ts("today") % usecs_per_day == 0);
  BOOST_TEST(ts("now") >= ts("today"));
  BOOST_TEST(ts("tomorrow") - ts("today") == usecs_per_day);
}

BOOST_AUTO_TEST_CASE(parse_timestamp_errors) {
  BOOST_TEST(message_of([] { parse_timestamp("x"); }) == "invalid input syntax for type timestamp: \"x\"");
  BOOST_TEST(code_of([] { parse_timestamp("x"); }) == "22007");
  BOOST_TEST(code_of([] { parse_timestamp("2021-03-15 25:00"); }) == "22008");
  BOOST_TEST(message_of([] { parse_timestamp("2021-03-15 12:60"); }) ==
             "date/time field value out of range: \"2021-03-15 12:60\"");
  BOOST_TEST(code_of([] { parse_timestamp("2021-03-15 24:00:01"); }) == "22008");
  BOOST_TEST(code_of([] { parse_timestamp("2021-03-15 12:00:61"); }) == "22008");
  BOOST_TEST(code_of([] { parse_timestamp("2021-03-15 123:00"); }) == "22008");
  BOOST_TEST(code_of([] { parse_timestamp("2021-03-15 00:61.5"); }) == "22008");
  BOOST_TEST(code_of([] { parse_timestamp("2021-02-30 10:00"); }) == "22008");
  BOOST_TEST(message_of([] { parse_timestamp("294277-01-01"); }) == "timestamp out of range: \"294277-01-01\"");
  BOOST_TEST(message_of([] { parse_timestamp("4714-11-23 23:59:59 BC"); }) ==
             "timestamp out of range: \"4714-11-23 23:59:59 BC\"");
  BOOST_TEST(code_of([] { parse_timestamp("5874897-12-31"); }) == "22008");
  for (std::string bad : {"", " ", "2021-03-15T", "2021-03-15 12:00 +", "2021-03-15 12:00:00.5.5",
                          "2021-03-15 12:00 junk", "2021-03-15 :00", "T12:00"}) {
    BOOST_TEST_CONTEXT("input '" << bad << "'") {
      BOOST_TEST(code_of([&] { parse_timestamp(bad); }) == "22007");
    }
  }
  BOOST_TEST(code_of([] { parse_timestamp(std::string("2021-01-01 10:00\0", 17)); }) == "22007");
}

BOOST_AUTO_TEST_CASE(round_trip_random) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    const int64_t t = int64_t(uint64_t(timestamp_min) + rng() % (uint64_t(timestamp_end) - uint64_t(timestamp_min)));
    const std::string text = format_timestamp(t);
    BOOST_TEST_REQUIRE(parse_timestamp(text) == t, text);
    const int32_t d = int32_t(date_min + int64_t(rng() % uint64_t(int64_t(date_end) - date_min)));
    const std::string dtext = format_date(d);
    BOOST_TEST_REQUIRE(parse_date(dtext) == d, dtext);
  }
}

BOOST_AUTO_TEST_CASE(arithmetic) {
  const int32_t d = parse_date("2021-01-01");
  BOOST_TEST(format_date(date_add_days(d, 59)) == "2021-03-01");
  BOOST_TEST(format_date(date_add_days(parse_date("1999-12-31"), 1)) == "2000-01-01");
  BOOST_TEST(format_date(date_add_days(d, -1)) == "2020-12-31");
  BOOST_TEST(message_of([&] { date_add_days(d, 2147483647); }) == "date out of range");
  BOOST_TEST(code_of([&] { date_add_days(d, INT64_MIN); }) == "22008");
  BOOST_TEST(code_of([&] { date_add_days(date_end - 1, 1); }) == "22008");
  BOOST_TEST(date_add_days(date_infinity, 5) == date_infinity);
  BOOST_TEST(date_sub_date(parse_date("2000-02-29"), parse_date("1999-02-28")) == 366);
  BOOST_TEST(message_of([&] { date_sub_date(date_infinity, d); }) == "cannot subtract infinite dates");
  BOOST_TEST(format_timestamp(date_to_timestamp(d)) == "2021-01-01 00:00:00");
  BOOST_TEST(date_to_timestamp(date_neg_infinity) == timestamp_neg_infinity);
  BOOST_TEST(message_of([] { date_to_timestamp(parse_date("300000-01-01")); }) == "date out of range for timestamp");
  BOOST_TEST(format_date(timestamp_to_date(ts("1999-12-31 23:59:59.999999"))) == "1999-12-31");
  BOOST_TEST(format_date(timestamp_to_date(ts("0001-01-01 12:00 BC"))) == "0001-01-01 BC");
  BOOST_TEST(timestamp_to_date(timestamp_infinity) == date_infinity);
  BOOST_TEST(format_timestamp(timestamp_add_micros(ts("2021-03-15 23:00"), 2 * usecs_per_hour)) ==
             "2021-03-16 01:00:00");
  BOOST_TEST(code_of([] { timestamp_add_micros(timestamp_end - 1, 1); }) == "22008");
  BOOST_TEST(code_of([] { timestamp_add_micros(timestamp_min, INT64_MIN); }) == "22008");
  // PostgreSQL: timestamp '2021-01-31' + interval '1 month' = 2021-02-28
  BOOST_TEST(format_timestamp(timestamp_add_months(ts("2021-01-31 10:00"), 1)) == "2021-02-28 10:00:00");
  BOOST_TEST(format_timestamp(timestamp_add_months(ts("2020-01-31"), 1)) == "2020-02-29 00:00:00");
  BOOST_TEST(format_timestamp(timestamp_add_months(ts("2021-03-31"), -13)) == "2020-02-29 00:00:00");
  BOOST_TEST(format_timestamp(timestamp_add_months(ts("0001-01-15"), -1)) == "0001-12-15 00:00:00 BC");
  BOOST_TEST(code_of([] { timestamp_add_months(ts("294276-12-01"), 1); }) == "22008");
  BOOST_TEST(timestamp_sub_timestamp(ts("2021-03-16"), ts("2021-03-15")) == usecs_per_day);
  BOOST_TEST(code_of([] { timestamp_sub_timestamp(timestamp_infinity, 0); }) == "22008");
}

BOOST_AUTO_TEST_CASE(fields) {
  const sql_type tst = sql_type::timestamp();
  BOOST_TEST(int(parse_datetime_field("YEARS", tst)) == int(datetime_field::year));
  BOOST_TEST(int(parse_datetime_field("ms", tst)) == int(datetime_field::milliseconds));
  BOOST_TEST(int(parse_datetime_field("Mon", tst)) == int(datetime_field::month));
  BOOST_TEST(int(parse_datetime_field("isodow", tst)) == int(datetime_field::isodow));
  BOOST_TEST(message_of([&] { parse_datetime_field("FOO", tst); }) ==
             "unit \"foo\" not recognized for type timestamp without time zone");
  BOOST_TEST(code_of([&] { parse_datetime_field("", tst); }) == "22023");
  BOOST_TEST(message_of([] { parse_datetime_field("x", sql_type::date()); }) ==
             "unit \"x\" not recognized for type date");
  // PostgreSQL 15 extract() results
  BOOST_TEST(extract_text(datetime_field::julian, "2021-03-15 12:00") == "2459289.50000000000000000000");
  BOOST_TEST(extract_text(datetime_field::julian, "2021-03-15") == "2459289.0000000000000000000000000000");
  BOOST_TEST(extract_text(datetime_field::second, "2021-03-15 12:34:56.123457") == "56.123457");
  BOOST_TEST(extract_text(datetime_field::milliseconds, "2021-03-15 12:34:56.123457") == "56123.457");
  BOOST_TEST(extract_text(datetime_field::microseconds, "2021-03-15 12:34:56.123457") == "56123457");
  BOOST_TEST(extract_text(datetime_field::epoch, "1999-03-15 12:34:56.5") == "921501296.500000");
  BOOST_TEST(extract_text(datetime_field::epoch, "2021-03-15 12:34:56.123457") == "1615811696.123457");
  BOOST_TEST(extract_text(datetime_field::minute, "2021-03-15 12:34:56") == "34");
  BOOST_TEST(extract_text(datetime_field::hour, "2021-03-15 12:34:56") == "12");
  BOOST_TEST(extract_text(datetime_field::day, "2021-03-15 12:34:56") == "15");
  BOOST_TEST(extract_text(datetime_field::month, "2021-03-15 12:34:56") == "3");
  BOOST_TEST(extract_text(datetime_field::quarter, "2021-08-15") == "3");
  BOOST_TEST(extract_text(datetime_field::doy, "2021-03-15") == "74");
  BOOST_TEST(extract_text(datetime_field::week, "2020-12-31") == "53");
  BOOST_TEST(extract_text(datetime_field::year, "0001-06-01 BC") == "-1");
  BOOST_TEST(extract_text(datetime_field::dow, "2021-03-14") == "0");
  BOOST_TEST(extract_text(datetime_field::isodow, "2021-03-14") == "7");
  BOOST_TEST(extract_text(datetime_field::day, "infinity") == "NULL");
  BOOST_TEST(code_of([] { extract_timestamp(datetime_field::year, timestamp_infinity); }) == "0A000");
  auto date_field_text = [](datetime_field f, std::string_view s) {
    const auto v = extract_date(f, parse_date(s));
    return v ? format_numeric(v->unscaled, v->scale) : std::string("NULL");
  };
  BOOST_TEST(date_field_text(datetime_field::epoch, "1999-03-15") == "921456000");
  BOOST_TEST(date_field_text(datetime_field::isoyear, "0001-01-01") == "1");
  BOOST_TEST(date_field_text(datetime_field::isoyear, "2021-01-03") == "2020");
  BOOST_TEST(date_field_text(datetime_field::week, "2021-01-03") == "53");
  BOOST_TEST(date_field_text(datetime_field::century, "0001-01-01 BC") == "-1");
  BOOST_TEST(date_field_text(datetime_field::year, "0001-01-01 BC") == "-1");
  BOOST_TEST(date_field_text(datetime_field::decade, "0005-01-01 BC") == "-1");
  BOOST_TEST(date_field_text(datetime_field::millennium, "2001-01-01") == "3");
  BOOST_TEST(date_field_text(datetime_field::century, "2000-12-31") == "20");
  BOOST_TEST(date_field_text(datetime_field::doy, "2020-12-31") == "366");
  BOOST_TEST(date_field_text(datetime_field::julian, "2021-03-15") == "2459289");
  BOOST_TEST(date_field_text(datetime_field::dow, "infinity") == "NULL");
  BOOST_TEST(message_of([] { extract_date(datetime_field::hour, 0); }) == "unit \"hour\" not supported for type date");
  BOOST_TEST(*date_part_timestamp(datetime_field::second, ts("2021-03-15 12:34:56.5")) == 56.5);
  BOOST_TEST(std::isinf(*date_part_timestamp(datetime_field::epoch, timestamp_neg_infinity)));
  BOOST_TEST(!date_part_timestamp(datetime_field::hour, timestamp_infinity).has_value());
}

BOOST_AUTO_TEST_CASE(trunc) {
  auto tr = [](datetime_field f, std::string_view s) { return format_timestamp(timestamp_trunc(f, ts(s))); };
  // PostgreSQL 15 date_trunc results
  BOOST_TEST(tr(datetime_field::decade, "0005-06-01 BC") == "0011-01-01 00:00:00 BC");
  BOOST_TEST(tr(datetime_field::century, "0105-06-01 BC") == "0200-01-01 00:00:00 BC");
  BOOST_TEST(tr(datetime_field::week, "2021-03-14 10:00") == "2021-03-08 00:00:00");
  BOOST_TEST(tr(datetime_field::millennium, "2021-03-15 10:00") == "2001-01-01 00:00:00");
  BOOST_TEST(tr(datetime_field::century, "2000-03-15") == "1901-01-01 00:00:00");
  BOOST_TEST(tr(datetime_field::decade, "2021-03-15") == "2020-01-01 00:00:00");
  BOOST_TEST(tr(datetime_field::quarter, "2021-08-15 10:11:12.5") == "2021-07-01 00:00:00");
  BOOST_TEST(tr(datetime_field::milliseconds, "2021-08-15 10:11:12.123456") == "2021-08-15 10:11:12.123");
  BOOST_TEST(tr(datetime_field::second, "1999-12-31 23:59:59.9") == "1999-12-31 23:59:59");
  BOOST_TEST(tr(datetime_field::minute, "1999-12-31 23:59:59.9") == "1999-12-31 23:59:00");
  BOOST_TEST(tr(datetime_field::hour, "1999-12-31 23:59:59.9") == "1999-12-31 23:00:00");
  BOOST_TEST(tr(datetime_field::day, "1999-12-31 23:59:59.9") == "1999-12-31 00:00:00");
  BOOST_TEST(tr(datetime_field::month, "1999-12-31 23:59:59.9") == "1999-12-01 00:00:00");
  BOOST_TEST(tr(datetime_field::year, "1999-12-31 23:59:59.9") == "1999-01-01 00:00:00");
  BOOST_TEST(timestamp_trunc(datetime_field::year, timestamp_infinity) == timestamp_infinity);
  BOOST_TEST(message_of([] { timestamp_trunc(datetime_field::dow, 0); }) ==
             "unit \"dow\" not supported for type timestamp without time zone");
}

BOOST_AUTO_TEST_SUITE_END()
