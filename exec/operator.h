#pragma once
/// The one operator interface: a running instance of a plan node, pulled a batch at a time.
/// Operators are created per execution (their members are the local state); the plan they
/// run is immutable and shared.
#include <memory>

#include "exec/batch.h"
#include "exec/context.h"
#include "exec/plan.h"

namespace db001::exec {

class physical_operator {
 public:
  virtual ~physical_operator() = default;
  /// Produces the next batch into `out` (count > 0) and returns true, or returns false at the end.
  virtual bool next(exec_ctx& ctx, batch& out) = 0;
};
using operator_ptr = std::unique_ptr<physical_operator>;

/// Creates the running operator tree for a plan.
operator_ptr make_operator(const plan_node& plan, exec_ctx& ctx);

/// Runs a plan to completion and collects its rows (deep copies).
std::shared_ptr<row_collection> run_plan(const plan_node& plan, exec_ctx& ctx);

}  // namespace db001::exec
