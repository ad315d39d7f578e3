// db001: the server. Reads config/database.yaml-style settings (--config FILE and overrides),
// opens the cluster (databases postgres and testdb), serves the PostgreSQL protocol and
// HTTP /health and /metrics, and shuts down cleanly on SIGTERM or SIGINT.
#include <signal.h>

#include <caf/all.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "actors/cluster.h"
#include "actors/http_endpoint.h"
#include "actors/metrics.h"
#include "actors/pg_server.h"
#include "actors/server_config.h"
#include "recovery/startup.h"
#include "storage/table_memory.h"

namespace {

const char* restore_help =
    "usage: db001 restore --target-time 'YYYY-MM-DD HH:MM:SS[.ffffff]' | --target-name NAME | --target-lsn X/Y\n"
    "                     [--database NAME] [--config FILE] [--data-dir DIR] [-c section.key=value ...]\n"
    "Point-in-time recovery (the server must be stopped): rebuilds each database (or NAME) of the\n"
    "data directory as of the target from the archived WAL (storage.archive_mode on since the\n"
    "database was created, storage.archive_directory) plus the WAL directory, then writes a\n"
    "checkpoint of the restored state. Times are UTC. The WAL after the target is discarded.\n";

/// `db001 restore ...`: point-in-time recovery of the databases in the data directory.
int restore(int argc, char** argv) {
  using namespace db001::actors;
  db001::durability_options target;
  std::string only;
  std::vector<char*> rest{argv[0]};
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw config_error(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--target-time") {
        target.recovery_target_time = value();
      } else if (a == "--target-name") {
        target.recovery_target_name = value();
      } else if (a == "--target-lsn") {
        std::string v = value();
        unsigned hi = 0, lo = 0;
        if (std::sscanf(v.c_str(), "%X/%X", &hi, &lo) != 2) throw config_error("bad LSN \"" + v + "\" (expected X/Y)");
        target.recovery_target_lsn = (uint64_t(hi) << 32) | lo;
      } else if (a == "--database") {
        only = value();
      } else if (a == "--help" || a == "-h") {
        std::cout << restore_help;
        return 0;
      } else {
        rest.push_back(argv[i]);
      }
    } catch (const config_error& e) {
      std::cerr << "db001 restore: " << e.what() << "\n" << restore_help;
      return 2;
    }
  }
  int targets = !target.recovery_target_time.empty() + !target.recovery_target_name.empty() +
                (target.recovery_target_lsn != 0);
  if (targets != 1) {
    std::cerr << "db001 restore: give exactly one of --target-time, --target-name, --target-lsn\n" << restore_help;
    return 2;
  }
  server_config cfg;
  try {
    apply_overrides(cfg, int(rest.size()), rest.data());
  } catch (const config_error& e) {
    std::cerr << "db001 restore: " << e.what() << "\n";
    return 2;
  }
  std::vector<std::string> names;
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(cfg.storage.data_directory + "/base", ec))
    if (e.is_directory() && (only.empty() || e.path().filename() == only)) names.push_back(e.path().filename());
  if (names.empty()) {
    std::cerr << "db001 restore: no database" << (only.empty() ? "" : " \"" + only + "\"") << " under "
              << cfg.storage.data_directory << "/base\n";
    return 1;
  }
  int restored = 0;
  for (auto& name : names) {
    auto o = to_engine_options(cfg);
    auto& d = o.durability;
    d.recovery_target_time = target.recovery_target_time;
    d.recovery_target_name = target.recovery_target_name;
    d.recovery_target_lsn = target.recovery_target_lsn;
    d.data_directory = cfg.storage.data_directory + "/base/" + name;
    d.wal_directory = cfg.wal_dir() + "/" + name;
    if (cfg.storage.archive_mode) d.archive_directory = cfg.storage.archive_directory + "/" + name;
    std::cout << "db001 restore: database " << name << std::endl;
    try {
      auto db = db001::database::open(o);
      ++restored;
    } catch (const db001::recovery::target_not_found& e) {
      std::cout << "db001 restore: database " << name << ": " << e.what() << "; left as it is" << std::endl;
    } catch (const std::exception& e) {
      std::cerr << "db001 restore: database " << name << ": " << e.what() << "\n";
      return 1;
    }
  }
  if (!restored) {
    std::cerr << "db001 restore: the recovery target was found in no database\n";
    return 1;
  }
  std::cout << "db001 restore: done; start the server as usual" << std::endl;
  return 0;
}

