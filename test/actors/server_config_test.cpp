// The server configuration: defaults, the shipped config/database.yaml, units, error messages
// (file, line, key path, suggestions) and command-line overrides.
#include "actors/server_config.h"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace db001::actors;
using namespace std::chrono_literals;

namespace {

/// config/database.yaml of this source tree: looked for above the test binary
/// (build/bin/test_actors), above this source file, then above the working directory.
fs::path shipped_config() {
  std::vector<fs::path> starts;
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) starts.push_back(exe.parent_path());
  if (fs::path(__FILE__).is_absolute()) starts.push_back(fs::path(__FILE__).parent_path());
  starts.push_back(fs::current_path());
  for (auto dir : starts)
    for (; !dir.empty(); dir = dir.parent_path()) {
      if (fs::exists(dir / "config/database.yaml") && fs::exists(dir / "actors/server_config.h"))
        return dir / "config/database.yaml";
      if (dir == dir.root_path()) break;
    }
  return {};
}

/// A YAML file in a fresh temporary directory, removed at the end of the test.
struct temp_yaml {
  explicit temp_yaml(const std::string& text, const std::string& name = "database.yaml") {
    std::string tmpl = (fs::temp_directory_path() / "db001_cfg_XXXXXX").string();
    dir = mkdtemp(tmpl.data());
    path = (dir / name).string();
    std::ofstream(path) << text;
  }
  ~temp_yaml() { fs::remove_all(dir); }
  fs::path dir;
  std::string path;
};

/// The message of the config_error fn throws ("" if it does not throw).
template <typename Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

std::string parse_error(const std::string& yaml) {
  return error_of([&] { parse_server_config(yaml, "test.yaml"); });
}

std::string override_error(std::vector<std::string> args) {
  server_config cfg;
  return error_of([&] { apply_overrides(cfg, std::span<const std::string>(args)); });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server_config_suite)

BOOST_AUTO_TEST_CASE(defaults_without_a_file_are_loopback_on_standard_ports) {
  server_config c;
  BOOST_TEST(c.server.listen == "127.0.0.1");
  BOOST_TEST(c.server.port == 5432);
  BOOST_TEST(c.server.http_port == 8080);
  BOOST_TEST(c.http_listen_address() == "127.0.0.1");
  BOOST_TEST(c.server.unix_socket_directory.empty());
  BOOST_TEST(c.storage.data_directory == "./data");
  BOOST_TEST(c.wal_dir() == "./data/wal");
  BOOST_TEST(c.temp_dir() == "./data/tmp");
  BOOST_TEST(c.performance.parallel_workers == 0);
  BOOST_TEST((c.auth.local == auth_method::trust));
  BOOST_TEST((c.auth.host == auth_method::scram_sha_256));
  BOOST_TEST((c.database.wal_level == wal_level::replica));
  BOOST_TEST(c.database.synchronous_commit);
  BOOST_CHECK_NO_THROW(validate(c));
  // No flags at all: still the defaults, and valid.
  std::vector<std::string> none;
  auto cl = apply_overrides(c, std::span<const std::string>(none));
  BOOST_TEST(!cl.help);
  BOOST_TEST(cl.config_file.empty());
  BOOST_TEST(c.server.port == 5432);
  // An empty file is the defaults too.
  auto e = parse_server_config("", "empty.yaml");
  BOOST_TEST(e.server.port == 5432);
  BOOST_TEST(e.database.work_mem == 256u << 20);
}

