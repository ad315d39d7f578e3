#include "exec/batch.h"

#include <algorithm>

#include "storage/error.h"

namespace db001::exec {

value get_value(const vector& v, uint32_t i) {
  if (v.is_null(i)) return value::null(v.type);
  const sql_type& t = v.type;
  switch (t.physical()) {
    case phys::u8: return value::make_int(t, v.as<uint8_t>()[i]);
    case phys::i16: return value::make_int(t, v.as<int16_t>()[i]);
    case phys::i32: return value::make_int(t, v.as<int32_t>()[i]);
    case phys::i64:
      if (t.id == type_id::numeric) return value::numeric(v.as<int64_t>()[i], t);
      return value::make_int(t, v.as<int64_t>()[i]);
    case phys::i128: return value::numeric(v.as<int128_t>()[i], t);
    case phys::f32: return value::make_float(t, v.as<float>()[i]);
    case phys::f64: return value::make_float(t, v.as<double>()[i]);
    case phys::str: return value::text(std::string(v.as<string_t>()[i].view()), t);
  }
  return value::null(t);
}

void write_value(vector_writer& w, sql_type t, uint32_t i, const value& x) {
  if (x.is_null()) {
    w.set_null(i);
    return;
  }
  switch (t.physical()) {
    case phys::u8: w.data<uint8_t>()[i] = uint8_t(x.as_int()); break;
    case phys::i16: w.data<int16_t>()[i] = int16_t(x.as_int()); break;
    case phys::i32: w.data<int32_t>()[i] = int32_t(x.as_int()); break;
    case phys::i64:
      w.data<int64_t>()[i] = t.id == type_id::numeric ? int64_t(x.as_numeric()) : x.as_int();
      break;
    case phys::i128: w.data<int128_t>()[i] = x.as_numeric(); break;
    case phys::f32: w.data<float>()[i] = float(x.as_float()); break;
    case phys::f64: w.data<double>()[i] = x.as_float(); break;
    case phys::str: w.data<string_t>()[i] = w.heap().make(x.as_string()); break;
  }
}

int compare_cells(const vector& a, uint32_t ra, const vector& b, uint32_t rb) {
  return visit_phys(a.type.physical(), [&](auto tag) -> int {
    using T = decltype(tag);
    const T& x = a.as<T>()[ra];
    const T& y = b.as<T>()[rb];
    if constexpr (std::is_same_v<T, string_t>) {
      int c = x.view().compare(y.view());
      return c < 0 ? -1 : c > 0;
    } else {
      if constexpr (std::is_floating_point_v<T>) {
        bool nx = x != x, ny = y != y;
        if (nx || ny) return nx == ny ? 0 : (nx ? 1 : -1);
      }
      return x < y ? -1 : (y < x ? 1 : 0);
    }
  });
}

vector constant_vector(const value& x, sql_type t, uint32_t n) {
  vector_writer w(t, n, x.is_null());
  if (x.is_null()) {
    std::memset(w.nulls(), 1, n);
    size_t sz = phys_size(t.physical());
    std::memset(w.data<std::byte>(), 0, size_t(n) * sz);
    return w.finish(true);
  }
  if (n == 0) return w.finish(false);
  write_value(w, t, 0, x);
  size_t sz = phys_size(t.physical());
  auto* d = w.data<std::byte>();
  for (uint32_t i = 1; i < n; ++i) std::memcpy(d + i * sz, d, sz);
  return w.finish(false);
}

vector gather(const vector& v, const uint32_t* rows, uint32_t n) {
  bool nullable = v.nulls != nullptr;
  vector_writer w(v.type, n, nullable, /*zeroed=*/n == 0);  // every slot is written below
  if (nullable)
    for (uint32_t i = 0; i < n; ++i) w.nulls()[i] = v.nulls[rows ? rows[i] : i];
  visit_phys(v.type.physical(), [&](auto tag) {
    using T = decltype(tag);
    const T* src = v.as<T>();
    T* dst = w.data<T>();
    if constexpr (std::is_same_v<T, string_t>) {
      for (uint32_t i = 0; i < n; ++i) {
        uint32_t r = rows ? rows[i] : i;
        dst[i] = (nullable && v.nulls[r]) ? string_t() : w.heap().copy(src[r]);
      }
    } else {
      for (uint32_t i = 0; i < n; ++i) dst[i] = src[rows ? rows[i] : i];
    }
  });
  return w.finish(nullable);
}

batch flatten(const batch& b) {
  if (!b.sel) return b;
  batch out;
  out.size = out.count = b.count;
  out.cols.reserve(b.cols.size());
  for (auto& c : b.cols) out.cols.push_back(gather(c, b.sel, b.count));
  return out;
}

void row_collection::append(const batch& b) {
  if (b.count == 0) return;
  bool owned = !b.sel && b.count == b.size;
  for (auto& c : b.cols) owned = owned && !c.borrowed;
  if (owned) {
    append_chunk(b);
    return;
  }
  batch out;
  out.size = out.count = b.count;
  for (auto& c : b.cols) {
    out.cols.push_back(gather(c, b.sel, b.count));
    bytes_ += size_t(b.count) * (phys_size(c.type.physical()) + 1);
  }
  append_chunk(std::move(out));
}

void row_collection::append_chunk(batch b) {
  if (types_.empty())
    for (auto& c : b.cols) types_.push_back(c.type);
  if (b.count == 0) return;
  starts_.push_back(total_);
  total_ += b.count;
  for (auto& c : b.cols) bytes_ += size_t(b.count) * (phys_size(c.type.physical()) + 1);
  chunks_.push_back(std::move(b));
}

std::pair<uint32_t, uint32_t> row_collection::locate(size_t row) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), row);
  size_t ci = size_t(it - starts_.begin()) - 1;
  return {uint32_t(ci), uint32_t(row - starts_[ci])};
}

