/// insert: consumes rows (in the INSERT's target-column order, already cast to the column
/// types), completes them with column defaults, and writes each as a new row version.
/// Produces no rows; counts rows_affected.
#include "exec/dml.h"
#include "exec/evaluate.h"
#include "exec/operators/operators.h"

namespace db001::exec {

namespace {

class insert_op final : public physical_operator {
 public:
  insert_op(const insert_node& p, operator_ptr child) : p_(p), child_(std::move(child)) {}

  bool next(exec_ctx& ctx, batch& out) override {
    batch in;
    while (child_->next(ctx, in)) {
      ctx.check_cancel();
      batch dense = flatten(in);
      std::vector<vector> cols(p_.tbl->column_count());
      for (size_t c = 0; c < cols.size(); ++c) {
        int src = p_.col_map[c];
        if (src >= 0) {
          cols[c] = dense.cols[src];
        } else if (p_.defaults[c]) {
          cols[c] = evaluate(*p_.defaults[c], dense, ctx);
        } else {
          const sql_type& t = p_.tbl->column(c).type;
          cols[c] = constant_vector(value::null(t), t, dense.count);
        }
      }
      for (uint32_t r = 0; r < dense.count; ++r) insert_version(ctx, p_.tbl, cols, r);
      ctx.rows_affected += dense.count;
    }
    return false;
  }

 private:
  const insert_node& p_;
  operator_ptr child_;
};

}  // namespace

operator_ptr make_insert(const insert_node& p, operator_ptr child) {
  return std::make_unique<insert_op>(p, std::move(child));
}

}  // namespace db001::exec
