/// values: produces literal rows (VALUES lists; a FROM-less SELECT is one row of no
/// columns). Each row's expressions are evaluated when the operator runs.
#include "exec/evaluate.h"
#include "exec/operators/operators.h"

namespace db001::exec {

namespace {

class values_op final : public physical_operator {
 public:
  explicit values_op(const values_node& p) : p_(p) {}

  bool next(exec_ctx& ctx, batch& out) override {
    if (pos_ >= p_.rows.size()) return false;
    size_t end = std::min(p_.rows.size(), pos_ + batch_rows);
    uint32_t n = uint32_t(end - pos_);
    out.reset();
    out.size = out.count = n;
    for (size_t c = 0; c < p_.types.size(); ++c) {
      vector_writer w(p_.types[c], n);
      for (uint32_t i = 0; i < n; ++i) {
        const expr& e = *p_.rows[pos_ + i][c];
        // Constants and parameters (the common INSERT ... VALUES) go straight into the column.
        if (e.kind == expr_kind::constant) {
          write_value(w, p_.types[c], i, e.constant);
        } else if (e.kind == expr_kind::param && ctx.params && size_t(e.index) < ctx.params->size() &&
                   (*ctx.params)[e.index].type() == p_.types[c]) {
          write_value(w, p_.types[c], i, (*ctx.params)[e.index]);
        } else {
          write_value(w, p_.types[c], i, evaluate_scalar(e, ctx));
        }
      }
      out.cols.push_back(w.finish(true));
    }
    pos_ = end;
    return true;
  }

 private:
  const values_node& p_;
  size_t pos_ = 0;
};

}  // namespace

operator_ptr make_values(const values_node& p, exec_ctx&) { return std::make_unique<values_op>(p); }

}  // namespace db001::exec
