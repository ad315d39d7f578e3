#pragma once
/// The catalog image: the schema of the whole database (tables, indexes, views, the next
/// oid) as bytes. A commit record of a transaction that did DDL carries one, and so does
/// every checkpoint. Applying an image makes a catalog match it by oid.
///
/// Layout (little endian; str = u32 length + bytes):
///   u32 magic 'CATI' | u8 version (1) | u32 next_oid
///   u32 tables  { u32 oid | str name | u32 columns { str name | u8 type_id | i16 width | i16 scale |
///                 u8 not_null | u8 has_default | str default_json | str default_text } }
///   u32 indexes { u32 oid | str name | u32 table oid | u32 columns { i32 column } | u8 unique |
///                 u8 primary | u8 constraint }
///   u32 views   { u32 oid | str name | str query_json | str definition | u32 names { str } }
///
/// Also here: recovery_error and the little-endian byte writer/reader the recovery formats share.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "storage/catalog.h"
#include "storage/error.h"

namespace db001::recovery {

/// Malformed recovery input (commit record, catalog image, checkpoint file): SQLSTATE XX001
/// (data_corrupted) and a message naming what is wrong and where. Recovery code throws it;
/// the caller (startup) turns it into its status.
class recovery_error : public db_error {
 public:
  explicit recovery_error(const std::string& what) : db_error("XX001", what) {}
};

/// Appends little-endian values.
inline void put_u8(std::string& out, uint8_t v) { out.push_back(char(v)); }
template <class T>
inline void put_le(std::string& out, T v) {
  static_assert(std::is_trivially_copyable_v<T>);
  out.append(reinterpret_cast<const char*>(&v), sizeof v);  // x86-64: little endian
}
inline void put_str(std::string& out, std::string_view s) {
  put_le<uint32_t>(out, uint32_t(s.size()));
  out.append(s);
}

/// Reads what the put_* functions wrote; every read checks the bounds and throws
/// recovery_error("<what>: truncated ...") past the end.
class byte_reader {
 public:
  byte_reader(std::string_view data, const char* what)
      : p_(data.data()), end_(data.data() + data.size()), begin_(p_), what_(what) {}
  size_t left() const { return size_t(end_ - p_); }
  size_t offset() const { return size_t(p_ - begin_); }
  bool done() const { return p_ == end_; }
  const char* pos() const { return p_; }
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p_, sizeof v);
    p_ += sizeof v;
    return v;
  }
  uint8_t u8() { return get<uint8_t>(); }
  uint32_t u32() { return get<uint32_t>(); }
  uint64_t u64() { return get<uint64_t>(); }
  std::string_view bytes(size_t n) {
    need(n);
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }
  std::string_view str() { return bytes(u32()); }
  /// A count of items of at least min_item_bytes each: rejects counts the rest cannot hold.
  uint32_t count(size_t min_item_bytes, const char* of) {
    uint32_t n = u32();
    if (min_item_bytes && n > left() / min_item_bytes)
      fail(std::string("implausible count of ") + of + " (" + std::to_string(n) + ")");
    return n;
  }
  [[noreturn]] void fail(const std::string& msg) const {
    throw recovery_error(std::string(what_) + ": " + msg + " at byte " + std::to_string(offset()));
  }
  void need(size_t n) const {
    if (size_t(end_ - p_) < n) [[unlikely]]
      truncated(n);
  }
  [[noreturn, gnu::cold, gnu::noinline]] void truncated(size_t n) const {
    fail("truncated (need " + std::to_string(n) + " bytes, " + std::to_string(end_ - p_) + " left)");
  }

 private:
  const char* p_;
  const char* end_;
  const char* begin_;
  const char* what_;
};

/// A decoded catalog image.
struct catalog_image {
  struct table_def {
    uint32_t oid = 0;
    std::string name;
    std::vector<storage::column_def> columns;
  };
  struct index_def {
    uint32_t oid = 0, table_oid = 0;
    std::string name;
    std::vector<int> columns;
    bool unique = false, primary = false, constraint = false;
  };
  uint32_t next_oid = 0;
  std::vector<table_def> tables;
  std::vector<index_def> indexes;
  std::vector<storage::view_def> views;
};

/// Appends the image of `cat` (its objects read under the catalog's lock, a consistent set).
/// REQUIRES (for an image that means "committed schema"): no other transaction has uncommitted
/// DDL in the catalog — the catalog is not versioned, so the caller serializes DDL.
void encode_catalog_image(std::string& out, const storage::catalog& cat);
void encode_catalog_image(std::string& out, const storage::catalog::contents& c);
/// Parses an image; throws recovery_error on malformed input.
catalog_image decode_catalog_image(std::string_view image);
/// Makes `cat` match the image by oid: drops tables/indexes/views that are not in it, renames,
/// sets NOT NULL flags, creates new tables (empty) and views, creates new indexes (filled from
/// the table's present rows: REQUIRES every row present in the table is live, as during
/// recovery), and raises the next oid. Single-threaded (recovery). Throws recovery_error for
/// malformed images or changes the engine cannot make (a column's type changed).
void apply_catalog_image(storage::catalog& cat, std::string_view image);
/// fill_new_indexes = false leaves indexes the image adds empty (recovery builds every index
/// once, after the WAL replay).
void apply_catalog_image(storage::catalog& cat, const catalog_image& image, bool fill_new_indexes = true);

/// Adds row rid to index ix during recovery. Skips a row whose key holds a NULL although every
/// key column is NOT NULL now: such a row predates the constraint (a checkpoint's catalog may be
/// newer than its rows) and is deleted by a later record before the constraint was added.
void recovery_index_insert(storage::index& ix, storage::row_id rid);

/// Fills an empty index from every present row of its table (xmin not free/aborted), keys
/// sorted first so the tree is built in key order; on up to `threads` threads (each sorts and
/// inserts the keys of a share of the blocks). Recovery only (no concurrent writers).
void build_index(storage::index& ix, unsigned threads = 1);

}  // namespace db001::recovery
