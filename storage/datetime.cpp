#include "storage/datetime.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>

#include "storage/error.h"

namespace db001 {

namespace {

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != b[i]) return false;
  return true;
}

enum class dt_special : uint8_t { none, epoch, infinity, neg_infinity, now, today, tomorrow, yesterday };

/// Result of scanning date/time text.
struct parsed_datetime {
  dt_special special = dt_special::none;
  int64_t year = 0;  // astronomical after BC adjustment
  int month = 0, day = 0;
  int64_t time_us = 0;  // microseconds since midnight (may be a full day for 24:00 / :60)
  bool has_time = false;
};

/// Kinds of failure while scanning: syntax (22007) or a field out of range (22008).
/// md_field_range: a month or day that no DateStyle could make valid (PostgreSQL adds a hint).
enum class dt_error : uint8_t { ok, syntax, field_range, md_field_range };

class dt_scanner {
 public:
  explicit dt_scanner(std::string_view s) : p_(s.data()), e_(s.data() + s.size()) {}

  dt_error scan(parsed_datetime& out) {
    skip_space();
    const char* end = e_;
    while (end > p_ && is_space(end[-1])) --end;
    e_ = end;
    if (p_ == e_) return dt_error::syntax;
    const std::string_view word(p_, size_t(e_ - p_));
    static constexpr struct {
      const char* name;
      dt_special sp;
    } specials[] = {{"epoch", dt_special::epoch},
                    {"infinity", dt_special::infinity},
                    {"+infinity", dt_special::infinity},
                    {"-infinity", dt_special::neg_infinity},
                    {"now", dt_special::now},
                    {"today", dt_special::today},
                    {"tomorrow", dt_special::tomorrow},
                    {"yesterday", dt_special::yesterday}};
    for (const auto& s : specials) {
      if (iequals(word, s.name)) {
        out.special = s.sp;
        return dt_error::ok;
      }
    }
    dt_error err = scan_date(out);
    if (err != dt_error::ok) return err;
    bool bc = false;
    // [ ' '+ | 'T' ] time, then optional zone, then optional era
    if (p_ < e_ && (*p_ == 'T' || *p_ == 't') && p_ + 1 < e_ && is_digit(p_[1])) {
      ++p_;
      if ((err = scan_time(out)) != dt_error::ok) return err;
    } else if (p_ < e_ && is_space(*p_)) {
      skip_space();
      if (p_ < e_ && is_digit(*p_)) {
        if ((err = scan_time(out)) != dt_error::ok) return err;
      }
    }
    if (out.has_time) {
      skip_space();
      if (!scan_zone()) return dt_error::syntax;
    }
    skip_space();
    if (e_ - p_ >= 2) {
      const std::string_view era(p_, 2);
      if (iequals(era, "bc") || iequals(era, "ad")) {
        bc = iequals(era, "bc");
        p_ += 2;
      }
    }
    skip_space();
    if (p_ != e_) return dt_error::syntax;
    // validate fields
    if (out.month < 1 || out.month > 12 || out.day < 1 || out.day > 31) return dt_error::md_field_range;
    if (out.year <= 0) return dt_error::field_range;
    if (bc) out.year = 1 - out.year;
    if (out.day > days_in_month(out.year, out.month)) return dt_error::field_range;
    return dt_error::ok;
  }

 private:
  void skip_space() {
    while (p_ < e_ && is_space(*p_)) ++p_;
  }
  /// Reads a run of digits; returns its length (value saturates at 10^10).
  int digits(int64_t& v) {
    v = 0;
    int n = 0;
    while (p_ < e_ && is_digit(*p_)) {
      if (v < 10000000000LL) v = v * 10 + (*p_ - '0');
      ++p_;
      ++n;
    }
    return n;
  }

