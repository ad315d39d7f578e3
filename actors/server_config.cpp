// The configuration loader: a table of known keys, each with a setter that checks its value;
// the YAML walk and the command line both go through the same table.
#include "actors/server_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace db001::actors {

namespace {

/// Thrown by a setter: the value does not fit; `expected` completes "expected ..., got "x"".
struct bad_value {
  std::string expected;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> parse_int(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

/// "<number><spaces><unit>" with the number non-negative, possibly with a fraction.
/// Returns number * multiplier(unit) rounded, or nullopt (bad number, unknown unit, overflow).
template <typename UnitFn>
std::optional<uint64_t> parse_with_unit(std::string_view text, UnitFn unit_multiplier) {
  std::string_view s = trim(text);
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  std::string_view num = s.substr(0, i), unit = trim(s.substr(i));
  if (num.empty() || std::count(num.begin(), num.end(), '.') > 1 || num == ".") return std::nullopt;
  std::optional<uint64_t> mult = unit_multiplier(lower(unit));
  if (!mult) return std::nullopt;
  if (num.find('.') == std::string_view::npos) {
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (ec != std::errc() || p != num.data() + num.size()) return std::nullopt;
    if (v != 0 && *mult > UINT64_MAX / 2 / v) return std::nullopt;  // keep within int64 too
    return v * *mult;
  }
  long double v = std::strtold(std::string(num).c_str(), nullptr) * static_cast<long double>(*mult);
  if (!(v < 9.0e18L)) return std::nullopt;
  return static_cast<uint64_t>(std::llround(v));
}

/// Classic edit distance, for "did you mean".
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

/// The closest candidate within a small distance, or "".
std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (auto& c : candidates) {
    size_t d = edit_distance(lower(word), lower(c));
    if (d < best_d) best_d = d, best = c;
  }
  return best;
}

// ---- value checkers used by the setters -------------------------------------------------

int positive_int(std::string_view v) {
  auto n = parse_int(v);
  if (!n || *n <= 0 || *n > 1000000000) throw bad_value{"a positive integer"};
  return int(*n);
}

int port_number(std::string_view v) {
  auto n = parse_int(v);
  if (!n || *n < 0 || *n > 65535) throw bad_value{"a port number 0..65535"};
  return int(*n);
}

uint64_t size_value(std::string_view v, uint64_t min, const char* min_text) {
  auto n = parse_size(v);
  if (!n) throw bad_value{"a size such as 64kB, 256MB or 8GB (a plain number is bytes)"};
  if (*n < min) throw bad_value{std::string("a size of at least ") + min_text};
  return *n;
}

std::chrono::milliseconds duration_value(std::string_view v, bool allow_zero) {
  auto d = parse_duration(v);
  if (!d) throw bad_value{"a duration such as 100ms, 30s, 5min or 1h (a plain number is milliseconds)"};
  if (!allow_zero && d->count() == 0) throw bad_value{"a duration greater than zero"};
  return *d;
}

bool bool_value(std::string_view v) {
  auto b = parse_bool(v);
  if (!b) throw bad_value{"a boolean (on/off, true/false)"};
  return *b;
}

std::string nonempty(std::string_view v) {
  if (trim(v).empty()) throw bad_value{"a non-empty string"};
  return std::string(v);
}

auth_method method_value(std::string_view v) {
  std::string l = lower(trim(v));
  if (l == "trust") return auth_method::trust;
  if (l == "reject") return auth_method::reject;
  if (l == "password") return auth_method::password;
  if (l == "scram-sha-256" || l == "scram_sha_256" || l == "scram") return auth_method::scram_sha_256;
  throw bad_value{"one of trust, reject, password, scram-sha-256"};
}

// ---- the key table ------------------------------------------------------------------------

using setter = void (*)(server_config&, std::string_view);

struct key_def {
  std::string_view section, key;
  setter set;
};

const std::vector<key_def>& key_table() {
  static const std::vector<key_def> table = {
      {"database", "max_connections",
       [](server_config& c, std::string_view v) { c.database.max_connections = positive_int(v); }},
      {"database", "shared_buffers",
       [](server_config& c, std::string_view v) { c.database.shared_buffers = size_value(v, 1 << 20, "1MB"); }},
      {"database", "work_mem",
       [](server_config& c, std::string_view v) { c.database.work_mem = size_value(v, 64 << 10, "64kB"); }},
      {"database", "checkpoint_interval",
       [](server_config& c, std::string_view v) { c.database.checkpoint_interval = duration_value(v, false); }},
      {"database", "max_wal_size",
       [](server_config& c, std::string_view v) { c.database.max_wal_size = size_value(v, 1 << 20, "1MB"); }},
      {"database", "wal_level",
       [](server_config& c, std::string_view v) {
         std::string l = lower(trim(v));
         if (l == "minimal")
           c.database.wal_level = wal_level::minimal;
         else if (l == "replica")
           c.database.wal_level = wal_level::replica;
         else if (l == "logical")
           c.database.wal_level = wal_level::logical;
         else
           throw bad_value{"one of minimal, replica, logical"};
       }},
      {"database", "synchronous_commit",
       [](server_config& c, std::string_view v) { c.database.synchronous_commit = bool_value(v); }},
      {"database", "fsync_interval",
       [](server_config& c, std::string_view v) { c.database.fsync_interval = duration_value(v, true); }},
      {"database", "statement_timeout",
       [](server_config& c, std::string_view v) { c.database.statement_timeout = duration_value(v, true); }},
      {"database", "default_transaction_isolation",
       [](server_config& c, std::string_view v) {
         std::string l = lower(trim(v));
         if (l != "read committed" && l != "repeatable read" && l != "serializable")
           throw bad_value{"one of \"read committed\", \"repeatable read\", \"serializable\""};
         c.database.default_transaction_isolation = l;
       }},
      {"storage", "data_directory",
       [](server_config& c, std::string_view v) { c.storage.data_directory = nonempty(v); }},
      {"storage", "wal_directory",
       [](server_config& c, std::string_view v) { c.storage.wal_directory = std::string(trim(v)); }},
      {"storage", "temp_directory",
       [](server_config& c, std::string_view v) { c.storage.temp_directory = std::string(trim(v)); }},
      {"storage", "wal_segment_size",
       [](server_config& c, std::string_view v) {
         uint64_t n = size_value(v, 1 << 20, "1MB");
         if (n > (uint64_t(1) << 30) || (n & (n - 1)) != 0) throw bad_value{"a power of two between 1MB and 1GB"};
         c.storage.wal_segment_size = n;
       }},
      {"storage", "archive_mode", [](server_config& c, std::string_view v) { c.storage.archive_mode = bool_value(v); }},
      {"storage", "archive_directory",
       [](server_config& c, std::string_view v) { c.storage.archive_directory = std::string(trim(v)); }},
      {"performance", "parallel_workers",
       [](server_config& c, std::string_view v) {
         auto n = parse_int(v);
         if (!n || *n < 0 || *n > 4096) throw bad_value{"a number of threads 0..4096 (0 = all cores)"};
         c.performance.parallel_workers = int(*n);
       }},
      {"performance", "async_io", [](server_config& c, std::string_view v) { c.performance.async_io = bool_value(v); }},
      {"performance", "prefetch_size",
       [](server_config& c, std::string_view v) { c.performance.prefetch_size = size_value(v, 0, "0"); }},
      {"performance", "cache_size",
       [](server_config& c, std::string_view v) { c.performance.cache_size = size_value(v, 0, "0"); }},
      {"server", "listen", [](server_config& c, std::string_view v) { c.server.listen = nonempty(trim(v)); }},
      {"server", "port", [](server_config& c, std::string_view v) { c.server.port = port_number(v); }},
      {"server", "http_listen",
       [](server_config& c, std::string_view v) { c.server.http_listen = std::string(trim(v)); }},
      {"server", "http_port", [](server_config& c, std::string_view v) { c.server.http_port = port_number(v); }},
      {"server", "unix_socket_directory",
       [](server_config& c, std::string_view v) { c.server.unix_socket_directory = std::string(trim(v)); }},
      {"auth", "local", [](server_config& c, std::string_view v) { c.auth.local = method_value(v); }},
      {"auth", "host", [](server_config& c, std::string_view v) { c.auth.host = method_value(v); }},
  };
  return table;
}

const std::vector<std::string>& section_names() {
  static const std::vector<std::string> names = {"database", "storage", "performance", "server", "auth"};
  return names;
}

const key_def* find_key(std::string_view section, std::string_view key) {
  for (auto& d : key_table())
    if (d.section == section && d.key == key) return &d;
  return nullptr;
}

/// `unknown key "a.b" (did you mean "c"?)` — a close key of the same section, else the same
/// key in another section.
std::string unknown_key_message(std::string_view section, std::string_view key) {
  std::vector<std::string> same;
  for (auto& d : key_table())
    if (d.section == section) same.emplace_back(d.key);
  if (section == "auth") same.emplace_back("users");
  std::string msg = "unknown key \"" + std::string(section) + "." + std::string(key) + "\"";
  std::string hint = closest(key, same);
  if (hint.empty())
    for (auto& d : key_table())
      if (d.key == key) hint = std::string(d.section) + "." + std::string(d.key);
  if (!hint.empty()) msg += " (did you mean \"" + hint + "\"?)";
  return msg;
}

std::string where(const std::string& origin, const YAML::Mark& m) {
  if (m.is_null()) return origin;
  return origin + ":" + std::to_string(m.line + 1);
}

[[noreturn]] void fail(const std::string& origin, const YAML::Mark& m, const std::string& msg) {
  throw config_error(where(origin, m) + ": " + msg);
}

/// The scalar text of a value node ("" for null); maps and lists are an error.
std::string scalar_of(const YAML::Node& n, const std::string& origin, const std::string& path) {
  if (!n || n.IsNull()) return "";
  if (!n.IsScalar()) fail(origin, n.Mark(), path + ": expected a single value, got a " + (n.IsMap() ? "map" : "list"));
  return n.Scalar();
}

void apply_value(server_config& cfg, const key_def& d, std::string_view text, const std::string& prefix) {
  try {
    d.set(cfg, text);
  } catch (const bad_value& e) {
    throw config_error(prefix + ": expected " + e.expected + ", got \"" + std::string(text) + "\"");
  }
}

bool looks_like_scram_verifier(std::string_view s) {
  // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, keys base64 of 32 bytes.
  s.remove_prefix(std::string_view("SCRAM-SHA-256$").size());
  auto dollar = s.find('$');
  if (dollar == std::string_view::npos) return false;
  std::string_view head = s.substr(0, dollar), keys = s.substr(dollar + 1);
  auto c1 = head.find(':'), c2 = keys.find(':');
  if (c1 == std::string_view::npos || c2 == std::string_view::npos) return false;
  auto iter = parse_int(head.substr(0, c1));
  auto b64 = [](std::string_view x) {
    return !x.empty() && std::all_of(x.begin(), x.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '/' || ch == '=';
    });
  };
  std::string_view salt = head.substr(c1 + 1), stored = keys.substr(0, c2), server = keys.substr(c2 + 1);
  return iter && *iter > 0 && b64(salt) && b64(stored) && b64(server) && stored.size() == 44 && server.size() == 44;
}

void parse_users(server_config& cfg, const YAML::Node& list, const std::string& origin) {
  if (!list || list.IsNull()) return;
  if (!list.IsSequence())
    fail(origin, list.Mark(), "auth.users: expected a list of users (- name: ..., password: ..., superuser: ...)");
  cfg.auth.users.clear();
  for (size_t i = 0; i < list.size(); ++i) {
    const YAML::Node& u = list[i];
    std::string path = "auth.users[" + std::to_string(i) + "]";
    if (!u.IsMap()) fail(origin, u.Mark(), path + ": expected a map with name, password, superuser");
    user_entry e;
    bool has_name = false;
    std::set<std::string> seen;
    for (auto it = u.begin(); it != u.end(); ++it) {
      std::string k = it->first.Scalar(), kp = path + "." + k;
      if (!seen.insert(k).second) fail(origin, it->first.Mark(), "duplicate key \"" + kp + "\"");
      std::string v = scalar_of(it->second, origin, kp);
      if (k == "name") {
        if (trim(v).empty()) fail(origin, it->second.Mark(), kp + ": expected a non-empty user name");
        e.name = v, has_name = true;
      } else if (k == "password") {
        e.password = v;
        if (e.has_scram_verifier() && !looks_like_scram_verifier(v))
          fail(origin, it->second.Mark(),
               kp + ": malformed SCRAM verifier (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)");
      } else if (k == "superuser") {
        auto b = parse_bool(v);
        if (!b) fail(origin, it->second.Mark(), kp + ": expected a boolean (on/off, true/false), got \"" + v + "\"");
        e.superuser = *b;
      } else {
        std::string hint = closest(k, {"name", "password", "superuser"});
        fail(origin, it->first.Mark(),
             "unknown key \"" + kp + "\"" + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
      }
    }
    if (!has_name) fail(origin, u.Mark(), path + ": missing \"name\"");
    if (cfg.auth.find_user(e.name)) fail(origin, u.Mark(), path + ": duplicate user \"" + e.name + "\"");
    cfg.auth.users.push_back(std::move(e));
  }
}

server_config from_yaml(const YAML::Node& root, const std::string& origin) {
  server_config cfg;
  cfg.source_file = origin;
  if (!root || root.IsNull()) return cfg;
  if (!root.IsMap()) fail(origin, root.Mark(), "expected sections (database:, storage:, performance:, server:, auth:)");
  std::set<std::string> seen_sections;
  for (auto it = root.begin(); it != root.end(); ++it) {
    std::string sec = it->first.IsScalar() ? it->first.Scalar() : "";
    if (!seen_sections.insert(sec).second) fail(origin, it->first.Mark(), "duplicate section \"" + sec + "\"");
    auto& names = section_names();
    if (std::find(names.begin(), names.end(), sec) == names.end()) {
      std::string hint = closest(sec, names);
      fail(origin, it->first.Mark(),
           "unknown section \"" + sec + "\"" + (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
    }
    const YAML::Node& body = it->second;
    if (body.IsNull()) continue;
    if (!body.IsMap()) fail(origin, body.Mark(), sec + ": expected a map of settings");
    std::set<std::string> seen;
    for (auto kt = body.begin(); kt != body.end(); ++kt) {
      std::string key = kt->first.IsScalar() ? kt->first.Scalar() : "";
      std::string path = sec + "." + key;
      if (!seen.insert(key).second) fail(origin, kt->first.Mark(), "duplicate key \"" + path + "\"");
      if (sec == "auth" && key == "users") {
        parse_users(cfg, kt->second, origin);
        continue;
      }
      const key_def* d = find_key(sec, key);
      if (!d) fail(origin, kt->first.Mark(), unknown_key_message(sec, key));
      std::string text = scalar_of(kt->second, origin, path);
      apply_value(cfg, *d, text, where(origin, kt->second.Mark()) + ": " + path);
    }
  }
  try {
    validate(cfg);
  } catch (const config_error& e) {
    throw config_error(origin + ": " + e.what());
  }
  return cfg;
}

std::string join_dir(std::string dir, const char* leaf) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + "/" + leaf;
}

// ---- command line -------------------------------------------------------------------------

struct flag_def {
  std::string_view name;  ///< "--port"
  std::string_view key;   ///< "server.port", or "" for special flags
};

const std::vector<flag_def>& flag_table() {
  static const std::vector<flag_def> flags = {
      {"--config", ""},
      {"--port", "server.port"},
      {"--http-port", "server.http_port"},
      {"--listen", "server.listen"},
      {"--data-dir", ""},
      {"--set", ""},
      {"-c", ""},
      {"--help", ""},
      {"-h", ""},
  };
  return flags;
}

void set_by_path(server_config& cfg, std::string_view assignment, const std::string& flag) {
  auto eq = assignment.find('=');
  auto dot = assignment.find('.');
  if (eq == std::string_view::npos || dot == std::string_view::npos || dot > eq)
    throw config_error(flag + ": expected section.key=value, got \"" + std::string(assignment) + "\"");
  std::string section(trim(assignment.substr(0, dot))), key(trim(assignment.substr(dot + 1, eq - dot - 1)));
  std::string_view value = trim(assignment.substr(eq + 1));
  auto& names = section_names();
  if (std::find(names.begin(), names.end(), section) == names.end()) {
    std::string hint = closest(section, names);
    throw config_error(flag + ": unknown section \"" + section + "\"" +
                       (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)"));
  }
  if (section == "auth" && key == "users") throw config_error(flag + ": auth.users can only be set in the config file");
  const key_def* d = find_key(section, key);
  if (!d) throw config_error(flag + ": " + unknown_key_message(section, key));
  apply_value(cfg, *d, value, flag + " " + section + "." + key);
}

}  // namespace

// ---- public -------------------------------------------------------------------------------

const char* to_string(wal_level l) {
  switch (l) {
    case wal_level::minimal:
      return "minimal";
    case wal_level::replica:
      return "replica";
    case wal_level::logical:
      return "logical";
  }
  return "?";
}

const char* to_string(auth_method m) {
  switch (m) {
    case auth_method::trust:
      return "trust";
    case auth_method::reject:
      return "reject";
    case auth_method::password:
      return "password";
    case auth_method::scram_sha_256:
      return "scram-sha-256";
  }
  return "?";
}

const user_entry* server_config::auth_section::find_user(std::string_view name) const {
  for (auto& u : users)
    if (u.name == name) return &u;
  return nullptr;
}

std::string server_config::wal_dir() const {
  return storage.wal_directory.empty() ? join_dir(storage.data_directory, "wal") : storage.wal_directory;
}

std::string server_config::temp_dir() const {
  return storage.temp_directory.empty() ? join_dir(storage.data_directory, "tmp") : storage.temp_directory;
}

std::optional<uint64_t> parse_size(std::string_view text) {
  return parse_with_unit(text, [](const std::string& u) -> std::optional<uint64_t> {
    if (u.empty() || u == "b") return 1;
    if (u == "kb") return uint64_t(1) << 10;
    if (u == "mb") return uint64_t(1) << 20;
    if (u == "gb") return uint64_t(1) << 30;
    if (u == "tb") return uint64_t(1) << 40;
    return std::nullopt;
  });
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto v = parse_with_unit(text, [](const std::string& u) -> std::optional<uint64_t> {
    if (u.empty() || u == "ms") return 1;
    if (u == "s" || u == "sec") return 1000;
    if (u == "m" || u == "min") return 60 * 1000;
    if (u == "h") return 3600 * 1000;
    if (u == "d") return 24 * 3600 * 1000;
    return std::nullopt;
  });
  if (!v) return std::nullopt;
  return std::chrono::milliseconds(static_cast<int64_t>(*v));
}

std::optional<bool> parse_bool(std::string_view text) {
  std::string l = lower(trim(text));
  if (l == "true" || l == "on" || l == "yes" || l == "1") return true;
  if (l == "false" || l == "off" || l == "no" || l == "0") return false;
  return std::nullopt;
}

std::string format_size(uint64_t bytes) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (u < 4 && bytes != 0 && bytes % 1024 == 0) bytes /= 1024, ++u;
  return std::to_string(bytes) + units[u];
}

server_config parse_server_config(std::string_view yaml_text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    std::string at = e.mark.is_null()
                         ? origin
                         : origin + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    throw config_error(at + ": YAML syntax error: " + e.msg);
  }
  return from_yaml(root, origin);
}

server_config load_server_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error("cannot open config file \"" + path + "\": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return parse_server_config(text.str(), path);
}

void validate(const server_config& c) {
  if (c.storage.data_directory.empty()) throw config_error("storage.data_directory must not be empty");
  if (c.storage.archive_mode && c.storage.archive_directory.empty())
    throw config_error("storage.archive_mode is on but storage.archive_directory is not set");
  if (c.storage.archive_mode && c.database.wal_level == wal_level::minimal)
    throw config_error("storage.archive_mode cannot be on when database.wal_level is minimal");
  if (c.server.port != 0 && c.server.port == c.server.http_port && c.http_listen_address() == c.server.listen)
    throw config_error("server.http_port must differ from server.port (both " + std::to_string(c.server.port) + ")");
  std::set<std::string> names;
  for (auto& u : c.auth.users)
    if (!names.insert(u.name).second) throw config_error("auth.users: duplicate user \"" + u.name + "\"");
  // Local logins with a password method and no users: nobody at all could connect. (No users
  // with a password method for remote hosts only means remote clients cannot log in: allowed.)
  if (c.auth.users.empty() && (c.auth.local == auth_method::password || c.auth.local == auth_method::scram_sha_256))
    throw config_error(std::string("auth.local is ") + to_string(c.auth.local) +
                       " but auth.users is empty: nobody could log in");
}

command_line apply_overrides(server_config& cfg, std::span<const std::string> args) {
  command_line out;
  // Split into (flag, value) pairs first: --config must be applied before the others.
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i], value;
    bool has_value = false;
    if (a.starts_with("--") && a.find('=') != std::string::npos) {
      value = a.substr(a.find('=') + 1), a = a.substr(0, a.find('=')), has_value = true;
    }
    auto& flags = flag_table();
    auto f = std::find_if(flags.begin(), flags.end(), [&](const flag_def& d) { return d.name == a; });
    if (f == flags.end()) {
      std::vector<std::string> names;
      for (auto& d : flags) names.emplace_back(d.name);
      std::string hint = a.starts_with("-") ? closest(a, names) : "";
      throw config_error((a.starts_with("-") ? "unknown option \"" : "unexpected argument \"") + a + "\"" +
                         (hint.empty() ? "" : " (did you mean \"" + hint + "\"?)") + "; see --help");
    }
    if (a == "--help" || a == "-h") {
      if (has_value) throw config_error(a + " takes no value");
      out.help = true;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) throw config_error("option \"" + a + "\" requires a value");
      value = args[++i];
    }
    pairs.emplace_back(a, value);
  }
  for (auto& [flag, value] : pairs)
    if (flag == "--config") {
      if (value.empty()) throw config_error("--config: expected a file name");
      out.config_file = value;
    }
  if (!out.config_file.empty()) cfg = load_server_config(out.config_file);
  for (auto& [flag, value] : pairs) {
    if (flag == "--config") continue;
    if (flag == "--set" || flag == "-c") {
      set_by_path(cfg, value, flag);
    } else if (flag == "--data-dir") {
      if (trim(value).empty()) throw config_error("--data-dir: expected a directory, got \"\"");
      // WAL and temp follow the data directory unless placed elsewhere explicitly.
      auto normal = [](const std::string& p) { return std::filesystem::path(p).lexically_normal().generic_string(); };
      std::string old_wal = normal(join_dir(cfg.storage.data_directory, "wal"));
      std::string old_tmp = normal(join_dir(cfg.storage.data_directory, "tmp"));
      if (!cfg.storage.wal_directory.empty() && normal(cfg.storage.wal_directory) == old_wal)
        cfg.storage.wal_directory.clear();
      if (!cfg.storage.temp_directory.empty() && normal(cfg.storage.temp_directory) == old_tmp)
        cfg.storage.temp_directory.clear();
      cfg.storage.data_directory = value;
    } else {
      auto& flags = flag_table();
      auto f = std::find_if(flags.begin(), flags.end(), [&](const flag_def& d) { return d.name == flag; });
      auto dot = f->key.find('.');
      const key_def* d = find_key(f->key.substr(0, dot), f->key.substr(dot + 1));
      apply_value(cfg, *d, value, flag);
    }
  }
  validate(cfg);
  return out;
}

