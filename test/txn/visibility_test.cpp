// MVCC truth table of txn/txn_manager: visible(), unique_conflict() and lock_version(), one case
// per rule (in the style of Hyrise's validate_visibility_test). The tests drive a txn_manager and
// a storage::table directly: they allocate slots, stamp xmin/xmax with transaction markers or
// timestamps, record the writes, and commit/abort. A few cases simulate states that only exist
// for an instant in real runs (a writer that has its commit timestamp but has not stamped its
// rows yet, a writer in the middle of committing) by setting txn_state::commit_ts by hand.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "storage/error.h"
#include "storage/table.h"
#include "txn/transaction.h"
#include "txn/txn_manager.h"

namespace {

using namespace std::chrono_literals;
namespace st = db001::storage;
namespace tx = db001::txn;
using tm_t = db001::txn::txn_manager;  // the suite below is named txn_manager (a namespace)
using st::row_id;
using st::slot_aborted;
using st::slot_free;
using st::ts_infinity;
using st::txn_bit;
using tx::isolation;
using tx::lock_outcome;
using tx::snapshot;

/// A transaction manager and a one-column INT table whose slots the tests stamp by hand.
struct mvcc_fixture {
  tm_t tm;
  std::shared_ptr<st::table> tbl = std::make_shared<st::table>(
      1, "t", std::vector<st::column_def>{{"a", db001::sql_type::int32()}});

  /// A new slot holding value v with the given stamps (xmin published last, as writers do).
  row_id new_slot(uint64_t xmin, uint64_t xmax = ts_infinity, int32_t v = 7) {
    row_id rid = tbl->allocate_slot();
    tbl->set_fixed(rid, 0, &v);
    blk(rid).store_xmax(st::rid_slot(rid), xmax);
    blk(rid).store_xmin(st::rid_slot(rid), xmin);
    return rid;
  }
  st::row_block& blk(row_id rid) { return tbl->block_of(rid); }
  uint32_t slot(row_id rid) { return st::rid_slot(rid); }
  uint64_t xmin(row_id rid) { return blk(rid).load_xmin(slot(rid)); }
  uint64_t xmax(row_id rid) { return blk(rid).load_xmax(slot(rid)); }

