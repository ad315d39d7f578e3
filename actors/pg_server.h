#pragma once
/// The PostgreSQL front end: a listener actor accepting TCP (and optionally Unix-domain)
/// connections, and a session per connection run by a session_pool: about one thread per
/// core serves every readable socket (reads it, feeds its pg_connection, writes the replies);
/// a statement that waits for a row lock or its commit's flush hands the other sessions to
/// another pool thread, so it blocks only its own session. Control reaches a session through
/// its socket (shutdown) and the cluster's backend registry (CancelRequest).
///
/// Thread-safety: start() and stop() from one thread (the server's main).
#include <caf/fwd.hpp>

#include <memory>
#include <string>

namespace db001::actors {

class cluster;

class pg_server {
 public:
  pg_server(caf::actor_system& sys, cluster& c);
  ~pg_server();  ///< stop()
  pg_server(const pg_server&) = delete;
  pg_server& operator=(const pg_server&) = delete;

  /// Binds `listen` ("127.0.0.1", "::1", "0.0.0.0", "*", "localhost") and `port` (0 = any free
  /// one) and starts accepting. With a non-empty `unix_dir`, also listens on
  /// unix_dir/.s.PGSQL.<port>. Returns the bound TCP port; throws std::runtime_error.
  int start(const std::string& listen, int port, const std::string& unix_dir = "");
  /// Stops accepting, closes every connection (open transactions roll back) and waits for
  /// the sessions to end.
  void stop();

  struct state;  ///< shared with the listener and the sessions

 private:
  std::shared_ptr<state> state_;
  caf::actor_system& sys_;
  cluster& cluster_;
};

}  // namespace db001::actors
