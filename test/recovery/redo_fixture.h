#pragma once
// Helpers of the redo and checkpoint tests: an engine state built by hand with the storage/txn
// APIs (tables, indexes, inserts, deletes, commits) whose commit records are captured in commit
// order, and a dump of a catalog (visible rows by row id, index entries) to compare engines.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "recovery/catalog_image.h"
#include "recovery/redo_codec.h"
#include "recovery/replayer.h"
#include "storage/catalog.h"
#include "storage/index.h"
#include "storage/table.h"
#include "storage/value.h"
#include "txn/txn_manager.h"

namespace redo_test {

namespace st = db001::storage;
namespace tx = db001::txn;
namespace rc = db001::recovery;
using db001::sql_type;
using db001::value;
using st::row_id;

/// Writes one boxed value into an allocated slot (the executor's store_value).
inline void store(st::table& t, row_id rid, size_t col, const value& x) {
  if (x.is_null()) {
    t.set_null(rid, col);
    return;
  }
  sql_type type = t.column(col).type;
  auto fixed = [&](auto v) { t.set_fixed(rid, col, &v); };
  switch (type.physical()) {
    case db001::phys::u8:
      fixed(uint8_t(x.as_int()));
      break;
    case db001::phys::i16:
      fixed(int16_t(x.as_int()));
      break;
    case db001::phys::i32:
      fixed(int32_t(x.as_int()));
      break;
    case db001::phys::i64:
      fixed(type.is_numeric() ? int64_t(x.as_numeric()) : x.as_int());
      break;
    case db001::phys::i128:
      fixed(db001::int128_t(x.as_numeric()));
      break;
    case db001::phys::f32:
      fixed(float(x.as_float()));
      break;
    case db001::phys::f64:
      fixed(double(x.as_float()));
      break;
    case db001::phys::str:
      t.set_string(rid, col, x.as_string());
      break;
  }
}

/// A catalog + transaction manager that records every commit's payload (commit order).
struct engine {
  st::catalog cat;
  tx::txn_manager tm;
  std::mutex log_mutex;  ///< commits may come from several threads
  std::vector<std::string> log;

