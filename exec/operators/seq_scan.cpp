/// seq_scan: reads a table block by block through the snapshot. Produces batches that
/// refer to the block's column arrays (no copy) with a selection of the visible rows,
/// narrowed by the pushed-down filter; optionally appends the row id column.
#include "exec/evaluate.h"
#include "exec/operators/operators.h"
#include "exec/simd_kernels.h"

namespace db001::exec {

namespace {

class seq_scan final : public physical_operator {
 public:
  seq_scan(const seq_scan_node& p, uint32_t begin, uint32_t end) : p_(p), block_(begin), end_(end) {}

  bool next(exec_ctx& ctx, batch& out) override {
    const storage::table& t = *p_.tbl;
    uint32_t limit = std::min(end_, t.block_count());
    while (block_ < limit) {
      ctx.check_cancel();
      storage::row_block& blk = t.block(block_++);
      uint32_t used = blk.used();
      if (used == 0) continue;
      auto sel = std::shared_ptr<uint32_t[]>(new uint32_t[storage::block_rows]);
      // A block whose stamps have not changed since a scan found every row live and committed
      // needs no stamp read: all rows are visible (sel left unfilled: the batch is dense).
      uint32_t n = used;
      if (!blk.known_all_visible(used, ctx.snap.read_ts)) {
        uint64_t epoch = blk.stamp_epoch();  // before the stamps are read (see note_all_visible)
        uint32_t slow[storage::block_rows];
        uint32_t n_slow = 0;
        n = simd::visible_rows(blk.stamp_pairs(), used, ctx.snap.read_ts, sel.get(), slow, &n_slow);
        if (n_slow) {
          for (uint32_t i = 0; i < n_slow; ++i)
            if (ctx.tm->visible(blk, slow[i], ctx.snap)) sel[n++] = slow[i];
          std::sort(sel.get(), sel.get() + n);
        } else if (n == used && simd::none_deleted(blk.stamp_pairs(), used)) {
          // Every xmin a commit <= read_ts (visible_rows' fast path), no xmax set.
          blk.note_all_visible(epoch, used, ctx.snap.read_ts);
        }
      }
      if (n == 0) continue;
      out.reset();
      out.size = used;
      for (int c : p_.columns) {
        const auto& bc = blk.column(c);
        vector v;
        v.type = t.column(c).type;
        v.data = bc.data;
        v.nulls = bc.has_nulls.load(std::memory_order_acquire) ? bc.nulls : nullptr;
        v.borrowed = true;
        out.cols.push_back(v);
      }
      if (p_.emit_rid) {
        vector_writer w(sql_type::int64(), used, false);
        auto* rid = w.data<int64_t>();
        uint32_t base = block_ - 1;
        if (n == used) {
          for (uint32_t i = 0; i < used; ++i) rid[i] = int64_t(storage::make_rid(base, i));
        } else {
          for (uint32_t i = 0; i < n; ++i) rid[sel[i]] = int64_t(storage::make_rid(base, sel[i]));
        }
        out.cols.push_back(w.finish(false));
      }
      // Every slot visible: a dense batch (no selection), so filters take the SIMD path.
      out.sel = n == used ? nullptr : sel.get();
      out.count = n;
      out.keep = sel;
      if (p_.filter) {
        out.count = evaluate_filter(*p_.filter, out, ctx, sel.get());
        out.sel = sel.get();
        if (out.count == 0) continue;
      }
      return true;
    }
    return false;
  }

 private:
  const seq_scan_node& p_;
  uint32_t block_;
  uint32_t end_;
};

}  // namespace

operator_ptr make_seq_scan(const seq_scan_node& p, exec_ctx& ctx, uint32_t block_begin, uint32_t block_end) {
  return std::make_unique<seq_scan>(p, block_begin, block_end);
}

}  // namespace db001::exec
