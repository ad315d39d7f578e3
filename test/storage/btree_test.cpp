// Tests of storage/btree.h: randomized comparison against std::map with invariant checks, string keys compared
// bytewise, edge cases of the scans, and concurrent readers/writers.
#include "storage/btree.h"

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

/// The suite below is named btree (a namespace), so the class template gets another name here.
template <class Key, class Value, class Compare = std::less<Key>>
using tree = db001::storage::btree<Key, Value, Compare>;

namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr std::size_t work_scale = 5;  // sanitizers are 5-20x slower: shrink the workloads
#else
constexpr std::size_t work_scale = 1;
#endif

template <class Tree>
void require_invariants(const Tree& t) {
  std::string why;
  bool ok = t.check_invariants(&why);
  BOOST_REQUIRE_MESSAGE(ok, "check_invariants: " << why);
}

template <class Tree>
auto forward_all(const Tree& t) {
  std::vector<std::pair<typename Tree::key_type, typename Tree::mapped_type>> out;
  t.scan_all([&](const auto& k, const auto& v) {
    out.emplace_back(k, v);
    return true;
  });
  return out;
}

template <class Tree>
auto reverse_all(const Tree& t) {
  std::vector<std::pair<typename Tree::key_type, typename Tree::mapped_type>> out;
  t.scan_reverse_all([&](const auto& k, const auto& v) {
    out.emplace_back(k, v);
    return true;
  });
  return out;
}

/// Full forward and reverse scans equal the map.
template <class Tree, class Map>
void require_same_contents(const Tree& t, const Map& m) {
  BOOST_REQUIRE_EQUAL(t.size(), m.size());
  auto same = [](const auto& a, const auto& b) { return a.first == b.first && a.second == b.second; };
  auto fwd = forward_all(t);
  BOOST_REQUIRE(std::equal(fwd.begin(), fwd.end(), m.begin(), m.end(), same));
  auto rev = reverse_all(t);
  BOOST_REQUIRE(std::equal(rev.begin(), rev.end(), m.rbegin(), m.rend(), same));
}

/// scan_range, scan_from and scan_reverse_from around key k (with a limit on the number of results) equal the map.
template <class Tree, class Map, class Key>
void require_same_scans_at(const Tree& t, const Map& m, const Key& lo, const Key& hi, std::size_t limit) {
  using entry = std::pair<typename Map::key_type, typename Map::mapped_type>;
  auto collect_until = [&](std::vector<entry>& out) {
    return [&out, limit](const auto& k, const auto& v) {
      out.emplace_back(k, v);
      return out.size() < limit;
    };
  };
  auto take = [&](auto first, auto last) {
    std::vector<entry> out;
    for (; first != last && out.size() < limit; ++first) out.emplace_back(*first);
    return out;
  };
  std::vector<entry> got;
  t.scan_range(lo, hi, collect_until(got));
  auto cmp = m.key_comp();
  BOOST_REQUIRE(got == (cmp(lo, hi) ? take(m.lower_bound(lo), m.lower_bound(hi)) : std::vector<entry>{}));
  got.clear();
  t.scan_range(std::nullopt, hi, collect_until(got));
  BOOST_REQUIRE(got == take(m.begin(), m.lower_bound(hi)));
  got.clear();
  t.scan_range(lo, std::nullopt, collect_until(got));
  BOOST_REQUIRE(got == take(m.lower_bound(lo), m.end()));
  for (bool inclusive : {true, false}) {
    got.clear();
    t.scan_from(lo, inclusive, collect_until(got));
    BOOST_REQUIRE(got == take(inclusive ? m.lower_bound(lo) : m.upper_bound(lo), m.end()));
    got.clear();
    t.scan_reverse_from(hi, inclusive, collect_until(got));
    auto end = inclusive ? m.upper_bound(hi) : m.lower_bound(hi);
    BOOST_REQUIRE(got == take(std::make_reverse_iterator(end), m.rend()));
  }
}

/// Random inserts/erases/updates/finds on a tree of the given order and an std::map; checks invariants after every
/// operation when `check_every_op`, and scans periodically.
void run_random_u64(std::size_t order, std::size_t ops, uint64_t key_space, bool check_every_op, uint64_t seed) {
  BOOST_TEST_MESSAGE("random u64: order " << order << ", " << ops << " ops, key space " << key_space);
  tree<uint64_t, uint64_t> t(order);
  std::map<uint64_t, uint64_t> m;
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < ops; ++i) {
    uint64_t k = rng() % key_space;
    uint64_t v = rng();
    unsigned op = rng() % 100;
    if (op < 45) {
      bool fresh = m.emplace(k, v).second;
      BOOST_REQUIRE_EQUAL(t.insert(k, v), fresh);
    } else if (op < 75) {
      BOOST_REQUIRE_EQUAL(t.erase(k), m.erase(k) == 1);
    } else if (op < 85) {
      auto it = m.find(k);
      if (it != m.end()) it->second = v;
      BOOST_REQUIRE_EQUAL(t.update(k, v), it != m.end());
    } else {
      auto it = m.find(k);
      auto got = t.find(k);
      BOOST_REQUIRE_EQUAL(got.has_value(), it != m.end());
      if (got) BOOST_REQUIRE_EQUAL(*got, it->second);
    }
    if (check_every_op) require_invariants(t);
    if (i % 997 == 0) {
      if (!check_every_op) require_invariants(t);
      require_same_contents(t, m);
      for (int r = 0; r < 8; ++r) {
        uint64_t lo = rng() % (key_space + 2), hi = rng() % (key_space + 2);
        require_same_scans_at(t, m, lo, hi, 1 + rng() % 50);
      }
    }
  }
  require_invariants(t);
  require_same_contents(t, m);
  // Drain completely: an emptied tree stays valid and reusable.
  std::vector<uint64_t> keys;
  for (auto& [k, v] : m) keys.push_back(k);
  std::shuffle(keys.begin(), keys.end(), rng);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    BOOST_REQUIRE(t.erase(keys[i]));
    if (check_every_op) require_invariants(t);
  }
  require_invariants(t);
  BOOST_REQUIRE_EQUAL(t.size(), 0u);
  BOOST_REQUIRE(forward_all(t).empty());
  BOOST_REQUIRE(reverse_all(t).empty());
  BOOST_REQUIRE(t.insert(key_space / 2, 7));
  BOOST_REQUIRE_EQUAL(*t.find(key_space / 2), 7u);
  require_invariants(t);
}

