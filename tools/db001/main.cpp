// db001: the server. Reads config/database.yaml-style settings (--config FILE and overrides),
// opens the cluster (databases postgres and testdb), serves the PostgreSQL protocol and
// HTTP /health and /metrics, and shuts down cleanly on SIGTERM or SIGINT.
#include <signal.h>

#include <caf/all.hpp>
#include <filesystem>
#include <iostream>
#include <thread>

#include "actors/cluster.h"
#include "actors/http_endpoint.h"
#include "actors/metrics.h"
#include "actors/pg_server.h"
#include "actors/server_config.h"
#include "storage/table_memory.h"

namespace {

int run(int argc, char** argv) {
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
  cluster cl(sys, cfg);
  std::vector<collector_handle> engine_metrics;
  cl.for_each_open([&](const std::string&, db001::database& db) {
    engine_metrics.push_back(add_engine_collector(registry::global(), db.engine()));
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
  engine_metrics.clear();
  http.stop();
  std::cout << "db001: stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
