#pragma once
/// What ends a running statement early: a cancel request (CancelRequest) and the statement's
/// deadline (statement_timeout). Long-running work polls check(): scans and DML per row block,
/// joins per piece of pairs, sorts every 64 K comparisons, COPY every 1024 rows, row-lock waits
/// every 20 ms. Both end the statement with 57014, as PostgreSQL's messages say which it was.
///
/// Thread-safety: cancel() from any thread; arm()/disarm() by the session's thread around a
/// statement; check() from any thread working for the statement (parallel workers too).
/// The fast path of check() is two relaxed loads; a clock read only while a deadline is set.
#include <atomic>
#include <chrono>
#include <cstdint>

#include "storage/error.h"

namespace db001::storage {

class interrupt {
 public:
  /// Cancels the running statement (or the next one to poll, if none runs).
  void cancel() { canceled_.store(true, std::memory_order_relaxed); }

  /// A statement starts: forgets an earlier cancel and sets its deadline (0 ms = none).
  void arm(int64_t timeout_ms) {
    canceled_.store(false, std::memory_order_relaxed);
    if (timeout_ms > max_timeout_ms) timeout_ms = max_timeout_ms;
    deadline_ns_.store(timeout_ms > 0 ? now_ns() + timeout_ms * 1000000 : 0, std::memory_order_relaxed);
  }
  /// The statement ended: no deadline until the next arm().
  void disarm() { deadline_ns_.store(0, std::memory_order_relaxed); }

  /// Throws 57014 if the statement was canceled or ran past its deadline.
  void check() const {
    if (canceled_.load(std::memory_order_relaxed)) [[unlikely]]
      throw db_error(sqlstate::query_canceled, "canceling statement due to user request");
    int64_t d = deadline_ns_.load(std::memory_order_relaxed);
    if (d != 0 && now_ns() >= d) [[unlikely]]
      throw db_error(sqlstate::query_canceled, "canceling statement due to statement timeout");
  }

  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

 private:
  static constexpr int64_t max_timeout_ms = int64_t(1) << 40;  ///< ~35 years: no overflow in nanoseconds
  std::atomic<bool> canceled_{false};
  std::atomic<int64_t> deadline_ns_{0};  ///< steady_clock nanoseconds; 0 = no deadline
};

}  // namespace db001::storage
