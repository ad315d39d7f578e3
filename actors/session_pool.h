#pragma once
/// session_pool: the threads that run the server's sessions. Sockets are registered with one
/// epoll set; a pool thread takes one readable socket at a time, lets its handler read and
/// answer what arrived, and re-arms it (EPOLLONESHOT: one thread at a time per socket).
/// About as many threads as cores run sessions, so a busy server does not pay a thread
/// switch per message the way a thread per connection does (measured: 39% of the server's
/// time in finish_task_switch under pgbench select-only at 8 clients on 2 cores).
///
/// A statement may sleep (a row lock, a commit waiting for its WAL flush, a client not
/// reading its results) or run long. So that the other sessions do not wait for it:
///  - waits marked with txn::blocking_scope start another pool thread when none is idle;
///  - a monitor starts another thread when, for a monitor period (10 ms), no thread was idle
///    and none finished a message (a long query, or an unmarked wait);
///  - threads beyond the cores' count end after idle_timeout without work.
/// Idle threads give back their allocator caches and unused stack pages (trim_idle_thread).
/// An idle connection costs no thread.
///
/// Thread-safety: add() from any thread; stop() from one thread, once (the destructor).
#include <chrono>
#include <memory>

namespace db001::actors {

class session_pool {
 public:
  /// Reacts to its socket. Called by one pool thread at a time.
  class handler {
   public:
    virtual ~handler() = default;
    /// The socket is readable or hung up. True: call again when it is readable next;
    /// false: done (the pool removes the socket from its set and destroys the handler).
    virtual bool on_readable() = 0;
  };

  /// `core_threads` threads are always kept (0 = the number of cores). The monitor looks
  /// every `monitor_period` (0: no monitor, only marked waits hand over; for tests).
  explicit session_pool(unsigned core_threads = 0,
                        std::chrono::milliseconds monitor_period = std::chrono::milliseconds(10));
  ~session_pool();  ///< stop()
  session_pool(const session_pool&) = delete;
  session_pool& operator=(const session_pool&) = delete;

  /// Registers `fd` (which `h` owns and closes). The pool owns `h` from here.
  void add(int fd, std::unique_ptr<handler> h);
  /// Ends the threads (those inside a handler finish it first, waiting up to 10 s) and
  /// destroys the handlers still registered.
  void stop();

  struct counts {
    unsigned threads = 0;  ///< running
    unsigned idle = 0;     ///< waiting for a socket
  };
  counts current() const;

  struct state;  ///< shared with the pool's threads

 private:
  std::shared_ptr<state> st_;
};

}  // namespace db001::actors
