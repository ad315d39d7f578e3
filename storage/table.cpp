#include "storage/table.h"

#include <algorithm>
#include <cstring>

#include "storage/error.h"
#include "storage/index.h"
#include "storage/table_memory.h"

namespace db001::storage {

namespace {
/// "64MB", "1GB", "1536kB", "100B": the largest unit that divides the size exactly (as SHOW).
std::string size_text(uint64_t bytes) {
  const std::pair<const char*, uint64_t> units[] = {
      {"TB", uint64_t(1) << 40}, {"GB", 1u << 30}, {"MB", 1u << 20}, {"kB", 1u << 10}};
  for (auto& [name, size] : units)
    if (bytes >= size && bytes % size == 0) return std::to_string(bytes / size) + name;
  return std::to_string(bytes) + "B";
}
}  // namespace

void table_memory::over_limit(uint64_t limit) {
  throw db_error(sqlstate::out_of_memory, "out of memory")
      .with_detail("Table data has reached shared_buffers = " + size_text(limit) + " (" + std::to_string(limit) +
                   " bytes), the memory limit for table data.")
      .with_hint(
          "Delete rows or drop tables (and VACUUM), or restart the server with a larger database.shared_buffers.");
}

table::table(uint32_t oid, std::string name, std::vector<column_def> columns)
    : oid_(oid),
      name_(std::move(name)),
      columns_(std::move(columns)),
      dir_(new std::atomic<row_block**>[dir_top]),
      medium_width_(new std::atomic<uint32_t>[columns_.size()]) {
  for (size_t c = 0; c < columns_.size(); ++c) medium_width_[c].store(medium_narrow);
  for (auto& c : columns_) phys_types_.push_back(c.type.physical());
  for (uint32_t i = 0; i < dir_top; ++i) dir_[i].store(nullptr);
}

table::~table() {
  // Gives back exactly what this table charged (blocks made elsewhere were never counted).
  table_memory::charge(-int64_t(size_t(charged_blocks_) * block_bytes() + heap_bytes_.load(std::memory_order_relaxed)));
  uint32_t n = block_count();
  for (uint32_t b = 0; b < n; ++b) delete &block(b);
  for (uint32_t i = 0; i < dir_top; ++i) delete[] dir_[i].load();
}

int table::find_column(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i].name == name) return int(i);
  return -1;
}

row_id table::allocate_slot() {
  std::lock_guard lock(append_mutex_);
  if (!free_slots_.empty()) {
    row_id r = free_slots_.back();
    free_slots_.pop_back();
    return r;
  }
  table_memory::check();  // a new slot at the tail may need memory: not past shared_buffers
  uint32_t n = block_count_.load(std::memory_order_relaxed);
  if (n > 0) {
    row_block& tail = block(n - 1);
    uint32_t u = tail.used_counter().load(std::memory_order_relaxed);
    if (u < block_rows) {
      tail.used_counter().store(u + 1, std::memory_order_release);
      return make_rid(n - 1, u);
    }
  }
  if (n >= dir_top * dir_chunk)
    throw db_error(sqlstate::program_limit_exceeded, "table \"" + name_ + "\" is full");
  auto* chunk = dir_[n >> dir_shift].load(std::memory_order_relaxed);
  if (!chunk) {
    chunk = new row_block*[dir_chunk]();
    dir_[n >> dir_shift].store(chunk, std::memory_order_release);
  }
  auto* blk = new row_block(phys_types_);
  table_memory::charge(int64_t(block_bytes()));
  ++charged_blocks_;  // under append_mutex_
  blk->used_counter().store(1, std::memory_order_release);
  std::atomic_ref<row_block*>(chunk[n & (dir_chunk - 1)]).store(blk, std::memory_order_release);
  block_count_.store(n + 1, std::memory_order_release);
  return make_rid(n, 0);
}

void table::set_null(row_id r, size_t col) {
  auto& blk = block_of(r);
  auto& c = blk.column(col);
  size_t w = phys_size(blk.column_type(col));
  std::memset(c.data + rid_slot(r) * w, 0, w);  // a NULL slot holds 0 / "" (never a stale pointer)
  c.nulls[rid_slot(r)] = 1;
  if (!c.has_nulls.load(std::memory_order_relaxed)) c.has_nulls.store(true, std::memory_order_release);
}

void table::set_fixed(row_id r, size_t col, const void* bytes) {
  auto& blk = block_of(r);
  auto& c = blk.column(col);
  uint32_t s = rid_slot(r);
  size_t w = phys_size(blk.column_type(col));
  std::memcpy(c.data + s * w, bytes, w);
  c.nulls[s] = 0;
}

void table::set_string(row_id r, size_t col, std::string_view s) {
  auto& blk = block_of(r);
  auto& c = blk.column(col);
  uint32_t slot = rid_slot(r);
  uint32_t len = uint32_t(s.size());
  string_t v;
  char* medium = nullptr;
  if (len > string_t::inline_max && len <= medium_max) {
    // A new block's area is as wide as the column's medium strings so far have needed.
    auto& need = medium_width_[col];
    uint32_t width = need.load(std::memory_order_relaxed);
    if (len > width) need.store(width = medium_max, std::memory_order_relaxed);
    bool made;
    medium = blk.medium_bytes(col, slot, len, width, made);
    if (made) {
      heap_bytes_.fetch_add(size_t(block_rows) * width, std::memory_order_relaxed);
      table_memory::charge(int64_t(block_rows) * width);
    }
  }
  if (len <= string_t::inline_max) {
    v = string_t(s.data(), len);
  } else if (medium) {
    std::memcpy(medium, s.data(), len);
    v = string_t(medium, len);
  } else {
    char* p = static_cast<char*>(std::malloc(len));
    if (!p) throw db_error(sqlstate::out_of_memory, "out of memory");
    std::memcpy(p, s.data(), len);
    v = string_t(p, len);
    heap_bytes_.fetch_add(len, std::memory_order_relaxed);
    table_memory::charge(int64_t(len));
  }
  reinterpret_cast<string_t*>(c.data)[slot] = v;
  c.nulls[slot] = 0;
}

