#pragma once
/// The memory limit for table data: the server's database.shared_buffers. Counts the bytes of
/// every table's row blocks and long strings in the process (one server is one cluster, as
/// PostgreSQL's shared buffers serve every database); the count is what table::memory_bytes()
/// would give summed over all tables, kept up to date as tables grow and shrink. A table that
/// needs room for a new row while the count is at the limit throws 53200 "out of memory" (DETAIL
/// names the limit), so the statement fails and rolls back cleanly instead of the kernel killing
/// the server. Reused (reclaimed) slots need no new memory and are not checked.
///
/// Thread-safety: everything from any thread. charge() batches per thread (up to 64 kB either
/// way, flushed when the thread ends), so the shared count lags by at most that much per thread;
/// check() is two relaxed loads and a compare on the shared count, no system call.
#include <atomic>
#include <cstdint>

namespace db001::storage {

namespace table_memory_detail {
struct alignas(64) shared_count {
  std::atomic<int64_t> used{0};
  std::atomic<uint64_t> limit{0};
};
/// This thread's charges not yet added to the shared count (flushed when the thread ends).
struct thread_pending {
  int64_t bytes = 0;
  void flush();
  ~thread_pending() { flush(); }
};
}  // namespace table_memory_detail

class table_memory {
 public:
  friend struct table_memory_detail::thread_pending;
  /// Sets the limit in bytes (0 = none, the default for embedded databases).
  static void set_limit(uint64_t bytes) { shared_.limit.store(bytes, std::memory_order_relaxed); }
  static uint64_t limit() { return shared_.limit.load(std::memory_order_relaxed); }
  /// Bytes of table data now (the shared count plus this thread's unflushed charges).
  static int64_t used() { return shared_.used.load(std::memory_order_relaxed) + pending_.bytes; }

  /// Records table data allocated (> 0) or freed (< 0).
  static void charge(int64_t bytes) {
    int64_t p = pending_.bytes += bytes;
    if (p >= batch || p <= -batch) pending_.flush();
  }
  /// Throws 53200 "out of memory" if table data has reached the limit.
  static void check() {
    uint64_t l = shared_.limit.load(std::memory_order_relaxed);
    if (l != 0 && shared_.used.load(std::memory_order_relaxed) >= int64_t(l)) [[unlikely]]
      over_limit(l);
  }

 private:
  static constexpr int64_t batch = 64 << 10;
  [[noreturn]] static void over_limit(uint64_t limit);

  static inline table_memory_detail::shared_count shared_;
  static inline thread_local table_memory_detail::thread_pending pending_;
};

inline void table_memory_detail::thread_pending::flush() {
  table_memory::shared_.used.fetch_add(bytes, std::memory_order_relaxed);
  bytes = 0;
}

}  // namespace db001::storage
