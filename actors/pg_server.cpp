#include "actors/pg_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
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
#include "actors/session_pool.h"
#include "txn/blocking_scope.h"

namespace db001::actors {

/// Shared by the server object, the listener and the sessions.
struct pg_server::state {
  std::vector<int> listen_fds;
  std::string unix_path;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable idle;
  std::set<int> connections;  ///< open session sockets
  bool listener_running = false;
  std::unique_ptr<session_pool> pool;  ///< runs the sessions
};

namespace {

/// Sends everything; a client that does not read its results makes this wait, as a marked
/// blocking wait (the session pool's other sessions go on meanwhile).
bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      txn::blocking_scope blocking;
      n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    }
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

/// The receive buffer of the calling pool thread (pages become resident as recv writes them).
constexpr size_t recv_buffer_size = 64 * 1024;
char* recv_buffer() {
  static thread_local std::unique_ptr<char[]> buf(new char[recv_buffer_size]);
  return buf.get();
}

/// One connection's session: socket in, pg_connection, socket out, run by the session pool's
/// threads (one at a time) whenever the socket is readable.
class session final : public session_pool::handler {
 public:
  session(int fd, bool local, std::string address, cluster& cl, std::shared_ptr<pg_server::state> st)
      : fd_(fd),
        st_(std::move(st)),
        conn_(std::make_unique<pg_connection>(cl, pg_connection::peer_info{local, std::move(address)},
                                              [fd](std::string_view bytes) { send_all(fd, bytes); })) {}

  ~session() override {
    conn_->on_disconnect();  // an open transaction rolls back
    conn_.reset();
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    std::lock_guard lock(st_->mutex);
    st_->connections.erase(fd_);
    st_->idle.notify_all();
  }

  bool on_readable() override {
    char* buf = recv_buffer();
    for (;;) {
      ssize_t n = ::recv(fd_, buf, recv_buffer_size, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) return false;  // the client left (or the server is stopping: shutdown)
      conn_->on_bytes(buf, size_t(n));
      if (!conn_->out().empty()) {
        if (!send_all(fd_, conn_->out().view())) return false;
        conn_->out().clear();
      }
      if (conn_->closing() || st_->stopping.load()) return false;
      if (size_t(n) < recv_buffer_size) break;  // read all there was
    }
    // Quiet until the next message: no buffer capacity is kept (they are cheap to regrow).
    conn_->on_idle();
    return true;
  }

 private:
  int fd_;
  std::shared_ptr<pg_server::state> st_;
  std::unique_ptr<pg_connection> conn_;
};

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
  state_->pool = std::make_unique<session_pool>();
  state_->listener_running = true;
  auto st = state_;
  cluster* cl = &cluster_;
  // The listener actor: accepts and hands each connection's session to the pool.
  sys_.spawn([st, cl](caf::blocking_actor*) {
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
        st->pool->add(fd, std::make_unique<session>(fd, local, addr, *cl, st));
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
  lock.unlock();
  if (state_->pool) state_->pool->stop();
  lock.lock();
  for (int fd : state_->listen_fds) ::close(fd);
  state_->listen_fds.clear();
  if (!state_->unix_path.empty()) ::unlink(state_->unix_path.c_str());
}

}  // namespace db001::actors
