#pragma once
/// The pending output rows of a join operator (hash or nested loop): pairs of a row of the
/// current left batch (or none: the unmatched right rows of RIGHT/FULL joins) and a row of
/// the materialized right side (or none: NULLs for unmatched left rows). emit() hands them
/// out as batches of left columns then right columns.
#include <vector>

#include "exec/batch.h"
#include "exec/plan.h"

namespace db001::exec {

class join_output {
 public:
  static constexpr uint32_t no_left = UINT32_MAX;

  /// Starts a new set of pairs over `left` (kept alive until the pairs are emitted).
  void reset(batch left = {}) {
    left_ = std::move(left);
    lrows_.clear();
    rrefs_.clear();
    pos_ = 0;
  }
  void add(uint32_t left_row, row_ref right) {
    lrows_.push_back(left_row);
    rrefs_.push_back(right);
  }
  /// The next batch of pairs (false when none are left). Pairs without a left row come
  /// only from the unmatched-right tail, which is queued by itself.
  bool emit(batch& out, const std::vector<sql_type>& left_types, const row_collection& right, bool with_right) {
    if (pos_ >= lrows_.size()) return false;
    uint32_t n = uint32_t(std::min<size_t>(batch_rows, lrows_.size() - pos_));
    out.reset();
    out.size = out.count = n;
    const uint32_t* lr = lrows_.data() + pos_;
    for (size_t c = 0; c < left_types.size(); ++c) {
      if (lr[0] == no_left)
        out.cols.push_back(constant_vector(value::null(left_types[c]), left_types[c], n));
      else
        out.cols.push_back(gather(left_.cols[c], lr, n));
    }
    if (with_right)
      for (size_t c = 0; c < right.types().size(); ++c) out.cols.push_back(gather_refs(right, c, rrefs_.data() + pos_, n));
    pos_ += n;
    return true;
  }

 private:
  batch left_;
  std::vector<uint32_t> lrows_;
  std::vector<row_ref> rrefs_;
  size_t pos_ = 0;
};

/// Whether a join type's output includes the right side's columns.
inline bool join_emits_right(join_type t) { return t != join_type::semi && t != join_type::anti; }
/// Whether unmatched left rows appear in the output (with NULLs or alone).
inline bool join_keeps_unmatched_left(join_type t, bool matched) {
  return (t == join_type::semi && matched) || (t == join_type::anti && !matched) ||
         ((t == join_type::left || t == join_type::full) && !matched);
}

}  // namespace db001::exec
