#include "exec/evaluate.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "exec/functions.h"
#include "exec/numeric_arith.h"
#include "exec/numeric_kernels.h"
#include "exec/simd_kernels.h"
#include "exec/subquery.h"
#include "storage/cast.h"
#include "storage/error.h"
#include "storage/numeric.h"
#include "storage/stack_guard.h"

namespace db001::exec {

namespace {

/// 22003 for a value that does not fit numeric type t, with PostgreSQL's DETAIL when t has a precision.
[[noreturn]] void throw_field_overflow(const sql_type& t) {
  if (t.width > 0) throw_numeric_field_overflow(t.width, t.scale);
  throw db_error(sqlstate::numeric_value_out_of_range, "numeric field overflow");
}

/// A batch restricted to the rows at positions pos[0..n) of `in`'s selection.
batch sub_batch(const batch& in, const uint32_t* pos, uint32_t n, std::unique_ptr<uint32_t[]>& storage) {
  batch b;
  b.cols = in.cols;
  b.size = in.size;
  storage.reset(new uint32_t[std::max<uint32_t>(1, n)]);
  for (uint32_t i = 0; i < n; ++i) storage[i] = in.row(pos[i]);
  b.sel = storage.get();
  b.count = n;
  return b;
}

/// OR of two NULL masks into a fresh buffer (nullptr if neither has one).
const uint8_t* merge_nulls(const vector& a, const vector& b, uint32_t n, vector_writer& w) {
  if (!a.nulls && !b.nulls) return nullptr;
  uint8_t* out = w.nulls();
  for (uint32_t i = 0; i < n; ++i) out[i] = (a.nulls && a.nulls[i]) | (b.nulls && b.nulls[i]);
  return out;
}

[[noreturn]] void int_out_of_range(type_id t) {
  const char* name = t == type_id::int16 ? "smallint" : t == type_id::int32 ? "integer" : "bigint";
  throw db_error(sqlstate::numeric_value_out_of_range, std::string(name) + " out of range");
}
[[noreturn]] void div_zero() { throw db_error(sqlstate::division_by_zero, "division by zero"); }

template <class T>
void int_arith(op_kind op, const T* a, const T* b, T* r, const uint8_t* nulls, uint32_t n, type_id tid) {
  auto run = [&](auto f) {
    for (uint32_t i = 0; i < n; ++i) {
      if (nulls && nulls[i]) {
        r[i] = 0;
        continue;
      }
      r[i] = f(a[i], b[i]);
    }
  };
  switch (op) {
    case op_kind::add:
      run([&](T x, T y) {
        T z;
        if (__builtin_add_overflow(x, y, &z)) int_out_of_range(tid);
        return z;
      });
      break;
    case op_kind::sub:
      run([&](T x, T y) {
        T z;
        if (__builtin_sub_overflow(x, y, &z)) int_out_of_range(tid);
        return z;
      });
      break;
    case op_kind::mul:
      run([&](T x, T y) {
        T z;
        if (__builtin_mul_overflow(x, y, &z)) int_out_of_range(tid);
        return z;
      });
      break;
    case op_kind::div:
      run([&](T x, T y) -> T {
        if (y == 0) div_zero();
        if (y == -1) {
          if (x == std::numeric_limits<T>::min()) int_out_of_range(tid);
          return T(-x);
        }
        return T(x / y);
      });
      break;
    case op_kind::mod:
      run([&](T x, T y) -> T {
        if (y == 0) div_zero();
        if (y == -1) return 0;
        return T(x % y);
      });
      break;
    default: throw db_error(sqlstate::undefined_function, "operator does not exist for integers");
  }
}

template <class T>
void float_arith(op_kind op, const T* a, const T* b, T* r, const uint8_t* nulls, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    if (nulls && nulls[i]) {
      r[i] = 0;
      continue;
    }
    T x = a[i], y = b[i], z;
    switch (op) {
      case op_kind::add: z = x + y; break;
      case op_kind::sub: z = x - y; break;
      case op_kind::mul: z = x * y; break;
      case op_kind::div:
        if (y == 0) div_zero();
        z = x / y;
        break;
      case op_kind::pow:
        if (x == 0 && y < 0) throw db_error("2201F", "zero raised to a negative power is undefined");
        if (x < 0 && std::floor(y) != y)
          throw db_error("2201F", "a negative number raised to a non-integer power yields a complex result");
        z = T(std::pow(x, y));
        break;
      default: throw db_error(sqlstate::undefined_function, "operator does not exist for floating point");
    }
    if (std::isinf(z) && !std::isinf(x) && !std::isinf(y))
      throw db_error(sqlstate::numeric_value_out_of_range, "value out of range: overflow");
    if (z == 0 && op == op_kind::mul && x != 0 && y != 0)
      throw db_error(sqlstate::numeric_value_out_of_range, "value out of range: underflow");
    r[i] = z;
  }
}

inline int cmp_bpchar(std::string_view a, std::string_view b) {
  while (!a.empty() && a.back() == ' ') a.remove_suffix(1);
  while (!b.empty() && b.back() == ' ') b.remove_suffix(1);
  return a.compare(b);
}


template <class T>
inline int three_way(T x, T y) {
  if constexpr (std::is_floating_point_v<T>) {
    // PostgreSQL: NaN equals NaN and sorts above every other value.
    bool nx = std::isnan(x), ny = std::isnan(y);
    if (nx || ny) return nx == ny ? 0 : (nx ? 1 : -1);
  }
  return x < y ? -1 : (y < x ? 1 : 0);
}

template <class T>
void compare_loop(op_kind op, const T* a, const T* b, uint8_t* r, uint32_t n) {
  switch (op) {
    case op_kind::eq: for (uint32_t i = 0; i < n; ++i) r[i] = three_way(a[i], b[i]) == 0; break;
    case op_kind::ne: for (uint32_t i = 0; i < n; ++i) r[i] = three_way(a[i], b[i]) != 0; break;
    case op_kind::lt: for (uint32_t i = 0; i < n; ++i) r[i] = three_way(a[i], b[i]) < 0; break;
    case op_kind::le: for (uint32_t i = 0; i < n; ++i) r[i] = three_way(a[i], b[i]) <= 0; break;
    case op_kind::gt: for (uint32_t i = 0; i < n; ++i) r[i] = three_way(a[i], b[i]) > 0; break;
    case op_kind::ge: for (uint32_t i = 0; i < n; ++i) r[i] = three_way(a[i], b[i]) >= 0; break;
    default: break;
  }
}

/// Compares element-wise a op b (same SQL type family) into r. Rows where either side is
/// NULL get an unspecified result (callers mask them).
void compare_vectors(op_kind op, const vector& a, const vector& b, uint8_t* r, uint32_t n) {
  phys pa = a.type.physical(), pb = b.type.physical();
  if (a.type.id == type_id::numeric || b.type.id == type_id::numeric) {
    int s = std::max(a.type.scale, b.type.scale);
    for (uint32_t i = 0; i < n; ++i) {
      if (a.is_null(i) || b.is_null(i)) {  // NULL slots hold arbitrary bits: never rescale them
        r[i] = 0;
        continue;
      }
      int128_t x = rescale128(load_numeric(a, i), a.type.scale, s);
      int128_t y = rescale128(load_numeric(b, i), b.type.scale, s);
      r[i] = compare_holds(op, three_way(x, y));
    }
    return;
  }
  DB001_ASSERT(pa == pb);
  if (pa == phys::str) {
    const string_t* x = a.as<string_t>();
    const string_t* y = b.as<string_t>();
    bool pad = a.type.id == type_id::bpchar && b.type.id == type_id::bpchar;
    for (uint32_t i = 0; i < n; ++i) {
      if (a.is_null(i) || b.is_null(i)) {
        r[i] = 0;
      } else if (op == op_kind::eq && !pad) {
        r[i] = x[i] == y[i];
      } else {
        r[i] = compare_holds(op, pad ? cmp_bpchar(x[i].view(), y[i].view()) : x[i].view().compare(y[i].view()));
      }
    }
    return;
  }
  visit_phys(pa, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, string_t>) compare_loop<T>(op, a.as<T>(), b.as<T>(), r, n);
  });
}

