#include "exec/subquery.h"

#include <unordered_set>

#include "exec/evaluate.h"
#include "exec/functions.h"
#include "exec/operator.h"
#include "exec/value_ops.h"
#include "storage/cast.h"
#include "storage/error.h"

namespace db001::exec {

namespace {

struct value_hash {
  size_t operator()(const value& v) const { return hash_value(v); }
};
struct value_eq {
  bool operator()(const value& a, const value& b) const { return compare_values(a, b) == 0; }
};
using value_set = std::unordered_set<value, value_hash, value_eq>;


/// Result of `left op ANY/ALL (rows)`: 1 true, 0 false, -1 NULL.
int quantified(const expr& e, const value& left, const row_collection& rows, const value_set* set, bool set_has_null) {
  size_t n = rows.row_count();
  if (n == 0) return e.sub == sub_kind::all ? 1 : 0;
  if (left.is_null()) return -1;
  bool is_any = e.sub == sub_kind::any;
  if (set) {
    if (set->count(left)) return 1;
    return set_has_null ? -1 : 0;
  }
  bool saw_null = false;
  for (size_t i = 0; i < n; ++i) {
    value r = rows.get(i, 0);
    if (r.is_null()) {
      saw_null = true;
      continue;
    }
    bool ok = compare_holds(e.op, compare_values(left, r));
    if (is_any && ok) return 1;
    if (!is_any && !ok) return 0;
  }
  if (saw_null) return -1;
  return is_any ? 0 : 1;
}

value array_of(const row_collection& rows) {
  std::vector<std::optional<std::string>> elems;
  for (size_t i = 0; i < rows.row_count(); ++i) {
    value v = rows.get(i, 0);
    if (v.is_null())
      elems.push_back(std::nullopt);
    else
      elems.push_back(std::string(cast_value(v, sql_type::text(), cast_kind::explicit_).as_string()));
  }
  return value::text(format_text_array(elems));
}

void check_scalar(const row_collection& rows) {
  if (rows.row_count() > 1)
    throw db_error(sqlstate::cardinality_violation, "more than one row returned by a subquery used as an expression");
}

}  // namespace

vector evaluate_subquery(const expr& e, const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  vector left;
  if (e.sub == sub_kind::any || e.sub == sub_kind::all) left = evaluate(*e.args[0], in, ctx);

  if (!e.correlated) {
    auto& cache = ctx.subqueries[&e];
    if (!cache.ready) {
      cache.rows = run_plan(*e.subplan, ctx);
      if (e.sub == sub_kind::scalar) check_scalar(*cache.rows);
      if ((e.sub == sub_kind::any) && e.op == op_kind::eq) {
        auto set = std::make_shared<value_set>();
        for (size_t i = 0; i < cache.rows->row_count(); ++i) {
          value v = cache.rows->get(i, 0);
          if (v.is_null())
            cache.has_null = true;
          else
            set->insert(std::move(v));
        }
        cache.lookup = set;
      }
      cache.ready = true;
    }
    const row_collection& rows = *cache.rows;
    switch (e.sub) {
      case sub_kind::scalar:
        return constant_vector(rows.row_count() ? rows.get(0, 0) : value::null(e.type), e.type, n);
      case sub_kind::exists: return constant_vector(value::boolean(rows.row_count() > 0), e.type, n);
      case sub_kind::array:
        return constant_vector(array_of(rows), e.type, n);
      default: {
        vector_writer w(sql_type::boolean(), n);
        auto* set = static_cast<const value_set*>(cache.lookup.get());
        for (uint32_t i = 0; i < n; ++i) {
          int r = quantified(e, get_value(left, i), rows, set, cache.has_null);
          if (r < 0)
            w.set_null(i);
          else
            w.data<uint8_t>()[i] = uint8_t(r);
        }
        return w.finish(true);
      }
    }
  }

  // Correlated: run the subplan once per outer row.
  vector_writer w(e.type, n);
  std::vector<value> frame(e.outer_map.size());
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t r = in.row(i);
    for (size_t g = 0; g < e.outer_map.size(); ++g)
      frame[g] = e.outer_map[g] >= 0 ? get_value(in.cols[e.outer_map[g]], r) : value();
    ctx.outer.push_back(&frame);
    std::shared_ptr<row_collection> rows;
    try {
      rows = run_plan(*e.subplan, ctx);
    } catch (...) {
      ctx.outer.pop_back();
      throw;
    }
    ctx.outer.pop_back();
    value out;
    switch (e.sub) {
      case sub_kind::scalar:
        check_scalar(*rows);
        out = rows->row_count() ? rows->get(0, 0) : value::null(e.type);
        break;
      case sub_kind::exists: out = value::boolean(rows->row_count() > 0); break;
      case sub_kind::array:
        out = array_of(*rows);
        break;
      default: {
        int q = quantified(e, get_value(left, i), *rows, nullptr, false);
        out = q < 0 ? value::null(sql_type::boolean()) : value::boolean(q == 1);
      }
    }
    if (out.is_null()) {
      w.set_null(i);
      continue;
    }
    write_value(w, e.type, i, out);
  }
  return w.finish(true);
}

}  // namespace db001::exec
