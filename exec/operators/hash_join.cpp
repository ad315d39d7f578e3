/// hash_join: builds a hash table on the right input (keyed by the normalized encoding of
/// the right key values; rows with a NULL key never match), then streams the left input
/// through it. Output: left columns then right columns (semi/anti: left only). Inner, left,
/// right, full outer, semi and anti joins; `extra` is an additional condition evaluated on
/// candidate pairs (part of the join condition for outer joins).
#include <unordered_map>

#include "exec/evaluate.h"
#include "exec/join_output.h"
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
        if ((rrefs.size() & 0xffff) == 0) ctx.check_cancel();  // many matches per key: a long probe
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
    output_.reset(cur_left_);
    for (uint32_t i : keep) {
      left_matched[lrows[i]] = 1;
      if (!matched_.empty()) matched_[rrefs[i].first][rrefs[i].second] = 1;
      if (join_emits_right(p_.type)) output_.add(lrows[i], rrefs[i]);
    }
    for (uint32_t r = 0; r < cur_left_.count; ++r)
      if (join_keeps_unmatched_left(p_.type, left_matched[r])) output_.add(r, {no_row, 0});
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
    output_.reset();
    for (size_t c = 0; c < matched_.size(); ++c)
      for (uint32_t r = 0; r < matched_[c].size(); ++r)
        if (!matched_[c][r]) output_.add(join_output::no_left, {uint32_t(c), r});
  }

  bool emit(batch& out) {
    return output_.emit(out, p_.children[0]->types, build_rows_, join_emits_right(p_.type));
  }

  const hash_join_node& p_;
  operator_ptr left_, right_;
  bool built_ = false, left_done_ = false, tail_emitted_ = false;
  row_collection build_rows_;
  std::unordered_multimap<std::string, row_ref> table_;
  std::vector<std::vector<uint8_t>> matched_;
  batch cur_left_;
  join_output output_;
};

}  // namespace

operator_ptr make_hash_join(const hash_join_node& p, operator_ptr left, operator_ptr right) {
  return std::make_unique<hash_join>(p, std::move(left), std::move(right));
}

}  // namespace db001::exec
