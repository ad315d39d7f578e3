#include "actors/pgwire/value_codec.h"

#include <bit>
#include <charconv>
#include <cstring>

#include "actors/pgwire/wire_reader.h"
#include "storage/cast.h"
#include "storage/datetime.h"
#include "storage/float_format.h"

namespace db001::pgwire {

namespace {

inline void put16(std::string& out, uint16_t v) {
  const char b[2] = {char(v >> 8), char(v)};
  out.append(b, 2);
}
inline void put32(std::string& out, uint32_t v) {
  const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  out.append(b, 4);
}
inline void put64(std::string& out, uint64_t v) {
  put32(out, uint32_t(v >> 32));
  put32(out, uint32_t(v));
}
/// Overwrites the 4 bytes at `at` with v (length back-patching).
inline void patch32(std::string& out, size_t at, uint32_t v) {
  out[at] = char(v >> 24);
  out[at + 1] = char(v >> 16);
  out[at + 2] = char(v >> 8);
  out[at + 3] = char(v);
}

inline void text_int(std::string& out, int64_t x) {
  char tmp[24];
  auto r = std::to_chars(tmp, tmp + sizeof tmp, x);
  out.append(tmp, size_t(r.ptr - tmp));
}
inline void text_float4(std::string& out, float f) {
  char tmp[float_text_max];
  out.append(tmp, format_float4(f, tmp));
}
inline void text_float8(std::string& out, double d) {
  char tmp[float_text_max];
  out.append(tmp, format_float8(d, tmp));
}
inline void text_numeric(std::string& out, int128_t v, int scale) {
  char tmp[numeric_text_max];
  out.append(tmp, format_numeric(v, scale < 0 ? 0 : scale, tmp));
}
inline void text_date(std::string& out, int32_t d) {
  char tmp[datetime_text_max];
  out.append(tmp, format_date(d, tmp));
}
inline void text_timestamp(std::string& out, int64_t t) {
  char tmp[datetime_text_max];
  out.append(tmp, format_timestamp(t, tmp));
}

/// Text output by logical type; the payload in the union-like arguments.
inline void text_cell(std::string& out, type_id id, int64_t i, double f, int128_t n, int scale, std::string_view s) {
  switch (id) {
    case type_id::boolean:
      out.push_back(i ? 't' : 'f');
      return;
    case type_id::int16:
    case type_id::int32:
    case type_id::int64:
      text_int(out, i);
      return;
    case type_id::float32:
      text_float4(out, float(f));
      return;
    case type_id::float64:
      text_float8(out, f);
      return;
    case type_id::numeric:
      text_numeric(out, n, scale);
      return;
    case type_id::date:
      text_date(out, int32_t(i));
      return;
    case type_id::timestamp:
      text_timestamp(out, i);
      return;
    case type_id::text:
    case type_id::varchar:
    case type_id::bpchar:
    case type_id::unknown:
      out.append(s);
      return;
    case type_id::null_:
      return;
  }
}

inline void binary_cell(std::string& out, type_id id, int64_t i, double f, int128_t n, int scale, std::string_view s) {
  switch (id) {
    case type_id::boolean:
      out.push_back(i ? 1 : 0);
      return;
    case type_id::int16:
      put16(out, uint16_t(i));
      return;
    case type_id::int32:
    case type_id::date:
      put32(out, uint32_t(i));
      return;
    case type_id::int64:
    case type_id::timestamp:
      put64(out, uint64_t(i));
      return;
    case type_id::float32:
      put32(out, std::bit_cast<uint32_t>(float(f)));
      return;
    case type_id::float64:
      put64(out, std::bit_cast<uint64_t>(f));
      return;
    case type_id::numeric:
      append_numeric_binary(out, n, scale < 0 ? 0 : scale);
      return;
    case type_id::text:
    case type_id::varchar:
    case type_id::bpchar:
    case type_id::unknown:
      out.append(s);
      return;
    case type_id::null_:
      return;
  }
}

[[noreturn]] void throw_insufficient() {
  throw db_error(sqlstate::protocol_violation, "insufficient data left in message");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

void append_numeric_binary(std::string& out, int128_t unscaled, int scale) {
  const uint16_t sign = unscaled < 0 ? 0x4000 : 0x0000;
  // Decimal digits of |v|, left-padded so that there is at least one integer digit.
  char digits[numeric_text_max + 8];
  const int128_t a = unscaled < 0 ? -unscaled : unscaled;
  size_t nd = format_numeric(a, 0, digits);
  // Integer part: nd - scale digits (may be <= 0: the value is below 1).
  const int int_digits = int(nd) - scale;
  // Lay digits out in base-10000 groups aligned at the decimal point: the first group holds
  // the leading (int_digits mod 4) digits; fraction groups are right-padded with zeros.
  const int int_groups = int_digits > 0 ? (int_digits + 3) / 4 : 0;
  const int frac_groups = (scale + 3) / 4;
  // Position (in the digit string) of the first digit of the first integer group.
  const int start = int_digits - int_groups * 4;  // <= 0
  int16_t groups[24];
  int ng = 0;
  int pos = int_groups > 0 ? start : int_digits;  // below 1: start right at the point
  int weight = int_groups - 1;
  const int total_groups = int_groups + frac_groups;
  // For values below 1, skip whole zero fraction groups that precede the digit string.
  for (int g = 0; g < total_groups; ++g) {
    int d = 0;
    for (int k = 0; k < 4; ++k, ++pos) {
      int c = (pos >= 0 && pos < int(nd)) ? digits[pos] - '0' : 0;
      d = d * 10 + c;
    }
    groups[ng++] = int16_t(d);
  }
  // Strip leading zero groups (each lowers the weight) and trailing zero groups.
  int first = 0;
  while (first < ng && groups[first] == 0) {
    ++first;
    --weight;
  }
  int last = ng;
  while (last > first && groups[last - 1] == 0) --last;
  const int ndigits = last - first;
  if (ndigits == 0) weight = 0;
  put16(out, uint16_t(ndigits));
  put16(out, uint16_t(int16_t(weight)));
  put16(out, ndigits == 0 ? 0 : sign);
  put16(out, uint16_t(scale));
  for (int g = first; g < last; ++g) put16(out, uint16_t(groups[g]));
}

void append_text(std::string& out, const value& v) {
  const sql_type& t = v.type();
  text_cell(out, t.id, v.as_int(), v.as_float(), v.as_numeric(), t.scale, v.as_string());
}

void append_binary(std::string& out, const value& v) {
  const sql_type& t = v.type();
  binary_cell(out, t.id, v.as_int(), v.as_float(), v.as_numeric(), t.scale, v.as_string());
}

void append_field(std::string& out, const value& v, int16_t format) {
  if (v.is_null() || v.type().id == type_id::null_) {
    put32(out, uint32_t(-1));
    return;
  }
  const size_t at = out.size();
  put32(out, 0);
  if (format == format_binary)
    append_binary(out, v);
  else
    append_text(out, v);
  patch32(out, at, uint32_t(out.size() - at - 4));
}

void append_field(std::string& out, const exec::vector& v, uint32_t row, int16_t format) {
  const sql_type& t = v.type;
  if (v.is_null(row) || t.id == type_id::null_) {
    put32(out, uint32_t(-1));
    return;
  }
  // Fixed-size binary fields and strings need no back-patching.
  if (t.physical() == phys::str) {
    const string_t& s = v.as<string_t>()[row];
    put32(out, s.size());
    out.append(s.data(), s.size());
    return;
  }
  const size_t at = out.size();
  put32(out, 0);
  int64_t i = 0;
  double f = 0;
  int128_t n = 0;
  switch (t.physical()) {
    case phys::u8:
      i = v.as<uint8_t>()[row];
      break;
    case phys::i16:
      i = v.as<int16_t>()[row];
      break;
    case phys::i32:
      i = v.as<int32_t>()[row];
      break;
    case phys::i64:
      i = v.as<int64_t>()[row];
      n = i;
      break;
    case phys::i128:
      n = v.as<int128_t>()[row];
      break;
    case phys::f32:
      f = v.as<float>()[row];
      break;
    case phys::f64:
      f = v.as<double>()[row];
      break;
    case phys::str:
      break;
  }
  if (format == format_binary)
    binary_cell(out, t.id, i, f, n, t.scale, {});
  else
    text_cell(out, t.id, i, f, n, t.scale, {});
  patch32(out, at, uint32_t(out.size() - at - 4));
}

// ---------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------

std::string numeric_binary_to_text(std::string_view bytes, size_t* extra) {
  wire_reader r(bytes);
  const uint16_t ndigits = r.u16();
  const int16_t weight = r.i16();
  const uint16_t sign = r.u16();
  if (sign != 0x0000 && sign != 0x4000 && sign != 0xC000 && sign != 0xD000 && sign != 0xF000)
    throw db_error(sqlstate::invalid_binary_representation, "invalid sign in external \"numeric\" value");
  const uint16_t dscale = r.u16();
  if ((dscale & 0x3FFF) != dscale)
    throw db_error(sqlstate::invalid_binary_representation, "invalid scale in external \"numeric\" value");
  r.need(size_t(ndigits) * 2);
  std::string digits;  // base-10000 digits as 4 decimal characters each
  digits.reserve(size_t(ndigits) * 4);
  for (uint16_t k = 0; k < ndigits; ++k) {
    const int16_t d = r.i16();
    if (d < 0 || d >= 10000)
      throw db_error(sqlstate::invalid_binary_representation, "invalid digit in external \"numeric\" value");
    char tmp[5];
    std::snprintf(tmp, sizeof tmp, "%04d", int(d));
    digits.append(tmp, 4);
  }
  if (extra) *extra = r.remaining();
  if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000)
    throw db_error(sqlstate::feature_not_supported, "numeric NaN/Infinity is not supported");
  // Decimal point after (weight + 1) groups, i.e. after 4 * (weight + 1) characters of
  // `digits` (which may lie before the string start or beyond its end).
  const long point = 4L * (long(weight) + 1);
  std::string out;
  if (sign == 0x4000) out.push_back('-');
  // Integer part.
  if (point <= 0) {
    out.push_back('0');
  } else {
    bool any = false;
    for (long p = 0; p < point; ++p) {
      const char c = p < long(digits.size()) ? digits[size_t(p)] : '0';
      if (!any && c == '0' && p + 1 < point) continue;
      any = true;
      out.push_back(c);
    }
  }
  if (dscale > 0) {
    out.push_back('.');
    for (long p = point; p < point + long(dscale); ++p)
      out.push_back(p >= 0 && p < long(digits.size()) ? digits[size_t(p)] : '0');
  }
  return out;
}

value decode_param(const std::optional<std::string>& bytes, int16_t format, sql_type target, int param_no) {
  if (!bytes) return value::null(target);
  const std::string& b = *bytes;
  if (target.id == type_id::unknown || target.id == type_id::null_) {
    check_utf8(b);
    return value::text(b, sql_type::unknown());
  }
  if (format == format_text) {
    check_utf8(b);
    return parse_value(b, target, cast_kind::assignment);
  }
  auto exact = [&](size_t n) {
    if (b.size() < n) throw_insufficient();
    if (b.size() > n)
      throw db_error(sqlstate::invalid_binary_representation,
                     "incorrect binary data format in bind parameter " + std::to_string(param_no));
  };
  const char* p = b.data();
  switch (target.id) {
    case type_id::boolean:
      exact(1);
      return value::boolean(p[0] != 0);
    case type_id::int16:
      exact(2);
      return value::int16(int16_t(read_be16(p)));
    case type_id::int32:
      exact(4);
      return value::int32(int32_t(read_be32(p)));
    case type_id::int64:
      exact(8);
      return value::int64(int64_t(read_be64(p)));
    case type_id::float32:
      exact(4);
      return value::float32(std::bit_cast<float>(read_be32(p)));
    case type_id::float64:
      exact(8);
      return value::float64(std::bit_cast<double>(read_be64(p)));
    case type_id::date: {
      exact(4);
      const auto d = int32_t(read_be32(p));
      if (date_is_finite(d) && (d < date_min || d >= date_end))
        throw db_error(sqlstate::datetime_field_overflow, "date out of range");
      return value::date(d);
    }
    case type_id::timestamp: {
      exact(8);
      const auto t = int64_t(read_be64(p));
      if (timestamp_is_finite(t) && (t < timestamp_min || t >= timestamp_end))
        throw db_error(sqlstate::datetime_field_overflow, "timestamp out of range");
      return value::timestamp(t);
    }
    case type_id::numeric: {
      size_t extra = 0;
      std::string text = numeric_binary_to_text(b, &extra);
      if (extra)
        throw db_error(sqlstate::invalid_binary_representation,
                       "incorrect binary data format in bind parameter " + std::to_string(param_no));
      return parse_value(text, target, cast_kind::assignment);
    }
    case type_id::text:
    case type_id::varchar:
    case type_id::bpchar:
      check_utf8(b);
      return parse_value(b, target, cast_kind::assignment);
    case type_id::unknown:
    case type_id::null_:
      break;
  }
  return value::text(b, sql_type::unknown());
}

}  // namespace db001::pgwire
