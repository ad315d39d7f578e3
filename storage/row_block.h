#pragma once
/// A row block: up to `block_rows` complete rows of one table, laid out column by column
/// inside the block (PAX), plus the MVCC stamps of every row slot.
///
/// Thread-safety: slots are handed out by the owning table (under its append lock); the
/// writer fills a slot's column values and then publishes it by storing `xmin` with release
/// order. Readers load `used` and `xmin` with acquire order and only read the column values
/// of slots whose xmin they have seen; so values are never read half written. Column values
/// of a published slot never change (an UPDATE writes a new version into another slot).
/// Slots are reused only after the garbage collector proved no snapshot can see them.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <memory>
#include <vector>

#include "storage/types.h"

namespace db001::storage {

/// Rows per block: one constant for the engine, a power of two.
inline constexpr uint32_t block_rows = 1024;
static_assert((block_rows & (block_rows - 1)) == 0, "block_rows must be a power of two");
inline constexpr uint32_t block_shift = 10;
static_assert((1u << block_shift) == block_rows);

/// A row id: block number * block_rows + slot.
using row_id = uint64_t;
inline constexpr uint32_t rid_block(row_id r) { return uint32_t(r >> block_shift); }
inline constexpr uint32_t rid_slot(row_id r) { return uint32_t(r & (block_rows - 1)); }
inline constexpr row_id make_rid(uint32_t block, uint32_t slot) { return (row_id(block) << block_shift) | slot; }

/// MVCC stamps (see txn/visibility.h): a commit timestamp (< txn_bit), or a transaction
/// marker (txn_bit | txn_seq << cid_bits | command id) while the writer has not committed.
inline constexpr uint64_t txn_bit = uint64_t(1) << 63;
inline constexpr uint64_t ts_infinity = txn_bit - 1;  ///< xmax of a live row
inline constexpr uint64_t slot_free = 0;              ///< xmin of an empty or reclaimed slot
inline constexpr uint64_t slot_aborted = 1;           ///< xmin of a row whose inserter aborted
inline constexpr uint64_t no_version = ~uint64_t(0);  ///< next_version() of a slot without successor

/// Strings of inline_max+1 .. medium_max bytes live in their block, in a per-column area of
/// 16 or 32 bytes per slot (see block_column): at an address known from the slot alone, so a
/// point read fetches their bytes in parallel with the slot's string_t instead of after it.
/// Longer strings, and strings wider than their block's area, get a heap allocation each.
inline constexpr uint32_t medium_max = 32;
inline constexpr uint32_t medium_narrow = 16;  ///< the narrower area width

/// One column's values inside a block: block_rows values of the column's physical type and
/// a NULL byte per row (nonzero = NULL).
struct block_column {
  std::byte* data = nullptr;
  uint8_t* nulls = nullptr;
  phys type = phys::i64;
  uint32_t width = 8;  ///< phys_size(type): bytes per value
  std::atomic<bool> has_nulls{false};  ///< false: no published row of this column is NULL
  /// String columns: the medium area, block_rows slots of 16 or 32 bytes, made by the first
  /// medium string written to the block and freed with it; 0 until then. Its address
  /// (64-byte aligned) with the slot width / 16 in the low bits, so both come in one load.
  std::atomic<uintptr_t> medium{0};