  dt_error scan_date(parsed_datetime& out) {
    int64_t a, b, c;
    const int na = digits(a);
    if (na == 0) return dt_error::syntax;
    if ((na == 8 || na == 6) && (p_ == e_ || is_space(*p_) || *p_ == 'T' || *p_ == 't')) {  // YYYYMMDD, YYMMDD
      out.year = a / 10000;
      if (na == 6) out.year += out.year < 70 ? 2000 : 1900;
      out.month = int(a / 100 % 100);
      out.day = int(a % 100);
      return dt_error::ok;
    }
    if (p_ == e_ || (*p_ != '-' && *p_ != '/' && *p_ != '.')) return dt_error::syntax;
    const char sep = *p_++;
    const int nb = digits(b);
    if (nb == 0 || p_ == e_ || *p_ != sep) return dt_error::syntax;
    ++p_;
    const int nc = digits(c);
    if (nc == 0) return dt_error::syntax;
    if (na > 9 || nb > 2 || nc > 9) return dt_error::field_range;
    if (na >= 3) {  // Y-M-D
      out.year = a;
      out.month = int(b);
      out.day = int(c);
      if (nc > 2) return dt_error::field_range;
    } else {  // DateStyle MDY: M-D-Y
      if (nc <= 2 && nc > 0 && c < 100) c += c < 70 ? 2000 : 1900;
      out.month = int(a);
      out.day = int(b);
      out.year = c;
    }
    return dt_error::ok;
  }

  dt_error scan_time(parsed_datetime& out) {
    int64_t h, m, s = 0;
    const int nh = digits(h);
    if (nh == 0 || p_ == e_ || *p_ != ':') return dt_error::syntax;
    ++p_;
    const int nm = digits(m);
    if (nm == 0) return dt_error::syntax;
    int64_t frac_us = 0;
    // PostgreSQL: frac = strtod(".ddd"), fsec = rint(frac * 1e6)
    auto fraction = [&] {
      const char* f = p_;
      ++p_;
      while (p_ < e_ && is_digit(*p_)) ++p_;
      char buf[48] = "0";
      const size_t n = size_t(p_ - f) < sizeof buf - 1 ? size_t(p_ - f) : sizeof buf - 2;
      std::memcpy(buf + 1, f, n);
      double frac = 0;
      std::from_chars(buf, buf + 1 + n, frac);
      frac_us = int64_t(std::rint(frac * 1e6));
    };
    if (p_ < e_ && *p_ == ':') {
      ++p_;
      const int ns = digits(s);
      if (ns == 0) return dt_error::syntax;
      if (ns > 2) return dt_error::field_range;
      if (p_ < e_ && *p_ == '.') fraction();
    } else if (p_ < e_ && *p_ == '.') {
      // "MM:SS.fff": two fields with a fraction are minutes and seconds (as PostgreSQL)
      fraction();
      s = m;
      m = h;
      h = 0;
    }
    if (nh > 2 || nm > 2) return dt_error::field_range;
    if (h > 24 || m > 59 || s > 60) return dt_error::field_range;
    if (h == 24 && (m != 0 || s != 0 || frac_us != 0)) return dt_error::field_range;
    out.has_time = true;
    out.time_us = h * usecs_per_hour + m * usecs_per_minute + s * usecs_per_sec + frac_us;
    return dt_error::ok;
  }

  /// Optional time zone, ignored for TIMESTAMP WITHOUT TIME ZONE (as PostgreSQL).
  bool scan_zone() {
    if (p_ == e_) return true;
    if (*p_ == 'Z' || *p_ == 'z') {
      ++p_;
      return true;
    }
    if (e_ - p_ >= 3 && (iequals({p_, 3}, "utc") || iequals({p_, 3}, "gmt"))) {
      p_ += 3;
      return true;
    }
    if (*p_ == '+' || *p_ == '-') {
      ++p_;
      int64_t v;
      const int n = digits(v);
      if (n == 0 || n > 4) return false;
      if (n <= 2) {
        while (p_ < e_ && *p_ == ':') {
          ++p_;
          if (digits(v) != 2) return false;
        }
      }
      return true;
    }
    return true;  // not a zone: the caller sees the remaining text
  }

  const char* p_;
  const char* e_;
};

int64_t today_days() { return floor_div(current_timestamp_utc(), usecs_per_day); }

