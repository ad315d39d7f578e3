#pragma once
/// Stack depth limit for the recursive parts of the engine (binding, folding, evaluation of
/// deeply nested expressions and queries): past the limit a statement fails with
/// 54001 "stack depth limit exceeded", as in PostgreSQL, instead of overflowing the stack.
///
/// A statement_stack_scope at the session's entry records the stack base of the thread;
/// check_stack_depth() compares the current frame against it. Threads without a base (pool
/// workers) are not checked: they only run expressions already bound under a check.
#include <cstddef>

#include "storage/error.h"

namespace db001 {

inline constexpr std::ptrdiff_t max_stack_bytes = 3 << 20;  // of the 8 MB thread stacks
inline thread_local const char* stack_base = nullptr;

class statement_stack_scope {
 public:
  statement_stack_scope() {
    char here;
    if (!stack_base) {
      stack_base = &here;
      owner_ = true;
    }
  }
  ~statement_stack_scope() {
    if (owner_) stack_base = nullptr;
  }
  statement_stack_scope(const statement_stack_scope&) = delete;
  statement_stack_scope& operator=(const statement_stack_scope&) = delete;

 private:
  bool owner_ = false;
};

[[gnu::noinline]] inline void check_stack_depth() {
  char here;
  if (stack_base && stack_base - &here > max_stack_bytes) {
    db_error e("54001", "stack depth limit exceeded");
    e.with_hint("The statement nests expressions or subqueries too deeply.");
    throw e;
  }
}

}  // namespace db001
