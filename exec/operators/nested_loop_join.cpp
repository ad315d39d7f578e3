/// nested_loop_join: materializes the right input, then for each left batch evaluates the
/// join condition over blocks of (left row, right row) pairs. Output: left columns then
/// right columns (semi/anti: left only). Inner, left, right, full, semi and anti joins.
#include "exec/evaluate.h"
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
  bool emits_right() const { return p_.type != join_type::semi && p_.type != join_type::anti; }

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
    out_left_ = left;
    out_lrows_.clear();
    out_rrefs_.clear();
    size_t nr = all_right_.size();
    std::vector<uint8_t> left_matched(left.count, 0);
    // Pairs in pieces of about 4096: (left i, right j) for a run of left rows.
    uint32_t per_piece = uint32_t(std::max<size_t>(1, 4096 / std::max<size_t>(1, nr)));
    for (uint32_t l0 = 0; l0 < left.count && nr > 0; l0 += per_piece) {
      uint32_t l1 = std::min(left.count, l0 + per_piece);
      std::vector<uint32_t> lrows;
      std::vector<uint32_t> ridx;
      for (uint32_t l = l0; l < l1; ++l)
        for (size_t j = 0; j < nr; ++j) {
          lrows.push_back(l);
          ridx.push_back(uint32_t(j));
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
        if (emits_right()) {
          out_lrows_.push_back(lrows[i]);
          out_rrefs_.push_back(all_right_[ridx[i]]);
        }
      }
    }
    for (uint32_t l = 0; l < left.count; ++l) {
      bool m = left_matched[l];
      if ((p_.type == join_type::semi && m) || (p_.type == join_type::anti && !m) ||
          ((p_.type == join_type::left || p_.type == join_type::full) && !m)) {
        out_lrows_.push_back(l);
        out_rrefs_.push_back({no_row, 0});
      }
    }
    out_pos_ = 0;
  }

  void queue_unmatched_right() {
    out_lrows_.clear();
    out_rrefs_.clear();
    out_pos_ = 0;
    if (p_.type != join_type::right && p_.type != join_type::full) return;
    for (size_t j = 0; j < all_right_.size(); ++j)
      if (!right_matched_[j]) {
        out_lrows_.push_back(UINT32_MAX);
        out_rrefs_.push_back(all_right_[j]);
      }
  }

  bool emit(batch& out) {
    if (out_pos_ >= out_lrows_.size()) return false;
    uint32_t n = uint32_t(std::min<size_t>(batch_rows, out_lrows_.size() - out_pos_));
    out.reset();
    out.size = out.count = n;
    const uint32_t* lr = out_lrows_.data() + out_pos_;
    const auto& ltypes = p_.children[0]->types;
    for (size_t c = 0; c < ltypes.size(); ++c) {
      if (lr[0] == UINT32_MAX)
        out.cols.push_back(constant_vector(value::null(ltypes[c]), ltypes[c], n));
      else
        out.cols.push_back(gather(out_left_.cols[c], lr, n));
    }
    if (emits_right())
      for (size_t c = 0; c < right_rows_.types().size(); ++c)
        out.cols.push_back(gather_refs(right_rows_, c, out_rrefs_.data() + out_pos_, n));
    out_pos_ += n;
    return true;
  }

  const nested_loop_join_node& p_;
  operator_ptr left_, right_;
  bool built_ = false, left_done_ = false, tail_done_ = false;
  row_collection right_rows_;
  std::vector<row_ref> all_right_;
  std::vector<uint8_t> right_matched_;
  batch out_left_;
  std::vector<uint32_t> out_lrows_;
  std::vector<row_ref> out_rrefs_;
  size_t out_pos_ = 0;
};

}  // namespace

operator_ptr make_nested_loop_join(const nested_loop_join_node& p, operator_ptr left, operator_ptr right) {
  return std::make_unique<nested_loop_join>(p, std::move(left), std::move(right));
}

}  // namespace db001::exec