value row_collection::get(size_t row, size_t col) const {
  if (chunks_.size() == 1) return get_value(chunks_[0].cols[col], chunks_[0].row(uint32_t(row)));  // a point result
  auto [ci, r] = locate(row);
  const batch& b = chunks_[ci];
  return get_value(b.cols[col], b.row(r));
}

std::string_view row_collection::text_at(size_t row, size_t col) const {
  const batch* b = &chunks_[0];
  uint32_t r = 0;
  if (chunks_.size() == 1) {
    r = b->row(uint32_t(row));
  } else {
    auto [ci, rr] = locate(row);
    b = &chunks_[ci];
    r = b->row(rr);
  }
  const vector& v = b->cols[col];
  if (v.type.physical() != phys::str || v.is_null(r)) return {};
  return v.as<string_t>()[r].view();
}

vector gather_refs(const row_collection& rc, size_t col, const row_ref* refs, uint32_t n) {
  sql_type t = rc.types()[col];
  vector_writer w(t, n);
  for (size_t k = 0; k < rc.chunk_count(); ++k) w.keep_alive(rc.chunk(k).cols[col]);
  visit_phys(t.physical(), [&](auto tag) {
    using T = decltype(tag);
    T* dst = w.data<T>();
    for (uint32_t i = 0; i < n; ++i) {
      auto [ci, r] = refs[i];
      if (ci == no_row) {
        w.set_null(i);
        dst[i] = T{};
        continue;
      }
      const vector& src = rc.chunk(ci).cols[col];
      if (src.is_null(r)) {
        w.set_null(i);
        dst[i] = T{};
      } else {
        dst[i] = src.as<T>()[r];
      }
    }
  });
  vector out = w.finish(true);
  // String cells were copied by reference: if a chunk points into table storage, so do we.
  for (size_t k = 0; k < rc.chunk_count(); ++k) out.borrowed = out.borrowed || rc.chunk(k).cols[col].borrowed;
  return out;
}

}  // namespace db001::exec
