#include "recovery/crc32c.h"

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace db001::recovery;

BOOST_AUTO_TEST_SUITE(crc32c_suite)

BOOST_AUTO_TEST_CASE(known_vectors) {
  BOOST_TEST(crc32c("123456789", 9) == 0xE3069283u);
  BOOST_TEST(crc32c_extend_portable(0, "123456789", 9) == 0xE3069283u);
  BOOST_TEST(crc32c("", 0) == 0u);
  // RFC 3720 (iSCSI) B.4 test vectors.
  std::vector<unsigned char> buf(32, 0);
  BOOST_TEST(crc32c(buf.data(), 32) == 0x8A9136AAu);
  std::fill(buf.begin(), buf.end(), 0xFF);
  BOOST_TEST(crc32c(buf.data(), 32) == 0x62A8AB43u);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<unsigned char>(i);
  BOOST_TEST(crc32c(buf.data(), 32) == 0x46DD794Eu);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<unsigned char>(31 - i);
  BOOST_TEST(crc32c(buf.data(), 32) == 0x113FDB5Cu);
  std::string a = "hello ", b = "world";
  BOOST_TEST(crc32c_extend(crc32c(a.data(), a.size()), b.data(), b.size()) == crc32c("hello world", 11));
}

BOOST_AUTO_TEST_CASE(hardware_matches_table) {
  if (!crc32c_hardware_available()) {
    BOOST_TEST_MESSAGE("no SSE4.2: hardware CRC not tested");
    return;
  }
  std::mt19937_64 rng(42);
  std::vector<unsigned char> buf(400);
  for (auto& c : buf) c = static_cast<unsigned char>(rng());
  for (size_t off = 0; off < 16; ++off) {
    for (size_t len = 0; len <= 300; ++len) {
      uint32_t seed = static_cast<uint32_t>(rng());
      BOOST_TEST_REQUIRE(crc32c_extend_hardware(seed, buf.data() + off, len) ==
                         crc32c_extend_portable(seed, buf.data() + off, len));
      BOOST_TEST_REQUIRE(crc32c_extend_hardware(0, buf.data() + off, len) ==
                         crc32c_extend_portable(0, buf.data() + off, len));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