[[noreturn]] void throw_datetime_error(dt_error err, std::string_view text, const char* type_name) {
  if (err == dt_error::field_range || err == dt_error::md_field_range) {
    db_error e(sqlstate::datetime_field_overflow, "date/time field value out of range: \"" + std::string(text) + "\"");
    if (err == dt_error::md_field_range) e.with_hint("Perhaps you need a different \"datestyle\" setting.");
    throw e;
  }
  throw db_error(sqlstate::invalid_datetime_format,
                 std::string("invalid input syntax for type ") + type_name + ": \"" + std::string(text) + "\"");
}

char* put_digits(char* p, int64_t v, int width) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = char('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (n < width) tmp[n++] = '0';
  while (n > 0) *p++ = tmp[--n];
  return p;
}

/// Writes the date part; returns the end. Sets bc when the year is before 1.
char* put_date(char* p, const civil_date& c, bool& bc) {
  int64_t y = c.year;
  bc = y <= 0;
  if (bc) y = 1 - y;
  p = put_digits(p, y, 4);
  *p++ = '-';
  p = put_digits(p, c.month, 2);
  *p++ = '-';
  return put_digits(p, c.day, 2);
}

[[noreturn]] void throw_ts_range() { throw db_error(sqlstate::datetime_field_overflow, "timestamp out of range"); }

}  // namespace

int64_t current_timestamp_utc() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::microseconds>(now).count() - 946684800LL * usecs_per_sec;
}

int32_t parse_date(std::string_view text) {
  parsed_datetime r;
  const dt_error err = dt_scanner(text).scan(r);
  if (err != dt_error::ok) throw_datetime_error(err, text, "date");
  switch (r.special) {
    case dt_special::epoch:
      return unix_epoch_date;
    case dt_special::infinity:
      return date_infinity;
    case dt_special::neg_infinity:
      return date_neg_infinity;
    case dt_special::now:
    case dt_special::today:
      return int32_t(today_days());
    case dt_special::tomorrow:
      return int32_t(today_days() + 1);
    case dt_special::yesterday:
      return int32_t(today_days() - 1);
    case dt_special::none:
      break;
  }
  const int64_t days = days_from_civil(r.year, r.month, r.day);
  if (days < date_min || days >= date_end)
    throw db_error(sqlstate::datetime_field_overflow, "date out of range: \"" + std::string(text) + "\"");
  return int32_t(days);
}

int64_t parse_timestamp(std::string_view text) {
  parsed_datetime r;
  const dt_error err = dt_scanner(text).scan(r);
  if (err != dt_error::ok) throw_datetime_error(err, text, "timestamp");
  switch (r.special) {
    case dt_special::epoch:
      return int64_t(unix_epoch_date) * usecs_per_day;
    case dt_special::infinity:
      return timestamp_infinity;
    case dt_special::neg_infinity:
      return timestamp_neg_infinity;
    case dt_special::now:
      return current_timestamp_utc();
    case dt_special::today:
      return today_days() * usecs_per_day;
    case dt_special::tomorrow:
      return (today_days() + 1) * usecs_per_day;
    case dt_special::yesterday:
      return (today_days() - 1) * usecs_per_day;
    case dt_special::none:
      break;
  }
  const int64_t days = days_from_civil(r.year, r.month, r.day);
  // days far outside the timestamp range would overflow the multiplication
  const int64_t ts =
      days >= date_min && days <= timestamp_end / usecs_per_day ? days * usecs_per_day + r.time_us : timestamp_end;
  if (ts < timestamp_min || ts >= timestamp_end)
    throw db_error(sqlstate::datetime_field_overflow, "timestamp out of range: \"" + std::string(text) + "\"");
  return ts;
}

size_t format_date(int32_t days, char* out) {
  if (days == date_infinity) {
    std::memcpy(out, "infinity", 8);
    return 8;
  }
  if (days == date_neg_infinity) {
    std::memcpy(out, "-infinity", 9);
    return 9;
  }
  bool bc;
  char* p = put_date(out, civil_from_days(days), bc);
  if (bc) {
    std::memcpy(p, " BC", 3);
    p += 3;
  }
  return size_t(p - out);
}

std::string format_date(int32_t days) {
  char buf[datetime_text_max];
  return std::string(buf, format_date(days, buf));
}

