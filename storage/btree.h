#pragma once
/// B+Tree index of DB-001: an in-memory ordered map Key -> Value with unique keys (an index maps a normalized,
/// memcmp-comparable key to a row id), safe for many concurrent readers and writers.
///
/// Thread safety
/// -------------
/// Every public member except check_invariants() and the destructor may be called concurrently from any number of
/// threads. The tree uses optimistic lock coupling (Leis et al., "The ART of practical synchronization", 2016):
///   - Every node has one atomic 64-bit word: bit 0 obsolete (readers restart on it; reserved for node removal,
///     which nothing does today), bit 1 write lock, bits 2..21 a count of shared latches (leaves of latched trees
///     only, see below), bits 22..63 a version counter bumped by every write unlock.
///   - Readers never write shared memory (except the shared-latch count below): they read a node's version, read the
///     node, then re-check the version (seqlock) and restart from the root when it changed. Inner nodes are always
///     read this way, by readers and by writers on their way down.
///   - Writers descend optimistically, then upgrade the nodes they modify to write locks with a CAS on the version
///     they read (restarting on failure, so a writer never waits for a lock while holding one). Full inner nodes are
///     split eagerly on the way down, so a leaf split only needs its parent (and the right neighbour leaf, for its
///     prev pointer) locked. Nodes live in an arena owned by the tree and are never freed or reused before the tree
///     is destroyed, so a reader holding a stale pointer always reads valid (if outdated) memory and fails validation.
///   - All shared fields that optimistic readers load are accessed through std::atomic / std::atomic_ref (relaxed for
///     data, acquire/release for pointers, with the seqlock fences of Boehm's "Can seqlocks get along with
///     programming language memory models?"), so there are no data races in the C++ sense and ThreadSanitizer is
///     quiet.
///   Key and Value types decide how leaves are read:
///   - Optimistic trees (Key and Value trivially copyable and either at most 8 bytes with lock-free std::atomic_ref,
///     or 8-aligned multiples of 8 bytes up to 32 that are loaded and stored word by word, e.g. int64_t keys, or
///     (int64_t, row id) pairs, with uint64_t row ids): leaves are read optimistically like inner nodes; a torn read
///     just produces a value that fails validation.
///   - Latched trees (any other type, e.g. std::string keys): a torn std::string must never be read, so (a) inner
///     nodes store pointers to immutable separator keys (allocated once per leaf split, owned by the tree, never
///     modified or freed), which an optimistic reader can dereference safely, and (b) readers of a leaf take a shared
///     latch on it (the reader count in the version word) instead of validating; writers set the write-lock bit and
///     wait for the readers to drain. A thread holding a shared latch never waits for anything, so this cannot
///     deadlock, and setting the lock bit first stops new readers, so writers do not starve.
///   Scans copy one leaf's entries at a time (under validation or a shared latch), then call the callback with no
///   lock or latch held (the callback may call into this tree) and move to the next leaf through the leaf links.
///   Deletion never merges or frees nodes (see erase()), so a key only ever moves to a new right sibling, which keeps
///   following links correct; when a leaf's validation fails the scan re-descends from the root to the last key it
///   returned. A scan returns every key that is present for the whole scan, in strictly ascending (descending) order,
///   with a value it had during the scan; keys inserted or erased during the scan may or may not be returned.
///   size() is exact when no writer is active and otherwise may lag in-flight operations.
/// Compare must be a strict weak order whose operator() is const and thread-safe.
#include <algorithm>
#include <atomic>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

namespace db001::storage {

namespace btree_detail {

/// True when T can be loaded and stored without tearing being undefined behaviour: either as a whole with lock-free
/// std::atomic_ref (at most 8 bytes), or word by word (trivially copyable, a multiple of 8 bytes up to 32, 8-aligned,
/// e.g. an (int64 key, row id) pair). Such keys and values are read optimistically: a torn multi-word read is just a
/// value that fails validation.
template <class T>
consteval bool atomically_readable() {
  if constexpr (!std::is_trivially_copyable_v<T>) {
    return false;
  } else if constexpr (sizeof(T) <= 8 && (sizeof(T) & (sizeof(T) - 1)) == 0) {
    return std::atomic_ref<T>::is_always_lock_free;
  } else {
    return sizeof(T) % 8 == 0 && sizeof(T) <= 32 && alignof(T) >= 8;
  }
}

/// True when T is accessed word by word rather than through std::atomic_ref<T>.
template <class T>
consteval bool wordwise() {
  return atomically_readable<T>() && sizeof(T) > 8;
}

/// Atomic (per machine word, for multi-word T) load of an atomically_readable slot.
template <class T>
inline T slot_load(const T& slot, std::memory_order order) noexcept {
  if constexpr (wordwise<T>()) {
    struct words {
      uint64_t w[sizeof(T) / 8];
    } out;
    const auto* src = reinterpret_cast<const uint64_t*>(&slot);
    for (std::size_t i = 0; i < sizeof(T) / 8; ++i) out.w[i] = __atomic_load_n(src + i, static_cast<int>(order));
    return std::bit_cast<T>(out);
  } else {
    return std::atomic_ref<T>(const_cast<T&>(slot)).load(order);
  }
}

/// Atomic (per machine word, for multi-word T) store into an atomically_readable slot.
template <class T>
inline void slot_store(T& slot, const T& v, std::memory_order order) noexcept {
  if constexpr (wordwise<T>()) {
    struct words {
      uint64_t w[sizeof(T) / 8];
    };
    auto in = std::bit_cast<words>(v);
    auto* dst = reinterpret_cast<uint64_t*>(&slot);
    for (std::size_t i = 0; i < sizeof(T) / 8; ++i) __atomic_store_n(dst + i, in.w[i], static_cast<int>(order));
  } else {
    std::atomic_ref<T>(slot).store(v, order);
  }
}

/// Alignment of an array of T whose slots are accessed atomically when `atomic` is set.
template <class T, bool atomic>
consteval std::size_t slot_alignment() {
  if constexpr (atomic && !wordwise<T>()) {
    return std::max(alignof(T), std::atomic_ref<T>::required_alignment);
  } else if constexpr (atomic) {
    return std::max<std::size_t>(alignof(T), 8);
  } else {
    return alignof(T);
  }
}

/// The seqlock fences (acquire before re-reading a version, release after taking a write lock). ThreadSanitizer does
/// not model thread fences (GCC warns with -Wtsan); under it a signal fence keeps the compiler ordering, which is all
/// that acquire/release fences are on x86, and TSan sees no race since every optimistically read slot is atomic.
inline void seqlock_fence(std::memory_order order) noexcept {
#if defined(__SANITIZE_THREAD__)
  std::atomic_signal_fence(order);
#else
  std::atomic_thread_fence(order);
#endif
}

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/// Waits a little before retry number `attempt` (1, 2, ...): exponential pause spinning, then yielding the CPU so that
/// a preempted lock holder can run on an oversubscribed machine.
inline void backoff(unsigned attempt) noexcept {
  if (attempt < 7) {
    for (unsigned i = 0; i < (1u << attempt); ++i) cpu_relax();
  } else {
    std::this_thread::yield();
  }
}

/// Chunked bump allocator for tree nodes. Memory is zeroed, 64-byte aligned, and only returned to the system when the
/// arena is destroyed. Thread-safe (a mutex; allocations happen once per split).
class node_arena {
 public:
  static constexpr std::size_t alignment = 64;
  static constexpr std::size_t first_chunk = 4096;
  static constexpr std::size_t max_chunk = std::size_t{1} << 20;

