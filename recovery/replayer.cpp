#include "recovery/replayer.h"

#include <optional>

#include "recovery/redo_codec.h"
#include "storage/index.h"

namespace db001::recovery {

namespace {
constexpr uint64_t max_rid = (uint64_t(1) << 26) * storage::block_rows;  // table's directory limit
}

replayer::replayer(storage::catalog& cat, uint64_t skip_upto_ts, bool maintain_indexes)
    : cat_(cat), skip_upto_(skip_upto_ts), maintain_indexes_(maintain_indexes) {}

replayer::table_entry& replayer::lookup(uint32_t oid) {
  if (last_ && last_oid_ == oid) return *last_;
  if (!tables_valid_) {
    tables_.clear();
    for (auto& t : cat_.tables()) tables_[t->oid()] = {t, t->indexes()};
    tables_valid_ = true;
  }
  auto it = tables_.find(oid);
  if (it == tables_.end()) it = tables_.emplace(oid, table_entry{}).first;
  last_oid_ = oid;
  last_ = &it->second;
  return it->second;
}

void replayer::apply_commit(std::string_view payload) {
  byte_reader r(payload, "commit record");
  uint64_t ts = r.u64();
  r.u64();  // wall-clock time
  if (uint8_t f = r.u8(); f != commit_format) r.fail("unknown format " + std::to_string(f));
  uint8_t flags = r.u8();
  if (flags & ~commit_flag_catalog) r.fail("unknown flags " + std::to_string(flags));
  if (ts <= skip_upto_) {
    ++skipped_;
    max_ts_ = std::max(max_ts_, ts);
    return;
  }
  if (ts <= last_applied_ts_)
    r.fail("commit ts " + std::to_string(ts) + " is not after the previous record's " +
           std::to_string(last_applied_ts_));
  // Pass 1: the framing of the whole record.
  std::string_view image;
  if (flags & commit_flag_catalog) image = r.str();
  changes_buf_.clear();
  for (;;) {
    char kind = char(r.u8());
    if (kind == change_end) {
      uint32_t n = r.u32();
      if (n != changes_buf_.size())
        r.fail("end says " + std::to_string(n) + " changes, found " + std::to_string(changes_buf_.size()));
      if (!r.done()) r.fail(std::to_string(r.left()) + " bytes after the end");
      break;
    }
    if (kind != change_insert && kind != change_delete) r.fail("unknown change kind " + std::to_string(uint8_t(kind)));
    change c{kind, r.u32(), r.u64(), {}};
    if (c.rid >= max_rid) r.fail("row id " + std::to_string(c.rid) + " out of range");
    if (kind == change_insert) c.row = r.str();
    changes_buf_.push_back(c);
  }
  std::optional<catalog_image> img;
  if (flags & commit_flag_catalog) img = decode_catalog_image(image);
  // Pass 2: apply.
  try {
    if (img) {
      apply_catalog_image(cat_, *img, maintain_indexes_);
      tables_valid_ = false;
      last_ = nullptr;
    }
    for (auto& c : changes_buf_) {
      auto& te = lookup(c.oid);
      if (!te.tbl) continue;
      if (c.kind == change_insert)
        insert(te, c.rid, c.row, ts);
      else
        remove(te, c.rid, ts);
    }
  } catch (const recovery_error& e) {
    throw recovery_error("commit record ts " + std::to_string(ts) + ": " + e.what());
  } catch (const db_error& e) {
    throw recovery_error("commit record ts " + std::to_string(ts) + ": " + e.what());
  }
  changes_ += changes_buf_.size();
  ++records_;
  last_applied_ts_ = ts;
  max_ts_ = std::max(max_ts_, ts);
}

void replayer::insert(const table_entry& te, storage::row_id rid, std::string_view row, uint64_t ts) {
  auto& t = *te.tbl;
  size_t nc = t.column_count();
  byte_reader r(row, "row");
  std::string_view bitmap = r.bytes((nc + 7) / 8);
  if (storage::rid_block(rid) >= t.block_count() + uint64_t(gap_limit_))
    throw recovery_error("insert into \"" + t.name() + "\" at row id " + std::to_string(rid) + ", " +
                         std::to_string(storage::rid_block(rid) - t.block_count()) + " blocks beyond its end");
  t.restore_slot(rid);
  auto& blk = t.block_of(rid);
  uint32_t slot = storage::rid_slot(rid);
  try {
    for (size_t c = 0; c < nc; ++c) {
      if (uint8_t(bitmap[c / 8]) & (1u << (c % 8))) {
        t.set_null(rid, c);
        continue;
      }
      phys p = blk.column_type(c);
      if (p == phys::str)
        t.set_string(rid, c, r.str());
      else
        t.set_fixed(rid, c, r.bytes(phys_size(p)).data());
    }
    if (!r.done()) r.fail(std::to_string(r.left()) + " bytes after the last column");
  } catch (const std::exception& e) {
    t.release_slot(rid);  // frees the strings set so far
    throw recovery_error("insert into \"" + t.name() + "\" row id " + std::to_string(rid) +
                         ": row does not fit the table: " + e.what());
  }
  blk.note_change(ts);
  blk.xmax(slot).store(storage::ts_infinity, std::memory_order_relaxed);
  blk.xmin(slot).store(ts, std::memory_order_release);
  if (maintain_indexes_)
    for (auto& ix : *te.indexes) recovery_index_insert(*ix, rid);
}

void replayer::remove(const table_entry& te, storage::row_id rid, uint64_t ts) {
  auto& t = *te.tbl;
  uint32_t b = storage::rid_block(rid), slot = storage::rid_slot(rid);
  if (b >= t.block_count() || slot >= t.block(b).used() || t.block(b).load_xmin(slot) <= storage::slot_aborted)
    throw recovery_error("delete from \"" + t.name() + "\" of row id " + std::to_string(rid) + ", which holds no row");
  auto& blk = t.block(b);
  if (maintain_indexes_)
    for (auto& ix : *te.indexes) ix->erase(ix->row_key(rid), rid);
  blk.note_change(ts);
  t.release_slot(rid);
}

void replayer::finish() {
  for (auto& t : cat_.tables()) t->rebuild_free_slots();
}

}  // namespace db001::recovery
