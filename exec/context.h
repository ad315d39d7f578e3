#pragma once
/// Per-execution state shared by the operators of one statement: the transaction and its
/// snapshot, parameters, correlated-subquery frames, cached uncorrelated subquery results,
/// settings, and the statement's interrupt (cancel request and statement_timeout).
#include <atomic>
#include <memory>
#include <unordered_map>
#include <vector>

#include "exec/batch.h"
#include "storage/interrupt.h"
#include "txn/txn_manager.h"

namespace db001::storage {
class catalog;
}

namespace db001::exec {

struct expr;

/// Result of an uncorrelated subquery, computed once per execution.
struct subquery_cache {
  bool ready = false;
  std::shared_ptr<row_collection> rows;
  // For IN / ANY / ALL: the set of non-NULL values (as their text keys) and whether a NULL occurred.
  bool has_null = false;
  std::shared_ptr<void> lookup;
};

struct exec_settings {
  int parallel_workers = 1;
  size_t parallel_threshold_rows = 200000;
  size_t work_mem = 256u << 20;
};

struct exec_ctx {
  txn::txn_manager* tm = nullptr;
  txn::transaction* txn = nullptr;
  txn::snapshot snap;
  storage::catalog* cat = nullptr;
  const std::vector<value>* params = nullptr;
  exec_settings settings;
  const storage::interrupt* cancel = nullptr;  ///< the session's; null = never interrupted

  /// Outer rows of correlated subqueries, innermost last.
  std::vector<const std::vector<value>*> outer;
  std::unordered_map<const expr*, subquery_cache> subqueries;
  uint64_t rows_affected = 0;

  /// Throws 57014 when the statement was canceled or ran past statement_timeout.
  void check_cancel() const {
    if (cancel) cancel->check();
  }
};

}  // namespace db001::exec