  node_arena() = default;
  node_arena(const node_arena&) = delete;
  node_arena& operator=(const node_arena&) = delete;
  ~node_arena() {
    for (void* c : chunks_) ::operator delete (c, std::align_val_t{alignment});
  }

  /// Returns `bytes` bytes of zeroed memory aligned to 64 bytes, valid until the arena is destroyed.
  void* allocate(std::size_t bytes) {
    bytes = (bytes + alignment - 1) & ~(alignment - 1);
    std::lock_guard lock(mu_);
    if (bytes > left_) {
      std::size_t size = std::max(bytes, next_chunk_);
      next_chunk_ = std::min(next_chunk_ * 2, max_chunk);
      chunks_.reserve(chunks_.size() + 1);
      cur_ = static_cast<std::byte*>(::operator new (size, std::align_val_t{alignment}));
      std::memset(cur_, 0, size);
      chunks_.push_back(cur_);
      left_ = size;
      reserved_ += size;
    }
    void* p = cur_;
    cur_ += bytes;
    left_ -= bytes;
    return p;
  }

  /// Bytes obtained from the system so far.
  std::size_t reserved_bytes() const {
    std::lock_guard lock(mu_);
    return reserved_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<void*> chunks_;
  std::byte* cur_ = nullptr;
  std::size_t left_ = 0;
  std::size_t next_chunk_ = first_chunk;
  std::size_t reserved_ = 0;
};

}  // namespace btree_detail

/// Concurrent B+Tree map with unique keys; see the thread-safety notes at the top of this file.
/// REQUIRES: Key and Value are copy-constructible and copy-assignable, and their copies do not throw during a write
/// (writers are noexcept: a half-applied split cannot be rolled back, so running out of memory terminates).
template <class Key, class Value, class Compare = std::less<Key>>
class btree {
 public:
  using key_type = Key;
  using mapped_type = Value;
  using key_compare = Compare;

  /// True when leaves are read optimistically; false when readers take a shared latch on leaves.
  static constexpr bool optimistic_leaves =
      btree_detail::atomically_readable<Key>() && btree_detail::atomically_readable<Value>();
  /// True when inner nodes store keys inline; false when they store pointers to immutable separator keys.
  static constexpr bool inline_separators = btree_detail::atomically_readable<Key>();
  static constexpr std::size_t default_order = 64;

  /// Creates an empty tree whose nodes hold at most `order` keys (leaves and inner nodes alike).
  /// REQUIRES: 3 <= order <= 65535 (throws std::invalid_argument otherwise).
  explicit btree(std::size_t order = default_order, const Compare& cmp = Compare()) : order_(order), cmp_(cmp) {
    if (order < 3 || order > 65535) throw std::invalid_argument("btree order must be in [3, 65535]");
    leaf_keys_off_ = round_up(sizeof(leaf_node), key_align);
    leaf_values_off_ = round_up(leaf_keys_off_ + sizeof(Key) * order_, value_align);
    leaf_bytes_ = leaf_values_off_ + sizeof(Value) * order_;
    inner_seps_off_ = round_up(sizeof(inner_node), sep_align);
    inner_children_off_ = round_up(inner_seps_off_ + sizeof(sep_t) * order_, alignof(node_base*));
    inner_bytes_ = inner_children_off_ + sizeof(node_base*) * (order_ + 1);
    prefetch_bytes_ = std::min<std::size_t>(std::max(leaf_values_off_, inner_children_off_), 2048);
    root_.store(new_leaf(), std::memory_order_release);
  }

  /// Destroys the tree and all its nodes. REQUIRES: no other thread is using the tree.
  ~btree() {
    if constexpr (!std::is_trivially_destructible_v<Key> || !std::is_trivially_destructible_v<Value>) {
      for (leaf_node* l = leftmost_leaf(); l != nullptr; l = l->next.load(std::memory_order_relaxed)) {
        std::size_t n = l->count.load(std::memory_order_relaxed);
        std::destroy_n(l->keys, n);
        std::destroy_n(l->values, n);
      }
    }
  }

  btree(const btree&) = delete;
  btree& operator=(const btree&) = delete;

  /// Inserts key -> value. Returns false (and changes nothing) if the key is already present. Any thread.
  bool insert(const Key& key, const Value& value) noexcept {
    for (unsigned attempt = 0;; ++attempt) {
      if (attempt > 0) btree_detail::backoff(attempt);
      inner_node* parent = nullptr;
      uint64_t vp = 0, vl = 0;
      leaf_node* leaf = descend_for_write(key, /*split_full=*/true, parent, vp, vl);
      if (leaf == nullptr) continue;
      std::size_t n = leaf->count.load(std::memory_order_relaxed);
      if (n >= order_) {  // full: split with the parent locked (it has room, inner nodes are split eagerly)
        if (parent != nullptr && !upgrade(parent, vp)) continue;
        if (!upgrade(leaf, vl)) {
          if (parent != nullptr) unlock_unchanged(parent);
          continue;
        }
        if (parent == nullptr && root_.load(std::memory_order_relaxed) != leaf) {
          unlock_unchanged(leaf);
          continue;
        }
        std::size_t pos = leaf_lower_bound(leaf, n, key);
        if (pos < n && !cmp_(key, leaf_key(leaf, pos))) {
          unlock_unchanged(leaf);
          if (parent != nullptr) unlock_unchanged(parent);
          return false;
        }
        leaf_node* right_neighbour = leaf->next.load(std::memory_order_acquire);
        if (right_neighbour != nullptr && !try_write_lock(right_neighbour)) {
          unlock_unchanged(leaf);
          if (parent != nullptr) unlock_unchanged(parent);
          continue;
        }
        split_leaf_and_insert(leaf, parent, right_neighbour, pos, key, value);
        if (right_neighbour != nullptr) write_unlock(right_neighbour);
        write_unlock(leaf);
        if (parent != nullptr) write_unlock(parent);
        size_.fetch_add(1, std::memory_order_relaxed);
        return true;
      }
      // The descent validated the parent after reading vl, so the leaf covered key then; the CAS from vl proves it
      // is unchanged since (a leaf's key range only changes when it splits), so the parent need not be re-checked.
      if (!upgrade(leaf, vl)) continue;
      std::size_t pos = leaf_lower_bound(leaf, n, key);
      if (pos < n && !cmp_(key, leaf_key(leaf, pos))) {
        unlock_unchanged(leaf);
        return false;
      }
      leaf_insert_at(leaf, n, pos, key, value);
      write_unlock(leaf);
      size_.fetch_add(1, std::memory_order_relaxed);
      return true;
    }
  }

