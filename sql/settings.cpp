#include "sql/settings.h"

#include <cctype>
#include <cstdint>
#include <map>
#include <vector>

#include "sql/parser.h"
#include "storage/error.h"

namespace db001::sql {

namespace {

[[noreturn]] void invalid(const std::string& name, const std::string& value) {
  throw db_error(sqlstate::invalid_parameter_value, "invalid value for parameter \"" + name + "\": \"" + value + "\"");
}

/// "5000", "5s", "2 min" -> amount in `base` units (ms or kB); nullopt if malformed.
std::optional<int64_t> parse_quantity(const std::string& v, const std::map<std::string, int64_t>& units) {
  size_t i = 0;
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
  size_t start = i;
  if (i < v.size() && (v[i] == '-' || v[i] == '+')) ++i;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
  if (i == start) return std::nullopt;
  int64_t n;
  try {
    n = std::stoll(v.substr(start, i - start));
  } catch (...) {
    return std::nullopt;
  }
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
  std::string unit = v.substr(i);
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.back()))) unit.pop_back();
  if (unit.empty()) return n;
  auto it = units.find(unit);
  if (it == units.end()) return std::nullopt;
  return n * it->second;
}

/// PostgreSQL prints a quantity in the largest unit that divides it exactly.
std::string print_quantity(int64_t n, const std::vector<std::pair<const char*, int64_t>>& units) {
  if (n == 0) return "0";
  for (auto& [name, size] : units)
    if (n % size == 0) return std::to_string(n / size) + name;
  return std::to_string(n);
}

}  // namespace

std::string setting_display_name(const std::string& n) {
  static const std::map<std::string, std::string> names = {
      {"datestyle", "DateStyle"}, {"timezone", "TimeZone"}, {"intervalstyle", "IntervalStyle"}};
  auto it = names.find(n);
  return it == names.end() ? n : it->second;
}

std::string normalize_setting(const std::string& name, const std::string& value) {
  static const std::map<std::string, int64_t> time_units = {
      {"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
  static const std::map<std::string, int64_t> mem_units = {
      {"kB", 1}, {"MB", 1024}, {"GB", 1024 * 1024}, {"TB", int64_t(1024) * 1024 * 1024}};
  if (name == "statement_timeout" || name == "lock_timeout" || name == "idle_in_transaction_session_timeout" ||
      name == "idle_session_timeout") {
    auto ms = parse_quantity(value, time_units);
    if (!ms || *ms < 0) invalid(name, value);
    return print_quantity(*ms, {{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}, {"ms", 1}});
  }
  if (name == "work_mem" || name == "maintenance_work_mem" || name == "temp_buffers" || name == "shared_buffers") {
    auto kb = parse_quantity(value, mem_units);
    if (!kb || *kb < (name == "shared_buffers" ? 0 : 64)) invalid(name, value);
    return print_quantity(*kb, {{"TB", int64_t(1024) * 1024 * 1024}, {"GB", 1024 * 1024}, {"MB", 1024}, {"kB", 1}});
  }
  if (name == "datestyle") {
    std::string style, order;
    std::string token;
    auto take = [&](std::string t) {
      std::string l = lower(t);
      if (l.empty()) return;
      if (l == "iso")
        style = "ISO";
      else if (l == "sql")
        style = "SQL";
      else if (l == "postgres")
        style = "Postgres";
      else if (l == "german") {
        style = "German";
        if (order.empty()) order = "DMY";
      } else if (l == "dmy" || l == "euro" || l == "european")
        order = "DMY";
      else if (l == "mdy" || l == "us" || l == "noneuro" || l == "noneuropean")
        order = "MDY";
      else if (l == "ymd")
        order = "YMD";
      else if (l == "default") {
      } else
        invalid(name, value);
    };
    for (char c : value) {
      if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
        take(token);
        token.clear();
      } else {
        token += c;
      }
    }
    take(token);
    return (style.empty() ? "ISO" : style) + ", " + (order.empty() ? "MDY" : order);
  }
  return value;
}

}  // namespace db001::sql
