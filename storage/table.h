#pragma once
/// A table's rows: a growing directory of row blocks, slot allocation with reuse of
/// reclaimed slots, and the table's indexes. Knows nothing of transactions: the MVCC
/// stamps are written by txn/ through row_block's atomic accessors.
///
/// Thread-safety: allocate_slot() and reclaim() are safe from any thread (a mutex guards
/// the free list and the tail); block(i) is lock-free for readers (the directory never
/// moves blocks); values of a slot are written only by the thread that allocated it,
/// before it publishes xmin.
#include <atomic>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/row_block.h"
#include "storage/types.h"

namespace db001::storage {

class index;

struct column_def {
  std::string name;
  sql_type type;
  bool not_null = false;
  bool has_default = false;
  std::string default_json;  ///< the default expression as libpg_query JSON (re-bound on use)
  std::string default_text;  ///< the default expression as the user wrote it, for \d
};

class table {
 public:
  table(uint32_t oid, std::string name, std::vector<column_def> columns);
  ~table();

  uint32_t oid() const { return oid_; }
  const std::string& name() const { return name_; }
  void rename(std::string n) { name_ = std::move(n); }
  const std::vector<column_def>& columns() const { return columns_; }
  const column_def& column(size_t i) const { return columns_[i]; }
  size_t column_count() const { return columns_.size(); }
  /// Sets a column's NOT NULL flag (ALTER TABLE ... ADD PRIMARY KEY). REQUIRES: the caller
  /// holds the table exclusively for DDL (statements read the flag while they run).
  void set_not_null(size_t i, bool v) { columns_[i].not_null = v; }
  /// Index of the column called `name` (already lower-cased), or -1.
  int find_column(std::string_view name) const;

  /// Number of blocks allocated so far; blocks [0, block_count()) are valid.
  uint32_t block_count() const { return block_count_.load(std::memory_order_acquire); }
  row_block& block(uint32_t b) const {
    return *dir_[b >> dir_shift].load(std::memory_order_acquire)[b & (dir_chunk - 1)];
  }
  row_block& block_of(row_id r) const { return block(rid_block(r)); }

  /// Hands out an empty slot (a reclaimed one if any, else the next at the tail).
  row_id allocate_slot();
  /// Writes column values into an allocated, unpublished slot.
  void set_null(row_id r, size_t col);
  void set_fixed(row_id r, size_t col, const void* bytes);  ///< phys_size(type) bytes
  /// Copies strings over string_t::inline_max bytes into the block's medium area (up to its
  /// width, see medium_width_) or to the heap.
  void set_string(row_id r, size_t col, std::string_view s);
  /// Returns a slot to the free list; frees its heap strings. REQUIRES: no snapshot can see it.
  void reclaim(row_id r);

  /// Recovery (single-threaded, no concurrent user of the table; see recovery/):
  /// restore_slot() makes slot r exist and be in use: grows the blocks (earlier blocks count as
  /// full, as allocate_slot() leaves them) and the block's high-water mark, and takes r out of
  /// the free list (by emptying it: call rebuild_free_slots() when done). Throws XX000 if r is
  /// out of range or holds a row (xmin != slot_free).
  void restore_slot(row_id r);
  /// Makes blocks [0, b] exist and block b's high-water mark at least `used`; returns block b.
  row_block& restore_block(uint32_t b, uint32_t used);
  /// Frees slot r (its long strings, stamps) without putting it on the free list.
  void release_slot(row_id r);
  /// After recovery: the free list = every slot below a block's high-water mark with xmin ==
  /// slot_free (lowest row id handed out first); approx_rows = live rows. Returns the live rows.
  int64_t rebuild_free_slots();

  /// Approximate number of live rows (maintained by inserts, deletes and GC; for planning).
  int64_t approx_rows() const { return approx_rows_.load(std::memory_order_relaxed); }
  void add_approx_rows(int64_t d) { approx_rows_.fetch_add(d, std::memory_order_relaxed); }

  using index_list = std::vector<std::shared_ptr<index>>;
  /// The table's indexes: an immutable list (indexes added or dropped later make a new one).
  std::shared_ptr<const index_list> indexes() const;
  void add_index(std::shared_ptr<index> ix);
  void remove_index(const index* ix);

  /// Bytes held by the table's blocks and long strings (approximate). Charged to
  /// table_memory (the shared_buffers limit) as they are allocated and freed.
  size_t memory_bytes() const;

 private:
  size_t block_bytes() const;  ///< what one row block of this table takes
  static constexpr uint32_t dir_shift = 12;
  static constexpr uint32_t dir_chunk = 1u << dir_shift;
  static constexpr uint32_t dir_top = 1u << 14;

  uint32_t oid_;
  std::string name_;
  std::vector<column_def> columns_;
  std::vector<phys> phys_types_;

  // Directory: dir_top chunks of dir_chunk block pointers each (up to 64 M blocks).
  std::unique_ptr<std::atomic<row_block**>[]> dir_;
  std::atomic<uint32_t> block_count_{0};
  std::mutex append_mutex_;
  std::vector<row_id> free_slots_;
  std::atomic<bool> free_slots_maybe_nonempty_{false};  ///< false: free_slots_ is empty (restore_slot skips the lock)
  std::atomic<int64_t> approx_rows_{0};
  std::atomic<size_t> heap_bytes_{0};
  /// Per column: the width of the medium areas blocks make from now on — medium_narrow until
  /// a medium string longer than that arrives, then medium_max.
  std::unique_ptr<std::atomic<uint32_t>[]> medium_width_;
  uint32_t charged_blocks_ = 0;  ///< blocks charged to table_memory (guarded by append_mutex_)

  std::mutex index_mutex_;                  ///< serializes writers of indexes_
  std::shared_ptr<const index_list> indexes_;  ///< copy-on-write; read with std::atomic_load
};

}  // namespace db001::storage
