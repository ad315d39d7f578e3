#include "recovery/catalog_image.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>

namespace db001::recovery {

namespace {

constexpr uint32_t image_magic = 0x49544143;  // "CATI"
constexpr uint8_t image_version = 1;

bool valid_type_id(uint8_t t) { return t <= uint8_t(type_id::unknown); }

}  // namespace

void encode_catalog_image(std::string& out, const storage::catalog& cat) { encode_catalog_image(out, cat.all()); }

void encode_catalog_image(std::string& out, const storage::catalog::contents& c) {
  put_le<uint32_t>(out, image_magic);
  put_u8(out, image_version);
  put_le<uint32_t>(out, c.next_oid);
  put_le<uint32_t>(out, uint32_t(c.tables.size()));
  for (auto& t : c.tables) {
    put_le<uint32_t>(out, t->oid());
    put_str(out, t->name());
    put_le<uint32_t>(out, uint32_t(t->column_count()));
    for (auto& col : t->columns()) {
      put_str(out, col.name);
      put_u8(out, uint8_t(col.type.id));
      put_le<int16_t>(out, col.type.width);
      put_le<int16_t>(out, col.type.scale);
      put_u8(out, col.not_null);
      put_u8(out, col.has_default);
      put_str(out, col.default_json);
      put_str(out, col.default_text);
    }
  }
  put_le<uint32_t>(out, uint32_t(c.indexes.size()));
  for (auto& ix : c.indexes) {
    put_le<uint32_t>(out, ix->oid());
    put_str(out, ix->name());
    put_le<uint32_t>(out, ix->tbl().oid());
    put_le<uint32_t>(out, uint32_t(ix->columns().size()));
    for (int col : ix->columns()) put_le<int32_t>(out, col);
    put_u8(out, ix->unique());
    put_u8(out, ix->primary());
    put_u8(out, ix->constraint());
  }
  put_le<uint32_t>(out, uint32_t(c.views.size()));
  for (auto& v : c.views) {
    put_le<uint32_t>(out, v.oid);
    put_str(out, v.name);
    put_str(out, v.query_json);
    put_str(out, v.definition);
    put_le<uint32_t>(out, uint32_t(v.column_names.size()));
    for (auto& n : v.column_names) put_str(out, n);
  }
}

catalog_image decode_catalog_image(std::string_view bytes) {
  byte_reader r(bytes, "catalog image");
  if (r.u32() != image_magic) r.fail("bad magic");
  if (uint8_t v = r.u8(); v != image_version) r.fail("unknown version " + std::to_string(v));
  catalog_image img;
  img.next_oid = r.u32();
  std::set<uint32_t> oids;
  std::set<std::string> names;
  auto check_oid = [&](uint32_t oid, std::string_view name) {
    if (!oids.insert(oid).second) r.fail("duplicate oid " + std::to_string(oid));
    if (name.empty()) r.fail("empty relation name");
    if (!names.insert(std::string(name)).second) r.fail("duplicate relation name \"" + std::string(name) + "\"");
  };
  std::unordered_map<uint32_t, size_t> table_columns;
  uint32_t nt = r.count(12, "tables");
  img.tables.resize(nt);
  for (auto& t : img.tables) {
    t.oid = r.u32();
    t.name = r.str();
    check_oid(t.oid, t.name);
    uint32_t nc = r.count(19, "columns");
    if (nc == 0) r.fail("table \"" + t.name + "\" without columns");
    t.columns.resize(nc);
    for (auto& c : t.columns) {
      c.name = r.str();
      uint8_t id = r.u8();
      if (!valid_type_id(id) || id == uint8_t(type_id::null_) || id == uint8_t(type_id::unknown))
        r.fail("bad column type " + std::to_string(id));
      int16_t w = r.get<int16_t>(), s = r.get<int16_t>();
      c.type = sql_type(type_id(id), w, s);
      c.not_null = r.u8() != 0;
      c.has_default = r.u8() != 0;
      c.default_json = r.str();
      c.default_text = r.str();
    }
    table_columns[t.oid] = nc;
  }
  uint32_t ni = r.count(19, "indexes");
  img.indexes.resize(ni);
  for (auto& ix : img.indexes) {
    ix.oid = r.u32();
    ix.name = r.str();
    check_oid(ix.oid, ix.name);
    ix.table_oid = r.u32();
    auto tc = table_columns.find(ix.table_oid);
    if (tc == table_columns.end())
      r.fail("index \"" + ix.name + "\" on unknown table oid " + std::to_string(ix.table_oid));
    uint32_t nc = r.count(4, "index columns");
    if (nc == 0) r.fail("index \"" + ix.name + "\" without columns");
    for (uint32_t i = 0; i < nc; ++i) {
      int32_t c = r.get<int32_t>();
      if (c < 0 || size_t(c) >= tc->second)
        r.fail("index \"" + ix.name + "\" column " + std::to_string(c) + " out of range");
      ix.columns.push_back(c);
    }
    ix.unique = r.u8() != 0;
    ix.primary = r.u8() != 0;
    ix.constraint = r.u8() != 0;
  }
  uint32_t nv = r.count(20, "views");
  img.views.resize(nv);
  for (auto& v : img.views) {
    v.oid = r.u32();
    v.name = r.str();
    check_oid(v.oid, v.name);
    v.query_json = r.str();
    v.definition = r.str();
    uint32_t nn = r.count(4, "view column names");
    for (uint32_t i = 0; i < nn; ++i) v.column_names.emplace_back(r.str());
  }
  if (!r.done()) r.fail(std::to_string(r.left()) + " trailing bytes");
  return img;
}

void recovery_index_insert(storage::index& ix, storage::row_id rid) {
  bool has_null = false;
  std::string key = ix.row_key(rid, &has_null);
  if (has_null) {
    bool all_not_null = true;
    for (int c : ix.columns()) all_not_null = all_not_null && ix.tbl().column(size_t(c)).not_null;
    if (all_not_null) return;
  }
  ix.insert(key, rid);
}

namespace {

/// The keys of blocks [b0, b1) of an index's table, sorted: one buffer of keys and entries
/// sorted by their first 8 bytes (big endian), ties by the rest, then by row id.
struct sorted_run {
  struct entry {
    uint64_t prefix;
    uint64_t off;
    uint32_t len;
    storage::row_id rid;
  };
  std::string keys;
  std::vector<entry> entries;

