#include "actors/cluster.h"

#include <filesystem>

#include <pwd.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <random>

#include "actors/pgwire/scram.h"
#include "sql/engine.h"
#include "sql/session.h"

namespace db001::actors {

namespace {

std::string os_user() {
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
  return "postgres";
}

/// Passwords as SCRAM verifiers (PostgreSQL's password_encryption = scram-sha-256).
sql::role_options hashed(sql::role_options o) {
  if (o.password && !o.password->empty() && !pgwire::scram_verifier::parse(*o.password))
    o.password = pgwire::scram_verifier::make(*o.password).to_string();
  return o;
}

}  // namespace

/// The cluster's roles and databases: the in-memory catalog plus hashing of passwords and
/// the lifetime of the databases' engines.
class server_catalog final : public sql::memory_cluster_catalog {
 public:
  explicit server_catalog(cluster& c) : memory_cluster_catalog("postgres"), cluster_(c) {}
  sql::role_info create_role(const std::string& name, const sql::role_options& opts) override {
    return memory_cluster_catalog::create_role(name, hashed(opts));
  }
  void alter_role(const std::string& name, const sql::role_options& opts) override {
    memory_cluster_catalog::alter_role(name, hashed(opts));
  }
  bool drop_database(const std::string& name) override {
    if (int n = cluster_.backends_of(name); n > 0)
    {
      db_error e("55006", "database \"" + name + "\" is being accessed by other users");
      e.with_detail("There " + std::string(n == 1 ? "is 1 other session" : "are " + std::to_string(n) + " other sessions") +
                    " using the database.");
      throw e;
    }
    bool dropped = memory_cluster_catalog::drop_database(name);
    if (dropped) cluster_.close_database(name, true);
    return dropped;
  }

 private:
  cluster& cluster_;
};

cluster::cluster(caf::actor_system& sys, const server_config& cfg) : sys_(sys), cfg_(cfg) {
  catalog_ = std::make_shared<server_catalog>(*this);
  catalog_->create_database("testdb", "postgres");
  sql::role_options super;
  super.superuser = super.can_login = super.createdb = super.createrole = true;
  if (std::string me = os_user(); !catalog_->find_role(me)) catalog_->create_role(me, super);
  for (const auto& u : cfg_.auth.users) {
    sql::role_options o;
    o.can_login = true;
    o.superuser = o.createdb = o.createrole = u.superuser;
    if (!u.password.empty()) o.password = u.password;
    if (catalog_->find_role(u.name))
      catalog_->alter_role(u.name, o);
    else
      catalog_->create_role(u.name, o);
  }
  // Databases created earlier (CREATE DATABASE) live on as directories under base/.
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(cfg_.storage.data_directory + "/base", ec)) {
    std::string name = e.path().filename().string();
    if (e.is_directory() && !catalog_->find_database(name)) catalog_->create_database(name, "postgres");
  }
  mock_secret_ = pgwire::random_bytes(16);
  next_pid_ = 1000 + int32_t(getpid() % 1000) * 1000;
  open_database("postgres");
  open_database("testdb");
}

cluster::~cluster() {
  std::lock_guard lock(mutex_);
  engines_.clear();
}

database* cluster::open_database(const std::string& name) {
  if (!catalog_->find_database(name)) return nullptr;
  std::lock_guard lock(mutex_);
  auto& slot = engines_[name];
  if (!slot) {
    auto o = to_engine_options(cfg_);
    o.durability.data_directory = cfg_.storage.data_directory + "/base/" + name;
    o.durability.wal_directory = cfg_.wal_dir() + "/" + name;
    if (cfg_.storage.archive_mode) o.durability.archive_directory = cfg_.storage.archive_directory + "/" + name;
    slot = open_on(sys_, o);
    slot->engine().set_cluster(catalog_);
    slot->engine().set_database_name(name);
  }
  return slot.get();
}

void cluster::close_database(const std::string& name, bool remove_files) {
  std::unique_ptr<database> gone;
  {
    std::lock_guard lock(mutex_);
    if (auto it = engines_.find(name); it != engines_.end()) {
      gone = std::move(it->second);
      engines_.erase(it);
    }
  }
  gone.reset();
  if (remove_files) {
    std::error_code ec;
    std::filesystem::remove_all(cfg_.storage.data_directory + "/base/" + name, ec);
    std::filesystem::remove_all(cfg_.wal_dir() + "/" + name, ec);
  }
}

std::vector<std::string> cluster::database_names() const {
  std::vector<std::string> out;
  for (auto& d : catalog_->databases()) out.push_back(d.name);
  return out;
}

std::optional<sql::role_info> cluster::find_role(const std::string& name) const { return catalog_->find_role(name); }

bool cluster::admit() {
  int n = connections_.fetch_add(1) + 1;
  if (n > cfg_.database.max_connections) {
    connections_.fetch_sub(1);
    return false;
  }
  return true;
}

void cluster::release() { connections_.fetch_sub(1); }

backend_entry cluster::register_backend(engine::session& s, const std::string& db) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::lock_guard lock(mutex_);
  backend_entry e;
  e.pid = ++next_pid_;
  e.secret = int32_t(rng());
  e.session = &s;
  backends_[e.pid] = {e, db};
  return e;
}

void cluster::unregister_backend(int32_t pid) {
  std::lock_guard lock(mutex_);
  backends_.erase(pid);
}

int cluster::backends_of(const std::string& db) const {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (auto& [pid, b] : backends_) n += b.db == db;
  return n;
}

bool cluster::cancel(int32_t pid, int32_t secret) {
  std::lock_guard lock(mutex_);
  auto it = backends_.find(pid);
  if (it == backends_.end() || it->second.entry.secret != secret) return false;
  it->second.entry.session->cancel();
  return true;
}

}  // namespace db001::actors
