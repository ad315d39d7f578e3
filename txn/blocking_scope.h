#pragma once
/// blocking_scope: marks where a statement's thread is about to sleep on another transaction
/// (a row lock, a commit's durability), so that the thread pool running it (the server's
/// session_pool) can hand the pool's other work to another thread meanwhile. A thread that
/// belongs to no such pool has no observer and the scope costs a thread-local load.
///
/// Put a scope around a wait that can last, after its fast path (a scope that never sleeps
/// still costs the observer two atomic updates).
namespace db001::txn {

/// Told when a thread enters and leaves a blocking wait. Set per thread by its pool.
class blocking_observer {
 public:
  virtual void before_block() = 0;
  virtual void after_block() = 0;

 protected:
  ~blocking_observer() = default;
};

inline thread_local blocking_observer* current_blocking_observer = nullptr;

class blocking_scope {
 public:
  blocking_scope() : observer_(current_blocking_observer) {
    if (observer_) observer_->before_block();
  }
  ~blocking_scope() {
    if (observer_) observer_->after_block();
  }
  blocking_scope(const blocking_scope&) = delete;
  blocking_scope& operator=(const blocking_scope&) = delete;

 private:
  blocking_observer* observer_;
};

}  // namespace db001::txn