void table::reclaim(row_id r) {
  release_slot(r);
  std::lock_guard lock(append_mutex_);
  free_slots_.push_back(r);
  free_slots_maybe_nonempty_.store(true, std::memory_order_relaxed);
}

void table::release_slot(row_id r) {
  auto& blk = block_of(r);
  uint32_t slot = rid_slot(r);
  for (size_t c = 0; c < columns_.size(); ++c) {
    if (phys_types_[c] != phys::str || blk.column(c).nulls[slot]) continue;
    auto& s = reinterpret_cast<string_t*>(blk.column(c).data)[slot];
    if (!s.is_inline() && !blk.column(c).in_medium(s.data())) {
      heap_bytes_.fetch_sub(s.size(), std::memory_order_relaxed);
      table_memory::charge(-int64_t(s.size()));
      std::free(const_cast<char*>(s.data()));
    }
    s = string_t();
  }
  blk.clear_stamps(slot);
}

row_block& table::restore_block(uint32_t b, uint32_t used) {
  std::lock_guard lock(append_mutex_);
  if (b >= dir_top * dir_chunk || used > block_rows)
    throw db_error(sqlstate::internal_error, "row block " + std::to_string(b) + " out of range in \"" + name_ + "\"");
  uint32_t n = block_count_.load(std::memory_order_relaxed);
  while (n <= b) {
    if (n > 0) block(n - 1).used_counter().store(block_rows, std::memory_order_release);  // no longer the tail
    auto* chunk = dir_[n >> dir_shift].load(std::memory_order_relaxed);
    if (!chunk) {
      chunk = new row_block*[dir_chunk]();
      dir_[n >> dir_shift].store(chunk, std::memory_order_release);
    }
    auto* blk = new row_block(phys_types_);
    std::atomic_ref<row_block*>(chunk[n & (dir_chunk - 1)]).store(blk, std::memory_order_release);
    block_count_.store(++n, std::memory_order_release);
  }
  row_block& blk = block(b);
  if (blk.used() < used) blk.used_counter().store(used, std::memory_order_release);
  return blk;
}

void table::restore_slot(row_id r) {
  uint32_t slot = rid_slot(r), b = rid_block(r);
  // Most restored rows land in a block that exists and has the slot in use already.
  row_block* blk = b < block_count_.load(std::memory_order_acquire) ? &block(b) : nullptr;
  if (!blk || blk->used() <= slot) blk = &restore_block(b, slot + 1);
  if (blk->load_xmin(slot) != slot_free)
    throw db_error(sqlstate::internal_error,
                   "row id " + std::to_string(r) + " of \"" + name_ + "\" is restored twice (slot in use)");
  // Recovery rebuilds the free list at its end (rebuild_free_slots): emptying it here is how r
  // leaves it, in O(1) however long it is.
  if (free_slots_maybe_nonempty_.load(std::memory_order_relaxed)) {
    std::lock_guard lock(append_mutex_);
    free_slots_.clear();
    free_slots_maybe_nonempty_.store(false, std::memory_order_relaxed);
  }
}

int64_t table::rebuild_free_slots() {
  std::lock_guard lock(append_mutex_);
  free_slots_.clear();
  int64_t live = 0;
  uint32_t n = block_count_.load(std::memory_order_relaxed);
  for (uint32_t b = n; b-- > 0;) {
    row_block& blk = block(b);
    for (uint32_t s = blk.used(); s-- > 0;) {
      uint64_t x = blk.load_xmin(s);
      if (x == slot_free)
        free_slots_.push_back(make_rid(b, s));
      else if (x != slot_aborted && blk.load_xmax(s) == ts_infinity)
        ++live;
    }
  }
  free_slots_maybe_nonempty_.store(!free_slots_.empty(), std::memory_order_relaxed);
  approx_rows_.store(live, std::memory_order_relaxed);
  return live;
}

std::shared_ptr<const table::index_list> table::indexes() const {
  auto list = std::atomic_load_explicit(&indexes_, std::memory_order_acquire);
  if (!list) {
    static const auto empty = std::make_shared<const index_list>();
    return empty;
  }
  return list;
}

void table::add_index(std::shared_ptr<index> ix) {
  std::lock_guard lock(index_mutex_);
  auto next = std::make_shared<index_list>(*indexes());
  next->push_back(std::move(ix));
  std::atomic_store_explicit(&indexes_, std::shared_ptr<const index_list>(std::move(next)), std::memory_order_release);
}

void table::remove_index(const index* ix) {
  std::lock_guard lock(index_mutex_);
  auto next = std::make_shared<index_list>(*indexes());
  std::erase_if(*next, [&](auto& p) { return p.get() == ix; });
  std::atomic_store_explicit(&indexes_, std::shared_ptr<const index_list>(std::move(next)), std::memory_order_release);
}

size_t table::block_bytes() const {
  size_t per_block = sizeof(row_block) + block_rows * 2 * sizeof(uint64_t);  // the header and the stamps
  for (auto p : phys_types_) per_block += block_rows * (phys_size(p) + 1);
  return per_block;
}

size_t table::memory_bytes() const {
  return size_t(block_count()) * block_bytes() + heap_bytes_.load(std::memory_order_relaxed);
}

}  // namespace db001::storage
