#include "exec/dml.h"

#include "storage/error.h"
#include "storage/index.h"

namespace db001::exec {

namespace {

std::string describe_key(const storage::table& tbl, const storage::index& ix, storage::row_id rid) {
  std::string cols, vals;
  auto& blk = tbl.block_of(rid);
  uint32_t slot = storage::rid_slot(rid);
  for (size_t i = 0; i < ix.columns().size(); ++i) {
    int c = ix.columns()[i];
    if (i) {
      cols += ", ";
      vals += ", ";
    }
    cols += tbl.column(c).name;
    vector v;
    v.type = tbl.column(c).type;
    v.data = blk.column(c).data;
    v.nulls = blk.column(c).nulls;
    value x = get_value(v, slot);
    vals += x.is_null() ? "null" : x.to_string();
  }
  return "Key (" + cols + ")=(" + vals + ") already exists.";
}

void check_unique(exec_ctx& ctx, const storage::table& tbl, const storage::index& ix, storage::row_id rid) {
  bool has_null = false;
  std::string key = ix.row_key(rid, &has_null);
  if (has_null) return;  // NULLs never collide
  for (;;) {
    uint64_t wait_seq = 0;
    bool conflict = false;
    {
      std::lock_guard lock(ix.unique_stripe(key));
      ix.scan_equal(key, [&](storage::row_id other) {
        if (other == rid) return true;
        auto& blk = tbl.block_of(other);
        int c = ctx.tm->unique_conflict(*ctx.txn, blk, storage::rid_slot(other), &wait_seq);
        // The entry may have been read just before the GC erased it and the slot was reused by
        // another row: only a version that still carries this key conflicts.
        if (c != 0 && ix.row_key(other) != key) {
          c = 0;
          wait_seq = 0;
        }
        if (c == 1) conflict = true;
        return c == 0;
      });
      if (!conflict && !wait_seq) {
        const_cast<storage::index&>(ix).insert(key, rid);
        return;
      }
    }
    if (conflict) {
      db_error e(sqlstate::unique_violation, "duplicate key value violates unique constraint \"" + ix.name() + "\"");
      e.with_detail(describe_key(tbl, ix, rid));
      throw e;
    }
    ctx.tm->wait_for(*ctx.txn, wait_seq);
  }
}

}  // namespace

storage::row_id insert_row(exec_ctx& ctx, const std::shared_ptr<storage::table>& tbl, const row_cells& cells) {
  storage::table& t = *tbl;
  for (size_t c = 0; c < t.column_count(); ++c)
    if (t.column(c).not_null && cells.is_null(c))
      throw db_error(sqlstate::not_null_violation, "null value in column \"" + t.column(c).name +
                                                       "\" of relation \"" + t.name() +
                                                       "\" violates not-null constraint");
  storage::row_id rid = t.allocate_slot();
  auto& blk = t.block_of(rid);
  uint32_t slot = storage::rid_slot(rid);
  for (size_t c = 0; c < t.column_count(); ++c) {
    if (cells.is_null(c))
      t.set_null(rid, c);
    else
      cells.store(t, rid, c);
  }
  blk.publish(slot, ctx.txn->marker());
  ctx.tm->record_insert(*ctx.txn, tbl, rid);
  t.add_approx_rows(1);
  auto indexes = t.indexes();
  for (auto& ix : *indexes) {
    if (ix->unique()) {
      check_unique(ctx, t, *ix, rid);
    } else {
      ix->insert(ix->row_key(rid), rid);
    }
  }
  return rid;
}

namespace {

/// Row r of one vector per column.
class vector_cells final : public row_cells {
 public:
  vector_cells(const std::vector<vector>& cols, uint32_t r) : cols_(cols), r_(r) {}
  bool is_null(size_t c) const override { return cols_[c].is_null(r_); }
  void store(storage::table& t, storage::row_id rid, size_t c) const override {
    const vector& v = cols_[c];
    if (v.type.physical() == phys::str)
      t.set_string(rid, c, v.as<string_t>()[r_].view());
    else
      t.set_fixed(rid, c, v.data + size_t(r_) * phys_size(v.type.physical()));
  }

 private:
  const std::vector<vector>& cols_;
  uint32_t r_;
};

}  // namespace

storage::row_id insert_version(exec_ctx& ctx, const std::shared_ptr<storage::table>& tbl,
                               const std::vector<vector>& cols, uint32_t r) {
  return insert_row(ctx, tbl, vector_cells(cols, r));
}

void store_value(storage::table& t, storage::row_id rid, size_t col, const value& x) {
  sql_type type = t.column(col).type;
  auto fixed = [&](auto v) { t.set_fixed(rid, col, &v); };
  switch (type.physical()) {
    case phys::u8: fixed(uint8_t(x.as_int())); break;
    case phys::i16: fixed(int16_t(x.as_int())); break;
    case phys::i32: fixed(int32_t(x.as_int())); break;
    case phys::i64: fixed(type.id == type_id::numeric ? int64_t(x.as_numeric()) : x.as_int()); break;
    case phys::i128: fixed(int128_t(x.as_numeric())); break;
    case phys::f32: fixed(float(x.as_float())); break;
    case phys::f64: fixed(double(x.as_float())); break;
    case phys::str: t.set_string(rid, col, x.as_string()); break;
  }
}

batch version_batch(const storage::table& tbl, storage::row_id rid) {
  batch b;
  auto& blk = tbl.block_of(rid);
  uint32_t slot = storage::rid_slot(rid);
  for (size_t c = 0; c < tbl.column_count(); ++c) {
    vector v;
    v.type = tbl.column(c).type;
    v.data = blk.column(c).data;
    v.nulls = blk.column(c).nulls;
    b.cols.push_back(gather(v, &slot, 1));
  }
  vector_writer w(sql_type::int64(), 1, false);
  w.data<int64_t>()[0] = int64_t(rid);
  b.cols.push_back(w.finish(false));
  b.size = b.count = 1;
  return b;
}

}  // namespace db001::exec
