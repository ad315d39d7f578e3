/// nested_loop_join: materializes the right input, then for each left batch evaluates the
/// join condition over blocks of (left row, right row) pairs. Output: left columns then
/// right columns (semi/anti: left only). Inner, left, right, full, semi and anti joins.
#include "exec/evaluate.h"
#include "exec/join_output.h"
#include "exec/operators/operators.h"

namespace db001::exec {

namespace {

class nested_loop_join final : public physical_operator {
 public:
  nested_loop_join(const nested_loop_join_node& p, operator_ptr left, operator_ptr right)
      : p_(p), left_(std::move(left)), right_(std::move(right)) {}

  bool next(exec_ctx& ctx, batch& out) override {
    if (!built_) build(ctx);
    for (;;) {
      if (emit(out)) return true;
      if (left_done_) {
        if (tail_done_) return false;
        tail_done_ = true;
        queue_unmatched_right();
        continue;
      }
      batch in;
      if (!left_->next(ctx, in)) {
        left_done_ = true;
        continue;
      }
      join_batch(ctx, flatten(in));
    }
  }

 private:
  void build(exec_ctx& ctx) {
    built_ = true;
    batch in;
    while (right_->next(ctx, in)) right_rows_.append(in);
    if (right_rows_.types().empty()) right_rows_.set_types(p_.children[1]->types);
    for (size_t c = 0; c < right_rows_.chunk_count(); ++c)
      for (uint32_t r = 0; r < right_rows_.chunk(c).count; ++r) all_right_.push_back({uint32_t(c), r});
    right_matched_.assign(all_right_.size(), 0);
  }

  void join_batch(exec_ctx& ctx, batch left) {
    output_.reset(left);
    size_t nr = all_right_.size();
    std::vector<uint8_t> left_matched(left.count, 0);
    // Pairs in pieces of at most 4096 (left l, right j), walking l-major; cancel is checked
    // between pieces (a cross product can be huge).
    constexpr size_t piece = 4096;
    uint32_t l = 0;
    size_t j = 0;
    std::vector<uint32_t> lrows, ridx;
    lrows.reserve(piece);
    ridx.reserve(piece);
    while (nr > 0 && l < left.count) {
      ctx.check_cancel();
      lrows.clear();
      ridx.clear();
      while (l < left.count && lrows.size() < piece) {
        size_t take = std::min(nr - j, piece - lrows.size());
        for (size_t k = 0; k < take; ++k) {
          lrows.push_back(l);
          ridx.push_back(uint32_t(j + k));
        }
        j += take;
        if (j == nr) {
          j = 0;
          ++l;
        }
      }
      std::vector<uint32_t> keep;
      if (p_.condition) {
        batch pairs;
        uint32_t n = uint32_t(lrows.size());
        pairs.size = pairs.count = n;
        for (auto& c : left.cols) pairs.cols.push_back(gather(c, lrows.data(), n));
        std::vector<row_ref> refs(n);
        for (uint32_t i = 0; i < n; ++i) refs[i] = all_right_[ridx[i]];
        for (size_t c = 0; c < right_rows_.types().size(); ++c)
          pairs.cols.push_back(gather_refs(right_rows_, c, refs.data(), n));
        keep.resize(n);
        keep.resize(evaluate_filter(*p_.condition, pairs, ctx, keep.data()));
      } else {
        keep.resize(lrows.size());
        for (uint32_t i = 0; i < keep.size(); ++i) keep[i] = i;
      }
      for (uint32_t i : keep) {
        left_matched[lrows[i]] = 1;
        right_matched_[ridx[i]] = 1;
        if (join_emits_right(p_.type)) output_.add(lrows[i], all_right_[ridx[i]]);
      }
    }
    for (uint32_t l = 0; l < left.count; ++l)
      if (join_keeps_unmatched_left(p_.type, left_matched[l])) output_.add(l, {no_row, 0});
  }

  void queue_unmatched_right() {
    output_.reset();
    if (p_.type != join_type::right && p_.type != join_type::full) return;
    for (size_t j = 0; j < all_right_.size(); ++j)
      if (!right_matched_[j]) output_.add(join_output::no_left, all_right_[j]);
  }

  bool emit(batch& out) {
    return output_.emit(out, p_.children[0]->types, right_rows_, join_emits_right(p_.type));
  }

  const nested_loop_join_node& p_;
  operator_ptr left_, right_;
  bool built_ = false, left_done_ = false, tail_done_ = false;
  row_collection right_rows_;
  std::vector<row_ref> all_right_;
  std::vector<uint8_t> right_matched_;
  join_output output_;
};

}  // namespace

operator_ptr make_nested_loop_join(const nested_loop_join_node& p, operator_ptr left, operator_ptr right) {
  return std::make_unique<nested_loop_join>(p, std::move(left), std::move(right));
}

}  // namespace db001::exec