  /// Removes key. Returns false if it was not present. Any thread.
  /// Nodes are never merged or freed: a leaf may become underfull or empty and stays linked (inserts into its key
  /// range reuse it; scans step over it). Memory is returned when the tree is destroyed, so an index whose key range
  /// drifts (e.g. delete old rows, insert new ones) keeps its empty leaves until it is rebuilt.
  bool erase(const Key& key) noexcept {
    return modify_leaf(key, [&](leaf_node* leaf, std::size_t n, std::size_t pos) {
      leaf_erase_at(leaf, n, pos);
      size_.fetch_sub(1, std::memory_order_relaxed);
    });
  }

  /// Replaces the value of an existing key. Returns false (and changes nothing) if the key is not present. Any thread.
  bool update(const Key& key, const Value& value) noexcept {
    return modify_leaf(key, [&](leaf_node* leaf, std::size_t, std::size_t pos) { set_value(leaf, pos, value); });
  }

  /// Outcome of first_key_from().
  enum class first_key { found, none, elsewhere };
  /// The first key >= lower, read like find() (one leaf, no buffer): `found` (in *out), `none`
  /// (no such key), or `elsewhere` (it would be in a later leaf: use scan_keys_from). For point
  /// lookups that usually stop at the first entry. Any thread.
  first_key first_key_from(const Key& lower, Key* out) const {
    for (;;) {
      uint64_t v = 0;
      leaf_node* leaf = enter_leaf(&lower, false, v);
      leaf_guard guard(leaf);
      std::size_t n = load_count(leaf);
      std::size_t pos = leaf_lower_bound(leaf, n, lower);
      bool at_end = pos == n;
      if (!at_end) *out = leaf_key(leaf, pos);
      bool last_leaf = at_end && leaf->next.load(std::memory_order_acquire) == nullptr;
      guard.release();
      if (!exit_leaf(leaf, v)) continue;  // changed under us: again from the root
      if (!at_end) return first_key::found;
      return last_leaf ? first_key::none : first_key::elsewhere;
    }
  }

  /// Returns the value of key, or nullopt. Any thread.
  std::optional<Value> find(const Key& key) const {
    for (;;) {
      uint64_t v = 0;
      leaf_node* leaf = enter_leaf(&key, false, v);
      std::optional<Value> result;
      leaf_guard guard(leaf);
      std::size_t n = load_count(leaf);
      std::size_t pos = leaf_lower_bound(leaf, n, key);
      if (pos < n && !cmp_(key, leaf_key(leaf, pos))) result.emplace(leaf_value(leaf, pos));
      guard.release();
      if (exit_leaf(leaf, v)) return result;
    }
  }

  /// Fills an empty tree bottom-up from pairs in strictly ascending key order: leaves 90% full
  /// (room for later inserts before they split), then each inner level over them; no descent
  /// per key (a bulk build after recovery). next(k, v) sets the next pair and returns true, or
  /// returns false at the end. Returns false, the tree unchanged, if it was not empty. Throws
  /// std::invalid_argument, the tree unchanged, if a key is not greater than the one before.
  /// REQUIRES: no other thread uses the tree during the call.
  template <class F>
  requires std::predicate<F&, Key&, Value&>
  bool bulk_load(F&& next) {
    if (size() != 0) return false;
    const std::size_t leaf_fill = std::max<std::size_t>(1, order_ * 9 / 10);
    const std::size_t inner_children = std::max<std::size_t>(4, (order_ + 1) * 9 / 10);
    std::vector<node_base*> nodes;
    std::vector<sep_t> seps;  // seps[i] lies between nodes[i] and nodes[i + 1]
    leaf_node* leaf = nullptr;
    std::size_t total = 0;
    Key k{};
    Value v{};
    try {
      while (next(k, v)) {
        // The key before is the last one placed (in this leaf, or the previous leaf's last).
        if (leaf != nullptr && !cmp_(leaf_key(leaf, leaf->count.load(relaxed) - 1), k))
          throw std::invalid_argument("btree::bulk_load: keys not strictly ascending");
        if (leaf == nullptr || leaf->count.load(relaxed) == leaf_fill) {
          leaf_node* fresh = new_leaf();
          if (leaf != nullptr) {
            fresh->prev.store(leaf, relaxed);
            leaf->next.store(fresh, relaxed);
            seps.push_back(make_separator(k));
          }
          nodes.push_back(fresh);
          leaf = fresh;
        }
        std::size_t n = leaf->count.load(relaxed);
        leaf_insert_at(leaf, n, n, k, v);
        ++total;
      }
    } catch (...) {
      // The new leaves never joined the tree (its destructor does not see them): their keys
      // and values go now; the nodes' memory goes with the arena.
      if constexpr (!std::is_trivially_destructible_v<Key> || !std::is_trivially_destructible_v<Value>) {
        for (node_base* n : nodes) {
          auto* l = static_cast<leaf_node*>(n);
          std::destroy_n(l->keys, l->count.load(relaxed));
          std::destroy_n(l->values, l->count.load(relaxed));
          l->count.store(0, relaxed);
        }
      }
      throw;
    }
    if (nodes.empty()) return true;
    // Inner levels: children spread evenly over as few nodes as fit, each with at least two.
    uint32_t level = 0;
    while (nodes.size() > 1) {
      ++level;
      std::size_t n = nodes.size(), groups = (n + inner_children - 1) / inner_children;
      std::vector<node_base*> up_nodes;
      std::vector<sep_t> up_seps;
      for (std::size_t g = 0; g < groups; ++g) {
        std::size_t a = n * g / groups, b = n * (g + 1) / groups;
        inner_node* in = new_inner(level);
        for (std::size_t i = a; i < b; ++i) {
          store_child(in, i - a, nodes[i]);
          if (i > a) store_sep(in, i - a - 1, seps[i - 1]);
        }
        in->count.store(static_cast<uint32_t>(b - a - 1), relaxed);
        if (g > 0) up_seps.push_back(seps[a - 1]);
        up_nodes.push_back(in);
      }
      nodes = std::move(up_nodes);
      seps = std::move(up_seps);
    }
    size_.store(total, relaxed);
    height_.store(level + 1, relaxed);
    root_.store(nodes[0], std::memory_order_release);
    return true;
  }

  /// Number of keys (exact when no writer is active). Any thread.
  std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }
  bool empty() const noexcept { return size() == 0; }
  /// Number of levels: 1 while the root is a leaf. Never decreases. Any thread.
  std::size_t height() const noexcept { return height_.load(std::memory_order_relaxed); }
  /// Maximum keys per node, as given to the constructor.
  std::size_t order() const noexcept { return order_; }
  /// Bytes of node memory reserved by the arena (excludes separator keys and heap memory owned by keys/values).
  std::size_t reserved_bytes() const { return arena_.reserved_bytes(); }

