#pragma once
/// point_plan: the OLTP fast path. Two plan shapes run without an operator tree:
///   point select   index_scan with equality on every column of a unique index (bounds are
///                  parameters or constants, no residual filter), optionally under a project
///                  of plain column references;
///   one-row insert insert over a VALUES of one row of parameters or constants (missing
///                  columns take constant defaults).
/// The semantics are the operator path's: the same visibility test and stale-entry re-check
/// as index_scan, NOT NULL and unique checks through insert_row. compile() returns null for
/// every other plan, which then runs through make_operator as usual.
///
/// A point_plan is immutable after compile() and refers into the plan it came from (keep the
/// plan alive as long as the point_plan).
#include <memory>
#include <vector>

#include "exec/batch.h"
#include "exec/context.h"
#include "exec/plan.h"

namespace db001::exec {

class point_plan {
 public:
  /// The fast path for `root`, or null when the plan has another shape.
  static std::unique_ptr<point_plan> compile(const plan_node& root);

  bool is_select() const { return scan_ != nullptr; }
  /// A point select: leaves the visible row (if any) as the only row of `out` and returns the
  /// row count. `out` is empty or holds this plan's previous output, which only the caller
  /// refers to (its buffers are reused when nothing else holds them).
  /// An insert: writes the row and returns 1 (`out` unused).
  uint64_t run(exec_ctx& ctx, row_collection* out) const;

 private:
  uint64_t select(exec_ctx& ctx, row_collection& out) const;
  uint64_t insert(exec_ctx& ctx) const;

  // point select
  const index_scan_node* scan_ = nullptr;
  std::vector<int> out_columns_;       ///< table columns produced, in output order
  std::vector<int> prefetch_columns_;  ///< the key columns and out_columns_, each once
  // insert
  const insert_node* insert_ = nullptr;
  std::vector<const expr*> cells_;  ///< per table column: its value expression, null = NULL
};

}  // namespace db001::exec