  std::unique_ptr<tx::transaction> begin(isolation level = isolation::read_committed) {
    auto t = tm.begin(level);
    tm.begin_statement(*t, true);
    return t;
  }
  /// t inserts a row in its current command: xmin = t's marker, recorded in the write set.
  row_id insert(tx::transaction& t, int32_t v = 7) {
    row_id rid = new_slot(t.marker(), ts_infinity, v);
    tm.record_insert(t, tbl, rid);
    return rid;
  }
  /// t deletes version rid (takes the row lock, records it).
  void remove(tx::transaction& t, row_id rid) {
    BOOST_REQUIRE(tm.lock_version(t, blk(rid), slot(rid)) == lock_outcome::locked);
    tm.record_delete(t, tbl, rid);
  }
  /// A row committed by its own transaction (stamp = a real commit timestamp).
  row_id committed_row(int32_t v = 7) {
    auto t = begin();
    row_id rid = insert(*t, v);
    uint64_t cts = tm.commit(*t);
    BOOST_REQUIRE(cts != 0);
    BOOST_REQUIRE_EQUAL(xmin(rid), cts);
    return rid;
  }
  bool vis(row_id rid, const snapshot& s) { return tm.visible(blk(rid), slot(rid), s); }
  bool vis(row_id rid, const tx::transaction& t) { return vis(rid, tm.snapshot_of(t)); }
  bool vis_now(row_id rid) { return vis(rid, tm.current_snapshot()); }
  int unique(const tx::transaction& t, row_id rid, uint64_t* wait_seq) {
    *wait_seq = 0;
    return tm.unique_conflict(t, blk(rid), slot(rid), wait_seq);
  }
  /// The marker of a transaction that has ended and left the registry (aborted, nothing
  /// written): a stamp that nobody will ever replace.
  uint64_t vanished_marker() {
    auto t = begin();
    uint64_t m = t->marker();
    tm.abort(*t);
    return m;
  }
};

template <class F>
bool ready_within(F& fut, std::chrono::milliseconds d) {
  return fut.wait_for(d) == std::future_status::ready;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(txn_manager)

// ------------------------------------------------------------------------------------------
// visible(): inserts
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(own_uncommitted_insert_hidden_from_same_command_visible_to_later, mvcc_fixture) {
  auto t = begin();
  BOOST_REQUIRE_EQUAL(t->cid, 0u);
  row_id r0 = insert(*t);
  BOOST_TEST(!vis(r0, *t), "a statement must not see the rows it inserts itself (Halloween)");
  tm.begin_statement(*t, false);
  BOOST_REQUIRE_EQUAL(t->cid, 1u);
  BOOST_TEST(vis(r0, *t), "a later command sees the rows of an earlier command of its transaction");
  row_id r1 = insert(*t);
  BOOST_TEST(!vis(r1, *t));
  BOOST_TEST(vis(r0, *t));
  // Same rule under REPEATABLE READ.
  auto rr = begin(isolation::repeatable_read);
  row_id r2 = insert(*rr);
  BOOST_TEST(!vis(r2, *rr));
  tm.begin_statement(*rr, false);
  BOOST_TEST(vis(r2, *rr));
  tm.abort(*t);
  tm.abort(*rr);
}

BOOST_FIXTURE_TEST_CASE(other_uncommitted_insert_invisible, mvcc_fixture) {
  auto writer = begin();
  tm.begin_statement(*writer, false);  // cid 1: the reader's cid is 0, it must not matter
  row_id r = insert(*writer);
  auto reader = begin();
  tm.begin_statement(*reader, false);
  tm.begin_statement(*reader, false);
  BOOST_TEST(!vis(r, *reader));
  BOOST_TEST(!vis_now(r));
  BOOST_TEST(vis(r, snapshot{tm.now(), writer->marker_base(), writer->cid + 1}), "but its writer sees it");
  tm.abort(*writer);
  tm.abort(*reader);
}

BOOST_FIXTURE_TEST_CASE(insert_committed_before_snapshot_visible, mvcc_fixture) {
  auto writer = begin();
  row_id r = insert(*writer);
  BOOST_TEST((xmin(r) & txn_bit) != 0);
  uint64_t cts = tm.commit(*writer);
  BOOST_TEST(xmin(r) == cts, "commit replaces the marker by the commit timestamp");
  auto reader = begin(isolation::repeatable_read);
  BOOST_TEST(reader->read_ts >= cts);
  BOOST_TEST(vis(r, *reader));
  BOOST_TEST(vis_now(r));
  BOOST_TEST(vis(r, snapshot{cts, 0, 0}), "a snapshot at exactly the commit timestamp sees it");
  tm.abort(*reader);
}

BOOST_FIXTURE_TEST_CASE(insert_committed_after_snapshot_invisible, mvcc_fixture) {
  auto rr = begin(isolation::repeatable_read);
  auto rc = begin(isolation::read_committed);
  auto writer = begin();
  row_id r = insert(*writer);
  uint64_t cts = tm.commit(*writer);
  BOOST_TEST(cts > rr->read_ts);
  BOOST_TEST(!vis(r, *rr));
  BOOST_TEST(!vis(r, *rc));
  BOOST_TEST(!vis(r, snapshot{cts - 1, 0, 0}));
  // The next statement: REPEATABLE READ keeps its snapshot, READ COMMITTED takes a new one.
  tm.begin_statement(*rr, false);
  tm.begin_statement(*rc, false);
  BOOST_TEST(!vis(r, *rr), "REPEATABLE READ must keep the transaction's first snapshot");
  BOOST_TEST(vis(r, *rc), "READ COMMITTED takes a new snapshot per statement");
  tm.abort(*rr);
  tm.abort(*rc);
}

BOOST_FIXTURE_TEST_CASE(snapshot_taken_at_first_statement_not_begin, mvcc_fixture) {
  auto rr = tm.begin(isolation::repeatable_read);  // BEGIN, no statement yet
  row_id r = committed_row();
  tm.begin_statement(*rr, true);
  BOOST_TEST(vis(r, *rr), "a commit between BEGIN and the first statement is in the snapshot");
  row_id later = committed_row();
  tm.begin_statement(*rr, false);
  BOOST_TEST(!vis(later, *rr));
  tm.abort(*rr);
}

BOOST_FIXTURE_TEST_CASE(aborted_insert_invisible, mvcc_fixture) {
  auto writer = begin();
  row_id r = insert(*writer);
  auto rc = begin();
  tm.abort(*writer);
  BOOST_TEST(xmin(r) == slot_aborted, "abort marks the inserted slot aborted");
  BOOST_TEST(!vis(r, *rc));
  BOOST_TEST(!vis_now(r));
  BOOST_TEST(!vis(r, snapshot{tm.now() + 100, 0, 0}));
  auto later = begin();
  BOOST_TEST(!vis(r, *later));
  tm.abort(*rc);
  tm.abort(*later);
}

BOOST_FIXTURE_TEST_CASE(insert_marker_of_vanished_writer_invisible, mvcc_fixture) {
  // A marker whose transaction is gone from the registry without stamping it is an aborted
  // insert (a committed writer always stamps before it leaves the registry).
  row_id r = new_slot(vanished_marker());
  BOOST_TEST(!vis_now(r));
  auto t = begin();
  BOOST_TEST(!vis(r, *t));
  tm.abort(*t);
}

BOOST_FIXTURE_TEST_CASE(free_slot_invisible, mvcc_fixture) {
  auto t = begin();
  row_id r = new_slot(slot_free);
  BOOST_TEST(!vis_now(r));
  BOOST_TEST(!vis(r, *t));
  BOOST_TEST(!vis(r, snapshot{tm.now() + 100, t->marker_base(), t->cid + 5}));
  row_id a = new_slot(slot_aborted);
  BOOST_TEST(!vis_now(a));
  BOOST_TEST(!vis(a, *t));
  // A reclaimed slot (reclaim() resets the stamps) is free again.
  row_id c = committed_row();
  BOOST_REQUIRE(vis_now(c));
  tbl->reclaim(c);
  BOOST_TEST(xmin(c) == slot_free);
  BOOST_TEST(!vis_now(c));
  tm.abort(*t);
}

// ------------------------------------------------------------------------------------------
// visible(): deletes
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(deleted_by_own_earlier_command_invisible, mvcc_fixture) {
  row_id r = committed_row();
  auto t = begin();
  remove(*t, r);
  BOOST_TEST(xmax(r) == t->marker());
  tm.begin_statement(*t, false);
  BOOST_TEST(!vis(r, *t));
  tm.abort(*t);
}

BOOST_FIXTURE_TEST_CASE(deleted_by_own_current_command_still_visible, mvcc_fixture) {
  row_id r = committed_row();
  auto t = begin();
  tm.begin_statement(*t, false);
  remove(*t, r);
  BOOST_TEST(vis(r, *t), "the deleting statement still sees the version it deletes");
  // Inserted and deleted by the same earlier command: gone for later commands.
  row_id own = insert(*t);
  tm.begin_statement(*t, false);
  BOOST_TEST(vis(own, *t));
  remove(*t, own);
  BOOST_TEST(vis(own, *t));
  tm.begin_statement(*t, false);
  BOOST_TEST(!vis(own, *t));
  BOOST_TEST(!vis(r, *t));
  tm.abort(*t);
}

BOOST_FIXTURE_TEST_CASE(deleted_by_other_uncommitted_visible, mvcc_fixture) {
  row_id r = committed_row();
  auto deleter = begin();
  remove(*deleter, r);
  auto reader = begin();
  BOOST_TEST(vis(r, *reader));
  BOOST_TEST(vis_now(r));
  tm.abort(*deleter);
  tm.abort(*reader);
}

BOOST_FIXTURE_TEST_CASE(deleted_by_other_committed_before_snapshot_invisible, mvcc_fixture) {
  row_id r = committed_row();
  auto deleter = begin();
  remove(*deleter, r);
  uint64_t cts = tm.commit(*deleter);
  BOOST_TEST(xmax(r) == cts, "commit stamps xmax with the commit timestamp");
  auto reader = begin(isolation::repeatable_read);
  BOOST_TEST(!vis(r, *reader));
  BOOST_TEST(!vis_now(r));
  BOOST_TEST(!vis(r, snapshot{cts, 0, 0}));
  tm.abort(*reader);
}

BOOST_FIXTURE_TEST_CASE(deleted_by_other_committed_after_snapshot_visible, mvcc_fixture) {
  row_id r = committed_row();
  auto rr = begin(isolation::repeatable_read);
  auto deleter = begin();
  remove(*deleter, r);
  uint64_t cts = tm.commit(*deleter);
  BOOST_TEST(cts > rr->read_ts);
  BOOST_TEST(vis(r, *rr));
  tm.begin_statement(*rr, false);
  BOOST_TEST(vis(r, *rr), "REPEATABLE READ still sees the version deleted after its snapshot");
  BOOST_TEST(vis(r, snapshot{cts - 1, 0, 0}));
  BOOST_TEST(!vis_now(r));
  tm.abort(*rr);
}

BOOST_FIXTURE_TEST_CASE(aborted_delete_visible_again, mvcc_fixture) {
  row_id r = committed_row();
  auto deleter = begin();
  remove(*deleter, r);
  tm.begin_statement(*deleter, false);
  BOOST_REQUIRE(!vis(r, *deleter));
  tm.abort(*deleter);
  BOOST_TEST(xmax(r) == ts_infinity, "abort puts the live xmax back");
  BOOST_TEST(vis_now(r));
  auto reader = begin();
  BOOST_TEST(vis(r, *reader));
  tm.abort(*reader);
}

BOOST_FIXTURE_TEST_CASE(delete_marker_of_vanished_writer_visible, mvcc_fixture) {
  row_id base = committed_row();
  row_id r = new_slot(xmin(base), vanished_marker());
  BOOST_REQUIRE(!(xmin(r) & txn_bit));
  BOOST_TEST(vis_now(r), "an xmax marker of a transaction that ended without stamping it is an aborted delete");
}

// ------------------------------------------------------------------------------------------
// visible(): a writer that committed but has not stamped its rows yet
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(committed_but_not_yet_stamped_resolved_by_commit_ts, mvcc_fixture) {
  row_id old_row = committed_row();
  auto writer = begin();
  row_id ins = insert(*writer);
  remove(*writer, old_row);
  // The state commit() is in between assigning commit_ts and stamping the rows.
  uint64_t cts = tm.now() + 10;
  writer->state->commit_ts.store(cts);
  BOOST_REQUIRE((xmin(ins) & txn_bit) && (xmax(old_row) & txn_bit));
  BOOST_TEST(vis(ins, snapshot{cts, 0, 0}), "insert committed at cts: visible to a snapshot at cts");
  BOOST_TEST(vis(ins, snapshot{cts + 5, 0, 0}));
  BOOST_TEST(!vis(ins, snapshot{cts - 1, 0, 0}));
  BOOST_TEST(!vis_now(ins));
  BOOST_TEST(!vis(old_row, snapshot{cts, 0, 0}), "delete committed at cts: gone for a snapshot at cts");
  BOOST_TEST(vis(old_row, snapshot{cts - 1, 0, 0}));
  BOOST_TEST(vis_now(old_row));
  // Until its end is final (done: stamped, and durable with a synchronous log) unique checks
  // wait for it; then they treat it as committed.
  auto other = begin();
  uint64_t wait_seq = 0;
  BOOST_TEST(unique(*other, ins, &wait_seq) == 2);
  BOOST_TEST(wait_seq == writer->seq());
  writer->state->done.store(true);
  wait_seq = 0;
  BOOST_TEST(unique(*other, ins, &wait_seq) == 1);
  BOOST_TEST(wait_seq == 0u);
  BOOST_TEST(unique(*other, old_row, &wait_seq) == 0);
  BOOST_TEST(wait_seq == 0u);
  // And a row lock on the deleted version reports the concurrent update without waiting.
  BOOST_TEST((tm.lock_version(*other, blk(old_row), slot(old_row)) == lock_outcome::updated));
  tm.abort(*other);
  writer->state->commit_ts.store(tx::status_active);
  writer->state->done.store(false);
  tm.abort(*writer);
}

BOOST_FIXTURE_TEST_CASE(reader_waits_for_a_committing_writer, mvcc_fixture) {
  auto writer = begin();
  row_id ins = insert(*writer);
  writer->state->commit_ts.store(tx::status_committing);
  uint64_t cts = tm.now() + 1;
  auto fut = std::async(std::launch::async, [&] { return vis(ins, snapshot{cts, 0, 0}); });
  bool early = ready_within(fut, 100ms);
  BOOST_TEST(!early, "a reader must not decide while the writer is committing");
  writer->state->commit_ts.store(cts);
  if (!ready_within(fut, 10s)) {
    writer->state->commit_ts.store(tx::status_active);
    BOOST_FAIL("reader still spinning after the writer got its commit timestamp");
  }
  BOOST_TEST(fut.get(), "the committing writer's insert at ts <= read_ts is visible");
  writer->state->commit_ts.store(tx::status_active);
  tm.abort(*writer);
}

// ------------------------------------------------------------------------------------------
// unique_conflict()
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(unique_conflict_outcomes, mvcc_fixture) {
  auto t = begin();
  uint64_t w = 0;
  // 0: nothing there.
  BOOST_TEST(unique(*t, new_slot(slot_free), &w) == 0);
  BOOST_TEST(unique(*t, new_slot(slot_aborted), &w) == 0);
  BOOST_TEST(unique(*t, new_slot(vanished_marker()), &w) == 0, "inserter aborted");
  BOOST_TEST(w == 0u);
  // 1: a live committed version.
  row_id live = committed_row();
  BOOST_TEST(unique(*t, live, &w) == 1);
  // 0: deleted by a committed transaction (even one after t's snapshot: unique checks are dirty).
  row_id gone = committed_row();
  {
    auto d = begin();
    remove(*d, gone);
    tm.commit(*d);
  }
  BOOST_TEST(unique(*t, gone, &w) == 0);
  // 1: my own uncommitted insert.
  row_id mine = insert(*t);
  BOOST_TEST(unique(*t, mine, &w) == 1);
  // 0: a version I deleted myself.
  row_id deleted_by_me = committed_row();
  remove(*t, deleted_by_me);
  BOOST_TEST(unique(*t, deleted_by_me, &w) == 0);
  // 1: the deleter aborted (stale marker left behind) -> still live.
  row_id stale_xmax = new_slot(xmin(live), vanished_marker());
  BOOST_TEST(unique(*t, stale_xmax, &w) == 1);
  // 1: the deleter aborted properly.
  row_id undeleted = committed_row();
  {
    auto d = begin();
    remove(*d, undeleted);
    tm.abort(*d);
  }
  BOOST_TEST(unique(*t, undeleted, &w) == 1);
  // 2: another running transaction's insert -> wait for it.
  auto other = begin();
  row_id theirs = insert(*other);
  BOOST_TEST(unique(*t, theirs, &w) == 2);
  BOOST_TEST(w == other->seq());
  // 2: another running transaction's delete of a live version -> wait for it.
  row_id contested = committed_row();
  remove(*other, contested);
  BOOST_TEST(unique(*t, contested, &w) == 2);
  BOOST_TEST(w == other->seq());
  // After the other commits: its insert conflicts, its delete frees the key.
  tm.commit(*other);
  BOOST_TEST(unique(*t, theirs, &w) == 1);
  BOOST_TEST(unique(*t, contested, &w) == 0);
  // After another aborts: its insert is no conflict.
  auto third = begin();
  row_id aborted_ins = insert(*third);
  BOOST_TEST(unique(*t, aborted_ins, &w) == 2);
  tm.abort(*third);
  BOOST_TEST(unique(*t, aborted_ins, &w) == 0);
  tm.abort(*t);
}

// ------------------------------------------------------------------------------------------
// lock_version()
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(lock_version_locked_and_already_ours, mvcc_fixture) {
  row_id r = committed_row();
  auto t = begin();
  BOOST_TEST((tm.lock_version(*t, blk(r), slot(r)) == lock_outcome::locked));
  BOOST_TEST(xmax(r) == t->marker());
  tm.record_delete(*t, tbl, r);  // as the DML operators do after taking the lock
  BOOST_TEST((tm.lock_version(*t, blk(r), slot(r)) == lock_outcome::already_ours), "same command");
  tm.begin_statement(*t, false);
  BOOST_TEST((tm.lock_version(*t, blk(r), slot(r)) == lock_outcome::already_ours), "later command");
  BOOST_TEST(xmax(r) == t->marker_base(), "the lock keeps the command that took it");
  tm.abort(*t);
  BOOST_TEST(xmax(r) == ts_infinity, "abort releases the row lock");
}

BOOST_FIXTURE_TEST_CASE(lock_version_updated_by_commit_after_snapshot, mvcc_fixture) {
  row_id r = committed_row();
  auto rr = begin(isolation::repeatable_read);
  auto d = begin();
  remove(*d, r);
  tm.commit(*d);
  BOOST_REQUIRE(vis(r, *rr));
  uint64_t before = xmax(r);
  BOOST_TEST((tm.lock_version(*rr, blk(r), slot(r)) == lock_outcome::updated));
  BOOST_TEST(xmax(r) == before, "an 'updated' outcome must not touch the stamp");
  tm.abort(*rr);
}

BOOST_FIXTURE_TEST_CASE(lock_version_takes_over_stale_marker_of_vanished_writer, mvcc_fixture) {
  row_id base = committed_row();
  row_id r = new_slot(xmin(base), vanished_marker());
  auto t = begin();
  BOOST_TEST((tm.lock_version(*t, blk(r), slot(r)) == lock_outcome::locked));
  BOOST_TEST(xmax(r) == t->marker());
  tm.abort(*t);
}

BOOST_FIXTURE_TEST_CASE(lock_version_waits_then_locks_when_holder_aborts, mvcc_fixture) {
  row_id r = committed_row();
  auto holder = begin();
  remove(*holder, r);
  auto waiter = begin(isolation::repeatable_read);
  uint64_t waits = tm.stats().lock_waits;
  auto fut = std::async(std::launch::async, [&] { return tm.lock_version(*waiter, blk(r), slot(r)); });
  BOOST_TEST(!ready_within(fut, 150ms), "lock_version must wait for the running holder");
  BOOST_TEST(tm.stats().lock_waits > waits);
  tm.abort(*holder);
  if (!ready_within(fut, 10s)) BOOST_FAIL("waiter not woken by the holder's abort");
  BOOST_TEST((fut.get() == lock_outcome::locked));
  BOOST_TEST(xmax(r) == waiter->marker());
  tm.abort(*waiter);
}

BOOST_FIXTURE_TEST_CASE(lock_version_waits_then_updated_when_holder_commits, mvcc_fixture) {
  row_id r = committed_row();
  auto holder = begin();
  remove(*holder, r);
  auto waiter = begin(isolation::repeatable_read);
  auto fut = std::async(std::launch::async, [&] { return tm.lock_version(*waiter, blk(r), slot(r)); });
  BOOST_TEST(!ready_within(fut, 150ms));
  uint64_t cts = tm.commit(*holder);
  if (!ready_within(fut, 10s)) BOOST_FAIL("waiter not woken by the holder's commit");
  BOOST_TEST((fut.get() == lock_outcome::updated));
  BOOST_TEST(xmax(r) == cts);
  tm.abort(*waiter);
}

BOOST_FIXTURE_TEST_CASE(lock_version_deadlock_detected, mvcc_fixture) {
  row_id a = committed_row(1), b = committed_row(2);
  auto t1 = begin();
  auto t2 = begin();
  remove(*t1, a);
  remove(*t2, b);
  auto fut = std::async(std::launch::async, [&] {
    try {
      return std::string(tm.lock_version(*t1, blk(b), slot(b)) == lock_outcome::locked ? "locked" : "other");
    } catch (const db001::db_error& e) {
      return e.code();
    }
  });
  BOOST_REQUIRE(!ready_within(fut, 200ms));  // t1 now waits for t2
  std::string t2_result = "no error";
  try {
    tm.lock_version(*t2, blk(a), slot(a));
  } catch (const db001::db_error& e) {
    t2_result = e.code();
  }
  BOOST_TEST(t2_result == db001::sqlstate::deadlock_detected);
  BOOST_TEST(t2->state->waiting_for.load() == 0u, "the failed waiter no longer waits");
  tm.abort(*t2);
  if (!ready_within(fut, 10s)) BOOST_FAIL("t1 still blocked after the deadlock victim aborted");
  BOOST_TEST(fut.get() == "locked");
  tm.abort(*t1);
}

// ------------------------------------------------------------------------------------------
// Races with a writer that aborts (stress, bounded time). The decisions must never treat an
// aborted writer as committed, whatever moment the reader looks.
// ------------------------------------------------------------------------------------------

BOOST_FIXTURE_TEST_CASE(aborted_insert_never_visible_to_concurrent_reader, mvcc_fixture) {
  row_id r = new_slot(slot_aborted);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> rounds{0};
  std::thread writer([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      auto t = tm.begin(isolation::read_committed);
      tm.begin_statement(*t, true);
      blk(r).store_xmin(slot(r), t->marker());  // insert into the slot...
      tm.record_insert(*t, tbl, r);
      tm.abort(*t);  // ...and abort (xmin := slot_aborted)
      rounds.fetch_add(1, std::memory_order_relaxed);
    }
  });
  uint64_t checks = 0, seen = 0;
  auto end = std::chrono::steady_clock::now() + 700ms;
  while (std::chrono::steady_clock::now() < end)
    for (int i = 0; i < 256; ++i, ++checks) seen += vis(r, snapshot{tm.now(), 0, 0});
  stop = true;
  writer.join();
  BOOST_TEST_MESSAGE("aborted inserts: " << rounds.load() << ", visibility checks: " << checks);
  BOOST_TEST(rounds.load() > 100u);
  BOOST_TEST(seen == 0u, "an insert that never committed was visible " << seen << " times");
}

BOOST_FIXTURE_TEST_CASE(lock_version_never_reports_aborted_writer_as_update, mvcc_fixture) {
  row_id r = committed_row();
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> rounds{0};
  std::thread writer([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      auto t = tm.begin(isolation::read_committed);
      tm.begin_statement(*t, true);
      if (tm.lock_version(*t, blk(r), slot(r)) == lock_outcome::locked) tm.record_delete(*t, tbl, r);
      tm.abort(*t);
      rounds.fetch_add(1, std::memory_order_relaxed);
    }
  });
  uint64_t attempts = 0, updated = 0;
  auto end = std::chrono::steady_clock::now() + 700ms;
  while (std::chrono::steady_clock::now() < end) {
    auto t = tm.begin(isolation::repeatable_read);
    tm.begin_statement(*t, true);
    auto o = tm.lock_version(*t, blk(r), slot(r));
    if (o == lock_outcome::locked) tm.record_delete(*t, tbl, r);
    if (o == lock_outcome::updated) ++updated;
    tm.abort(*t);
    ++attempts;
  }
  stop = true;
  writer.join();
  BOOST_TEST_MESSAGE("writer rounds: " << rounds.load() << ", lock attempts: " << attempts);
  BOOST_TEST(rounds.load() > 100u);
  BOOST_TEST(updated == 0u, "nobody ever committed a change, yet lock_version reported 'updated' "
                                << updated << " times (a spurious 40001 / a followed stale chain)");
}