/// Parameter e's value of this execution, as e's type (assignment cast); 42P02 if missing.
value param_value(const expr& e, exec_ctx& ctx) {
  if (!ctx.params || e.index >= int(ctx.params->size()))
    throw db_error(sqlstate::undefined_parameter, "there is no parameter $" + std::to_string(e.index + 1));
  const value& p = (*ctx.params)[e.index];
  return p.type() == e.type ? p : cast_value(p, e.type, cast_kind::assignment);
}

/// NUMERIC + - * / %: a non-NULL constant side stays one value (no vector of n copies).
vector eval_numeric_arith(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector va, vb;
  numeric_operand oa, ob;
  auto side = [&](const expr& x, vector& v, numeric_operand& o) {
    if (x.kind == expr_kind::constant && !x.constant.is_null() && x.constant.type().id == type_id::numeric) {
      o.constant = rescale128(x.constant.as_numeric(), x.constant.type().scale, x.type.scale);
      o.scale = x.type.scale;
      return;
    }
    v = evaluate(x, in, ctx);
    o.v = &v;
    o.scale = v.type.scale;
  };
  side(*e.args[0], va, oa);
  side(*e.args[1], vb, ob);
  vector_writer w(e.type, n);
  const uint8_t* nulls = merge_nulls(va, vb, n, w);
  if (e.type.physical() == phys::i128) {
    numeric_arith(e.op, oa, ob, w.data<int128_t>(), nulls, n, e.type.scale);
    return w.finish(nulls != nullptr);
  }
  // A result typed NUMERIC(p <= 18) has int64 cells: computed wide, then checked and narrowed.
  // (The binder types arithmetic as NUMERIC without a precision; this keeps other typings safe.)
  std::vector<int128_t> wide(n);
  numeric_arith(e.op, oa, ob, wide.data(), nulls, n, e.type.scale);
  int128_t lim = pow10_128(e.type.width);
  auto* out = w.data<int64_t>();
  for (uint32_t i = 0; i < n; ++i) {
    if (nulls && nulls[i]) continue;
    if (wide[i] >= lim || wide[i] <= -lim) throw_field_overflow(e.type);
    out[i] = int64_t(wide[i]);
  }
  return w.finish(nulls != nullptr);
}

