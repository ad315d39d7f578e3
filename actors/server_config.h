#pragma once
/// The server's configuration: every setting of config/database.yaml, its defaults, the
/// loader (yaml-cpp, PostgreSQL-style units) and the command-line overrides.
///
/// Start-up path (main thread, before anything is spawned):
///   db001::actors::server_config cfg;                        // defaults: no file needed
///   auto cli = db001::actors::apply_overrides(cfg, argc, argv);   // --config FILE, --port, ...
///   if (cli.help) { std::cout << db001::actors::command_line_help(argv[0]); return 0; }
///   db001::options engine_opts = db001::actors::to_engine_options(cfg);
/// Every function here reports a bad file, key, value or flag by throwing config_error whose
/// what() is the complete message to print, e.g.
///   config/database.yaml:3: unknown key "database.max_conections" (did you mean "max_connections"?)
///   config/database.yaml:2: database.max_connections: expected a positive integer, got "lots"
///   --port: expected a port number 0..65535, got "70000"
/// Nothing here is used after start-up, so nothing here is thread-safe beyond being plain data.
///
/// Units (as PostgreSQL, 1024-based, unit names case-insensitive, optional space, decimals
/// allowed and rounded to a byte / a millisecond):
///   sizes      B, kB, MB, GB, TB         a plain number means BYTES (not PostgreSQL's pages)
///   durations  ms, s, m|min, h, d        a plain number means MILLISECONDS (as statement_timeout)
///   booleans   true/false, on/off, yes/no, 1/0
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "db001/db001.h"

namespace db001::actors {

/// A configuration error; what() is the full message (file:line: key: problem).
class config_error : public std::runtime_error {
 public:
  explicit config_error(const std::string& message) : std::runtime_error(message) {}
};

enum class wal_level { minimal, replica, logical };
/// How a client proves who it is (PostgreSQL's pg_hba methods we support).
enum class auth_method { trust, reject, password, scram_sha_256 };

const char* to_string(wal_level l);
const char* to_string(auth_method m);  ///< "trust", "reject", "password", "scram-sha-256"

/// A role that may log in.
struct user_entry {
  std::string name;
  /// A cleartext password, or a SCRAM verifier "SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>"
  /// (as PostgreSQL's pg_authid.rolpassword; the loader checks its shape). Empty = no password
  /// (the user can then only log in through trust).
  std::string password;
  bool superuser = false;
  bool has_scram_verifier() const { return password.starts_with("SCRAM-SHA-256$"); }
};

/// All settings. Defaults = running without a config file: loopback only, ports 5432 / 8080,
/// data under ./data, trust for local connections, scram-sha-256 for others.
struct server_config {
  struct database_section {
    int max_connections = 100;                    ///< client connections beyond this get 53300
    uint64_t shared_buffers = uint64_t(1) << 30;  ///< memory limit for table data (bytes)
    uint64_t work_mem = uint64_t(256) << 20;      ///< per operator before it reports 53200 (bytes)
    std::chrono::milliseconds checkpoint_interval{5 * 60 * 1000};
    /// Also checkpoint when this much WAL was written since the last one (PostgreSQL's max_wal_size).
    uint64_t max_wal_size = uint64_t(256) << 20;
    actors::wal_level wal_level = actors::wal_level::replica;
    bool synchronous_commit = true;  ///< off: COMMIT returns before the WAL fsync
    /// WAL writer period: with synchronous_commit=off the longest a commit waits to be flushed;
    /// with on, the group-commit window (0 = fsync at every commit).
    std::chrono::milliseconds fsync_interval{10};
    std::chrono::milliseconds statement_timeout{0};                ///< 0 = none; else statements end with 57014
    std::string default_transaction_isolation = "read committed";  ///< or "repeatable read", "serializable"
  } database;

