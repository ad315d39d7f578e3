#pragma once
/// DATE and TIMESTAMP (without time zone) with PostgreSQL's semantics.
///
/// DATE      int32 days since 2000-01-01 (PostgreSQL's epoch); valid 4714-11-24 BC .. 5874897-12-31.
/// TIMESTAMP int64 microseconds since 2000-01-01 00:00:00; valid 4714-11-24 BC .. 294276-12-31.
/// +-infinity are INT32_MAX/INT32_MIN (date) and INT64_MAX/INT64_MIN (timestamp), as PostgreSQL.
/// Years are astronomical internally (0 = 1 BC, -1 = 2 BC); text uses the "BC" suffix.
/// Calendar: proleptic Gregorian (Howard Hinnant's civil-date algorithms).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/numeric.h"
#include "storage/types.h"

namespace db001 {

inline constexpr int64_t usecs_per_sec = 1000000;
inline constexpr int64_t usecs_per_minute = 60 * usecs_per_sec;
inline constexpr int64_t usecs_per_hour = 60 * usecs_per_minute;
inline constexpr int64_t usecs_per_day = 24 * usecs_per_hour;

inline constexpr int32_t date_infinity = INT32_MAX;
inline constexpr int32_t date_neg_infinity = INT32_MIN;
inline constexpr int64_t timestamp_infinity = INT64_MAX;
inline constexpr int64_t timestamp_neg_infinity = INT64_MIN;
/// Smallest valid date: 4714-11-24 BC (Julian day 0).
inline constexpr int32_t date_min = -2451545;
/// One past the largest valid date: 5874898-01-01.
inline constexpr int32_t date_end = 2145031949;
/// Smallest valid timestamp: 4714-11-24 00:00:00 BC.
inline constexpr int64_t timestamp_min = -211813488000000000LL;
/// One past the largest valid timestamp: 294277-01-01 00:00:00.
inline constexpr int64_t timestamp_end = 9223371331200000000LL;
/// 1970-01-01 as a DATE.
inline constexpr int32_t unix_epoch_date = -10957;
/// Buffer size enough for any formatted date or timestamp.
inline constexpr size_t datetime_text_max = 48;

inline constexpr bool date_is_finite(int32_t d) { return d != date_infinity && d != date_neg_infinity; }
inline constexpr bool timestamp_is_finite(int64_t t) { return t != timestamp_infinity && t != timestamp_neg_infinity; }

/// floor(a / b) for b > 0.
inline constexpr int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b) < 0 ? 1 : 0); }
/// a - floor(a / b) * b (in [0, b)) for b > 0.
inline constexpr int64_t floor_mod(int64_t a, int64_t b) { return (a % b + b) % b; }

/// A calendar date; `year` is astronomical (0 = 1 BC).
struct civil_date {
  int64_t year = 2000;
  int month = 1;  ///< 1..12
  int day = 1;    ///< 1..31
  bool operator==(const civil_date&) const = default;
};

/// A time of day.
struct civil_time {
  int hour = 0, minute = 0, second = 0, microsecond = 0;
};

inline constexpr bool is_leap_year(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }
/// Days in month m (1..12) of year y.
inline constexpr int days_in_month(int64_t y, int m) {
  constexpr int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : dim[m - 1];
}

/// Days since 2000-01-01 of the civil date y-m-d (no validation; any int64 year that fits).
inline constexpr int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468 - 10957;
}

/// Civil date of `days` since 2000-01-01.
inline constexpr civil_date civil_from_days(int64_t days) {
  const int64_t z = days + 10957 + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = int(doy - (153 * mp + 2) / 5 + 1);
  const int m = int(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2), m, d};
}

/// Time of day of `micros` in [0, usecs_per_day).
inline constexpr civil_time time_from_micros(int64_t micros) {
  return {int(micros / usecs_per_hour), int(micros / usecs_per_minute % 60), int(micros / usecs_per_sec % 60),
          int(micros % usecs_per_sec)};
}

/// Day of week of a date: 0 = Sunday .. 6 = Saturday (PostgreSQL's dow).
inline constexpr int date_dow(int64_t days) { return int(floor_mod(days + 6, 7)); }

// ---------------------------------------------------------------------------------------------
// Text I/O
// ---------------------------------------------------------------------------------------------