  static uintptr_t pack_medium(const char* area, uint32_t width) { return uintptr_t(area) | (width / 16); }
  static const char* medium_area(uintptr_t m) { return reinterpret_cast<const char*>(m & ~uintptr_t(63)); }
  static uint32_t medium_width(uintptr_t m) { return uint32_t(m & 63) * 16; }
  /// True if string bytes at p live in this column's medium area (not on the heap).
  bool in_medium(const char* p) const {
    uintptr_t m = medium.load(std::memory_order_relaxed);
    const char* a = medium_area(m);
    return m && p >= a && p < a + size_t(block_rows) * medium_width(m);
  }
};

class row_block {
 public:
  explicit row_block(const std::vector<phys>& types)
      : columns_(types.size()), stamps_(static_cast<slot_stamps*>(std::aligned_alloc(64, sizeof(slot_stamps) * block_rows))) {
    if (!stamps_) throw std::bad_alloc();
    for (size_t c = 0; c < types.size(); ++c) {
      columns_[c].type = types[c];
      columns_[c].width = uint32_t(phys_size(types[c]));
      columns_[c].data = static_cast<std::byte*>(std::aligned_alloc(64, block_rows * phys_size(types[c])));
      columns_[c].nulls = static_cast<uint8_t*>(std::aligned_alloc(64, block_rows));
      if (!columns_[c].data || !columns_[c].nulls) throw std::bad_alloc();
      std::memset(columns_[c].data, 0, block_rows * phys_size(types[c]));  // NULL slots read as 0 / ""
      std::memset(columns_[c].nulls, 0, block_rows);
    }
    for (uint32_t i = 0; i < block_rows; ++i) {
      stamps_[i].xmin = slot_free;
      stamps_[i].xmax = ts_infinity;
    }
  }
  ~row_block() {
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (columns_[c].type == phys::str) {
        auto* s = reinterpret_cast<string_t*>(columns_[c].data);
        uint32_t n = used_.load();
        for (uint32_t i = 0; i < n; ++i)
          if (stamps_[i].xmin != slot_free && !columns_[c].nulls[i] && !s[i].is_inline() &&
              !columns_[c].in_medium(s[i].data()))
            std::free((void*)s[i].data());
      }
      std::free(const_cast<char*>(block_column::medium_area(columns_[c].medium.load())));
      std::free(columns_[c].data);
      std::free(columns_[c].nulls);
    }
    delete[] next_.load();
    std::free(stamps_);
  }
  row_block(const row_block&) = delete;
  row_block& operator=(const row_block&) = delete;

  size_t column_count() const { return columns_.size(); }
  block_column& column(size_t c) { return columns_[c]; }
  const block_column& column(size_t c) const { return columns_[c]; }
  phys column_type(size_t c) const { return columns_[c].type; }

  /// Slots handed out so far (a high-water mark; slots below it may be free or dead).
  uint32_t used() const { return used_.load(std::memory_order_acquire); }
  std::atomic<uint32_t>& used_counter() { return used_; }

  /// The MVCC stamps as one plain array of (xmin, xmax) pairs, slot by slot (for vectorized
  /// visibility: element 2 * slot is the xmin, 2 * slot + 1 the xmax); access them atomically
  /// through load_xmin()/load_xmax() anywhere a writer may race.
  const uint64_t* stamp_pairs() const { return &stamps_[0].xmin; }
  uint64_t load_xmin(uint32_t slot) const { return stamp_ref(stamps_[slot].xmin).load(std::memory_order_acquire); }
  uint64_t load_xmax(uint32_t slot) const { return stamp_ref(stamps_[slot].xmax).load(std::memory_order_acquire); }

  /// Stamp writes. Each stores with release order and then advances the block's stamp epoch
  /// (see known_all_visible), so every writer of a stamp goes through one of these.
  void store_xmin(uint32_t slot, uint64_t v) {
    stamp_ref(stamps_[slot].xmin).store(v, std::memory_order_release);
    stamps_changed();
  }
  void store_xmax(uint32_t slot, uint64_t v) {
    stamp_ref(stamps_[slot].xmax).store(v, std::memory_order_release);
    stamps_changed();
  }
  /// Compare-and-swap of the xmax (first updater wins); `expected` gets the current value on failure.
  bool cas_xmax(uint32_t slot, uint64_t& expected, uint64_t desired) {
    if (!stamp_ref(stamps_[slot].xmax).compare_exchange_strong(expected, desired, std::memory_order_acq_rel))
      return false;
    stamps_changed();
    return true;
  }
  /// Publishes a filled slot as a live row created by `xmin` (a marker or a commit timestamp):
  /// xmax first, xmin last, so a reader that sees the xmin sees the values and the xmax.
  void publish(uint32_t slot, uint64_t xmin) {
    stamp_ref(stamps_[slot].xmax).store(ts_infinity, std::memory_order_relaxed);
    stamp_ref(stamps_[slot].xmin).store(xmin, std::memory_order_release);
    stamps_changed();
  }
  /// Marks a slot empty (xmin = slot_free, xmax = ts_infinity).
  void clear_stamps(uint32_t slot) {
    stamp_ref(stamps_[slot].xmin).store(slot_free, std::memory_order_release);
    stamp_ref(stamps_[slot].xmax).store(ts_infinity, std::memory_order_release);
    stamps_changed();
  }

