#pragma once
/// Factories of the physical operators, one per file in exec/operators/.
#include "exec/operator.h"

namespace db001::exec {

operator_ptr make_seq_scan(const seq_scan_node& p, exec_ctx& ctx, uint32_t block_begin = 0,
                           uint32_t block_end = UINT32_MAX);
operator_ptr make_index_scan(const index_scan_node& p, exec_ctx& ctx);
operator_ptr make_values(const values_node& p, exec_ctx& ctx);
operator_ptr make_function_scan(const function_scan_node& p, exec_ctx& ctx);
operator_ptr make_filter(const filter_node& p, operator_ptr child);
operator_ptr make_project(const project_node& p, operator_ptr child);
operator_ptr make_hash_aggregate(const aggregate_node& p, operator_ptr child);
operator_ptr make_sort(const sort_node& p, operator_ptr child);
operator_ptr make_limit(const limit_node& p, operator_ptr child);
operator_ptr make_hash_join(const hash_join_node& p, operator_ptr left, operator_ptr right);
operator_ptr make_nested_loop_join(const nested_loop_join_node& p, operator_ptr left, operator_ptr right);
operator_ptr make_set_op(const set_op_node& p, operator_ptr left, operator_ptr right);
operator_ptr make_insert(const insert_node& p, operator_ptr child);
operator_ptr make_update(const update_node& p, operator_ptr child);
operator_ptr make_delete(const delete_node& p, operator_ptr child);
/// Runs an aggregate over a large scan as a oneTBB flow graph on several workers.
operator_ptr make_parallel_aggregate(const aggregate_node& p, exec_ctx& ctx);

}  // namespace db001::exec
