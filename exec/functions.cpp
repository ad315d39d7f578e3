#include "exec/functions.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <mutex>
#include <random>
#include <regex>
#include <unordered_map>

#include "exec/numeric_kernels.h"
#include "exec/value_ops.h"
#include "storage/cast.h"
#include "storage/error.h"

namespace db001::exec {

namespace {

using args_t = std::vector<value>;
using impl_t = std::function<value(const args_t&, const sql_type& ret)>;
using resolve_t = std::function<std::optional<function_resolution>(const std::vector<sql_type>&)>;

struct function_def {
  resolve_t resolve;
  impl_t impl;
  bool strict = true;  ///< NULL in any argument gives NULL without calling impl
};

/// Resolver: all arguments cast to `arg`, result `ret`.
resolve_t fixed(std::vector<sql_type> args, sql_type ret) {
  return [args, ret](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
    if (in.size() != args.size()) return std::nullopt;
    for (size_t i = 0; i < in.size(); ++i)
      if (!(in[i] == args[i]) && !can_cast(in[i], args[i], cast_kind::implicit)) return std::nullopt;
    return function_resolution{ret, args};
  };
}

/// Resolver: n..m text arguments (others cast to text), text result.
resolve_t text_fn(size_t min_args, size_t max_args, std::vector<sql_type> tail = {}, sql_type ret = sql_type::text()) {
  return [=](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
    if (in.size() < min_args || in.size() > max_args) return std::nullopt;
    function_resolution r{ret, {}};
    for (size_t i = 0; i < in.size(); ++i) {
      sql_type want = (i == 0 || tail.empty()) ? sql_type::text() : tail[std::min(i - 1, tail.size() - 1)];
      if (!can_cast(in[i], want, cast_kind::implicit) && !(i == 0 && in[i].is_string())) return std::nullopt;
      r.arg_types.push_back(want);
    }
    return r;
  };
}

/// Resolver of octet_length: character(n) is taken as it is, so its padding counts ("since
/// this version of the function accepts type character directly, it will not strip trailing
/// spaces", PostgreSQL's manual); other arguments as text_fn.
resolve_t octet_length_fn() {
  resolve_t text = text_fn(1, 1, {}, sql_type::int32());
  return [=](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
    if (in.size() == 1 && in[0].id == type_id::bpchar) return function_resolution{sql_type::int32(), {in[0]}};
    return text(in);
  };
}

/// Resolver: one numeric-family argument, same type result (abs, ceil, floor, sign...).
resolve_t same_number(bool float_only = false) {
  return [=](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
    if (in.size() != 1) return std::nullopt;
    sql_type t = in[0];
    if (t.id == type_id::unknown || t.id == type_id::null_) t = sql_type::float64();
    if (!t.is_number()) return std::nullopt;
    if (float_only && !t.is_float()) t = t.is_numeric() ? sql_type::numeric(-1, t.scale) : sql_type::float64();
    return function_resolution{t, {t}};
  };
}

double num(const value& v) { return v.to_double(); }

value from_double(double d, const sql_type& ret) {
  if (ret.is_float()) return value::make_float(ret, d);
  return cast_value(value::float64(d), ret, cast_kind::explicit_);
}

std::string_view sv(const value& v) { return v.as_string(); }

std::string substr_chars(std::string_view s, int64_t start, std::optional<int64_t> len) {
  // PostgreSQL: characters [start, start+len) with 1-based start, may start before 1.
  int64_t end = len ? start + *len : INT64_MAX;
  if (len && *len < 0) throw db_error(sqlstate::invalid_parameter_value, "negative substring length not allowed");
  int64_t b = std::max<int64_t>(start, 1);
  if (end <= b) return "";
  size_t from = utf8_prefix_bytes(s, size_t(b - 1));
  size_t to = end == INT64_MAX ? s.size() : utf8_prefix_bytes(s, size_t(end - 1));
  return std::string(s.substr(from, to > from ? to - from : 0));
}

std::string trim_chars(std::string_view s, std::string_view chars, bool left, bool right) {
  size_t b = 0, e = s.size();
  if (left)
    while (b < e && chars.find(s[b]) != std::string_view::npos) ++b;
  if (right)
    while (e > b && chars.find(s[e - 1]) != std::string_view::npos) --e;
  return std::string(s.substr(b, e - b));
}

std::string pad(std::string_view s, int64_t len, std::string_view fill, bool left) {
  if (len <= 0) return "";
  if (len > (int64_t(1) << 28)) throw db_error(sqlstate::program_limit_exceeded, "requested length too large");
  size_t have = utf8_length(s);
  if (have >= size_t(len)) return std::string(s.substr(0, utf8_prefix_bytes(s, size_t(len))));
  if (fill.empty()) return std::string(s);
  std::string padding;
  size_t need = size_t(len) - have;
  for (size_t i = 0; i < need; ++i) padding.push_back(fill[i % fill.size()]);
  return left ? padding + std::string(s) : std::string(s) + padding;
}

value numeric_round(const value& v, int64_t digits, const sql_type& ret, bool truncate) {
  int s = v.type().scale;
  int128_t x = v.as_numeric();
  int target = int(std::clamp<int64_t>(digits, -38, 38));
  if (target >= s) return value::numeric(rescale128(x, s, std::max(target, 0)), ret);
  int drop = s - target;
  int128_t p = drop > 38 ? 0 : pow10_128(drop);
  int128_t q = p ? x / p : 0, rem = p ? x % p : x;
  if (!truncate) {
    if (rem < 0) rem = -rem;
    if (p && rem * 2 >= p) q += x < 0 ? -1 : 1;
  }
  // Back to the result scale max(target, 0).
  int128_t r = target >= 0 ? q : q * pow10_128(-target);
  return value::numeric(r, ret);
}

/// A compiled regular expression per (pattern, flags), cached per thread.
const std::regex& cached_regex(std::string_view pattern, bool icase) {
  thread_local std::unordered_map<std::string, std::regex> cache;
  std::string key = std::string(icase ? "i:" : "c:") + std::string(pattern);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() > 256) cache.clear();
  try {
    auto flags = std::regex::ECMAScript | (icase ? std::regex::icase : std::regex::ECMAScript);
    return cache.emplace(key, std::regex(std::string(pattern), flags)).first->second;
  } catch (const std::regex_error& e) {
    throw db_error("2201B", "invalid regular expression: " + std::string(e.what()));
  }
}

value regex_fn(const args_t& a, bool icase, bool negate) {
  bool m = std::regex_search(std::string(sv(a[0])), cached_regex(sv(a[1]), icase));
  return value::boolean(m != negate);
}

/// Resolver: any argument types (cast to `args`, padded with the last), fixed result.
resolve_t loose(std::vector<sql_type> args, sql_type ret, size_t min_n, size_t max_n) {
  return [=](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
    if (in.size() < min_n || in.size() > max_n) return std::nullopt;
    function_resolution r{ret, {}};
    for (size_t i = 0; i < in.size(); ++i) r.arg_types.push_back(args[std::min(i, args.size() - 1)]);
    return r;
  };
}

/// Resolver: n..m arguments of any type (kept as they are; unknown becomes text), fixed result.
resolve_t any_args(sql_type ret, size_t min_n, size_t max_n) {
  return [=](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
    if (in.size() < min_n || in.size() > max_n) return std::nullopt;
    function_resolution r{ret, {}};
    for (auto& t : in) r.arg_types.push_back(t.id == type_id::unknown || t.id == type_id::null_ ? sql_type::text() : t);
    return r;
  };
}

std::string quote_ident(std::string_view s) {
  static const char* reserved[] = {"all",          "analyse",
                                   "analyze",      "and",
                                   "any",          "array",
                                   "as",           "asc",
                                   "asymmetric",   "both",
                                   "case",         "cast",
                                   "check",        "collate",
                                   "column",       "constraint",
                                   "create",       "current_catalog",
                                   "current_date", "current_role",
                                   "current_time", "current_timestamp",
                                   "current_user", "default",
                                   "deferrable",   "desc",
                                   "distinct",     "do",
                                   "else",         "end",
                                   "except",       "false",
                                   "fetch",        "for",
                                   "foreign",      "from",
                                   "grant",        "group",
                                   "having",       "in",
                                   "initially",    "intersect",
                                   "into",         "lateral",
                                   "leading",      "limit",
                                   "localtime",    "localtimestamp",
                                   "not",          "null",
                                   "offset",       "on",
                                   "only",         "or",
                                   "order",        "placing",
                                   "primary",      "references",
                                   "returning",    "select",
                                   "session_user", "some",
                                   "symmetric",    "table",
                                   "then",         "to",
                                   "trailing",     "true",
                                   "union",        "unique",
                                   "user",         "using",
                                   "variadic",     "when",
                                   "where",        "window",
                                   "with"};
  bool safe = !s.empty() && ((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_');
  for (char c : s) safe &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
  if (safe)
    for (auto* r : reserved) safe &= s != r;
  if (safe) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string size_pretty(int64_t size) {
  // PostgreSQL: bytes below 10 kB, then kB, MB, GB, TB rounded half up.
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  int64_t limit = 10 * 1024, limit2 = limit * 2 - 1;
  if (std::llabs(size) < limit) return std::to_string(size) + " bytes";
  size >>= 9;  // keep one extra bit for rounding
  int u = 1;
  while (std::llabs(size) >= limit2 && u < 5) {
    size >>= 10;
    ++u;
  }
  size = (size + (size < 0 ? 0 : 1)) / 2;
  return std::to_string(size) + " " + units[u];
}

const std::unordered_map<std::string, function_def>& registry() {
  static const std::unordered_map<std::string, function_def> fns = [] {
    std::unordered_map<std::string, function_def> m;
    auto add = [&](std::vector<std::string> names, function_def d) {
      for (auto& n : names) m[n] = d;
    };
    add({"abs"}, {same_number(), [](const args_t& a, const sql_type& t) {
                    const value& v = a[0];
                    if (t.is_numeric()) {
                      int128_t x = v.as_numeric();
                      return value::numeric(x < 0 ? -x : x, t);
                    }
                    if (t.is_float()) return value::make_float(t, std::fabs(v.as_float()));
                    int64_t x = v.as_int();
                    if (x == (t.id == type_id::int16 ? INT16_MIN : t.id == type_id::int32 ? INT32_MIN : INT64_MIN))
                      throw db_error(sqlstate::numeric_value_out_of_range,
                                     std::string(t.id == type_id::int16 ? "smallint" : t.id == type_id::int32 ? "integer" : "bigint") +
                                         " out of range");
                    return value::make_int(t, x < 0 ? -x : x);
                  }});
    auto ceil_floor = [&](bool up) {
      return function_def{[](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
                            if (in.size() != 1) return std::nullopt;
                            sql_type t = in[0];
                            if (t.id == type_id::unknown || t.is_float()) return function_resolution{sql_type::float64(), {sql_type::float64()}};
                            if (t.is_integer()) return function_resolution{sql_type::float64(), {sql_type::float64()}};
                            if (t.is_numeric()) return function_resolution{sql_type::numeric(-1, 0), {t}};
                            return std::nullopt;
                          },
                          [up](const args_t& a, const sql_type& t) {
                            if (t.is_numeric()) {
                              int s = a[0].type().scale;
                              int128_t x = a[0].as_numeric(), p = pow10_128(s);
                              int128_t q = x / p;
                              if (x % p != 0 && ((x > 0) == up)) q += up ? 1 : -1;
                              return value::numeric(q, t);
                            }
                            double d = a[0].as_float();
                            return value::float64(up ? std::ceil(d) : std::floor(d));
                          }};
    };
    add({"ceil", "ceiling"}, ceil_floor(true));
    add({"floor"}, ceil_floor(false));
    auto round_fn = [&](bool trunc) {
      return function_def{[](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
                            if (in.empty() || in.size() > 2) return std::nullopt;
                            sql_type t = in[0];
                            if (in.size() == 2) {
                              if (t.is_float()) return std::nullopt;
                              sql_type n = t.is_numeric() ? sql_type::numeric(-1, t.scale) : sql_type::numeric();
                              return function_resolution{sql_type::numeric(), {n, sql_type::int32()}};
                            }
                            if (t.is_numeric()) return function_resolution{sql_type::numeric(-1, 0), {t}};
                            if (t.is_number() || t.id == type_id::unknown)
                              return function_resolution{sql_type::float64(), {sql_type::float64()}};
                            return std::nullopt;
                          },
                          [trunc](const args_t& a, const sql_type& t) {
                            if (a[0].type().is_numeric()) {
                              int64_t d = a.size() == 2 ? a[1].as_int() : 0;
                              sql_type rt = sql_type::numeric(-1, int(std::clamp<int64_t>(d, 0, 38)));
                              return numeric_round(a[0], d, rt, trunc);
                            }
                            double d = a[0].as_float();
                            return value::float64(trunc ? std::trunc(d) : std::nearbyint(d));
                          }};
    };
    add({"round"}, round_fn(false));
    add({"trunc"}, round_fn(true));
    add({"sign"}, {same_number(), [](const args_t& a, const sql_type& t) {
                     double d = num(a[0]);
                     return from_double(d > 0 ? 1 : d < 0 ? -1 : 0, t);
                   }});
    add({"sqrt"}, {fixed({sql_type::float64()}, sql_type::float64()), [](const args_t& a, const sql_type&) {
                     double d = a[0].as_float();
                     if (d < 0)
                       throw db_error("2201F", "cannot take square root of a negative number");
                     return value::float64(std::sqrt(d));
                   }});
    add({"power", "pow"}, {fixed({sql_type::float64(), sql_type::float64()}, sql_type::float64()),
                           [](const args_t& a, const sql_type&) {
                             double x = a[0].as_float(), y = a[1].as_float();
                             if (x == 0 && y < 0)
                               throw db_error("2201F", "zero raised to a negative power is undefined");
                             if (x < 0 && std::floor(y) != y)
                               throw db_error("2201F", "a negative number raised to a non-integer power yields a complex result");
                             double r = std::pow(x, y);
                             if (std::isinf(r) && !std::isinf(x) && !std::isinf(y))
                               throw db_error(sqlstate::numeric_value_out_of_range, "value out of range: overflow");
                             if (r == 0 && x != 0 && !std::isinf(x) && !std::isinf(y))
                               throw db_error(sqlstate::numeric_value_out_of_range, "value out of range: underflow");
                             return value::float64(r);
                           }});
    add({"exp"}, {fixed({sql_type::float64()}, sql_type::float64()), [](const args_t& a, const sql_type&) {
                    double x = a[0].as_float(), r = std::exp(x);
                    if (std::isinf(r) && !std::isinf(x))
                      throw db_error(sqlstate::numeric_value_out_of_range, "value out of range: overflow");
                    if (r == 0 && !std::isinf(x))
                      throw db_error(sqlstate::numeric_value_out_of_range, "value out of range: underflow");
                    return value::float64(r);
                  }});
    add({"ln"}, {fixed({sql_type::float64()}, sql_type::float64()), [](const args_t& a, const sql_type&) {
                   double d = a[0].as_float();
                   if (d <= 0) throw db_error("2201E", d == 0 ? "cannot take logarithm of zero" : "cannot take logarithm of a negative number");
                   return value::float64(std::log(d));
                 }});
    add({"log", "log10"}, {fixed({sql_type::float64()}, sql_type::float64()), [](const args_t& a, const sql_type&) {
                             double d = a[0].as_float();
                             if (d <= 0) throw db_error("2201E", d == 0 ? "cannot take logarithm of zero" : "cannot take logarithm of a negative number");
                             return value::float64(std::log10(d));
                           }});
    add({"pi"}, {fixed({}, sql_type::float64()), [](const args_t&, const sql_type&) { return value::float64(M_PI); }});
    add({"random"}, {fixed({}, sql_type::float64()), [](const args_t&, const sql_type&) {
                       thread_local std::mt19937_64 gen{std::random_device{}()};
                       return value::float64(std::uniform_real_distribution<double>(0, 1)(gen));
                     }});
    add({"mod"}, {[](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
                    if (in.size() != 2) return std::nullopt;
                    for (auto& t : in)
                      if (!t.is_integer() && !t.is_numeric() && t.id != type_id::unknown) return std::nullopt;
                    if (in[0].is_numeric() || in[1].is_numeric())
                      return function_resolution{sql_type::numeric(), {sql_type::numeric(), sql_type::numeric()}};
                    return function_resolution{sql_type::int64(), {sql_type::int64(), sql_type::int64()}};
                  },
                  [](const args_t& a, const sql_type& t) {
                    if (t.is_numeric()) {
                      int s = std::max(a[0].type().scale, a[1].type().scale);
                      int128_t x = rescale128(a[0].as_numeric(), a[0].type().scale, s);
                      int128_t y = rescale128(a[1].as_numeric(), a[1].type().scale, s);
                      if (y == 0) throw db_error(sqlstate::division_by_zero, "division by zero");
                      return value::numeric(x % y, sql_type::numeric(-1, s));
                    }
                    int64_t y = a[1].as_int();
                    if (y == 0) throw db_error(sqlstate::division_by_zero, "division by zero");
                    return value::int64(y == -1 ? 0 : a[0].as_int() % y);
                  }});
    add({"lower"}, {text_fn(1, 1), [](const args_t& a, const sql_type&) {
                      std::string s(sv(a[0]));
                      for (auto& c : s) c = char(std::tolower((unsigned char)c));
                      return value::text(s);
                    }});
    add({"upper"}, {text_fn(1, 1), [](const args_t& a, const sql_type&) {
                      std::string s(sv(a[0]));
                      for (auto& c : s) c = char(std::toupper((unsigned char)c));
                      return value::text(s);
                    }});
    add({"initcap"}, {text_fn(1, 1), [](const args_t& a, const sql_type&) {
                        std::string s(sv(a[0]));
                        bool start = true;
                        for (auto& c : s) {
                          c = char(start ? std::toupper((unsigned char)c) : std::tolower((unsigned char)c));
                          start = !std::isalnum((unsigned char)c);
                        }
                        return value::text(s);
                      }});
    add({"length", "char_length", "character_length"},
        {text_fn(1, 1, {}, sql_type::int32()),
         [](const args_t& a, const sql_type&) { return value::int32(int32_t(utf8_length(sv(a[0])))); }});
    add({"octet_length"}, {octet_length_fn(),
                           [](const args_t& a, const sql_type&) { return value::int32(int32_t(sv(a[0]).size())); }});
    add({"substr", "substring"}, {text_fn(2, 3, {sql_type::int64()}), [](const args_t& a, const sql_type&) {
                                    std::optional<int64_t> len;
                                    if (a.size() == 3) len = a[2].as_int();
                                    return value::text(substr_chars(sv(a[0]), a[1].as_int(), len));
                                  }});
    add({"left"}, {text_fn(2, 2, {sql_type::int32()}), [](const args_t& a, const sql_type&) {
                     std::string_view s = sv(a[0]);
                     int64_t n = a[1].as_int();
                     size_t len = utf8_length(s);
                     size_t keep = n >= 0 ? std::min<size_t>(size_t(n), len) : (size_t(-n) >= len ? 0 : len - size_t(-n));
                     return value::text(std::string(s.substr(0, utf8_prefix_bytes(s, keep))));
                   }});
    add({"right"}, {text_fn(2, 2, {sql_type::int32()}), [](const args_t& a, const sql_type&) {
                      std::string_view s = sv(a[0]);
                      int64_t n = a[1].as_int();
                      size_t len = utf8_length(s);
                      size_t keep = n >= 0 ? std::min<size_t>(size_t(n), len) : (size_t(-n) >= len ? 0 : len - size_t(-n));
                      return value::text(std::string(s.substr(utf8_prefix_bytes(s, len - keep))));
                    }});
    add({"btrim", "trim"}, {text_fn(1, 2), [](const args_t& a, const sql_type&) {
                              return value::text(trim_chars(sv(a[0]), a.size() > 1 ? sv(a[1]) : " ", true, true));
                            }});
    add({"ltrim"}, {text_fn(1, 2), [](const args_t& a, const sql_type&) {
                      return value::text(trim_chars(sv(a[0]), a.size() > 1 ? sv(a[1]) : " ", true, false));
                    }});
    add({"rtrim"}, {text_fn(1, 2), [](const args_t& a, const sql_type&) {
                      return value::text(trim_chars(sv(a[0]), a.size() > 1 ? sv(a[1]) : " ", false, true));
                    }});
    add({"replace"}, {text_fn(3, 3), [](const args_t& a, const sql_type&) {
                        std::string s(sv(a[0]));
                        std::string_view from = sv(a[1]), to = sv(a[2]);
                        if (from.empty()) return value::text(s);
                        std::string out;
                        size_t pos = 0, hit;
                        while ((hit = s.find(from, pos)) != std::string::npos) {
                          out.append(s, pos, hit - pos);
                          out.append(to);
                          pos = hit + from.size();
                        }
                        out.append(s, pos);
                        return value::text(out);
                      }});
    add({"strpos", "position"}, {text_fn(2, 2, {}, sql_type::int32()), [](const args_t& a, const sql_type&) {
                                   std::string_view s = sv(a[0]);
                                   size_t hit = s.find(sv(a[1]));
                                   return value::int32(hit == std::string_view::npos ? 0 : int32_t(utf8_length(s.substr(0, hit)) + 1));
                                 }});
    add({"repeat"}, {text_fn(2, 2, {sql_type::int32()}), [](const args_t& a, const sql_type&) {
                       std::string out;
                       int64_t n = a[1].as_int();
                       if (n > 0 && sv(a[0]).size() * size_t(n) > (size_t(1) << 30))
                         throw db_error(sqlstate::program_limit_exceeded, "requested length too large");
                       for (int64_t i = 0; i < n; ++i) out.append(sv(a[0]));
                       return value::text(out);
                     }});
    add({"reverse"}, {text_fn(1, 1), [](const args_t& a, const sql_type&) {
                        std::string s(sv(a[0]));
                        std::reverse(s.begin(), s.end());
                        return value::text(s);
                      }});
    add({"lpad"}, {text_fn(2, 3, {sql_type::int32(), sql_type::text()}), [](const args_t& a, const sql_type&) {
                     return value::text(pad(sv(a[0]), a[1].as_int(), a.size() > 2 ? sv(a[2]) : " ", true));
                   }});
    add({"rpad"}, {text_fn(2, 3, {sql_type::int32(), sql_type::text()}), [](const args_t& a, const sql_type&) {
                     return value::text(pad(sv(a[0]), a[1].as_int(), a.size() > 2 ? sv(a[2]) : " ", false));
                   }});
    add({"split_part"}, {text_fn(3, 3, {sql_type::text(), sql_type::int32()}), [](const args_t& a, const sql_type&) {
                           std::string_view s = sv(a[0]), d = sv(a[1]);
                           int64_t n = a[2].as_int();
                           if (n == 0) throw db_error(sqlstate::invalid_parameter_value, "field position must not be zero");
                           std::vector<std::string_view> parts;
                           if (d.empty()) {
                             parts.push_back(s);
                           } else {
                             size_t pos = 0, hit;
                             while ((hit = s.find(d, pos)) != std::string_view::npos) {
                               parts.push_back(s.substr(pos, hit - pos));
                               pos = hit + d.size();
                             }
                             parts.push_back(s.substr(pos));
                           }
                           int64_t idx = n > 0 ? n - 1 : int64_t(parts.size()) + n;
                           if (idx < 0 || idx >= int64_t(parts.size())) return value::text("");
                           return value::text(std::string(parts[size_t(idx)]));
                         }});
    add({"ascii"}, {text_fn(1, 1, {}, sql_type::int32()), [](const args_t& a, const sql_type&) {
                      auto s = sv(a[0]);
                      return value::int32(s.empty() ? 0 : int32_t((unsigned char)s[0]));
                    }});
    add({"chr"}, {fixed({sql_type::int32()}, sql_type::text()), [](const args_t& a, const sql_type&) {
                    int64_t c = a[0].as_int();
                    if (c <= 0 || c > 0x10FFFF)
                      throw db_error(sqlstate::program_limit_exceeded, "requested character too large for encoding: " + std::to_string(c));
                    std::string out;
                    if (c < 0x80) {
                      out.push_back(char(c));
                    } else if (c < 0x800) {
                      out.push_back(char(0xC0 | (c >> 6)));
                      out.push_back(char(0x80 | (c & 0x3F)));
                    } else if (c < 0x10000) {
                      out.push_back(char(0xE0 | (c >> 12)));
                      out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
                      out.push_back(char(0x80 | (c & 0x3F)));
                    } else {
                      out.push_back(char(0xF0 | (c >> 18)));
                      out.push_back(char(0x80 | ((c >> 12) & 0x3F)));
                      out.push_back(char(0x80 | ((c >> 6) & 0x3F)));
                      out.push_back(char(0x80 | (c & 0x3F)));
                    }
                    return value::text(out);
                  }});
    // concat / concat_ws ignore NULL arguments (not strict).
    add({"concat"}, {[](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
                       return function_resolution{sql_type::text(), std::vector<sql_type>(in.size(), sql_type::text())};
                     },
                     [](const args_t& a, const sql_type&) {
                       std::string out;
                       for (auto& v : a)
                         if (!v.is_null()) out += v.as_string();
                       return value::text(out);
                     },
                     false});
    add({"concat_ws"}, {[](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
                          if (in.empty()) return std::nullopt;
                          return function_resolution{sql_type::text(), std::vector<sql_type>(in.size(), sql_type::text())};
                        },
                        [](const args_t& a, const sql_type&) {
                          if (a[0].is_null()) return value::null(sql_type::text());
                          std::string out;
                          bool first = true;
                          for (size_t i = 1; i < a.size(); ++i) {
                            if (a[i].is_null()) continue;
                            if (!first) out += a[0].as_string();
                            out += a[i].as_string();
                            first = false;
                          }
                          return value::text(out);
                        },
                        false});
    auto extreme = [&](bool greatest) {
      return function_def{[](const std::vector<sql_type>& in) -> std::optional<function_resolution> {
                            if (in.empty()) return std::nullopt;
                            auto t = common_supertype(std::span<const sql_type>(in));
                            if (!t) return std::nullopt;
                            return function_resolution{*t, std::vector<sql_type>(in.size(), *t)};
                          },
                          [greatest](const args_t& a, const sql_type& t) {
                            const value* best = nullptr;
                            for (auto& v : a) {
                              if (v.is_null()) continue;
                              if (!best || (greatest ? compare_values(v, *best) > 0 : compare_values(v, *best) < 0)) best = &v;
                            }
                            return best ? *best : value::null(t);
                          },
                          false};
    };
    add({"greatest"}, extreme(true));
    add({"least"}, extreme(false));
    add({"version"}, {fixed({}, sql_type::text()), [](const args_t&, const sql_type&) {
                        return value::text("PostgreSQL 15.0 (DB-001 0.1.0) on x86_64-pc-linux-gnu, compiled by g++ 12, 64-bit");
                      }});
    add({"now", "current_timestamp", "localtimestamp", "statement_timestamp", "transaction_timestamp"},
        {fixed({}, sql_type::timestamp()), [](const args_t&, const sql_type&) {
           auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
           return value::timestamp(us - 946684800LL * 1000000);  // PostgreSQL epoch 2000-01-01
         }});
    add({"current_date"}, {fixed({}, sql_type::date()), [](const args_t&, const sql_type&) {
                             auto s = std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch()).count();
                             return value::date(int32_t(s / 86400 - 10957));
                           }});

    // --- pg_catalog functions that psql and other clients call ---
    add({"textregexeq", "__regex_match"}, {fixed({sql_type::text(), sql_type::text()}, sql_type::boolean()),
                                           [](const args_t& a, const sql_type&) { return regex_fn(a, false, false); }});
    add({"textregexne", "__regex_not_match"},
        {fixed({sql_type::text(), sql_type::text()}, sql_type::boolean()),
         [](const args_t& a, const sql_type&) { return regex_fn(a, false, true); }});
    add({"texticregexeq", "__regex_imatch"},
        {fixed({sql_type::text(), sql_type::text()}, sql_type::boolean()),
         [](const args_t& a, const sql_type&) { return regex_fn(a, true, false); }});
    add({"texticregexne", "__regex_not_imatch"},
        {fixed({sql_type::text(), sql_type::text()}, sql_type::boolean()),
         [](const args_t& a, const sql_type&) { return regex_fn(a, true, true); }});
    add({"format_type"},
        {loose({sql_type::int64(), sql_type::int32()}, sql_type::text(), 2, 2),
         [](const args_t& a, const sql_type&) {
           if (a[0].is_null()) return value::null(sql_type::text());
           return value::text(format_type_name(a[0].as_int(), a[1].is_null() ? -1 : int32_t(a[1].as_int())));
         },
         false});
    // Expressions are stored as their text: pg_get_expr returns it as is.
    add({"pg_get_expr"}, {loose({sql_type::text(), sql_type::int64(), sql_type::boolean()}, sql_type::text(), 2, 3),
                          [](const args_t& a, const sql_type&) { return a[0]; }});
    add({"pg_table_is_visible", "pg_type_is_visible", "pg_function_is_visible"},
        {loose({sql_type::int64()}, sql_type::boolean(), 1, 1),
         [](const args_t&, const sql_type&) { return value::boolean(true); }});
    add({"pg_relation_is_publishable"}, {loose({sql_type::int64()}, sql_type::boolean(), 1, 1),
                                         [](const args_t&, const sql_type&) { return value::boolean(false); }});
    add({"col_description"}, {any_args(sql_type::text(), 2, 2),
                              [](const args_t&, const sql_type&) { return value::null(sql_type::text()); }, false});
    add({"obj_description", "shobj_description", "pg_get_statisticsobjdef_columns", "pg_get_ruledef",
         "pg_get_triggerdef", "pg_get_functiondef"},
        {any_args(sql_type::text(), 1, 2), [](const args_t&, const sql_type&) { return value::null(sql_type::text()); },
         false});
    add({"has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_column_privilege",
         "has_function_privilege", "pg_has_role"},
        {loose({sql_type::text()}, sql_type::boolean(), 2, 4),
         [](const args_t&, const sql_type&) { return value::boolean(true); }});
    add({"pg_encoding_to_char"}, {fixed({sql_type::int32()}, sql_type::text()), [](const args_t& a, const sql_type&) {
                                    int64_t e = a[0].as_int();
                                    return value::text(e == 6 ? "UTF8" : e == 0 ? "SQL_ASCII" : "");
                                  }});
    add({"pg_char_to_encoding"}, {fixed({sql_type::text()}, sql_type::int32()), [](const args_t& a, const sql_type&) {
                                    std::string e(sv(a[0]));
                                    return value::int32(e == "UTF8" || e == "utf8" ? 6 : e == "SQL_ASCII" ? 0 : -1);
                                  }});
    add({"quote_ident"},
        {text_fn(1, 1), [](const args_t& a, const sql_type&) { return value::text(quote_ident(sv(a[0]))); }});
    add({"quote_literal"}, {text_fn(1, 1), [](const args_t& a, const sql_type&) {
                              std::string s(sv(a[0])), out = "'";
                              bool backslash = s.find('\\') != std::string::npos;
                              for (char c : s) {
                                if (c == '\'' || c == '\\') out += c;
                                out += c;
                              }
                              return value::text((backslash ? "E" : "") + out + "'");
                            }});
    add({"pg_size_pretty"}, {fixed({sql_type::int64()}, sql_type::text()),
                             [](const args_t& a, const sql_type&) { return value::text(size_pretty(a[0].as_int())); }});
    add({"current_schemas"}, {fixed({sql_type::boolean()}, sql_type::text()), [](const args_t& a, const sql_type&) {
                                return value::text(a[0].as_bool() ? "{pg_catalog,public}" : "{public}");
                              }});
    add({"array_to_string"}, {text_fn(2, 3), [](const args_t& a, const sql_type&) {
                                std::string out;
                                bool first = true;
                                for (auto& e : parse_text_array(sv(a[0]))) {
                                  if (!e && a.size() < 3) continue;
                                  if (!first) out += sv(a[1]);
                                  out += e ? *e : std::string(sv(a[2]));
                                  first = false;
                                }
                                return value::text(out);
                              }});
    add({"array_position"}, {text_fn(2, 2, {}, sql_type::int32()),
                             [](const args_t& a, const sql_type&) {
                               auto elems = parse_text_array(sv(a[0]));
                               for (size_t i = 0; i < elems.size(); ++i)
                                 if (elems[i] && *elems[i] == sv(a[1])) return value::int32(int32_t(i + 1));
                               return value::null(sql_type::int32());
                             },
                             false});
    add({"array_upper", "array_length"},
        {text_fn(2, 2, {sql_type::int32()}, sql_type::int32()), [](const args_t& a, const sql_type&) {
           auto n = parse_text_array(sv(a[0])).size();
           if (n == 0 || a[1].as_int() != 1) return value::null(sql_type::int32());
           return value::int32(int32_t(n));
         }});
    add({"array_lower"}, {text_fn(2, 2, {sql_type::int32()}, sql_type::int32()), [](const args_t& a, const sql_type&) {
                            if (parse_text_array(sv(a[0])).empty() || a[1].as_int() != 1)
                              return value::null(sql_type::int32());
                            return value::int32(1);
                          }});
    add({"cardinality"}, {text_fn(1, 1, {}, sql_type::int32()), [](const args_t& a, const sql_type&) {
                            return value::int32(int32_t(parse_text_array(sv(a[0])).size()));
                          }});
    add({"__array_subscript"}, {text_fn(2, 2, {sql_type::int32()}), [](const args_t& a, const sql_type&) {
                                  auto elems = parse_text_array(sv(a[0]));
                                  int64_t i = a[1].as_int();
                                  if (i < 1 || i > int64_t(elems.size()) || !elems[size_t(i - 1)])
                                    return value::null(sql_type::text());
                                  return value::text(*elems[size_t(i - 1)]);
                                }});
    add({"__array_cat"}, {text_fn(2, 2, {sql_type::text()}),
                          [](const args_t& a, const sql_type&) {
                            if (a[0].is_null()) return a[1].is_null() ? value::null(sql_type::text()) : a[1];
                            if (a[1].is_null()) return a[0];
                            auto x = parse_text_array(sv(a[0])), y = parse_text_array(sv(a[1]));
                            x.insert(x.end(), y.begin(), y.end());
                            return value::text(format_text_array(x));
                          },
                          false});
    // elem = ANY(array): three-valued like PostgreSQL (NULL if no match and a NULL element).
    add({"__any_eq"}, {text_fn(2, 2, {sql_type::text()}, sql_type::boolean()), [](const args_t& a, const sql_type&) {
                         bool null_seen = false;
                         for (auto& e : parse_text_array(sv(a[1]))) {
                           if (!e)
                             null_seen = true;
                           else if (*e == sv(a[0]))
                             return value::boolean(true);
                         }
                         return null_seen ? value::null(sql_type::boolean()) : value::boolean(false);
                       }});
    // A catalog lookup made at bind time: args key, k1, v1, k2, v2, ..., mode (0: NULL,
    // 1: "unknown (OID=key)", 2: key as text) for keys not listed.
    add({"__map_lookup"}, {loose({sql_type::int64()}, sql_type::text(), 2, 100000),
                           [](const args_t& a, const sql_type&) {
                             if (a[0].is_null()) return value::null(sql_type::text());
                             int64_t k = a[0].as_int();
                             for (size_t i = 1; i + 1 < a.size(); i += 2)
                               if (a[i].as_int() == k) return a[i + 1];
                             int64_t mode = a.back().as_int();
                             if (mode == 1) return value::text("unknown (OID=" + std::to_string(k) + ")");
                             if (mode == 2) return value::text(std::to_string(k));
                             return value::null(sql_type::text());
                           },
                           false});
    return m;
  }();
  return fns;
}

}  // namespace

bool is_strict_function(const std::string& name) {
  auto& r = registry();
  auto it = r.find(name);
  return it == r.end() || it->second.strict;
}

bool is_aggregate_function(const std::string& name) {
  return name == "count" || name == "sum" || name == "avg" || name == "min" || name == "max" || name == "bool_and" ||
         name == "bool_or" || name == "every" || name == "string_agg";
}

std::optional<function_resolution> resolve_function(const std::string& name, const std::vector<sql_type>& args) {
  auto& r = registry();
  auto it = r.find(name);
  if (it == r.end()) return std::nullopt;
  return it->second.resolve(args);
}

vector call_function(const expr& e, const std::vector<vector>& args, uint32_t n, exec_ctx& ctx) {
  auto& r = registry();
  auto it = r.find(e.name);
  if (it == r.end()) throw db_error(sqlstate::undefined_function, "function " + e.name + " does not exist");
  const function_def& f = it->second;
  vector_writer w(e.type, n);
  std::vector<value> vals(args.size());
  for (uint32_t i = 0; i < n; ++i) {
    bool any_null = false;
    for (size_t k = 0; k < args.size(); ++k) {
      vals[k] = get_value(args[k], i);
      any_null |= vals[k].is_null();
    }
    if (f.strict && any_null) {
      w.set_null(i);
      continue;
    }
    value x = f.impl(vals, e.type);
    if (!(x.type() == e.type) && !x.is_null()) x = cast_value(x, e.type, cast_kind::explicit_);
    if (x.is_null()) {
      w.set_null(i);
      continue;
    }
    write_value(w, e.type, i, x);
  }
  return w.finish(true);
}

std::vector<std::optional<std::string>> parse_text_array(std::string_view s) {
  std::vector<std::optional<std::string>> out;
  size_t i = 0;
  auto bad = [&]() -> std::vector<std::optional<std::string>> {
    throw db_error("22P02", "malformed array literal: \"" + std::string(s) + "\"");
  };
  while (i < s.size() && s[i] == ' ') ++i;
  if (i < s.size() && s[i] == '[') {  // dimension decoration "[1:2]="
    i = s.find('=', i);
    if (i == std::string_view::npos) return bad();
    ++i;
  }
  if (i >= s.size() || s[i] != '{') return bad();
  ++i;
  while (i < s.size() && s[i] == ' ') ++i;
  if (i < s.size() && s[i] == '}') return out;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    std::string elem;
    bool quoted = false;
    if (i < s.size() && s[i] == '"') {
      quoted = true;
      ++i;
      while (i < s.size() && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        elem += s[i++];
      }
      if (i >= s.size()) return bad();
      ++i;
    } else {
      while (i < s.size() && s[i] != ',' && s[i] != '}') {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        elem += s[i++];
      }
      while (!elem.empty() && elem.back() == ' ') elem.pop_back();
    }
    bool is_null = !quoted && (elem == "NULL" || elem == "null");
    out.push_back(is_null ? std::nullopt : std::optional<std::string>(elem));
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size()) return bad();
    if (s[i] == '}') return out;
    if (s[i] != ',') return bad();
    ++i;
  }
  return bad();
}

