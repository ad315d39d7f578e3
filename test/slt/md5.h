#pragma once
/// A small MD5 (RFC 1321) for the sqllogictest runner: the corpus stores large results as
/// "N values hashing to <md5 of each value followed by a newline>". Not for security.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace db001::slt {

/// Incremental MD5: update() any number of times, then hex_digest() once.
class md5 {
 public:
  md5();
  /// Appends bytes to the message. Ignored after hex_digest().
  void update(const void* data, size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  /// Finishes the message and returns the digest as 32 lowercase hex digits; later calls return the same.
  std::string hex_digest();

  /// MD5 of `s` as 32 lowercase hex digits.
  static std::string hex(std::string_view s);

 private:
  void transform(const uint8_t* block);

  uint32_t state_[4];
  uint64_t length_ = 0;  ///< message length in bytes
  uint8_t buffer_[64];
  size_t buffered_ = 0;
  bool finished_ = false;
  std::string digest_;
};

}  // namespace db001::slt