vector eval_arith(const expr& e, const batch& in, exec_ctx& ctx) {
  if (e.type.id == type_id::numeric) return eval_numeric_arith(e, in, ctx);
  uint32_t n = in.count;
  vector a = evaluate(*e.args[0], in, ctx);
  vector b = evaluate(*e.args[1], in, ctx);
  vector_writer w(e.type, n);
  const uint8_t* nulls = merge_nulls(a, b, n, w);
  const sql_type& ta = a.type;
  if (e.op == op_kind::concat) {
    auto* r = w.data<string_t>();
    std::string tmp;
    for (uint32_t i = 0; i < n; ++i) {
      if (nulls && nulls[i]) {
        r[i] = string_t();
        continue;
      }
      tmp.assign(a.as<string_t>()[i].view());
      tmp.append(b.as<string_t>()[i].view());
      r[i] = w.heap().make(tmp);
    }
    return w.finish(nulls != nullptr);
  }
  if (ta.id == type_id::date || e.type.id == type_id::date) {
    // date + int, int + date, date - int -> date; date - date -> integer.
    const int32_t* x = a.as<int32_t>();
    const int32_t* y = b.as<int32_t>();
    int32_t* r = w.data<int32_t>();
    for (uint32_t i = 0; i < n; ++i) {
      if (nulls && nulls[i]) {
        r[i] = 0;
        continue;
      }
      int64_t z = e.op == op_kind::add ? int64_t(x[i]) + y[i] : int64_t(x[i]) - y[i];
      if (z > INT32_MAX || z < INT32_MIN) throw db_error(sqlstate::datetime_field_overflow, "date out of range");
      r[i] = int32_t(z);
    }
    return w.finish(nulls != nullptr);
  }
  switch (e.type.physical()) {
    case phys::i16: int_arith<int16_t>(e.op, a.as<int16_t>(), b.as<int16_t>(), w.data<int16_t>(), nulls, n, e.type.id); break;
    case phys::i32: int_arith<int32_t>(e.op, a.as<int32_t>(), b.as<int32_t>(), w.data<int32_t>(), nulls, n, e.type.id); break;
    case phys::i64: int_arith<int64_t>(e.op, a.as<int64_t>(), b.as<int64_t>(), w.data<int64_t>(), nulls, n, e.type.id); break;
    case phys::f32: float_arith<float>(e.op, a.as<float>(), b.as<float>(), w.data<float>(), nulls, n); break;
    case phys::f64: float_arith<double>(e.op, a.as<double>(), b.as<double>(), w.data<double>(), nulls, n); break;
    default: throw db_error(sqlstate::undefined_function, "operator does not exist: " + e.type.name());
  }
  return w.finish(nulls != nullptr);
}

vector eval_neg(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector a = evaluate(*e.args[0], in, ctx);
  vector_writer w(e.type, n);
  if (a.nulls) std::memcpy(w.nulls(), a.nulls, n);
  visit_phys(e.type.physical(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, string_t>) {
      throw db_error(sqlstate::undefined_function, "operator does not exist: - " + e.type.name());
    } else {
      const T* x = a.as<T>();
      T* r = w.data<T>();
      for (uint32_t i = 0; i < n; ++i) {
        if (a.nulls && a.nulls[i]) {
          r[i] = 0;
          continue;
        }
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, uint8_t>) {
          if (x[i] == std::numeric_limits<T>::min()) int_out_of_range(e.type.id);
        }
        r[i] = T(-x[i]);
      }
    }
  });
  return w.finish(a.nulls != nullptr);
}

