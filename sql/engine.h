#pragma once
/// The engine of one database: its catalog, transaction manager and settings. Plain C++
/// (no CAF): the actors in actors/ own sequencing around it, tests drive it directly.
///
/// Thread-safety: all members are safe from any thread.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "db001/db001.h"
#include "exec/batch.h"
#include "sql/cluster_catalog.h"
#include "storage/catalog.h"
#include "storage/error.h"
#include "txn/txn_manager.h"

namespace db001::engine {

/// The outcome of one statement (the data behind db001::result).
struct result_data {
  std::string code = sqlstate::successful;
  std::string message, detail, hint;
  std::string context;  ///< PostgreSQL's CONTEXT ('W' field), e.g. "COPY t, line 3, column a: \"x\""
  int position = 0;
  std::string tag;
  uint64_t affected = 0;
  std::vector<std::string> names;
  std::vector<sql_type> types;
  std::shared_ptr<exec::row_collection> rows;  ///< null for commands that return no rows
  std::vector<std::string> notices;            ///< NOTICE/WARNING messages raised by the statement
  bool ok() const { return code == sqlstate::successful; }
};

struct engine_stats {
  std::atomic<uint64_t> statements{0};
  std::atomic<uint64_t> errors{0};
};

class engine {
 public:
  explicit engine(const options& opts);
  ~engine();
  storage::catalog& catalog() { return catalog_; }
  txn::txn_manager& txns() { return txns_; }
  const options& opts() const { return opts_; }
  engine_stats& stats() { return stats_; }

  /// The cluster's roles and databases. A default in-memory one (superuser postgres,
  /// database "postgres") until the owner plugs in the server-wide one; set it before
  /// sessions start.
  sql::cluster_catalog& cluster() const { return *cluster_; }
  void set_cluster(std::shared_ptr<sql::cluster_catalog> c) { cluster_ = std::move(c); }
  /// This database's name (current_database()); set before sessions start.
  const std::string& database_name() const { return database_name_; }
  void set_database_name(std::string n) { database_name_ = std::move(n); }

  /// Set by the owner when the database lives on disk (actors/database.cpp), before sessions
  /// start: CHECKPOINT runs checkpoint_hook; pg_create_restore_point(name) runs
  /// restore_point_hook, which returns the restore point's LSN as text ("0/1A2B3C").
  std::function<void()> checkpoint_hook;
  std::function<std::string(const std::string&)> restore_point_hook;

 private:
  options opts_;
  storage::catalog catalog_;
  txn::txn_manager txns_;
  engine_stats stats_;
  std::shared_ptr<sql::cluster_catalog> cluster_ = std::make_shared<sql::memory_cluster_catalog>();
  std::string database_name_ = "postgres";
};

}  // namespace db001::engine