BOOST_AUTO_TEST_CASE(shipped_config_loads) {
  fs::path p = shipped_config();
  BOOST_REQUIRE_MESSAGE(!p.empty(), "config/database.yaml not found above the test binary or source");
  server_config c = load_server_config(p.string());
  BOOST_TEST(c.source_file == p.string());
  BOOST_TEST(c.server.listen == "127.0.0.1");
  BOOST_TEST(c.server.port == 5432);
  BOOST_TEST(c.server.http_port == 8080);
  BOOST_TEST(c.storage.data_directory == "./data");
  BOOST_TEST(c.wal_dir() == "./data/wal");
  BOOST_TEST(c.temp_dir() == "./data/tmp");
  BOOST_TEST(c.database.shared_buffers == uint64_t(1) << 30);
  BOOST_TEST(c.database.max_connections == 100);
  BOOST_TEST(c.database.work_mem == uint64_t(256) << 20);
  BOOST_TEST(c.database.checkpoint_interval.count() == 300000);
  BOOST_TEST(c.database.fsync_interval.count() == 10);
  BOOST_TEST(c.database.statement_timeout.count() == 0);
  BOOST_TEST(c.database.default_transaction_isolation == "read committed");
  BOOST_TEST(c.storage.wal_segment_size == uint64_t(16) << 20);
  BOOST_TEST(!c.storage.archive_mode);
  BOOST_TEST(c.performance.parallel_workers == 0);
  BOOST_TEST(c.performance.async_io);
  BOOST_TEST(c.performance.prefetch_size == uint64_t(1) << 20);
  BOOST_REQUIRE(c.auth.users.size() == 1u);
  BOOST_TEST(c.auth.users[0].name == "postgres");
  BOOST_TEST(c.auth.users[0].superuser);
  BOOST_TEST(c.auth.find_user("postgres") != nullptr);
  BOOST_TEST(c.auth.find_user("nobody") == nullptr);

  auto o = to_engine_options(c);
  BOOST_TEST(o.parallel_workers == 0);
  BOOST_TEST(o.work_mem == size_t(256) << 20);
  BOOST_TEST(o.default_isolation == "read committed");
}

BOOST_AUTO_TEST_CASE(size_units) {
  BOOST_TEST(*parse_size("8GB") == uint64_t(8) << 30);
  BOOST_TEST(*parse_size("256MB") == uint64_t(256) << 20);
  BOOST_TEST(*parse_size("64kB") == uint64_t(64) << 10);
  BOOST_TEST(*parse_size("1MB") == uint64_t(1) << 20);
  BOOST_TEST(*parse_size("2TB") == uint64_t(2) << 40);
  BOOST_TEST(*parse_size("123") == 123u);  // plain number = bytes
  BOOST_TEST(*parse_size("123B") == 123u);
  BOOST_TEST(*parse_size("1 GB") == uint64_t(1) << 30);
  BOOST_TEST(*parse_size("16kb") == uint64_t(16) << 10);
  BOOST_TEST(*parse_size("1.5GB") == uint64_t(3) << 29);
  BOOST_TEST(*parse_size("0") == 0u);
  for (auto bad : {"", "lots", "-1MB", "1XB", "GB", "1.2.3MB", "99999999999TB", "1e3"})
    BOOST_TEST(!parse_size(bad).has_value(), bad);
  BOOST_TEST(format_size(uint64_t(1) << 30) == "1GB");
  BOOST_TEST(format_size(uint64_t(64) << 10) == "64kB");
  BOOST_TEST(format_size(1000) == "1000B");
}

