/// index_scan: looks up row ids in a B+Tree index (equality on a key prefix and/or a range
/// on the next key column, ascending or descending), keeps the versions visible to the
/// snapshot, and produces their columns (copied out of the blocks) with the full predicate
/// re-checked.
#include <boost/container/small_vector.hpp>
#include "exec/evaluate.h"
#include "exec/operators/operators.h"
#include "storage/index.h"

namespace db001::exec {

namespace {

class index_scan final : public physical_operator {
 public:
  explicit index_scan(const index_scan_node& p) : p_(p) {}

  bool next(exec_ctx& ctx, batch& out) override {
    if (!started_) start(ctx);
    while (pos_ < rids_.size()) {
      ctx.check_cancel();
      uint32_t n = uint32_t(std::min<size_t>(batch_rows, rids_.size() - pos_));
      const storage::row_id* r = rids_.data() + pos_;
      pos_ += n;
      const storage::table& t = *p_.tbl;
      out.reset();
      out.size = out.count = n;
      for (int c : p_.columns) {
        const sql_type& type = t.column(c).type;
        vector_writer w(type, n);
        visit_phys(type.physical(), [&](auto tag) {
          using T = decltype(tag);
          for (uint32_t i = 0; i < n; ++i) {
            auto& blk = t.block_of(r[i]);
            uint32_t slot = storage::rid_slot(r[i]);
            if (blk.column(c).nulls[slot]) {
              w.set_null(i);
              w.data<T>()[i] = T{};
            } else if constexpr (std::is_same_v<T, string_t>) {
              w.data<T>()[i] = w.heap().copy(reinterpret_cast<const T*>(blk.column(c).data)[slot]);
            } else {
              w.data<T>()[i] = reinterpret_cast<const T*>(blk.column(c).data)[slot];
            }
          }
        });
        out.cols.push_back(w.finish(true));
      }
      if (p_.emit_rid) {
        vector_writer w(sql_type::int64(), n, false);
        for (uint32_t i = 0; i < n; ++i) w.data<int64_t>()[i] = int64_t(r[i]);
        out.cols.push_back(w.finish(false));
      }
      if (p_.filter) {
        auto sel = std::shared_ptr<uint32_t[]>(new uint32_t[n]);
        out.count = evaluate_filter(*p_.filter, out, ctx, sel.get());
        out.sel = sel.get();
        out.keep = sel;
        if (out.count == 0) continue;
      }
      return true;
    }
    return false;
  }

 private:
  /// Appends the normalized encoding of a bound value for key column k.
  void encode(std::string& key, size_t k, const value& v) {
    storage::index::encode_value(key, p_.tbl->column(p_.idx->columns()[k]).type, v);
  }

  /// A bound's value: parameters and constants directly, anything else evaluated.
  static value bound_value(const expr& e, exec_ctx& ctx) {
    if (e.kind == expr_kind::constant) return e.constant;
    if (e.kind == expr_kind::param && ctx.params && size_t(e.index) < ctx.params->size() &&
        (*ctx.params)[e.index].type() == e.type)
      return (*ctx.params)[e.index];
    return evaluate_scalar(e, ctx);
  }

  void start(exec_ctx& ctx) {
    started_ = true;
    boost::container::small_vector<value, 2> eq;
    for (size_t k = 0; k < p_.eq.size(); ++k) {
      eq.push_back(bound_value(*p_.eq[k], ctx));
      if (eq.back().is_null()) return;  // = NULL matches nothing
    }
    if (p_.idx->int_entries() && !p_.lo && !p_.hi && p_.eq.size() == p_.idx->columns().size()) {
      // Equality on a whole integer key: visible versions that still carry the key (a slot
      // reclaimed and reused since the entry was read holds another row), looked up without
      // an encoded key string. Other keys take the prefix scan below, which encodes the key
      // once (row_has_key would encode it again for every duplicate).
      p_.idx->find_equal(eq.data(), [&](storage::row_id rid) {
        if (ctx.tm->visible(p_.tbl->block_of(rid), storage::rid_slot(rid), ctx.snap) &&
            p_.idx->row_has_key(rid, eq.data()))
          rids_.push_back(rid);
        return true;
      });
      return;
    }
    std::string prefix;
    for (size_t k = 0; k < eq.size(); ++k) encode(prefix, k, eq[k]);
    std::optional<storage::key_bound> lo, hi;
    size_t k = p_.eq.size();
    if (p_.lo) {
      value v = bound_value(*p_.lo, ctx);
      if (v.is_null()) return;
      std::string key = prefix;
      encode(key, k, v);
      lo = storage::key_bound{key, p_.lo_inclusive};
    } else if (!prefix.empty()) {
      lo = storage::key_bound{prefix, true};
    }
    if (p_.hi) {
      value v = bound_value(*p_.hi, ctx);
      if (v.is_null()) return;
      std::string key = prefix;
      encode(key, k, v);
      hi = storage::key_bound{key, p_.hi_inclusive};
    } else if (!prefix.empty()) {
      hi = storage::key_bound{prefix, true};
    }
    if (p_.lo && !p_.hi && p_.eq.size() < p_.idx->columns().size()) {
      // A lower bound alone must not run into NULL keys (they sort last): stop before them.
      std::string key = prefix;
      key.push_back('\x02');
      hi = storage::key_bound{key, false};
    }
    // A visible version whose stored key still matches the entry (a slot reclaimed and
    // reused since the entry was read holds another row: skipped).
    auto visit = [&](const std::string& entry, storage::row_id rid) {
      if (ctx.tm->visible(p_.tbl->block_of(rid), storage::rid_slot(rid), ctx.snap) &&
          p_.idx->entry_matches_row(entry, rid))
        rids_.push_back(rid);
      return true;
    };
    p_.idx->scan_range(lo, hi, p_.reverse, visit);
  }

  const index_scan_node& p_;
  bool started_ = false;
  std::vector<storage::row_id> rids_;
  size_t pos_ = 0;
};

}  // namespace

operator_ptr make_index_scan(const index_scan_node& p, exec_ctx&) { return std::make_unique<index_scan>(p); }

}  // namespace db001::exec
