#include "recovery/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define DB001_CRC32C_X86 1
#endif

namespace db001::recovery {

namespace {

constexpr uint32_t poly = 0x82F63B78u;  // reflected Castagnoli polynomial

using table_t = std::array<std::array<uint32_t, 256>, 8>;

constexpr table_t make_tables() {
  table_t t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i)
    for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  return t;
}

constexpr table_t tables = make_tables();

inline uint64_t load_le64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

}  // namespace

uint32_t crc32c_extend_portable(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t c = ~crc;
  while (n >= 8) {
    uint64_t v = load_le64(p) ^ c;
    c = tables[7][v & 0xFF] ^ tables[6][(v >> 8) & 0xFF] ^ tables[5][(v >> 16) & 0xFF] ^ tables[4][(v >> 24) & 0xFF] ^
        tables[3][(v >> 32) & 0xFF] ^ tables[2][(v >> 40) & 0xFF] ^ tables[1][(v >> 48) & 0xFF] ^ tables[0][v >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) c = (c >> 8) ^ tables[0][(c ^ *p++) & 0xFF];
  return ~c;
}

#ifdef DB001_CRC32C_X86

bool crc32c_hardware_available() {
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
}

__attribute__((target("sse4.2"))) uint32_t crc32c_extend_hardware(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t c32 = ~crc;
  // Align to 8 so the 8-byte loads do not straddle cache lines.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    c32 = _mm_crc32_u8(c32, *p++);
    --n;
  }
#if defined(__x86_64__)
  uint64_t c = c32;
  // Four independent loads per iteration; the dependency is on c only (3-cycle latency per step).
  while (n >= 32) {
    uint64_t a, b, d, e;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + 8, 8);
    std::memcpy(&d, p + 16, 8);
    std::memcpy(&e, p + 24, 8);
    c = _mm_crc32_u64(c, a);
    c = _mm_crc32_u64(c, b);
    c = _mm_crc32_u64(c, d);
    c = _mm_crc32_u64(c, e);
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    uint64_t a;
    std::memcpy(&a, p, 8);
    c = _mm_crc32_u64(c, a);
    p += 8;
    n -= 8;
  }
  c32 = static_cast<uint32_t>(c);
#endif
  while (n >= 4) {
    uint32_t a;
    std::memcpy(&a, p, 4);
    c32 = _mm_crc32_u32(c32, a);
    p += 4;
    n -= 4;
  }
  while (n--) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
}

uint32_t crc32c_extend(uint32_t crc, const void* data, size_t n) {
  return crc32c_hardware_available() ? crc32c_extend_hardware(crc, data, n) : crc32c_extend_portable(crc, data, n);
}

#else

bool crc32c_hardware_available() { return false; }
uint32_t crc32c_extend_hardware(uint32_t crc, const void* data, size_t n) {
  return crc32c_extend_portable(crc, data, n);
}
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t n) { return crc32c_extend_portable(crc, data, n); }

#endif

}  // namespace db001::recovery