BOOST_AUTO_TEST_CASE(duration_units) {
  BOOST_TEST(parse_duration("5m")->count() == 300000);
  BOOST_TEST(parse_duration("5min")->count() == 300000);
  BOOST_TEST(parse_duration("30s")->count() == 30000);
  BOOST_TEST(parse_duration("100ms")->count() == 100);
  BOOST_TEST(parse_duration("1h")->count() == 3600000);
  BOOST_TEST(parse_duration("1d")->count() == 86400000);
  BOOST_TEST(parse_duration("250")->count() == 250);  // plain number = milliseconds
  BOOST_TEST(parse_duration("1.5s")->count() == 1500);
  for (auto bad : {"", "soon", "5 parsecs", "-3s", "s"}) BOOST_TEST(!parse_duration(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(booleans) {
  for (auto t : {"true", "on", "ON", "yes", "1", "True"}) BOOST_TEST(*parse_bool(t), t);
  for (auto f : {"false", "off", "Off", "no", "0"}) BOOST_TEST(!*parse_bool(f), f);
  BOOST_TEST(!parse_bool("maybe").has_value());
  auto c = parse_server_config("database:\n  synchronous_commit: off\nperformance:\n  async_io: false\n");
  BOOST_TEST(!c.database.synchronous_commit);
  BOOST_TEST(!c.performance.async_io);
}

BOOST_AUTO_TEST_CASE(every_key_of_the_file_reads_its_units) {
  auto c = parse_server_config(R"(
database:
  max_connections: 1000
  shared_buffers: 8GB
  work_mem: 64kB
  checkpoint_interval: 30s
  max_wal_size: 2GB
  wal_level: logical
  synchronous_commit: off
  fsync_interval: 100ms
  statement_timeout: 1h
  default_transaction_isolation: SERIALIZABLE
storage:
  data_directory: /var/lib/db001/data
  wal_directory: /var/lib/db001/wal
  temp_directory: /tmp/db001
  wal_segment_size: 64MB
  archive_mode: on
  archive_directory: /archive
performance:
  parallel_workers: 8
  async_io: true
  prefetch_size: 1MB
  cache_size: 4GB
server:
  listen: 0.0.0.0
  port: 15432
  http_listen: 127.0.0.1
  http_port: 0
  unix_socket_directory: /run/db001
auth:
  local: password
  host: scram-sha-256
  users:
    - name: admin
      password: "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0$7EX2N5zXTeWpBJjOXfaCJ8bPuvwIp3yGRq0VMF6tZzI=:q3f7VUjGeRDnBvOtCfcpP3qXaFBoXIBqGDVwsobXE2U="
      superuser: yes
    - name: app
      password: secret
)");
  BOOST_TEST(c.database.max_connections == 1000);
  BOOST_TEST(c.database.shared_buffers == uint64_t(8) << 30);
  BOOST_TEST(c.database.work_mem == uint64_t(64) << 10);
  BOOST_TEST(c.database.checkpoint_interval.count() == 30000);
  BOOST_TEST(c.database.max_wal_size == uint64_t(2) << 30);
  BOOST_TEST(to_engine_options(c).durability.checkpoint_wal_bytes == uint64_t(2) << 30);
  BOOST_TEST((c.database.wal_level == wal_level::logical));
  BOOST_TEST(!c.database.synchronous_commit);
  BOOST_TEST(c.database.fsync_interval.count() == 100);
  BOOST_TEST(c.database.statement_timeout.count() == 3600000);
  BOOST_TEST(c.database.default_transaction_isolation == "serializable");
  BOOST_TEST(c.wal_dir() == "/var/lib/db001/wal");
  BOOST_TEST(c.temp_dir() == "/tmp/db001");
  BOOST_TEST(c.storage.wal_segment_size == uint64_t(64) << 20);
  BOOST_TEST(c.storage.archive_mode);
  BOOST_TEST(c.storage.archive_directory == "/archive");
  BOOST_TEST(c.performance.parallel_workers == 8);
  BOOST_TEST(c.performance.cache_size == uint64_t(4) << 30);
  BOOST_TEST(c.server.listen == "0.0.0.0");
  BOOST_TEST(c.server.port == 15432);
  BOOST_TEST(c.server.http_port == 0);
  BOOST_TEST(c.http_listen_address() == "127.0.0.1");
  BOOST_TEST(c.server.unix_socket_directory == "/run/db001");
  BOOST_TEST((c.auth.local == auth_method::password));
  BOOST_REQUIRE(c.auth.users.size() == 2u);
  BOOST_TEST(c.auth.users[0].has_scram_verifier());
  BOOST_TEST(c.auth.users[0].superuser);
  BOOST_TEST(!c.auth.users[1].has_scram_verifier());
  BOOST_TEST(!c.auth.users[1].superuser);
  BOOST_TEST(to_engine_options(c).parallel_workers == 8);
}

BOOST_AUTO_TEST_CASE(unknown_key_names_file_line_and_suggests) {
  temp_yaml f("database:\n  max_connections: 10\n  max_conections: 5\n");
  std::string msg = error_of([&] { load_server_config(f.path); });
  BOOST_TEST(msg == f.path + ":3: unknown key \"database.max_conections\" (did you mean \"max_connections\"?)");
  // A key of another section is pointed there.
  BOOST_TEST(parse_error("database:\n  data_directory: /x\n") ==
             "test.yaml:2: unknown key \"database.data_directory\" (did you mean \"storage.data_directory\"?)");
  BOOST_TEST(parse_error("databse:\n  port: 1\n") ==
             "test.yaml:1: unknown section \"databse\" (did you mean \"database\"?)");
  BOOST_TEST(parse_error("server:\n  frobnicate: 1\n") == "test.yaml:2: unknown key \"server.frobnicate\"");
  BOOST_TEST(parse_error("auth:\n  users:\n    - name: a\n      pasword: x\n") ==
             "test.yaml:4: unknown key \"auth.users[0].pasword\" (did you mean \"password\"?)");
}

BOOST_AUTO_TEST_CASE(bad_values_name_line_key_and_value) {
  BOOST_TEST(parse_error("database:\n  max_connections: lots\n") ==
             "test.yaml:2: database.max_connections: expected a positive integer, got \"lots\"");
  BOOST_TEST(parse_error("database:\n  max_connections: 0\n") ==
             "test.yaml:2: database.max_connections: expected a positive integer, got \"0\"");
  BOOST_TEST(parse_error("\n\nserver:\n  port: 70000\n") ==
             "test.yaml:4: server.port: expected a port number 0..65535, got \"70000\"");
  BOOST_TEST(parse_error("server:\n  http_port: -1\n") ==
             "test.yaml:2: server.http_port: expected a port number 0..65535, got \"-1\"");
  BOOST_TEST(
      parse_error("performance:\n  parallel_workers: -2\n") ==
      "test.yaml:2: performance.parallel_workers: expected a number of threads 0..4096 (0 = all cores), got \"-2\"");
  BOOST_TEST(parse_error("database:\n  shared_buffers: 12 apples\n")
                 .starts_with("test.yaml:2: database.shared_buffers: expected a size such as 64kB"));
  BOOST_TEST(parse_error("database:\n  work_mem: 1kB\n") ==
             "test.yaml:2: database.work_mem: expected a size of at least 64kB, got \"1kB\"");
  BOOST_TEST(parse_error("database:\n  checkpoint_interval: soon\n")
                 .starts_with("test.yaml:2: database.checkpoint_interval: expected a duration"));
  BOOST_TEST(parse_error("database:\n  wal_level: archive\n") ==
             "test.yaml:2: database.wal_level: expected one of minimal, replica, logical, got \"archive\"");
  BOOST_TEST(parse_error("database:\n  synchronous_commit: maybe\n") ==
             "test.yaml:2: database.synchronous_commit: expected a boolean (on/off, true/false), got \"maybe\"");
  BOOST_TEST(parse_error("storage:\n  wal_segment_size: 3MB\n") ==
             "test.yaml:2: storage.wal_segment_size: expected a power of two between 1MB and 1GB, got \"3MB\"");
  BOOST_TEST(parse_error("auth:\n  host: md5\n") ==
             "test.yaml:2: auth.host: expected one of trust, reject, password, scram-sha-256, got \"md5\"");
  BOOST_TEST(parse_error("server:\n  port: [1, 2]\n") ==
             "test.yaml:2: server.port: expected a single value, got a list");
  BOOST_TEST(parse_error("server: 5\n") == "test.yaml:1: server: expected a map of settings");
  BOOST_TEST(parse_error("server:\n  port: 1\n  port: 2\n") == "test.yaml:3: duplicate key \"server.port\"");
  BOOST_TEST(parse_error("auth:\n  users:\n    - name: a\n      password: SCRAM-SHA-256$x\n")
                 .starts_with("test.yaml:4: auth.users[0].password: malformed SCRAM verifier"));
  BOOST_TEST(parse_error("auth:\n  users:\n    - name: a\n    - name: a\n") ==
             "test.yaml:4: auth.users[1]: duplicate user \"a\"");
  BOOST_TEST(parse_error("server:\n  port: 1\n   bad indent: [\n").starts_with("test.yaml:3:"));
  BOOST_TEST(parse_error("server:\n  port: 1\n   bad indent: [\n").find("YAML syntax error") != std::string::npos);
  // Cross-field checks name the file.
  BOOST_TEST(parse_error("storage:\n  archive_mode: on\n") ==
             "test.yaml: storage.archive_mode is on but storage.archive_directory is not set");
  BOOST_TEST(parse_error("auth:\n  local: scram-sha-256\n") ==
             "test.yaml: auth.local is scram-sha-256 but auth.users is empty: nobody could log in");
  BOOST_TEST(parse_error("server:\n  port: 7000\n  http_port: 7000\n") ==
             "test.yaml: server.http_port must differ from server.port (both 7000)");
  std::string missing = error_of([] { load_server_config("/nonexistent/db001.yaml"); });
  BOOST_TEST(missing == "cannot open config file \"/nonexistent/db001.yaml\": No such file or directory");
}

BOOST_AUTO_TEST_CASE(command_line_overrides) {
  server_config c;
  std::vector<std::string> args = {"--port",
                                   "6543",
                                   "--http-port=0",
                                   "--listen",
                                   "0.0.0.0",
                                   "--data-dir",
                                   "/srv/db",
                                   "-c",
                                   "database.work_mem=64MB",
                                   "--set",
                                   "performance.parallel_workers=3"};
  auto cl = apply_overrides(c, std::span<const std::string>(args));
  BOOST_TEST(!cl.help);
  BOOST_TEST(c.server.port == 6543);
  BOOST_TEST(c.server.http_port == 0);
  BOOST_TEST(c.server.listen == "0.0.0.0");
  BOOST_TEST(c.storage.data_directory == "/srv/db");
  BOOST_TEST(c.wal_dir() == "/srv/db/wal");
  BOOST_TEST(c.temp_dir() == "/srv/db/tmp");
  BOOST_TEST(c.database.work_mem == uint64_t(64) << 20);
  BOOST_TEST(c.performance.parallel_workers == 3);

  // --config is read first wherever it stands; the other flags override it.
  temp_yaml f(
      "server:\n  port: 7000\n  http_port: 7001\nstorage:\n  data_directory: ./d\n  wal_directory: ./d/wal\n"
      "  temp_directory: /fast/tmp\n");
  server_config c2;
  const char* argv[] = {"db001", "--port", "7100", "--config", f.path.c_str(), "--data-dir", "/data2"};
  cl = apply_overrides(c2, 7, argv);
  BOOST_TEST(cl.config_file == f.path);
  BOOST_TEST(c2.source_file == f.path);
  BOOST_TEST(c2.server.port == 7100);
  BOOST_TEST(c2.server.http_port == 7001);
  BOOST_TEST(c2.wal_dir() == "/data2/wal");  // followed: it was <data>/wal
  BOOST_TEST(c2.temp_dir() == "/fast/tmp");  // placed elsewhere explicitly: stays

  server_config c3;
  std::vector<std::string> help = {"--help"};
  BOOST_TEST(apply_overrides(c3, std::span<const std::string>(help)).help);
  std::string text = command_line_help("db001");
  for (auto flag : {"--config", "--port", "--http-port", "--listen", "--data-dir", "--help"})
    BOOST_TEST(text.find(flag) != std::string::npos, flag);
}

BOOST_AUTO_TEST_CASE(bad_flags) {
  BOOST_TEST(override_error({"--prot", "1"}) == "unknown option \"--prot\" (did you mean \"--port\"?); see --help");
  BOOST_TEST(override_error({"--verbose"}) == "unknown option \"--verbose\"; see --help");
  BOOST_TEST(override_error({"stray"}) == "unexpected argument \"stray\"; see --help");
  BOOST_TEST(override_error({"--port", "abc"}) == "--port: expected a port number 0..65535, got \"abc\"");
  BOOST_TEST(override_error({"--http-port=99999"}) == "--http-port: expected a port number 0..65535, got \"99999\"");
  BOOST_TEST(override_error({"--port"}) == "option \"--port\" requires a value");
  BOOST_TEST(override_error({"--listen", ""}) == "--listen: expected a non-empty string, got \"\"");
  BOOST_TEST(override_error({"--help=yes"}) == "--help takes no value");
  BOOST_TEST(override_error({"-c", "database.work_mem"}) ==
             "-c: expected section.key=value, got \"database.work_mem\"");
  BOOST_TEST(override_error({"-c", "database.wrk_mem=1MB"}) ==
             "-c: unknown key \"database.wrk_mem\" (did you mean \"work_mem\"?)");
  BOOST_TEST(override_error({"-c", "database.work_mem=huge"})
                 .starts_with("-c database.work_mem: expected a size such as 64kB"));
  BOOST_TEST(override_error({"--config", "/nonexistent/x.yaml"}) ==
             "cannot open config file \"/nonexistent/x.yaml\": No such file or directory");
  BOOST_TEST(override_error({"--port", "8080"}) == "server.http_port must differ from server.port (both 8080)");
}

BOOST_AUTO_TEST_SUITE_END()
