#include "recovery/replayer.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "recovery/redo_codec.h"
#include "storage/index.h"

namespace db001::recovery {

namespace {
constexpr uint64_t max_rid = (uint64_t(1) << 26) * storage::block_rows;  // table's directory limit
}

/// The helper threads of a parallel replay: one lane (a bounded queue of batches and a thread)
/// per helper. A batch holds changes with their row bytes copied (the WAL reader reuses its
/// buffer).
struct replayer::helpers {
  struct item {
    const table_entry* te;
    storage::row_id rid;
    uint64_t ts;
    uint32_t off, len;  ///< row bytes in batch::bytes (inserts)
    char kind;
  };
  struct batch {
    std::vector<item> items;
    std::string bytes;
  };
  struct lane {
    std::mutex mu;
    std::condition_variable work, done;
    std::deque<batch> queue;
    std::vector<batch> spare;  ///< applied batches, emptied, their memory kept for reuse
    bool busy = false, stop = false;
    batch filling;  ///< being filled by the replaying thread
    std::thread th;
  };
  static constexpr size_t batch_items = 2048, max_queued = 4;

  const replayer& rep;
  std::vector<std::unique_ptr<lane>> lanes;
  std::mutex error_mu;
  std::exception_ptr error;
  std::atomic<bool> failed{false};

  helpers(const replayer& r, unsigned n) : rep(r) {
    for (unsigned i = 0; i < n; ++i) {
      lanes.push_back(std::make_unique<lane>());
      lane& l = *lanes.back();
      l.th = std::thread([this, &l] { run(l); });
    }
  }
  ~helpers() {
    for (auto& l : lanes) {
      {
        std::lock_guard lock(l->mu);
        l->stop = true;
      }
      l->work.notify_one();
      l->th.join();
    }
  }

  void add(size_t lane_no, const table_entry& te, const change& c, uint64_t ts) {
    lane& l = *lanes[lane_no];
    batch& b = l.filling;
    b.items.push_back({&te, c.rid, ts, uint32_t(b.bytes.size()), uint32_t(c.row.size()), c.kind});
    b.bytes.append(c.row);
    if (b.items.size() >= batch_items) hand_over(l);
  }
  void hand_over(lane& l) {
    if (l.filling.items.empty()) return;
    std::unique_lock lock(l.mu);
    l.done.wait(lock, [&] { return l.queue.size() < max_queued; });
    l.queue.push_back(std::move(l.filling));
    l.filling = batch();
    if (!l.spare.empty()) {  // reuse an applied batch's buffers (no fresh pages to fault in)
      l.filling = std::move(l.spare.back());
      l.spare.pop_back();
    }
    lock.unlock();
    l.work.notify_one();
  }
  void sync() {
    for (auto& l : lanes) hand_over(*l);
    for (auto& l : lanes) {
      std::unique_lock lock(l->mu);
      l->done.wait(lock, [&] { return l->queue.empty() && !l->busy; });
    }
    if (failed.load()) {
      std::lock_guard lock(error_mu);
      std::rethrow_exception(error);
    }
  }
  void run(lane& l) {
    for (;;) {
      batch b;
      {
        std::unique_lock lock(l.mu);
        l.work.wait(lock, [&] { return l.stop || !l.queue.empty(); });
        if (l.queue.empty()) return;  // stop
        b = std::move(l.queue.front());
        l.queue.pop_front();
        l.busy = true;
      }
      if (!failed.load(std::memory_order_relaxed)) {
        uint64_t ts = 0;
        try {
          for (auto& it : b.items) {
            ts = it.ts;
            if (it.kind == change_insert)
              rep.insert(*it.te, it.rid, std::string_view(b.bytes).substr(it.off, it.len), it.ts);
            else
              rep.remove(*it.te, it.rid, it.ts);
          }
        } catch (const std::exception& e) {
          std::lock_guard lock(error_mu);
          if (!error)
            error = std::make_exception_ptr(recovery_error("commit record ts " + std::to_string(ts) + ": " + e.what()));
          failed.store(true);
        }
      }
      b.items.clear();
      b.bytes.clear();
      {
        std::lock_guard lock(l.mu);
        l.busy = false;
        if (l.spare.size() < max_queued) l.spare.push_back(std::move(b));
      }
      l.done.notify_all();
    }
  }
};

replayer::replayer(storage::catalog& cat, uint64_t skip_upto_ts, bool maintain_indexes, unsigned apply_threads)
    : cat_(cat), skip_upto_(skip_upto_ts), maintain_indexes_(maintain_indexes) {
  if (apply_threads > 1 && !maintain_indexes) helpers_ = std::make_unique<helpers>(*this, apply_threads - 1);
}

replayer::~replayer() = default;

void replayer::sync_helpers() {
  if (helpers_) helpers_->sync();
}

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
      sync_helpers();  // the helpers hold table entries that the image may replace
      apply_catalog_image(cat_, *img, maintain_indexes_);
      tables_valid_ = false;
      last_ = nullptr;
    }
    for (auto& c : changes_buf_) {
      auto& te = lookup(c.oid);
      if (!te.tbl) continue;
      if (helpers_) {
        // Thread by row block (and table): one slot's changes always go to the same thread.
        // This thread also reads, checks and decodes the WAL (about a third of the work): it
        // takes one share, every helper three.
        size_t share = (size_t(storage::rid_block(c.rid)) + c.oid) % (3 * helpers_->lanes.size() + 1);
        if (share > 0) {
          helpers_->add((share - 1) / 3, te, c, ts);
          continue;
        }
      }
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

void replayer::insert(const table_entry& te, storage::row_id rid, std::string_view row, uint64_t ts) const {
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
  blk.publish(slot, ts);
  if (maintain_indexes_)
    for (auto& ix : *te.indexes) recovery_index_insert(*ix, rid);
}

void replayer::remove(const table_entry& te, storage::row_id rid, uint64_t ts) const {
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
  sync_helpers();
  for (auto& t : cat_.tables()) t->rebuild_free_slots();
}

}  // namespace db001::recovery