  /// Whether every slot below `used` is visible to a snapshot reading at read_ts, as an earlier
  /// scan noted (note_all_visible) and no stamp of the block has been written since: a scan
  /// then reads no stamps at all. A writer racing this call is ordered after it (its store is
  /// followed by the epoch advance this call compares against).
  bool known_all_visible(uint32_t used, uint64_t read_ts) const {
    uint64_t tag = (stamp_epoch_.load(std::memory_order_acquire) << used_bits) | used;
    if (clean_tag_.load(std::memory_order_acquire) != tag) return false;
    uint64_t bound = clean_bound_.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    return clean_tag_.load(std::memory_order_relaxed) == tag && read_ts >= bound;
  }
  /// The stamp epoch to read before a scan looks at the stamps (for note_all_visible).
  uint64_t stamp_epoch() const { return stamp_epoch_.load(std::memory_order_acquire); }
  /// Notes what a scan found, reading the stamps after it read stamp_epoch() == `epoch`: every
  /// slot below `used` holds a committed xmin <= bound and xmax == ts_infinity. Ignored while
  /// another scan notes. Notes of one epoch may differ only in the bound, and each bound is
  /// true of that epoch's stamps (a stamp store is followed by its epoch advance, and no single
  /// store turns such a block into another such block).
  void note_all_visible(uint64_t epoch, uint32_t used, uint64_t bound) {
    uint64_t cur = clean_tag_.load(std::memory_order_relaxed);
    if (cur == clean_busy || !clean_tag_.compare_exchange_strong(cur, clean_busy, std::memory_order_relaxed)) return;
    std::atomic_thread_fence(std::memory_order_release);  // the busy tag before the bound (a seqlock)
    clean_bound_.store(bound, std::memory_order_relaxed);
    clean_tag_.store((epoch << used_bits) | used, std::memory_order_release);
  }

  /// Where column c's string of `len` bytes (inline_max < len <= medium_max) goes in `slot`:
  /// its bytes in the column's medium area, or nullptr if the block's area is narrower than
  /// len. Makes the area, `width` bytes per slot (16 or 32, >= len), if the block has none;
  /// `made` tells whether this call made it (for memory accounting). Safe against concurrent
  /// writers of other slots of the block.
  char* medium_bytes(size_t c, uint32_t slot, uint32_t len, uint32_t width, bool& made) {
    block_column& col = columns_[c];
    uintptr_t m = col.medium.load(std::memory_order_acquire);
    made = false;
    if (!m) {
      auto* fresh = static_cast<char*>(std::aligned_alloc(64, size_t(block_rows) * width));
      if (!fresh) throw std::bad_alloc();
      uintptr_t packed = block_column::pack_medium(fresh, width);
      if (col.medium.compare_exchange_strong(m, packed, std::memory_order_acq_rel)) {
        m = packed;
        made = true;
      } else {
        std::free(fresh);
      }
    }
    uint32_t w = block_column::medium_width(m);
    if (len > w) return nullptr;
    return const_cast<char*>(block_column::medium_area(m)) + size_t(slot) * w;
  }

