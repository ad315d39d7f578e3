// The HTTP endpoint: /health per server state, /metrics, 404, start/stop on free ports,
// stop from a signal handler. Every port is picked by the kernel (port 0).
#include "actors/http_endpoint.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <csignal>
#include <thread>

#include "actors/metrics.h"

using namespace db001::actors;

namespace {

/// Does anything accept TCP connections on 127.0.0.1:port?
bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

httplib::Result get(int port, const std::string& path) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_connection_timeout(5, 0);
  cli.set_read_timeout(5, 0);
  return cli.Get(path.c_str());
}

http_endpoint* signalled = nullptr;
extern "C" void on_sigusr1(int) { signalled->request_stop(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(http_endpoint_suite)

BOOST_AUTO_TEST_CASE(health_follows_the_server_state) {
  registry reg;
  http_endpoint http(reg);
  int port = http.start("127.0.0.1", 0);
  BOOST_TEST(port > 0);
  BOOST_TEST(http.port() == port);
  BOOST_TEST(http.running());

  auto r = get(port, "/health");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 503);
  BOOST_TEST(r->get_header_value("Content-Type") == "application/json");
  BOOST_TEST(r->body.starts_with("{\"status\":\"starting\",\"uptime_seconds\":"));

  http.set_state(server_state::recovering);
  http.set_recovery_progress(1200, 5000);
  r = get(port, "/health");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 503);
  BOOST_TEST(r->body.find("\"status\":\"recovering\"") != std::string::npos);
  BOOST_TEST(r->body.find("\"records_replayed\":1200,\"records_total\":5000}") != std::string::npos);

  http.set_connections_source([] { return int64_t(7); });
  http.set_state(server_state::serving);
  r = get(port, "/health");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->body.starts_with("{\"status\":\"ok\",\"uptime_seconds\":"));
  BOOST_TEST(r->body.ends_with(",\"connections\":7}"));

  http.set_state(server_state::shutting_down);
  r = get(port, "/health");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 503);
  BOOST_TEST(r->body.find("\"status\":\"shutting_down\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(metrics_and_not_found) {
  registry reg;
  counter& c = reg.add_counter("test_http_requests_total", "requests in this test");
  c.inc(41);
  c.inc();
  http_endpoint http(reg);
  int port = http.start("127.0.0.1", 0);

  auto r = get(port, "/metrics");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 200);
  BOOST_TEST(r->get_header_value("Content-Type").starts_with("text/plain; version=0.0.4"));
  BOOST_TEST(r->body.find("# TYPE test_http_requests_total counter\ntest_http_requests_total 42\n") !=
             std::string::npos);

  r = get(port, "/nope");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 404);
  r = get(port, "/");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->status == 404);

  // The default endpoint serves the global registry (process metrics included).
  http_endpoint global_http;
  int gport = global_http.start("127.0.0.1", 0);
  r = get(gport, "/metrics");
  BOOST_REQUIRE(r);
  BOOST_TEST(r->body.find("db001_memory_allocated_bytes ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stop_closes_the_port_and_restarts_work) {
  registry reg;
  http_endpoint http(reg);
  for (int round = 0; round < 5; ++round) {
    int port = http.start("127.0.0.1", 0);
    BOOST_TEST(accepts(port));
    auto r = get(port, "/health");
    BOOST_REQUIRE(r);
    BOOST_TEST(r->status == 503);
    BOOST_CHECK_THROW(http.start("127.0.0.1", 0), std::runtime_error);  // already running
    http.stop();
    BOOST_TEST(!http.running());
    BOOST_TEST(http.port() == 0);
    BOOST_TEST(!accepts(port));
    http.stop();  // idempotent
  }
  // The destructor stops a running endpoint.
  int port = 0;
  {
    http_endpoint scoped(reg);
    port = scoped.start("localhost", 0);
    BOOST_TEST(accepts(port));
  }
  BOOST_TEST(!accepts(port));
}

BOOST_AUTO_TEST_CASE(busy_port_is_an_error) {
  registry reg;
  http_endpoint a(reg), b(reg);
  int port = a.start("127.0.0.1", 0);
  try {
    b.start("127.0.0.1", port);
    BOOST_FAIL("second bind on the same port succeeded");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).starts_with("cannot listen on 127.0.0.1:" + std::to_string(port)));
  }
  BOOST_TEST(!b.running());
  // a is unaffected, and b can bind elsewhere.
  BOOST_TEST(get(port, "/health"));
  BOOST_TEST(b.start("127.0.0.1", 0) != port);
}

BOOST_AUTO_TEST_CASE(request_stop_from_a_signal_handler) {
  registry reg;
  http_endpoint http(reg);
  int port = http.start("127.0.0.1", 0);
  signalled = &http;
  auto old = std::signal(SIGUSR1, on_sigusr1);
  std::raise(SIGUSR1);
  std::signal(SIGUSR1, old);
  for (int i = 0; i < 500 && http.running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  BOOST_TEST(!http.running());
  BOOST_TEST(!accepts(port));
  http.stop();  // joins the finished threads
  BOOST_TEST(http.port() == 0);
  signalled = nullptr;
}

BOOST_AUTO_TEST_SUITE_END()
