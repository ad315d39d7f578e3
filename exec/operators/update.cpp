/// update: consumes (every table column, row id) rows of the versions to change, locks
/// each (row_lock.h), writes the new version computed by the SET expressions and marks
/// the old one deleted by this transaction. Produces no rows; counts rows_affected.
#include "exec/dml.h"
#include "exec/evaluate.h"
#include "exec/operators/operators.h"
#include "exec/row_lock.h"

namespace db001::exec {

namespace {

class update_op final : public physical_operator {
 public:
  update_op(const update_node& p, operator_ptr child) : p_(p), child_(std::move(child)) {}

  bool next(exec_ctx& ctx, batch& out) override {
    // Collect the target row ids first: writing while scanning would let the scan see
    // slots the update itself fills (command ids hide them, but it costs re-checks).
    std::vector<batch> inputs;
    batch in;
    while (child_->next(ctx, in)) inputs.push_back(flatten(in));
    storage::table& t = *p_.tbl;
    size_t width = t.column_count();
    for (auto& b : inputs) {
      ctx.check_cancel();
      std::vector<vector> fresh;
      for (auto& e : p_.set_exprs) fresh.push_back(evaluate(*e, b, ctx));
      const int64_t* rids = b.cols[width].as<int64_t>();
      for (uint32_t r = 0; r < b.count; ++r) {
        auto locked = lock_row(ctx, t, storage::row_id(rids[r]), p_.recheck.get());
        if (!locked) continue;
        // Record the row lock first: if writing the new version fails (23502, 23505, 40P01 while
        // waiting on a unique key) the abort must release it.
        ctx.tm->record_delete(*ctx.txn, p_.tbl, *locked);
        storage::row_id new_rid;
        if (*locked == storage::row_id(rids[r])) {
          new_rid = insert_version(ctx, p_.tbl, fresh, r);
        } else {
          // A newer version (READ COMMITTED): recompute the SET list on it.
          batch nb = version_batch(t, *locked);
          std::vector<vector> again;
          for (auto& e : p_.set_exprs) again.push_back(evaluate(*e, nb, ctx));
          new_rid = insert_version(ctx, p_.tbl, again, 0);
        }
        t.block_of(*locked).set_next_version(storage::rid_slot(*locked), new_rid);
        ++ctx.rows_affected;
      }
    }
    return false;
  }

 private:
  const update_node& p_;
  operator_ptr child_;
};

}  // namespace

operator_ptr make_update(const update_node& p, operator_ptr child) {
  return std::make_unique<update_op>(p, std::move(child));
}

}  // namespace db001::exec
