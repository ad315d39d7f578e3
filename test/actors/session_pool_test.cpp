// The session pool: sockets served by a few threads, one thread at a time per socket, and
// sessions that sleep or run long do not hold up the others.
#include "actors/session_pool.h"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "txn/blocking_scope.h"

namespace {

using db001::actors::session_pool;
using namespace std::chrono_literals;

/// A socket pair: the pool serves [0], the test talks on [1].
struct socket_pair {
  int fd[2] = {-1, -1};
  socket_pair() { BOOST_REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd) == 0); }
  ~socket_pair() {
    if (fd[1] >= 0) ::close(fd[1]);
  }
  /// Reads exactly n bytes from the test's end (with a 10 s limit); "" on EOF or timeout.
  std::string read(size_t n) const {
    timeval tv{10, 0};
    setsockopt(fd[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    char buf[256];
    while (out.size() < n) {
      ssize_t r = ::recv(fd[1], buf, std::min(sizeof buf, n - out.size()), 0);
      if (r <= 0) return out;
      out.append(buf, size_t(r));
    }
    return out;
  }
  void write(const std::string& s) const { BOOST_REQUIRE(::send(fd[1], s.data(), s.size(), MSG_NOSIGNAL) == ssize_t(s.size())); }
};

/// Something to wait for, with a limit.
struct latch {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  void release() {
    std::lock_guard l(m);
    open = true;
    cv.notify_all();
  }
  bool wait(std::chrono::milliseconds limit = 10s) {
    std::unique_lock l(m);
    return cv.wait_for(l, limit, [&] { return open; });
  }
};

/// Answers every byte it reads with the same byte, upper-cased; 'q' ends the session. Counts
/// how many threads are inside it at once (must never exceed one) and its destruction.
struct echo_handler final : session_pool::handler {
  int fd;
  std::atomic<int>* destroyed;
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  echo_handler(int f, std::atomic<int>* d) : fd(f), destroyed(d) {}
  ~echo_handler() override {
    destroyed->fetch_add(1);  // before the close our end's EOF reports
    ::close(fd);
  }
  bool on_readable() override {
    if (inside.fetch_add(1) != 0) overlapped = true;
    char buf[64];
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    bool keep = n > 0;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == 'q') keep = false;
      buf[i] = char(std::toupper(static_cast<unsigned char>(buf[i])));
    }
    if (n > 0) ::send(fd, buf, size_t(n), MSG_NOSIGNAL);
    inside.fetch_sub(1);
    return keep;
  }
};

/// On its first message, waits for `gate` (inside a blocking_scope when `marked`), then
/// answers "done".
struct sleeper final : session_pool::handler {
  int fd;
  latch* gate;
  bool marked;
  sleeper(int f, latch* g, bool m) : fd(f), gate(g), marked(m) {}
  ~sleeper() override { ::close(fd); }
  bool on_readable() override {
    char buf[16];
    if (::recv(fd, buf, sizeof buf, MSG_DONTWAIT) <= 0) return false;
    if (marked) {
      db001::txn::blocking_scope blocking;
      gate->wait();
    } else {
      gate->wait();
    }
    ::send(fd, "done", 4, MSG_NOSIGNAL);
    return true;
  }
};

/// Opens `gate` when a message arrives, answers "ok".
struct opener final : session_pool::handler {
  int fd;
  latch* gate;
  opener(int f, latch* g) : fd(f), gate(g) {}
  ~opener() override { ::close(fd); }
  bool on_readable() override {
    char buf[16];
    if (::recv(fd, buf, sizeof buf, MSG_DONTWAIT) <= 0) return false;
    gate->release();
    ::send(fd, "ok", 2, MSG_NOSIGNAL);
    return true;
  }
};

/// One thread in the pool; session A sleeps until session B's message opens its gate. With
/// one thread and no hand-over this never finishes. A marked wait must hand over without the
/// monitor's help (the pool runs without one), an unmarked one with it.
void sleeping_session_does_not_hold_up_others(bool marked) {
  session_pool pool(1, marked ? 0ms : 10ms);
  socket_pair a, b;
  latch gate;
  pool.add(a.fd[0], std::make_unique<sleeper>(a.fd[0], &gate, marked));
  pool.add(b.fd[0], std::make_unique<opener>(b.fd[0], &gate));
  a.write("x");
  std::this_thread::sleep_for(50ms);  // A's handler is asleep on the only core thread
  b.write("y");
  BOOST_TEST(b.read(2) == "ok");
  BOOST_TEST(a.read(4) == "done");
  gate.release();  // (a failed run: let the sleeper go before the pool stops)
}

}  // namespace

