/// hash_aggregate: consumes its whole input into an agg_table (GROUP BY keys and aggregate
/// states), then produces one row per group: group values followed by aggregate results.
#include "exec/agg_table.h"
#include "exec/operators/operators.h"

namespace db001::exec {

namespace {

class hash_aggregate final : public physical_operator {
 public:
  hash_aggregate(const aggregate_node& p, operator_ptr child) : p_(p), child_(std::move(child)), table_(p) {}

  bool next(exec_ctx& ctx, batch& out) override {
    if (!done_) {
      batch in;
      while (child_->next(ctx, in)) table_.consume(in, ctx);
      results_ = table_.finalize();
      done_ = true;
    }
    if (pos_ >= results_.size()) return false;
    out = std::move(results_[pos_++]);
    return true;
  }

 private:
  const aggregate_node& p_;
  operator_ptr child_;
  agg_table table_;
  bool done_ = false;
  std::vector<batch> results_;
  size_t pos_ = 0;
};

}  // namespace

operator_ptr make_hash_aggregate(const aggregate_node& p, operator_ptr child) {
  return std::make_unique<hash_aggregate>(p, std::move(child));
}

}  // namespace db001::exec