BOOST_FIXTURE_TEST_CASE(dead_version_never_live_while_its_slot_is_reclaimed, mvcc_fixture) {
  // The garbage collector reclaims a dead version (xmin and xmax committed before every
  // snapshot) while readers still examine the slot (an index entry read before the GC erased
  // it, or a seq scan). Every state the slot passes through - dead version, free slot, a new
  // dead version - is invisible and no unique conflict; a reader must never see it as live.
  row_id r = new_slot(2, 3);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> rounds{0};
  const uint64_t read_ts = uint64_t(1) << 40;
  std::thread gc([&] {
    uint64_t ts = 4;
    while (!stop.load(std::memory_order_relaxed)) {
      tbl->reclaim(r);                         // as collect_garbage() does
      row_id again = tbl->allocate_slot();     // reused for another version...
      if (again != r) break;
      blk(r).store_xmax(slot(r), ts + 1);      // ...which is also dead (stamps published
      blk(r).store_xmin(slot(r), ts);          // xmax first, xmin last, as writers do)
      ts += 2;
      rounds.fetch_add(1, std::memory_order_relaxed);
    }
  });
  auto t = begin();
  uint64_t checks = 0, live = 0, conflicts = 0, w = 0;
  auto end = std::chrono::steady_clock::now() + 500ms;
  while (std::chrono::steady_clock::now() < end)
    for (int i = 0; i < 256; ++i, ++checks) {
      live += vis(r, snapshot{read_ts, 0, 0});
      conflicts += unique(*t, r, &w) == 1;
    }
  stop = true;
  gc.join();
  tm.abort(*t);
  BOOST_TEST_MESSAGE("reclaim/reuse rounds: " << rounds.load() << ", checks: " << checks);
  BOOST_TEST(rounds.load() > 100u);
  BOOST_TEST(live == 0u, "a dead version was visible " << live << " times while its slot was reclaimed");
  BOOST_TEST(conflicts == 0u, "a dead version was a unique conflict " << conflicts << " times while its slot was reclaimed");
}

BOOST_AUTO_TEST_CASE(snapshot_readers_count_as_committed_read_only_transactions_and_hold_the_horizon) {
  tm_t tm;
  uint64_t before = tm.stats().committed;
  {
    tx::reader_slot a, b;
    for (int i = 0; i < 5; ++i) tx::snapshot_reader r(tm, a);
    for (int i = 0; i < 3; ++i) tx::snapshot_reader r(tm, b);
    BOOST_TEST(tm.stats().committed == before + 8);  // counted per slot, summed by stats()
    // A published reader holds the GC horizon at its snapshot.
    tx::snapshot_reader held(tm, a);
    uint64_t at = held.snap().read_ts;
    auto t = tm.begin(isolation::read_committed);
    tm.commit(*t);
    BOOST_TEST(tm.gc_horizon() <= at);
  }
  // The slots are gone: their counts stay in the total.
  BOOST_TEST(tm.stats().committed == before + 9 + 1);
}

BOOST_AUTO_TEST_SUITE_END()
