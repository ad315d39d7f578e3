#include "exec/point_plan.h"

#include <algorithm>

#include "exec/dml.h"
#include "exec/evaluate.h"
#include "storage/index.h"

namespace db001::exec {

namespace {

bool is_param_or_constant(const expr* e) { return e && (e->kind == expr_kind::param || e->kind == expr_kind::constant); }

/// The value of a parameter or constant expression of this execution.
const value& bound(const expr& e, exec_ctx& ctx, value& scratch) {
  if (e.kind == expr_kind::constant) return e.constant;
  const value& p = (*ctx.params)[e.index];
  if (p.type() == e.type || p.is_null()) return p;
  scratch = evaluate_scalar(e, ctx);
  return scratch;
}

}  // namespace

std::unique_ptr<point_plan> point_plan::compile(const plan_node& root) {
  std::unique_ptr<point_plan> pp(new point_plan());
  const plan_node* node = &root;
  const project_node* project = nullptr;
  if (node->kind == plan_kind::project) {
    project = static_cast<const project_node*>(node);
    node = node->children.size() == 1 ? node->children[0].get() : nullptr;
  }
  if (node && node->kind == plan_kind::index_scan) {
    auto* s = static_cast<const index_scan_node*>(node);
    if (!s->idx->unique() || s->lo || s->hi || s->filter || s->emit_rid || s->eq.size() != s->idx->columns().size())
      return nullptr;
    for (auto& e : s->eq)
      if (!is_param_or_constant(e.get())) return nullptr;
    if (project) {
      for (auto& e : project->exprs) {
        if (e->kind != expr_kind::column || size_t(e->index) >= s->columns.size()) return nullptr;
        pp->out_columns_.push_back(s->columns[size_t(e->index)]);
      }
    } else {
      pp->out_columns_ = s->columns;
    }
    pp->scan_ = s;
    pp->prefetch_columns_ = s->idx->columns();
    for (int c : pp->out_columns_)
      if (std::find(pp->prefetch_columns_.begin(), pp->prefetch_columns_.end(), c) == pp->prefetch_columns_.end())
        pp->prefetch_columns_.push_back(c);
    return pp;
  }
  if (root.kind == plan_kind::insert && root.children.size() == 1 && root.children[0]->kind == plan_kind::values) {
    auto* ins = static_cast<const insert_node*>(&root);
    auto* vals = static_cast<const values_node*>(root.children[0].get());
    if (vals->rows.size() != 1) return nullptr;
    const auto& row = vals->rows[0];
    for (size_t c = 0; c < ins->tbl->column_count(); ++c) {
      int src = ins->col_map[c];
      const expr* e = src >= 0 ? row[size_t(src)].get() : ins->defaults[c].get();
      if (e && (!is_param_or_constant(e) || e->type != ins->tbl->column(c).type)) return nullptr;
      pp->cells_.push_back(e);
    }
    pp->insert_ = ins;
    return pp;
  }
  return nullptr;
}

uint64_t point_plan::run(exec_ctx& ctx, row_collection* out) const {
  return scan_ ? select(ctx, *out) : insert(ctx);
}

namespace {

/// Whether a visible row's cell is NULL (the NULL byte is only read when the block has any).
bool is_null(const storage::block_column& c, uint32_t slot) {
  return c.has_nulls.load(std::memory_order_acquire) && c.nulls[slot] != 0;
}

/// Rewrites the one row of `out` (the previous execution's output of the same plan) with
/// slot `slot` of `blk`, in place: possible when `out` holds exactly one row whose column
/// buffers nobody else holds (the caller let go of the result) and whose NULL bytes can take
/// the new row. Returns false (out untouched) otherwise.
bool rewrite_row(row_collection& out, const std::vector<int>& columns, const storage::table& t,
                 const storage::row_block& blk, uint32_t slot) {
  if (out.row_count() != 1 || out.chunk_count() != 1) return false;
  const batch& b = out.chunk(0);
  if (b.sel || b.cols.size() != columns.size()) return false;
  for (size_t i = 0; i < columns.size(); ++i) {
    const vector& v = b.cols[i];
    if (v.keep.use_count() != 1 || v.borrowed || (!v.nulls && is_null(blk.column(columns[i]), slot))) return false;
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    const vector& v = b.cols[i];
    const auto& src = blk.column(columns[i]);
    // The buffer is this plan's own (gather's vector_buffer, see select()) and only `out` refers to it.
    auto* buf = static_cast<vector_buffer*>(v.keep.get());
    bool null = is_null(src, slot);
    if (buf->nulls) buf->nulls[0] = null;
    visit_phys(t.column(columns[i]).type.physical(), [&](auto tag) {
      using T = decltype(tag);
      T* dst = reinterpret_cast<T*>(buf->data.get());
      if constexpr (std::is_same_v<T, string_t>) {
        if (buf->heap) buf->heap->clear();
        const string_t& s = reinterpret_cast<const string_t*>(src.data)[slot];
        if (null || s.is_inline()) {
          dst[0] = null ? string_t() : s;
        } else {
          if (!buf->heap) buf->heap = std::make_unique<string_heap>();
          dst[0] = buf->heap->copy(s);
        }
      } else {
        dst[0] = reinterpret_cast<const T*>(src.data)[slot];
      }
    });
  }
  return true;
}

}  // namespace

uint64_t point_plan::select(exec_ctx& ctx, row_collection& out) const {
  const storage::table& t = *scan_->tbl;
  const storage::index& ix = *scan_->idx;
  // The key values, of the key columns' types (one column: no copy).
  value scratch;
  std::vector<value> several;
  const value* key = nullptr;
  if (scan_->eq.size() == 1) {
    key = &bound(*scan_->eq[0], ctx, scratch);
    if (key->is_null()) return 0;  // = NULL matches nothing
  } else {
    several.reserve(scan_->eq.size());
    for (auto& e : scan_->eq) {
      several.push_back(bound(*e, ctx, scratch));
      if (several.back().is_null()) return 0;
    }
    key = several.data();
  }
  // A unique index has at most one visible version per key; an entry whose slot was reclaimed
  // and reused by another row no longer carries the key (skipped, as in index_scan).
  storage::row_id found = 0;
  bool any = false;
  ix.find_equal(key, [&](storage::row_id rid) {
    const auto& blk = t.block_of(rid);
    blk.prefetch_slot(storage::rid_slot(rid), prefetch_columns_);
    if (ctx.tm->visible(blk, storage::rid_slot(rid), ctx.snap) && ix.row_has_key(rid, key)) {
      found = rid;
      any = true;
      return false;
    }
    return true;
  });
  if (!any) {
    out.clear();
    return 0;
  }
  auto& blk = t.block_of(found);
  uint32_t slot = storage::rid_slot(found);
  if (rewrite_row(out, out_columns_, t, blk, slot)) return 1;
  out.clear();
  batch b;
  b.size = b.count = 1;
  b.cols.reserve(out_columns_.size());
  for (int c : out_columns_) {
    vector v;  // the block's column, copied out (long strings too) by gather
    v.type = t.column(c).type;
    v.data = blk.column(c).data;
    v.nulls = blk.column(c).nulls;
    b.cols.push_back(gather(v, &slot, 1));
  }
  out.append_chunk(std::move(b));
  return 1;
}

namespace {

/// One VALUES row of parameters and constants (null expression = NULL).
class expr_cells final : public row_cells {
 public:
  expr_cells(const std::vector<const expr*>& cells, exec_ctx& ctx) : cells_(cells), ctx_(ctx) {}
  const value* cell(size_t c) const {
    const expr* e = cells_[c];
    if (!e) return nullptr;
    const value& v = bound(*e, ctx_, scratch_);
    return v.is_null() ? nullptr : &v;
  }
  bool is_null(size_t c) const override { return cell(c) == nullptr; }
  void store(storage::table& t, storage::row_id rid, size_t c) const override { store_value(t, rid, c, *cell(c)); }

 private:
  const std::vector<const expr*>& cells_;
  exec_ctx& ctx_;
  mutable value scratch_;
};

}  // namespace

uint64_t point_plan::insert(exec_ctx& ctx) const {
  ctx.check_cancel();
  insert_row(ctx, insert_->tbl, expr_cells(cells_, ctx));
  ctx.rows_affected += 1;
  return 1;
}

}  // namespace db001::exec