size_t format_timestamp(int64_t micros, char* out) {
  if (micros == timestamp_infinity) {
    std::memcpy(out, "infinity", 8);
    return 8;
  }
  if (micros == timestamp_neg_infinity) {
    std::memcpy(out, "-infinity", 9);
    return 9;
  }
  const int64_t days = floor_div(micros, usecs_per_day);
  const civil_time t = time_from_micros(micros - days * usecs_per_day);
  bool bc;
  char* p = put_date(out, civil_from_days(days), bc);
  *p++ = ' ';
  p = put_digits(p, t.hour, 2);
  *p++ = ':';
  p = put_digits(p, t.minute, 2);
  *p++ = ':';
  p = put_digits(p, t.second, 2);
  if (t.microsecond != 0) {
    *p++ = '.';
    int us = t.microsecond, width = 6;
    while (us % 10 == 0) {
      us /= 10;
      --width;
    }
    p = put_digits(p, us, width);
  }
  if (bc) {
    std::memcpy(p, " BC", 3);
    p += 3;
  }
  return size_t(p - out);
}

std::string format_timestamp(int64_t micros) {
  char buf[datetime_text_max];
  return std::string(buf, format_timestamp(micros, buf));
}

// ---------------------------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------------------------

int32_t date_add_days(int32_t d, int64_t days) {
  if (!date_is_finite(d)) return d;
  const int64_t r = int64_t(d) + days;  // |days| is at most int64 range: guard overflow
  if ((days > 0 && r < d) || (days < 0 && r > d) || r < date_min || r >= date_end)
    throw db_error(sqlstate::datetime_field_overflow, "date out of range");
  return int32_t(r);
}

int32_t date_sub_date(int32_t a, int32_t b) {
  if (!date_is_finite(a) || !date_is_finite(b))
    throw db_error(sqlstate::datetime_field_overflow, "cannot subtract infinite dates");
  return a - b;  // both in the valid range: no overflow
}

int64_t date_to_timestamp(int32_t d) {
  if (d == date_infinity) return timestamp_infinity;
  if (d == date_neg_infinity) return timestamp_neg_infinity;
  if (d >= timestamp_end / usecs_per_day || d < date_min)
    throw db_error(sqlstate::datetime_field_overflow, "date out of range for timestamp");
  return int64_t(d) * usecs_per_day;
}

int32_t timestamp_to_date(int64_t ts) {
  if (ts == timestamp_infinity) return date_infinity;
  if (ts == timestamp_neg_infinity) return date_neg_infinity;
  return int32_t(floor_div(ts, usecs_per_day));
}

int64_t timestamp_add_micros(int64_t ts, int64_t micros) {
  if (!timestamp_is_finite(ts)) return ts;
  int64_t r;
  if (__builtin_add_overflow(ts, micros, &r) || r < timestamp_min || r >= timestamp_end) throw_ts_range();
  return r;
}

int64_t timestamp_add_months(int64_t ts, int64_t months) {
  if (!timestamp_is_finite(ts)) return ts;
  const int64_t days = floor_div(ts, usecs_per_day);
  const int64_t tod = ts - days * usecs_per_day;
  civil_date c = civil_from_days(days);
  if (months > 12 * 1000000LL || months < -12 * 1000000LL) throw_ts_range();
  const int64_t m0 = c.year * 12 + (c.month - 1) + months;
  c.year = floor_div(m0, 12);
  c.month = int(floor_mod(m0, 12)) + 1;
  const int dim = days_in_month(c.year, c.month);
  if (c.day > dim) c.day = dim;
  const int64_t nd = days_from_civil(c.year, c.month, c.day);
  if (nd < date_min || nd >= timestamp_end / usecs_per_day) throw_ts_range();
  const int64_t r = nd * usecs_per_day + tod;
  if (r < timestamp_min || r >= timestamp_end) throw_ts_range();
  return r;
}

int64_t timestamp_sub_timestamp(int64_t a, int64_t b) {
  if (!timestamp_is_finite(a) || !timestamp_is_finite(b))
    throw db_error(sqlstate::datetime_field_overflow, "cannot subtract infinite timestamps");
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) throw db_error(sqlstate::datetime_field_overflow, "interval out of range");
  return r;
}

// ---------------------------------------------------------------------------------------------
// Fields
// ---------------------------------------------------------------------------------------------