command_line apply_overrides(server_config& cfg, int argc, const char* const* argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return apply_overrides(cfg, std::span<const std::string>(args));
}

std::string command_line_help(std::string_view program) {
  std::string p(program.empty() ? "db001" : program);
  return "Usage: " + p +
         " [OPTION]...\n"
         "Runs the DB-001 server: PostgreSQL wire protocol for SQL clients, HTTP /health and /metrics.\n"
         "\n"
         "  --config FILE        read settings from FILE (YAML; see config/database.yaml)\n"
         "  --listen ADDR        address for SQL clients (server.listen; default 127.0.0.1)\n"
         "  --port N             SQL port, 0 = any free port (server.port; default 5432)\n"
         "  --http-port N        health/metrics port, 0 = any free port (server.http_port; default 8080)\n"
         "  --data-dir DIR       data directory (storage.data_directory; default ./data);\n"
         "                       WAL and temp directories follow unless set elsewhere\n"
         "  -c, --set KEY=VALUE  any setting of the file, e.g. -c database.work_mem=64MB\n"
         "  -h, --help           show this help and exit\n"
         "\n"
         "Command-line options override the file; without --config the built-in defaults apply.\n"
         "Sizes: 64kB, 256MB, 8GB (plain number = bytes). Durations: 100ms, 30s, 5min, 1h\n"
         "(plain number = milliseconds). Booleans: on/off, true/false.\n";
}

db001::options to_engine_options(const server_config& cfg) {
  db001::options o;
  o.parallel_workers = cfg.performance.parallel_workers;  // 0 = all cores, as the engine reads it
  o.work_mem = static_cast<size_t>(cfg.database.work_mem);
  o.default_isolation = cfg.database.default_transaction_isolation;
  o.statement_timeout_ms = cfg.database.statement_timeout.count();
  auto& d = o.durability;  // the directories are per database (cluster::open_database)
  d.wal_segment_size = cfg.storage.wal_segment_size;
  d.synchronous_commit = cfg.database.synchronous_commit;
  d.fsync_interval_ms = int(cfg.database.fsync_interval.count());
  d.checkpoint_interval_ms = int(cfg.database.checkpoint_interval.count());
  d.checkpoint_wal_bytes = cfg.database.max_wal_size;
  return o;
}

}  // namespace db001::actors
