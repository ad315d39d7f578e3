#include "storage/catalog.h"

#include "storage/error.h"

namespace db001::storage {

std::shared_ptr<table> catalog::find_table(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

std::optional<view_def> catalog::find_view(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = views_.find(name);
  if (it == views_.end()) return std::nullopt;
  return it->second;
}

std::shared_ptr<index> catalog::find_index(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = indexes_.find(name);
  return it == indexes_.end() ? nullptr : it->second;
}

void catalog::check_free_name(const std::string& name) const {
  if (tables_.count(name) || views_.count(name) || indexes_.count(name))
    throw db_error(sqlstate::duplicate_table, "relation \"" + name + "\" already exists");
}

void catalog::add_table(std::shared_ptr<table> t) {
  std::unique_lock lock(mutex_);
  check_free_name(t->name());
  tables_[t->name()] = std::move(t);
  version_.fetch_add(1);
}

void catalog::add_view(view_def v) {
  std::unique_lock lock(mutex_);
  check_free_name(v.name);
  std::string name = v.name;
  views_[name] = std::move(v);
  version_.fetch_add(1);
}

void catalog::add_index(std::shared_ptr<index> ix) {
  std::unique_lock lock(mutex_);
  check_free_name(ix->name());
  indexes_[ix->name()] = ix;
  ix->tbl().add_index(ix);
  version_.fetch_add(1);
}

std::shared_ptr<table> catalog::remove_table(const std::string& name) {
  std::unique_lock lock(mutex_);
  auto it = tables_.find(name);
  if (it == tables_.end()) return nullptr;
  auto t = it->second;
  tables_.erase(it);
  for (auto i = indexes_.begin(); i != indexes_.end();) {
    if (&i->second->tbl() == t.get())
      i = indexes_.erase(i);
    else
      ++i;
  }
  version_.fetch_add(1);
  return t;
}

std::optional<view_def> catalog::remove_view(const std::string& name) {
  std::unique_lock lock(mutex_);
  auto it = views_.find(name);
  if (it == views_.end()) return std::nullopt;
  auto v = it->second;
  views_.erase(it);
  version_.fetch_add(1);
  return v;
}

std::shared_ptr<index> catalog::remove_index(const std::string& name) {
  std::unique_lock lock(mutex_);
  auto it = indexes_.find(name);
  if (it == indexes_.end()) return nullptr;
  auto ix = it->second;
  indexes_.erase(it);
  ix->tbl().remove_index(ix.get());
  version_.fetch_add(1);
  return ix;
}

std::vector<std::shared_ptr<table>> catalog::tables() const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<table>> out;
  for (auto& [n, t] : tables_) out.push_back(t);
  return out;
}

catalog::contents catalog::all() const {
  std::shared_lock lock(mutex_);
  contents c;
  for (auto& [n, t] : tables_) c.tables.push_back(t);
  for (auto& [n, i] : indexes_) c.indexes.push_back(i);
  for (auto& [n, v] : views_) c.views.push_back(v);
  c.next_oid = next_oid_.load();
  return c;
}

std::vector<view_def> catalog::views() const {
  std::shared_lock lock(mutex_);
  std::vector<view_def> out;
  for (auto& [n, v] : views_) out.push_back(v);
  return out;
}

std::vector<std::shared_ptr<index>> catalog::all_indexes() const {
  std::shared_lock lock(mutex_);
  std::vector<std::shared_ptr<index>> out;
  for (auto& [n, i] : indexes_) out.push_back(i);
  return out;
}

}  // namespace db001::storage
