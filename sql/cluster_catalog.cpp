#include "sql/cluster_catalog.h"

#include <algorithm>

#include "storage/error.h"

namespace db001::sql {

namespace {

void apply(role_info& r, const role_options& o) {
  if (o.superuser) r.superuser = *o.superuser;
  if (o.can_login) r.can_login = *o.can_login;
  if (o.createdb) r.createdb = *o.createdb;
  if (o.createrole) r.createrole = *o.createrole;
  if (o.inherit) r.inherit = *o.inherit;
  if (o.replication) r.replication = *o.replication;
  if (o.bypass_rls) r.bypass_rls = *o.bypass_rls;
  if (o.connection_limit) r.connection_limit = *o.connection_limit;
  if (o.password_null)
    r.password.clear();
  else if (o.password)
    r.password = *o.password;
}

}  // namespace

memory_cluster_catalog::memory_cluster_catalog(const std::string& current_database) {
  role_info pg;
  pg.name = "postgres";
  pg.oid = 10;
  pg.superuser = pg.can_login = pg.createdb = pg.createrole = pg.replication = pg.bypass_rls = true;
  roles_.push_back(pg);
  databases_.push_back({"postgres", 5, 10});
  databases_.push_back({"template0", 4, 10});
  databases_.push_back({"template1", 1, 10});
  if (current_database != "postgres" && current_database != "template0" && current_database != "template1" &&
      !current_database.empty())
    databases_.push_back({current_database, next_oid_++, 10});
}

std::vector<role_info> memory_cluster_catalog::roles() const {
  std::lock_guard lock(mutex_);
  return roles_;
}

std::optional<role_info> memory_cluster_catalog::find_role(const std::string& name) const {
  std::lock_guard lock(mutex_);
  for (auto& r : roles_)
    if (r.name == name) return r;
  return std::nullopt;
}

role_info memory_cluster_catalog::create_role(const std::string& name, const role_options& opts) {
  std::lock_guard lock(mutex_);
  for (auto& r : roles_)
    if (r.name == name) throw db_error(sqlstate::duplicate_object, "role \"" + name + "\" already exists");
  role_info r;
  r.name = name;
  r.oid = next_oid_++;
  apply(r, opts);
  roles_.push_back(r);
  return r;
}

void memory_cluster_catalog::alter_role(const std::string& name, const role_options& opts) {
  std::lock_guard lock(mutex_);
  for (auto& r : roles_)
    if (r.name == name) {
      apply(r, opts);
      return;
    }
  throw db_error(sqlstate::undefined_object, "role \"" + name + "\" does not exist");
}

bool memory_cluster_catalog::drop_role(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(roles_.begin(), roles_.end(), [&](auto& r) { return r.name == name; });
  if (it == roles_.end()) return false;
  roles_.erase(it);
  return true;
}

std::vector<database_info> memory_cluster_catalog::databases() const {
  std::lock_guard lock(mutex_);
  return databases_;
}

std::optional<database_info> memory_cluster_catalog::find_database(const std::string& name) const {
  std::lock_guard lock(mutex_);
  for (auto& d : databases_)
    if (d.name == name) return d;
  return std::nullopt;
}

database_info memory_cluster_catalog::create_database(const std::string& name, const std::string& owner) {
  std::lock_guard lock(mutex_);
  for (auto& d : databases_)
    if (d.name == name) throw db_error("42P04", "database \"" + name + "\" already exists");
  uint32_t owner_oid = 0;
  for (auto& r : roles_)
    if (r.name == owner) owner_oid = r.oid;
  if (!owner_oid) throw db_error(sqlstate::undefined_object, "role \"" + owner + "\" does not exist");
  database_info d{name, next_oid_++, owner_oid};
  databases_.push_back(d);
  return d;
}

bool memory_cluster_catalog::drop_database(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(databases_.begin(), databases_.end(), [&](auto& d) { return d.name == name; });
  if (it == databases_.end()) return false;
  databases_.erase(it);
  return true;
}

}  // namespace db001::sql
