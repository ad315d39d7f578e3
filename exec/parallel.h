#pragma once
/// Parallel execution of an aggregation over a large table scan: the plan below the
/// aggregate must be a chain of filter/project nodes over one seq_scan, without subqueries
/// and without DISTINCT / string_agg aggregates (their states cannot be merged).
#include "exec/context.h"
#include "exec/operator.h"

namespace db001::exec {

bool parallel_eligible(const aggregate_node& agg, const exec_ctx& ctx);

/// Builds the per-morsel operator chain of `plan` (filter/project over a seq_scan) reading
/// blocks [begin, end) of the scanned table.
operator_ptr make_morsel_pipeline(const plan_node& plan, exec_ctx& ctx, uint32_t begin, uint32_t end);

}  // namespace db001::exec
