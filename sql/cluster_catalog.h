#pragma once
/// Cluster-wide objects: roles and databases. A server hosts several databases (one engine
/// each) that share one cluster_catalog; the engine holds a pointer to it (engine::
/// set_cluster) and reads it for pg_roles / pg_user / pg_authid / pg_database,
/// pg_get_userbyid(), and CREATE/ALTER/DROP ROLE, CREATE/DROP DATABASE.
///
/// Errors are db_error with PostgreSQL's SQLSTATE and message (42710 role exists, 42704
/// role does not exist, 42P04 database exists, 3D000 database does not exist, ...).
///
/// Thread-safety: implementations must be safe from any thread (sessions of every database
/// call them concurrently).
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace db001::sql {

struct role_info {
  std::string name;
  uint32_t oid = 0;
  bool superuser = false;
  bool can_login = false;
  bool createdb = false;
  bool createrole = false;
  bool inherit = true;
  bool replication = false;
  bool bypass_rls = false;
  int connection_limit = -1;
  std::string password;  ///< the verifier as stored ("" = none): implementation's choice
};

struct database_info {
  std::string name;
  uint32_t oid = 0;
  uint32_t owner = 10;  ///< role oid
};

/// Options of CREATE/ALTER ROLE; unset fields keep their value (ALTER) or default (CREATE).
struct role_options {
  std::optional<bool> superuser, can_login, createdb, createrole, inherit, replication, bypass_rls;
  std::optional<int> connection_limit;
  /// The password as written (plain text or a pre-hashed "SCRAM-SHA-256$..." / "md5..."
  /// string); an empty optional = not given; a null password (PASSWORD NULL) = "" with
  /// password_null set.
  std::optional<std::string> password;
  bool password_null = false;
};

class cluster_catalog {
 public:
  virtual ~cluster_catalog() = default;

  virtual std::vector<role_info> roles() const = 0;
  virtual std::optional<role_info> find_role(const std::string& name) const = 0;
  /// 42710 "role \"x\" already exists".
  virtual role_info create_role(const std::string& name, const role_options& opts) = 0;
  /// 42704 "role \"x\" does not exist".
  virtual void alter_role(const std::string& name, const role_options& opts) = 0;
  /// Returns false if absent (the caller reports 42704 or the IF EXISTS notice).
  virtual bool drop_role(const std::string& name) = 0;

  virtual std::vector<database_info> databases() const = 0;
  virtual std::optional<database_info> find_database(const std::string& name) const = 0;
  /// 42P04 "database \"x\" already exists".
  virtual database_info create_database(const std::string& name, const std::string& owner) = 0;
  /// Returns false if absent (the caller reports 3D000 or the IF EXISTS notice).
  virtual bool drop_database(const std::string& name) = 0;
};

/// The in-process default: superuser `postgres` (oid 10), databases `postgres` (oid 5),
/// template0/template1 and `current_database` if different; passwords stored as given.
class memory_cluster_catalog : public cluster_catalog {
 public:
  explicit memory_cluster_catalog(const std::string& current_database = "postgres");

  std::vector<role_info> roles() const override;
  std::optional<role_info> find_role(const std::string& name) const override;
  role_info create_role(const std::string& name, const role_options& opts) override;
  void alter_role(const std::string& name, const role_options& opts) override;
  bool drop_role(const std::string& name) override;
  std::vector<database_info> databases() const override;
  std::optional<database_info> find_database(const std::string& name) const override;
  database_info create_database(const std::string& name, const std::string& owner) override;
  bool drop_database(const std::string& name) override;

 private:
  mutable std::mutex mutex_;
  std::vector<role_info> roles_;
  std::vector<database_info> databases_;
  uint32_t next_oid_ = 16384;
};

}  // namespace db001::sql