/// Bytewise comparison of normalized keys (what memcmp-comparable index keys need): unsigned bytes, a proper prefix
/// sorts first.
bool bytewise_less(const std::string& a, const std::string& b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  return c < 0 || (c == 0 && a.size() < b.size());
}

/// A key of `tag` and number i: tag byte, big-endian i (so many zero bytes), and for some i a trailing zero byte (the
/// key without it is a prefix of the key with it).
std::string make_key(char tag, uint64_t i, bool suffix) {
  std::string s(1, tag);
  for (int b = 7; b >= 0; --b) s.push_back(static_cast<char>((i >> (8 * b)) & 0xff));
  if (suffix) s.push_back('\0');
  return s;
}

/// bulk_load of keys[i] -> i, in the order given.
template <class Tree, class Key>
bool bulk_load_keys(Tree& t, const std::vector<Key>& keys) {
  std::size_t i = 0;
  return t.bulk_load([&](Key& k, typename Tree::mapped_type& v) {
    if (i == keys.size()) return false;
    k = keys[i];
    v = i++;
    return true;
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(btree)

BOOST_AUTO_TEST_CASE(rejects_order_below_three) {
  BOOST_CHECK_THROW((tree<uint64_t, uint64_t>(2)), std::invalid_argument);
  tree<uint64_t, uint64_t> t(3);
  BOOST_CHECK_EQUAL(t.order(), 3u);
  BOOST_CHECK(t.optimistic_leaves);
  BOOST_CHECK(!(tree<std::string, uint64_t>::optimistic_leaves));
}

BOOST_AUTO_TEST_CASE(empty_tree) {
  tree<uint64_t, uint64_t> t(4);
  int calls = 0;
  auto count = [&](uint64_t, uint64_t) {
    ++calls;
    return true;
  };
  t.scan_all(count);
  t.scan_reverse_all(count);
  t.scan_from(0, true, count);
  t.scan_from(5, false, count);
  t.scan_range(std::nullopt, std::nullopt, count);
  t.scan_range(1, 10, count);
  t.scan_reverse_from(100, true, count);
  t.scan_reverse_from(0, false, count);
  BOOST_CHECK_EQUAL(calls, 0);
  BOOST_CHECK(!t.find(1));
  BOOST_CHECK(!t.erase(1));
  BOOST_CHECK(!t.update(1, 2));
  BOOST_CHECK_EQUAL(t.size(), 0u);
  BOOST_CHECK(t.empty());
  BOOST_CHECK_EQUAL(t.height(), 1u);
  require_invariants(t);
}

BOOST_AUTO_TEST_CASE(single_key) {
  tree<uint64_t, uint64_t> t(3);
  BOOST_CHECK(t.insert(10, 100));
  BOOST_CHECK(!t.insert(10, 200));
  BOOST_CHECK_EQUAL(*t.find(10), 100u);
  BOOST_CHECK(!t.find(9));
  BOOST_CHECK(!t.find(11));
  std::vector<uint64_t> got;
  auto collect = [&](uint64_t k, uint64_t) {
    got.push_back(k);
    return true;
  };
  auto scan = [&](auto&& f) {
    got.clear();
    f();
    return got;
  };
  using v = std::vector<uint64_t>;
  BOOST_CHECK(scan([&] { t.scan_from(10, true, collect); }) == v{10});
  BOOST_CHECK(scan([&] { t.scan_from(10, false, collect); }) == v{});
  BOOST_CHECK(scan([&] { t.scan_from(0, false, collect); }) == v{10});
  BOOST_CHECK(scan([&] { t.scan_from(11, true, collect); }) == v{});
  BOOST_CHECK(scan([&] { t.scan_reverse_from(10, true, collect); }) == v{10});
  BOOST_CHECK(scan([&] { t.scan_reverse_from(10, false, collect); }) == v{});
  BOOST_CHECK(scan([&] { t.scan_reverse_from(9, true, collect); }) == v{});
  BOOST_CHECK(scan([&] { t.scan_reverse_from(1000, false, collect); }) == v{10});
  BOOST_CHECK(scan([&] { t.scan_range(10, 11, collect); }) == v{10});
  BOOST_CHECK(scan([&] { t.scan_range(10, 10, collect); }) == v{});
  BOOST_CHECK(scan([&] { t.scan_range(0, 10, collect); }) == v{});
  BOOST_CHECK(scan([&] { t.scan_range(11, 5, collect); }) == v{});
  BOOST_CHECK(t.update(10, 300));
  BOOST_CHECK_EQUAL(*t.find(10), 300u);
  BOOST_CHECK_EQUAL(t.size(), 1u);
  require_invariants(t);
  BOOST_CHECK(t.erase(10));
  BOOST_CHECK(!t.erase(10));
  BOOST_CHECK(t.empty());
  BOOST_CHECK(scan([&] { t.scan_all(collect); }) == v{});
  require_invariants(t);
}

BOOST_AUTO_TEST_CASE(first_key_from_agrees_with_lower_bound) {
  // Against std::set::lower_bound: `found` gives exactly that key, `none` only when there is
  // none, `elsewhere` only when it exists (in a later leaf than the one the descent reached).
  for (std::size_t order : {3u, 4u, 16u, 64u}) {
    tree<int64_t, int64_t> t(order);
    std::set<int64_t> keys;
    std::mt19937_64 rng(order);
    for (int i = 0; i < 3000; ++i) {
      int64_t k = int64_t(rng() % 20000) * 2;  // even keys: odd probes fall between keys
      if (t.insert(k, k)) keys.insert(k);
    }
    std::size_t elsewhere = 0;
    for (int64_t probe = -3; probe < 40005; ++probe) {
      int64_t got = 0;
      auto r = t.first_key_from(probe, &got);
      auto it = keys.lower_bound(probe);
      if (r == decltype(t)::first_key::found) {
        BOOST_REQUIRE(it != keys.end());
        BOOST_REQUIRE_EQUAL(got, *it);
      } else if (r == decltype(t)::first_key::none) {
        BOOST_REQUIRE(it == keys.end());
      } else {
        BOOST_REQUIRE(it != keys.end());
        ++elsewhere;
      }
    }
    BOOST_TEST_MESSAGE("order " << order << ": " << elsewhere << " probes answered 'elsewhere'");
    if (order == 3) BOOST_TEST(elsewhere > 0u, "small leaves leave gaps between them");
  }
}

BOOST_AUTO_TEST_CASE(scan_edges) {
  // Keys 10, 20, ..., 1000 in a tree of order 4 (many leaves).
  tree<uint64_t, uint64_t> t(4);
  for (uint64_t k = 10; k <= 1000; k += 10) BOOST_REQUIRE(t.insert(k, k + 1));
  require_invariants(t);
  BOOST_CHECK_GE(t.height(), 3u);
  std::vector<uint64_t> got;
  auto collect = [&](uint64_t k, uint64_t v) {
    BOOST_CHECK_EQUAL(v, k + 1);
    got.push_back(k);
    return true;
  };
  auto first = [&](std::size_t n) {
    std::vector<uint64_t> r(got.begin(), got.begin() + std::min(n, got.size()));
    return r;
  };
  using v = std::vector<uint64_t>;
  // Reverse scan from a key that is not present, inclusive or not.
  for (bool inclusive : {true, false}) {
    got.clear();
    t.scan_reverse_from(555, inclusive, collect);
    BOOST_CHECK_EQUAL(got.size(), 55u);
    BOOST_CHECK(first(3) == (v{550, 540, 530}));
    BOOST_CHECK_EQUAL(got.back(), 10u);
  }
  got.clear();
  t.scan_reverse_from(550, false, collect);
  BOOST_CHECK(first(2) == (v{540, 530}));
  got.clear();
  t.scan_reverse_from(5, true, collect);  // below the smallest key
  BOOST_CHECK(got.empty());
  got.clear();
  t.scan_reverse_from(1000000, true, collect);  // above the largest key
  BOOST_CHECK_EQUAL(got.size(), 100u);
  // scan_from past the end and before the start.
  got.clear();
  t.scan_from(1001, true, collect);
  BOOST_CHECK(got.empty());
  got.clear();
  t.scan_from(1000, false, collect);
  BOOST_CHECK(got.empty());
  got.clear();
  t.scan_from(1000, true, collect);
  BOOST_CHECK(got == v{1000});
  got.clear();
  t.scan_from(0, true, collect);
  BOOST_CHECK_EQUAL(got.size(), 100u);
  got.clear();
  t.scan_from(555, true, collect);
  BOOST_CHECK(first(2) == (v{560, 570}));
  // Half-open ranges.
  got.clear();
  t.scan_range(20, 50, collect);
  BOOST_CHECK(got == (v{20, 30, 40}));
  got.clear();
  t.scan_range(std::nullopt, 25, collect);
  BOOST_CHECK(got == (v{10, 20}));
  got.clear();
  t.scan_range(985, std::nullopt, collect);
  BOOST_CHECK(got == (v{990, 1000}));
  // Early stop.
  int calls = 0;
  t.scan_all([&](uint64_t, uint64_t) { return ++calls < 7; });
  BOOST_CHECK_EQUAL(calls, 7);
  calls = 0;
  t.scan_reverse_all([&](uint64_t, uint64_t) { return ++calls < 3; });
  BOOST_CHECK_EQUAL(calls, 3);
  // Empty leaves in the middle (erase a whole stretch) are stepped over in both directions.
  for (uint64_t k = 200; k <= 800; k += 10) BOOST_REQUIRE(t.erase(k));
  require_invariants(t);
  got.clear();
  t.scan_from(150, true, collect);
  BOOST_CHECK(first(4) == (v{150, 160, 170, 180}));
  BOOST_CHECK_EQUAL(got[5], 810u);
  got.clear();
  t.scan_reverse_from(805, true, collect);
  BOOST_CHECK(first(2) == (v{190, 180}));
  got.clear();
  t.scan_range(195, 805, collect);
  BOOST_CHECK(got.empty());
}

BOOST_AUTO_TEST_CASE(bulk_load_builds_a_valid_tree_that_then_behaves_as_inserted) {
  uint64_t seed = 100;
  for (std::size_t order : {3, 4, 5, 7, 16, 64}) {
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{2}, order, order + 1, 3 * order, std::size_t{5000}}) {
      BOOST_TEST_MESSAGE("bulk_load: order " << order << ", " << n << " keys");
      tree<uint64_t, uint64_t> t(order);
      std::map<uint64_t, uint64_t> m;
      uint64_t next_key = 10, given = 0;
      bool loaded = t.bulk_load([&](uint64_t& k, uint64_t& v) {
        if (given == n) return false;
        k = next_key;
        v = next_key * 3;
        m.emplace(k, v);
        next_key += 10;
        ++given;
        return true;
      });
      BOOST_REQUIRE(loaded);
      require_invariants(t);
      BOOST_REQUIRE_EQUAL(t.size(), n);
      require_same_contents(t, m);
      std::mt19937_64 rng(seed++);
      for (int r = 0; r < 20; ++r) {
        uint64_t lo = rng() % (next_key + 20), hi = rng() % (next_key + 20);
        require_same_scans_at(t, m, lo, hi, 1 + rng() % 50);
      }
      // Afterwards it is an ordinary tree: inserts between and around the loaded keys, erases.
      for (int i = 0; i < 3000; ++i) {
        uint64_t k = rng() % (next_key + 100);
        if (rng() % 3 == 0) {
          BOOST_REQUIRE_EQUAL(t.erase(k), m.erase(k) == 1);
        } else {
          bool fresh = m.emplace(k, i).second;
          BOOST_REQUIRE_EQUAL(t.insert(k, uint64_t(i)), fresh);
        }
        if (order < 16) require_invariants(t);
      }
      require_invariants(t);
      require_same_contents(t, m);
      // A tree that is not empty is not bulk-loaded.
      if (!m.empty()) BOOST_CHECK(!t.bulk_load([](uint64_t&, uint64_t&) { return false; }));
    }
  }
}

BOOST_AUTO_TEST_CASE(bulk_load_refuses_keys_out_of_order_and_leaves_the_tree_empty) {
  for (std::vector<uint64_t> keys : {std::vector<uint64_t>{1, 2, 3, 3}, std::vector<uint64_t>{5, 4},
                                     std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0}}) {
    tree<uint64_t, uint64_t> t(4);
    BOOST_CHECK_THROW(bulk_load_keys(t, keys), std::invalid_argument);
    require_invariants(t);
    BOOST_CHECK_EQUAL(t.size(), 0u);
    BOOST_CHECK(t.insert(7, 7));
    require_invariants(t);
  }
}

