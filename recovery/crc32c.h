#pragma once
/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), the checksum of the WAL records
/// (recovery/wal_format.h). On x86-64 the SSE4.2 `crc32` instruction computes it (checked at run time, so a
/// portable build still uses it); elsewhere, or when the CPU lacks it, a slicing-by-8 table does.
///
/// Thread-safety: pure functions, safe from any thread.
#include <cstddef>
#include <cstdint>

namespace db001::recovery {

/// Extends `crc` (a finished CRC-32C of some prefix, 0 for none) by `n` bytes at `data` and returns the CRC-32C
/// of the whole. crc32c_extend(0, "123456789", 9) == 0xE3069283.
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t n);

/// CRC-32C of `n` bytes.
inline uint32_t crc32c(const void* data, size_t n) { return crc32c_extend(0, data, n); }

/// The table implementation, always available (tests compare it with the hardware one).
uint32_t crc32c_extend_portable(uint32_t crc, const void* data, size_t n);

/// Whether crc32c_extend uses the CPU's crc32 instruction.
bool crc32c_hardware_available();

/// The hardware implementation. REQUIRES: crc32c_hardware_available().
uint32_t crc32c_extend_hardware(uint32_t crc, const void* data, size_t n);

}  // namespace db001::recovery
