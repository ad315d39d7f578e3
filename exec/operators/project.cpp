/// project: computes the output expressions over each input batch. Produces dense vectors
/// (a plain column reference on an unselected batch passes through without a copy).
#include "exec/evaluate.h"
#include "exec/operators/operators.h"

namespace db001::exec {

namespace {

class project_op final : public physical_operator {
 public:
  project_op(const project_node& p, operator_ptr child) : p_(p), child_(std::move(child)) {}

  bool next(exec_ctx& ctx, batch& out) override {
    batch in;
    if (!child_->next(ctx, in)) return false;
    out.reset();
    out.size = out.count = in.count;
    out.cols.reserve(p_.exprs.size());
    for (auto& e : p_.exprs) out.cols.push_back(evaluate(*e, in, ctx));
    return true;
  }

 private:
  const project_node& p_;
  operator_ptr child_;
};

}  // namespace

operator_ptr make_project(const project_node& p, operator_ptr child) {
  return std::make_unique<project_op>(p, std::move(child));
}

}  // namespace db001::exec