BOOST_AUTO_TEST_CASE(bulk_load_string_keys_out_of_order_leave_the_tree_empty) {
  // Long keys (heap-allocated strings): the ones already placed are destroyed (ASan/LSan would
  // report them otherwise) and the tree stays empty and usable.
  tree<std::string, uint64_t> t(4);
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back(std::string(64, 'k') + std::to_string(1000 + i));
  std::swap(keys[30], keys[31]);
  BOOST_CHECK_THROW(bulk_load_keys(t, keys), std::invalid_argument);
  require_invariants(t);
  BOOST_CHECK_EQUAL(t.size(), 0u);
  BOOST_CHECK(t.insert("x", 1));
  require_invariants(t);
}

BOOST_AUTO_TEST_CASE(bulk_load_string_keys) {
  tree<std::string, uint64_t> t(5);
  std::vector<std::string> keys;
  for (uint64_t i = 0; i < 700; ++i) keys.push_back(make_key('k', i, i % 3 == 0));
  std::sort(keys.begin(), keys.end());
  BOOST_REQUIRE(bulk_load_keys(t, keys));
  require_invariants(t);
  BOOST_REQUIRE_EQUAL(t.size(), keys.size());
  for (std::size_t j = 0; j < keys.size(); ++j) BOOST_REQUIRE_EQUAL(*t.find(keys[j]), j);
  BOOST_CHECK(t.insert(make_key('a', 1, false), 1));
  BOOST_CHECK(t.insert(make_key('z', 1, false), 2));
  require_invariants(t);
}

