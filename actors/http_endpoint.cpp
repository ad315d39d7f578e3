// /health and /metrics over cpp-httplib (0.11: bind first, then listen_after_bind() in our
// thread; Server::stop() only acts once the accept loop runs, so start() waits for that).
#include "actors/http_endpoint.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "actors/metrics.h"

namespace db001::actors {

const char* to_string(server_state s) {
  switch (s) {
    case server_state::starting:
      return "starting";
    case server_state::recovering:
      return "recovering";
    case server_state::serving:
      return "ok";
    case server_state::shutting_down:
      return "shutting_down";
  }
  return "unknown";
}

struct http_endpoint::impl {
  explicit impl(registry& r) : metrics(r) {}
  registry& metrics;
  std::mutex source_mu;
  std::function<int64_t()> connections;
  std::unique_ptr<httplib::Server> server;
  std::atomic<httplib::Server*> live{nullptr};  ///< set while the accept loop runs
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> loop_done{false};
  std::thread thread;
};

http_endpoint::http_endpoint() : http_endpoint(registry::global()) {}
http_endpoint::http_endpoint(registry& metrics) : impl_(std::make_unique<impl>(metrics)) {}
http_endpoint::~http_endpoint() { stop(); }

void http_endpoint::set_recovery_progress(uint64_t records_replayed, uint64_t records_total) noexcept {
  replayed_.store(records_replayed, std::memory_order_relaxed);
  replay_total_.store(records_total, std::memory_order_relaxed);
}

void http_endpoint::set_connections_source(std::function<int64_t()> fn) {
  std::lock_guard lock(impl_->source_mu);
  impl_->connections = std::move(fn);
}

bool http_endpoint::running() const noexcept {
  auto* s = impl_->live.load(std::memory_order_acquire);
  return s && !impl_->loop_done.load(std::memory_order_acquire);
}

std::string http_endpoint::health_json(int* http_status) const {
  server_state s = state();
  char uptime[32];
  auto [end, ec] = std::to_chars(uptime, uptime + sizeof uptime, process_uptime_seconds(), std::chars_format::fixed, 3);
  std::string body = std::string("{\"status\":\"") + to_string(s) + "\",\"uptime_seconds\":" + std::string(uptime, end);
  if (s == server_state::serving) {
    int64_t conns = 0;
    {
      std::lock_guard lock(impl_->source_mu);
      if (impl_->connections) conns = impl_->connections();
    }
    body += ",\"connections\":" + std::to_string(conns);
  } else if (s == server_state::recovering) {
    body += ",\"records_replayed\":" + std::to_string(replayed_.load(std::memory_order_relaxed));
    if (uint64_t total = replay_total_.load(std::memory_order_relaxed))
      body += ",\"records_total\":" + std::to_string(total);
  }
  body += "}";
  if (http_status) *http_status = s == server_state::serving ? 200 : 503;
  return body;
}

int http_endpoint::start(const std::string& listen, int port, int threads) {
  if (impl_->thread.joinable())
    throw std::runtime_error("HTTP endpoint already running on port " + std::to_string(port_.load()));
  if (port < 0 || port > 65535) throw std::runtime_error("HTTP port out of range: " + std::to_string(port));
  std::string host = listen.empty() ? "127.0.0.1" : listen == "*" ? "0.0.0.0" : listen;

  auto svr = std::make_unique<httplib::Server>();
  svr->new_task_queue = [n = threads < 1 ? 1 : threads] { return new httplib::ThreadPool(size_t(n)); };
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would let a second
  // server silently share our port.
  svr->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  svr->set_keep_alive_timeout(1);  // bounds how long stop() waits for an idle keep-alive client
  svr->set_read_timeout(5, 0);
  svr->set_write_timeout(5, 0);
  svr->Get("/health", [this](const httplib::Request&, httplib::Response& res) {
    int status = 200;
    res.set_content(health_json(&status), "application/json");
    res.status = status;
  });
  svr->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(impl_->metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  });

  errno = 0;
  int bound = port == 0 ? svr->bind_to_any_port(host) : (svr->bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    int err = errno;
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " +
                             (err ? std::strerror(err) : "address not available"));
  }

  impl_->stop_requested.store(false);
  impl_->loop_done.store(false);
  httplib::Server* raw = svr.get();
  impl_->server = std::move(svr);
  impl_->thread = std::thread([this, raw] {
    raw->listen_after_bind();
    impl_->loop_done.store(true, std::memory_order_release);
  });
  // Server::stop() is a no-op until the loop runs: publish the server only then.
  while (!raw->is_running() && !impl_->loop_done.load(std::memory_order_acquire))
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  if (impl_->loop_done.load()) {
    impl_->thread.join();
    impl_->server.reset();
    throw std::runtime_error("HTTP endpoint on " + host + ":" + std::to_string(bound) + " ended at start-up");
  }
  impl_->live.store(raw, std::memory_order_release);
  port_.store(bound, std::memory_order_release);
  return bound;
}

void http_endpoint::request_stop() noexcept {
  httplib::Server* s = impl_->live.load(std::memory_order_acquire);
  // Exactly one Server::stop() per run: it asserts the socket is still open.
  if (s && !impl_->stop_requested.exchange(true)) s->stop();
}

void http_endpoint::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  request_stop();
  impl_->thread.join();
  impl_->live.store(nullptr, std::memory_order_release);
  impl_->server.reset();
  port_.store(0, std::memory_order_release);
}

}  // namespace db001::actors
