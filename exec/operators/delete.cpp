/// delete: consumes (every table column, row id) rows, locks each version (row_lock.h)
/// which marks it deleted by this transaction. Produces no rows; counts rows_affected.
#include "exec/dml.h"
#include "exec/operators/operators.h"
#include "exec/row_lock.h"

namespace db001::exec {

namespace {

class delete_op final : public physical_operator {
 public:
  delete_op(const delete_node& p, operator_ptr child) : p_(p), child_(std::move(child)) {}

  bool next(exec_ctx& ctx, batch& out) override {
    std::vector<batch> inputs;
    batch in;
    while (child_->next(ctx, in)) inputs.push_back(flatten(in));
    storage::table& t = *p_.tbl;
    size_t width = t.column_count();
    for (auto& b : inputs) {
      ctx.check_cancel();
      const int64_t* rids = b.cols[width].as<int64_t>();
      for (uint32_t r = 0; r < b.count; ++r) {
        auto locked = lock_row(ctx, t, storage::row_id(rids[r]), p_.recheck.get());
        if (!locked) continue;
        ctx.tm->record_delete(*ctx.txn, p_.tbl, *locked);
        ++ctx.rows_affected;
      }
    }
    return false;
  }

 private:
  const delete_node& p_;
  operator_ptr child_;
};

}  // namespace

operator_ptr make_delete(const delete_node& p, operator_ptr child) {
  return std::make_unique<delete_op>(p, std::move(child));
}

}  // namespace db001::exec