BOOST_AUTO_TEST_CASE(random_against_std_map_small_orders) {
  // Invariants after every operation: 3 orders x 12k operations.
  uint64_t seed = 1;
  for (std::size_t order : {3, 4, 7}) run_random_u64(order, 12000, 600, true, seed++);
}

BOOST_AUTO_TEST_CASE(random_against_std_map_large_orders) {
  run_random_u64(64, 200000 / work_scale, 20000, false, 11);
  run_random_u64(16, 100000 / work_scale, 1u << 30, false, 12);  // sparse keys: mostly inserts that stick
}

BOOST_AUTO_TEST_CASE(sequential_inserts_and_erases) {
  for (std::size_t order : {3, 4, 64}) {
    tree<uint64_t, uint64_t> up(order), down(order);
    std::map<uint64_t, uint64_t> m;
    for (uint64_t k = 0; k < 3000; ++k) {
      BOOST_REQUIRE(up.insert(k, k));
      BOOST_REQUIRE(down.insert(2999 - k, 2999 - k));
      m.emplace(k, k);
    }
    require_invariants(up);
    require_invariants(down);
    require_same_contents(up, m);
    require_same_contents(down, m);
    // Ascending/descending loads split unevenly at the end of the key range, so leaves come out full.
    if (order == 64) BOOST_CHECK_LE(up.height(), 3u);
    for (uint64_t k = 0; k < 3000; k += 2) {
      BOOST_REQUIRE(up.erase(k));
      BOOST_REQUIRE(down.erase(k));
      m.erase(k);
    }
    require_invariants(up);
    require_invariants(down);
    require_same_contents(up, m);
    require_same_contents(down, m);
    for (uint64_t k = 0; k < 3000; k += 2) BOOST_REQUIRE(up.insert(k, k + 5));
    require_invariants(up);
    BOOST_REQUIRE_EQUAL(up.size(), 3000u);
  }
}

