#pragma once
/// The HTTP side of the server: GET /health and GET /metrics on their own port, served by
/// cpp-httplib from a background thread (accept loop) and a pool of 2 worker threads.
///
///   GET /health   200 {"status":"ok","uptime_seconds":12.5,"connections":3}   while serving
///                 503 {"status":"starting","uptime_seconds":0.1}
///                 503 {"status":"recovering","uptime_seconds":2.0,"records_replayed":1200,"records_total":5000}
///                 503 {"status":"shutting_down","uptime_seconds":99.1}
///   GET /metrics  registry.render(), Content-Type "text/plain; version=0.0.4; charset=utf-8"
///   anything else 404
///
/// Thread-safety: set_state, set_recovery_progress, set_connections_source, port and running may
/// be called from any thread at any time. start/stop/destructor from any thread but not
/// concurrently with each other. request_stop() is async-signal-safe (one atomic exchange plus
/// shutdown(2)/close(2) on the listening socket), so a signal handler may call it; stop() (or the
/// destructor) then joins the threads.
///
/// Wiring in the server (after loading the server_config):
///   db001::actors::http_endpoint http;                          // state: starting
///   http.set_connections_source([&] { return server_metrics::get().connections(); });
///   int port = http.start(cfg.http_listen_address(), cfg.server.http_port);   // throws on bind failure
///   http.set_state(server_state::recovering); ... http.set_recovery_progress(n, total) ...
///   http.set_state(server_state::serving);   // after recovery, once the SQL port listens
///   on SIGTERM:  http.set_state(server_state::shutting_down); ... http.stop();
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace db001::actors {

class registry;

enum class server_state { starting, recovering, serving, shutting_down };
const char* to_string(server_state s);  ///< "starting", "recovering", "ok" (serving), "shutting_down"

class http_endpoint {
 public:
  /// Serves `metrics` (default: registry::global()), which must outlive the endpoint.
  http_endpoint();
  explicit http_endpoint(registry& metrics);
  ~http_endpoint();  ///< stop()
  http_endpoint(const http_endpoint&) = delete;
  http_endpoint& operator=(const http_endpoint&) = delete;

  /// Binds `listen` ("127.0.0.1", "::1", "0.0.0.0", "*" = all, a host name) and `port`
  /// (0 = any free port) and starts serving. Returns the bound port. Throws std::runtime_error
  /// ("cannot listen on 127.0.0.1:8080: Address already in use") if binding fails or if it is
  /// already running. May be called again after stop().
  int start(const std::string& listen, int port, int threads = 2);
  /// Closes the listening socket, waits for requests in progress and joins the threads.
  /// Idempotent; after it returns the port accepts no connections.
  void stop();
  /// Closes the listening socket only; the accept loop then ends by itself. Async-signal-safe.
  void request_stop() noexcept;

  int port() const noexcept { return port_.load(std::memory_order_acquire); }  ///< 0 when not running
  bool running() const noexcept;

  void set_state(server_state s) noexcept { state_.store(s, std::memory_order_release); }
  server_state state() const noexcept { return state_.load(std::memory_order_acquire); }
  /// Shown in /health while recovering (total 0 = unknown, omitted).
  void set_recovery_progress(uint64_t records_replayed, uint64_t records_total = 0) noexcept;
  /// The "connections" figure of /health (called on an HTTP worker thread for each request).
  void set_connections_source(std::function<int64_t()> fn);

  /// The /health body and status for the current state (what the handler sends).
  std::string health_json(int* http_status = nullptr) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::atomic<server_state> state_{server_state::starting};
  std::atomic<uint64_t> replayed_{0}, replay_total_{0};
  std::atomic<int> port_{0};
};

}  // namespace db001::actors
