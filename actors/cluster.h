#pragma once
/// The server's cluster: its databases (each an engine with its own transaction manager, on
/// the server's actor system), its roles, and the running backends (for CancelRequest and
/// max_connections). A fresh cluster has the databases `postgres` and `testdb` and the
/// superusers `postgres` and the OS user that started the server, as initdb makes them.
///
/// Thread-safety: every member function is safe from any thread.
#include <caf/fwd.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/server_config.h"
#include "db001/db001.h"

namespace db001::engine {
class session;
}

namespace db001::actors {

struct role_info {
  std::string name;
  bool superuser = false;
  std::string password;  ///< plain text or a "SCRAM-SHA-256$..." verifier; "" = none
};

/// A running backend: what a CancelRequest must match, and whom it cancels.
struct backend_entry {
  int32_t pid = 0;
  int32_t secret = 0;
  engine::session* session = nullptr;  ///< valid while registered
};

class cluster {
 public:
  cluster(caf::actor_system& sys, const server_config& cfg);
  ~cluster();
  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;

  const server_config& config() const { return cfg_; }
  /// The database called name, or null.
  database* find_database(const std::string& name);
  std::vector<std::string> database_names() const;
  std::optional<role_info> find_role(const std::string& name) const;

  /// Admits a new connection unless max_connections are in use (then false).
  bool admit();
  void release();
  int connections() const { return connections_.load(); }

  /// Registers a backend; returns its (pid, secret) for BackendKeyData.
  backend_entry register_backend(engine::session& s);
  void unregister_backend(int32_t pid);
  /// Cancels the statement running in backend pid if secret matches (CancelRequest).
  bool cancel(int32_t pid, int32_t secret);
  /// A random string for SCRAM mock exchanges (fixed for the server's lifetime).
  const std::string& mock_secret() const { return mock_secret_; }

 private:
  caf::actor_system& sys_;
  server_config cfg_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<database>> databases_;
  std::map<std::string, role_info> roles_;
  std::map<int32_t, backend_entry> backends_;
  int32_t next_pid_ = 0;
  std::atomic<int> connections_{0};
  std::string mock_secret_;
};

}  // namespace db001::actors
