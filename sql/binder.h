#pragma once
/// The binder: resolves a parse tree (sql/parser.h) against the catalog into bound
/// expressions and a physical plan (exec/plan.h). It also plans: predicate pushdown, index
/// selection, greedy join ordering by estimated sizes, hash vs nested-loop joins.
///
/// Column numbering while binding: every column of every FROM item of a query level gets a
/// global id (its rte's first_id + column number). Bound column references carry global
/// ids; when an expression is placed on an operator, remap() rewrites them to the input
/// positions of that operator. Correlated references to outer levels are outer_column
/// nodes (depth, global id of the outer level), read from the outer row frame at run time.
///
/// Not thread-safe: one binder per statement.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "exec/expr.h"
#include "exec/plan.h"
#include "sql/parser.h"
#include "storage/catalog.h"

namespace db001::sql {

using exec::expr;
using exec::expr_ptr;
using exec::plan_ptr;

/// A FROM item's columns as visible to name resolution.
struct rte {
  std::string alias;
  std::vector<std::string> names;
  std::vector<sql_type> types;
  std::vector<bool> hidden;  ///< not found by unqualified names nor by * (right side of USING)
  int first_id = 0;
  std::shared_ptr<storage::table> tbl;  ///< for base tables
  /// LATERAL (SELECT exprs) without FROM: its columns are these expressions over the
  /// columns on its left (a reference is replaced by the expression).
  std::vector<expr_ptr> computed;
};

/// One query level's names.
struct scope {
  scope* parent = nullptr;
  std::vector<rte> rtes;
  int width = 0;  ///< global ids allocated so far
  bool correlated = false;
  /// Sets collecting the global ids of this level read by subqueries being bound.
  std::vector<std::set<int>*> collectors;
  /// Every global id of this level that some expression reads (scans keep only these).
  std::set<int> used;
  // Aggregates of this level (null where aggregates are not allowed).
  std::vector<exec::agg_spec>* aggs = nullptr;
  const char* agg_forbidden = nullptr;  ///< e.g. "WHERE": the clause name for 42803
  bool in_aggregate = false;
};

/// The result of binding a query: its plan and output columns.
struct bound_query {
  plan_ptr plan;
  std::vector<std::string> names;
  std::vector<sql_type> types;
};

class cluster_catalog;
struct system_context;

class binder {
 public:
  binder(storage::catalog& cat, std::vector<sql_type>* param_types) : cat_(cat), params_(param_types) {}

  /// SelectStmt (inner object). `parent` is the enclosing query level for subqueries.
  bound_query bind_select(const node& stmt, scope* parent = nullptr);
  plan_ptr bind_insert(const node& stmt);
  plan_ptr bind_update(const node& stmt);
  plan_ptr bind_delete(const node& stmt);
  /// A column DEFAULT expression (stored JSON) coerced to the column type.
  expr_ptr bind_default(const storage::column_def& col);
  /// An expression with no columns (LIMIT, SET values...).
  expr_ptr bind_standalone(const node& n, std::optional<sql_type> target = std::nullopt);

  /// Parses a type name node (TypeName) into a SQL type; 42704 if unknown.
  static sql_type type_from_name(const node& type_name);

  // --- expressions (bind_expr.cpp) ---
  expr_ptr bind_expr(const node& n, scope& sc);
  /// Coerces e to type t in context kind (constants are converted at bind time).
  expr_ptr coerce(const expr_ptr& e, sql_type t, int kind, int location = 0);
  /// Coerces an assignment to a column: PostgreSQL's 42804 message names the column.
  expr_ptr coerce_to_column(const expr_ptr& e, const storage::column_def& col, int location);
  /// A boolean expression (42804 otherwise); `clause` names it in errors ("WHERE"), and
  /// aggregates are rejected in it when forbid_aggregates.
  expr_ptr bind_condition(const node& n, scope& sc, const char* clause, bool forbid_aggregates = true);
  /// Unknown-typed literals and parameters default to text once no context gave a type.
  expr_ptr resolve_unknown(const expr_ptr& e);

  /// Constant folding with PostgreSQL's semantics (sql/fold.cpp).
  static expr_ptr fold(const expr_ptr& e);

  /// Rewrites global column ids to input positions (pos[id], which must be >= 0).
  static expr_ptr remap(const expr_ptr& e, const std::vector<int>& pos);

  /// Session facts that expressions can read (current_user, current_database()).
  std::string current_user = "postgres";
  std::string current_database = "postgres";
  /// Roles and databases for pg_roles, pg_database, pg_get_userbyid() (may be null).
  const cluster_catalog* cluster = nullptr;
  /// Session settings for current_setting() / set_config() (either may be empty).
  std::function<std::string(const std::string&)> get_setting;
  std::function<void(const std::string&, const std::string&)> set_setting;
  /// pg_create_restore_point(name): writes the restore point, returns its LSN (null: the
  /// database is in memory only).
  std::function<std::string(const std::string&)> create_restore_point;
  int backend_pid = 0;

