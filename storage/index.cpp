#include "storage/index.h"

#include <bit>
#include <cstring>
#include <stdexcept>

#include "storage/btree.h"
#include "storage/error.h"
#include "storage/table.h"

namespace db001::storage {

namespace {
void put_be64(std::string& out, uint64_t v) {
  v = __builtin_bswap64(v);
  out.append(reinterpret_cast<const char*>(&v), 8);
}
void put_be32(std::string& out, uint32_t v) {
  v = __builtin_bswap32(v);
  out.append(reinterpret_cast<const char*>(&v), 4);
}
void put_be16(std::string& out, uint16_t v) {
  v = __builtin_bswap16(v);
  out.append(reinterpret_cast<const char*>(&v), 2);
}
/// A row id as a length byte and its minimal big-endian bytes: memcmp order is numeric order,
/// and keys of ordinary tables stay within std::string's inline buffer (no allocation).
void put_rid(std::string& out, row_id r) {
  int bytes = r == 0 ? 1 : (64 - __builtin_clzll(r) + 7) / 8;
  out.push_back(char(bytes));
  for (int i = bytes - 1; i >= 0; --i) out.push_back(char(uint8_t(r >> (8 * i))));
}
}  // namespace

index::index(uint32_t oid, std::string name, table* tbl, std::vector<int> columns, bool unique, bool primary)
    : oid_(oid),
      name_(std::move(name)),
      table_(tbl),
      columns_(std::move(columns)),
      unique_(unique),
      primary_(primary) {
  if (columns_.size() == 1) {
    const auto& c = tbl->column(columns_[0]);
    phys p = c.type.physical();
    bool integer_like = c.type.is_integer() || c.type.is_temporal();
    if (c.not_null && integer_like && (p == phys::i16 || p == phys::i32 || p == phys::i64))
      int_width_ = int(phys_size(p));
  }
  if (int_width_)
    int_tree_ = std::make_unique<int_btree>();
  else
    tree_ = std::make_unique<btree<std::string, row_id, std::less<std::string>>>();
}

std::optional<int64_t> index::int_key(std::string_view key) const {
  if (!int_width_ || key.size() != size_t(1 + int_width_) || key[0] != '\x01') return std::nullopt;
  uint64_t u = 0;
  for (int i = 0; i < int_width_; ++i) u = (u << 8) | static_cast<unsigned char>(key[1 + i]);
  u ^= uint64_t(1) << (8 * int_width_ - 1);  // undo the sign flip
  // Sign-extend from the stored width.
  int shift = 64 - 8 * int_width_;
  return int64_t(u << shift) >> shift;
}

std::string index::entry_string(const int_entry& e) const {
  std::string k;
  k.push_back('\x01');
  uint64_t u = uint64_t(e.key) ^ (uint64_t(1) << (8 * int_width_ - 1));
  for (int i = int_width_ - 1; i >= 0; --i) k.push_back(char(uint8_t(u >> (8 * i))));
  put_rid(k, e.rid);
  return k;
}

index::~index() = default;

void index::encode(std::string& out, sql_type t, const void* data, bool null) {
  if (null) {
    out.push_back('\x02');
    return;
  }
  out.push_back('\x01');
  switch (t.physical()) {
    case phys::u8: out.push_back(char(*static_cast<const uint8_t*>(data))); break;
    case phys::i16: put_be16(out, uint16_t(*static_cast<const int16_t*>(data)) ^ 0x8000u); break;
    case phys::i32: put_be32(out, uint32_t(*static_cast<const int32_t*>(data)) ^ 0x80000000u); break;
    case phys::i64: put_be64(out, uint64_t(*static_cast<const int64_t*>(data)) ^ txn_bit); break;
    case phys::i128: {
      int128_t v;
      std::memcpy(&v, data, 16);
      auto u = static_cast<unsigned __int128>(v) ^ (static_cast<unsigned __int128>(1) << 127);
      put_be64(out, uint64_t(u >> 64));
      put_be64(out, uint64_t(u));
      break;
    }
    case phys::f32:
    case phys::f64: {
      double d = t.physical() == phys::f32 ? double(*static_cast<const float*>(data)) : *static_cast<const double*>(data);
      if (d == 0) d = 0;  // -0 == 0
      uint64_t u = std::bit_cast<uint64_t>(d);
      u = (u & txn_bit) ? ~u : (u | txn_bit);
      put_be64(out, u);
      break;
    }
    case phys::str: {
      auto sv = static_cast<const string_t*>(data)->view();
      for (char c : sv) {
        out.push_back(c);
        if (c == '\0') out.push_back('\xff');
      }
      out.push_back('\0');
      out.push_back('\0');
      break;
    }
  }
}

void index::encode_value(std::string& out, sql_type t, const value& v) {
  if (v.is_null()) {
    encode(out, t, nullptr, true);
    return;
  }
  switch (t.physical()) {
    case phys::u8: {
      uint8_t x = uint8_t(v.as_int());
      encode(out, t, &x, false);
      break;
    }
    case phys::i16: {
      int16_t x = int16_t(v.as_int());
      encode(out, t, &x, false);
      break;
    }
    case phys::i32: {
      int32_t x = int32_t(v.as_int());
      encode(out, t, &x, false);
      break;
    }
    case phys::i64: {
      int64_t x = t.is_numeric() ? int64_t(v.as_numeric()) : v.as_int();
      encode(out, t, &x, false);
      break;
    }
    case phys::i128: {
      int128_t x = v.as_numeric();
      encode(out, t, &x, false);
      break;
    }
    case phys::f32: {
      float x = float(v.as_float());
      encode(out, t, &x, false);
      break;
    }
    case phys::f64: {
      double x = v.as_float();
      encode(out, t, &x, false);
      break;
    }
    case phys::str: {
      string_t x(v.as_string());
      encode(out, t, &x, false);
      break;
    }
  }
}

std::string index::row_key(row_id r, bool* has_null) const {
  std::string key;
  auto& blk = table_->block_of(r);
  uint32_t slot = rid_slot(r);
  if (has_null) *has_null = false;
  for (int c : columns_) {
    auto& col = blk.column(c);
    bool null = col.nulls[slot] != 0;
    if (null && has_null) *has_null = true;
    sql_type t = table_->column(c).type;
    encode(key, t, col.data + slot * phys_size(t.physical()), null);
  }
  return key;
}

void index::insert(const std::string& key, row_id r) {
  if (int_tree_) {
    auto k = int_key(key);
    DB001_ASSERT(k.has_value());
    int_tree_->insert({*k, r}, 0);
    return;
  }
  std::string k = key;
  put_rid(k, r);
  tree_->insert(k, r);
}

bool index::bulk_load(const std::function<bool(std::string_view& key, row_id& r)>& next) {
  std::string_view key;
  row_id r = 0;
  if (int_tree_) {
    return int_tree_->bulk_load([&](int_entry& e, uint8_t& v) {
      if (!next(key, r)) return false;
      auto k = int_key(key);
      if (!k) throw std::invalid_argument("index::bulk_load: not a key of this index");
      e = {*k, r};
      v = 0;
      return true;
    });
  }
  return tree_->bulk_load([&](std::string& k, row_id& v) {
    if (!next(key, r)) return false;
    k.assign(key);
    put_rid(k, r);
    v = r;
    return true;
  });
}

int64_t index::stored_int(row_id r) const {
  const auto& col = table_->block_of(r).column(columns_[0]);
  uint32_t slot = rid_slot(r);
  switch (int_width_) {
    case 2:
      return reinterpret_cast<const int16_t*>(col.data)[slot];
    case 4:
      return reinterpret_cast<const int32_t*>(col.data)[slot];
    default:
      return reinterpret_cast<const int64_t*>(col.data)[slot];
  }
}

std::optional<int64_t> index::row_int_key(row_id r) const {
  if (table_->block_of(r).column(columns_[0]).nulls[rid_slot(r)] != 0) return std::nullopt;
  return stored_int(r);
}

bool index::bulk_load_ints(const std::function<bool(int64_t& key, row_id& r)>& next) {
  DB001_ASSERT(int_tree_);
  return int_tree_->bulk_load([&](int_entry& e, uint8_t& v) {
    if (!next(e.key, e.rid)) return false;
    v = 0;
    return true;
  });
}

void index::erase(const std::string& key, row_id r) {
  if (int_tree_) {
    if (auto k = int_key(key)) int_tree_->erase({*k, r});
    return;
  }
  std::string k = key;
  put_rid(k, r);
  tree_->erase(k);
}

void index::scan_equal(const std::string& key, const std::function<bool(row_id)>& fn) const {
  if (int_tree_) {
    auto k = int_key(key);
    if (!k) return;  // not a key of this index's column (e.g. NULL): no entries
    int_tree_->scan_from({*k, 0}, true, [&](const int_entry& e, const uint8_t&) { return e.key == *k && fn(e.rid); });
    return;
  }
  tree_->scan_from(key, true, [&](const std::string& k, const row_id& r) {
    if (k.size() < key.size() || std::memcmp(k.data(), key.data(), key.size()) != 0) return false;
    return fn(r);
  });
}

int64_t index::int_of(const value& v) const {
  // As encode_value: the value narrowed to the column's width.
  switch (int_width_) {
    case 2:
      return int16_t(v.as_int());
    case 4:
      return int32_t(v.as_int());
    default:
      return v.as_int();
  }
}

std::string index::encode_key(const value* key) const {
  std::string k;
  for (size_t i = 0; i < columns_.size(); ++i) encode_value(k, table_->column(columns_[i]).type, key[i]);
  return k;
}

void index::visit_equal(const value* key, bool (*fn)(void*, row_id), void* ctx) const {
  if (int_tree_) {
    int64_t k = int_of(key[0]);
    int_entry from{k, 0};
    bool inclusive = true;
    // The first entry straight from its leaf (a unique key's lookup usually ends there), the
    // rest (older versions, duplicates) by a scan. The entry carries the row id (its value is
    // the same): the value slots are not read.
    int_entry first;
    switch (int_tree_->first_key_from(from, &first)) {
      case int_btree::first_key::none:
        return;
      case int_btree::first_key::found:
        if (first.key != k || !fn(ctx, first.rid)) return;
        from = first;
        inclusive = false;
        break;
      case int_btree::first_key::elsewhere:
        break;
    }
    int_tree_->scan_keys_from(from, inclusive,
                              [&](const int_entry& e, const uint8_t&) { return e.key == k && fn(ctx, e.rid); });
    return;
  }
  std::string k = encode_key(key);
  tree_->scan_from(k, true, [&](const std::string& entry, const row_id& r) {
    if (entry.size() < k.size() || std::memcmp(entry.data(), k.data(), k.size()) != 0) return false;
    return fn(ctx, r);
  });
}

bool index::row_has_key(row_id rid, const value* key) const {
  if (!int_tree_) return row_key(rid) == encode_key(key);
  // One NOT NULL integer column: compare the stored integer directly (no NULL byte to read).
  return stored_int(rid) == int_of(key[0]);
}

bool index::entry_matches_row(const std::string& entry, row_id rid) const {
  std::string k = row_key(rid);
  put_rid(k, rid);
  return k == entry;
}

void index::scan_range(const std::optional<key_bound>& lo, const std::optional<key_bound>& hi, bool reverse,
                       const std::function<bool(const std::string& entry, row_id)>& fn) const {
  // Compares the leading bytes of an entry with a bound: <0, 0 (prefix equal), >0.
  auto cmp = [](const std::string& entry, const std::string& bound) {
    size_t n = std::min(entry.size(), bound.size());
    int c = std::memcmp(entry.data(), bound.data(), n);
    if (c != 0) return c;
    return entry.size() < bound.size() ? -1 : 0;
  };
  auto below_hi = [&](const std::string& k) {
    if (!hi) return true;
    int c = cmp(k, hi->key);
    return c < 0 || (c == 0 && hi->inclusive);
  };
  auto above_lo = [&](const std::string& k) {
    if (!lo) return true;
    int c = cmp(k, lo->key);
    return c > 0 || (c == 0 && lo->inclusive);
  };
  if (int_tree_) {
    // Same bound checks on the entries' byte form; the integer tree only finds the start.
    if (!reverse) {
      auto body = [&](const int_entry& e, const uint8_t&) {
        std::string k = entry_string(e);
        if (!above_lo(k)) return true;
        if (!below_hi(k)) return false;
        return fn(k, e.rid);
      };
      auto start = lo ? int_key(lo->key) : std::nullopt;
      if (start)
        int_tree_->scan_from({*start, 0}, true, body);
      else
        int_tree_->scan_all(body);
    } else {
      auto body = [&](const int_entry& e, const uint8_t&) {
        std::string k = entry_string(e);
        if (!below_hi(k)) return true;
        if (!above_lo(k)) return false;
        return fn(k, e.rid);
      };
      auto start = hi ? int_key(hi->key) : std::nullopt;
      if (start)
        int_tree_->scan_reverse_from({*start, ~row_id(0)}, true, body);
      else
        int_tree_->scan_reverse_all(body);
    }
    return;
  }
  if (!reverse) {
    auto body = [&](const std::string& k, const row_id& r) {
      if (!above_lo(k)) return true;  // skip entries equal to an exclusive lower bound
      if (!below_hi(k)) return false;
      return fn(k, r);
    };
    if (lo)
      tree_->scan_from(lo->key, true, body);
    else
      tree_->scan_all(body);
  } else {
    auto body = [&](const std::string& k, const row_id& r) {
      if (!below_hi(k)) return true;
      if (!above_lo(k)) return false;
      return fn(k, r);
    };
    if (hi) {
      // Every entry with prefix hi->key is <= hi->key + 0xFF...: start just past them.
      std::string upper = hi->key;
      upper.append(24, '\xff');
      tree_->scan_reverse_from(upper, true, body);
    } else {
      tree_->scan_reverse_all(body);
    }
  }
}

std::mutex& index::unique_stripe(const std::string& key) const {
  return stripes_[std::hash<std::string>{}(key) % 64];
}

size_t index::entry_count() const { return int_tree_ ? int_tree_->size() : tree_->size(); }

}  // namespace db001::storage
