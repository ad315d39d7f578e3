#include "recovery/wal_format.h"

#include <cstdio>
#include <stdexcept>

#include "recovery/crc32c.h"

namespace db001::recovery {

const char* record_type_name(record_type t) {
  switch (t) {
    case record_type::filler:
      return "filler";
    case record_type::commit:
      return "commit";
    case record_type::checkpoint:
      return "checkpoint";
    case record_type::restore_point:
      return "restore_point";
  }
  return "unknown";
}

void check_segment_size(uint64_t s) {
  if (!valid_segment_size(s))
    throw std::invalid_argument("WAL segment size " + std::to_string(s) +
                                " is not a power of two between 4096 and 1073741824");
}

std::string segment_file_name(uint64_t segment_no) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx.wal", static_cast<unsigned long long>(segment_no));
  return buf;
}

bool parse_segment_file_name(std::string_view name, uint64_t* segment_no) {
  if (name.size() != 20 || name.substr(16) != ".wal") return false;
  uint64_t v = 0;
  for (size_t i = 0; i < 16; ++i) {
    char c = name[i];
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else
      return false;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  *segment_no = v;
  return true;
}

void encode_segment_header(char* out, uint64_t segment_no, uint64_t segment_size) {
  store_u32(out, segment_magic);
  store_u16(out + 4, format_version);
  store_u16(out + 6, static_cast<uint16_t>(segment_header_size));
  store_u64(out + 8, segment_size);
  store_u64(out + 16, segment_no);
  store_u32(out + 24, 0);
  store_u32(out + 28, crc32c(out, 28));
}

std::string check_segment_header(const char* in, uint64_t segment_no, uint64_t segment_size) {
  if (load_u32(in) != segment_magic) return "invalid magic number";
  if (load_u32(in + 28) != crc32c(in, 28)) return "incorrect segment header checksum";
  if (load_u16(in + 4) != format_version) return "unsupported format version " + std::to_string(load_u16(in + 4));
  if (load_u16(in + 6) != segment_header_size) return "invalid segment header size";
  if (load_u64(in + 8) != segment_size)
    return "segment size " + std::to_string(load_u64(in + 8)) + " differs from the configured " +
           std::to_string(segment_size);
  if (load_u64(in + 16) != segment_no)
    return "segment header names segment " + std::to_string(load_u64(in + 16)) + " in file of segment " +
           std::to_string(segment_no);
  return "";
}

uint32_t record_crc(const char* header, const char* payload, size_t length) {
  return crc32c_extend(crc32c(header + 4, record_header_size - 4), payload, length);
}

void encode_record(char* out, lsn_t at, record_type type, std::string_view payload, uint8_t flags) {
  store_u32(out + 4, static_cast<uint32_t>(payload.size()));
  out[8] = static_cast<char>(type);
  out[9] = static_cast<char>(flags);
  std::memset(out + 10, 0, 6);
  store_u64(out + 16, at);
  if (!payload.empty()) std::memcpy(out + record_header_size, payload.data(), payload.size());
  size_t total = record_size(payload.size());
  std::memset(out + record_header_size + payload.size(), 0, total - record_header_size - payload.size());
  store_u32(out, record_crc(out, out + record_header_size, payload.size()));
}

void encode_filler(char* out, lsn_t at, size_t total_bytes) {
  size_t len = total_bytes - record_header_size;
  std::memset(out + record_header_size, 0, len);
  store_u32(out + 4, static_cast<uint32_t>(len));
  out[8] = static_cast<char>(record_type::filler);
  out[9] = 0;
  std::memset(out + 10, 0, 6);
  store_u64(out + 16, at);
  store_u32(out, record_crc(out, out + record_header_size, len));
}

}  // namespace db001::recovery