BOOST_AUTO_TEST_CASE(signed_keys_and_custom_comparator) {
  tree<int64_t, uint64_t> s(4);
  std::map<int64_t, uint64_t> ms;
  tree<int64_t, uint64_t, std::greater<int64_t>> g(5);
  std::map<int64_t, uint64_t, std::greater<int64_t>> mg;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 4000; ++i) {
    int64_t k = static_cast<int64_t>(rng() % 2001) - 1000;
    if (i < 40) k = i % 2 ? INT64_MIN + i : INT64_MAX - i;
    uint64_t v = rng();
    if (rng() % 3) {
      BOOST_REQUIRE_EQUAL(s.insert(k, v), ms.emplace(k, v).second);
      BOOST_REQUIRE_EQUAL(g.insert(k, v), mg.emplace(k, v).second);
    } else {
      BOOST_REQUIRE_EQUAL(s.erase(k), ms.erase(k) == 1);
      BOOST_REQUIRE_EQUAL(g.erase(k), mg.erase(k) == 1);
    }
  }
  require_invariants(s);
  require_invariants(g);
  require_same_contents(s, ms);
  require_same_contents(g, mg);
  for (int r = 0; r < 200; ++r) {
    int64_t a = static_cast<int64_t>(rng() % 2201) - 1100, b = static_cast<int64_t>(rng() % 2201) - 1100;
    require_same_scans_at(s, ms, a, b, 1 + rng() % 100);
    require_same_scans_at(g, mg, a, b, 1 + rng() % 100);
  }
}

BOOST_AUTO_TEST_CASE(string_keys_bytewise) {
  // Hand-picked keys: prefixes of each other, embedded and trailing zero bytes, bytes >= 0x80.
  std::vector<std::string> special = {"",
                                      std::string("\0", 1),
                                      std::string("\0\0", 2),
                                      "a",
                                      std::string("a\0", 2),
                                      std::string("a\0\0", 3),
                                      std::string("a\0b", 3),
                                      "ab",
                                      "abc",
                                      "abd",
                                      "b",
                                      "\x7f",
                                      "\x80",
                                      "\xff",
                                      "\xff\xff",
                                      std::string("\xff\0", 2)};
  for (std::size_t order : {3, 4, 64}) {
    tree<std::string, uint64_t> t(order);
    std::map<std::string, uint64_t> m;
    std::mt19937_64 rng(order);
    for (std::size_t i = 0; i < special.size(); ++i) {
      BOOST_REQUIRE(t.insert(special[i], i));
      m.emplace(special[i], i);
    }
    require_invariants(t);
    require_same_contents(t, m);
    // The scan order is the bytewise order.
    auto all = forward_all(t);
    for (std::size_t i = 1; i < all.size(); ++i) BOOST_REQUIRE(bytewise_less(all[i - 1].first, all[i].first));
    // Random operations on short random byte strings (alphabet {0, 1, 'a', 0xff}, lengths 0..5: many prefixes).
    const char alphabet[] = {'\0', '\1', 'a', '\xff'};
    auto random_key = [&] {
      std::string s;
      for (std::size_t n = rng() % 6; n > 0; --n) s.push_back(alphabet[rng() % 4]);
      return s;
    };
    const std::size_t ops = order == 64 ? 20000 : 6000;
    for (std::size_t i = 0; i < ops; ++i) {
      std::string k = random_key();
      uint64_t v = rng();
      unsigned op = rng() % 10;
      if (op < 5) {
        BOOST_REQUIRE_EQUAL(t.insert(k, v), m.emplace(k, v).second);
      } else if (op < 8) {
        BOOST_REQUIRE_EQUAL(t.erase(k), m.erase(k) == 1);
      } else if (op < 9) {
        auto it = m.find(k);
        if (it != m.end()) it->second = v;
        BOOST_REQUIRE_EQUAL(t.update(k, v), it != m.end());
      } else {
        auto got = t.find(k);
        auto it = m.find(k);
        BOOST_REQUIRE_EQUAL(got.has_value(), it != m.end());
        if (got) BOOST_REQUIRE_EQUAL(*got, it->second);
      }
      if (order != 64) require_invariants(t);
      if (i % 500 == 0) {
        require_same_contents(t, m);
        require_same_scans_at(t, m, random_key(), random_key(), 1 + rng() % 40);
      }
    }
    require_invariants(t);
    require_same_contents(t, m);
    all = forward_all(t);
    for (std::size_t i = 1; i < all.size(); ++i) BOOST_REQUIRE(bytewise_less(all[i - 1].first, all[i].first));
  }
}

