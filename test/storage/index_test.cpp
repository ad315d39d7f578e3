// Indexes: an index on one NOT NULL integer column keeps integer entries; every other index
// keeps byte-string entries. Both must answer every lookup and range scan identically.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <stdexcept>

#include "storage/index.h"
#include "storage/table.h"

using namespace db001;
using db001::storage::column_def;
using db001::storage::key_bound;
using db001::storage::row_id;
using db001::storage::table;
using ix_t = db001::storage::index;

namespace {

std::string key_of(sql_type t, int64_t v) {
  std::string k;
  if (t.physical() == phys::i16) {
    int16_t x = int16_t(v);
    ix_t::encode(k, t, &x, false);
  } else if (t.physical() == phys::i32) {
    int32_t x = int32_t(v);
    ix_t::encode(k, t, &x, false);
  } else {
    ix_t::encode(k, t, &v, false);
  }
  return k;
}

std::vector<row_id> scan(const ix_t& ix, std::optional<key_bound> lo, std::optional<key_bound> hi, bool reverse) {
  std::vector<row_id> out;
  ix.scan_range(lo, hi, reverse, [&](const std::string&, row_id r) {
    out.push_back(r);
    return true;
  });
  return out;
}

void check_type(sql_type t, int64_t lo_value, int64_t hi_value) {
  std::vector<column_def> cols(2);
  cols[0].name = "a";
  cols[0].type = t;
  cols[0].not_null = true;
  cols[1].name = "b";
  cols[1].type = t;  // nullable: byte-string entries
  table tbl(1, "t", cols);
  ix_t ints(2, "ints", &tbl, {0}, false, false);
  ix_t bytes(3, "bytes", &tbl, {1}, false, false);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> dist(lo_value, hi_value);
  std::vector<int64_t> values;
  for (int i = 0; i < 3000; ++i) {
    int64_t v = i % 7 == 0 ? lo_value : i % 11 == 0 ? hi_value : dist(rng);
    values.push_back(v);
    row_id r = row_id(i);
    ints.insert(key_of(t, v), r);
    bytes.insert(key_of(t, v), r);
  }
  BOOST_TEST(ints.entry_count() == bytes.entry_count());
  for (int probe = 0; probe < 300; ++probe) {
    int64_t present = values[size_t(rng() % values.size())];
    int64_t a = present, b = dist(rng);
    if (a > b) std::swap(a, b);
    for (int flags = 0; flags < 16; ++flags) {
      std::optional<key_bound> lo, hi;
      if (flags & 1) lo = key_bound{key_of(t, a), bool(flags & 2)};
      if (flags & 4) hi = key_bound{key_of(t, b), bool(flags & 8)};
      for (bool reverse : {false, true}) {
        auto x = scan(ints, lo, hi, reverse);
        auto y = scan(bytes, lo, hi, reverse);
        BOOST_TEST(x == y);
      }
    }
    std::vector<row_id> eq_ints, eq_bytes;
    ints.scan_equal(key_of(t, present), [&](row_id r) { eq_ints.push_back(r); return true; });
    bytes.scan_equal(key_of(t, present), [&](row_id r) { eq_bytes.push_back(r); return true; });
    BOOST_TEST(eq_ints == eq_bytes);
    BOOST_TEST(!eq_ints.empty());
  }
  // Erase half and compare again.
  for (int i = 0; i < 3000; i += 2) {
    ints.erase(key_of(t, values[i]), row_id(i));
    bytes.erase(key_of(t, values[i]), row_id(i));
  }
  BOOST_TEST(ints.entry_count() == 1500u);
  BOOST_TEST(scan(ints, std::nullopt, std::nullopt, false) == scan(bytes, std::nullopt, std::nullopt, false));
  BOOST_TEST(scan(ints, std::nullopt, std::nullopt, true) == scan(bytes, std::nullopt, std::nullopt, true));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(index_entries)

BOOST_AUTO_TEST_CASE(integer_and_byte_entries_agree) {
  check_type(sql_type::int16(), INT16_MIN, INT16_MAX);
  check_type(sql_type::int32(), -1000, 1000);
  check_type(sql_type::int32(), INT32_MIN, INT32_MAX);
  check_type(sql_type::int64(), INT64_MIN, INT64_MAX);
  check_type(sql_type::date(), -100000, 100000);
}

BOOST_AUTO_TEST_CASE(bulk_load_equals_inserting_one_by_one) {
  // Integer entries (a NOT NULL int8 column) and byte-string entries (a nullable text column).
  std::vector<column_def> cols(2);
  cols[0].name = "a";
  cols[0].type = sql_type::int64();
  cols[0].not_null = true;
  cols[1].name = "b";
  cols[1].type = sql_type::text();
  table tbl(1, "t", cols);
  std::mt19937_64 rng(7);
  for (int column : {0, 1}) {
    std::vector<std::pair<std::string, row_id>> entries;  // (key, row) with duplicate keys
    for (int i = 0; i < 5000; ++i) {
      std::string k;
      if (column == 0) {
        k = key_of(sql_type::int64(), int64_t(rng() % 2000) - 1000);
      } else {
        std::string text = "k" + std::to_string(rng() % 2000);
        ix_t::encode_value(k, sql_type::text(), value::text(text, sql_type::text()));
      }
      entries.emplace_back(k, row_id(rng() % 100000));
    }
    std::sort(entries.begin(), entries.end());
    entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
    ix_t one_by_one(2, "x", &tbl, {column}, false, false), bulk(3, "y", &tbl, {column}, false, false);
    for (auto& [k, r] : entries) one_by_one.insert(k, r);
    size_t i = 0;
    BOOST_REQUIRE(bulk.bulk_load([&](std::string_view& k, row_id& r) {
      if (i == entries.size()) return false;
      k = entries[i].first;
      r = entries[i].second;
      ++i;
      return true;
    }));
    BOOST_TEST(bulk.entry_count() == entries.size());
    BOOST_TEST(scan(bulk, std::nullopt, std::nullopt, false) == scan(one_by_one, std::nullopt, std::nullopt, false));
    BOOST_TEST(scan(bulk, std::nullopt, std::nullopt, true) == scan(one_by_one, std::nullopt, std::nullopt, true));
    for (int probe = 0; probe < 200; ++probe) {
      const std::string& k = entries[rng() % entries.size()].first;
      std::vector<row_id> x, y;
      bulk.scan_equal(k, [&](row_id r) { x.push_back(r); return true; });
      one_by_one.scan_equal(k, [&](row_id r) { y.push_back(r); return true; });
      BOOST_TEST(x == y);
    }
    // Not empty: nothing done. Out of order: refused, the index left empty.
    BOOST_TEST(!bulk.bulk_load([](std::string_view&, row_id&) { return false; }));
    ix_t wrong(4, "z", &tbl, {column}, false, false);
    size_t j = entries.size();
    BOOST_CHECK_THROW(wrong.bulk_load([&](std::string_view& k, row_id& r) {
      if (j == 0) return false;
      --j;
      k = entries[j].first;
      r = entries[j].second;
      return true;
    }),
                      std::invalid_argument);
    BOOST_TEST(wrong.entry_count() == 0u);
  }
}

BOOST_AUTO_TEST_SUITE_END()
