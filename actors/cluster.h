#pragma once
/// The server's cluster: the roles and databases every database's engine shares (a
/// sql::cluster_catalog, so CREATE/ALTER/DROP ROLE and CREATE/DROP DATABASE work from SQL),
/// one engine per database (opened on first use, on the server's actor system), and the
/// running backends (for CancelRequest and max_connections). A fresh cluster has the
/// databases `postgres` and `testdb` and the superusers `postgres` and the OS user that
/// started the server, as initdb makes them, plus the users of the configuration.
/// Passwords are kept as SCRAM-SHA-256 verifiers (plain ones are hashed when set).
///
/// Thread-safety: every member function is safe from any thread.
#include <caf/fwd.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/server_config.h"
#include "db001/db001.h"
#include "sql/cluster_catalog.h"

namespace db001::engine {
class session;
}

namespace db001::actors {

/// A running backend: what a CancelRequest must match, and whom it cancels.
struct backend_entry {
  int32_t pid = 0;
  int32_t secret = 0;
  engine::session* session = nullptr;  ///< valid while registered
};

class cluster {
 public:
  /// Opens postgres, testdb and every database under the data directory (recovering them);
  /// recovery_progress receives the WAL records replayed so far (for /health).
  cluster(caf::actor_system& sys, const server_config& cfg, std::function<void(uint64_t)> recovery_progress = {});
  ~cluster();
  cluster(const cluster&) = delete;
  cluster& operator=(const cluster&) = delete;

  const server_config& config() const { return cfg_; }
  /// The engine of database `name` (opened on first use), or null if there is no such database.
  database* open_database(const std::string& name);
  std::vector<std::string> database_names() const;
  std::optional<sql::role_info> find_role(const std::string& name) const;
  /// Calls fn for every open database (metrics).
  template <class F>
  void for_each_open(F&& fn) {
    std::lock_guard lock(mutex_);
    for (auto& [n, d] : engines_) fn(n, *d);
  }

  /// Admits a new connection unless max_connections are in use (then false).
  bool admit();
  void release();
  int connections() const { return connections_.load(); }

  /// Registers a backend of database db; returns its (pid, secret) for BackendKeyData.
  backend_entry register_backend(engine::session& s, const std::string& db);
  void unregister_backend(int32_t pid);
  /// Cancels the statement running in backend pid if secret matches (CancelRequest).
  bool cancel(int32_t pid, int32_t secret);
  /// Backends connected to database db.
  int backends_of(const std::string& db) const;
  /// A random string for SCRAM mock exchanges (fixed for the server's lifetime).
  const std::string& mock_secret() const { return mock_secret_; }

 private:
  friend class server_catalog;
  void close_database(const std::string& name, bool remove_files = false);

  caf::actor_system& sys_;
  server_config cfg_;
  std::function<void(uint64_t)> recovery_progress_;
  std::shared_ptr<sql::cluster_catalog> catalog_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<database>> engines_;
  struct backend_record {
    backend_entry entry;
    std::string db;
  };
  std::map<int32_t, backend_record> backends_;
  int32_t next_pid_ = 0;
  std::atomic<int> connections_{0};
  std::string mock_secret_;
};

}  // namespace db001::actors
