/// sort: materializes its input with the sort keys evaluated alongside, sorts row
/// references (stable, honouring DESC and NULLS FIRST/LAST), then produces the input
/// columns in order, in batches. The sort itself polls the statement's interrupt every 64 K
/// comparisons.
#include <algorithm>

#include "exec/evaluate.h"
#include "exec/operators/operators.h"

namespace db001::exec {

namespace {

class sort_op final : public physical_operator {
 public:
  sort_op(const sort_node& p, operator_ptr child) : p_(p), child_(std::move(child)) {}

  bool next(exec_ctx& ctx, batch& out) override {
    if (!sorted_) run(ctx);
    if (pos_ >= order_.size()) return false;
    uint32_t n = uint32_t(std::min<size_t>(batch_rows, order_.size() - pos_));
    out.reset();
    out.size = out.count = n;
    for (size_t c = 0; c < p_.types.size(); ++c) out.cols.push_back(gather_refs(rows_, c, &order_[pos_], n));
    pos_ += n;
    return true;
  }

 private:
  void run(exec_ctx& ctx) {
    sorted_ = true;
    batch in;
    size_t width = p_.types.size();
    while (child_->next(ctx, in)) {
      batch ext = flatten(in);
      for (auto& k : p_.keys) ext.cols.push_back(evaluate(*k.e, in, ctx));
      rows_.append(ext);
    }
    for (size_t c = 0; c < rows_.chunk_count(); ++c)
      for (uint32_t r = 0; r < rows_.chunk(c).count; ++r) order_.emplace_back(uint32_t(c), r);
    uint32_t comparisons = 0;
    auto less = [&](const row_ref& a, const row_ref& b) {
      if ((++comparisons & 0xffff) == 0) ctx.check_cancel();  // a long sort honours cancel / statement_timeout
      for (size_t k = 0; k < p_.keys.size(); ++k) {
        const vector& va = rows_.chunk(a.first).cols[width + k];
        const vector& vb = rows_.chunk(b.first).cols[width + k];
        bool na = va.is_null(a.second), nb = vb.is_null(b.second);
        const sort_key& key = p_.keys[k];
        if (na || nb) {
          if (na == nb) continue;
          // NULLs compare above every value; NULLS FIRST flips that.
          return key.nulls_first ? na : nb;
        }
        int c = compare_cells(va, a.second, vb, b.second);
        if (c != 0) return key.desc ? c > 0 : c < 0;
      }
      return false;
    };
    std::stable_sort(order_.begin(), order_.end(), less);
  }

  const sort_node& p_;
  operator_ptr child_;
  row_collection rows_;
  std::vector<row_ref> order_;
  bool sorted_ = false;
  size_t pos_ = 0;
};

}  // namespace

operator_ptr make_sort(const sort_node& p, operator_ptr child) { return std::make_unique<sort_op>(p, std::move(child)); }

}  // namespace db001::exec