/// Parses DATE input: 'YYYY-MM-DD' (also '/' or '.' separators, 'MM-DD-YYYY' and 2-digit years as
/// DateStyle MDY), 'YYYYMMDD', 'YYMMDD', an optional time part (validated, then ignored), optional
/// 'BC'/'AD', surrounding whitespace, and 'epoch', 'infinity', '-infinity', 'today', 'now',
/// 'tomorrow', 'yesterday' (current date in UTC).
/// 22007 `invalid input syntax for type date: "<text>"`; 22008 `date/time field value out of
/// range: "<text>"` for a bad month/day/time field; 22008 `date out of range: "<text>"`.
int32_t parse_date(std::string_view text);
/// Parses TIMESTAMP input: a date as parse_date, then optionally ' ' or 'T' and
/// 'HH:MM[:SS[.ffffff]]' or 'MM:SS.ffffff' (fraction rounded to microseconds; 24:00:00 and second 60
/// allowed as PostgreSQL), an ignored time zone ('Z', 'UTC', '+02', '-05:30'), 'BC'/'AD'.
/// A date alone is midnight. Errors as parse_date with type "timestamp" and
/// 22008 `timestamp out of range: "<text>"`.
int64_t parse_timestamp(std::string_view text);
/// Writes 'YYYY-MM-DD' (' BC' suffix before year 1; "infinity"/"-infinity") to `out`
/// (>= datetime_text_max bytes); returns the length.
size_t format_date(int32_t days, char* out);
/// format_date into a std::string.
std::string format_date(int32_t days);
/// Writes 'YYYY-MM-DD HH:MM:SS[.ffffff]' (trailing fraction zeros trimmed, ' BC' suffix) to
/// `out` (>= datetime_text_max bytes); returns the length.
size_t format_timestamp(int64_t micros, char* out);
/// format_timestamp into a std::string.
std::string format_timestamp(int64_t micros);

// ---------------------------------------------------------------------------------------------
// Arithmetic (infinite inputs stay infinite unless stated otherwise)
// ---------------------------------------------------------------------------------------------

/// date + days; 22008 "date out of range".
int32_t date_add_days(int32_t d, int64_t days);
/// a - b in days; 22008 "cannot subtract infinite dates".
int32_t date_sub_date(int32_t a, int32_t b);
/// DATE -> TIMESTAMP (midnight); 22008 "date out of range for timestamp".
int64_t date_to_timestamp(int32_t d);
/// TIMESTAMP -> DATE (the day containing it).
int32_t timestamp_to_date(int64_t ts);
/// ts + micros; 22008 "timestamp out of range".
int64_t timestamp_add_micros(int64_t ts, int64_t micros);
/// ts + months calendar months (day clamped to the month's length, as PostgreSQL's
/// interval addition); 22008 "timestamp out of range".
int64_t timestamp_add_months(int64_t ts, int64_t months);
/// a - b in microseconds; 22008 "cannot subtract infinite timestamps", 22008 "interval out of
/// range" on overflow.
int64_t timestamp_sub_timestamp(int64_t a, int64_t b);
/// The current timestamp (UTC wall clock; PostgreSQL would use the session time zone).
int64_t current_timestamp_utc();

// ---------------------------------------------------------------------------------------------
// Fields: extract / date_part / date_trunc
// ---------------------------------------------------------------------------------------------

enum class datetime_field : uint8_t {
  microseconds,
  milliseconds,
  second,
  minute,
  hour,
  day,
  week,
  month,
  quarter,
  year,
  decade,
  century,
  millennium,
  dow,
  isodow,
  doy,
  isoyear,
  epoch,
  julian,
};

/// PostgreSQL's canonical (lower-case) name of a field, e.g. "second".
const char* datetime_field_name(datetime_field f);
/// Resolves a unit name as PostgreSQL does (case-insensitive, plurals and abbreviations:
/// 'year', 'years', 'y', 'yr', 'mon', 'ms', 'usec', ...). `for_type` (date or timestamp) names
/// the type in 22023 `unit "<unit>" not recognized for type timestamp without time zone`.
datetime_field parse_datetime_field(std::string_view unit, sql_type for_type);
/// extract(field FROM timestamp) as PostgreSQL 15 (a numeric: second has scale 6, milliseconds
/// scale 3, epoch scale 6, julian as PG's numeric division, the rest scale 0). nullopt = NULL
/// (fields of an infinite timestamp that PostgreSQL returns as NULL); the fields PostgreSQL
/// returns as +-Infinity throw 0A000 (numeric cannot hold infinity).
std::optional<numeric_value> extract_timestamp(datetime_field f, int64_t ts);
/// extract(field FROM date) as PostgreSQL 15 (scale 0; epoch in whole seconds); time fields
/// throw 0A000 `unit "hour" not supported for type date`.
std::optional<numeric_value> extract_date(datetime_field f, int32_t d);
/// date_part(field, timestamp): the float8 PostgreSQL returns (+-Infinity for infinite
/// inputs where PG gives them, nullopt for NULL).
std::optional<double> date_part_timestamp(datetime_field f, int64_t ts);
/// date_trunc(field, timestamp) for microseconds .. millennium; other fields throw 0A000
/// `unit "dow" not supported for type timestamp without time zone`.
int64_t timestamp_trunc(datetime_field f, int64_t ts);

}  // namespace db001