  std::unique_ptr<tx::transaction> begin() {
    auto t = tm.begin(tx::isolation::read_committed);
    tm.begin_statement(*t, true);
    return t;
  }
  std::shared_ptr<st::table> create_table(tx::transaction& t, const std::string& name,
                                          std::vector<st::column_def> cols) {
    auto tbl = std::make_shared<st::table>(cat.next_oid(), name, std::move(cols));
    cat.add_table(tbl);
    t.has_ddl = true;
    return tbl;
  }
  /// An index; filled from the table's present row versions (as sql/ddl.cpp's backfill).
  std::shared_ptr<st::index> create_index(tx::transaction& t, const std::shared_ptr<st::table>& tbl,
                                          const std::string& name, std::vector<int> cols, bool unique = false,
                                          bool primary = false) {
    auto ix = std::make_shared<st::index>(cat.next_oid(), name, tbl.get(), std::move(cols), unique, primary);
    ix->set_constraint(primary);
    cat.add_index(ix);
    for (uint32_t b = 0; b < tbl->block_count(); ++b)
      for (uint32_t s = 0; s < tbl->block(b).used(); ++s)
        if (tbl->block(b).load_xmin(s) > st::slot_aborted)
          ix->insert(ix->row_key(st::make_rid(b, s)), st::make_rid(b, s));
    t.has_ddl = true;
    return ix;
  }
  row_id insert(tx::transaction& t, const std::shared_ptr<st::table>& tbl, const std::vector<value>& row) {
    row_id rid = tbl->allocate_slot();
    for (size_t c = 0; c < row.size(); ++c) store(*tbl, rid, c, row[c]);
    auto& blk = tbl->block_of(rid);
    blk.store_xmax(st::rid_slot(rid), st::ts_infinity);
    blk.store_xmin(st::rid_slot(rid), t.marker());
    tm.record_insert(t, tbl, rid);
    tbl->add_approx_rows(1);
    for (auto& ix : *tbl->indexes()) ix->insert(ix->row_key(rid), rid);
    return rid;
  }
  void remove(tx::transaction& t, const std::shared_ptr<st::table>& tbl, row_id rid) {
    auto outcome = tm.lock_version(t, tbl->block_of(rid), st::rid_slot(rid));
    BOOST_REQUIRE(outcome == tx::lock_outcome::locked);
    tm.record_delete(t, tbl, rid);
  }
  row_id update(tx::transaction& t, const std::shared_ptr<st::table>& tbl, row_id rid, const std::vector<value>& row) {
    remove(t, tbl, rid);
    row_id n = insert(t, tbl, row);
    tbl->block_of(rid).set_next_version(st::rid_slot(rid), n);
    return n;
  }
  /// Encodes t's commit record, commits, patches the prefix and appends it to the log.
  uint64_t commit(tx::transaction& t) {
    std::string payload;
    rc::encode_commit(payload, t, cat);
    uint64_t cts = tm.commit(t);
    if (cts == 0) return 0;
    rc::patch_commit_prefix(payload.data(), cts, 1700000000000000ull + cts);
    std::lock_guard lock(log_mutex);
    log.push_back(std::move(payload));
    return cts;
  }
};

/// What a replay reports.
struct replay_counts {
  uint64_t records_, skipped_, changes_, max_ts_;
  uint64_t records() const { return records_; }
  uint64_t skipped() const { return skipped_; }
  uint64_t changes() const { return changes_; }
  uint64_t max_commit_ts() const { return max_ts_; }
};

/// Replays `log` into a fresh catalog: with index maintenance on this thread (threads = 1), or
/// as recovery does, without it on `threads` threads and every index built at the end.
inline replay_counts replay_all(st::catalog& cat, const std::vector<std::string>& log, uint64_t skip = 0,
                                unsigned threads = 1) {
  rc::replayer r(cat, skip, /*maintain_indexes=*/threads == 1, threads);
  for (auto& p : log) r.apply_commit(p);
  r.finish();
  if (threads > 1)
    for (auto& ix : cat.all_indexes()) rc::build_index(*ix);
  return {r.records(), r.skipped(), r.changes(), r.max_commit_ts()};
}

/// Everything a catalog holds that recovery must reproduce, as comparable values.
struct dump {
  std::string schema;                                                          ///< the catalog image
  std::map<std::string, std::map<row_id, std::string>> rows;                   ///< table -> rid -> encoded row
  std::map<std::string, std::vector<std::pair<std::string, row_id>>> entries;  ///< index -> live entries
  bool operator==(const dump&) const = default;
};

/// Rows visible at snap; index entries that point to them (others must not exist when strict).
inline dump dump_of(const st::catalog& cat, const tx::txn_manager& tm, const tx::snapshot& snap, bool strict,
                    std::string* problems = nullptr) {
  dump d;
  auto all = cat.all();
  all.next_oid = 0;
  rc::encode_catalog_image(d.schema, all);
  for (auto& t : all.tables) {
    auto& rows = d.rows[t->name()];
    for (uint32_t b = 0; b < t->block_count(); ++b) {
      auto& blk = t->block(b);
      for (uint32_t s = 0; s < blk.used(); ++s) {
        if (!tm.visible(blk, s, snap)) continue;
        std::string enc;
        rc::encode_row(enc, *t, st::make_rid(b, s));
        rows[st::make_rid(b, s)] = enc;
      }
    }
  }
  for (auto& ix : all.indexes) {
    auto& out = d.entries[ix->name()];
    auto& rows = d.rows[ix->tbl().name()];
    ix->scan_range(std::nullopt, std::nullopt, false, [&](const std::string& e, row_id rid) {
      if (rows.count(rid) && ix->entry_matches_row(e, rid))
        out.emplace_back(e, rid);
      else if (strict && problems)
        *problems += "index " + ix->name() + " has an entry for row id " + std::to_string(rid) + " which is not live\n";
      return true;
    });
    if (out.size() != rows.size() && problems)
      *problems += "index " + ix->name() + " has " + std::to_string(out.size()) + " live entries for " +
                   std::to_string(rows.size()) + " rows\n";
  }
  return d;
}

inline void require_same(const dump& want, const dump& got) {
  BOOST_REQUIRE_MESSAGE(want.schema == got.schema, "schemas differ");
  BOOST_REQUIRE_EQUAL(want.rows.size(), got.rows.size());
  for (auto& [name, rows] : want.rows) {
    auto it = got.rows.find(name);
    BOOST_REQUIRE_MESSAGE(it != got.rows.end(), "table " << name << " missing");
    BOOST_REQUIRE_EQUAL(rows.size(), it->second.size());
    for (auto& [rid, enc] : rows) {
      auto r = it->second.find(rid);
      BOOST_REQUIRE_MESSAGE(r != it->second.end(), name << ": row id " << rid << " missing");
      BOOST_REQUIRE_MESSAGE(r->second == enc, name << ": row id " << rid << " differs");
    }
  }
  BOOST_REQUIRE(want.entries == got.entries);
}

/// Compares the live engine (at its current snapshot) with a recovered catalog.
inline void require_recovered(engine& live, st::catalog& recovered, uint64_t clock) {
  tx::txn_manager tm2;
  tm2.restore_clock(clock);
  std::string p1, p2;
  auto want = dump_of(live.cat, live.tm, live.tm.current_snapshot(), false, &p1);
  auto got = dump_of(recovered, tm2, tm2.current_snapshot(), true, &p2);
  BOOST_TEST(p1 == "");
  BOOST_TEST(p2 == "");
  require_same(want, got);
}

}  // namespace redo_test
