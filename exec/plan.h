#pragma once
/// Physical plan nodes: immutable descriptions produced by the binder/planner (sql/) and
/// turned into running operators by make_operator (exec/operator.h). One struct per kind;
/// every node states its output column types and names.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/expr.h"
#include "storage/catalog.h"

namespace db001::exec {

enum class plan_kind : uint8_t {
  seq_scan,
  index_scan,
  values,
  filter,
  project,
  hash_aggregate,
  sort,
  limit,
  hash_join,
  nested_loop_join,
  set_op,
  insert,
  update,
  delete_,
  parallel_aggregate,
  function_scan,
};

struct plan_node {
  plan_kind kind;
  std::vector<sql_type> types;
  std::vector<std::string> names;
  std::vector<std::shared_ptr<plan_node>> children;
  double est_rows = 1000;  ///< planner's cardinality estimate

  explicit plan_node(plan_kind k) : kind(k) {}
  virtual ~plan_node() = default;
  size_t width() const { return types.size(); }
};
using plan_ptr = std::shared_ptr<plan_node>;

/// Full scan through the snapshot; outputs `columns` of the table (+ the row id as BIGINT
/// when emit_rid); `filter` (over the output columns) is applied inside the scan.
struct seq_scan_node : plan_node {
  seq_scan_node() : plan_node(plan_kind::seq_scan) {}
  std::shared_ptr<storage::table> tbl;
  std::vector<int> columns;
  bool emit_rid = false;
  expr_ptr filter;
};

/// Index scan: equality on a key prefix (`eq`), and/or a range on the next key column.
/// Bounds are expressions without column references (constants, parameters, outer values).
struct index_scan_node : plan_node {
  index_scan_node() : plan_node(plan_kind::index_scan) {}
  std::shared_ptr<storage::table> tbl;
  std::shared_ptr<storage::index> idx;
  std::vector<int> columns;
  bool emit_rid = false;
  std::vector<expr_ptr> eq;         ///< values for the first eq.size() key columns
  expr_ptr lo, hi;                  ///< range on key column eq.size() (either may be null)
  bool lo_inclusive = true, hi_inclusive = true;
  bool reverse = false;
  expr_ptr filter;                  ///< the predicates the index bounds do not already enforce
};

/// Literal rows (VALUES, or a FROM-less SELECT: one row of zero columns).
struct values_node : plan_node {
  values_node() : plan_node(plan_kind::values) {}
  std::vector<std::vector<expr_ptr>> rows;
};

/// A set-returning function in FROM: generate_series(start, stop [, step]) over integers,
/// or unnest(text array). Arguments are evaluated once per execution (they may read
/// parameters and outer columns); one output column of `types[0]`.
struct function_scan_node : plan_node {
  function_scan_node() : plan_node(plan_kind::function_scan) {}
  std::string fn;
  std::vector<expr_ptr> args;
};

struct filter_node : plan_node {
  filter_node() : plan_node(plan_kind::filter) {}
  expr_ptr predicate;
};

struct project_node : plan_node {
  project_node() : plan_node(plan_kind::project) {}
  std::vector<expr_ptr> exprs;
};

enum class agg_fn : uint8_t { count_star, count, sum, avg, min, max, bool_and, bool_or, string_agg };

struct agg_spec {
  agg_fn fn;
  expr_ptr arg;        ///< over the input (null for count(*))
  expr_ptr separator;  ///< string_agg's second argument (a constant)
  bool distinct = false;
  sql_type type;       ///< result type
};

/// GROUP BY: outputs the group values then the aggregate results. No groups: one row.
struct aggregate_node : plan_node {
  aggregate_node() : plan_node(plan_kind::hash_aggregate) {}
  std::vector<expr_ptr> groups;
  std::vector<agg_spec> aggs;
};

struct sort_key {
  expr_ptr e;  ///< over the input
  bool desc = false;
  bool nulls_first = false;
};

struct sort_node : plan_node {
  sort_node() : plan_node(plan_kind::sort) {}
  std::vector<sort_key> keys;
};

struct limit_node : plan_node {
  limit_node() : plan_node(plan_kind::limit) {}
  expr_ptr limit, offset;  ///< either may be null
};

enum class join_type : uint8_t { inner, left, right, full, semi, anti };

/// Hash join: builds a table on the right child, probes with the left. Output: left columns
/// then right columns (semi/anti: left only). `extra` is an additional condition over the
/// output row (for outer joins it is part of the join condition).
struct hash_join_node : plan_node {
  hash_join_node() : plan_node(plan_kind::hash_join) {}
  join_type type = join_type::inner;
  std::vector<expr_ptr> left_keys, right_keys;
  expr_ptr extra;
};

/// Nested-loop join: materializes the right child; `condition` over the output row.
struct nested_loop_join_node : plan_node {
  nested_loop_join_node() : plan_node(plan_kind::nested_loop_join) {}
  join_type type = join_type::inner;
  expr_ptr condition;
};

enum class set_op_kind : uint8_t { union_, intersect, except };

struct set_op_node : plan_node {
  set_op_node() : plan_node(plan_kind::set_op) {}
  set_op_kind op = set_op_kind::union_;
  bool all = false;
};

/// INSERT: child rows are in `target` order; col_map[c] is the child column feeding table
/// column c, or -1 to use defaults[c] (null expr = NULL).
struct insert_node : plan_node {
  insert_node() : plan_node(plan_kind::insert) {}
  std::shared_ptr<storage::table> tbl;
  std::vector<int> col_map;
  std::vector<expr_ptr> defaults;
};

/// UPDATE: the child outputs every table column then the row id; set_exprs[c] computes the
/// new value of column c from those (a plain column reference when unchanged); `recheck`
/// is the WHERE predicate re-evaluated on a newer version under READ COMMITTED.
struct update_node : plan_node {
  update_node() : plan_node(plan_kind::update) {}
  std::shared_ptr<storage::table> tbl;
  std::vector<expr_ptr> set_exprs;
  expr_ptr recheck;
};

/// DELETE: the child outputs every table column then the row id.
struct delete_node : plan_node {
  delete_node() : plan_node(plan_kind::delete_) {}
  std::shared_ptr<storage::table> tbl;
  expr_ptr recheck;
};

}  // namespace db001::exec
