#pragma once
/// An open-addressing map from 64-bit packed group keys to group numbers: the per-row lookup
/// of a hash aggregation whose keys pack into 64 bits (flags, statuses, small integers). One
/// multiply and usually one probe of two flat arrays, where std::unordered_map costs a
/// division and a node chase per row.
///
/// Not thread-safe (each aggregation worker has its own).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace db001::exec {

class packed_key_map {
 public:
  static constexpr uint32_t none = ~0u;

  /// The group of key k, or none.
  uint32_t find(uint64_t k) const {
    if (slots_.empty()) return none;
    for (std::size_t i = home(k);; i = (i + 1) & mask_) {
      const slot& s = slots_[i];
      if (s.group_plus_one == 0) return none;
      if (s.key == k) return s.group_plus_one - 1;
    }
  }
  /// Records key k as group g (REQUIRES: k not present).
  void insert(uint64_t k, uint32_t g) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    place(k, g);
    ++used_;
  }
  std::size_t size() const { return used_; }

 private:
  struct slot {
    uint64_t key = 0;
    uint32_t group_plus_one = 0;  ///< 0 = empty
  };
  std::size_t home(uint64_t k) const { return std::size_t((k * 0x9E3779B97F4A7C15ull) >> shift_); }
  void place(uint64_t k, uint32_t g) {
    std::size_t i = home(k);
    while (slots_[i].group_plus_one != 0) i = (i + 1) & mask_;
    slots_[i] = {k, g + 1};
  }
  void grow() {
    std::vector<slot> old = std::move(slots_);
    std::size_t cap = old.empty() ? 16 : old.size() * 2;
    slots_.assign(cap, slot{});
    mask_ = cap - 1;
    shift_ = 64 - unsigned(__builtin_ctzll(cap));
    for (const slot& s : old)
      if (s.group_plus_one != 0) place(s.key, s.group_plus_one - 1);
  }

  std::vector<slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t used_ = 0;
};

}  // namespace db001::exec
