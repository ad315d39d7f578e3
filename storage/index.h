#pragma once
/// A secondary, unique or primary-key index: a B+Tree over memcmp-comparable normalized keys.
///
/// Entry key = normalized(key columns) || row id (length byte + minimal big-endian bytes), so every entry is unique even
/// when several versions of a row (or several rows) share a key; the tree value is the row
/// id. Index entries are not versioned: readers check each row's visibility in the table.
/// Entries of dead versions are removed by the garbage collector.
///
/// Normalized encoding per column (ascending order, NULLs last as PostgreSQL sorts them):
///   NULL -> 0x02;  non-NULL -> 0x01 then: integers/date/timestamp big-endian at their own
///   width (2, 4 or 8 bytes) with the sign bit flipped; float4/8 as the order-preserving bit pattern of the double;
///   numeric as 16-byte big-endian (sign flipped) at the column's scale; boolean 1 byte;
///   strings with 0x00 escaped as 0x00 0xFF and terminated by 0x00 0x00.
///
/// Thread-safety: all operations are safe from any thread (the tree is concurrent);
/// unique_stripe() serializes the check-then-insert of a unique key across sessions.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "storage/row_block.h"
#include "storage/types.h"
#include "storage/value.h"

namespace db001::storage {

template <class K, class V, class C>
class btree;
class table;

struct key_bound {
  std::string key;  ///< normalized prefix of the key columns
  bool inclusive = true;
};

class index {
 public:
  index(uint32_t oid, std::string name, table* tbl, std::vector<int> columns, bool unique, bool primary);
  ~index();

  uint32_t oid() const { return oid_; }
  const std::string& name() const { return name_; }
  void rename(std::string n) { name_ = std::move(n); }
  const std::vector<int>& columns() const { return columns_; }
  bool unique() const { return unique_; }
  bool primary() const { return primary_; }
  /// Whether the index implements a UNIQUE constraint (not just CREATE UNIQUE INDEX); a
  /// primary key's index always does. Set once, before the index is published.
  bool constraint() const { return constraint_ || primary_; }
  void set_constraint(bool c) { constraint_ = c; }
  table& tbl() const { return *table_; }

  /// Appends the normalized encoding of one value of logical type t (data points at the
  /// physical value; ignored when null).
  static void encode(std::string& out, sql_type t, const void* data, bool null);
  /// Appends the normalized encoding of a boxed value of type t (as stored in a column of t).
  static void encode_value(std::string& out, sql_type t, const value& v);
  /// Normalized key of a stored row (its key columns). Sets *has_null if any key column is NULL.
  std::string row_key(row_id r, bool* has_null = nullptr) const;

  void insert(const std::string& key, row_id r);
  /// Fills an empty index bottom-up from entries in ascending (key, row id) order: next(key,
  /// rid) gives the next one or returns false at the end. Returns false, nothing done, if the
  /// index is not empty; throws std::invalid_argument, the index left empty, if the entries
  /// are not in its order. REQUIRES: no other thread uses the index during the call.
  bool bulk_load(const std::function<bool(std::string_view& key, row_id& r)>& next);
  /// Whether entries are integers (one NOT NULL integer-like key column, the common primary
  /// key): then row_int_key() and bulk_load_ints() apply.
  bool int_entries() const { return int_tree_ != nullptr; }
  /// The integer entry key of row r, or nullopt if its key cell is NULL (possible in recovery:
  /// a row deleted before its column became NOT NULL). REQUIRES: int_entries().
  std::optional<int64_t> row_int_key(row_id r) const;
  /// bulk_load for integer entries: next(key, rid) in ascending (key, rid) order.
  bool bulk_load_ints(const std::function<bool(int64_t& key, row_id& r)>& next);
  void erase(const std::string& key, row_id r);

  /// Calls fn(rid) for every entry whose key starts with `key` (ascending); fn returns false to stop.
  void scan_equal(const std::string& key, const std::function<bool(row_id)>& fn) const;
  /// Point lookup by a full key: `key` holds one value per key column, each of its column's
  /// type and none NULL. Calls fn(rid) (returning false to stop) for every entry with that
  /// key, oldest entry first, with no latch held; the caller checks visibility and then
  /// row_has_key(). No std::function, and no encoding for integer keys.
  template <class F>
  void find_equal(const value* key, F&& fn) const {
    using fn_type = std::remove_reference_t<F>;
    visit_equal(
        key, [](void* f, row_id r) { return (*static_cast<fn_type*>(f))(r); }, &fn);
  }
  /// Whether row rid, a version visible to the caller, still carries the full key `key` (as
  /// for find_equal): false if its slot was reclaimed and reused by another row since the
  /// entry was read.
  bool row_has_key(row_id rid, const value* key) const;
  /// Calls fn(entry, rid) for entries between the bounds (prefix-compared), ascending or descending.
  void scan_range(const std::optional<key_bound>& lo, const std::optional<key_bound>& hi, bool reverse,
                  const std::function<bool(const std::string& entry, row_id)>& fn) const;
  /// Whether index entry `entry` describes row rid as it is stored now (false if the slot was
  /// reclaimed and reused by another row since the entry was read).
  bool entry_matches_row(const std::string& entry, row_id rid) const;

  /// Mutex to hold while checking a unique key and inserting it.
  std::mutex& unique_stripe(const std::string& key) const;

  size_t entry_count() const;

 private:
  uint32_t oid_;
  std::string name_;
  table* table_;
  std::vector<int> columns_;
  bool unique_;
  bool primary_;
  bool constraint_ = false;
  /// An entry of an index on one NOT NULL integer-like column (int2/4/8, date, timestamp):
  /// compared as two integers instead of as bytes (the common primary key).
  struct int_entry {
    int64_t key;
    row_id rid;
  };
  struct int_entry_less {
    bool operator()(const int_entry& a, const int_entry& b) const {
      return a.key < b.key || (a.key == b.key && a.rid < b.rid);
    }
  };
  /// The integer of an encoded single-column key, if this index uses int entries and the
  /// bytes are such a key.
  std::optional<int64_t> int_key(std::string_view key) const;
  /// The integer in row r's key cell (int entries; the cell's NULL byte is not read).
  int64_t stored_int(row_id r) const;
  /// The integer entry key of a boxed value of the (int-entry) key column.
  int64_t int_of(const value& v) const;
  /// The normalized encoding of a full key given as values (as for find_equal).
  std::string encode_key(const value* key) const;
  void visit_equal(const value* key, bool (*fn)(void*, row_id), void* ctx) const;
  std::string entry_string(const int_entry& e) const;

  std::unique_ptr<btree<std::string, row_id, std::less<std::string>>> tree_;
  /// The entry carries the row id, so the tree's value is a placeholder byte (a leaf then
  /// holds 16 bytes per entry instead of 24: fewer lines and pages per lookup).
  using int_btree = btree<int_entry, uint8_t, int_entry_less>;
  std::unique_ptr<int_btree> int_tree_;  ///< instead of tree_ when set
  int int_width_ = 0;  ///< bytes of the integer in encoded keys (2, 4 or 8)
  mutable std::mutex stripes_[64];
};

}  // namespace db001::storage
