#pragma once
/// Vectorized expression evaluation: computes a bound expression over the selected rows of a
/// batch, producing a dense vector of batch.count values. Conditional forms (CASE, AND, OR,
/// COALESCE) evaluate their branches only on the rows that reach them, so an error such as
/// division by zero in a branch not taken is never raised (as in PostgreSQL).
#include "exec/batch.h"
#include "exec/context.h"
#include "exec/expr.h"

namespace db001::exec {

vector evaluate(const expr& e, const batch& in, exec_ctx& ctx);

/// Evaluates a boolean predicate and returns the selection of rows where it is TRUE
/// (physical row numbers of `in`), written to `out_sel` (capacity in.count); returns the count.
uint32_t evaluate_filter(const expr& e, const batch& in, exec_ctx& ctx, uint32_t* out_sel);

/// Evaluates an expression that reads no columns (constants, parameters, outer values).
value evaluate_scalar(const expr& e, exec_ctx& ctx);

/// Casts a vector to type t (kind as for cast_value).
vector cast_vector(const vector& v, uint32_t n, sql_type t, bool explicit_cast);

}  // namespace db001::exec