  /// Calls fn(key, value) for the keys >= lower (inclusive) or > lower (!inclusive) in ascending order until fn returns
  /// false or the keys run out. fn runs with no latch held and may call into this tree. Any thread.
  template <class F>
  requires std::predicate<F&, const Key&, const Value&>
  void scan_from(const Key& lower, bool inclusive, F&& fn) const { scan_forward(&lower, inclusive, nullptr, fn); }

  /// As scan_from, but fn gets Value{} instead of each key's value: for keys that carry what the caller needs (the
  /// value slots, another cache line per leaf, are not read). Any thread.
  template <class F>
  requires std::predicate<F&, const Key&, const Value&>
  void scan_keys_from(const Key& lower, bool inclusive, F&& fn) const {
    scan_forward</*with_values=*/false>(&lower, inclusive, nullptr, fn);
  }

  /// Calls fn(key, value) for all keys in ascending order until fn returns false. Any thread.
  template <class F>
  requires std::predicate<F&, const Key&, const Value&>
  void scan_all(F&& fn) const { scan_forward(nullptr, true, nullptr, fn); }

  /// Calls fn(key, value) for the keys in [lo, hi) in ascending order until fn returns false; a missing lo (hi) means
  /// unbounded below (above). Any thread.
  template <class F>
  requires std::predicate<F&, const Key&, const Value&>
  void scan_range(const std::optional<Key>& lo, const std::optional<Key>& hi, F&& fn) const {
    if (lo && hi && !cmp_(*lo, *hi)) return;
    scan_forward(lo ? &*lo : nullptr, true, hi ? &*hi : nullptr, fn);
  }

  /// Calls fn(key, value) for the keys <= upper (inclusive) or < upper (!inclusive) in descending order until fn
  /// returns false. upper need not be present. Any thread.
  template <class F>
  requires std::predicate<F&, const Key&, const Value&>
  void scan_reverse_from(const Key& upper, bool inclusive, F&& fn) const { scan_backward(&upper, inclusive, fn); }

  /// Calls fn(key, value) for all keys in descending order until fn returns false. Any thread.
  template <class F>
  requires std::predicate<F&, const Key&, const Value&>
  void scan_reverse_all(F&& fn) const { scan_backward(nullptr, true, fn); }

  /// Checks the structure: keys strictly ascending in every node, every subtree within its parent's separator bounds,
  /// inner nodes with 1..order keys, leaves with at most order keys, all leaves at the same depth = height(), no node
  /// locked or latched, and the leaf chain (next and prev) visiting every leaf in key order with size() keys in all.
  /// Returns false and sets *why (if given) on the first violation.
  /// REQUIRES: no other thread is using the tree (single-threaded test/debug use).
  bool check_invariants(std::string* why = nullptr) const {
    auto fail = [&](const std::string& msg) {
      if (why != nullptr) *why = msg;
      return false;
    };
    const node_base* root = root_.load(std::memory_order_acquire);
    if (root->level + 1 != height()) return fail("height() does not match the root level");
    std::vector<const leaf_node*> leaves;
    if (!check_node(root, nullptr, nullptr, root->level, leaves, fail)) return false;
    const leaf_node* expected_prev = nullptr;
    const Key* last = nullptr;
    std::size_t total = 0, i = 0;
    for (const leaf_node* l = leaves.front(); l != nullptr; l = l->next.load(std::memory_order_relaxed), ++i) {
      if (i >= leaves.size() || leaves[i] != l) return fail("leaf chain (next) does not follow the tree order");
      if (l->prev.load(std::memory_order_relaxed) != expected_prev) return fail("leaf prev link is wrong");
      std::size_t n = l->count.load(std::memory_order_relaxed);
      for (std::size_t j = 0; j < n; ++j) {
        if (last != nullptr && !cmp_(*last, l->keys[j])) return fail("leaf chain keys not strictly ascending");
        last = &l->keys[j];
      }
      total += n;
      expected_prev = l;
    }
    if (i != leaves.size()) return fail("leaf chain is shorter than the set of leaves");
    if (total != size())
      return fail("size() is " + std::to_string(size()) + " but leaves hold " + std::to_string(total));
    return true;
  }

 private:
  static constexpr uint64_t obsolete_bit = 1;
  static constexpr uint64_t locked_bit = 2;
  static constexpr int reader_shift = 2;
  static constexpr int reader_bits = 20;
  static constexpr uint64_t reader_one = uint64_t{1} << reader_shift;
  static constexpr uint64_t reader_mask = ((uint64_t{1} << reader_bits) - 1) << reader_shift;
  static constexpr uint64_t version_one = uint64_t{1} << (reader_shift + reader_bits);

  using sep_t = std::conditional_t<inline_separators, Key, const Key*>;
  static constexpr std::size_t key_align = btree_detail::slot_alignment<Key, optimistic_leaves>();
  static constexpr std::size_t value_align = btree_detail::slot_alignment<Value, optimistic_leaves>();
  static constexpr std::size_t sep_align = btree_detail::slot_alignment<sep_t, true>();
  static_assert(btree_detail::atomically_readable<sep_t>());

  struct node_base {
    std::atomic<uint64_t> version{0};
    std::atomic<uint32_t> count{0};  ///< keys in the node
    uint32_t level = 0;              ///< 0 for leaves; immutable
  };
  struct leaf_node : node_base {
    std::atomic<leaf_node*> next{nullptr};
    std::atomic<leaf_node*> prev{nullptr};
    Key* keys = nullptr;  ///< order_ slots; latched trees construct only [0, count)
    Value* values = nullptr;
  };
  struct inner_node : node_base {
    sep_t* seps = nullptr;           ///< order_ slots, always accessed through slot_load/slot_store
    node_base** children = nullptr;  ///< order_ + 1 slots, always accessed through std::atomic_ref
  };

  static constexpr std::size_t round_up(std::size_t x, std::size_t a) { return (x + a - 1) / a * a; }

  // ---- node allocation ------------------------------------------------------------------------------------------

  leaf_node* new_leaf() {
    auto* mem = static_cast<std::byte*>(arena_.allocate(leaf_bytes_));
    auto* l = new (mem) leaf_node();
    l->keys = reinterpret_cast<Key*>(mem + leaf_keys_off_);
    l->values = reinterpret_cast<Value*>(mem + leaf_values_off_);
    return l;
  }

  inner_node* new_inner(uint32_t level) {
    auto* mem = static_cast<std::byte*>(arena_.allocate(inner_bytes_));
    auto* in = new (mem) inner_node();
    in->level = level;
    in->seps = reinterpret_cast<sep_t*>(mem + inner_seps_off_);
    in->children = reinterpret_cast<node_base**>(mem + inner_children_off_);
    return in;
  }

