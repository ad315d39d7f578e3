/// set_op: UNION [ALL], INTERSECT [ALL], EXCEPT [ALL] of two inputs with the same column
/// types. UNION ALL streams; the others count rows by their normalized encoding (NULLs
/// equal each other, as SQL set operations require) and output in first-seen order.
#include <unordered_map>

#include "exec/operators/operators.h"
#include "storage/index.h"

namespace db001::exec {

namespace {

class set_op final : public physical_operator {
 public:
  set_op(const set_op_node& p, operator_ptr left, operator_ptr right)
      : p_(p), left_(std::move(left)), right_(std::move(right)) {}

  bool next(exec_ctx& ctx, batch& out) override {
    if (p_.op == set_op_kind::union_ && p_.all) {
      if (!left_done_) {
        if (left_->next(ctx, out)) return true;
        left_done_ = true;
      }
      return right_->next(ctx, out);
    }
    if (!done_) run(ctx);
    if (pos_ >= out_refs_.size()) return false;
    uint32_t n = uint32_t(std::min<size_t>(batch_rows, out_refs_.size() - pos_));
    out.reset();
    out.size = out.count = n;
    for (size_t c = 0; c < p_.types.size(); ++c) out.cols.push_back(gather_refs(rows_, c, &out_refs_[pos_], n));
    pos_ += n;
    return true;
  }

 private:
  struct entry {
    row_ref first;
    int64_t left = 0, right = 0;
  };

  void consume(exec_ctx& ctx, physical_operator& op, bool is_left) {
    batch in;
    while (op.next(ctx, in)) {
      batch dense = flatten(in);
      uint32_t chunk = uint32_t(rows_.chunk_count());
      rows_.append_chunk(dense);
      for (uint32_t r = 0; r < dense.count; ++r) {
        std::string key;
        for (auto& v : dense.cols)
          storage::index::encode(key, v.type, v.data + size_t(r) * phys_size(v.type.physical()), v.is_null(r));
        auto [it, fresh] = counts_.try_emplace(std::move(key), entry{{chunk, r}});
        if (fresh) order_.push_back(&*it);
        (is_left ? it->second.left : it->second.right)++;
      }
    }
  }

  void run(exec_ctx& ctx) {
    done_ = true;
    rows_.set_types(p_.types);
    consume(ctx, *left_, true);
    consume(ctx, *right_, false);
    for (auto* kv : order_) {
      const entry& e = kv->second;
      int64_t n = 0;
      switch (p_.op) {
        case set_op_kind::union_: n = 1; break;
        case set_op_kind::intersect:
          n = (e.left > 0 && e.right > 0) ? (p_.all ? std::min(e.left, e.right) : 1) : 0;
          break;
        case set_op_kind::except: n = p_.all ? std::max<int64_t>(0, e.left - e.right) : (e.left > 0 && e.right == 0); break;
      }
      for (int64_t i = 0; i < n; ++i) out_refs_.push_back(e.first);
    }
  }

  const set_op_node& p_;
  operator_ptr left_, right_;
  bool left_done_ = false, done_ = false;
  row_collection rows_;
  std::unordered_map<std::string, entry> counts_;
  std::vector<std::pair<const std::string, entry>*> order_;
  std::vector<row_ref> out_refs_;
  size_t pos_ = 0;
};

}  // namespace

operator_ptr make_set_op(const set_op_node& p, operator_ptr left, operator_ptr right) {
  return std::make_unique<set_op>(p, std::move(left), std::move(right));
}

}  // namespace db001::exec