BOOST_AUTO_TEST_CASE(callback_may_modify_tree) {
  tree<uint64_t, uint64_t> t(4);
  for (uint64_t k = 0; k < 500; ++k) t.insert(k, k);
  std::size_t seen = 0;
  t.scan_all([&](uint64_t k, uint64_t) {
    ++seen;
    BOOST_REQUIRE(t.erase(k));
    if (k < 500 && k % 2 == 0) t.insert(k + 1000, k);  // keys after the scan position may or may not be seen
    return true;
  });
  BOOST_CHECK_GE(seen, 500u);
  require_invariants(t);
  tree<std::string, uint64_t> s(3);
  for (uint64_t k = 0; k < 300; ++k) s.insert(make_key('k', k, false), k);
  s.scan_reverse_all([&](const std::string& k, uint64_t v) {
    BOOST_REQUIRE(s.update(k, v + 1));
    return true;
  });
  require_invariants(s);
  for (uint64_t k = 0; k < 300; ++k) BOOST_REQUIRE_EQUAL(*s.find(make_key('k', k, false)), k + 1);
}

namespace {

/// Collects the first error seen by a worker thread (Boost.Test assertions are not thread-safe).
struct error_sink {
  std::mutex mu;
  std::string first;
  std::atomic<std::size_t> count{0};
  void report(const std::string& what) {
    if (count.fetch_add(1) == 0) {
      std::lock_guard lock(mu);
      first = what;
    }
  }
};

/// std::less that now and then yields the CPU: comparisons run inside descents and inside writers' critical sections,
/// so this widens the race windows that the concurrency tests try to hit (the machine may have only 2 cores).
template <class T>
struct yielding_less {
  bool operator()(const T& a, const T& b) const {
    thread_local std::minstd_rand r(static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id())));
    if (r() % 16 == 0) std::this_thread::yield();
    return a < b;  // std::string: bytewise, unsigned (char_traits<char>::lt)
  }
};

/// Repetitions of the concurrency tests: DB001_BTREE_STRESS=<n> in the environment (default 1) for stress runs.
int stress_rounds() {
  const char* s = std::getenv("DB001_BTREE_STRESS");
  return s != nullptr && std::atoi(s) > 0 ? std::atoi(s) : 1;
}

/// A 16-byte key (read word by word by optimistic readers): the pair (n, ~n) for key number n, ordered by n; a torn
/// read shows up as a pair whose halves disagree.
struct pair_key {
  uint64_t n, check;
  bool operator<(const pair_key& o) const { return n < o.n; }
  bool operator==(const pair_key& o) const = default;
};
static_assert(tree<pair_key, uint64_t>::optimistic_leaves && tree<pair_key, uint64_t>::inline_separators);
static_assert(tree<uint64_t, uint64_t>::optimistic_leaves && !tree<std::string, uint64_t>::optimistic_leaves);

template <class Key>
Key key_of(uint64_t n) {
  if constexpr (std::is_same_v<Key, pair_key>) {
    return pair_key{n, ~n};
  } else {
    return n;
  }
}
/// The key number of k; a torn pair gives UINT64_MAX (out of every range, so the readers report it).
inline uint64_t number_of(uint64_t k) { return k; }
inline uint64_t number_of(const pair_key& k) { return k.check == ~k.n ? k.n : UINT64_MAX; }

