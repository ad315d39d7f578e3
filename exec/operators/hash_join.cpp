/// hash_join: builds a hash table on the right input (keyed by the normalized encoding of
/// the right key values; rows with a NULL key never match), then streams the left input
/// through it. Output: left columns then right columns (semi/anti: left only). Inner, left,
/// right, full outer, semi and anti joins; `extra` is an additional condition evaluated on
/// candidate pairs (part of the join condition for outer joins).
#include <unordered_map>

#include "exec/evaluate.h"
#include "exec/operators/operators.h"
#include "storage/index.h"

namespace db001::exec {

namespace {

class hash_join final : public physical_operator {
 public:
  hash_join(const hash_join_node& p, operator_ptr left, operator_ptr right)
      : p_(p), left_(std::move(left)), right_(std::move(right)) {}

  bool next(exec_ctx& ctx, batch& out) override {
    if (!built_) build(ctx);
    for (;;) {
      if (emit(out)) return true;
      if (left_done_) {
        if (tail_emitted_) return false;
        tail_emitted_ = true;
        queue_unmatched_right();
        continue;
      }
      if (!probe_next(ctx)) left_done_ = true;
    }
  }

 private:
  size_t left_width() const { return p_.children[0]->width(); }
  bool emits_right() const { return p_.type != join_type::semi && p_.type != join_type::anti; }

  static std::string key_of(const std::vector<vector>& keys, uint32_t row, bool* has_null) {
    std::string k;
    for (auto& v : keys) {
      if (v.is_null(row)) *has_null = true;
      storage::index::encode(k, v.type, v.data + size_t(row) * phys_size(v.type.physical()), v.is_null(row));
    }
    return k;
  }

  void build(exec_ctx& ctx) {
    built_ = true;
    batch in;
    while (right_->next(ctx, in)) {
      batch dense = flatten(in);
      std::vector<vector> keys;
      for (auto& k : p_.right_keys) keys.push_back(evaluate(*k, dense, ctx));
      uint32_t chunk = uint32_t(build_rows_.chunk_count());
      build_rows_.append_chunk(dense);
      for (uint32_t r = 0; r < dense.count; ++r) {
        bool has_null = false;
        std::string k = key_of(keys, r, &has_null);
        if (!has_null) table_.emplace(std::move(k), row_ref{chunk, r});
      }
    }
    if (build_rows_.types().empty()) build_rows_.set_types(p_.children[1]->types);
    if (p_.type == join_type::right || p_.type == join_type::full) {
      matched_.resize(build_rows_.chunk_count());
      for (size_t c = 0; c < build_rows_.chunk_count(); ++c) matched_[c].assign(build_rows_.chunk(c).count, 0);
    }
  }

  /// Probes one left batch; queues its output rows.
  bool probe_next(exec_ctx& ctx) {
    batch in;
    if (!left_->next(ctx, in)) return false;
    cur_left_ = flatten(in);
    std::vector<vector> keys;
    for (auto& k : p_.left_keys) keys.push_back(evaluate(*k, cur_left_, ctx));
    std::vector<uint32_t> lrows;
    std::vector<row_ref> rrefs;
    for (uint32_t r = 0; r < cur_left_.count; ++r) {
      bool has_null = false;
      std::string k = key_of(keys, r, &has_null);
      if (has_null) continue;
      auto range = table_.equal_range(k);
      for (auto it = range.first; it != range.second; ++it) {
        lrows.push_back(r);
        rrefs.push_back(it->second);
      }
    }
    // Candidate pairs; apply the extra condition.
    batch pairs = make_pairs(lrows, rrefs);
    std::vector<uint8_t> left_matched(cur_left_.count, 0);
    std::vector<uint32_t> keep;
    if (p_.extra && pairs.count) {
      std::vector<uint32_t> sel(pairs.count);
      uint32_t k = evaluate_filter(*p_.extra, pairs, ctx, sel.data());
      keep.assign(sel.begin(), sel.begin() + k);
    } else {
      keep.resize(pairs.count);
      for (uint32_t i = 0; i < pairs.count; ++i) keep[i] = i;
    }
    out_lrows_.clear();
    out_rrefs_.clear();
    for (uint32_t i : keep) {
      left_matched[lrows[i]] = 1;
      if (!matched_.empty()) matched_[rrefs[i].first][rrefs[i].second] = 1;
      if (p_.type == join_type::inner || p_.type == join_type::left || p_.type == join_type::right ||
          p_.type == join_type::full) {
        out_lrows_.push_back(lrows[i]);
        out_rrefs_.push_back(rrefs[i]);
      }
    }
    for (uint32_t r = 0; r < cur_left_.count; ++r) {
      bool m = left_matched[r];
      if ((p_.type == join_type::semi && m) || (p_.type == join_type::anti && !m) ||
          ((p_.type == join_type::left || p_.type == join_type::full) && !m)) {
        out_lrows_.push_back(r);
        out_rrefs_.push_back({no_row, 0});
      }
    }
    out_pos_ = 0;
    out_left_ = cur_left_;
    return true;
  }

  batch make_pairs(const std::vector<uint32_t>& lrows, const std::vector<row_ref>& rrefs) {
    batch b;
    uint32_t n = uint32_t(lrows.size());
    b.size = b.count = n;
    for (auto& c : cur_left_.cols) b.cols.push_back(gather(c, lrows.data(), n));
    for (size_t c = 0; c < build_rows_.types().size(); ++c)
      b.cols.push_back(gather_refs(build_rows_, c, rrefs.data(), n));
    return b;
  }

  void queue_unmatched_right() {
    out_lrows_.clear();
    out_rrefs_.clear();
    if (matched_.empty()) return;
    for (size_t c = 0; c < matched_.size(); ++c)
      for (uint32_t r = 0; r < matched_[c].size(); ++r)
        if (!matched_[c][r]) {
          out_lrows_.push_back(UINT32_MAX);
          out_rrefs_.push_back({uint32_t(c), r});
        }
    out_pos_ = 0;
  }

  bool emit(batch& out) {
    if (out_pos_ >= out_lrows_.size()) return false;
    uint32_t n = uint32_t(std::min<size_t>(batch_rows, out_lrows_.size() - out_pos_));
    out.reset();
    out.size = out.count = n;
    const uint32_t* lr = out_lrows_.data() + out_pos_;
    bool left_null = lr[0] == UINT32_MAX;  // only the right-unmatched tail has no left row
    for (size_t c = 0; c < left_width(); ++c) {
      if (left_null) {
        out.cols.push_back(constant_vector(value::null(p_.children[0]->types[c]), p_.children[0]->types[c], n));
      } else {
        out.cols.push_back(gather(out_left_.cols[c], lr, n));
      }
    }
    if (emits_right())
      for (size_t c = 0; c < build_rows_.types().size(); ++c)
        out.cols.push_back(gather_refs(build_rows_, c, out_rrefs_.data() + out_pos_, n));
    out_pos_ += n;
    return true;
  }

  const hash_join_node& p_;
  operator_ptr left_, right_;
  bool built_ = false, left_done_ = false, tail_emitted_ = false;
  row_collection build_rows_;
  std::unordered_multimap<std::string, row_ref> table_;
  std::vector<std::vector<uint8_t>> matched_;
  batch cur_left_, out_left_;
  std::vector<uint32_t> out_lrows_;
  std::vector<row_ref> out_rrefs_;
  size_t out_pos_ = 0;
};

}  // namespace

operator_ptr make_hash_join(const hash_join_node& p, operator_ptr left, operator_ptr right) {
  return std::make_unique<hash_join>(p, std::move(left), std::move(right));
}

}  // namespace db001::exec
