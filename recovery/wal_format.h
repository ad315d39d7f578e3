#pragma once
/// The write-ahead log's on-disk format — the one place that describes it.
///
/// The log is one stream of bytes addressed by LSN (log sequence number): LSN = segment_no * segment_size +
/// offset in the segment file. It is cut into segment files of `segment_size` bytes (a power of two, 4 KiB ..
/// 1 GiB; the server uses 16 MiB), named by 16 lower-case hex digits of the segment number + ".wal"
/// ("000000000000002a.wal" holds LSNs [42 * size, 43 * size)). A file may be shorter than the segment (the log
/// ends in it); bytes past the file end read as "not written".
///
/// Segment header, at offset 0 of every segment file (LSNs [seg * size, seg * size + segment_header_size)),
/// little-endian:
///
///   0         4       6       8                 16                24        28        32
///   +---------+-------+-------+-----------------+-----------------+---------+---------+
///   | magic   |version|hdrsize| segment_size    | segment_no      | reserved| crc32c  |
///   +---------+-------+-------+-----------------+-----------------+---------+---------+
///   magic = "DBWL" (0x4C574244), version = 1, hdrsize = 32, reserved = 0, crc32c of bytes 0..28.
///
/// Records follow, each at an 8-byte aligned LSN, little-endian header of 24 bytes:
///
///   0         4         8     9     10                  16                        24
///   +---------+---------+-----+-----+-------------------+-------------------------+
///   | crc32c  | length  |type |flags| reserved (zero)   | lsn (this record's own) |  payload (length bytes)
///   +---------+---------+-----+-----+-------------------+-------------------------+
///   crc32c covers header bytes 4..24 and the payload. The record occupies record_size(length) =
///   align8(24 + length) bytes; the padding after the payload is zero and not checksummed.
///
/// Rules:
///  - Records never span segments: a record that does not fit in the rest of a segment goes to the first data byte
///    of the next one (place()). The unused tail of the segment is a filler record when it is at least a header
///    long (the segment writer writes it), else skipped by position alone (fewer than 24 bytes left).
///  - The lsn field must equal the record's position: a valid-looking record left over in reused space (from
///    before a truncation, a copied file, another segment) is stale and ends the log.
///  - Filler records (type 0) carry no meaning; readers skip them. The writer also overwrites the records of
///    transactions whose write failed with fillers of the same size, so every later LSN stays valid.
///  - The log ends at the first position that does not hold a valid record; wal_reader says why (wal_stop).
///
/// Thread-safety: pure functions, safe from any thread.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace db001::recovery {

/// A byte position in the WAL stream: segment_no * segment_size + offset.
using lsn_t = uint64_t;

/// Record types. New types take the next free id and are added to is_known_record_type.
enum class record_type : uint8_t {
  filler = 0,         ///< padding: a segment's unused tail, or the records of a failed write
  commit = 1,         ///< a committed transaction's redo records
  checkpoint = 2,     ///< a finished checkpoint (where its image is, its redo start)
  restore_point = 3,  ///< a named point for point-in-time restore
};
inline constexpr uint8_t record_type_count = 4;
inline constexpr bool is_known_record_type(uint8_t t) { return t < record_type_count; }
const char* record_type_name(record_type t);

inline constexpr uint32_t segment_magic = 0x4C574244;  // "DBWL" little-endian
inline constexpr uint16_t format_version = 1;
inline constexpr size_t segment_header_size = 32;
inline constexpr size_t record_header_size = 24;
inline constexpr size_t record_alignment = 8;
inline constexpr uint64_t min_segment_size = 4096;
inline constexpr uint64_t max_segment_size = uint64_t{1} << 30;
inline constexpr uint64_t default_segment_size = uint64_t{16} << 20;
static_assert(segment_header_size % record_alignment == 0 && record_header_size % record_alignment == 0);

/// Whether `s` is a power of two in [min_segment_size, max_segment_size].
inline constexpr bool valid_segment_size(uint64_t s) {
  return s >= min_segment_size && s <= max_segment_size && std::has_single_bit(s);
}
/// Throws std::invalid_argument unless valid_segment_size(s).
void check_segment_size(uint64_t s);

