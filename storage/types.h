#pragma once
/// SQL types of DB-001 and their physical representation in row blocks and batches.
///
/// Logical type (type_id + modifiers)     physical (phys)   notes
///   BOOLEAN                               u8                0/1
///   SMALLINT / INTEGER / BIGINT           i16 / i32 / i64
///   REAL / DOUBLE PRECISION               f32 / f64
///   NUMERIC(p,s), p <= 18                 i64               value * 10^s (exact)
///   NUMERIC(p,s), p > 18, plain NUMERIC   i128              value * 10^s (exact, 38 digits)
///   TEXT / VARCHAR(n) / CHAR(n)           str               string_t (16 bytes, see below)
///   DATE                                  i32               days since 2000-01-01 (PostgreSQL epoch)
///   TIMESTAMP                             i64               microseconds since 2000-01-01
/// A plain NUMERIC (no typmod) gets a scale chosen per expression (scale >= 0 in plans).
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace db001 {

using int128_t = __int128;

enum class type_id : uint8_t {
  null_,  ///< the type of an untyped NULL literal
  boolean,
  int16,
  int32,
  int64,
  float32,
  float64,
  numeric,
  text,
  varchar,
  bpchar,  ///< CHAR(n): blank-padded
  date,
  timestamp,
  unknown,  ///< an untyped string literal or parameter, resolved by context
};

enum class phys : uint8_t { u8, i16, i32, i64, i128, f32, f64, str };

/// A SQL type: id plus modifiers. `width` is VARCHAR/CHAR length or NUMERIC precision
/// (-1 = none); `scale` is NUMERIC scale.
struct sql_type {
  type_id id = type_id::null_;
  int16_t width = -1;
  int16_t scale = 0;

  constexpr sql_type() = default;
  constexpr sql_type(type_id t, int w = -1, int s = 0) : id(t), width(int16_t(w)), scale(int16_t(s)) {}

  static constexpr sql_type boolean() { return {type_id::boolean}; }
  static constexpr sql_type int16() { return {type_id::int16}; }
  static constexpr sql_type int32() { return {type_id::int32}; }
  static constexpr sql_type int64() { return {type_id::int64}; }
  static constexpr sql_type float32() { return {type_id::float32}; }
  static constexpr sql_type float64() { return {type_id::float64}; }
  /// NUMERIC(p,s); numeric() is a plain NUMERIC whose scale is the value's own (scale -1,
  /// resolved by the binder: the executor only sees concrete scales).
  static constexpr sql_type numeric(int p = -1, int s = -1) { return {type_id::numeric, p, s}; }
  static constexpr sql_type text() { return {type_id::text}; }
  static constexpr sql_type varchar(int n = -1) { return {type_id::varchar, n}; }
  static constexpr sql_type bpchar(int n = -1) { return {type_id::bpchar, n}; }
  static constexpr sql_type date() { return {type_id::date}; }
  static constexpr sql_type timestamp() { return {type_id::timestamp}; }
  static constexpr sql_type null() { return {type_id::null_}; }
  static constexpr sql_type unknown() { return {type_id::unknown}; }

  constexpr phys physical() const {
    switch (id) {
      case type_id::boolean: return phys::u8;
      case type_id::int16: return phys::i16;
      case type_id::int32: return phys::i32;
      case type_id::date: return phys::i32;
      case type_id::int64: return phys::i64;
      case type_id::timestamp: return phys::i64;
      case type_id::float32: return phys::f32;
      case type_id::float64: return phys::f64;
      case type_id::numeric: return (width > 0 && width <= 18) ? phys::i64 : phys::i128;
      case type_id::text:
      case type_id::varchar:
      case type_id::bpchar:
      case type_id::unknown: return phys::str;
      case type_id::null_: return phys::i32;
    }
    return phys::i64;
  }
  constexpr bool is_integer() const {
    return id == type_id::int16 || id == type_id::int32 || id == type_id::int64;
  }
  constexpr bool is_float() const { return id == type_id::float32 || id == type_id::float64; }
  constexpr bool is_numeric() const { return id == type_id::numeric; }
  constexpr bool is_number() const { return is_integer() || is_float() || is_numeric(); }
  constexpr bool is_string() const {
    return id == type_id::text || id == type_id::varchar || id == type_id::bpchar || id == type_id::unknown;
  }
  constexpr bool is_temporal() const { return id == type_id::date || id == type_id::timestamp; }
  constexpr bool operator==(const sql_type& o) const {
    return id == o.id && width == o.width && (id != type_id::numeric || scale == o.scale);
  }

  /// PostgreSQL's name for the type, with modifiers: "integer", "numeric(10,2)", "character varying(5)".
  std::string name() const;
  /// PostgreSQL's type OID (int4 = 23, ...), for the wire protocol and pg_catalog.
  uint32_t oid() const;
};

constexpr size_t phys_size(phys p) {
  switch (p) {
    case phys::u8: return 1;
    case phys::i16: return 2;
    case phys::i32: return 4;
    case phys::i64: return 8;
    case phys::i128: return 16;
    case phys::f32: return 4;
    case phys::f64: return 8;
    case phys::str: return 16;
  }
  return 8;
}

/// A string as stored in blocks and batches (the Umbra layout): 16 bytes, strings up to 12
/// bytes inline, longer ones as a 4-byte prefix plus a pointer to memory owned elsewhere
/// (in a table the block's medium area or the string's own heap allocation, see
/// storage/row_block.h; an arena in a batch).
struct string_t {
  static constexpr uint32_t inline_max = 12;
  uint32_t len = 0;
  char prefix[4] = {};  ///< first 4 bytes (inline strings continue into `u`)
  union {
    char rest[8];
    const char* ptr;
  } u{};

  string_t() = default;
  /// Refers to `s` (copied when short, pointed to when long): `s` must outlive a long string_t.
  string_t(const char* data, uint32_t n) : len(n) {
    if (n <= inline_max) {
      if (n) std::memcpy(inline_bytes(), data, n);
    } else {
      std::memcpy(prefix, data, 4);
      u.ptr = data;
    }
  }
  explicit string_t(std::string_view s) : string_t(s.data(), uint32_t(s.size())) {}
  const char* data() const { return len <= inline_max ? inline_bytes() : u.ptr; }
  uint32_t size() const { return len; }
  std::string_view view() const { return {data(), len}; }
  bool is_inline() const { return len <= inline_max; }
  bool operator==(const string_t& o) const {
    if (len != o.len || std::memcmp(prefix, o.prefix, 4) != 0) return false;
    if (len <= inline_max) return std::memcmp(u.rest, o.u.rest, len > 4 ? len - 4 : 0) == 0;
    return std::memcmp(u.ptr, o.u.ptr, len) == 0;
  }
  int compare(const string_t& o) const { return view().compare(o.view()); }

 private:
  /// The 12 inline bytes: prefix followed by u (contiguous: prefix at 4, u at 8).
  char* inline_bytes() { return reinterpret_cast<char*>(this) + offsetof(string_t, prefix); }
  const char* inline_bytes() const { return reinterpret_cast<const char*>(this) + offsetof(string_t, prefix); }
};
static_assert(sizeof(string_t) == 16);

/// Physical C++ type for a phys tag.
template <phys P> struct phys_cpp;
template <> struct phys_cpp<phys::u8> { using type = uint8_t; };
template <> struct phys_cpp<phys::i16> { using type = int16_t; };
template <> struct phys_cpp<phys::i32> { using type = int32_t; };
template <> struct phys_cpp<phys::i64> { using type = int64_t; };
template <> struct phys_cpp<phys::i128> { using type = int128_t; };
template <> struct phys_cpp<phys::f32> { using type = float; };
template <> struct phys_cpp<phys::f64> { using type = double; };
template <> struct phys_cpp<phys::str> { using type = string_t; };

/// Calls f(T{}) with the C++ type of phys p (a value of that type, default constructed).
template <class F>
decltype(auto) visit_phys(phys p, F&& f) {
  switch (p) {
    case phys::u8: return f(uint8_t{});
    case phys::i16: return f(int16_t{});
    case phys::i32: return f(int32_t{});
    case phys::i64: return f(int64_t{});
    case phys::i128: return f(int128_t{});
    case phys::f32: return f(float{});
    case phys::f64: return f(double{});
    case phys::str: return f(string_t{});
  }
  return f(int64_t{});
}

}  // namespace db001