namespace {
constexpr const char* field_names[] = {
    "microseconds", "milliseconds", "second",     "minute", "hour",   "day", "week",    "month", "quarter", "year",
    "decade",       "century",      "millennium", "dow",    "isodow", "doy", "isoyear", "epoch", "julian"};

struct unit_alias {
  const char* name;
  datetime_field f;
};
constexpr unit_alias unit_aliases[] = {
    {"microsecond", datetime_field::microseconds},
    {"microseconds", datetime_field::microseconds},
    {"microsecon", datetime_field::microseconds},
    {"us", datetime_field::microseconds},
    {"usec", datetime_field::microseconds},
    {"usecs", datetime_field::microseconds},
    {"usecond", datetime_field::microseconds},
    {"useconds", datetime_field::microseconds},
    {"millisecond", datetime_field::milliseconds},
    {"milliseconds", datetime_field::milliseconds},
    {"millisecon", datetime_field::milliseconds},
    {"ms", datetime_field::milliseconds},
    {"msec", datetime_field::milliseconds},
    {"msecs", datetime_field::milliseconds},
    {"msecond", datetime_field::milliseconds},
    {"mseconds", datetime_field::milliseconds},
    {"second", datetime_field::second},
    {"seconds", datetime_field::second},
    {"s", datetime_field::second},
    {"sec", datetime_field::second},
    {"secs", datetime_field::second},
    {"minute", datetime_field::minute},
    {"minutes", datetime_field::minute},
    {"m", datetime_field::minute},
    {"min", datetime_field::minute},
    {"mins", datetime_field::minute},
    {"hour", datetime_field::hour},
    {"hours", datetime_field::hour},
    {"h", datetime_field::hour},
    {"hr", datetime_field::hour},
    {"hrs", datetime_field::hour},
    {"day", datetime_field::day},
    {"days", datetime_field::day},
    {"d", datetime_field::day},
    {"week", datetime_field::week},
    {"weeks", datetime_field::week},
    {"w", datetime_field::week},
    {"month", datetime_field::month},
    {"months", datetime_field::month},
    {"mon", datetime_field::month},
    {"mons", datetime_field::month},
    {"quarter", datetime_field::quarter},
    {"qtr", datetime_field::quarter},
    {"year", datetime_field::year},
    {"years", datetime_field::year},
    {"y", datetime_field::year},
    {"yr", datetime_field::year},
    {"yrs", datetime_field::year},
    {"decade", datetime_field::decade},
    {"decades", datetime_field::decade},
    {"dec", datetime_field::decade},
    {"decs", datetime_field::decade},
    {"century", datetime_field::century},
    {"centuries", datetime_field::century},
    {"c", datetime_field::century},
    {"cent", datetime_field::century},
    {"millennium", datetime_field::millennium},
    {"millennia", datetime_field::millennium},
    {"mil", datetime_field::millennium},
    {"mils", datetime_field::millennium},
    {"dow", datetime_field::dow},
    {"isodow", datetime_field::isodow},
    {"doy", datetime_field::doy},
    {"isoyear", datetime_field::isoyear},
    {"epoch", datetime_field::epoch},
    {"julian", datetime_field::julian},
    {"j", datetime_field::julian},
    {"jd", datetime_field::julian},
};

const char* type_label(sql_type t) { return t.id == type_id::date ? "date" : "timestamp without time zone"; }

[[noreturn]] void throw_unsupported(datetime_field f, const char* type) {
  throw db_error(sqlstate::feature_not_supported,
                 std::string("unit \"") + datetime_field_name(f) + "\" not supported for type " + type);
}

/// PostgreSQL's year, decade, century and millennium numbering of an astronomical year.
int64_t pg_year(int64_t y) { return y > 0 ? y : y - 1; }
int64_t pg_decade(int64_t y) { return y >= 0 ? y / 10 : -((8 - (y - 1)) / 10); }
int64_t pg_century(int64_t y) { return y > 0 ? (y + 99) / 100 : -((99 - (y - 1)) / 100); }
int64_t pg_millennium(int64_t y) { return y > 0 ? (y + 999) / 1000 : -((999 - (y - 1)) / 1000); }

/// ISO 8601 week-numbering year and week of a day.
void iso_week(int64_t days, int64_t& iso_year, int64_t& week) {
  const int dow = date_dow(days);
  const int isodow = dow == 0 ? 7 : dow;
  const int64_t thursday = days - isodow + 4;
  iso_year = civil_from_days(thursday).year;
  week = (thursday - days_from_civil(iso_year, 1, 1)) / 7 + 1;
}

/// Julian day number of a date (PostgreSQL's date2j).
int64_t julian_day(int64_t days) { return days + 2451545; }

/// Date-only fields shared by extract(date) and extract(timestamp); false if not a date field.
bool date_field(datetime_field f, int64_t days, int64_t& out) {
  const civil_date c = civil_from_days(days);
  switch (f) {
    case datetime_field::day:
      out = c.day;
      return true;
    case datetime_field::month:
      out = c.month;
      return true;
    case datetime_field::quarter:
      out = (c.month - 1) / 3 + 1;
      return true;
    case datetime_field::year:
      out = pg_year(c.year);
      return true;
    case datetime_field::decade:
      out = pg_decade(c.year);
      return true;
    case datetime_field::century:
      out = pg_century(c.year);
      return true;
    case datetime_field::millennium:
      out = pg_millennium(c.year);
      return true;
    case datetime_field::dow:
      out = date_dow(days);
      return true;
    case datetime_field::isodow:
      out = date_dow(days) == 0 ? 7 : date_dow(days);
      return true;
    case datetime_field::doy:
      out = days - days_from_civil(c.year, 1, 1) + 1;
      return true;
    case datetime_field::week: {
      int64_t y;
      iso_week(days, y, out);
      return true;
    }
    case datetime_field::isoyear: {
      int64_t w;
      iso_week(days, out, w);
      if (out <= 0) out -= 1;  // PostgreSQL: no ISO year 0
      return true;
    }
    default:
      return false;
  }
}

/// Fields PostgreSQL reports as +-Infinity for infinite inputs (the others are NULL).
bool monotonic_field(datetime_field f) {
  return f == datetime_field::year || f == datetime_field::decade || f == datetime_field::century ||
         f == datetime_field::millennium || f == datetime_field::julian || f == datetime_field::isoyear ||
         f == datetime_field::epoch;
}
}  // namespace

