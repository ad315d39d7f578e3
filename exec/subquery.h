#pragma once
/// Subquery expressions: scalar, EXISTS, and comparisons with ANY/ALL (IN is = ANY).
/// An uncorrelated subquery runs once per execution and its result is cached in exec_ctx;
/// a correlated one runs once per outer row with that row pushed as a frame.
#include "exec/batch.h"
#include "exec/context.h"
#include "exec/expr.h"

namespace db001::exec {

vector evaluate_subquery(const expr& e, const batch& in, exec_ctx& ctx);

}  // namespace db001::exec
