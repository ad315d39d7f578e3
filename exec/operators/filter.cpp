/// filter: narrows the selection of each input batch to the rows where the predicate is
/// TRUE. Only changes the selection; never copies column values.
#include "exec/evaluate.h"
#include "exec/operators/operators.h"

namespace db001::exec {

namespace {

class filter_op final : public physical_operator {
 public:
  filter_op(const filter_node& p, operator_ptr child) : p_(p), child_(std::move(child)) {}

  bool next(exec_ctx& ctx, batch& out) override {
    while (child_->next(ctx, out)) {
      auto sel = std::shared_ptr<uint32_t[]>(new uint32_t[std::max<uint32_t>(1, out.count)]);
      uint32_t k = evaluate_filter(*p_.predicate, out, ctx, sel.get());
      if (k == 0) continue;
      out.sel = sel.get();
      out.count = k;
      // Keep the previous owner (it may hold the rid column or the old selection's storage).
      out.keep = std::make_shared<std::pair<std::shared_ptr<void>, std::shared_ptr<uint32_t[]>>>(out.keep, sel);
      return true;
    }
    return false;
  }

 private:
  const filter_node& p_;
  operator_ptr child_;
};

}  // namespace

operator_ptr make_filter(const filter_node& p, operator_ptr child) {
  return std::make_unique<filter_op>(p, std::move(child));
}

}  // namespace db001::exec