BOOST_AUTO_TEST_SUITE(session_pool_tests)

BOOST_AUTO_TEST_CASE(many_sockets_served_one_thread_at_a_time_each) {
  std::atomic<int> destroyed{0};
  constexpr int sockets = 32, rounds = 200;
  std::vector<std::unique_ptr<socket_pair>> pairs;
  std::vector<echo_handler*> handlers;
  {
    session_pool pool(2);
    for (int i = 0; i < sockets; ++i) {
      pairs.push_back(std::make_unique<socket_pair>());
      auto h = std::make_unique<echo_handler>(pairs.back()->fd[0], &destroyed);
      handlers.push_back(h.get());
      pool.add(pairs.back()->fd[0], std::move(h));
    }
    // Clients on several threads, each a ping-pong on its own sockets.
    std::vector<std::thread> clients;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 4; ++t)
      clients.emplace_back([&, t] {
        for (int r = 0; r < rounds; ++r)
          for (int i = t; i < sockets; i += 4) {
            std::string msg = std::string(1, char('a' + (r + i) % 16)) + "bc";
            pairs[size_t(i)]->write(msg);
            std::string want = msg;
            for (auto& c : want) c = char(std::toupper(static_cast<unsigned char>(c)));
            if (pairs[size_t(i)]->read(3) != want) wrong.fetch_add(1);
          }
      });
    for (auto& c : clients) c.join();
    BOOST_TEST(wrong.load() == 0);
    for (auto* h : handlers) BOOST_TEST(!h->overlapped.load());
    // 'q' ends a session: its handler is destroyed and its socket closed (EOF at our end).
    pairs[0]->write("q");
    BOOST_TEST(pairs[0]->read(1) == "Q");
    BOOST_TEST(pairs[0]->read(1) == "");
    BOOST_TEST(destroyed.load() == 1);
    // So does a client hanging up.
    ::close(pairs[1]->fd[1]);
    pairs[1]->fd[1] = -1;
    for (int i = 0; i < 500 && destroyed.load() < 2; ++i) std::this_thread::sleep_for(10ms);
    BOOST_TEST(destroyed.load() == 2);
    BOOST_TEST(pool.current().threads >= 2u);
  }
  // stop() destroyed the rest.
  BOOST_TEST(destroyed.load() == sockets);
}

BOOST_AUTO_TEST_CASE(a_marked_wait_hands_the_other_sessions_to_another_thread) {
  sleeping_session_does_not_hold_up_others(true);
}

BOOST_AUTO_TEST_CASE(a_long_unmarked_handler_is_overtaken_by_the_monitor) {
  sleeping_session_does_not_hold_up_others(false);
}

BOOST_AUTO_TEST_CASE(threads_beyond_the_core_ones_end_when_idle) {
  session_pool pool(1, 0ms);
  socket_pair a, b;
  latch gate;
  pool.add(a.fd[0], std::make_unique<sleeper>(a.fd[0], &gate, true));
  pool.add(b.fd[0], std::make_unique<opener>(b.fd[0], &gate));
  a.write("x");
  std::this_thread::sleep_for(50ms);
  b.write("y");
  BOOST_TEST(b.read(2) == "ok");
  BOOST_TEST(a.read(4) == "done");
  BOOST_TEST(pool.current().threads >= 2u);
  bool shrunk = false;
  for (int i = 0; i < 500 && !shrunk; ++i) {  // idle for a second, the extra thread ends
    std::this_thread::sleep_for(10ms);
    shrunk = pool.current().threads == 1;
  }
  BOOST_TEST(shrunk);
  // The remaining thread still serves.
  b.write("z");
  BOOST_TEST(b.read(2) == "ok");
}

BOOST_AUTO_TEST_CASE(outside_a_pool_a_blocking_scope_does_nothing) {
  BOOST_TEST(db001::txn::current_blocking_observer == nullptr);
  db001::txn::blocking_scope s;  // no observer: no effect, no crash
  BOOST_TEST(db001::txn::current_blocking_observer == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