  /// A separator copied from a leaf key: the key itself, or a pointer to an immutable copy owned by the tree.
  sep_t make_separator(const Key& k) {
    if constexpr (inline_separators) {
      return k;
    } else {
      std::lock_guard lock(separators_mu_);
      return &separators_.emplace_back(k);
    }
  }

  // ---- version word -----------------------------------------------------------------------------------------------

  /// Optimistic read: waits while n is write-locked, returns false if n is obsolete, else its version in v.
  static bool read_lock(const node_base* n, uint64_t& v) noexcept {
    for (unsigned spins = 1;; ++spins) {
      uint64_t w = n->version.load(std::memory_order_acquire);
      if (w & obsolete_bit) return false;
      if (!(w & locked_bit)) {
        v = w & ~reader_mask;
        return true;
      }
      btree_detail::backoff(spins);
    }
  }

  /// True if n still has version v (ends an optimistic read).
  static bool validate(const node_base* n, uint64_t v) noexcept {
    btree_detail::seqlock_fence(std::memory_order_acquire);
    return (n->version.load(std::memory_order_relaxed) & ~reader_mask) == v;
  }

  /// Waits until the shared latches on a write-locked leaf of a latched tree are released.
  static void drain_readers(node_base* n) noexcept {
    if constexpr (!optimistic_leaves) {
      if (n->level == 0) {
        for (unsigned spins = 1; n->version.load(std::memory_order_acquire) & reader_mask; ++spins) {
          btree_detail::backoff(spins);
        }
      }
    }
  }

  /// Write-locks n if it still has version v (returns false otherwise).
  static bool upgrade(node_base* n, uint64_t v) noexcept {
    uint64_t w = n->version.load(std::memory_order_relaxed);
    do {
      if ((w & ~reader_mask) != v) return false;
    } while (
        !n->version.compare_exchange_weak(w, w | locked_bit, std::memory_order_acquire, std::memory_order_relaxed));
    btree_detail::seqlock_fence(std::memory_order_release);  // the lock bit is visible before any data store
    drain_readers(n);
    return true;
  }

  /// Write-locks n if it is neither locked nor obsolete now (returns false otherwise).
  static bool try_write_lock(node_base* n) noexcept {
    uint64_t w = n->version.load(std::memory_order_relaxed);
    do {
      if (w & (locked_bit | obsolete_bit)) return false;
    } while (
        !n->version.compare_exchange_weak(w, w | locked_bit, std::memory_order_acquire, std::memory_order_relaxed));
    btree_detail::seqlock_fence(std::memory_order_release);
    drain_readers(n);
    return true;
  }

  /// Releases a write lock after modifying n (bumps the version).
  static void write_unlock(node_base* n) noexcept {
    n->version.fetch_add(version_one - locked_bit, std::memory_order_release);
  }

  /// Releases a write lock without having modified n (keeps the version, so optimistic readers need not restart).
  static void unlock_unchanged(node_base* n) noexcept { n->version.fetch_sub(locked_bit, std::memory_order_release); }

  /// Starts reading leaf l: an optimistic read (version in v) or, for latched trees, a shared latch.
  /// Returns false if l is obsolete.
  static bool enter_leaf_node(leaf_node* l, uint64_t& v) noexcept {
    if constexpr (optimistic_leaves) {
      return read_lock(l, v);
    } else {
      uint64_t w = l->version.load(std::memory_order_relaxed);
      for (unsigned spins = 1;; ++spins) {
        if (w & obsolete_bit) return false;
        if ((w & locked_bit) || (w & reader_mask) == reader_mask) {
          btree_detail::backoff(spins);
          w = l->version.load(std::memory_order_relaxed);
          continue;
        }
        if (l->version.compare_exchange_weak(w, w + reader_one, std::memory_order_acquire, std::memory_order_relaxed)) {
          v = w & ~reader_mask;
          return true;
        }
      }
    }
  }

  /// Ends reading leaf l: true if what was read is consistent (always for latched trees, which drop the latch).
  static bool exit_leaf(leaf_node* l, uint64_t v) noexcept {
    if constexpr (optimistic_leaves) {
      return validate(l, v);
    } else {
      l->version.fetch_sub(reader_one, std::memory_order_release);
      return true;
    }
  }

  /// Abandons reading leaf l (drops the shared latch of latched trees).
  static void abort_leaf(leaf_node* l) noexcept {
    if constexpr (!optimistic_leaves) l->version.fetch_sub(reader_one, std::memory_order_release);
  }

  /// Drops a reader's shared latch if an exception (a throwing Key/Value copy) leaves the read early.
  struct leaf_guard {
    leaf_node* leaf;
    explicit leaf_guard(leaf_node* l) : leaf(l) {}
    ~leaf_guard() {
      if (leaf != nullptr) abort_leaf(leaf);
    }
    void release() { leaf = nullptr; }
  };

  // ---- slot access ------------------------------------------------------------------------------------------------

  static constexpr auto relaxed = std::memory_order_relaxed;

  std::size_t load_count(const node_base* n) const noexcept {
    return std::min<std::size_t>(n->count.load(relaxed), order_);
  }

  /// Key i of a leaf: a racy-but-atomic copy (optimistic trees) or a reference (latched trees, latch held).
  static decltype(auto) leaf_key(const leaf_node* l, std::size_t i) noexcept {
    if constexpr (optimistic_leaves) {
      return btree_detail::slot_load(l->keys[i], relaxed);
    } else {
      return static_cast<const Key&>(l->keys[i]);
    }
  }
  static decltype(auto) leaf_value(const leaf_node* l, std::size_t i) noexcept {
    if constexpr (optimistic_leaves) {
      return btree_detail::slot_load(l->values[i], relaxed);
    } else {
      return static_cast<const Value&>(l->values[i]);
    }
  }

  static sep_t load_sep(const inner_node* in, std::size_t i) noexcept {
    if constexpr (inline_separators) {
      return btree_detail::slot_load(in->seps[i], relaxed);
    } else {  // acquire: the separator object was constructed before its pointer was published
      return btree_detail::slot_load(in->seps[i], std::memory_order_acquire);
    }
  }
  static void store_sep(inner_node* in, std::size_t i, sep_t s) noexcept {
    btree_detail::slot_store(in->seps[i], s, inline_separators ? relaxed : std::memory_order_release);
  }
  static node_base* load_child(const inner_node* in, std::size_t i) noexcept {
    return std::atomic_ref<node_base*>(in->children[i]).load(std::memory_order_acquire);
  }
  static void store_child(inner_node* in, std::size_t i, node_base* c) noexcept {
    std::atomic_ref<node_base*>(in->children[i]).store(c, std::memory_order_release);
  }
  static const Key& sep_key(const sep_t& s) noexcept {
    if constexpr (inline_separators) {
      return s;
    } else {
      return *s;
    }
  }
  /// k < s; a null separator (only seen by a reader racing a writer, which then fails validation) counts as +inf.
  bool less_than_sep(const Key& k, const sep_t& s) const {
    if constexpr (inline_separators) {
      return cmp_(k, s);
    } else {
      return s == nullptr || cmp_(k, *s);
    }
  }

