#include "actors/pg_server.h"

#include <arpa/inet.h>
#include <jemalloc/jemalloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "actors/cluster.h"
#include "actors/pg_connection.h"

namespace db001::actors {

/// Shared by the server object, the listener and the session actors.
struct pg_server::state {
  std::vector<int> listen_fds;
  std::string unix_path;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable idle;
  std::set<int> connections;  ///< open session sockets
  bool listener_running = false;
};

namespace {

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(size_t(n));
  }
  return true;
}

bool is_loopback(const sockaddr_storage& a) {
  if (a.ss_family == AF_UNIX) return true;
  if (a.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&a);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (a.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&a);
    if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) return in6->sin6_addr.s6_addr[12] == 127;
  }
  return false;
}

std::string address_text(const sockaddr_storage& a) {
  char buf[INET6_ADDRSTRLEN] = "[local]";
  if (a.ss_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&a)->sin_addr, buf, sizeof buf);
  else if (a.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&a)->sin6_addr, buf, sizeof buf);
  return buf;
}

/// A session idle this long gives back what its thread holds (see trim_idle_thread).
constexpr int idle_trim_ms = 1000;

void set_receive_timeout(int fd, int ms) {
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

/// Switches the calling thread's jemalloc tcache on or off (off: its cached objects go back).
void set_thread_cache(bool on) { mallctl("thread.tcache.enabled", nullptr, nullptr, &on, sizeof on); }

/// Called on a session's thread when its client has been quiet for idle_trim_ms: returns the
/// objects cached in the thread's jemalloc tcache to the arenas and the stack pages below the
/// current frame (touched by the deepest statement so far) to the kernel, so that an idle
/// connection keeps only what it needs (measured by bench/idle_connections.py).
void trim_idle_thread() {
  // The tcache (cached objects and its own ~30 kB of bins) goes away; set_thread_cache(true)
  // makes a fresh one when the client speaks again.
  set_thread_cache(false);
  // Freed pages of the thread's arena stay resident until jemalloc's decay purges them, which
  // only happens on later activity in that arena: purge them now.
  unsigned arena = 0;
  size_t len = sizeof arena;
  if (mallctl("thread.arena", &arena, &len, nullptr, 0) == 0) {
    std::string purge = "arena." + std::to_string(arena) + ".purge";
    mallctl(purge.c_str(), nullptr, nullptr, nullptr, 0);
  }
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* lo = nullptr;
  size_t size = 0;
  pthread_attr_getstack(&attr, &lo, &size);
  pthread_attr_destroy(&attr);
  const uintptr_t page = 4096;
  char here;
  // Below our frame (and the red zone) the stack is unused: give those pages back.
  uintptr_t top = (reinterpret_cast<uintptr_t>(&here) - page) & ~(page - 1);
  uintptr_t bottom = (reinterpret_cast<uintptr_t>(lo) + 2 * page + page - 1) & ~(page - 1);  // past the guard
  if (top > bottom) madvise(reinterpret_cast<void*>(bottom), top - bottom, MADV_DONTNEED);
}

/// One connection's session actor body: socket in, pg_connection, socket out.
void run_session(int fd, bool local, std::string address, cluster& cl, std::shared_ptr<pg_server::state> st) {
  {
    pg_connection conn(cl, {local, std::move(address)}, [fd](std::string_view bytes) { send_all(fd, bytes); });
    // Not zero-filled: only the pages recv writes become resident.
    constexpr size_t buf_size = 64 * 1024;
    std::unique_ptr<char[]> buf(new char[buf_size]);
    // Receives wait at most idle_trim_ms while the session is busy; the first timeout trims the
    // thread and switches to waiting without a timeout until the client sends again (no extra
    // system call per message).
    set_receive_timeout(fd, idle_trim_ms);
    bool trimmed = false;
    while (!conn.closing() && !st->stopping.load()) {
      ssize_t n = ::recv(fd, buf.get(), buf_size, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        conn.on_idle();
        trim_idle_thread();
        set_receive_timeout(fd, 0);
        trimmed = true;
        continue;
      }
      if (n <= 0) break;
      if (trimmed) {
        set_thread_cache(true);
        set_receive_timeout(fd, idle_trim_ms);
        trimmed = false;
      }
      conn.on_bytes(buf.get(), size_t(n));
      if (!conn.out().empty()) {
        if (!send_all(fd, conn.out().view())) break;
        conn.out().clear();
      }
    }
    conn.on_disconnect();
  }
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
  std::lock_guard lock(st->mutex);
  st->connections.erase(fd);
  st->idle.notify_all();
}

int listen_tcp(const std::string& host, int port, std::vector<int>& fds) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  std::string h = host == "*" ? "" : host;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  if (int rc = getaddrinfo(h.empty() ? nullptr : h.c_str(), service.c_str(), &hints, &res); rc != 0)
    throw std::runtime_error("cannot resolve listen address \"" + host + "\": " + gai_strerror(rc));
  int bound = port;
  std::string last_error;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ai->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bound != 0 && bound != port) {
      // port 0: every address family listens on the port the first one got.
      reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_port = htons(uint16_t(bound));
    }
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, 512) != 0) {
      last_error = std::strerror(errno);
      ::close(fd);
      continue;
    }
    if (bound == 0) {
      sockaddr_storage a{};
      socklen_t len = sizeof a;
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
      bound = ntohs(a.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&a)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&a)->sin_port);
    }
    fds.push_back(fd);
  }
  freeaddrinfo(res);
  if (fds.empty())
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + last_error);
  return bound;
}

