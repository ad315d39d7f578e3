#pragma once
/// A cursor over the body of one protocol message, with PostgreSQL's pqformat.c checks
/// (pq_getmsgint, pq_getmsgbytes, pq_getmsgstring, pq_getmsgend) and their 08P01 errors.
/// Used by the frontend decoder and the SASL/password helpers; not thread-safe (a value type).
#include <cstdint>
#include <cstring>
#include <string_view>

#include "actors/pgwire/protocol.h"
#include "storage/error.h"

namespace db001::pgwire {

inline uint32_t read_be32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t(u[0]) << 24) | (uint32_t(u[1]) << 16) | (uint32_t(u[2]) << 8) | uint32_t(u[3]);
}
inline uint16_t read_be16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint16_t((u[0] << 8) | u[1]);
}
inline uint64_t read_be64(const char* p) { return (uint64_t(read_be32(p)) << 32) | read_be32(p + 4); }

void check_utf8(std::string_view s);

class wire_reader {
 public:
  explicit wire_reader(std::string_view body) : s_(body) {}

  size_t remaining() const { return s_.size() - p_; }
  /// 08P01 "insufficient data left in message" unless n more bytes are available.
  void need(size_t n) const {
    if (n > remaining()) [[unlikely]]
      throw db_error(sqlstate::protocol_violation, "insufficient data left in message");
  }
  uint8_t byte() {
    if (remaining() < 1) [[unlikely]]
      throw db_error(sqlstate::protocol_violation, "no data left in message");
    return static_cast<uint8_t>(s_[p_++]);
  }
  int16_t i16() { return static_cast<int16_t>(u16()); }
  uint16_t u16() {
    need(2);
    uint16_t v = read_be16(s_.data() + p_);
    p_ += 2;
    return v;
  }
  int32_t i32() {
    need(4);
    auto v = static_cast<int32_t>(read_be32(s_.data() + p_));
    p_ += 4;
    return v;
  }
  /// n raw bytes; a negative n is "insufficient data left in message" as in PostgreSQL.
  std::string_view bytes(int32_t n) {
    if (n < 0) [[unlikely]]
      throw db_error(sqlstate::protocol_violation, "insufficient data left in message");
    need(size_t(n));
    std::string_view v = s_.substr(p_, size_t(n));
    p_ += size_t(n);
    return v;
  }
  /// A NUL-terminated string without encoding check (pq_getmsgrawstring).
  std::string_view raw_string() {
    const void* z = std::memchr(s_.data() + p_, 0, remaining());
    if (!z) [[unlikely]]
      throw db_error(sqlstate::protocol_violation, "invalid string in message");
    const size_t n = static_cast<const char*>(z) - (s_.data() + p_);
    std::string_view v = s_.substr(p_, n);
    p_ += n + 1;
    return v;
  }
  /// A NUL-terminated string checked as UTF-8 (pq_getmsgstring; 22021 on bad bytes).
  std::string_view string() {
    std::string_view v = raw_string();
    check_utf8(v);
    return v;
  }
  /// 08P01 "invalid message format" unless the whole body was read.
  void end() const {
    if (p_ != s_.size()) [[unlikely]]
      throw db_error(sqlstate::protocol_violation, "invalid message format");
  }

 private:
  std::string_view s_;
  size_t p_ = 0;
};

}  // namespace db001::pgwire
