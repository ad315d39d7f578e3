// Tests of exec/packed_key_map.h against std::unordered_map: any 64-bit key (0 and all ones
// included), growth from empty, misses before and after inserts.
#include "exec/packed_key_map.h"

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <random>
#include <unordered_map>

using db001::exec::packed_key_map;

BOOST_AUTO_TEST_SUITE(packed_key_map_tests)

BOOST_AUTO_TEST_CASE(agrees_with_unordered_map) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 4; ++round) {
    packed_key_map m;
    std::unordered_map<uint64_t, uint32_t> want;
    BOOST_TEST(m.find(0) == packed_key_map::none);
    int n = round == 0 ? 3 : 5000;
    for (int i = 0; i < n; ++i) {
      // Small keys (like packed flags) collide in their low bits; random and extreme keys too.
      uint64_t k = i % 3 == 0 ? rng() : i % 3 == 1 ? uint64_t(i) << (round * 8) : ~uint64_t(i);
      if (i == 1) k = 0;
      if (i == 2) k = ~uint64_t(0);
      uint32_t got = m.find(k);
      auto it = want.find(k);
      BOOST_REQUIRE_EQUAL(got, it == want.end() ? packed_key_map::none : it->second);
      if (it == want.end()) {
        uint32_t g = uint32_t(want.size());
        m.insert(k, g);
        want.emplace(k, g);
      }
    }
    BOOST_TEST(m.size() == want.size());
    for (auto& [k, g] : want) BOOST_REQUIRE_EQUAL(m.find(k), g);
    for (int i = 0; i < 1000; ++i) {
      uint64_t k = rng();
      if (!want.count(k)) BOOST_REQUIRE_EQUAL(m.find(k), packed_key_map::none);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