  /// Asks the CPU to fetch node n's header and keys (an inner node's separators, a leaf's keys) at once: a binary
  /// search then waits for one memory latency instead of one per probe.
  void prefetch_node(const node_base* n) const noexcept {
    const char* p = reinterpret_cast<const char*>(n);
    for (std::size_t off = 0; off < prefetch_bytes_; off += 64) __builtin_prefetch(p + off);
  }

  /// Index of the child of `in` (with n keys) whose subtree covers k: the number of separators <= k.
  std::size_t child_index(const inner_node* in, std::size_t n, const Key& k) const {
    std::size_t lo = 0, hi = n;
    while (lo < hi) {
      std::size_t mid = (lo + hi) / 2;
      if (less_than_sep(k, load_sep(in, mid))) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /// First position in leaf l (n keys) whose key is >= k.
  std::size_t leaf_lower_bound(const leaf_node* l, std::size_t n, const Key& k) const {
    std::size_t lo = 0, hi = n;
    while (lo < hi) {
      std::size_t mid = (lo + hi) / 2;
      if (cmp_(leaf_key(l, mid), k)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /// First position in leaf l (n keys) whose key is > k.
  std::size_t leaf_upper_bound(const leaf_node* l, std::size_t n, const Key& k) const {
    std::size_t lo = 0, hi = n;
    while (lo < hi) {
      std::size_t mid = (lo + hi) / 2;
      if (cmp_(k, leaf_key(l, mid))) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  // ---- leaf modification (caller holds the write lock, or the leaf is not yet published) ----------------------------

  /// Inserts (k, v) at pos of leaf l holding n < order_ entries.
  static void leaf_insert_at(leaf_node* l, std::size_t n, std::size_t pos, const Key& k, const Value& v) noexcept {
    if constexpr (optimistic_leaves) {
      for (std::size_t i = n; i > pos; --i) {
        btree_detail::slot_store(l->keys[i], btree_detail::slot_load(l->keys[i - 1], relaxed), relaxed);
        btree_detail::slot_store(l->values[i], btree_detail::slot_load(l->values[i - 1], relaxed), relaxed);
      }
      btree_detail::slot_store(l->keys[pos], k, relaxed);
      btree_detail::slot_store(l->values[pos], v, relaxed);
    } else {
      if (pos == n) {
        std::construct_at(l->keys + n, k);
        std::construct_at(l->values + n, v);
      } else {
        std::construct_at(l->keys + n, std::move(l->keys[n - 1]));
        std::construct_at(l->values + n, std::move(l->values[n - 1]));
        std::move_backward(l->keys + pos, l->keys + n - 1, l->keys + n);
        std::move_backward(l->values + pos, l->values + n - 1, l->values + n);
        l->keys[pos] = k;
        l->values[pos] = v;
      }
    }
    l->count.store(static_cast<uint32_t>(n + 1), relaxed);
  }

  /// Removes the entry at pos of leaf l holding n entries.
  static void leaf_erase_at(leaf_node* l, std::size_t n, std::size_t pos) noexcept {
    if constexpr (optimistic_leaves) {
      for (std::size_t i = pos; i + 1 < n; ++i) {
        btree_detail::slot_store(l->keys[i], btree_detail::slot_load(l->keys[i + 1], relaxed), relaxed);
        btree_detail::slot_store(l->values[i], btree_detail::slot_load(l->values[i + 1], relaxed), relaxed);
      }
    } else {
      std::move(l->keys + pos + 1, l->keys + n, l->keys + pos);
      std::move(l->values + pos + 1, l->values + n, l->values + pos);
      std::destroy_at(l->keys + n - 1);
      std::destroy_at(l->values + n - 1);
    }
    l->count.store(static_cast<uint32_t>(n - 1), relaxed);
  }

  static void set_value(leaf_node* l, std::size_t pos, const Value& v) noexcept {
    if constexpr (optimistic_leaves) {
      btree_detail::slot_store(l->values[pos], v, relaxed);
    } else {
      l->values[pos] = v;
    }
  }

  /// Moves entries [from, n) of leaf src to the empty, unpublished leaf dst.
  static void leaf_move_tail(leaf_node* src, std::size_t n, std::size_t from, leaf_node* dst) noexcept {
    for (std::size_t i = from; i < n; ++i) {
      if constexpr (optimistic_leaves) {
        btree_detail::slot_store(dst->keys[i - from], btree_detail::slot_load(src->keys[i], relaxed), relaxed);
        btree_detail::slot_store(dst->values[i - from], btree_detail::slot_load(src->values[i], relaxed), relaxed);
      } else {
        std::construct_at(dst->keys + (i - from), std::move(src->keys[i]));
        std::construct_at(dst->values + (i - from), std::move(src->values[i]));
        std::destroy_at(src->keys + i);
        std::destroy_at(src->values + i);
      }
    }
    dst->count.store(static_cast<uint32_t>(n - from), relaxed);
    src->count.store(static_cast<uint32_t>(from), relaxed);
  }

  // ---- structure modification (caller holds the write locks) ----------------------------------------------------

  /// Inserts separator s with its right child c into inner node p, which has room.
  void inner_insert(inner_node* p, sep_t s, node_base* c) {
    std::size_t n = p->count.load(relaxed);
    std::size_t pos = child_index(p, n, sep_key(s));
    for (std::size_t i = n; i > pos; --i) store_sep(p, i, load_sep(p, i - 1));
    for (std::size_t i = n + 1; i > pos + 1; --i) store_child(p, i, load_child(p, i - 1));
    store_sep(p, pos, s);
    store_child(p, pos + 1, c);
    p->count.store(static_cast<uint32_t>(n + 1), relaxed);
  }

  /// Makes a new root above the old root `left` (write-locked) and its new sibling `right`.
  void grow_root(node_base* left, sep_t s, node_base* right) {
    inner_node* r = new_inner(left->level + 1);
    store_sep(r, 0, s);
    store_child(r, 0, left);
    store_child(r, 1, right);
    r->count.store(1, relaxed);
    height_.store(r->level + 1, relaxed);
    root_.store(r, std::memory_order_release);  // before `left` is unlocked, so readers of the old root restart
  }

  /// Splits the full inner node `in` around its middle separator, which moves up into `parent` (or a new root).
  void split_inner(inner_node* in, inner_node* parent) {
    std::size_t n = in->count.load(relaxed);
    std::size_t mid = n / 2;
    inner_node* right = new_inner(in->level);
    sep_t up = load_sep(in, mid);
    for (std::size_t i = mid + 1; i < n; ++i) store_sep(right, i - mid - 1, load_sep(in, i));
    for (std::size_t i = mid + 1; i <= n; ++i) store_child(right, i - mid - 1, load_child(in, i));
    right->count.store(static_cast<uint32_t>(n - mid - 1), relaxed);
    in->count.store(static_cast<uint32_t>(mid), relaxed);
    if (parent != nullptr) {
      inner_insert(parent, up, right);
    } else {
      grow_root(in, up, right);
    }
  }

  /// Splits the full leaf (entries move to a new right sibling), inserts (k, v) at pos (a position in the unsplit leaf)
  /// and links the new leaf between leaf and right_neighbour; parent (or a new root) gets the separator.
  /// Appending at the right end of the last leaf (or prepending at the left end of the first one) splits unevenly, so
  /// ascending (descending) bulk loads produce full leaves.
  void split_leaf_and_insert(leaf_node* leaf, inner_node* parent, leaf_node* right_neighbour, std::size_t pos,
                             const Key& k, const Value& v) {
    std::size_t n = leaf->count.load(relaxed);
    std::size_t mid = n / 2;
    if (right_neighbour == nullptr && pos == n) {
      mid = n;
    } else if (leaf->prev.load(relaxed) == nullptr && pos == 0) {
      mid = 0;
    }
    leaf_node* right = new_leaf();
    leaf_move_tail(leaf, n, mid, right);
    if (pos < mid || mid == 0) {
      leaf_insert_at(leaf, mid, pos, k, v);
    } else {
      leaf_insert_at(right, n - mid, pos - mid, k, v);
    }
    sep_t s = make_separator(leaf_key(right, 0));
    right->prev.store(leaf, relaxed);
    right->next.store(right_neighbour, relaxed);
    leaf->next.store(right, std::memory_order_release);
    if (right_neighbour != nullptr) right_neighbour->prev.store(right, std::memory_order_release);
    if (parent != nullptr) {
      inner_insert(parent, s, right);
    } else {
      grow_root(leaf, s, right);
    }
  }

  // ---- descent ------------------------------------------------------------------------------------------------------

  /// Writer descent: returns the leaf covering key, read optimistically (version in vl), with its parent (nullptr if
  /// the leaf is the root) and the parent's version in vp; neither is locked. With split_full, full inner nodes on the
  /// way are split (and nullptr returned). Returns nullptr when the caller must restart.
  leaf_node* descend_for_write(const Key& key, bool split_full, inner_node*& parent, uint64_t& vp, uint64_t& vl) {
    node_base* n = root_.load(std::memory_order_acquire);
    uint64_t vn = 0;
    if (!read_lock(n, vn) || n != root_.load(std::memory_order_acquire)) return nullptr;
    while (n->level != 0) {
      auto* in = static_cast<inner_node*>(n);
      std::size_t count = in->count.load(relaxed);
      if (split_full && count >= order_) {
        if (parent != nullptr && !upgrade(parent, vp)) return nullptr;
        if (!upgrade(in, vn)) {
          if (parent != nullptr) unlock_unchanged(parent);
          return nullptr;
        }
        if (parent == nullptr && root_.load(relaxed) != in) {
          unlock_unchanged(in);
          return nullptr;
        }
        split_inner(in, parent);
        write_unlock(in);
        if (parent != nullptr) write_unlock(parent);
        return nullptr;  // restart from the root
      }
      node_base* child = load_child(in, child_index(in, std::min<std::size_t>(count, order_), key));
      uint64_t vc = 0;
      if (child == nullptr || !read_lock(child, vc) || !validate(in, vn)) return nullptr;
      parent = in;
      vp = vn;
      n = child;
      vn = vc;
    }
    vl = vn;
    return static_cast<leaf_node*>(n);
  }

  /// Reader descent to the leaf covering *key (the first leaf, or the last when `rightmost`, if key is null). Returns
  /// the leaf entered with enter_leaf_node (v as there), after checking that it was the right leaf. Never fails.
  leaf_node* enter_leaf(const Key* key, bool rightmost, uint64_t& v) const {
    for (unsigned attempt = 0;; ++attempt) {
      if (attempt > 0) btree_detail::backoff(attempt);
      node_base* n = root_.load(std::memory_order_acquire);
      if (n->level == 0) {
        auto* l = static_cast<leaf_node*>(n);
        if (!enter_leaf_node(l, v)) continue;
        if (l == root_.load(std::memory_order_acquire)) return l;
        abort_leaf(l);
        continue;
      }
      uint64_t vn = 0;
      if (!read_lock(n, vn) || n != root_.load(std::memory_order_acquire)) continue;
      for (;;) {
        auto* in = static_cast<inner_node*>(n);
        std::size_t count = load_count(in);
        std::size_t idx = key != nullptr ? child_index(in, count, *key) : (rightmost ? count : 0);
        node_base* child = load_child(in, idx);
        if (child == nullptr) break;
        prefetch_node(child);
        if (child->level == 0) {
          auto* l = static_cast<leaf_node*>(child);
          if (!enter_leaf_node(l, v)) break;
          if (validate(in, vn)) return l;
          abort_leaf(l);
          break;
        }
        uint64_t vc = 0;
        if (!read_lock(child, vc) || !validate(in, vn)) break;
        n = child;
        vn = vc;
      }
    }
  }

  /// Locks the leaf holding key and calls op(leaf, count, pos) if the key is present. Returns whether it was.
  template <class Op>
  bool modify_leaf(const Key& key, Op&& op) noexcept {
    for (unsigned attempt = 0;; ++attempt) {
      if (attempt > 0) btree_detail::backoff(attempt);
      inner_node* parent = nullptr;
      uint64_t vp = 0, vl = 0;
      leaf_node* leaf = descend_for_write(key, /*split_full=*/false, parent, vp, vl);
      if (leaf == nullptr || !upgrade(leaf, vl)) continue;  // no parent re-check needed, as in insert()
      std::size_t n = leaf->count.load(relaxed);
      std::size_t pos = leaf_lower_bound(leaf, n, key);
      if (pos == n || cmp_(key, leaf_key(leaf, pos))) {
        unlock_unchanged(leaf);
        return false;
      }
      op(leaf, n, pos);
      write_unlock(leaf);
      return true;
    }
  }

  // ---- scans --------------------------------------------------------------------------------------------------------

  /// Ascending scan from *lower (or the start) up to *upper_exclusive (or the end).
  template <bool with_values = true, class F>
  void scan_forward(const Key* lower, bool inclusive, const Key* upper_exclusive, F& fn) const {
    // Entries are copied a few at a time (2, then 8, 32, ... up to a whole leaf): a point
    // lookup that stops after one or two entries copies no more than that.
    boost::container::small_vector<std::pair<Key, Value>, 2> buf;  // a point lookup allocates nothing
    std::size_t chunk = 2;
    std::optional<Key> bound;  // keys up to bound (inclusive: excluding bound) are done
    if (lower != nullptr) bound.emplace(*lower);
    uint64_t v = 0;
    leaf_node* leaf = enter_leaf(lower, false, v);
    for (;;) {
      buf.clear();
      leaf_guard guard(leaf);
      std::size_t n = load_count(leaf);
      std::size_t i = 0;
      if (bound) i = inclusive ? leaf_lower_bound(leaf, n, *bound) : leaf_upper_bound(leaf, n, *bound);
      std::size_t end = std::min(n, i + chunk);
      for (; i < end; ++i) {
        if constexpr (with_values) {
          buf.emplace_back(leaf_key(leaf, i), leaf_value(leaf, i));
        } else {
          buf.emplace_back(leaf_key(leaf, i), Value{});
        }
      }
      bool leaf_done = end == n;
      leaf_node* next = leaf->next.load(std::memory_order_acquire);
      guard.release();
      if (!exit_leaf(leaf, v)) {  // changed under us: find the place again from the root
        leaf = enter_leaf(bound ? &*bound : nullptr, false, v);
        continue;
      }
      for (auto& [k, val] : buf) {
        if (upper_exclusive != nullptr && !cmp_(k, *upper_exclusive)) return;
        if (!fn(std::as_const(k), std::as_const(val))) return;
      }
      if (!buf.empty()) {
        bound = std::move(buf.back().first);
        inclusive = false;
      }
      chunk = std::min(chunk * 4, order_);
      if (!leaf_done) {  // the rest of this leaf
        if (!enter_leaf_node(leaf, v)) leaf = enter_leaf(bound ? &*bound : nullptr, false, v);
        continue;
      }
      if (next == nullptr) return;
      leaf = next;
      if (!enter_leaf_node(leaf, v)) leaf = enter_leaf(bound ? &*bound : nullptr, false, v);
    }
  }

  /// Descending scan from *upper (or the end) down to the start.
  /// Stepping left to prev is only valid if prev has not split since we read it (prev->next still points back);
  /// otherwise some of its keys may have moved to the right of prev, so re-descend instead.
  template <class F>
  void scan_backward(const Key* upper, bool inclusive, F& fn) const {
    std::vector<std::pair<Key, Value>> buf;
    buf.reserve(order_);
    std::optional<Key> bound;  // keys from bound (inclusive: excluding bound) up are done
    if (upper != nullptr) bound.emplace(*upper);
    uint64_t v = 0;
    leaf_node* leaf = enter_leaf(upper, true, v);
    leaf_node* came_from = nullptr;  // the leaf we stepped left from, if any
    for (;;) {
      buf.clear();
      leaf_guard guard(leaf);
      std::size_t n = load_count(leaf);
      std::size_t end = n;
      if (bound) end = inclusive ? leaf_upper_bound(leaf, n, *bound) : leaf_lower_bound(leaf, n, *bound);
      for (std::size_t i = end; i > 0; --i) buf.emplace_back(leaf_key(leaf, i - 1), leaf_value(leaf, i - 1));
      leaf_node* prev = leaf->prev.load(std::memory_order_acquire);
      leaf_node* next = leaf->next.load(std::memory_order_acquire);
      guard.release();
      if (!exit_leaf(leaf, v) || (came_from != nullptr && next != came_from)) {
        leaf = enter_leaf(bound ? &*bound : nullptr, true, v);
        came_from = nullptr;
        continue;
      }
      for (auto& [k, val] : buf) {
        if (!fn(std::as_const(k), std::as_const(val))) return;
      }
      if (!buf.empty()) {
        bound = std::move(buf.back().first);
        inclusive = false;
      }
      if (prev == nullptr) return;
      came_from = leaf;
      leaf = prev;
      if (!enter_leaf_node(leaf, v)) {
        leaf = enter_leaf(bound ? &*bound : nullptr, true, v);
        came_from = nullptr;
      }
    }
  }

  // ---- single-threaded helpers ----------------------------------------------------------------------------------

  leaf_node* leftmost_leaf() const {
    node_base* n = root_.load(std::memory_order_acquire);
    while (n->level != 0) n = load_child(static_cast<inner_node*>(n), 0);
    return static_cast<leaf_node*>(n);
  }

  /// Checks the subtree at n, whose keys must lie in [*lo, *hi) (null = unbounded); appends its leaves in order.
  template <class Fail>
  bool check_node(const node_base* n, const Key* lo, const Key* hi, uint32_t level,
                  std::vector<const leaf_node*>& leaves, Fail& fail) const {
    std::string where = " (level " + std::to_string(n->level) + ")";
    uint64_t w = n->version.load(std::memory_order_acquire);
    if (w & (locked_bit | obsolete_bit | reader_mask)) return fail("node locked, latched or obsolete" + where);
    if (n->level != level) return fail("leaves at different depths" + where);
    std::size_t count = n->count.load(relaxed);
    if (count > order_) return fail("node holds more than order keys" + where);
    auto in_bounds = [&](const Key& k) { return (lo == nullptr || !cmp_(k, *lo)) && (hi == nullptr || cmp_(k, *hi)); };
    if (level == 0) {
      auto* l = static_cast<const leaf_node*>(n);
      for (std::size_t i = 0; i < count; ++i) {
        if (i > 0 && !cmp_(l->keys[i - 1], l->keys[i])) return fail("leaf keys not strictly ascending" + where);
        if (!in_bounds(l->keys[i])) return fail("leaf key outside its parent's separator bounds" + where);
      }
      leaves.push_back(l);
      return true;
    }
    auto* in = static_cast<const inner_node*>(n);
    if (count == 0) return fail("inner node without separators" + where);
    for (std::size_t i = 0; i < count; ++i) {
      sep_t s = load_sep(in, i);
      if constexpr (!inline_separators) {
        if (s == nullptr) return fail("null separator" + where);
      }
      if (i > 0 && !cmp_(sep_key(load_sep(in, i - 1)), sep_key(s))) {
        return fail("separators not strictly ascending" + where);
      }
      if (!in_bounds(sep_key(s))) return fail("separator outside its parent's bounds" + where);
    }
    for (std::size_t i = 0; i <= count; ++i) {
      const node_base* c = load_child(in, i);
      if (c == nullptr) return fail("null child" + where);
      const Key* clo = i == 0 ? lo : &sep_key(in->seps[i - 1]);
      const Key* chi = i == count ? hi : &sep_key(in->seps[i]);
      if (!check_node(c, clo, chi, level - 1, leaves, fail)) return false;
    }
    return true;
  }

  const std::size_t order_;
  [[no_unique_address]] Compare cmp_;
  std::size_t leaf_keys_off_ = 0, leaf_values_off_ = 0, leaf_bytes_ = 0;
  std::size_t inner_seps_off_ = 0, inner_children_off_ = 0, inner_bytes_ = 0;
  std::size_t prefetch_bytes_ = 0;  ///< bytes from a node's start that prefetch_node() fetches
  btree_detail::node_arena arena_;
  std::mutex separators_mu_;
  std::deque<Key> separators_;  ///< latched trees: immutable separator keys (a deque never moves its elements)
  std::atomic<node_base*> root_{nullptr};
  std::atomic<std::size_t> size_{0};
  std::atomic<std::size_t> height_{1};
};

}  // namespace db001::storage