/// Writers insert disjoint key sets (key = j * writers + w, in shuffled order) while readers check finds and scans,
/// then the writers erase the keys with odd j while readers check that the other keys never go missing.
template <class Compare = std::less<uint64_t>, class Key = uint64_t>
void run_concurrent_u64(std::size_t order, std::size_t writers, std::size_t keys_per_writer, std::size_t readers) {
  BOOST_TEST_MESSAGE("concurrent u64: order " << order << ", " << writers << " writers x " << keys_per_writer
                                              << " keys, " << readers << " readers");
  tree<Key, uint64_t, Compare> t(order);
  auto K = [](uint64_t n) { return key_of<Key>(n); };
  const uint64_t w_count = writers, total = writers * keys_per_writer;
  auto value_of = [](uint64_t k) { return k * 3 + 1; };
  // order[w][i] = j of the i-th key writer w inserts; rank[w][j] = i.
  std::vector<std::vector<uint64_t>> order_of(writers), rank(writers), erase_order(writers);
  std::mt19937_64 rng(42);
  for (std::size_t w = 0; w < writers; ++w) {
    order_of[w].resize(keys_per_writer);
    for (uint64_t j = 0; j < keys_per_writer; ++j) order_of[w][j] = j;
    std::shuffle(order_of[w].begin(), order_of[w].end(), rng);
    rank[w].resize(keys_per_writer);
    for (uint64_t i = 0; i < keys_per_writer; ++i) rank[w][order_of[w][i]] = i;
    for (uint64_t j = 1; j < keys_per_writer; j += 2) erase_order[w].push_back(j);
    std::shuffle(erase_order[w].begin(), erase_order[w].end(), rng);
  }
  std::vector<std::atomic<std::size_t>> inserted(writers), erased(writers);  // published prefix lengths
  std::atomic<bool> erasing{false}, stop{false};
  error_sink errors;
  std::atomic<std::size_t> reader_ops{0}, scanned_keys{0};

  auto reader = [&](uint64_t seed) {
    std::mt19937_64 r(seed);
    std::vector<uint64_t> got;
    std::vector<std::size_t> snapshot(writers);
    while (!stop.load(std::memory_order_acquire) && errors.count.load() == 0) {
      reader_ops.fetch_add(1, std::memory_order_relaxed);
      // Keys with odd j may be erased once `erasing` is set; an erase we observe happens after the flag was set, so
      // reading the flag after an operation tells whether a missing odd key is an error.
      auto may_be_erased = [&](uint64_t j) { return j % 2 == 1 && erasing.load(std::memory_order_acquire); };
      unsigned op = r() % 10;
      std::size_t w = r() % writers;
      if (op < 5) {  // a key inserted before we look is found (unless it may be erased by now)
        if (op == 0) {
          std::size_t e = erased[w].load(std::memory_order_acquire);
          if (e == 0) continue;
          uint64_t gone = erase_order[w][r() % e] * w_count + w;  // erased before we look: must be absent
          if (t.find(K(gone))) errors.report("erased key still found: " + std::to_string(gone));
          continue;
        }
        std::size_t n = inserted[w].load(std::memory_order_acquire);
        if (n == 0) continue;
        uint64_t j = order_of[w][r() % n];
        uint64_t k = j * w_count + w;
        auto v = t.find(K(k));
        if (v ? *v != value_of(k) : !may_be_erased(j)) errors.report("inserted key not found: " + std::to_string(k));
        continue;
      }
      // Range scan (ascending or descending) over [lo, hi): strictly ordered, in range, correct values, and
      // containing every key that was present before the scan started and cannot have been erased.
      for (std::size_t x = 0; x < writers; ++x) snapshot[x] = inserted[x].load(std::memory_order_acquire);
      uint64_t lo = r() % total, hi = lo + 1 + r() % 400;
      got.clear();
      bool ok = true;
      if (op < 8) {
        t.scan_range(K(lo), K(hi), [&](const Key& key, uint64_t v) {
          uint64_t k = number_of(key);
          if ((!got.empty() && k <= got.back()) || k < lo || k >= hi || v != value_of(k)) ok = false;
          got.push_back(k);
          return ok;
        });
      } else {
        t.scan_reverse_from(K(hi), false, [&](const Key& key, uint64_t v) {
          uint64_t k = number_of(key);
          if (k < lo) return false;
          if ((!got.empty() && k >= got.back()) || k >= hi || v != value_of(k)) ok = false;
          got.push_back(k);
          return ok;
        });
        std::reverse(got.begin(), got.end());
      }
      if (!ok) {
        errors.report("scan out of order, out of range or wrong value near " + std::to_string(lo));
        continue;
      }
      scanned_keys.fetch_add(got.size(), std::memory_order_relaxed);
      for (uint64_t k = lo; k < hi && k < total; ++k) {
        uint64_t kw = k % w_count, j = k / w_count;
        bool must = rank[kw][j] < snapshot[kw] && !may_be_erased(j);
        if (must && !std::binary_search(got.begin(), got.end(), k)) {
          errors.report("scan missed key " + std::to_string(k));
          break;
        }
      }
    }
  };

  std::vector<std::thread> threads;
  for (std::size_t r = 0; r < readers; ++r) threads.emplace_back(reader, 1000 + r);
  std::vector<std::thread> writer_threads;
  for (std::size_t w = 0; w < writers; ++w) {
    writer_threads.emplace_back([&, w] {
      for (std::size_t i = 0; i < keys_per_writer; ++i) {
        uint64_t k = order_of[w][i] * w_count + w;
        if (!t.insert(K(k), value_of(k))) errors.report("insert of a new key failed: " + std::to_string(k));
        if (i % 64 == 0 && t.insert(K(k), 0)) errors.report("duplicate insert succeeded");
        inserted[w].store(i + 1, std::memory_order_release);
      }
    });
  }
  for (auto& th : writer_threads) th.join();
  writer_threads.clear();
  BOOST_REQUIRE_MESSAGE(errors.count.load() == 0, errors.count.load() << " errors, first: " << errors.first);
  BOOST_REQUIRE_EQUAL(t.size(), total);

  erasing.store(true, std::memory_order_release);
  for (std::size_t w = 0; w < writers; ++w) {
    writer_threads.emplace_back([&, w] {
      for (std::size_t i = 0; i < erase_order[w].size(); ++i) {
        uint64_t k = erase_order[w][i] * w_count + w;
        if (!t.erase(K(k))) errors.report("erase of a present key failed: " + std::to_string(k));
        if (i % 64 == 0 && !t.update(K(k - w_count), value_of(k - w_count))) errors.report("update failed");
        erased[w].store(i + 1, std::memory_order_release);
      }
    });
  }
  for (auto& th : writer_threads) th.join();
  stop.store(true, std::memory_order_release);
  for (auto& th : threads) th.join();
  BOOST_TEST_MESSAGE("  reader ops " << reader_ops.load() << ", keys scanned " << scanned_keys.load() << ", height "
                                     << t.height());
  BOOST_REQUIRE_MESSAGE(errors.count.load() == 0, errors.count.load() << " errors, first: " << errors.first);
  require_invariants(t);
  std::map<Key, uint64_t> expected;
  for (uint64_t k = 0; k < total; ++k) {
    if ((k / w_count) % 2 == 0) expected.emplace(K(k), value_of(k));
  }
  require_same_contents(t, expected);
}

}  // namespace

BOOST_AUTO_TEST_CASE(concurrent_insert_find_scan_erase_u64) {
  for (int round = 0; round < stress_rounds(); ++round) {
    run_concurrent_u64(64, 4, 60000 / work_scale, 2);                          // production order and comparator
    run_concurrent_u64<yielding_less<uint64_t>>(3, 4, 20000 / work_scale, 4);  // tiny nodes, widened race windows
    run_concurrent_u64<yielding_less<uint64_t>>(4, 2, 20000 / work_scale, 6);  // reader-heavy
  }
}

