/// limit: passes through at most LIMIT rows after skipping OFFSET rows; narrows the
/// selection of the batches it passes, and stops pulling its input once satisfied.
#include "exec/evaluate.h"
#include "exec/operators/operators.h"
#include "storage/error.h"

namespace db001::exec {

namespace {

class limit_op final : public physical_operator {
 public:
  limit_op(const limit_node& p, operator_ptr child) : p_(p), child_(std::move(child)) {}

  bool next(exec_ctx& ctx, batch& out) override {
    if (!started_) start(ctx);
    while (remaining_ > 0 && child_->next(ctx, out)) {
      uint32_t skip = uint32_t(std::min<int64_t>(to_skip_, out.count));
      to_skip_ -= skip;
      uint32_t take = uint32_t(std::min<int64_t>(remaining_, out.count - skip));
      if (take == 0) continue;
      remaining_ -= take;
      if (skip || take < out.count) {
        auto sel = std::shared_ptr<uint32_t[]>(new uint32_t[take]);
        for (uint32_t i = 0; i < take; ++i) sel[i] = out.row(skip + i);
        out.keep = std::make_shared<std::pair<std::shared_ptr<void>, std::shared_ptr<uint32_t[]>>>(out.keep, sel);
        out.sel = sel.get();
        out.count = take;
      }
      return true;
    }
    return false;
  }

 private:
  void start(exec_ctx& ctx) {
    started_ = true;
    if (p_.limit) {
      value v = evaluate_scalar(*p_.limit, ctx);
      if (!v.is_null()) {
        remaining_ = v.as_int();
        if (remaining_ < 0) throw db_error(sqlstate::invalid_row_count_in_limit, "LIMIT must not be negative");
      }
    }
    if (p_.offset) {
      value v = evaluate_scalar(*p_.offset, ctx);
      if (!v.is_null()) {
        to_skip_ = v.as_int();
        if (to_skip_ < 0) throw db_error(sqlstate::invalid_row_count_in_offset, "OFFSET must not be negative");
      }
    }
  }

  const limit_node& p_;
  operator_ptr child_;
  bool started_ = false;
  int64_t remaining_ = INT64_MAX;
  int64_t to_skip_ = 0;
};

}  // namespace

operator_ptr make_limit(const limit_node& p, operator_ptr child) {
  return std::make_unique<limit_op>(p, std::move(child));
}

}  // namespace db001::exec
