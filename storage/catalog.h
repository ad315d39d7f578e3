#pragma once
/// The catalog: tables, indexes and views of the database's one schema ("public"), by
/// lower-cased name. DDL changes it at once; a transaction that rolls back DDL undoes it
/// through its undo actions (txn/).
///
/// Thread-safety: all members are safe from any thread (a shared_mutex); returned tables
/// and indexes are shared_ptrs that stay valid after a concurrent DROP.
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "storage/index.h"
#include "storage/table.h"

namespace db001::storage {

struct view_def {
  std::string name;
  std::string query_json;             ///< the SELECT as libpg_query JSON, re-bound at each use
  std::string definition;             ///< the SELECT text, for \d and pg_views
  std::vector<std::string> column_names;  ///< explicit column aliases (may be empty)
  uint32_t oid = 0;
};

class catalog {
 public:
  std::shared_ptr<table> find_table(const std::string& name) const;
  std::optional<view_def> find_view(const std::string& name) const;
  std::shared_ptr<index> find_index(const std::string& name) const;

  /// Adds a table; throws 42P07 if a table, view or index of that name exists.
  void add_table(std::shared_ptr<table> t);
  void add_view(view_def v);
  void add_index(std::shared_ptr<index> ix);  ///< also registers it with its table
  /// Removes; return what was removed (for undo) or null/empty if absent.
  std::shared_ptr<table> remove_table(const std::string& name);
  std::optional<view_def> remove_view(const std::string& name);
  std::shared_ptr<index> remove_index(const std::string& name);

  std::vector<std::shared_ptr<table>> tables() const;
  std::vector<view_def> views() const;
  std::vector<std::shared_ptr<index>> all_indexes() const;

  uint32_t next_oid() { return next_oid_.fetch_add(1); }
  /// The oid next_oid() would hand out next (for checkpoints and the WAL's catalog images).
  uint32_t peek_next_oid() const { return next_oid_.load(); }
  /// Raises the next oid to at least `oid` (recovery).
  void restore_next_oid(uint32_t oid) {
    uint32_t cur = next_oid_.load();
    while (cur < oid && !next_oid_.compare_exchange_weak(cur, oid)) {
    }
  }

  /// Every table, index and view, read under one lock (a consistent set), and the next oid.
  struct contents {
    std::vector<std::shared_ptr<table>> tables;
    std::vector<std::shared_ptr<index>> indexes;
    std::vector<view_def> views;
    uint32_t next_oid = 0;
  };
  contents all() const;
  /// Incremented by every change: cached plans compare it to know they are stale.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }

 private:
  void check_free_name(const std::string& name) const;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::shared_ptr<table>> tables_;
  std::map<std::string, view_def> views_;
  std::map<std::string, std::shared_ptr<index>> indexes_;
  std::atomic<uint32_t> next_oid_{16384};
  std::atomic<uint64_t> version_{1};
};

}  // namespace db001::storage
