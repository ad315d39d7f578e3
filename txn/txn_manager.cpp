#include "txn/txn_manager.h"

#include <chrono>
#include <optional>
#include <thread>

#include "storage/error.h"
#include "storage/index.h"
#include "txn/blocking_scope.h"

namespace db001::txn {

using storage::row_block;
using storage::ts_infinity;
using storage::txn_bit;

txn_manager::txn_manager() = default;
txn_manager::~txn_manager() = default;

std::unique_ptr<transaction> txn_manager::begin(isolation level, std::unique_ptr<transaction> recycled) {
  std::unique_ptr<transaction> t;
  // A finished transaction's state left the registry at its end, so nobody can look it up any
  // more: if nobody still holds it either, it can be reset in place.
  if (recycled && recycled->state && recycled->state.use_count() == 1 && recycled->state->waiters.load() == 0) {
    t = std::move(recycled);
    t->state->commit_ts.store(status_active, std::memory_order_relaxed);
    t->state->waiting_for.store(0, std::memory_order_relaxed);
    t->state->done.store(false, std::memory_order_relaxed);
    t->state->stamped.store(false, std::memory_order_relaxed);
    t->cid = 0;
    t->writes.clear();
    t->touched.clear();
    t->ddl_undo.clear();
    t->has_ddl = false;
    t->undecided_dependency = false;
    t->dep_cts = 0;
  } else {
    t = std::make_unique<transaction>();
    t->state = std::make_shared<txn_state>();
  }
  t->state->seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
  t->level = level;
  t->read_ts = snapshot_ts();
  t->state->read_ts.store(t->read_ts, std::memory_order_release);
  auto& sh = registry_[t->state->seq % shards];
  std::unique_lock lock(sh.mutex);
  sh.map.emplace(t->state->seq, t->state);
  // Re-read after registering so the GC horizon can never pass a snapshot we are about to use.
  t->read_ts = snapshot_ts();
  t->state->read_ts.store(t->read_ts, std::memory_order_release);
  return t;
}

void txn_manager::begin_statement(transaction& t, bool first) {
  if (!first) {
    if (t.cid + 1 >= cid_mask)
      throw db_error(sqlstate::program_limit_exceeded, "cannot have more than 2^24-2 commands in a transaction");
    ++t.cid;
  }
  // The first statement of a transaction takes its snapshot (as PostgreSQL does, not BEGIN);
  // READ COMMITTED takes a new one for every statement.
  if (first || t.level == isolation::read_committed) {
    t.read_ts = snapshot_ts();
    t.state->read_ts.store(t.read_ts, std::memory_order_release);
  }
}

std::shared_ptr<txn_state> txn_manager::lookup(uint64_t seq) const {
  auto& sh = registry_[seq % shards];
  std::shared_lock lock(sh.mutex);
  auto it = sh.map.find(seq);
  return it == sh.map.end() ? nullptr : it->second;
}

uint64_t txn_manager::resolve(uint64_t stamp, const storage::row_block& b, uint32_t slot, bool of_xmin) const {
  for (;;) {
    if (!(stamp & txn_bit)) return stamp;
    auto st = lookup(seq_of_marker(stamp));
    if (!st) {
      // The writer finished and left the registry after stamping: read the stamp again.
      uint64_t again = of_xmin ? b.load_xmin(slot) : b.load_xmax(slot);
      if (again == stamp) return 0;  // aborted writer whose undo already restored/cleared it
      // Undone meanwhile: slot_free/slot_aborted (xmin) or ts_infinity (xmax) are not commits.
      if (again <= storage::slot_aborted || again == ts_infinity) return 0;
      stamp = again;
      continue;
    }
    uint64_t c = st->commit_ts.load(std::memory_order_acquire);
    while (c == status_committing) {
      std::this_thread::yield();
      c = st->commit_ts.load(std::memory_order_acquire);
    }
    if (c == status_active || c == status_aborted) return 0;
    return c;
  }
}

bool txn_manager::visible(const row_block& blk, uint32_t slot, const snapshot& s) const {
  auto& b = const_cast<row_block&>(blk);
  uint64_t xmin = b.load_xmin(slot);
  bool v = visible_once(b, slot, s, xmin);
  // The slot may have been reclaimed (and reused) while we read it: then the version we looked
  // at was dead to every snapshot.
  if (v && b.load_xmin(slot) != xmin && !(xmin & txn_bit)) return false;
  return v;
}

bool txn_manager::visible_once(storage::row_block& b, uint32_t slot, const snapshot& s, uint64_t xmin) const {
  if (xmin <= storage::slot_aborted) return false;
  if (xmin & txn_bit) {
    if (s.my_base && (xmin & ~cid_mask) == s.my_base) {
      if ((xmin & cid_mask) >= s.cid) return false;  // created by this very statement (or later)
    } else {
      uint64_t c = resolve(xmin, b, slot, true);
      if (c == 0 || c > s.read_ts) return false;
    }
  } else if (xmin > s.read_ts) {
    return false;
  }
  uint64_t xmax = b.load_xmax(slot);
  if (xmax == ts_infinity) return true;
  if (xmax & txn_bit) {
    if (s.my_base && (xmax & ~cid_mask) == s.my_base) return (xmax & cid_mask) >= s.cid;
    uint64_t c = resolve(xmax, b, slot, false);
    return c == 0 || c > s.read_ts;
  }
  return xmax > s.read_ts;
}

void txn_manager::wake_waiters(txn_state& st) {
  // The end was published (commit_ts) before this seq_cst load; a waiter increments `waiters`
  // (seq_cst) before it checks finished() under the mutex: either it sees the end, or we see
  // it and notify. (Waiters also re-check every 20 ms.)
  std::atomic_thread_fence(std::memory_order_seq_cst);
  if (st.waiters.load() == 0) return;
  {
    std::lock_guard lock(st.mutex);
  }
  st.ended.notify_all();
}

void txn_manager::wait_for(transaction& t, uint64_t other_seq) {
  auto other = lookup(other_seq);
  if (!other || other->finished() || other->stamped.load(std::memory_order_acquire)) return;
  lock_waits_.fetch_add(1, std::memory_order_relaxed);
  t.state->waiting_for.store(other_seq, std::memory_order_release);
  other->waiters.fetch_add(1);  // seq_cst: pairs with the ending transaction's check (end_wake)
  struct clear_wait {
    txn_state* s;
    txn_state* other;
    ~clear_wait() {
      s->waiting_for.store(0, std::memory_order_release);
      other->waiters.fetch_sub(1);
    }
  } guard{t.state.get(), other.get()};
  blocking_scope blocking;
  for (;;) {
    // Deadlock detection: follow the wait-for chain from `other`; reaching ourselves is a cycle.
    uint64_t cur = other_seq;
    for (int depth = 0; depth < 1000 && cur; ++depth) {
      if (cur == t.seq())
        throw db_error(sqlstate::deadlock_detected, "deadlock detected");
      auto st = lookup(cur);
      if (!st) break;
      cur = st->waiting_for.load(std::memory_order_acquire);
    }
    if (t.interrupt) t.interrupt->check();  // cancel / statement_timeout (57014) while blocked
    std::unique_lock lock(other->mutex);
    if (other->ended.wait_for(lock, std::chrono::milliseconds(20),
                              [&] { return other->finished() || other->stamped.load(std::memory_order_acquire); }))
      return;
  }
}

int txn_manager::unique_conflict(const transaction& t, const row_block& blk, uint32_t slot,
                                 uint64_t* wait_seq) const {
  auto& b = const_cast<row_block&>(blk);
  uint64_t xmin = b.load_xmin(slot);
  if (xmin <= storage::slot_aborted) return 0;
  if (gated_ && !(xmin & txn_bit) && xmin > snapshot_ts()) {
    // Inserted by a commit whose durability is undecided (it may still be rolled back): wait, look again.
    wait_visible(xmin);
    return unique_conflict(t, blk, slot, wait_seq);
  }
  if ((xmin & txn_bit) && (xmin & ~cid_mask) != t.marker_base()) {
    auto st = lookup(seq_of_marker(xmin));
    if (st && !st->finished()) {
      *wait_seq = st->seq;
      return 2;
    }
    if (resolve(xmin, b, slot, true) == 0) return 0;  // inserter aborted
  }
  uint64_t xmax = b.load_xmax(slot);
  if (!(xmin & txn_bit) && b.load_xmin(slot) != xmin) return 0;  // reclaimed meanwhile: that version was dead
  if (xmax == ts_infinity) return 1;
  if (xmax & txn_bit) {
    if ((xmax & ~cid_mask) == t.marker_base()) return 0;  // we deleted it
    auto st = lookup(seq_of_marker(xmax));
    if (st && !st->finished()) {
      *wait_seq = st->seq;
      return 2;
    }
    return resolve(xmax, b, slot, false) == 0 ? 1 : 0;  // deleter aborted: still live
  }
  if (gated_ && xmax > snapshot_ts()) {  // deleted by a commit whose durability is undecided (see above)
    wait_visible(xmax);
    return unique_conflict(t, blk, slot, wait_seq);
  }
  return 0;  // deleted by a committed transaction
}

void txn_manager::note_undecided_dependency(transaction& t, uint64_t cts) {
  t.dep_cts = std::max(t.dep_cts, cts);
  // Early lock release (Johnson et al., "Aether", 2010): the deleting commit's record is
  // queued, so t's record will follow it in the WAL and a crash can never keep t without it.
  // Only a failed write can still take it back: then every commit queued behind it fails
  // too (log_failed), and t, if not committed yet, fails at COMMIT.
  if (t.undecided_dependency) return;
  t.undecided_dependency = true;
  t.dep_failures = log_failures_.load(std::memory_order_acquire);
}

lock_outcome txn_manager::lock_version(transaction& t, row_block& blk, uint32_t slot) {
  for (;;) {
    uint64_t xmax = blk.load_xmax(slot);
    if (xmax == ts_infinity) {
      if (blk.cas_xmax(slot, xmax, t.marker())) return lock_outcome::locked;
      continue;
    }
    if (xmax & txn_bit) {
      if ((xmax & ~cid_mask) == t.marker_base()) return lock_outcome::already_ours;
      auto st = lookup(seq_of_marker(xmax));
      if (st && !st->finished()) {
        wait_for(t, st->seq);
        continue;
      }
      uint64_t c = resolve(xmax, blk, slot, false);
      if (c == 0) {
        // The other writer aborted; its undo puts ts_infinity back. Help it along.
        uint64_t expected = xmax;
        blk.cas_xmax(slot, expected, ts_infinity);
        continue;
      }
      if (gated_ && c > snapshot_ts()) note_undecided_dependency(t, c);  // early lock release
      return lock_outcome::updated;
    }
    if (gated_ && xmax > snapshot_ts()) note_undecided_dependency(t, xmax);
    return lock_outcome::updated;  // a committed deletion after our snapshot
  }
}

uint64_t txn_manager::commit(transaction& t) {
  auto& st = *t.state;
  uint64_t cts = 0;
  bool logged = log_ && (!t.writes.empty() || t.has_ddl);
  if (logged) {
    try {
      t.redo.clear();
      log_->prepare(t, t.redo);
    } catch (...) {
      abort(t);
      throw;
    }
  }
  if (!t.writes.empty() || t.has_ddl) {
    st.commit_ts.store(status_committing, std::memory_order_release);
    if (logged) {
      // Timestamp and log position in one order: replay applies records in timestamp order.
      std::unique_lock lock(commit_mutex_);
      if (t.undecided_dependency && log_failures_.load(std::memory_order_acquire) != t.dep_failures) {
        // A commit record failed after t went past an undecided commit (maybe its dependency).
        lock.unlock();
        st.commit_ts.store(status_active, std::memory_order_release);
        abort(t);
        throw db_error(sqlstate::serialization_failure,
                       "could not serialize access due to a failed commit of a concurrent transaction")
            .with_detail("The transaction was rolled back.");
      }
      cts = clock_.load(std::memory_order_relaxed) + 1;
      clock_.store(cts, std::memory_order_release);
      st.commit_ts.store(cts, std::memory_order_release);
      log_->append(t.redo, cts);
    } else {
      cts = clock_.fetch_add(1, std::memory_order_acq_rel) + 1;
      st.commit_ts.store(cts, std::memory_order_release);
    }
    std::vector<garbage> dead;
    for (auto& w : t.writes) {
      auto& tbl = t.touched[w.table_index];
      auto& blk = tbl->block_of(w.rid);
      uint32_t slot = storage::rid_slot(w.rid);
      blk.note_change(cts);  // before the stamp: a checkpoint that sees the stamp sees this too
      if (w.inserted) {
        blk.store_xmin(slot, cts);
      } else {
        blk.store_xmax(slot, cts);
        tbl->add_approx_rows(-1);
        dead.push_back({cts, tbl, w.rid});
      }
    }
    if (!dead.empty()) {
      std::lock_guard lock(gc_mutex_);
      for (auto& g : dead) gc_queue_.push_back(std::move(g));
    }
  } else {
    if (t.undecided_dependency && gated_) {
      // Nothing to log, but t saw (or skipped) what an undecided commit did: its answer may
      // not stand before that commit is durable (and must not if it failed).
      wait_visible(t.dep_cts);
      if (log_failures_.load(std::memory_order_acquire) != t.dep_failures) {
        abort(t);
        throw db_error(sqlstate::serialization_failure,
                       "could not serialize access due to a failed commit of a concurrent transaction")
            .with_detail("The transaction was rolled back.");
      }
    }
    st.commit_ts.store(snapshot_ts(), std::memory_order_release);
  }
  if (logged && gated_) {
    // Row-lock waiters go on now (early lock release); then wait until durable and visible,
    // or until the log gives up on the record.
    st.stamped.store(true, std::memory_order_release);
    wake_waiters(st);
    std::optional<blocking_scope> blocking;  // (made before the lock: it may start a thread)
    if (visible_.load(std::memory_order_acquire) < cts) blocking.emplace();
    std::unique_lock lock(visible_mutex_);
    visible_cv_.wait(lock, [&] { return visible_.load(std::memory_order_acquire) >= cts || failed_.count(cts); });
    if (failed_.count(cts)) {
      std::string message = failure_message_, code = failure_code_;
      lock.unlock();
      revert_commit(t, cts);
      throw db_error(code, message).with_detail("The transaction was rolled back.");
    }
  }
  finish(st);
  if (t.ddl_lock.owns_lock()) t.ddl_lock.unlock();
  if (t.redo.capacity() > (size_t(1) << 20)) std::string().swap(t.redo);  // a bulk load's record
  committed_.fetch_add(1, std::memory_order_relaxed);
  return cts;
}

void txn_manager::begin_ddl(transaction& t) {
  t.has_ddl = true;
  if (t.ddl_lock.owns_lock()) return;
  std::unique_lock<std::timed_mutex> lock(ddl_mutex_, std::defer_lock);
  while (!lock.try_lock_for(std::chrono::milliseconds(50)))
    if (t.interrupt) t.interrupt->check();
  t.ddl_lock = std::move(lock);
}

void txn_manager::finish(txn_state& st) {
  st.done.store(true, std::memory_order_release);
  wake_waiters(st);
  auto& sh = registry_[st.seq % shards];
  std::unique_lock lock(sh.mutex);
  sh.map.erase(st.seq);
}

void txn_manager::revert_commit(transaction& t, uint64_t cts) {
  // No snapshot has seen cts (visible_ is held below it), and GC keeps versions deleted at cts
  // (its horizon is at most visible_): put every stamp back as if t had never committed.
  end_undone(t, undo_row_stamps(t, cts, cts, ~uint64_t(0), /*recount_deleted=*/true), cts);
}

std::vector<txn_manager::garbage> txn_manager::undo_row_stamps(transaction& t, uint64_t reclaim_ts, uint64_t stamp,
                                                               uint64_t mask, bool recount_deleted) {
  std::vector<garbage> dead;
  for (auto it = t.writes.rbegin(); it != t.writes.rend(); ++it) {
    auto& tbl = t.touched[it->table_index];
    auto& blk = tbl->block_of(it->rid);
    uint32_t slot = storage::rid_slot(it->rid);
    if (it->inserted) {
      blk.store_xmin(slot, storage::slot_aborted);
      tbl->add_approx_rows(-1);
      dead.push_back({reclaim_ts, tbl, it->rid});
    } else if ((blk.load_xmax(slot) & mask) == stamp) {
      if (blk.next_version(slot) != storage::no_version) blk.set_next_version(slot, storage::no_version);
      blk.store_xmax(slot, ts_infinity);
      if (recount_deleted) tbl->add_approx_rows(1);
    }
  }
  return dead;
}

void txn_manager::end_undone(transaction& t, std::vector<garbage> dead, uint64_t failed_cts) {
  auto& st = *t.state;
  for (auto it = t.ddl_undo.rbegin(); it != t.ddl_undo.rend(); ++it) (*it)();
  st.commit_ts.store(status_aborted, std::memory_order_release);
  if (!dead.empty()) {
    std::lock_guard lock(gc_mutex_);
    for (auto& g : dead) gc_queue_.push_back(std::move(g));
  }
  if (failed_cts) {
    std::lock_guard lock(visible_mutex_);
    failed_.erase(failed_cts);
    recompute_visible_locked();
  }
  finish(st);
  if (t.ddl_lock.owns_lock()) t.ddl_lock.unlock();
  aborted_.fetch_add(1, std::memory_order_relaxed);
  t.writes.clear();
  t.touched.clear();
  t.ddl_undo.clear();
}

void txn_manager::set_commit_log(commit_log* log) {
  log_ = log;
  gated_ = log && log->synchronous();
  std::lock_guard lock(visible_mutex_);
  durable_upto_ = clock_.load();
  visible_.store(durable_upto_);
}

void txn_manager::restore_clock(uint64_t ts) {
  if (ts > clock_.load()) clock_.store(ts);
  std::lock_guard lock(visible_mutex_);
  durable_upto_ = std::max(durable_upto_, clock_.load());
  recompute_visible_locked();
}

void txn_manager::recompute_visible_locked() {
  uint64_t v = durable_upto_;
  if (!failed_.empty()) v = std::min(v, *failed_.begin() - 1);
  if (v > visible_.load(std::memory_order_relaxed)) {
    visible_.store(v, std::memory_order_release);
    visible_cv_.notify_all();
  }
}

void txn_manager::log_durable(uint64_t ts) {
  std::lock_guard lock(visible_mutex_);
  durable_upto_ = std::max(durable_upto_, ts);
  recompute_visible_locked();
}

void txn_manager::log_failed(uint64_t lo, uint64_t hi, const std::string& message, const std::string& code,
                             const std::function<std::vector<uint64_t>()>& fail_queued) {
  if (!gated_) return;  // asynchronous commits are visible already: the log keeps retrying them
  std::vector<uint64_t> also;
  {
    // Under the commit lock, so no commit slips in between: count the failure (transactions
    // that went past an undecided commit fail at COMMIT) and fail every commit queued behind
    // the failed ones (they may depend on them; they are not durable either).
    std::lock_guard commit_lock(commit_mutex_);
    log_failures_.fetch_add(1, std::memory_order_acq_rel);
    if (fail_queued) also = fail_queued();
  }
  std::lock_guard lock(visible_mutex_);
  for (uint64_t ts = lo; ts <= hi; ++ts) failed_.insert(ts);
  for (uint64_t ts : also) {
    failed_.insert(ts);
    hi = std::max(hi, ts);
  }
  failure_message_ = message;
  failure_code_ = code;
  durable_upto_ = std::max(durable_upto_, hi);
  recompute_visible_locked();
  visible_cv_.notify_all();
}

void txn_manager::wait_visible(uint64_t ts) const {
  if (visible_.load(std::memory_order_acquire) >= ts) return;
  blocking_scope blocking;
  std::unique_lock lock(visible_mutex_);
  visible_cv_.wait(lock, [&] { return visible_.load(std::memory_order_acquire) >= ts; });
}

void txn_manager::abort(transaction& t) {
  // Undo row changes newest first, while our state is still "active": readers treat our
  // markers as uncommitted throughout. Our deletes carry our marker (any command id).
  uint64_t now = clock_.load(std::memory_order_acquire);
  end_undone(t, undo_row_stamps(t, now, t.marker_base(), ~cid_mask, /*recount_deleted=*/false), 0);
}

uint64_t txn_manager::gc_horizon() const {
  uint64_t h = snapshot_ts();
  for (auto& sh : registry_) {
    std::shared_lock lock(sh.mutex);
    for (auto& [seq, st] : sh.map) h = std::min(h, st->read_ts.load(std::memory_order_acquire));
  }
  std::lock_guard lock(readers_mutex_);
  for (auto* r : readers_)
    if (uint64_t ts = r->ts_.load(std::memory_order_seq_cst)) h = std::min(h, ts);
  return h;
}

void txn_manager::register_reader(reader_slot* r) {
  std::lock_guard lock(readers_mutex_);
  readers_.push_back(r);
}

void txn_manager::unregister_reader(reader_slot* r) {
  std::lock_guard lock(readers_mutex_);
  committed_.fetch_add(r->reads_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  std::erase(readers_, r);
}

reader_slot::~reader_slot() {
  if (tm_) tm_->unregister_reader(this);
}

snapshot_reader::snapshot_reader(txn_manager& tm, reader_slot& slot) : slot_(slot) {
  if (!slot.tm_) {
    slot.tm_ = &tm;
    tm.register_reader(&slot);
  }
  // Publish, then read the clock again: a GC that missed the published value computed its
  // horizon from a clock reading no later than ours (the same argument as begin()). The fence
  // orders the store before the second reading (against the GC's seq_cst loads); raising the
  // published value afterwards needs no barrier: a GC that still sees the lower one is only
  // more careful.
  slot.ts_.store(tm.snapshot_ts(), std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  snap_.read_ts = tm.snapshot_ts();
  slot.ts_.store(snap_.read_ts, std::memory_order_release);
  // A read-only transaction, as PostgreSQL counts it (only this slot's owner writes reads_).
  slot.reads_.store(slot.reads_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

size_t txn_manager::collect_garbage() {
  std::unique_lock run(gc_run_mutex_, std::try_to_lock);
  if (!run.owns_lock()) return 0;
  uint64_t horizon = gc_horizon();
  std::vector<garbage> batch;
  {
    std::lock_guard lock(gc_mutex_);
    while (!gc_queue_.empty() && gc_queue_.front().ts <= horizon) {
      batch.push_back(std::move(gc_queue_.front()));
      gc_queue_.pop_front();
    }
  }
  for (auto& g : batch) {
    auto& blk = g.tbl->block_of(g.rid);
    uint32_t slot = storage::rid_slot(g.rid);
    uint64_t xmin = blk.load_xmin(slot);
    if (xmin == storage::slot_free) continue;
    // A deletion whose commit was rolled back (log failure) left its entry: the row lives.
    uint64_t xmax = blk.load_xmax(slot);
    if (xmin != storage::slot_aborted && (xmax == ts_infinity || (xmax & txn_bit))) continue;
    auto indexes = g.tbl->indexes();
    for (auto& ix : *indexes) ix->erase(ix->row_key(g.rid), g.rid);
    if (blk.next_version(slot) != storage::no_version) blk.set_next_version(slot, storage::no_version);
    g.tbl->reclaim(g.rid);
  }
  reclaimed_.fetch_add(batch.size(), std::memory_order_relaxed);
  return batch.size();
}

txn_stats txn_manager::stats() const {
  txn_stats s;
  {
    std::lock_guard lock(readers_mutex_);  // (unregister_reader moves a slot's reads into committed_)
    s.committed = committed_.load();
    for (auto* r : readers_) s.committed += r->reads_.load(std::memory_order_relaxed);
  }
  s.aborted = aborted_.load();
  s.lock_waits = lock_waits_.load();
  s.gc_reclaimed = reclaimed_.load();
  for (auto& sh : registry_) {
    std::shared_lock lock(sh.mutex);
    s.active += sh.map.size();
  }
  return s;
}

}  // namespace db001::txn
