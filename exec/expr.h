#pragma once
/// Bound expressions: the binder (sql/) resolves names and types and produces these trees;
/// the evaluator (exec/evaluate.h) computes them a batch at a time. Immutable once bound,
/// shared by every execution of a cached plan.
#include <memory>
#include <string>
#include <vector>

#include "storage/types.h"
#include "storage/value.h"

namespace db001::exec {

struct plan_node;

enum class expr_kind : uint8_t {
  constant,
  column,        ///< input column `index`
  outer_column,  ///< column `index` of the query `depth` levels out (correlated subquery)
  param,         ///< $n (index = n-1)
  cast,          ///< args[0] to `type` (explicit flag in `flag`)
  neg,           ///< unary minus
  arith,         ///< args[0] op args[1]
  compare,       ///< args[0] op args[1] -> boolean
  and_,          ///< n-ary AND, three-valued
  or_,           ///< n-ary OR, three-valued
  not_,
  is_null,       ///< args[0] IS NULL (flag: IS NOT NULL)
  is_bool,       ///< args[0] IS [NOT] TRUE/FALSE (op: eq=TRUE, ne=FALSE; flag: NOT)
  case_,         ///< args: [operand?] when1, then1, ..., [else]; see case_has_operand/case_has_else
  coalesce,
  nullif,
  func,          ///< scalar function `name`
  like,          ///< args[0] LIKE args[1]; flag: NOT; op eq = LIKE, ne = ILIKE
  in_list,       ///< args[0] IN (args[1..]); flag: NOT
  subquery,      ///< scalar / EXISTS / IN / ANY / ALL subquery (see sub_kind)
  aggregate_ref, ///< placeholder during binding: aggregate `index` of the query
};

enum class op_kind : uint8_t { add, sub, mul, div, mod, concat, eq, ne, lt, le, gt, ge, pow };
/// array: ARRAY(subquery), the first column's values as a text array literal.
enum class sub_kind : uint8_t { scalar, exists, any, all, array };

struct expr;
using expr_ptr = std::shared_ptr<expr>;

struct expr {
  expr_kind kind = expr_kind::constant;
  sql_type type;
  op_kind op = op_kind::eq;
  bool flag = false;
  int index = 0;
  int depth = 0;
  int location = 0;  ///< 1-based character position in the statement, 0 = unknown
  value constant;
  std::string name;  ///< function name
  std::vector<expr_ptr> args;
  // CASE layout
  bool case_has_operand = false;
  bool case_has_else = false;
  // Subqueries
  sub_kind sub = sub_kind::scalar;
  std::shared_ptr<plan_node> subplan;
  bool correlated = false;
  /// Global ids of the enclosing query level that the subquery (or anything nested in it) reads.
  std::vector<int> outer_ids;
  /// For a correlated subquery: outer_map[g] is the input column holding outer column g
  /// (the outer query's column numbering), -1 where that column is not read.
  std::vector<int> outer_map;

  static expr_ptr make_constant(value v, sql_type t) {
    auto e = std::make_shared<expr>();
    e->kind = expr_kind::constant;
    v.set_type(t);
    e->constant = std::move(v);
    e->type = t;
    return e;
  }
  static expr_ptr make_column(int index, sql_type t) {
    auto e = std::make_shared<expr>();
    e->kind = expr_kind::column;
    e->index = index;
    e->type = t;
    return e;
  }
  static expr_ptr make(expr_kind k, sql_type t, std::vector<expr_ptr> args = {}) {
    auto e = std::make_shared<expr>();
    e->kind = k;
    e->type = t;
    e->args = std::move(args);
    return e;
  }
};

/// Whether a three-way comparison result c satisfies comparison operator op.
inline bool compare_holds(op_kind op, int c) {
  switch (op) {
    case op_kind::eq: return c == 0;
    case op_kind::ne: return c != 0;
    case op_kind::lt: return c < 0;
    case op_kind::le: return c <= 0;
    case op_kind::gt: return c > 0;
    case op_kind::ge: return c >= 0;
    default: return false;
  }
}

/// Structural equality (used to match GROUP BY expressions in the select list).
bool expr_equal(const expr& a, const expr& b);
/// True if e contains a column reference (of this level), a parameter or a volatile call.
bool expr_is_constant(const expr& e);
/// Calls fn on every node of e (pre-order).
template <class F>
void expr_walk(const expr& e, F&& fn) {
  fn(e);
  for (auto& a : e.args)
    if (a) expr_walk(*a, fn);
}

}  // namespace db001::exec
