#include "storage/cast.h"

#include <cmath>

namespace db001 {

// ---------------------------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------------------------

const char* int_type_name(type_id t) {
  switch (t) {
    case type_id::int16:
      return "smallint";
    case type_id::int32:
      return "integer";
    default:
      return "bigint";
  }
}

void throw_int_out_of_range(type_id t) {
  throw db_error(sqlstate::numeric_value_out_of_range, std::string(int_type_name(t)) + " out of range");
}

void throw_int_syntax(std::string_view text, type_id t) {
  throw db_error(sqlstate::invalid_text_representation,
                 std::string("invalid input syntax for type ") + int_type_name(t) + ": \"" + std::string(text) + "\"");
}

void throw_int_text_range(std::string_view text, type_id t) {
  throw db_error(sqlstate::numeric_value_out_of_range,
                 "value \"" + std::string(text) + "\" is out of range for type " + int_type_name(t));
}

int64_t float_to_int(double d, type_id target) {
  const double r = std::rint(d);
  // NaN fails every comparison; 2^63 is exactly representable, INT64_MAX is not
  if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0)) throw_int_out_of_range(target);
  return check_int_range(int64_t(r), target);
}

// ---------------------------------------------------------------------------------------------
// Booleans and strings
// ---------------------------------------------------------------------------------------------

bool parse_bool(std::string_view text) {
  const char* p = text.data();
  const char* e = p + text.size();
  while (p < e && is_pg_space(*p)) ++p;
  while (e > p && is_pg_space(e[-1])) --e;
  const size_t n = size_t(e - p);
  auto prefix_of = [&](std::string_view word, size_t min_len) {
    if (n < min_len || n > word.size()) return false;
    for (size_t i = 0; i < n; ++i) {
      char c = p[i];
      if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
      if (c != word[i]) return false;
    }
    return true;
  };
  if (n > 0) {
    switch (p[0]) {
      case 't':
      case 'T':
        if (prefix_of("true", 1)) return true;
        break;
      case 'f':
      case 'F':
        if (prefix_of("false", 1)) return false;
        break;
      case 'y':
      case 'Y':
        if (prefix_of("yes", 1)) return true;
        break;
      case 'n':
      case 'N':
        if (prefix_of("no", 1)) return false;
        break;
      case 'o':
      case 'O':
        if (prefix_of("on", 2)) return true;
        if (prefix_of("off", 2)) return false;
        break;
      case '1':
        if (n == 1) return true;
        break;
      case '0':
        if (n == 1) return false;
        break;
      default:
        break;
    }
  }
  throw db_error(sqlstate::invalid_text_representation,
                 "invalid input syntax for type boolean: \"" + std::string(text) + "\"");
}

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

size_t utf8_prefix_bytes(std::string_view s, size_t n) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (chars == n) return i;
      ++chars;
    }
  }
  return s.size();
}

std::string_view rtrim_spaces(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && s[n - 1] == ' ') --n;
  return s.substr(0, n);
}