vector eval_compare(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector a = evaluate(*e.args[0], in, ctx);
  vector b = evaluate(*e.args[1], in, ctx);
  vector_writer w(sql_type::boolean(), n);
  const uint8_t* nulls = merge_nulls(a, b, n, w);
  compare_vectors(e.op, a, b, w.data<uint8_t>(), n);
  return w.finish(nulls != nullptr);
}

/// AND / OR with short-circuit: later arguments are evaluated only on rows still undecided.
vector eval_logic(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  bool is_and = e.kind == expr_kind::and_;
  vector_writer w(sql_type::boolean(), n);
  uint8_t* r = w.data<uint8_t>();
  uint8_t* rn = w.nulls();
  std::memset(r, is_and ? 1 : 0, n);
  // Positions (into in's selection) still undecided.
  std::vector<uint32_t> pending(n);
  for (uint32_t i = 0; i < n; ++i) pending[i] = i;
  bool any_null = false;
  for (auto& arg : e.args) {
    if (pending.empty()) break;
    std::unique_ptr<uint32_t[]> sel;
    batch sub = pending.size() == n ? in : sub_batch(in, pending.data(), uint32_t(pending.size()), sel);
    vector v = evaluate(*arg, sub, ctx);
    const uint8_t* vb = v.as<uint8_t>();
    size_t keep = 0;
    for (size_t k = 0; k < pending.size(); ++k) {
      uint32_t pos = pending[k];
      if (v.is_null(uint32_t(k))) {
        rn[pos] = 1;
        any_null = true;
        pending[keep++] = pos;
      } else if (bool(vb[k]) != is_and) {
        // AND: a FALSE decides; OR: a TRUE decides.
        r[pos] = is_and ? 0 : 1;
        rn[pos] = 0;
      } else {
        pending[keep++] = pos;
      }
    }
    pending.resize(keep);
  }
  return w.finish(any_null);
}

vector eval_not(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector a = evaluate(*e.args[0], in, ctx);
  vector_writer w(sql_type::boolean(), n);
  if (a.nulls) std::memcpy(w.nulls(), a.nulls, n);
  for (uint32_t i = 0; i < n; ++i) w.data<uint8_t>()[i] = !a.as<uint8_t>()[i];
  return w.finish(a.nulls != nullptr);
}

vector eval_is_null(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector a = evaluate(*e.args[0], in, ctx);
  vector_writer w(sql_type::boolean(), n, false);
  for (uint32_t i = 0; i < n; ++i) w.data<uint8_t>()[i] = a.is_null(i) != e.flag;
  return w.finish(false);
}

vector eval_is_bool(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector a = evaluate(*e.args[0], in, ctx);
  vector_writer w(sql_type::boolean(), n, false);
  bool want = e.op == op_kind::eq;
  for (uint32_t i = 0; i < n; ++i) {
    bool match = !a.is_null(i) && bool(a.as<uint8_t>()[i]) == want;
    w.data<uint8_t>()[i] = match != e.flag;
  }
  return w.finish(false);
}

/// Writes element k of src into slot pos of w (same type).
void put(vector_writer& w, uint32_t pos, const vector& src, uint32_t k) {
  if (src.is_null(k)) {
    w.set_null(pos);
    return;
  }
  visit_phys(src.type.physical(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, string_t>)
      w.data<T>()[pos] = w.heap().copy(src.as<T>()[k]);
    else
      w.data<T>()[pos] = src.as<T>()[k];
  });
}