  /// Asks the CPU to fetch slot's MVCC stamps and its values (and NULL bytes, and medium
  /// string bytes) of `columns` at once, so that a point read waits for one memory latency
  /// instead of one per array.
  template <class Columns>
  void prefetch_slot(uint32_t slot, const Columns& columns) const {
    __builtin_prefetch(&stamps_[slot]);  // xmin and xmax: one line
    for (int c : columns) {
      const block_column& col = columns_[size_t(c)];
      __builtin_prefetch(col.data + size_t(slot) * col.width);
      // NULL bytes are read only when the block has any (a page walk saved per column).
      if (col.has_nulls.load(std::memory_order_relaxed)) __builtin_prefetch(col.nulls + slot);
      if (uintptr_t m = col.medium.load(std::memory_order_relaxed))
        __builtin_prefetch(block_column::medium_area(m) + size_t(slot) * block_column::medium_width(m));
    }
  }

  /// The newest commit timestamp that stamped an xmin or xmax in this block (0 = none since
  /// the block was created or loaded). Raised (relaxed fetch-max) by the committer *before* it
  /// stores the stamp, so a reader that sees a stamp also sees a value >= it here. Checkpoints
  /// skip blocks whose value is <= the previous checkpoint's snapshot.
  uint64_t last_changed() const { return last_changed_.load(std::memory_order_relaxed); }
  void note_change(uint64_t ts) {
    uint64_t cur = last_changed_.load(std::memory_order_relaxed);
    while (cur < ts && !last_changed_.compare_exchange_weak(cur, ts, std::memory_order_relaxed)) {
    }
  }

  /// Successor version of a slot after an UPDATE (for READ COMMITTED re-checks); no_version = none.
  /// Stored as rid + 1 so that a zeroed entry means none (row id 0 is a valid successor).
  row_id next_version(uint32_t slot) const {
    auto* n = next_.load(std::memory_order_acquire);
    return (n ? n[slot].load(std::memory_order_acquire) : 0) - 1;
  }
  void set_next_version(uint32_t slot, row_id next_rid) {
    row_id next = next_rid + 1;
    auto* n = next_.load(std::memory_order_acquire);
    if (!n) {
      auto* fresh = new std::atomic<row_id>[block_rows]();
      if (next_.compare_exchange_strong(n, fresh)) {
        n = fresh;
      } else {
        delete[] fresh;
      }
    }
    n[slot].store(next, std::memory_order_release);
  }

 private:
  /// A slot's xmin and xmax side by side: a point read fetches one line (and page) for both.
  struct slot_stamps {
    uint64_t xmin;
    uint64_t xmax;
  };
  static_assert(sizeof(slot_stamps) == 16);
  // What a point read needs first (the column and stamp arrays) in the object's first line.
  // The arrays live apart, so blocks' headers pack densely in memory: a read that comes from
  // an index finds its block's header cached (or a page walk cheaper) more often.
  std::vector<block_column> columns_;
  slot_stamps* stamps_;  ///< block_rows pairs, 64-byte aligned
  std::atomic<uint32_t> used_{0};
  std::atomic<std::atomic<row_id>*> next_{nullptr};
  std::atomic<uint64_t> last_changed_{0};

  static std::atomic_ref<uint64_t> stamp_ref(const uint64_t& word) {
    return std::atomic_ref<uint64_t>(const_cast<uint64_t&>(word));
  }
  void stamps_changed() { stamp_epoch_.fetch_add(1, std::memory_order_release); }
  // The all-visible note (known_all_visible): on a line of its own, away from the fields
  // every reader loads (columns_, used_), since each stamp write advances the epoch.
  static constexpr int used_bits = 11;  ///< bits of `used` (0..block_rows) in a tag
  static_assert(block_rows < (1u << used_bits));
  static constexpr uint64_t clean_busy = ~uint64_t(0);  ///< a note is being written
  static constexpr uint64_t clean_none = ~uint64_t(0) - 1;  ///< no note (never a real tag: epochs stay < 2^53)
  alignas(64) std::atomic<uint64_t> stamp_epoch_{0};
  std::atomic<uint64_t> clean_tag_{clean_none};
  std::atomic<uint64_t> clean_bound_{0};
};

}  // namespace db001::storage