  std::string_view key(const entry& e) const { return std::string_view(keys.data() + e.off, e.len); }
  /// Entry a of run ra before entry b of run rb: key order, then row id (the bytes beyond the
  /// prefix are compared only where they can differ).
  static bool less(const sorted_run& ra, const entry& a, const sorted_run& rb, const entry& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    if (a.len > 8 || b.len > 8 || a.len != b.len) {
      int c = ra.key(a).compare(rb.key(b));
      if (c != 0) return c < 0;
    }
    return a.rid < b.rid;
  }
};

/// Slots in use in blocks [b0, b1) of t (what a run of them holds at most).
size_t used_slots(const storage::table& t, uint32_t b0, uint32_t b1) {
  size_t n = 0;
  for (uint32_t b = b0; b < b1; ++b) n += t.block(b).used();
  return n;
}

sorted_run collect_range(const storage::index& ix, uint32_t b0, uint32_t b1) {
  auto& tbl = ix.tbl();
  bool skip_nulls = true;  // see recovery_index_insert
  for (int c : ix.columns()) skip_nulls = skip_nulls && tbl.column(size_t(c)).not_null;
  // Sized up front (every slot once; keys as long as the first): growing them by doubling
  // would copy and fault in fresh pages twice over.
  size_t slots = used_slots(tbl, b0, b1);
  sorted_run run;
  run.entries.reserve(slots);
  std::string k;
  for (uint32_t b = b0; b < b1; ++b) {
    auto& blk = tbl.block(b);
    uint32_t used = blk.used();
    for (uint32_t s = 0; s < used; ++s) {
      uint64_t x = blk.load_xmin(s);
      if (x <= storage::slot_aborted) continue;
      storage::row_id rid = storage::make_rid(b, s);
      bool has_null = false;
      k = ix.row_key(rid, &has_null);
      if (has_null && skip_nulls) continue;
      uint64_t p = 0;
      std::memcpy(&p, k.data(), std::min<size_t>(8, k.size()));
      if (run.keys.capacity() == 0) run.keys.reserve(slots * k.size());
      run.entries.push_back({__builtin_bswap64(p), run.keys.size(), uint32_t(k.size()), rid});
      run.keys += k;
    }
  }
  auto less = [&run](const sorted_run::entry& x, const sorted_run::entry& y) { return sorted_run::less(run, x, run, y); };
  // Keys that grew with the rows (serials, timestamps, pgbench's aid) come in order already.
  if (!std::is_sorted(run.entries.begin(), run.entries.end(), less))
    std::sort(run.entries.begin(), run.entries.end(), less);
  return run;
}

/// The runs' entries in merged order (each run is sorted).
class run_merger {
 public:
  explicit run_merger(const std::vector<sorted_run>& runs) : runs_(runs), pos_(runs.size(), 0) {}
  /// The next entry; false when all are taken.
  bool next(std::string_view& key, storage::row_id& rid) {
    size_t best = runs_.size();
    for (size_t i = 0; i < runs_.size(); ++i) {
      if (pos_[i] == runs_[i].entries.size()) continue;
      if (best == runs_.size() || before(i, best)) best = i;
    }
    if (best == runs_.size()) return false;
    auto& e = runs_[best].entries[pos_[best]++];
    key = runs_[best].key(e);
    rid = e.rid;
    return true;
  }

