#include "exec/expr.h"

#include "exec/value_ops.h"
#include "storage/stack_guard.h"

namespace db001::exec {

bool expr_equal(const expr& a, const expr& b) {
  check_stack_depth();
  if (a.kind != b.kind || !(a.type == b.type) || a.op != b.op || a.flag != b.flag || a.index != b.index ||
      a.depth != b.depth || a.name != b.name || a.args.size() != b.args.size() || a.sub != b.sub ||
      a.case_has_operand != b.case_has_operand || a.case_has_else != b.case_has_else)
    return false;
  if (a.kind == expr_kind::constant) {
    if (a.constant.is_null() != b.constant.is_null()) return false;
    if (!a.constant.is_null() && compare_values(a.constant, b.constant) != 0) return false;
  }
  if (a.kind == expr_kind::subquery && a.subplan != b.subplan) return false;
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (!a.args[i] != !b.args[i]) return false;
    if (a.args[i] && !expr_equal(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

bool expr_is_constant(const expr& e) {
  bool constant = true;
  expr_walk(e, [&](const expr& x) {
    if (x.kind == expr_kind::column || x.kind == expr_kind::param || x.kind == expr_kind::outer_column ||
        x.kind == expr_kind::subquery || x.kind == expr_kind::aggregate_ref || x.kind == expr_kind::func)
      constant = false;
  });
  return constant;
}

}  // namespace db001::exec