int listen_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) throw std::runtime_error("Unix socket path too long: " + path);
  std::strcpy(a.sun_path, path.c_str());
  ::unlink(path.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 512) != 0) {
    std::string err = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("cannot listen on " + path + ": " + err);
  }
  ::chmod(path.c_str(), 0777);
  return fd;
}

}  // namespace

pg_server::pg_server(caf::actor_system& sys, cluster& c) : state_(std::make_shared<state>()), sys_(sys), cluster_(c) {}

pg_server::~pg_server() { stop(); }

int pg_server::start(const std::string& listen, int port, const std::string& unix_dir) {
  int bound = listen_tcp(listen == "localhost" ? "127.0.0.1" : listen, port, state_->listen_fds);
  if (!unix_dir.empty()) {
    state_->unix_path = unix_dir + "/.s.PGSQL." + std::to_string(bound);
    state_->listen_fds.push_back(listen_unix(state_->unix_path));
  }
  state_->listener_running = true;
  auto st = state_;
  cluster* cl = &cluster_;
  caf::actor_system* sys = &sys_;
  // The listener actor: accepts and spawns a session actor per connection.
  sys_.spawn([st, cl, sys](caf::blocking_actor*) {
    std::vector<pollfd> pfds;
    for (int fd : st->listen_fds) pfds.push_back({fd, POLLIN, 0});
    while (!st->stopping.load()) {
      int rc = ::poll(pfds.data(), pfds.size(), 100);
      if (rc <= 0) continue;
      for (auto& p : pfds) {
        if (!(p.revents & POLLIN)) continue;
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        int fd = ::accept4(p.fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
        if (fd < 0) continue;
        if (peer.ss_family != AF_UNIX) {
          int one = 1;
          setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
        {
          std::lock_guard lock(st->mutex);
          if (st->stopping.load()) {
            ::close(fd);
            continue;
          }
          st->connections.insert(fd);
        }
        bool local = is_loopback(peer) || len == 0;
        std::string addr = address_text(peer);
        sys->spawn([fd, local, addr, cl, st](caf::blocking_actor*) { run_session(fd, local, addr, *cl, st); });
      }
    }
    std::lock_guard lock(st->mutex);
    st->listener_running = false;
    st->idle.notify_all();
  });
  return bound;
}

void pg_server::stop() {
  if (!state_ || state_->stopping.exchange(true)) return;
  std::unique_lock lock(state_->mutex);
  for (int fd : state_->connections) ::shutdown(fd, SHUT_RDWR);  // wakes their recv
  state_->idle.wait_for(lock, std::chrono::seconds(10),
                        [&] { return state_->connections.empty() && !state_->listener_running; });
  for (int fd : state_->listen_fds) ::close(fd);
  state_->listen_fds.clear();
  if (!state_->unix_path.empty()) ::unlink(state_->unix_path.c_str());
}

}  // namespace db001::actors
