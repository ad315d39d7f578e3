// Tests of exec/simd_kernels' visible_rows over a block's (xmin, xmax) pairs against the rule
// it implements, slot by slot: visible without a look-up when 2 <= xmin <= read_ts < xmax and
// neither stamp is a transaction marker; a marker in either sends the slot to the slow path.
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "exec/simd_kernels.h"
#include "storage/row_block.h"

namespace st = db001::storage;

BOOST_AUTO_TEST_SUITE(visible_rows_kernel)

BOOST_AUTO_TEST_CASE(matches_the_rule_for_every_kind_of_stamp) {
  std::mt19937_64 rng(5);
  const uint64_t read_ts = 1000;
  const uint64_t marker = st::txn_bit | (uint64_t(7) << 20) | 3;
  // xmin: free, aborted, committed before / at / after read_ts, a writer's marker;
  // xmax: live, deleted before / at / after read_ts, a writer's marker.
  const std::vector<uint64_t> xmins = {st::slot_free, st::slot_aborted, 2, 500, read_ts, read_ts + 1, marker};
  const std::vector<uint64_t> xmaxs = {st::ts_infinity, 3, read_ts, read_ts + 1, 5000, marker};
  for (uint32_t n : {0u, 1u, 2u, 3u, 7u, 8u, 9u, 64u, 1023u, 1024u}) {
    for (int pattern = 0; pattern < 4; ++pattern) {
      std::vector<uint64_t> pairs(2 * size_t(n));
      for (uint32_t i = 0; i < n; ++i) {
        // pattern 0: all visible (the all-lanes path); 1: all free (the skip path); 2, 3: mixed.
        pairs[2 * i] = pattern == 0 ? 500 : pattern == 1 ? st::slot_free : xmins[rng() % xmins.size()];
        pairs[2 * i + 1] = pattern <= 1 ? st::ts_infinity : xmaxs[rng() % xmaxs.size()];
      }
      std::vector<uint32_t> want_sel, want_slow;
      for (uint32_t i = 0; i < n; ++i) {
        auto a = int64_t(pairs[2 * i]), b = int64_t(pairs[2 * i + 1]);
        if (a < 0 || b < 0)
          want_slow.push_back(i);
        else if (a >= 2 && uint64_t(a) <= read_ts && uint64_t(b) > read_ts)
          want_sel.push_back(i);
      }
      std::vector<uint32_t> sel(n + 1), slow(n + 1);
      uint32_t n_slow = 0;
      uint32_t k = db001::exec::simd::visible_rows(pairs.data(), n, read_ts, sel.data(), slow.data(), &n_slow);
      sel.resize(k);
      slow.resize(n_slow);
      BOOST_TEST(sel == want_sel, "n " << n << " pattern " << pattern);
      BOOST_TEST(slow == want_slow, "n " << n << " pattern " << pattern);
      if (pattern == 0) BOOST_TEST(k == n);
    }
  }
}

BOOST_AUTO_TEST_CASE(reads_a_row_blocks_pairs) {
  // The kernel's layout is the block's: slot i's xmin at 2 * i, its xmax at 2 * i + 1.
  auto blk_owner = std::make_unique<st::row_block>(std::vector<db001::phys>{db001::phys::i64});  // 16 kB of stamps: not on the stack
  st::row_block& blk = *blk_owner;
  blk.store_xmin(0, 10);
  blk.store_xmin(1, 10);
  blk.store_xmax(1, 20);  // deleted at 20
  blk.store_xmin(2, 30);  // committed after the snapshot
  uint32_t sel[3], slow[3], n_slow = 0;
  uint32_t k = db001::exec::simd::visible_rows(blk.stamp_pairs(), 3, 25, sel, slow, &n_slow);
  BOOST_REQUIRE_EQUAL(k, 1u);
  BOOST_TEST(sel[0] == 0u);
  BOOST_TEST(n_slow == 0u);
}

BOOST_AUTO_TEST_CASE(none_deleted_looks_at_every_xmax_only) {
  for (uint32_t n : {0u, 1u, 3u, 4u, 5u, 1024u}) {
    std::vector<uint64_t> pairs(2 * size_t(n));
    for (uint32_t i = 0; i < n; ++i) {
      pairs[2 * i] = i % 3 == 0 ? st::txn_bit | 5 : 7;  // xmins of any kind do not matter
      pairs[2 * i + 1] = st::ts_infinity;
    }
    BOOST_TEST(db001::exec::simd::none_deleted(pairs.data(), n), "n " << n);
    for (uint32_t at = 0; at < n; at += (n > 8 ? 97 : 1)) {
      for (uint64_t xmax : {uint64_t(9), st::txn_bit | 5, st::ts_infinity - 1}) {
        pairs[2 * at + 1] = xmax;
        BOOST_TEST(!db001::exec::simd::none_deleted(pairs.data(), n), "n " << n << " slot " << at);
      }
      pairs[2 * at + 1] = st::ts_infinity;
    }
  }
}

// A block's all-visible note (row_block::known_all_visible) holds only for the epoch, the
// high-water mark and the snapshots it was made for; every kind of stamp write ends it.
BOOST_AUTO_TEST_CASE(all_visible_note_ends_with_any_stamp_write) {
  auto owner = std::make_unique<st::row_block>(std::vector<db001::phys>{db001::phys::i64});
  st::row_block& blk = *owner;
  for (uint32_t s = 0; s < 4; ++s) blk.publish(s, 10 + s);
  BOOST_TEST(!blk.known_all_visible(4, 100), "no note yet");
  auto note = [&] { blk.note_all_visible(blk.stamp_epoch(), 4, 50); };
  note();
  BOOST_TEST(blk.known_all_visible(4, 50));
  BOOST_TEST(blk.known_all_visible(4, 1000));
  BOOST_TEST(!blk.known_all_visible(4, 49), "a snapshot older than the note's bound");
  BOOST_TEST(!blk.known_all_visible(5, 1000), "a slot the note did not cover");
  uint64_t wrong = 77;
  BOOST_TEST(!blk.cas_xmax(1, wrong, 99));
  BOOST_TEST(wrong == st::ts_infinity);
  BOOST_TEST(blk.known_all_visible(4, 1000), "a failed compare-and-swap writes nothing");
  const std::vector<std::pair<const char*, std::function<void()>>> writes = {
      {"store_xmin", [&] { blk.store_xmin(2, 12); }},          // even the same value
      {"store_xmax", [&] { blk.store_xmax(3, st::ts_infinity); }},
      {"cas_xmax", [&] { uint64_t e = st::ts_infinity; BOOST_TEST(blk.cas_xmax(0, e, st::txn_bit | 1)); }},
      {"cas_xmax back", [&] { uint64_t e = st::txn_bit | 1; BOOST_TEST(blk.cas_xmax(0, e, st::ts_infinity)); }},
      {"publish", [&] { blk.publish(1, 11); }},
      {"clear_stamps", [&] { blk.clear_stamps(3); }},
  };
  for (auto& [what, write] : writes) {
    note();
    BOOST_TEST(blk.known_all_visible(4, 1000), what);
    write();
    BOOST_TEST(!blk.known_all_visible(4, 1000), "after " << what);
  }
}

BOOST_AUTO_TEST_SUITE_END()
