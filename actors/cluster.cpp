#include "actors/cluster.h"

#include <fcntl.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

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
  server_catalog(cluster& c, std::string roles_file)
      : memory_cluster_catalog("postgres"), cluster_(c), roles_file_(std::move(roles_file)) {}
  sql::role_info create_role(const std::string& name, const sql::role_options& opts) override {
    auto r = memory_cluster_catalog::create_role(name, hashed(opts));
    save_roles();
    return r;
  }
  void alter_role(const std::string& name, const sql::role_options& opts) override {
    memory_cluster_catalog::alter_role(name, hashed(opts));
    save_roles();
  }
  bool drop_role(const std::string& name) override {
    bool dropped = memory_cluster_catalog::drop_role(name);
    if (dropped) save_roles();
    return dropped;
  }
  sql::database_info create_database(const std::string& name, const std::string& owner) override {
    auto d = memory_cluster_catalog::create_database(name, owner);
    if (loaded_) cluster_.open_database(name);  // its directory makes it survive a restart
    return d;
  }

  /// Roles created or changed with SQL, from the roles file (written at every change).
  void load_roles() {
    std::ifstream in(roles_file_);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string name, flags, password;
      int limit = -1;
      if (!(fields >> name >> flags >> limit)) continue;
      fields >> password;
      name = unhex(name);
      if (flags.size() != 7) continue;
      sql::role_options o;
      o.superuser = flags[0] == '1';
      o.can_login = flags[1] == '1';
      o.createdb = flags[2] == '1';
      o.createrole = flags[3] == '1';
      o.inherit = flags[4] == '1';
      o.replication = flags[5] == '1';
      o.bypass_rls = flags[6] == '1';
      o.connection_limit = limit;
      if (password != "-") o.password = unhex(password);
      if (find_role(name))
        memory_cluster_catalog::alter_role(name, o);
      else
        memory_cluster_catalog::create_role(name, o);
    }
    loaded_ = true;
  }

 private:
  static std::string hex(const std::string& s) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
      out += digits[c >> 4];
      out += digits[c & 15];
    }
    return out.empty() ? "-" : out;
  }
  static std::string unhex(const std::string& s) {
    std::string out;
    for (size_t i = 0; i + 1 < s.size(); i += 2) out += char(std::stoi(s.substr(i, 2), nullptr, 16));
    return out;
  }
  /// Writes every role (temp file, fsync, rename): CREATE/ALTER/DROP ROLE survive a restart.
  void save_roles() {
    if (!loaded_) return;
    std::lock_guard lock(save_mutex_);
    std::string text;
    for (auto& r : roles()) {
      std::string flags;
      for (bool b : {r.superuser, r.can_login, r.createdb, r.createrole, r.inherit, r.replication, r.bypass_rls})
        flags += b ? '1' : '0';
      text += hex(r.name) + " " + flags + " " + std::to_string(r.connection_limit) + " " +
              (r.password.empty() ? "-" : hex(r.password)) + "\n";
    }
    std::string tmp = roles_file_ + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw db_error("58030", "could not write file \"" + tmp + "\": " + std::strerror(errno));
    bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), roles_file_.c_str()) != 0)
      throw db_error("58030", "could not write file \"" + roles_file_ + "\": " + std::strerror(errno));
  }

 public:
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
  std::string roles_file_;
  std::mutex save_mutex_;
  bool loaded_ = false;
};

cluster::cluster(caf::actor_system& sys, const server_config& cfg, std::function<void(uint64_t)> recovery_progress)
    : sys_(sys), cfg_(cfg), recovery_progress_(std::move(recovery_progress)) {
  auto catalog = std::make_shared<server_catalog>(*this, cfg_.storage.data_directory + "/roles");
  catalog_ = catalog;
  catalog_->create_database("testdb", "postgres");
  sql::role_options super;
  super.superuser = super.can_login = super.createdb = super.createrole = true;
  if (std::string me = os_user(); !catalog_->find_role(me)) catalog_->create_role(me, super);
  catalog->load_roles();  // roles made with SQL earlier; the config's users win below
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
    o.durability.on_recovery_progress = recovery_progress_;
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