/// Bytes a record with a payload of `payload_len` bytes occupies: align8(header + payload).
inline constexpr size_t record_size(size_t payload_len) {
  return (record_header_size + payload_len + record_alignment - 1) & ~(record_alignment - 1);
}
/// The biggest record (header included) a segment holds: everything after the segment header.
inline constexpr size_t max_record_bytes(uint64_t segment_size) {
  return static_cast<size_t>(segment_size - segment_header_size);
}
/// The biggest payload a record may carry in segments of `segment_size`.
inline constexpr size_t max_payload_size(uint64_t segment_size) {
  return max_record_bytes(segment_size) - record_header_size;
}

inline constexpr uint64_t segment_of(lsn_t lsn, uint64_t segment_size) { return lsn / segment_size; }
inline constexpr lsn_t segment_start(uint64_t segment_no, uint64_t segment_size) { return segment_no * segment_size; }
/// The first LSN that can hold a record at or after `lsn`: `lsn` itself, or the end of the segment header when
/// `lsn` falls into one.
inline constexpr lsn_t skip_segment_header(lsn_t lsn, uint64_t segment_size) {
  uint64_t off = lsn % segment_size;
  return off < segment_header_size ? lsn - off + segment_header_size : lsn;
}

/// Where a record of `record_bytes` bytes goes when the stream ends at `end`: `end` (moved past a segment header it
/// falls into) if the record fits in the rest of that segment, else the first data byte of the next segment.
/// REQUIRES: record_bytes <= max_record_bytes(segment_size), end 8-aligned.
inline constexpr lsn_t place(lsn_t end, size_t record_bytes, uint64_t segment_size) {
  lsn_t at = skip_segment_header(end, segment_size);
  lsn_t seg_end = at - at % segment_size + segment_size;
  if (record_bytes <= seg_end - at) return at;
  return seg_end + segment_header_size;
}

/// The segment file name: 16 hex digits of the number + ".wal".
std::string segment_file_name(uint64_t segment_no);
/// Parses a segment file name; false if `name` is not one.
bool parse_segment_file_name(std::string_view name, uint64_t* segment_no);

/// Writes the segment header (segment_header_size bytes) to `out`.
void encode_segment_header(char* out, uint64_t segment_no, uint64_t segment_size);
/// Checks a segment header; "" if it is valid for this segment, else what is wrong.
std::string check_segment_header(const char* in, uint64_t segment_no, uint64_t segment_size);

/// Writes a record of record_size(payload.size()) bytes to `out` for LSN `at` (padding zeroed).
/// REQUIRES: record_size(payload.size()) <= max_record_bytes of the segment size in use; `at` 8-aligned.
void encode_record(char* out, lsn_t at, record_type type, std::string_view payload, uint8_t flags = 0);
/// Writes a filler record exactly `total_bytes` long (a zero payload) for LSN `at`.
/// REQUIRES: total_bytes >= record_header_size, total_bytes % 8 == 0.
void encode_filler(char* out, lsn_t at, size_t total_bytes);

/// The decoded fields of a record header (no checks).
struct record_header {
  uint32_t crc;
  uint32_t length;
  uint8_t type;
  uint8_t flags;
  lsn_t lsn;
};

// Little-endian field access.
inline uint16_t load_u16(const char* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap16(v);
  return v;
}
inline uint32_t load_u32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}
inline uint64_t load_u64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}
inline void store_u16(char* p, uint16_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap16(v);
  std::memcpy(p, &v, 2);
}
inline void store_u32(char* p, uint32_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}
inline void store_u64(char* p, uint64_t v) {
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  std::memcpy(p, &v, 8);
}

inline record_header decode_record_header(const char* in) {
  return {load_u32(in), load_u32(in + 4), static_cast<uint8_t>(in[8]), static_cast<uint8_t>(in[9]), load_u64(in + 16)};
}

/// The checksum a record with this header (bytes 4..24 of `header`) and payload must carry.
uint32_t record_crc(const char* header, const char* payload, size_t length);

}  // namespace db001::recovery
