/// make_operator: turns an immutable plan into a tree of running operators, choosing the
/// parallel (oneTBB flow graph) form for large aggregations over a table scan.
#include "exec/operators/operators.h"
#include "exec/parallel.h"
#include "storage/error.h"
#include "storage/stack_guard.h"

namespace db001::exec {

operator_ptr make_operator(const plan_node& plan, exec_ctx& ctx) {
  check_stack_depth();
  auto child = [&](size_t i) { return make_operator(*plan.children[i], ctx); };
  switch (plan.kind) {
    case plan_kind::seq_scan: return make_seq_scan(static_cast<const seq_scan_node&>(plan), ctx);
    case plan_kind::index_scan: return make_index_scan(static_cast<const index_scan_node&>(plan), ctx);
    case plan_kind::values: return make_values(static_cast<const values_node&>(plan), ctx);
    case plan_kind::filter: return make_filter(static_cast<const filter_node&>(plan), child(0));
    case plan_kind::project: return make_project(static_cast<const project_node&>(plan), child(0));
    case plan_kind::hash_aggregate: {
      auto& agg = static_cast<const aggregate_node&>(plan);
      if (parallel_eligible(agg, ctx)) return make_parallel_aggregate(agg, ctx);
      return make_hash_aggregate(agg, child(0));
    }
    case plan_kind::sort: return make_sort(static_cast<const sort_node&>(plan), child(0));
    case plan_kind::limit: return make_limit(static_cast<const limit_node&>(plan), child(0));
    case plan_kind::hash_join: return make_hash_join(static_cast<const hash_join_node&>(plan), child(0), child(1));
    case plan_kind::nested_loop_join:
      return make_nested_loop_join(static_cast<const nested_loop_join_node&>(plan), child(0), child(1));
    case plan_kind::set_op: return make_set_op(static_cast<const set_op_node&>(plan), child(0), child(1));
    case plan_kind::insert: return make_insert(static_cast<const insert_node&>(plan), child(0));
    case plan_kind::update: return make_update(static_cast<const update_node&>(plan), child(0));
    case plan_kind::delete_: return make_delete(static_cast<const delete_node&>(plan), child(0));
    case plan_kind::function_scan:
      return make_function_scan(static_cast<const function_scan_node&>(plan), ctx);
    case plan_kind::parallel_aggregate: break;
  }
  throw db_error(sqlstate::internal_error, "unknown plan node");
}

std::shared_ptr<row_collection> run_plan(const plan_node& plan, exec_ctx& ctx) {
  auto rows = std::make_shared<row_collection>(plan.types);
  auto op = make_operator(plan, ctx);
  batch b;
  while (op->next(ctx, b)) rows->append(b);
  return rows;
}

}  // namespace db001::exec