 private:
  // --- expressions ---
  expr_ptr bind_column_ref(const node& n, scope& sc);
  expr_ptr bind_const(const node& n);
  expr_ptr bind_a_expr(const node& n, scope& sc);
  expr_ptr bind_binary(const std::string& op, expr_ptr l, expr_ptr r, int loc);
  expr_ptr bind_compare(exec::op_kind op, expr_ptr l, expr_ptr r, int loc);
  expr_ptr bind_func(const node& n, scope& sc);
  expr_ptr bind_aggregate(const std::string& name, const node& n, scope& sc);
  expr_ptr bind_sublink(const node& n, scope& sc);
  expr_ptr bind_case(const node& n, scope& sc);
  expr_ptr bind_in_list(const node& n, scope& sc);
  /// pg_catalog functions answered from the catalog at bind time (pg_get_userbyid, ...), or null.
  expr_ptr bind_catalog_function(const std::string& name, std::vector<expr_ptr>& args, int loc);
  /// x::regclass / ::regtype / ::regnamespace / ::oid of names and OIDs.
  expr_ptr bind_reg_cast(const std::string& type, expr_ptr arg, int loc);
  /// The system_context of this binder (system_views.h).
  system_context make_system_context() const;
  expr_ptr make_bool(exec::expr_kind k, std::vector<expr_ptr> args);
  /// Common type of several expressions, coercing them all (CASE/COALESCE/IN/VALUES).
  sql_type unify(std::vector<expr_ptr>& es, const char* context, int loc);

  // --- queries (bind_select.cpp) ---
  bound_query bind_simple_select(const node& stmt, scope* parent);
  bound_query bind_set_op(const node& stmt, scope* parent);
  bound_query bind_values(const node& stmt, scope* parent);
  bound_query finish_order_limit(const node& stmt, bound_query q, scope* parent);
  /// Renumbers aggregate_ref indexes through slot (old index -> new).
  static expr_ptr renumber_aggregates(const expr_ptr& e, const std::vector<int>& slot);
  /// Wraps plan in LIMIT/OFFSET if the statement has them.
  plan_ptr add_limit(const node& stmt, plan_ptr plan, scope* parent, bool& correlated);

  // --- FROM and joins (bind_from.cpp) ---
  /// A bound FROM item: a base table, a derived table (subquery, view, VALUES) or a join.
  struct from_item {
    enum kind_t { base, derived, join, computed } kind = base;
    int rte_index = -1;
    std::shared_ptr<storage::table> tbl;
    plan_ptr sub;  ///< derived: the subquery / view / VALUES plan
    exec::join_type jtype = exec::join_type::inner;
    std::unique_ptr<from_item> left, right;
    std::vector<expr_ptr> conds;  ///< join: ON conditions (bound in the query scope)
    std::set<int> ids;            ///< global ids of every column inside
  };
  std::unique_ptr<from_item> bind_from_item(const node& n, scope& sc);
  std::unique_ptr<from_item> bind_lateral(const node& range_subselect, scope& sc);
  std::unique_ptr<from_item> bind_range_function(const node& range_function, scope& sc);
  void add_rte(scope& sc, rte r);
  /// Plans FROM + WHERE conjuncts: returns the plan and the position of each global id.
  plan_ptr plan_from(std::vector<std::unique_ptr<from_item>>& items, std::vector<expr_ptr> conjuncts, scope& sc,
                     std::vector<int>& layout);
  plan_ptr plan_item(from_item& item, std::vector<expr_ptr>& conjuncts, scope& sc, std::vector<int>& layout);
  plan_ptr plan_base(from_item& item, std::vector<expr_ptr> preds, scope& sc, std::vector<int>& layout,
                     bool emit_rid = false);
  /// The scan of an UPDATE/DELETE target (all columns + row id) with the WHERE pushed down.
  plan_ptr bind_modify_scan(const std::shared_ptr<storage::table>& tbl, const node& where, scope& sc, expr_ptr& recheck);
  plan_ptr join_plans(plan_ptr left, const std::vector<int>& left_layout, plan_ptr right,
                      const std::vector<int>& right_layout, exec::join_type type, std::vector<expr_ptr> preds,
                      scope& sc, std::vector<int>& layout);

  storage::catalog& cat_;
  std::vector<sql_type>* params_;
  int view_depth_ = 0;
  bool last_select_correlated_ = false;  ///< whether the last bound query read outer columns
};

/// Splits a boolean expression into its top-level AND conjuncts.
void split_conjuncts(const expr_ptr& e, std::vector<expr_ptr>& out);
/// Global ids (of this level) referenced by e, including those read by its subqueries.
void collect_columns(const expr& e, std::set<int>& out);

}  // namespace db001::sql