const char* datetime_field_name(datetime_field f) { return field_names[int(f)]; }

datetime_field parse_datetime_field(std::string_view unit, sql_type for_type) {
  std::string low(unit);
  for (auto& c : low) c = lower(c);
  for (const auto& a : unit_aliases)
    if (low == a.name) return a.f;
  throw db_error(sqlstate::invalid_parameter_value,
                 "unit \"" + low + "\" not recognized for type " + type_label(for_type));
}

std::optional<numeric_value> extract_timestamp(datetime_field f, int64_t ts) {
  if (!timestamp_is_finite(ts)) {
    if (monotonic_field(f)) throw db_error(sqlstate::feature_not_supported, "numeric NaN/Infinity is not supported");
    return std::nullopt;
  }
  const int64_t days = floor_div(ts, usecs_per_day);
  const int64_t tod = ts - days * usecs_per_day;
  const civil_time t = time_from_micros(tod);
  const int64_t sec_us = int64_t(t.second) * usecs_per_sec + t.microsecond;
  int64_t v;
  switch (f) {
    case datetime_field::microseconds:
      return numeric_value{sec_us, 0};
    case datetime_field::milliseconds:
      return numeric_value{sec_us, 3};
    case datetime_field::second:
      return numeric_value{sec_us, 6};
    case datetime_field::minute:
      return numeric_value{t.minute, 0};
    case datetime_field::hour:
      return numeric_value{t.hour, 0};
    case datetime_field::epoch:
      return numeric_value{int128_t(ts) - int128_t(unix_epoch_date) * usecs_per_day, 6};
    case datetime_field::julian: {
      // PG 15: date2j + (time in microseconds) / 86400000000 with numeric division
      const int rs = numeric_select_div_scale(tod, 0, usecs_per_day, 0);
      const int128_t frac = numeric_div(tod, 0, usecs_per_day, 0, rs);
      return numeric_value{numeric_add(julian_day(days), 0, frac, rs), rs};
    }
    default:
      if (date_field(f, days, v)) return numeric_value{v, 0};
      throw_unsupported(f, "timestamp without time zone");
  }
}