  struct storage_section {
    std::string data_directory = "./data";
    std::string wal_directory;                       ///< empty = <data_directory>/wal (see wal_dir())
    std::string temp_directory;                      ///< empty = <data_directory>/tmp (see temp_dir())
    uint64_t wal_segment_size = uint64_t(16) << 20;  ///< power of two, 1MB..1GB
    bool archive_mode = false;                       ///< copy completed WAL segments to archive_directory
    std::string archive_directory;                   ///< required when archive_mode is on
  } storage;

  struct performance_section {
    int parallel_workers = 0;  ///< threads for parallel plans; 0 = all cores (negative is an error)
    bool async_io = true;
    uint64_t prefetch_size = uint64_t(1) << 20;  ///< read-ahead for WAL replay / data files (bytes)
    uint64_t cache_size = uint64_t(512) << 20;   ///< plan / catalog caches (bytes)
  } performance;

  struct server_section {
    std::string listen = "127.0.0.1";   ///< address for SQL clients: "127.0.0.1", "::1", "0.0.0.0", "*", a name
    int port = 5432;                    ///< 0 = any free port (tests); the server reports the bound one
    std::string http_listen;            ///< address of /health and /metrics; empty = same as listen
    int http_port = 8080;               ///< 0 = any free port
    std::string unix_socket_directory;  ///< empty = no Unix-domain socket
  } server;

  struct auth_section {
    auth_method local = auth_method::trust;         ///< Unix socket and loopback TCP connections
    auth_method host = auth_method::scram_sha_256;  ///< every other TCP connection
    std::vector<user_entry> users;
    const user_entry* find_user(std::string_view name) const;
  } auth;

  /// The file the settings came from ("" = built-in defaults only).
  std::string source_file;

  std::string wal_dir() const;   ///< wal_directory, or data_directory + "/wal"
  std::string temp_dir() const;  ///< temp_directory, or data_directory + "/tmp"
  std::string http_listen_address() const { return server.http_listen.empty() ? server.listen : server.http_listen; }
};

/// Reads a YAML file over the defaults and checks the result (validate()).
/// Unknown sections/keys, bad values, duplicate keys and YAML syntax errors throw config_error
/// naming the file, the line and the key path. An empty file gives the defaults.
server_config load_server_config(const std::string& path);
/// The same from YAML text; `origin` names it in messages (e.g. "<string>").
server_config parse_server_config(std::string_view yaml_text, const std::string& origin = "<string>");

/// Cross-field checks (the loader and apply_overrides call it): archive_mode on needs a directory
/// and wal_level > minimal; auth.local password/scram-sha-256 needs users; duplicate users; SQL and HTTP
/// on the same address and port.
void validate(const server_config& cfg);

/// What apply_overrides found besides settings.
struct command_line {
  bool help = false;        ///< --help / -h: print command_line_help() and exit
  std::string config_file;  ///< --config FILE ("" = none given)
};

/// Applies command-line flags (args exclude the program name):
///   --config FILE      load FILE first (replacing cfg), wherever the flag appears
///   --port N, --http-port N, --listen ADDR, --data-dir DIR
///   -c section.key=VALUE / --set section.key=VALUE   any scalar key of the file (units as there)
///   --help, -h
/// Both "--flag value" and "--flag=value". Later flags win. --data-dir moves the WAL and temp
/// directories with it only when those were not set explicitly. Throws config_error for
/// unknown flags (with a suggestion), missing or bad values; validates the result.
command_line apply_overrides(server_config& cfg, std::span<const std::string> args);
command_line apply_overrides(server_config& cfg, int argc, const char* const* argv);  ///< skips argv[0]
std::string command_line_help(std::string_view program);

/// The embedded engine's options (include/db001/db001.h) from the configuration.
db001::options to_engine_options(const server_config& cfg);

/// The unit parsers, also usable for SET work_mem = '64MB' and friends. nullopt = not valid.
std::optional<uint64_t> parse_size(std::string_view text);
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::optional<bool> parse_bool(std::string_view text);
/// "1GB", "256MB", "64kB", "123B": the largest unit that divides the value exactly (as SHOW).
std::string format_size(uint64_t bytes);

}  // namespace db001::actors
