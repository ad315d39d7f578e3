#include "actors/cluster.h"

#include <pwd.h>
#include <unistd.h>

#include <caf/all.hpp>
#include <random>

#include "actors/pgwire/scram.h"
#include "sql/session.h"

namespace db001::actors {

namespace {

std::string os_user() {
  if (const passwd* pw = getpwuid(geteuid()); pw && pw->pw_name) return pw->pw_name;
  return "postgres";
}

}  // namespace

cluster::cluster(caf::actor_system& sys, const server_config& cfg) : sys_(sys), cfg_(cfg) {
  auto opts = to_engine_options(cfg_);
  for (const char* name : {"postgres", "testdb"}) databases_[name] = open_on(sys_, opts);
  roles_["postgres"] = role_info{"postgres", true, ""};
  std::string me = os_user();
  roles_[me] = role_info{me, true, ""};
  for (const auto& u : cfg_.auth.users) roles_[u.name] = role_info{u.name, u.superuser, u.password};
  mock_secret_ = pgwire::random_bytes(16);
  next_pid_ = 1000 + int32_t(getpid() % 1000) * 1000;
}

cluster::~cluster() {
  std::lock_guard lock(mutex_);
  databases_.clear();
}

database* cluster::find_database(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = databases_.find(name);
  return it == databases_.end() ? nullptr : it->second.get();
}

std::vector<std::string> cluster::database_names() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (auto& [n, d] : databases_) out.push_back(n);
  return out;
}

std::optional<role_info> cluster::find_role(const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = roles_.find(name);
  if (it == roles_.end()) return std::nullopt;
  return it->second;
}

bool cluster::admit() {
  int n = connections_.fetch_add(1) + 1;
  if (n > cfg_.database.max_connections) {
    connections_.fetch_sub(1);
    return false;
  }
  return true;
}

void cluster::release() { connections_.fetch_sub(1); }

backend_entry cluster::register_backend(engine::session& s) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::lock_guard lock(mutex_);
  backend_entry e;
  e.pid = ++next_pid_;
  e.secret = int32_t(rng());
  e.session = &s;
  backends_[e.pid] = e;
  return e;
}

void cluster::unregister_backend(int32_t pid) {
  std::lock_guard lock(mutex_);
  backends_.erase(pid);
}

bool cluster::cancel(int32_t pid, int32_t secret) {
  std::lock_guard lock(mutex_);
  auto it = backends_.find(pid);
  if (it == backends_.end() || it->second.secret != secret) return false;
  it->second.session->cancel();
  return true;
}

}  // namespace db001::actors