std::optional<numeric_value> extract_date(datetime_field f, int32_t d) {
  switch (f) {
    case datetime_field::microseconds:
    case datetime_field::milliseconds:
    case datetime_field::second:
    case datetime_field::minute:
    case datetime_field::hour:
      throw_unsupported(f, "date");
    default:
      break;
  }
  if (!date_is_finite(d)) {
    if (monotonic_field(f)) throw db_error(sqlstate::feature_not_supported, "numeric NaN/Infinity is not supported");
    return std::nullopt;
  }
  if (f == datetime_field::epoch) return numeric_value{(int64_t(d) - unix_epoch_date) * 86400, 0};
  if (f == datetime_field::julian) return numeric_value{julian_day(d), 0};
  int64_t v;
  if (date_field(f, d, v)) return numeric_value{v, 0};
  throw_unsupported(f, "date");
}

std::optional<double> date_part_timestamp(datetime_field f, int64_t ts) {
  if (!timestamp_is_finite(ts)) {
    if (!monotonic_field(f)) return std::nullopt;
    return ts > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  }
  const auto v = extract_timestamp(f, ts);
  return numeric_to_double(v->unscaled, v->scale);
}

int64_t timestamp_trunc(datetime_field f, int64_t ts) {
  switch (f) {
    case datetime_field::microseconds:
    case datetime_field::milliseconds:
    case datetime_field::second:
    case datetime_field::minute:
    case datetime_field::hour:
    case datetime_field::day:
    case datetime_field::week:
    case datetime_field::month:
    case datetime_field::quarter:
    case datetime_field::year:
    case datetime_field::decade:
    case datetime_field::century:
    case datetime_field::millennium:
      break;
    default:
      throw_unsupported(f, "timestamp without time zone");
  }
  if (!timestamp_is_finite(ts)) return ts;
  const int64_t days = floor_div(ts, usecs_per_day);
  const int64_t tod = ts - days * usecs_per_day;
  auto at = [&](int64_t y, int m, int d) {
    const int64_t nd = days_from_civil(y, m, d);
    if (nd < date_min) throw_ts_range();
    return nd * usecs_per_day;
  };
  const civil_date c = civil_from_days(days);
  switch (f) {
    case datetime_field::microseconds:
      return ts;
    case datetime_field::milliseconds:
      return days * usecs_per_day + tod / 1000 * 1000;
    case datetime_field::second:
      return days * usecs_per_day + tod / usecs_per_sec * usecs_per_sec;
    case datetime_field::minute:
      return days * usecs_per_day + tod / usecs_per_minute * usecs_per_minute;
    case datetime_field::hour:
      return days * usecs_per_day + tod / usecs_per_hour * usecs_per_hour;
    case datetime_field::day:
      return days * usecs_per_day;
    case datetime_field::week: {
      const int dow = date_dow(days);
      const int64_t monday = days - (dow == 0 ? 6 : dow - 1);
      if (monday < date_min) throw_ts_range();
      return monday * usecs_per_day;
    }
    case datetime_field::month:
      return at(c.year, c.month, 1);
    case datetime_field::quarter:
      return at(c.year, (c.month - 1) / 3 * 3 + 1, 1);
    case datetime_field::year:
      return at(c.year, 1, 1);
    case datetime_field::decade: {
      const int64_t y = c.year > 0 ? c.year / 10 * 10 : -((8 - (c.year - 1)) / 10) * 10;
      return at(y, 1, 1);
    }
    case datetime_field::century: {
      const int64_t y = c.year > 0 ? (c.year + 99) / 100 * 100 - 99 : -((99 - (c.year - 1)) / 100) * 100 + 1;
      return at(y, 1, 1);
    }
    case datetime_field::millennium: {
      const int64_t y = c.year > 0 ? (c.year + 999) / 1000 * 1000 - 999 : -((999 - (c.year - 1)) / 1000) * 1000 + 1;
      return at(y, 1, 1);
    }
    default:
      throw_unsupported(f, "timestamp without time zone");
  }
}

}  // namespace db001