 private:
  /// Whether run i's next entry sorts before run j's.
  bool before(size_t i, size_t j) const {
    return sorted_run::less(runs_[i], runs_[i].entries[pos_[i]], runs_[j], runs_[j].entries[pos_[j]]);
  }

  const std::vector<sorted_run>& runs_;
  std::vector<size_t> pos_;
};

/// Integer entries (see storage::index::int_entries) of blocks [b0, b1), sorted.
using int_run = std::vector<std::pair<int64_t, storage::row_id>>;

int_run collect_ints(const storage::index& ix, uint32_t b0, uint32_t b1) {
  auto& tbl = ix.tbl();
  int_run run;
  run.reserve(used_slots(tbl, b0, b1));
  for (uint32_t b = b0; b < b1; ++b) {
    auto& blk = tbl.block(b);
    uint32_t used = blk.used();
    for (uint32_t s = 0; s < used; ++s) {
      if (blk.load_xmin(s) <= storage::slot_aborted) continue;
      storage::row_id rid = storage::make_rid(b, s);
      if (auto k = ix.row_int_key(rid)) run.emplace_back(*k, rid);  // NULL: no entry (see recovery_index_insert)
    }
  }
  if (!std::is_sorted(run.begin(), run.end())) std::sort(run.begin(), run.end());
  return run;
}

/// Runs make(i, b0, b1) for `threads` equal shares of `blocks` blocks, on as many threads.
template <class Make>
void for_each_share(uint32_t blocks, unsigned threads, Make&& make) {
  if (threads == 1) {
    make(0, 0, blocks);
    return;
  }
  std::vector<std::thread> pool;
  std::exception_ptr error;
  std::mutex error_mutex;
  for (unsigned i = 0; i < threads; ++i) {
    uint32_t b0 = uint32_t(uint64_t(blocks) * i / threads), b1 = uint32_t(uint64_t(blocks) * (i + 1) / threads);
    pool.emplace_back([&, i, b0, b1] {
      try {
        make(i, b0, b1);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    });
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

void build_int_index(storage::index& ix, unsigned threads) {
  std::vector<int_run> runs(threads);
  for_each_share(ix.tbl().block_count(), threads,
                 [&](unsigned i, uint32_t b0, uint32_t b1) { runs[i] = collect_ints(ix, b0, b1); });
  // Merged (the shares of ascending keys follow each other: each step takes the first run left).
  std::vector<size_t> pos(runs.size(), 0);
  auto next = [&](int64_t& key, storage::row_id& rid) {
    size_t best = runs.size();
    for (size_t i = 0; i < runs.size(); ++i)
      if (pos[i] < runs[i].size() && (best == runs.size() || runs[i][pos[i]] < runs[best][pos[best]])) best = i;
    if (best == runs.size()) return false;
    std::tie(key, rid) = runs[best][pos[best]++];
    return true;
  };
  if (ix.bulk_load_ints(next)) return;
  // Not empty: one by one.
  std::fill(pos.begin(), pos.end(), 0);
  int64_t key;
  storage::row_id rid;
  while (next(key, rid)) ix.insert(ix.row_key(rid), rid);
}

}  // namespace

void build_index(storage::index& ix, unsigned threads) {
  uint32_t nb = ix.tbl().block_count();
  threads = std::max(1u, std::min(threads, nb / 64));  // parallel only for >= 64 K rows a thread
  if (ix.int_entries()) {
    build_int_index(ix, threads);
    return;
  }
  // Each thread collects and sorts the keys of its share of the blocks.
  std::vector<sorted_run> runs(threads);
  for_each_share(nb, threads, [&](unsigned i, uint32_t b0, uint32_t b1) { runs[i] = collect_range(ix, b0, b1); });
  // The merged entries build the tree bottom-up when it is empty and they come in its order
  // (they do unless a key is a prefix of another); otherwise they are inserted one by one.
  bool loaded = false;
  try {
    run_merger merged(runs);
    loaded = ix.bulk_load([&](std::string_view& key, storage::row_id& rid) { return merged.next(key, rid); });
  } catch (const std::invalid_argument&) {
    loaded = false;
  }
  if (!loaded) {
    run_merger merged(runs);
    std::string_view key;
    storage::row_id rid;
    while (merged.next(key, rid)) ix.insert(std::string(key), rid);
  }
}

void apply_catalog_image(storage::catalog& cat, std::string_view image) {
  apply_catalog_image(cat, decode_catalog_image(image));
}

void apply_catalog_image(storage::catalog& cat, const catalog_image& img, bool fill_new_indexes) {
  auto now = cat.all();
  std::unordered_map<uint32_t, const catalog_image::table_def*> want_tables;
  std::unordered_map<uint32_t, const catalog_image::index_def*> want_indexes;
  std::unordered_map<uint32_t, const storage::view_def*> want_views;
  for (auto& t : img.tables) want_tables[t.oid] = &t;
  for (auto& i : img.indexes) want_indexes[i.oid] = &i;
  for (auto& v : img.views) want_views[v.oid] = &v;

  // 1. Views: drop those not in the image (or changed: a view is replaced with a new oid).
  std::set<uint32_t> have_views;
  for (auto& v : now.views) {
    auto it = want_views.find(v.oid);
    if (it == want_views.end() || it->second->name != v.name || it->second->query_json != v.query_json) {
      cat.remove_view(v.name);
    } else {
      have_views.insert(v.oid);
    }
  }
  // 2. Indexes not in the image, then tables not in it.
  std::unordered_map<uint32_t, std::shared_ptr<storage::index>> have_indexes;
  for (auto& ix : now.indexes) {
    auto it = want_indexes.find(ix->oid());
    bool keep = it != want_indexes.end() && want_tables.count(ix->tbl().oid());
    if (keep) {
      auto& d = *it->second;
      if (d.table_oid != ix->tbl().oid() || d.columns != ix->columns() || d.unique != ix->unique() ||
          d.primary != ix->primary())
        throw recovery_error("catalog image: index oid " + std::to_string(d.oid) + " (\"" + d.name +
                             "\") differs from the index of that oid");
      have_indexes[ix->oid()] = ix;
    } else {
      cat.remove_index(ix->name());
    }
  }
  std::unordered_map<uint32_t, std::shared_ptr<storage::table>> have_tables;
  for (auto& t : now.tables) {
    if (want_tables.count(t->oid()))
      have_tables[t->oid()] = t;
    else
      cat.remove_table(t->name());
  }
  // 3. Kept tables: columns must match (only NOT NULL may change).
  for (auto& [oid, t] : have_tables) {
    auto& d = *want_tables[oid];
    if (d.columns.size() != t->column_count())
      throw recovery_error("catalog image: table oid " + std::to_string(oid) + " (\"" + d.name +
                           "\") changed its columns");
    for (size_t c = 0; c < d.columns.size(); ++c) {
      auto& a = d.columns[c];
      auto& b = t->column(c);
      if (a.name != b.name || !(a.type == b.type) || a.type.physical() != b.type.physical())
        throw recovery_error("catalog image: column " + std::to_string(c) + " of table \"" + d.name + "\" changed");
      if (a.not_null != b.not_null) t->set_not_null(c, a.not_null);
    }
  }
  // 4. Renames: take the renamed objects out first (names may be swapped), then put them back.
  std::vector<std::shared_ptr<storage::index>> renamed_indexes;
  std::vector<std::shared_ptr<storage::table>> renamed_tables;
  for (auto& [oid, ix] : have_indexes)
    if (want_indexes[oid]->name != ix->name()) renamed_indexes.push_back(ix);
  for (auto& [oid, t] : have_tables)
    if (want_tables[oid]->name != t->name()) renamed_tables.push_back(t);
  for (auto& ix : renamed_indexes) cat.remove_index(ix->name());
  for (auto& t : renamed_tables) cat.remove_table(t->name());
  for (auto& t : renamed_tables) {
    t->rename(want_tables[t->oid()]->name);
    cat.add_table(t);
    auto list = t->indexes();
    for (auto& ix : *list) {
      t->remove_index(ix.get());
      cat.add_index(ix);
    }
  }
  for (auto& ix : renamed_indexes) {
    ix->rename(want_indexes[ix->oid()]->name);
    cat.add_index(ix);
  }
  // 5. New tables, then new indexes (filled from the rows present), then new views.
  for (auto& d : img.tables) {
    if (have_tables.count(d.oid)) continue;
    auto t = std::make_shared<storage::table>(d.oid, d.name, d.columns);
    cat.add_table(t);
    have_tables[d.oid] = t;
  }
  for (auto& d : img.indexes) {
    if (have_indexes.count(d.oid)) continue;
    auto& t = have_tables.at(d.table_oid);
    auto ix = std::make_shared<storage::index>(d.oid, d.name, t.get(), d.columns, d.unique, d.primary);
    ix->set_constraint(d.constraint);
    if (fill_new_indexes && t->block_count() > 0) build_index(*ix);
    cat.add_index(ix);
  }
  for (auto& v : img.views)
    if (!have_views.count(v.oid)) cat.add_view(v);
  cat.restore_next_oid(img.next_oid);
}

}  // namespace db001::recovery