vector eval_case(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector_writer w(e.type, n);
  std::memset(w.nulls(), 1, n);
  std::vector<uint32_t> pending(n);
  for (uint32_t i = 0; i < n; ++i) pending[i] = i;
  size_t a = 0;
  vector operand;
  bool has_operand = e.case_has_operand;
  if (has_operand) operand = evaluate(*e.args[a++], in, ctx);  // dense over all n rows
  size_t pairs_end = e.args.size() - (e.case_has_else ? 1 : 0);
  for (; a + 1 < pairs_end + 1 && a < pairs_end && !pending.empty(); a += 2) {
    std::unique_ptr<uint32_t[]> sel;
    batch sub = pending.size() == n ? in : sub_batch(in, pending.data(), uint32_t(pending.size()), sel);
    vector cond = evaluate(*e.args[a], sub, ctx);
    std::vector<uint32_t> taken, rest;
    if (has_operand) {
      // operand = when-value, compared on the pending rows
      vector op_sub = gather(operand, pending.data(), uint32_t(pending.size()));
      std::vector<uint8_t> eq(pending.size());
      compare_vectors(op_kind::eq, op_sub, cond, eq.data(), uint32_t(pending.size()));
      for (size_t k = 0; k < pending.size(); ++k)
        (!op_sub.is_null(uint32_t(k)) && !cond.is_null(uint32_t(k)) && eq[k] ? taken : rest).push_back(pending[k]);
    } else {
      for (size_t k = 0; k < pending.size(); ++k)
        (!cond.is_null(uint32_t(k)) && cond.as<uint8_t>()[k] ? taken : rest).push_back(pending[k]);
    }
    if (!taken.empty()) {
      std::unique_ptr<uint32_t[]> sel2;
      batch tb = sub_batch(in, taken.data(), uint32_t(taken.size()), sel2);
      vector v = evaluate(*e.args[a + 1], tb, ctx);
      w.keep_alive(v);
      for (size_t k = 0; k < taken.size(); ++k) {
        w.nulls()[taken[k]] = 0;
        put(w, taken[k], v, uint32_t(k));
      }
    }
    pending.swap(rest);
  }
  if (e.case_has_else && !pending.empty()) {
    std::unique_ptr<uint32_t[]> sel;
    batch sub = sub_batch(in, pending.data(), uint32_t(pending.size()), sel);
    vector v = evaluate(*e.args.back(), sub, ctx);
    for (size_t k = 0; k < pending.size(); ++k) {
      w.nulls()[pending[k]] = 0;
      put(w, pending[k], v, uint32_t(k));
    }
  }
  return w.finish(true);
}

vector eval_coalesce(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector_writer w(e.type, n);
  std::memset(w.nulls(), 1, n);
  std::vector<uint32_t> pending(n);
  for (uint32_t i = 0; i < n; ++i) pending[i] = i;
  for (auto& arg : e.args) {
    if (pending.empty()) break;
    std::unique_ptr<uint32_t[]> sel;
    batch sub = pending.size() == n ? in : sub_batch(in, pending.data(), uint32_t(pending.size()), sel);
    vector v = evaluate(*arg, sub, ctx);
    size_t keep = 0;
    for (size_t k = 0; k < pending.size(); ++k) {
      if (v.is_null(uint32_t(k))) {
        pending[keep++] = pending[k];
      } else {
        w.nulls()[pending[k]] = 0;
        put(w, pending[k], v, uint32_t(k));
      }
    }
    pending.resize(keep);
  }
  return w.finish(true);
}

vector eval_nullif(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector a = evaluate(*e.args[0], in, ctx);
  vector b = evaluate(*e.args[1], in, ctx);
  std::vector<uint8_t> eq(n);
  compare_vectors(op_kind::eq, a, b, eq.data(), n);
  vector_writer w(e.type, n);
  for (uint32_t i = 0; i < n; ++i) {
    if (!a.is_null(i) && !b.is_null(i) && eq[i])
      w.set_null(i);
    else
      put(w, i, a, i);
  }
  return w.finish(true);
}

vector eval_in_list(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector a = evaluate(*e.args[0], in, ctx);
  vector_writer w(sql_type::boolean(), n);
  uint8_t* r = w.data<uint8_t>();
  uint8_t* rn = w.nulls();
  std::memset(r, 0, n);
  for (uint32_t i = 0; i < n; ++i) rn[i] = a.is_null(i);
  std::vector<uint8_t> eq(n);
  for (size_t k = 1; k < e.args.size(); ++k) {
    vector b = evaluate(*e.args[k], in, ctx);
    compare_vectors(op_kind::eq, a, b, eq.data(), n);
    for (uint32_t i = 0; i < n; ++i) {
      if (r[i] || a.is_null(i)) continue;
      if (b.is_null(i))
        rn[i] = 1;
      else if (eq[i]) {
        r[i] = 1;
        rn[i] = 0;
      }
    }
  }
  bool any_null = false;
  for (uint32_t i = 0; i < n; ++i) {
    if (e.flag && !rn[i]) r[i] = !r[i];
    any_null |= rn[i];
  }
  return w.finish(any_null);
}