int run(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "restore") return restore(argc, argv);
  using namespace db001::actors;
  server_config cfg;
  try {
    auto cl = apply_overrides(cfg, argc, argv);
    if (cl.help) {
      std::cout << command_line_help("db001");
      return 0;
    }
  } catch (const config_error& e) {
    std::cerr << "db001: " << e.what() << "\n";
    return 2;
  }
  std::error_code ec;
  for (const std::string& dir : {cfg.storage.data_directory, cfg.wal_dir(), cfg.temp_dir()}) {
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      std::cerr << "db001: cannot create directory \"" << dir << "\": " << ec.message() << "\n";
      return 1;
    }
  }

  // SIGTERM/SIGINT are taken by sigwait below: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  caf::actor_system_config sys_cfg;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  sys_cfg.set("scheduler.max-threads", cores);
  sys_cfg.set("work-stealing.aggressive-poll-attempts", 1);
  sys_cfg.set("work-stealing.moderate-poll-attempts", 1);
  sys_cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds(10)});
  sys_cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys(sys_cfg);

  http_endpoint http;
  http.set_connections_source([] { return server_metrics::get().connections(); });
  int http_port = 0;
  try {
    http_port = http.start(cfg.http_listen_address(), cfg.server.http_port);
  } catch (const std::exception& e) {
    std::cerr << "db001: " << e.what() << "\n";
    return 1;
  }
  std::cout << "db001: HTTP /health and /metrics on " << cfg.http_listen_address() << ":" << http_port << std::endl;

  // database.shared_buffers: the limit for table data in every database (53200 beyond it).
  db001::storage::table_memory::set_limit(cfg.database.shared_buffers);
  http.set_state(server_state::recovering);
  std::unique_ptr<cluster> owned;
  try {
    owned = std::make_unique<cluster>(sys, cfg, [&http](uint64_t records) { http.set_recovery_progress(records); });
  } catch (const std::exception& e) {
    // Never serve a database that could not be recovered completely (its files stay as they are).
    std::cerr << "db001: cannot start: " << e.what() << std::endl;
    http.stop();
    return 1;
  }
  cluster& cl = *owned;
  // Engine and durability samples of every open database (also those opened later), labelled
  // {database="<name>"}; read under the cluster's lock, so a closed database is never touched.
  collector_handle engine_metrics = registry::global().add_collector([&cl](sample_sink& s) {
    cl.for_each_open([&](const std::string& name, db001::database& db) {
      metric_labels labels{{"database", name}};
      collect_engine_samples(s, db.engine(), labels);
      if (auto* store = db.durable_store()) collect_durability_samples(s, *store, labels);
    });
  });

  pg_server pg(sys, cl);
  int port = 0;
  try {
    port = pg.start(cfg.server.listen, cfg.server.port, cfg.server.unix_socket_directory);
  } catch (const std::exception& e) {
    std::cerr << "db001: " << e.what() << "\n";
    http.stop();
    return 1;
  }
  http.set_state(server_state::serving);
  std::cout << "db001: accepting PostgreSQL connections on " << cfg.server.listen << ":" << port
            << " (databases: postgres, testdb; data directory " << cfg.storage.data_directory << ")" << std::endl;

  int sig = 0;
  sigwait(&signals, &sig);
  std::cout << "db001: received " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", shutting down" << std::endl;
  http.set_state(server_state::shutting_down);
  pg.stop();
  engine_metrics.reset();
  http.stop();
  std::cout << "db001: stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
