// Constant folding with PostgreSQL's planner semantics (eval_const_expressions): a strict
// operator or function with a NULL constant argument is NULL without evaluating the rest;
// constant subexpressions are computed once at plan time (so their errors are raised even
// on empty inputs, as PostgreSQL does); CASE and COALESCE are simplified in order and stop at
// the first branch that is constantly taken, never folding what follows.
#include "exec/evaluate.h"
#include "exec/functions.h"
#include "sql/binder.h"
#include "storage/stack_guard.h"

namespace db001::sql {

using exec::expr_kind;

namespace {

bool is_const(const expr_ptr& e) { return e && e->kind == expr_kind::constant; }
bool is_null_const(const expr_ptr& e) { return is_const(e) && e->constant.is_null(); }
bool is_true_const(const expr_ptr& e) {
  return is_const(e) && !e->constant.is_null() && e->type.id == type_id::boolean && e->constant.as_bool();
}
bool is_false_const(const expr_ptr& e) {
  return is_const(e) && !e->constant.is_null() && e->type.id == type_id::boolean && !e->constant.as_bool();
}

bool volatile_function(const std::string& name) {
  return name == "random" || name == "now" || name == "current_date" || name == "current_timestamp" ||
         name == "localtimestamp" || name == "statement_timestamp" || name == "transaction_timestamp";
}

/// Kinds whose result is NULL whenever an argument is NULL.
bool strict_kind(const expr& e) {
  switch (e.kind) {
    case expr_kind::neg:
    case expr_kind::arith:
    case expr_kind::compare:
    case expr_kind::cast:
    case expr_kind::like: return true;
    case expr_kind::func:
      return exec::is_strict_function(e.name);
    default: return false;
  }
}

expr_ptr null_of(const expr& e) { return expr::make_constant(value::null(e.type), e.type); }

expr_ptr evaluate_now(const expr_ptr& e) {
  exec::exec_ctx ctx;
  value v = exec::evaluate_scalar(*e, ctx);
  auto c = expr::make_constant(v, e->type);
  c->location = e->location;
  return c;
}

/// NOT e pushed inward as PostgreSQL's negate_clause does (De Morgan, negated operators),
/// so constant parts surface: NOT (x < NULL OR y) becomes (NULL AND NOT y).
expr_ptr negate(const expr_ptr& e) {
  auto flipped = [&](exec::op_kind op) {
    using exec::op_kind;
    switch (op) {
      case op_kind::eq: return op_kind::ne;
      case op_kind::ne: return op_kind::eq;
      case op_kind::lt: return op_kind::ge;
      case op_kind::le: return op_kind::gt;
      case op_kind::gt: return op_kind::le;
      case op_kind::ge: return op_kind::lt;
      default: return op;
    }
  };
  switch (e->kind) {
    case expr_kind::constant:
      if (e->constant.is_null()) return e;
      return expr::make_constant(value::boolean(!e->constant.as_bool()), sql_type::boolean());
    case expr_kind::not_: return e->args[0];
    case expr_kind::and_:
    case expr_kind::or_: {
      auto c = std::make_shared<expr>(*e);
      c->kind = e->kind == expr_kind::and_ ? expr_kind::or_ : expr_kind::and_;
      for (auto& a : c->args) a = negate(a);
      return c;
    }
    case expr_kind::compare: {
      if (e->type.id != type_id::boolean) break;
      auto c = std::make_shared<expr>(*e);
      c->op = flipped(e->op);
      return c;
    }
    case expr_kind::is_null:
    case expr_kind::is_bool:
    case expr_kind::in_list:
    case expr_kind::like: {
      auto c = std::make_shared<expr>(*e);
      c->flag = !e->flag;
      return c;
    }
    default: break;
  }
  return expr::make(expr_kind::not_, sql_type::boolean(), {e});
}

}  // namespace

expr_ptr binder::fold(const expr_ptr& e) {
  if (!e) return e;
  check_stack_depth();
  switch (e->kind) {
    case expr_kind::constant:
    case expr_kind::column:
    case expr_kind::outer_column:
    case expr_kind::param:
    case expr_kind::aggregate_ref: return e;
    case expr_kind::subquery: {
      if (e->args.empty()) return e;
      auto c = std::make_shared<expr>(*e);
      for (auto& a : c->args) a = fold(a);
      return c;
    }
    case expr_kind::case_: {
      auto c = std::make_shared<expr>(*e);
      c->args.clear();
      size_t i = 0;
      expr_ptr operand;
      if (e->case_has_operand) {
        operand = fold(e->args[i++]);
        c->args.push_back(operand);
      }
      size_t pairs_end = e->args.size() - (e->case_has_else ? 1 : 0);
      bool kept_any = false;
      for (; i + 1 < pairs_end + 1 && i < pairs_end; i += 2) {
        expr_ptr when = fold(e->args[i]);
        expr_ptr decided;  // TRUE, FALSE or null (unknown at plan time)
        if (operand) {
          if (is_const(operand) && is_const(when)) {
            if (operand->constant.is_null() || when->constant.is_null()) {
              decided = expr::make_constant(value::boolean(false), sql_type::boolean());
            } else {
              auto eq = expr::make(expr_kind::compare, sql_type::boolean(), {operand, when});
              eq->op = exec::op_kind::eq;
              decided = evaluate_now(eq);
            }
          }
        } else if (is_const(when)) {
          decided = when;
        }
        if (decided && !is_true_const(decided)) continue;  // never taken: drop, do not fold its result
        if (decided) {
          // Always taken: this result ends the CASE.
          expr_ptr result = fold(e->args[i + 1]);
          if (!kept_any) return result;
          c->args.push_back(result);
          c->case_has_else = true;
          return c;
        }
        c->args.push_back(when);
        c->args.push_back(fold(e->args[i + 1]));
        kept_any = true;
      }
      expr_ptr otherwise = e->case_has_else ? fold(e->args.back()) : null_of(*e);
      if (!kept_any) return otherwise;
      c->args.push_back(otherwise);
      c->case_has_else = true;
      return c;
    }
    case expr_kind::coalesce: {
      auto c = std::make_shared<expr>(*e);
      c->args.clear();
      for (auto& a : e->args) {
        expr_ptr f = fold(a);
        if (is_null_const(f)) continue;
        c->args.push_back(f);
        if (is_const(f)) break;  // later arguments are never reached
      }
      if (c->args.empty()) return null_of(*e);
      if (c->args.size() == 1) return c->args[0];
      return c;
    }
    case expr_kind::not_: {
      expr_ptr inner = fold(e->args[0]);
      expr_ptr n = negate(inner);
      if (n->kind == expr_kind::not_) return n;
      return fold(n);  // the negated form may fold further (AND/OR with constants)
    }
    default: break;
  }
  auto c = std::make_shared<expr>(*e);
  for (auto& a : c->args) a = fold(a);
  if (strict_kind(*c)) {
    for (auto& a : c->args)
      if (is_null_const(a)) return null_of(*c);
  }
  switch (c->kind) {
    case expr_kind::and_:
    case expr_kind::or_: {
      bool is_and = c->kind == expr_kind::and_;
      std::vector<expr_ptr> kept;
      bool has_null = false;
      for (auto& a : c->args) {
        if (is_and ? is_false_const(a) : is_true_const(a)) return a;
        if (is_and ? is_true_const(a) : is_false_const(a)) continue;
        if (is_null_const(a)) {
          has_null = true;
          continue;
        }
        kept.push_back(a);
      }
      if (has_null) kept.push_back(expr::make_constant(value::null(sql_type::boolean()), sql_type::boolean()));
      if (kept.empty()) return expr::make_constant(value::boolean(is_and), sql_type::boolean());
      if (kept.size() == 1) return kept[0];
      c->args = kept;
      return c;
    }
    case expr_kind::in_list:
      if (is_null_const(c->args[0])) return null_of(*c);
      break;
    case expr_kind::func:
      if (volatile_function(c->name)) return c;
      break;
    default: break;
  }
  for (auto& a : c->args)
    if (!is_const(a)) return c;
  return evaluate_now(c);
}

}  // namespace db001::sql