std::string format_text_array(const std::vector<std::optional<std::string>>& elems) {
  std::string out = "{";
  for (size_t i = 0; i < elems.size(); ++i) {
    if (i) out += ',';
    if (!elems[i]) {
      out += "NULL";
      continue;
    }
    const std::string& e = *elems[i];
    bool quote = e.empty() || e == "NULL" || e == "null";
    for (char c : e)
      quote |= c == ',' || c == '{' || c == '}' || c == '"' || c == '\\' || c == ' ' || c == '\t' || c == '\n';
    if (!quote) {
      out += e;
      continue;
    }
    out += '"';
    for (char c : e) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string format_type_name(int64_t oid, int32_t typmod) {
  auto with_len = [&](const char* n) {
    return typmod >= 4 ? std::string(n) + "(" + std::to_string(typmod - 4) + ")" : std::string(n);
  };
  switch (oid) {
    case 16:
      return "boolean";
    case 17:
      return "bytea";
    case 18:
      return "\"char\"";
    case 19:
      return "name";
    case 20:
      return "bigint";
    case 21:
      return "smallint";
    case 22:
      return "int2vector";
    case 23:
      return "integer";
    case 24:
      return "regproc";
    case 25:
      return "text";
    case 26:
      return "oid";
    case 28:
      return "xid";
    case 30:
      return "oidvector";
    case 194:
      return "pg_node_tree";
    case 700:
      return "real";
    case 701:
      return "double precision";
    case 1009:
      return "text[]";
    case 1005:
      return "smallint[]";
    case 1007:
      return "integer[]";
    case 1016:
      return "bigint[]";
    case 1028:
      return "oid[]";
    case 1034:
      return "aclitem[]";
    case 1042:
      return typmod >= 4 ? with_len("character") : "bpchar";
    case 1043:
      return with_len("character varying");
    case 1082:
      return "date";
    case 1114:
      return typmod >= 0 ? "timestamp(" + std::to_string(typmod) + ") without time zone"
                         : "timestamp without time zone";
    case 1184:
      return "timestamp with time zone";
    case 1700:
      if (typmod >= 4) {
        int32_t m = typmod - 4;
        return "numeric(" + std::to_string((m >> 16) & 0xffff) + "," + std::to_string(m & 0xffff) + ")";
      }
      return "numeric";
    case 2205:
      return "regclass";
    case 2206:
      return "regtype";
    case 4089:
      return "regnamespace";
  }
  return "???";
}

}  // namespace db001::exec