/// LIKE matching with % and _ and backslash escapes (PostgreSQL's default escape).
bool like_match(std::string_view s, std::string_view p, bool ci) {
  size_t si = 0, pi = 0, star_p = std::string_view::npos, star_s = 0;
  auto eq = [&](char a, char b) {
    return ci ? std::tolower((unsigned char)a) == std::tolower((unsigned char)b) : a == b;
  };
  while (si < s.size()) {
    if (pi < p.size() && p[pi] == '%') {
      star_p = ++pi;
      star_s = si;
      continue;
    }
    if (pi < p.size()) {
      char pc = p[pi];
      size_t step = 1;
      if (pc == '\\' && pi + 1 < p.size()) {
        pc = p[pi + 1];
        step = 2;
        if (eq(s[si], pc)) {
          si++;
          pi += step;
          continue;
        }
      } else if (pc == '_' || eq(s[si], pc)) {
        si++;
        pi += step;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    si = ++star_s;
  }
  while (pi < p.size() && p[pi] == '%') pi++;
  return pi == p.size();
}

vector eval_like(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector a = evaluate(*e.args[0], in, ctx);
  vector b = evaluate(*e.args[1], in, ctx);
  vector_writer w(sql_type::boolean(), n);
  const uint8_t* nulls = merge_nulls(a, b, n, w);
  bool ci = e.op == op_kind::ne;
  for (uint32_t i = 0; i < n; ++i) {
    if (nulls && nulls[i]) continue;
    bool m = like_match(a.as<string_t>()[i].view(), b.as<string_t>()[i].view(), ci);
    w.data<uint8_t>()[i] = m != e.flag;
  }
  return w.finish(nulls != nullptr);
}

}  // namespace

vector cast_vector(const vector& v, uint32_t n, sql_type t, bool explicit_cast) {
  const sql_type& f = v.type;
  if (f == t) return v;
  // Same representation, no check needed: retag.
  bool str_to_unbounded = f.is_string() && (t.id == type_id::text || (t.id == type_id::varchar && t.width < 0));
  if (str_to_unbounded && f.id != type_id::bpchar) {
    vector r = v;
    r.type = t;
    return r;
  }
  vector_writer w(t, n);
  uint8_t* rn = w.nulls();
  for (uint32_t i = 0; i < n; ++i) rn[i] = v.is_null(i);
  phys fp = f.physical(), tp = t.physical();
  // Integer widening and integer/float to float: no failure possible.
  bool int_to_wider = f.is_integer() && t.is_integer() && phys_size(tp) >= phys_size(fp);
  bool to_float = (f.is_integer() || f.is_float()) && t.is_float();
  if (int_to_wider || to_float) {
    visit_phys(fp, [&](auto ftag) {
      using F = decltype(ftag);
      visit_phys(tp, [&](auto ttag) {
        using T = decltype(ttag);
        if constexpr (!std::is_same_v<F, string_t> && !std::is_same_v<T, string_t> && !std::is_same_v<F, int128_t> &&
                      !std::is_same_v<T, int128_t>) {
          const F* src = v.as<F>();
          T* dst = w.data<T>();
          for (uint32_t i = 0; i < n; ++i) dst[i] = T(src[i]);
        }
      });
    });
    return w.finish(v.nulls != nullptr);
  }
  if (f.is_integer() && t.id == type_id::numeric) {
    visit_phys(fp, [&](auto ftag) {
      using F = decltype(ftag);
      if constexpr (std::is_integral_v<F>) {
        const F* src = v.as<F>();
        int128_t lim = t.width > 0 ? pow10_128(t.width) : pow10_128(38);
        for (uint32_t i = 0; i < n; ++i) {
          if (rn[i]) continue;
          int128_t x = rescale128(int128_t(src[i]), 0, t.scale);
          if (x >= lim || x <= -lim) throw_field_overflow(t);
          if (tp == phys::i64)
            w.data<int64_t>()[i] = int64_t(x);
          else
            w.data<int128_t>()[i] = x;
        }
      }
    });
    return w.finish(v.nulls != nullptr);
  }
  if (f.id == type_id::numeric && t.id == type_id::numeric) {
    int128_t lim = t.width > 0 ? pow10_128(t.width) : pow10_128(38);
    for (uint32_t i = 0; i < n; ++i) {
      if (rn[i]) continue;
      int128_t x = rescale128(load_numeric(v, i), f.scale, t.scale);
      if (x >= lim || x <= -lim) throw_field_overflow(t);
      if (tp == phys::i64)
        w.data<int64_t>()[i] = int64_t(x);
      else
        w.data<int128_t>()[i] = x;
    }
    return w.finish(v.nulls != nullptr);
  }
  // Everything else: one value at a time through the scalar cast rules.
  auto kind = explicit_cast ? cast_kind::explicit_ : cast_kind::assignment;
  for (uint32_t i = 0; i < n; ++i) {
    if (rn[i]) continue;
    value x = cast_value(get_value(v, i), t, kind);
    if (x.is_null()) {
      rn[i] = 1;
      continue;
    }
    write_value(w, t, i, x);
  }
  return w.finish(true);
}

vector evaluate(const expr& e, const batch& in, exec_ctx& ctx) {
  check_stack_depth();
  uint32_t n = in.count;
  switch (e.kind) {
    case expr_kind::column: {
      const vector& c = in.cols[e.index];
      if (!in.sel) return c;
      return gather(c, in.sel, n);
    }
    case expr_kind::constant: return constant_vector(e.constant, e.type, n);
    case expr_kind::param: return constant_vector(param_value(e, ctx), e.type, n);
    case expr_kind::outer_column: {
      DB001_ASSERT(e.depth >= 1 && size_t(e.depth) <= ctx.outer.size());
      const auto& frame = *ctx.outer[ctx.outer.size() - e.depth];
      DB001_ASSERT(size_t(e.index) < frame.size());
      return constant_vector(frame[e.index], e.type, n);
    }
    case expr_kind::cast: {
      vector a = evaluate(*e.args[0], in, ctx);
      return cast_vector(a, n, e.type, e.flag);
    }
    case expr_kind::neg: return eval_neg(e, in, ctx);
    case expr_kind::arith: return eval_arith(e, in, ctx);
    case expr_kind::compare: return eval_compare(e, in, ctx);
    case expr_kind::and_:
    case expr_kind::or_: return eval_logic(e, in, ctx);
    case expr_kind::not_: return eval_not(e, in, ctx);
    case expr_kind::is_null: return eval_is_null(e, in, ctx);
    case expr_kind::is_bool: return eval_is_bool(e, in, ctx);
    case expr_kind::case_: return eval_case(e, in, ctx);
    case expr_kind::coalesce: return eval_coalesce(e, in, ctx);
    case expr_kind::nullif: return eval_nullif(e, in, ctx);
    case expr_kind::in_list: return eval_in_list(e, in, ctx);
    case expr_kind::like: return eval_like(e, in, ctx);
    case expr_kind::func: {
      std::vector<vector> args;
      for (auto& a : e.args) args.push_back(evaluate(*a, in, ctx));
      return call_function(e, args, n, ctx);
    }
    case expr_kind::subquery: return evaluate_subquery(e, in, ctx);
    case expr_kind::aggregate_ref: break;
  }
  throw db_error(sqlstate::internal_error, "cannot evaluate expression");
}

namespace {

/// column op constant on a fixed-width column with a non-NULL constant of the same type:
/// the conjuncts the SIMD kernels evaluate.
bool simd_comparable(const expr& e) {
  if (e.kind != expr_kind::compare || e.args[0]->kind != expr_kind::column || e.args[1]->kind != expr_kind::constant ||
      e.args[1]->constant.is_null() || !(e.args[0]->type == e.args[1]->type) || e.op == op_kind::concat)
    return false;
  phys p = e.args[0]->type.physical();
  if (p == phys::f64) return !std::isnan(e.args[1]->constant.as_float());
  return p == phys::i32 || p == phys::i64;
}

/// Narrows mask (one byte per row of a dense batch) by a simd_comparable conjunct.
void mask_compare(const expr& e, const batch& in, uint8_t* mask) {
  const vector& col = in.cols[e.args[0]->index];
  const value& c = e.args[1]->constant;
  uint32_t n = in.count;
  switch (col.type.physical()) {
    case phys::i32: simd::compare_mask<int32_t>(col.as<int32_t>(), e.op, int32_t(c.as_int()), n, mask); break;
    case phys::i64:
      simd::compare_mask<int64_t>(col.as<int64_t>(), e.op, col.type.is_numeric() ? int64_t(c.as_numeric()) : c.as_int(),
                                  n, mask);
      break;
    default: simd::compare_mask<double>(col.as<double>(), e.op, c.as_float(), n, mask); break;
  }
  if (col.nulls)
    for (uint32_t i = 0; i < n; ++i) mask[i] &= uint8_t(!col.nulls[i]);
}

}  // namespace

uint32_t evaluate_filter(const expr& e, const batch& in, exec_ctx& ctx, uint32_t* out_sel) {
  if (e.kind == expr_kind::and_ && !in.sel) {
    // A dense batch: the SIMD-able comparisons run first over the whole batch as byte masks
    // (cheap, cannot fail: PostgreSQL also runs cheap quals first), then the others in order
    // on the rows that remain.
    // Two mask passes (typically a range on one column) usually leave few rows: further
    // comparisons then run on the selection instead of over the whole batch.
    constexpr int max_mask_passes = 2;
    std::vector<const expr*> rest, later;
    std::vector<uint8_t> mask;
    int passes = 0;
    for (auto& arg : e.args) {
      if (!simd_comparable(*arg)) {
        rest.push_back(arg.get());
        continue;
      }
      if (passes == max_mask_passes) {
        later.push_back(arg.get());
        continue;
      }
      if (mask.empty()) mask.assign(in.count, 1);
      mask_compare(*arg, in, mask.data());
      ++passes;
    }
    rest.insert(rest.begin(), later.begin(), later.end());
    if (!mask.empty()) {
      uint32_t k = simd::mask_to_sel(mask.data(), in.count, out_sel);
      if (rest.empty() || k == 0) return k;
      std::vector<uint32_t> buf(out_sel, out_sel + k);
      batch cur = in;
      cur.sel = buf.data();
      cur.count = k;
      for (const expr* r : rest) {
        uint32_t m = evaluate_filter(*r, cur, ctx, buf.data());
        cur.count = m;
        if (m == 0) break;
      }
      std::copy(buf.data(), buf.data() + cur.count, out_sel);
      return cur.count;
    }
  }
  if (e.kind == expr_kind::and_) {
    // Conjuncts narrow the selection one after another (FALSE and NULL both drop a row).
    std::vector<uint32_t> buf(std::max<uint32_t>(1, in.count));
    batch cur = in;
    for (auto& arg : e.args) {
      uint32_t k = evaluate_filter(*arg, cur, ctx, buf.data());
      cur.sel = buf.data();
      cur.count = k;
      if (k == 0) break;
    }
    std::copy(buf.data(), buf.data() + cur.count, out_sel);
    return cur.count;
  }
  if (e.kind == expr_kind::compare && e.args[0]->kind == expr_kind::column &&
      e.args[1]->kind == expr_kind::constant && !e.args[1]->constant.is_null() &&
      e.args[0]->type == e.args[1]->type && e.op != op_kind::concat) {
    // column op constant on a fixed-width type: the SIMD kernel.
    const vector& col = in.cols[e.args[0]->index];
    const value& c = e.args[1]->constant;
    switch (col.type.physical()) {
      case phys::i32:
        return simd::filter_compare<int32_t>(col.as<int32_t>(), col.nulls, e.op, int32_t(c.as_int()), in.sel, in.count,
                                             out_sel);
      case phys::i64:
        return simd::filter_compare<int64_t>(col.as<int64_t>(), col.nulls, e.op,
                                             col.type.is_numeric() ? int64_t(c.as_numeric()) : c.as_int(), in.sel,
                                             in.count, out_sel);
      case phys::f64:
        if (std::isnan(c.as_float())) break;
        return simd::filter_compare<double>(col.as<double>(), col.nulls, e.op, c.as_float(), in.sel, in.count, out_sel);
      default: break;
    }
  }
  vector v = evaluate(e, in, ctx);
  const uint8_t* b = v.as<uint8_t>();
  uint32_t k = 0;
  if (v.nulls) {
    for (uint32_t i = 0; i < in.count; ++i)
      if (b[i] && !v.nulls[i]) out_sel[k++] = in.row(i);
  } else {
    for (uint32_t i = 0; i < in.count; ++i)
      if (b[i]) out_sel[k++] = in.row(i);
  }
  return k;
}

value evaluate_scalar(const expr& e, exec_ctx& ctx) {
  // Constants, parameters and casts of them (a VALUES row of an INSERT: $1 typed varchar for a
  // varchar(44) column, '1998-09-02'::date) by the scalar rules, without one-row vectors.
  switch (e.kind) {
    case expr_kind::constant:
      if (e.constant.type() == e.type) return e.constant;
      break;
    case expr_kind::param: return param_value(e, ctx);
    case expr_kind::cast: {
      const expr& a = *e.args[0];
      bool scalar_arg = a.kind == expr_kind::param || (a.kind == expr_kind::constant && a.constant.type() == a.type);
      if (scalar_arg)
        return cast_value(evaluate_scalar(a, ctx), e.type, e.flag ? cast_kind::explicit_ : cast_kind::assignment);
      break;
    }
    default:
      break;
  }
  batch one;
  one.size = one.count = 1;
  vector v = evaluate(e, one, ctx);
  return get_value(v, 0);
}

}  // namespace db001::exec
