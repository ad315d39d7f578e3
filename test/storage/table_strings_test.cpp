// Where a table keeps a string's bytes: inline in the slot (up to string_t::inline_max), in the
// block's medium area (up to medium_max; an address known from the slot), or on the heap —
// and that reads, slot reuse and the table's memory accounting agree for all three.
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "storage/table.h"

using namespace db001;
using db001::storage::block_rows;
using db001::storage::column_def;
using db001::storage::medium_max;
using db001::storage::rid_slot;
using db001::storage::row_id;
using db001::string_t;
using db001::storage::table;

namespace {

table text_table() { return table(1, "t", {column_def{"s", sql_type::text()}}); }

const string_t& stored(const table& t, row_id r) {
  return reinterpret_cast<const string_t*>(t.block_of(r).column(0).data)[rid_slot(r)];
}

bool in_medium_area(const table& t, row_id r) { return t.block_of(r).column(0).in_medium(stored(t, r).data()); }

std::string text_of(size_t len, char fill) {
  std::string s;
  for (size_t i = 0; i < len; ++i) s.push_back(char(fill + i % 7));
  return s;
}

/// 18 bytes: "writer W row NNNNN".
std::string writer_text(int w, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "writer %d row %05d", w, i);
  return buf;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(table_strings)

BOOST_AUTO_TEST_CASE(each_length_reads_back_from_its_place) {
  table t = text_table();
  // The first medium string (20 bytes) makes the block's area 32 bytes wide.
  const size_t lengths[] = {0, 1, 12, 20, 13, 31, 32, 33, 64, 1000};
  std::vector<row_id> rids;
  for (size_t len : lengths) {
    row_id r = t.allocate_slot();
    t.set_string(r, 0, text_of(len, 'a'));
    rids.push_back(r);
  }
  for (size_t i = 0; i < rids.size(); ++i) {
    size_t len = lengths[i];
    BOOST_TEST(stored(t, rids[i]).view() == text_of(len, 'a'), "length " << len);
    bool medium = len > string_t::inline_max && len <= medium_max;
    BOOST_TEST(in_medium_area(t, rids[i]) == medium, "length " << len);
  }
}

BOOST_AUTO_TEST_CASE(memory_counts_the_medium_area_once_per_block_and_heap_strings_each) {
  table t = text_table();
  row_id a = t.allocate_slot();
  const size_t block_only = t.memory_bytes();
  t.set_string(a, 0, text_of(5, 'a'));  // inline: nothing more
  BOOST_TEST(t.memory_bytes() == block_only);
  row_id b = t.allocate_slot();
  t.set_string(b, 0, text_of(20, 'b'));  // the block's first medium string makes the area
  const size_t with_area = block_only + size_t(block_rows) * medium_max;
  BOOST_TEST(t.memory_bytes() == with_area);
  row_id c = t.allocate_slot();
  t.set_string(c, 0, text_of(32, 'c'));  // same block: the same area
  BOOST_TEST(t.memory_bytes() == with_area);
  row_id d = t.allocate_slot();
  t.set_string(d, 0, text_of(40, 'd'));  // a heap string of its own
  BOOST_TEST(t.memory_bytes() == with_area + 40);
  t.reclaim(c);  // a medium string frees nothing (the area lives as long as the block)
  BOOST_TEST(t.memory_bytes() == with_area + 40);
  t.reclaim(d);
  BOOST_TEST(t.memory_bytes() == with_area);
  BOOST_TEST(stored(t, b).view() == text_of(20, 'b'));
}

BOOST_AUTO_TEST_CASE(a_reused_slot_moves_between_heap_medium_and_inline) {
  table t = text_table();
  row_id keep = t.allocate_slot();
  t.set_string(keep, 0, text_of(30, 'k'));
  row_id r = t.allocate_slot();
  const size_t base = t.memory_bytes();  // the block and its medium area
  const size_t sequence[] = {13, 100, 25, 3, 32, 33, 0, 14};
  for (size_t len : sequence) {
    t.set_string(r, 0, text_of(len, 'r'));
    BOOST_TEST(stored(t, r).view() == text_of(len, 'r'), "length " << len);
    t.reclaim(r);
    row_id again = t.allocate_slot();
    BOOST_TEST(again == r, "the reclaimed slot is handed out next");
    r = again;
  }
  t.set_null(r, 0);
  BOOST_TEST(stored(t, r).size() == 0u);
  BOOST_TEST(stored(t, keep).view() == text_of(30, 'k'), "a neighbour's medium string is untouched");
  // Every heap string was freed again: only the block and its medium area remain.
  BOOST_TEST(t.memory_bytes() == base);
}

BOOST_AUTO_TEST_CASE(a_column_of_short_medium_strings_gets_narrow_areas_until_a_longer_one_comes) {
  table t = text_table();
  const size_t empty_block = [&] {
    table e = text_table();
    e.allocate_slot();
    return e.memory_bytes();
  }();
  std::vector<row_id> first(block_rows);
  for (uint32_t i = 0; i < block_rows; ++i) first[i] = t.allocate_slot();
  t.set_string(first[0], 0, text_of(16, 'a'));  // medium strings so far fit 16 bytes: a narrow area
  BOOST_TEST(in_medium_area(t, first[0]));
  BOOST_TEST(t.memory_bytes() == empty_block + size_t(block_rows) * db001::storage::medium_narrow);
  t.set_string(first[1], 0, text_of(17, 'b'));  // too wide for this block's area: the heap
  BOOST_TEST(!in_medium_area(t, first[1]));
  BOOST_TEST(stored(t, first[1]).view() == text_of(17, 'b'));
  BOOST_TEST(t.memory_bytes() == empty_block + size_t(block_rows) * db001::storage::medium_narrow + 17);
  t.set_string(first[2], 0, text_of(13, 'c'));  // still fits the narrow area
  BOOST_TEST(in_medium_area(t, first[2]));
  // The next block's area is made wide, for the column has had a 17-byte string.
  row_id next = t.allocate_slot();
  BOOST_TEST(db001::storage::rid_block(next) == 1u);
  t.set_string(next, 0, text_of(14, 'd'));
  row_id next2 = t.allocate_slot();
  t.set_string(next2, 0, text_of(32, 'e'));
  BOOST_TEST(in_medium_area(t, next));
  BOOST_TEST(in_medium_area(t, next2));
  BOOST_TEST(stored(t, next2).view() == text_of(32, 'e'));
  BOOST_TEST(t.memory_bytes() == 2 * empty_block + size_t(block_rows) * (db001::storage::medium_narrow + medium_max) + 17);
}

BOOST_AUTO_TEST_CASE(concurrent_writers_share_one_medium_area_per_block) {
  table t = text_table();
  constexpr int threads = 4, per_thread = 3000;
  std::vector<std::vector<row_id>> rids(threads);
  std::vector<std::thread> ts;
  for (int w = 0; w < threads; ++w)
    ts.emplace_back([&, w] {
      for (int i = 0; i < per_thread; ++i) {
        row_id r = t.allocate_slot();
        t.set_string(r, 0, writer_text(w, i));
        rids[w].push_back(r);
      }
    });
  for (auto& th : ts) th.join();
  for (int w = 0; w < threads; ++w)
    for (int i = 0; i < per_thread; ++i) {
      row_id r = rids[w][i];
      BOOST_TEST_REQUIRE(stored(t, r).view() == writer_text(w, i));
      BOOST_TEST_REQUIRE(in_medium_area(t, r));
    }
  // One medium area per block, whichever writer made it.
  size_t blocks = t.block_count();
  table empty = text_table();
  std::vector<row_id> fill;
  for (size_t i = 0; i < blocks * block_rows; ++i) fill.push_back(empty.allocate_slot());
  BOOST_TEST(t.memory_bytes() == empty.memory_bytes() + blocks * block_rows * medium_max);
}

BOOST_AUTO_TEST_SUITE_END()