BOOST_AUTO_TEST_CASE(concurrent_insert_find_scan_erase_16_byte_keys) {
  // Keys of two words are copied word by word: readers must never act on a torn key.
  for (int round = 0; round < stress_rounds(); ++round) {
    run_concurrent_u64<std::less<pair_key>, pair_key>(64, 4, 60000 / work_scale, 2);
    run_concurrent_u64<yielding_less<pair_key>, pair_key>(3, 4, 20000 / work_scale, 4);
  }
}

namespace {

/// Number i of a key made by make_key(tag, i, suffix).
uint64_t key_number(const std::string& k) {
  uint64_t i = 0;
  for (int b = 1; b <= 8; ++b) i = i << 8 | static_cast<unsigned char>(k[b]);
  return i;
}

/// All keys are make_key('k', i, i % 5 == 0) (so some keys are prefixes of others, and all hold zero bytes). Keys with
/// i % 4 == 3 are stable: inserted first, never modified, checked by readers. Writer w owns the keys with i % 4 == w
/// and inserts, updates and erases them at random; so stable and writer keys share leaves and writers' splits keep
/// moving stable keys under the readers. At the end the tree equals the stable keys plus the writers' expected maps.
template <class Compare>
void run_concurrent_strings(std::size_t order, std::size_t stable, std::size_t ops_per_writer, std::size_t readers) {
  const std::size_t writers = 3;
  tree<std::string, uint64_t, Compare> t(order);
  auto key = [](uint64_t i) { return make_key('k', i, i % 5 == 0); };
  std::map<std::string, uint64_t> expected;
  for (uint64_t s = 0; s < stable; ++s) {
    t.insert(key(4 * s + 3), s);
    expected.emplace(key(4 * s + 3), s);
  }
  std::vector<std::map<std::string, uint64_t>> mine(writers);
  std::atomic<std::size_t> writers_done{0};
  error_sink errors;
  auto writer = [&](std::size_t w) {
    std::mt19937_64 r(77 + w);
    auto& m = mine[w];
    for (std::size_t i = 0; i < ops_per_writer; ++i) {
      std::string k = key(4 * (r() % stable) + w);
      unsigned op = r() % 10;
      if (op < 5) {
        if (t.insert(k, i) != m.emplace(k, i).second) errors.report("insert result differs");
      } else if (op < 8) {
        if (t.erase(k) != (m.erase(k) == 1)) errors.report("erase result differs");
      } else {
        auto it = m.find(k);
        if (it != m.end()) it->second = i;
        if (t.update(k, i) != (it != m.end())) errors.report("update result differs");
      }
    }
    writers_done.fetch_add(1);
  };
  auto reader = [&](uint64_t seed) {
    std::mt19937_64 r(seed);
    std::string last;
    while (writers_done.load() < writers && errors.count.load() == 0) {
      unsigned op = r() % 10;
      if (op < 5) {
        uint64_t s = r() % stable;
        auto v = t.find(key(4 * s + 3));
        if (!v || *v != s) errors.report("stable key missing or wrong");
        continue;
      }
      // Scans (range or full, either direction): strictly ordered, well-formed keys, and exactly the stable keys of
      // the range, in order, with their values.
      uint64_t a = op < 8 ? r() % stable : 0, b = op < 8 ? a + r() % 100 : stable;
      bool forward = op % 2 == 0, ok = true, first = true;
      const uint64_t end = std::min<uint64_t>(b, stable);
      uint64_t next_stable = forward ? a : end;  // the stable number expected next
      auto check = [&](const std::string& k, uint64_t v) {
        if (!first && (forward ? !bytewise_less(last, k) : !bytewise_less(k, last))) ok = false;
        first = false;
        last = k;
        if ((k.size() != 9 && k.size() != 10) || k[0] != 'k') return ok = false;
        uint64_t i = key_number(k);
        if (i % 4 == 3) {
          uint64_t s = i / 4;
          if (forward ? s != next_stable++ : s != --next_stable) ok = false;
          if (v != s) ok = false;
        }
        return ok;
      };
      if (op < 8) {
        if (forward) {
          t.scan_range(key(4 * a), key(4 * b), check);
        } else if (a < b) {
          t.scan_reverse_from(key(4 * b), false, [&](const std::string& k, uint64_t v) {
            return bytewise_less(k, key(4 * a)) ? false : check(k, v);
          });
        }
      } else if (forward) {
        t.scan_all(check);
      } else {
        t.scan_reverse_all(check);
      }
      if (!ok || next_stable != (forward ? end : a)) {
        errors.report(std::string(forward ? "forward" : "reverse") + " scan wrong near stable key " +
                      std::to_string(a) + ", next expected " + std::to_string(next_stable));
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t r = 0; r < readers; ++r) threads.emplace_back(reader, 500 + r);
  for (std::size_t w = 0; w < writers; ++w) threads.emplace_back(writer, w);
  for (auto& th : threads) th.join();
  BOOST_REQUIRE_MESSAGE(errors.count.load() == 0, errors.count.load() << " errors, first: " << errors.first);
  for (auto& m : mine) expected.insert(m.begin(), m.end());
  require_invariants(t);
  require_same_contents(t, expected);
}

}  // namespace

BOOST_AUTO_TEST_CASE(concurrent_mixed_string_keys) {
  for (int round = 0; round < stress_rounds(); ++round) {
    run_concurrent_strings<std::less<std::string>>(16, 2000, 20000 / work_scale, 2);
    run_concurrent_strings<yielding_less<std::string>>(3, 1000, 10000 / work_scale, 3);
  }
}

BOOST_AUTO_TEST_SUITE_END()