std::string apply_string_length(std::string_view s, sql_type target, cast_kind kind) {
  if ((target.id != type_id::varchar && target.id != type_id::bpchar) || target.width <= 0) return std::string(s);
  const size_t n = size_t(target.width);
  size_t len = s.size() <= n ? utf8_length(s) : 0;
  if (s.size() > n && (len = utf8_length(s)) > n) {
    const size_t cut = utf8_prefix_bytes(s, n);
    if (kind != cast_kind::explicit_) {
      for (size_t i = cut; i < s.size(); ++i)
        if (s[i] != ' ')
          throw db_error(sqlstate::string_data_right_truncation, "value too long for type " + target.name());
    }
    s = s.substr(0, cut);
    len = n;
  }
  std::string r(s);
  if (target.id == type_id::bpchar && len < n) r.append(n - len, ' ');
  return r;
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

std::string cast_to_text(const value& v) {
  switch (v.type().id) {
    case type_id::boolean:
      return std::string(bool_to_text(v.as_bool()));
    case type_id::bpchar:
      return std::string(rtrim_spaces(v.as_string()));
    default:
      return v.to_string();
  }
}

value parse_value(std::string_view text, sql_type target, cast_kind kind) {
  switch (target.id) {
    case type_id::null_:
      return value::null();
    case type_id::boolean:
      return value::boolean(parse_bool(text));
    case type_id::int16:
    case type_id::int32:
    case type_id::int64:
      return value::make_int(target, parse_int64(text, target.id));
    case type_id::float32:
      return value::float32(parse_float32(text));
    case type_id::float64:
      return value::float64(parse_float64(text));
    case type_id::numeric:
      if (target.width > 0)
        return value::numeric(parse_numeric(text, target.width, target.scale), target);
      else {
        const numeric_value n = parse_numeric(text);
        return value::numeric(n.unscaled, sql_type::numeric(-1, n.scale));
      }
    case type_id::text:
    case type_id::varchar:
    case type_id::bpchar:
    case type_id::unknown:
      return value::text(apply_string_length(text, target, kind), target);
    case type_id::date:
      return value::date(parse_date(text));
    case type_id::timestamp:
      return value::timestamp(parse_timestamp(text));
  }
  throw_cannot_cast(sql_type::text(), target);
}

namespace {
value cast_value_natural(const value& v, sql_type target, cast_kind kind) {
  const sql_type src = v.type();
  if (!cast_context(src, target)) throw_cannot_cast(src, target);
  if (v.is_null()) return value::null(target);
  const type_id from = src.id;
  switch (target.id) {
    case type_id::null_:
      return v;
    case type_id::text:
    case type_id::varchar:
    case type_id::bpchar:
    case type_id::unknown: {
      if (from == type_id::bpchar && target.id == type_id::bpchar)
        return value::text(apply_string_length(v.as_string(), target, kind), target);
      return value::text(apply_string_length(cast_to_text(v), target, kind), target);
    }
    default:
      break;
  }
  if (src.is_string()) return parse_value(v.as_string(), target, kind);
  switch (target.id) {
    case type_id::boolean:
      if (from == type_id::boolean) return v;
      return value::boolean(v.as_int() != 0);  // int4 -> bool
    case type_id::int16:
    case type_id::int32:
    case type_id::int64:
      if (from == type_id::boolean) return value::make_int(target, v.as_bool() ? 1 : 0);
      if (src.is_integer()) return value::make_int(target, check_int_range(v.as_int(), target.id));
      if (src.is_float()) return value::make_int(target, float_to_int(v.as_float(), target.id));
      if (src.is_numeric()) return value::make_int(target, numeric_to_int64(v.as_numeric(), src.scale, target.id));
      break;
    case type_id::float32:
      if (src.is_integer()) return value::float32(float(v.as_int()));
      if (from == type_id::float32) return value::float32(float(v.as_float()));
      if (from == type_id::float64) {
        const double d = v.as_float();
        const float f = float(d);
        if (std::isinf(f) && !std::isinf(d))
          throw db_error(sqlstate::numeric_value_out_of_range, "value out of range: overflow");
        if (f == 0.0f && d != 0.0)
          throw db_error(sqlstate::numeric_value_out_of_range, "value out of range: underflow");
        return value::float32(f);
      }
      if (src.is_numeric()) return value::float32(numeric_to_float(v.as_numeric(), src.scale));
      break;
    case type_id::float64:
      if (src.is_integer()) return value::float64(double(v.as_int()));
      if (src.is_float()) return value::float64(v.as_float());
      if (src.is_numeric()) return value::float64(numeric_to_double(v.as_numeric(), src.scale));
      break;
    case type_id::numeric: {
      const bool typmod = target.width > 0;
      if (src.is_integer()) {
        if (typmod) return value::numeric(numeric_from_int64(v.as_int(), target.width, target.scale), target);
        return value::numeric(v.as_int(), sql_type::numeric(-1, 0));
      }
      if (src.is_float()) {
        if (from == type_id::float32) {
          const float f = float(v.as_float());
          if (typmod) return value::numeric(numeric_from_float(f, target.width, target.scale), target);
          const numeric_value n = numeric_from_float(f);
          return value::numeric(n.unscaled, sql_type::numeric(-1, n.scale));
        }
        if (typmod) return value::numeric(numeric_from_double(v.as_float(), target.width, target.scale), target);
        const numeric_value n = numeric_from_double(v.as_float());
        return value::numeric(n.unscaled, sql_type::numeric(-1, n.scale));
      }
      if (src.is_numeric()) {
        if (typmod)
          return value::numeric(numeric_apply_typmod(v.as_numeric(), src.scale, target.width, target.scale), target);
        return value::numeric(v.as_numeric(), sql_type::numeric(-1, src.scale));
      }
      break;
    }
    case type_id::date:
      if (from == type_id::date) return v;
      if (from == type_id::timestamp) return value::date(timestamp_to_date(v.as_int()));
      break;
    case type_id::timestamp:
      if (from == type_id::timestamp) return v;
      if (from == type_id::date) return value::timestamp(date_to_timestamp(int32_t(v.as_int())));
      break;
    default:
      break;
  }
  throw_cannot_cast(src, target);
}
}  // namespace

value cast_value(const value& v, sql_type target, cast_kind kind) {
  value r = cast_value_natural(v, target, kind);
  // A plain NUMERIC with a scale chosen by the binder (numeric(-1, s), s >= 0) holds exactly
  // that scale; numeric(-1, -1) keeps the value's natural scale.
  if (target.id == type_id::numeric && target.width <= 0 && target.scale >= 0 && !r.is_null() &&
      r.type().scale != target.scale) {
    r = value::numeric(numeric_rescale(r.as_numeric(), r.type().scale, target.scale), target);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Type resolution
// ---------------------------------------------------------------------------------------------

void throw_cannot_cast(sql_type from, sql_type to) {
  throw db_error("42846", "cannot cast type " + from.name() + " to " + to.name());
}

type_category category_of(type_id t) {
  switch (t) {
    case type_id::boolean:
      return type_category::boolean;
    case type_id::int16:
    case type_id::int32:
    case type_id::int64:
    case type_id::float32:
    case type_id::float64:
    case type_id::numeric:
      return type_category::numeric;
    case type_id::text:
    case type_id::varchar:
    case type_id::bpchar:
      return type_category::string;
    case type_id::date:
    case type_id::timestamp:
      return type_category::datetime;
    case type_id::unknown:
    case type_id::null_:
      return type_category::unknown;
  }
  return type_category::unknown;
}

bool is_preferred_type(type_id t) { return t == type_id::float64 || t == type_id::text || t == type_id::boolean; }

namespace {
/// Position in the implicit numeric tower int2 < int4 < int8 < numeric < float4 < float8.
int numeric_rank(type_id t) {
  switch (t) {
    case type_id::int16:
      return 0;
    case type_id::int32:
      return 1;
    case type_id::int64:
      return 2;
    case type_id::numeric:
      return 3;
    case type_id::float32:
      return 4;
    case type_id::float64:
      return 5;
    default:
      return -1;
  }
}
bool is_string_id(type_id t) { return t == type_id::text || t == type_id::varchar || t == type_id::bpchar; }
}  // namespace

std::optional<cast_kind> cast_context(sql_type from, sql_type to) {
  const type_id f = from.id, t = to.id;
  if (f == t) return cast_kind::implicit;
  if (f == type_id::null_ || f == type_id::unknown) return cast_kind::implicit;
  if (t == type_id::null_ || t == type_id::unknown) return std::nullopt;
  if (is_string_id(t)) return is_string_id(f) ? cast_kind::implicit : cast_kind::assignment;
  if (is_string_id(f)) return cast_kind::explicit_;  // I/O conversion from a string type
  const int rf = numeric_rank(f), rt = numeric_rank(t);
  if (rf >= 0 && rt >= 0) return rt > rf ? cast_kind::implicit : cast_kind::assignment;
  if ((f == type_id::boolean && t == type_id::int32) || (f == type_id::int32 && t == type_id::boolean))
    return cast_kind::explicit_;
  if (f == type_id::date && t == type_id::timestamp) return cast_kind::implicit;
  if (f == type_id::timestamp && t == type_id::date) return cast_kind::assignment;
  return std::nullopt;
}

bool can_cast(sql_type from, sql_type to, cast_kind kind) {
  const auto c = cast_context(from, to);
  return c && static_cast<uint8_t>(*c) <= static_cast<uint8_t>(kind);
}

std::optional<sql_type> common_supertype(std::span<const sql_type> types) {
  auto norm = [](type_id t) { return t == type_id::null_ ? type_id::unknown : t; };
  type_id ptype = type_id::unknown;
  for (const sql_type& t : types) {
    const type_id n = norm(t.id);
    if (n == type_id::unknown || n == ptype) continue;
    if (ptype == type_id::unknown) {
      ptype = n;
    } else if (category_of(n) != category_of(ptype)) {
      return std::nullopt;
    } else if (!is_preferred_type(ptype) && cast_context(ptype, n) == cast_kind::implicit &&
               cast_context(n, ptype) != cast_kind::implicit) {
      ptype = n;
    }
  }
  if (ptype == type_id::unknown) return sql_type::text();
  bool same = true;
  int max_scale = 0;
  for (const sql_type& t : types) {
    if (cast_context(t, sql_type(ptype)) != cast_kind::implicit) return std::nullopt;
    if (!(t == types[0]) || t.id != ptype) same = false;
    if (t.id == type_id::numeric && t.scale > max_scale) max_scale = t.scale;
  }
  if (same) return types[0];
  if (ptype == type_id::numeric) return sql_type::numeric(-1, max_scale);
  return sql_type(ptype);
}

std::optional<sql_type> common_supertype(sql_type a, sql_type b) {
  const sql_type both[2] = {a, b};
  return common_supertype(std::span<const sql_type>(both, 2));
}

}  // namespace db001
