// Expression binding: names, literals, operators with PostgreSQL's type resolution,
// functions, aggregates, CASE/COALESCE/IN, subqueries.
#include <algorithm>
#include <cctype>

#include "exec/functions.h"
#include "sql/binder.h"
#include "sql/cluster_catalog.h"
#include "sql/system_views.h"
#include "storage/cast.h"
#include "storage/numeric.h"
#include "storage/stack_guard.h"

namespace db001::sql {

using exec::expr_kind;
using exec::op_kind;

namespace {

[[noreturn]] void fail(const char* code, const std::string& msg, int loc) { throw db_error(code, msg, loc); }

bool is_untyped(const sql_type& t) { return t.id == type_id::unknown || t.id == type_id::null_; }

/// Name of a function call: the last element of funcname, lower-cased.
std::string func_name(const node& fc) {
  auto parts = fc.list("funcname");
  if (parts.empty()) return {};
  return lower(parts.back()["String"].str("sval"));
}

std::string op_name(const node& n) {
  auto parts = n.list("name");
  if (parts.empty()) return {};
  return std::string(parts.back()["String"].str("sval"));
}

}  // namespace

void split_conjuncts(const expr_ptr& e, std::vector<expr_ptr>& out) {
  if (!e) return;
  if (e->kind == expr_kind::and_) {
    for (auto& a : e->args) split_conjuncts(a, out);
  } else {
    out.push_back(e);
  }
}

void collect_columns(const expr& e, std::set<int>& out) {
  check_stack_depth();
  if (e.kind == expr_kind::column) out.insert(e.index);
  if (e.kind == expr_kind::subquery) out.insert(e.outer_ids.begin(), e.outer_ids.end());
  for (auto& a : e.args)
    if (a) collect_columns(*a, out);
}

expr_ptr binder::remap(const expr_ptr& e, const std::vector<int>& pos) {
  if (!e) return e;
  check_stack_depth();
  auto c = std::make_shared<expr>(*e);
  if (c->kind == expr_kind::column) {
    DB001_ASSERT(c->index >= 0 && size_t(c->index) < pos.size() && pos[c->index] >= 0);
    c->index = pos[c->index];
  }
  if (c->kind == expr_kind::subquery && c->correlated) {
    int width = 0;
    for (int g : c->outer_ids) width = std::max(width, g + 1);
    c->outer_map.assign(width, -1);
    for (int g : c->outer_ids)
      if (size_t(g) < pos.size()) c->outer_map[g] = pos[g];
  }
  for (auto& a : c->args) a = remap(a, pos);
  return c;
}

expr_ptr binder::make_bool(expr_kind k, std::vector<expr_ptr> args) {
  return expr::make(k, sql_type::boolean(), std::move(args));
}

expr_ptr binder::resolve_unknown(const expr_ptr& e) {
  if (e && e->type.id == type_id::unknown) return coerce(e, sql_type::text(), int(cast_kind::implicit), e->location);
  return e;
}

expr_ptr binder::coerce(const expr_ptr& e, sql_type t, int kind_i, int location) {
  auto kind = cast_kind(kind_i);
  if (t.id == type_id::numeric && t.scale < 0) {
    // A plain NUMERIC takes the scale of what is cast: the value's own for a constant, the
    // source type's for an expression (floats: 6 digits; parameters: 16).
    int scale = 0;
    if (e->type.is_numeric() && e->type.scale >= 0) {
      scale = e->type.scale;
    } else if (e->kind == expr_kind::constant && !e->constant.is_null()) {
      try {
        scale = std::max<int>(0, cast_value(e->constant, sql_type::numeric(t.width, -1), cast_kind::explicit_).type().scale);
      } catch (db_error& err) {
        if (!err.position()) err.set_position(location ? location : e->location);
        throw;
      }
    } else if (e->type.is_float()) {
      scale = 6;
    } else if (e->kind == expr_kind::param) {
      scale = 16;
    }
    t.scale = int16_t(scale);
  }
  if (e->type == t && !(t.id == type_id::numeric && e->type.scale != t.scale)) return e;
  if (t.id == type_id::unknown) return e;
  int loc = location ? location : e->location;
  if (e->kind == expr_kind::constant) {
    if (e->constant.is_null()) return expr::make_constant(value::null(t), t);
    if (e->type.id != type_id::unknown && !can_cast(e->type, t, kind)) {
      if (!can_cast(e->type, t, cast_kind::explicit_))
        fail(sqlstate::undefined_function, "cannot cast type " + e->type.name() + " to " + t.name(), loc);
      fail(sqlstate::datatype_mismatch,
           "argument of type " + e->type.name() + " cannot be used as " + t.name(), loc);
    }
    try {
      value v = cast_value(e->constant, t, e->type.id == type_id::unknown ? cast_kind::explicit_ : kind);
      if (e->type.id == type_id::unknown && (t.id == type_id::varchar || t.id == type_id::bpchar) && kind != cast_kind::explicit_)
        v = cast_value(value::text(e->constant.as_string()), t, kind);
      auto c = expr::make_constant(v, t);
      c->location = e->location;
      return c;
    } catch (db_error& err) {
      if (!err.position()) err.set_position(loc);
      throw;
    }
  }
  if (e->kind == expr_kind::param && e->type.id == type_id::unknown) {
    // As PostgreSQL: a parameter has no length modifier (varchar(n) -> varchar); the value is
    // then coerced like any other, so an INSERT checks the length (22001) and ::varchar(n)
    // truncates.
    bool bounded = (t.id == type_id::varchar || t.id == type_id::bpchar) && t.width >= 0;
    sql_type pt = bounded ? sql_type(t.id) : t;
    e->type = pt;
    if (params_ && size_t(e->index) < params_->size()) (*params_)[e->index] = pt;
    if (!bounded) return e;
  }
  if (!can_cast(e->type, t, kind)) {
    if (kind != cast_kind::explicit_ && can_cast(e->type, t, cast_kind::explicit_))
      fail(sqlstate::datatype_mismatch, "argument of type " + e->type.name() + " cannot be used as " + t.name(), loc);
    fail("42846", "cannot cast type " + e->type.name() + " to " + t.name(), loc);
  }
  auto c = expr::make(expr_kind::cast, t, {e});
  c->flag = kind == cast_kind::explicit_;
  c->location = e->location;
  return c;
}

expr_ptr binder::coerce_to_column(const expr_ptr& e, const storage::column_def& col, int location) {
  if (e->type.id != type_id::unknown && e->type.id != type_id::null_ &&
      !can_cast(e->type, col.type, cast_kind::assignment)) {
    db_error err(sqlstate::datatype_mismatch,
                 "column \"" + col.name + "\" is of type " + col.type.name() + " but expression is of type " +
                     e->type.name(),
                 location ? location : e->location);
    err.with_hint("You will need to rewrite or cast the expression.");
    throw err;
  }
  return coerce(e, col.type, int(cast_kind::assignment), location);
}

sql_type binder::unify(std::vector<expr_ptr>& es, const char* context, int loc) {
  std::vector<sql_type> types;
  for (auto& e : es) types.push_back(e->type);
  auto t = common_supertype(std::span<const sql_type>(types));
  if (!t) {
    // Name the first pair that cannot be matched, as PostgreSQL does.
    sql_type a = types[0];
    for (size_t i = 1; i < types.size(); ++i) {
      if (!common_supertype(a, types[i])) {
        fail(sqlstate::datatype_mismatch,
             std::string(context) + " types " + a.name() + " and " + types[i].name() + " cannot be matched",
             es[i]->location ? es[i]->location : loc);
      }
      a = *common_supertype(a, types[i]);
    }
    fail(sqlstate::datatype_mismatch, std::string(context) + " types cannot be matched", loc);
  }
  for (auto& e : es) e = coerce(e, *t, int(cast_kind::implicit), e->location);
  return *t;
}

expr_ptr binder::bind_condition(const node& n, scope& sc, const char* clause, bool forbid_aggregates) {
  const char* saved = sc.agg_forbidden;
  if (forbid_aggregates) sc.agg_forbidden = clause;
  auto e = bind_expr(n, sc);
  sc.agg_forbidden = saved;
  if (e->type.id != type_id::boolean) {
    if (is_untyped(e->type)) return coerce(e, sql_type::boolean(), int(cast_kind::implicit), e->location);
    fail(sqlstate::datatype_mismatch, std::string("argument of ") + clause + " must be type boolean, not type " + e->type.name(),
         e->location);
  }
  return e;
}

expr_ptr binder::bind_standalone(const node& n, std::optional<sql_type> target) {
  scope sc;
  sc.agg_forbidden = "this context";
  auto e = bind_expr(n, sc);
  if (target) e = coerce(e, *target, int(cast_kind::assignment), e->location);
  return resolve_unknown(e);
}

expr_ptr binder::bind_column_ref(const node& n, scope& sc) {
  auto fields = n.list("fields");
  int loc = n.location();
  std::vector<std::string> parts;
  for (auto& f : fields) {
    if (f.type() == "A_Star") fail(sqlstate::feature_not_supported, "* is not allowed here", loc);
    parts.push_back(std::string(f["String"].str("sval")));
  }
  if (parts.empty() || parts.size() > 3) fail(sqlstate::syntax_error, "improper qualified name", loc);
  if (parts.size() == 3) parts.erase(parts.begin());  // schema.table.column
  std::string col = parts.back();
  std::string qual = parts.size() == 2 ? parts[0] : "";
  int depth = 0;
  for (scope* s = &sc; s; s = s->parent, ++depth) {
    int found_id = -1;
    sql_type found_type;
    bool qual_seen = false;
    for (auto& r : s->rtes) {
      if (!qual.empty() && r.alias != qual) continue;
      qual_seen = true;
      for (size_t i = 0; i < r.names.size(); ++i) {
        if (r.names[i] != col || (qual.empty() && r.hidden[i])) continue;
        if (found_id >= 0)
          fail(sqlstate::ambiguous_column, "column reference \"" + col + "\" is ambiguous", loc);
        found_id = r.first_id + int(i);
        found_type = r.types[i];
      }
    }
    if (found_id < 0) {
      if (!qual.empty() && qual_seen)
        fail(sqlstate::undefined_column, "column " + qual + "." + col + " does not exist", loc);
      continue;
    }
    if (depth == 0) {
      for (auto& r : s->rtes)
        if (!r.computed.empty() && found_id >= r.first_id && found_id < r.first_id + int(r.names.size()))
          return r.computed[found_id - r.first_id];
    } else {
      for (auto& r : s->rtes)
        if (!r.computed.empty() && found_id >= r.first_id && found_id < r.first_id + int(r.names.size()))
          fail(sqlstate::feature_not_supported, "outer references to LATERAL columns are not supported", loc);
    }
    s->used.insert(found_id);
    if (depth == 0) {
      auto e = expr::make_column(found_id, found_type);
      e->location = loc;
      return e;
    }
    // A correlated reference: every level between here and the owner becomes correlated.
    scope* s2 = &sc;
    for (int d = 0; d < depth; ++d, s2 = s2->parent) s2->correlated = true;
    for (auto* c : s->collectors) c->insert(found_id);
    auto e = expr::make(expr_kind::outer_column, found_type);
    e->depth = depth;
    e->index = found_id;
    e->location = loc;
    return e;
  }
  if (!qual.empty()) {
    bool any = false;
    for (scope* s = &sc; s && !any; s = s->parent)
      for (auto& r : s->rtes) any |= r.alias == qual;
    if (!any) fail(sqlstate::undefined_table, "missing FROM-clause entry for table \"" + qual + "\"", loc);
  }
  fail(sqlstate::undefined_column, "column \"" + (qual.empty() ? col : qual + "." + col) + "\" does not exist", loc);
}

expr_ptr binder::bind_const(const node& n) {
  int loc = n.location();
  expr_ptr e;
  if (n.boolean("isnull")) {
    e = expr::make_constant(value::null(), sql_type::null());
  } else if (n.has("ival")) {
    e = expr::make_constant(value::int32(int32_t(n["ival"].integer("ival", 0))), sql_type::int32());
  } else if (n.has("fval")) {
    std::string_view s = n["fval"].str("fval");
    // Integer literals too large for int4 arrive as fval: int8 if they fit, else numeric.
    bool integral = s.find_first_of(".eE") == std::string_view::npos;
    if (integral) {
      try {
        e = expr::make_constant(value::int64(parse_int64(s)), sql_type::int64());
      } catch (db_error&) {
      }
    }
    if (!e) {
      auto nv = parse_numeric(s);
      sql_type t = sql_type::numeric(-1, nv.scale);
      e = expr::make_constant(value::numeric(nv.unscaled, t), t);
    }
  } else if (n.has("boolval")) {
    e = expr::make_constant(value::boolean(n["boolval"].boolean("boolval")), sql_type::boolean());
  } else if (n.has("sval")) {
    e = expr::make_constant(value::text(std::string(n["sval"].str("sval")), sql_type::unknown()), sql_type::unknown());
  } else if (n.has("bsval")) {
    fail(sqlstate::feature_not_supported, "bit string literals are not supported", loc);
  } else {
    fail(sqlstate::syntax_error, "unsupported constant", loc);
  }
  e->location = loc;
  return e;
}

expr_ptr binder::bind_compare(op_kind op, expr_ptr l, expr_ptr r, int loc) {
  // An array element (arrays are text) compared with a typed value takes that value's type.
  auto is_element = [](const expr_ptr& e) { return e->kind == expr_kind::func && e->name == "__array_subscript"; };
  if (is_element(l) && !r->type.is_string() && !is_untyped(r->type))
    l = coerce(l, r->type, int(cast_kind::explicit_), loc);
  if (is_element(r) && !l->type.is_string() && !is_untyped(l->type))
    r = coerce(r, l->type, int(cast_kind::explicit_), loc);
  sql_type lt = l->type, rt = r->type;
  sql_type t;
  if (is_untyped(lt) && is_untyped(rt)) {
    t = sql_type::text();
  } else if (is_untyped(lt)) {
    t = rt;
  } else if (is_untyped(rt)) {
    t = lt;
  } else {
    auto c = common_supertype(lt, rt);
    if (!c || (lt.id == type_id::boolean) != (rt.id == type_id::boolean)) {
      static const char* names[] = {"+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">", ">=", "^"};
      db_error err(sqlstate::undefined_function,
                   "operator does not exist: " + lt.name() + " " + names[int(op)] + " " + rt.name(), loc);
      err.with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.");
      throw err;
    }
    t = *c;
    // Compare strings of different kinds as text; numerics at their own scales.
    if (t.id == type_id::numeric) t = sql_type::numeric(-1, std::max(lt.is_numeric() ? lt.scale : 0, rt.is_numeric() ? rt.scale : 0));
  }
  // NUMERIC operands keep their own scale (the kernel aligns them): only coerce non-numerics.
  if (t.id == type_id::numeric) {
    if (!l->type.is_numeric()) l = coerce(l, t.width < 0 ? sql_type::numeric(-1, l->type.is_number() ? 0 : t.scale) : t, int(cast_kind::implicit), loc);
    if (!r->type.is_numeric()) r = coerce(r, t.width < 0 ? sql_type::numeric(-1, r->type.is_number() ? 0 : t.scale) : t, int(cast_kind::implicit), loc);
    if (l->type.width != r->type.width || l->type.scale != r->type.scale) {
      // A column compared with a constant: bring the constant to the column's exact type
      // when it fits, so the SIMD filter kernel applies.
      if (r->kind == expr_kind::constant && l->type.width > 0) {
        try {
          auto c = coerce(r, l->type, int(cast_kind::implicit), loc);
          value back = cast_value(c->constant, r->type, cast_kind::explicit_);
          if (!c->constant.is_null() && numeric_cmp(back.as_numeric(), r->type.scale, r->constant.as_numeric(), r->type.scale) == 0) r = c;
        } catch (db_error&) {
        }
      }
    }
  } else {
    l = coerce(l, t, int(cast_kind::implicit), loc);
    r = coerce(r, t, int(cast_kind::implicit), loc);
  }
  auto e = make_bool(expr_kind::compare, {l, r});
  e->op = op;
  e->location = loc;
  return e;
}

expr_ptr binder::bind_binary(const std::string& op, expr_ptr l, expr_ptr r, int loc) {
  static const std::map<std::string, op_kind> cmp = {{"=", op_kind::eq},  {"<>", op_kind::ne}, {"!=", op_kind::ne},
                                                     {"<", op_kind::lt},  {"<=", op_kind::le}, {">", op_kind::gt},
                                                     {">=", op_kind::ge}};
  if (auto it = cmp.find(op); it != cmp.end()) return bind_compare(it->second, l, r, loc);
  static const std::map<std::string, std::string> regex = {
      {"~", "__regex_match"}, {"!~", "__regex_not_match"}, {"~*", "__regex_imatch"}, {"!~*", "__regex_not_imatch"}};
  if (auto it = regex.find(op); it != regex.end()) {
    if ((!l->type.is_string() && !is_untyped(l->type)) || (!r->type.is_string() && !is_untyped(r->type))) {
      db_error err(sqlstate::undefined_function,
                   "operator does not exist: " + l->type.name() + " " + op + " " + r->type.name(), loc);
      err.with_hint(
          "No operator matches the given name and argument types. You might need to add explicit type casts.");
      throw err;
    }
    l = coerce(l, sql_type::text(), int(cast_kind::implicit), loc);
    r = coerce(r, sql_type::text(), int(cast_kind::implicit), loc);
    auto e = expr::make(expr_kind::func, sql_type::boolean(), {l, r});
    e->name = it->second;
    e->location = loc;
    return e;
  }
  static const std::map<std::string, op_kind> arith = {{"+", op_kind::add}, {"-", op_kind::sub}, {"*", op_kind::mul},
                                                       {"/", op_kind::div}, {"%", op_kind::mod}, {"||", op_kind::concat},
                                                       {"^", op_kind::pow}};
  auto it = arith.find(op);
  if (it == arith.end()) fail(sqlstate::feature_not_supported, "operator " + op + " is not supported", loc);
  op_kind k = it->second;
  auto no_operator = [&]() -> expr_ptr {
    db_error err(sqlstate::undefined_function,
                 "operator does not exist: " + l->type.name() + " " + op + " " + r->type.name(), loc);
    err.with_hint("No operator matches the given name and argument types. You might need to add explicit type casts.");
    throw err;
  };
  auto is_array = [](const expr_ptr& e) { return e->kind == expr_kind::subquery && e->sub == exec::sub_kind::array; };
  if (k == op_kind::concat && (is_array(l) || is_array(r))) {
    // array || array (arrays are text literals): concatenation of the elements; NULL || a = a.
    auto e = expr::make(expr_kind::func, sql_type::text(),
                        {coerce(l, sql_type::text(), int(cast_kind::implicit), loc),
                         coerce(r, sql_type::text(), int(cast_kind::implicit), loc)});
    e->name = "__array_cat";
    e->location = loc;
    return e;
  }
  if (k == op_kind::concat) {
    if (!l->type.is_string() && !is_untyped(l->type) && !r->type.is_string() && !is_untyped(r->type)) no_operator();
    l = coerce(l, sql_type::text(), int(cast_kind::explicit_), loc);
    r = coerce(r, sql_type::text(), int(cast_kind::explicit_), loc);
    auto e = expr::make(expr_kind::arith, sql_type::text(), {l, r});
    e->op = k;
    e->location = loc;
    return e;
  }
  // Untyped operands take the other side's type (numeric if both are untyped).
  if (is_untyped(l->type) && is_untyped(r->type)) {
    if (l->type.id == type_id::unknown || r->type.id == type_id::unknown) {
      db_error err("42725", "operator is not unique: unknown " + op + " unknown", loc);
      throw err;
    }
    l = coerce(l, sql_type::int32(), int(cast_kind::implicit), loc);
    r = coerce(r, sql_type::int32(), int(cast_kind::implicit), loc);
  } else if (is_untyped(l->type)) {
    l = coerce(l, r->type.id == type_id::date && k == op_kind::sub ? sql_type::date() : r->type, int(cast_kind::implicit), loc);
  } else if (is_untyped(r->type)) {
    r = coerce(r, l->type.id == type_id::date ? sql_type::int32() : l->type, int(cast_kind::implicit), loc);
  }
  sql_type lt = l->type, rt = r->type;
  // Dates: date +/- integer, integer + date, date - date.
  if (lt.id == type_id::date || rt.id == type_id::date) {
    sql_type result;
    if (lt.id == type_id::date && rt.is_integer() && (k == op_kind::add || k == op_kind::sub)) {
      result = sql_type::date();
      r = coerce(r, sql_type::int32(), int(cast_kind::implicit), loc);
    } else if (lt.is_integer() && rt.id == type_id::date && k == op_kind::add) {
      std::swap(l, r);
      result = sql_type::date();
      r = coerce(r, sql_type::int32(), int(cast_kind::implicit), loc);
    } else if (lt.id == type_id::date && rt.id == type_id::date && k == op_kind::sub) {
      result = sql_type::int32();
    } else {
      no_operator();
    }
    auto e = expr::make(expr_kind::arith, result, {l, r});
    e->op = k;
    e->location = loc;
    return e;
  }
  if (!lt.is_number() || !rt.is_number()) no_operator();
  sql_type t;
  if (k == op_kind::pow) {
    if (lt.is_numeric() || rt.is_numeric()) {
      // numeric ^ numeric: computed in float8 (documented deviation: PostgreSQL is exact here).
    }
    t = sql_type::float64();
  } else if (lt.is_float() || rt.is_float()) {
    t = (lt.id == type_id::float32 && rt.id == type_id::float32) ? sql_type::float32() : sql_type::float64();
    if ((lt.is_numeric() || rt.is_numeric())) t = sql_type::float64();
    if (k == op_kind::mod) no_operator();
  } else if (lt.is_numeric() || rt.is_numeric()) {
    int sa = lt.is_numeric() ? lt.scale : 0, sb = rt.is_numeric() ? rt.scale : 0;
    if (!lt.is_numeric()) l = coerce(l, sql_type::numeric(-1, 0), int(cast_kind::implicit), loc);
    if (!rt.is_numeric()) r = coerce(r, sql_type::numeric(-1, 0), int(cast_kind::implicit), loc);
    int scale = 0;
    switch (k) {
      case op_kind::add:
      case op_kind::sub:
      case op_kind::mod: scale = numeric_add_scale(sa, sb); break;
      case op_kind::mul: scale = numeric_mul_scale(sa, sb); break;
      case op_kind::div: scale = numeric_div_scale(sa, sb); break;
      default: break;
    }
    auto e = expr::make(expr_kind::arith, sql_type::numeric(-1, scale), {l, r});
    e->op = k;
    e->location = loc;
    return e;
  } else {
    // Integers: the wider of the two.
    auto rank = [](type_id id) { return id == type_id::int16 ? 0 : id == type_id::int32 ? 1 : 2; };
    t = rank(lt.id) >= rank(rt.id) ? lt : rt;
  }
  l = coerce(l, t, int(cast_kind::implicit), loc);
  r = coerce(r, t, int(cast_kind::implicit), loc);
  auto e = expr::make(expr_kind::arith, t, {l, r});
  e->op = k;
  e->location = loc;
  return e;
}

expr_ptr binder::bind_in_list(const node& n, scope& sc) {
  int loc = n.location();
  std::vector<expr_ptr> es{bind_expr(n["lexpr"], sc)};
  for (auto& item : n["rexpr"]["List"].list("items")) es.push_back(bind_expr(item, sc));
  bool negated = op_name(n) == "<>";
  // As PostgreSQL: one common type for the left side and every item when there is one...
  std::vector<sql_type> types;
  for (auto& e : es) types.push_back(e->type);
  if (auto t = common_supertype(std::span<const sql_type>(types))) {
    sql_type ty = t->id == type_id::unknown || t->id == type_id::null_ ? sql_type::text() : *t;
    if (ty.is_numeric()) ty = sql_type::numeric(-1, ty.scale);
    for (auto& e : es) e = coerce(e, ty.is_numeric() && e->type.is_numeric() ? e->type : ty, int(cast_kind::implicit), loc);
    auto e = make_bool(expr_kind::in_list, std::move(es));
    e->flag = negated;
    e->location = loc;
    return e;
  }
  // ...else `left = item` for each item, ORed (reports the operator error if none fits).
  std::vector<expr_ptr> cmps;
  for (size_t i = 1; i < es.size(); ++i) cmps.push_back(bind_compare(exec::op_kind::eq, es[0], es[i], loc));
  auto e = make_bool(expr_kind::or_, std::move(cmps));
  e->location = loc;
  return negated ? make_bool(expr_kind::not_, {e}) : e;
}

expr_ptr binder::bind_a_expr(const node& n, scope& sc) {
  std::string_view kind = n.str("kind");
  int loc = n.location();
  std::string op = op_name(n);
  if (kind == "AEXPR_OP") {
    if (!n.has("lexpr")) {
      auto r = bind_expr(n["rexpr"], sc);
      if (op == "+") return r;
      if (op != "-") fail(sqlstate::feature_not_supported, "prefix operator " + op + " is not supported", loc);
      if (r->kind == expr_kind::constant && !r->constant.is_null() && r->type.is_number()) {
        // Fold negative literals (e.g. -2147483648 must stay an integer).
        value v = r->constant;
        if (r->type.is_integer()) {
          if (v.as_int() == INT32_MIN && r->type.id == type_id::int32) fail(sqlstate::numeric_value_out_of_range, "integer out of range", loc);
          return expr::make_constant(value::make_int(r->type, -v.as_int()), r->type);
        }
        if (r->type.is_numeric()) return expr::make_constant(value::numeric(-v.as_numeric(), r->type), r->type);
        return expr::make_constant(value::make_float(r->type, -v.as_float()), r->type);
      }
      if (is_untyped(r->type)) r = coerce(r, sql_type::float64(), int(cast_kind::implicit), loc);
      if (!r->type.is_number())
        fail(sqlstate::undefined_function, "operator does not exist: - " + r->type.name(), loc);
      auto e = expr::make(expr_kind::neg, r->type, {r});
      e->location = loc;
      return e;
    }
    return bind_binary(op, bind_expr(n["lexpr"], sc), bind_expr(n["rexpr"], sc), loc);
  }
  if (kind == "AEXPR_IN") return bind_in_list(n, sc);
  if (kind == "AEXPR_OP_ANY" || kind == "AEXPR_OP_ALL") {
    // x = ANY(array): arrays are text literals here; element comparison as text.
    if (op != "=" || kind == "AEXPR_OP_ALL")
      fail(sqlstate::feature_not_supported, "operator " + op + " with ANY/ALL (array) is not supported", loc);
    auto l = bind_expr(n["lexpr"], sc);
    auto r = bind_expr(n["rexpr"], sc);
    l = l->type.is_string() || is_untyped(l->type) ? coerce(l, sql_type::text(), int(cast_kind::implicit), loc)
                                                   : coerce(l, sql_type::text(), int(cast_kind::explicit_), loc);
    r = coerce(r, sql_type::text(), int(cast_kind::implicit), loc);
    auto e = expr::make(expr_kind::func, sql_type::boolean(), {l, r});
    e->name = "__any_eq";
    e->location = loc;
    return e;
  }
  if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") {
    auto l = coerce(bind_expr(n["lexpr"], sc), sql_type::text(), int(cast_kind::implicit), loc);
    auto r = coerce(bind_expr(n["rexpr"], sc), sql_type::text(), int(cast_kind::implicit), loc);
    auto e = make_bool(expr_kind::like, {l, r});
    e->flag = op[0] == '!';
    e->op = kind == "AEXPR_ILIKE" ? op_kind::ne : op_kind::eq;
    e->location = loc;
    return e;
  }
  if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN") {
    auto x = bind_expr(n["lexpr"], sc);
    auto bounds = n["rexpr"]["List"].list("items");
    auto lo = bind_expr(bounds.at(0), sc);
    auto hi = bind_expr(bounds.at(1), sc);
    if (kind == "AEXPR_BETWEEN")
      return make_bool(expr_kind::and_, {bind_compare(op_kind::ge, x, lo, loc), bind_compare(op_kind::le, x, hi, loc)});
    return make_bool(expr_kind::or_, {bind_compare(op_kind::lt, x, lo, loc), bind_compare(op_kind::gt, x, hi, loc)});
  }
  if (kind == "AEXPR_NULLIF") {
    auto l = bind_expr(n["lexpr"], sc);
    auto r = bind_expr(n["rexpr"], sc);
    auto cmp = bind_compare(op_kind::eq, l, r, loc);
    auto e = expr::make(expr_kind::nullif, cmp->args[0]->type, {cmp->args[0], cmp->args[1]});
    if (l->type.id == type_id::unknown && r->type.id == type_id::unknown) e->type = sql_type::text();
    e->location = loc;
    return e;
  }
  if (kind == "AEXPR_DISTINCT" || kind == "AEXPR_NOT_DISTINCT") {
    auto l = bind_expr(n["lexpr"], sc);
    auto r = bind_expr(n["rexpr"], sc);
    auto ne = bind_compare(op_kind::ne, l, r, loc);
    auto lnull = make_bool(expr_kind::is_null, {ne->args[0]});
    auto rnull = make_bool(expr_kind::is_null, {ne->args[1]});
    auto lnn = make_bool(expr_kind::is_null, {ne->args[0]});
    lnn->flag = true;
    auto rnn = make_bool(expr_kind::is_null, {ne->args[1]});
    rnn->flag = true;
    // distinct = (l null) <> (r null) OR (both not null AND l <> r), never NULL.
    auto one_null = make_bool(expr_kind::or_, {make_bool(expr_kind::and_, {lnull, rnn}), make_bool(expr_kind::and_, {lnn, rnull})});
    auto both = make_bool(expr_kind::and_, {lnn, rnn, ne});
    auto distinct = make_bool(expr_kind::or_, {one_null, both});
    auto coalesced = make_bool(expr_kind::is_bool, {distinct});  // IS TRUE: NULL -> false
    coalesced->op = op_kind::eq;
    if (kind == "AEXPR_NOT_DISTINCT") return make_bool(expr_kind::not_, {coalesced});
    return coalesced;
  }
  fail(sqlstate::feature_not_supported, "expression kind " + std::string(kind) + " is not supported", loc);
}

expr_ptr binder::bind_case(const node& n, scope& sc) {
  int loc = n.location();
  std::vector<expr_ptr> whens, thens;
  expr_ptr operand;
  if (n.has("arg")) operand = bind_expr(n["arg"], sc);
  for (auto& w : n.list("args")) {
    node cw = w["CaseWhen"];
    if (operand)
      whens.push_back(bind_expr(cw["expr"], sc));
    else
      whens.push_back(bind_condition(cw["expr"], sc, "CASE/WHEN", false));
    thens.push_back(bind_expr(cw["result"], sc));
  }
  bool has_else = n.has("defresult");
  if (has_else) thens.push_back(bind_expr(n["defresult"], sc));
  sql_type t = unify(thens, "CASE", loc);
  if (t.id == type_id::unknown || t.id == type_id::null_) {
    t = sql_type::text();
    for (auto& x : thens) x = coerce(x, t, int(cast_kind::implicit), loc);
  }
  if (operand) {
    std::vector<expr_ptr> all{operand};
    all.insert(all.end(), whens.begin(), whens.end());
    for (auto& x : all)
      if (x->type.is_numeric()) x = coerce(x, sql_type::numeric(-1, 0), int(cast_kind::implicit), loc);
    unify(all, "CASE/WHEN", loc);
    operand = all[0];
    for (size_t i = 0; i < whens.size(); ++i) whens[i] = all[i + 1];
  }
  auto e = expr::make(expr_kind::case_, t);
  e->case_has_operand = operand != nullptr;
  e->case_has_else = has_else;
  if (operand) e->args.push_back(operand);
  for (size_t i = 0; i < whens.size(); ++i) {
    e->args.push_back(whens[i]);
    e->args.push_back(thens[i]);
  }
  if (has_else) e->args.push_back(thens.back());
  e->location = loc;
  return e;
}

expr_ptr binder::bind_aggregate(const std::string& name, const node& n, scope& sc) {
  int loc = n.location();
  if (n.has("over")) fail(sqlstate::feature_not_supported, "window functions are not supported", loc);
  if (sc.in_aggregate) fail(sqlstate::grouping_error, "aggregate function calls cannot be nested", loc);
  if (sc.agg_forbidden || !sc.aggs)
    fail(sqlstate::grouping_error,
         std::string("aggregate functions are not allowed in ") + (sc.agg_forbidden ? sc.agg_forbidden : "this context"), loc);
  if (n.has("agg_filter")) fail(sqlstate::feature_not_supported, "FILTER is not supported", loc);
  exec::agg_spec a;
  a.distinct = n.boolean("agg_distinct");
  auto args = n.list("args");
  sc.in_aggregate = true;
  std::vector<expr_ptr> bound;
  for (auto& x : args) bound.push_back(bind_expr(x, sc));
  sc.in_aggregate = false;
  auto need_args = [&](size_t k) {
    if (bound.size() != k) {
      std::string sig = name + "(";
      for (size_t i = 0; i < bound.size(); ++i) sig += (i ? ", " : "") + bound[i]->type.name();
      db_error err(sqlstate::undefined_function, "function " + sig + ") does not exist", loc);
      err.with_hint("No function matches the given name and argument types. You might need to add explicit type casts.");
      throw err;
    }
  };
  if (name == "count") {
    if (n.boolean("agg_star")) {
      a.fn = exec::agg_fn::count_star;
    } else {
      need_args(1);
      a.fn = exec::agg_fn::count;
      a.arg = resolve_unknown(bound[0]);
    }
    a.type = sql_type::int64();
  } else if (name == "sum" || name == "avg") {
    need_args(1);
    auto x = bound[0];
    if (is_untyped(x->type)) x = coerce(x, sql_type::float64(), int(cast_kind::implicit), loc);
    if (!x->type.is_number()) {
      db_error err(sqlstate::undefined_function, "function " + name + "(" + x->type.name() + ") does not exist", loc);
      err.with_hint("No function matches the given name and argument types. You might need to add explicit type casts.");
      throw err;
    }
    a.arg = x;
    a.fn = name == "sum" ? exec::agg_fn::sum : exec::agg_fn::avg;
    const sql_type& t = x->type;
    if (a.fn == exec::agg_fn::sum) {
      if (t.id == type_id::int16 || t.id == type_id::int32) a.type = sql_type::int64();
      else if (t.id == type_id::int64) a.type = sql_type::numeric(-1, 0);
      else if (t.is_numeric()) a.type = sql_type::numeric(-1, t.scale);
      else a.type = t;
    } else {
      if (t.is_float()) a.type = sql_type::float64();
      else a.type = sql_type::numeric(-1, std::max<int>(16, t.is_numeric() ? t.scale : 0));
    }
  } else if (name == "min" || name == "max") {
    need_args(1);
    a.arg = resolve_unknown(bound[0]);
    a.fn = name == "min" ? exec::agg_fn::min : exec::agg_fn::max;
    a.type = a.arg->type;
    if (a.type.id == type_id::null_) a.type = sql_type::text();
  } else if (name == "bool_and" || name == "bool_or" || name == "every") {
    need_args(1);
    a.arg = coerce(bound[0], sql_type::boolean(), int(cast_kind::implicit), loc);
    a.fn = name == "bool_or" ? exec::agg_fn::bool_or : exec::agg_fn::bool_and;
    a.type = sql_type::boolean();
  } else if (name == "string_agg") {
    need_args(2);
    a.arg = coerce(bound[0], sql_type::text(), int(cast_kind::implicit), loc);
    a.separator = coerce(bound[1], sql_type::text(), int(cast_kind::implicit), loc);
    a.fn = exec::agg_fn::string_agg;
    a.type = sql_type::text();
  }
  sc.aggs->push_back(a);
  auto e = expr::make(expr_kind::aggregate_ref, a.type);
  e->index = int(sc.aggs->size() - 1);
  e->location = loc;
  return e;
}

expr_ptr binder::bind_func(const node& n, scope& sc) {
  std::string name = func_name(n);
  int loc = n.location();
  if (exec::is_aggregate_function(name)) return bind_aggregate(name, n, sc);
  if (n.has("over")) fail(sqlstate::feature_not_supported, "window functions are not supported", loc);
  if (n.boolean("agg_star") || n.boolean("agg_distinct"))
    fail(sqlstate::wrong_object_type, "DISTINCT specified, but " + name + " is not an aggregate function", loc);
  std::vector<expr_ptr> args;
  for (auto& x : n.list("args")) args.push_back(bind_expr(x, sc));
  if (name == "current_database" || name == "current_user" || name == "session_user" || name == "current_schema") {
    if (!args.empty()) fail(sqlstate::undefined_function, "function " + name + " does not exist", loc);
    std::string v = name == "current_database" ? current_database : name == "current_schema" ? "public" : current_user;
    return expr::make_constant(value::text(v), sql_type::text());
  }
  if (name == "pg_create_restore_point") {
    if (args.size() != 1 || args[0]->kind != expr_kind::constant)
      fail(sqlstate::feature_not_supported, "pg_create_restore_point takes one constant name", loc);
    if (!create_restore_point)
      fail("55000", "WAL level not sufficient for creating a restore point", loc);
    value v = args[0]->constant;
    if (v.is_null()) fail(sqlstate::invalid_parameter_value, "restore point name must not be null", loc);
    std::string rp = v.to_string();
    if (rp.size() >= 64) fail(sqlstate::invalid_parameter_value, "value too long for restore point (maximum 63 characters)", loc);
    return expr::make_constant(value::text(create_restore_point(rp)), sql_type::text());
  }
  if (auto e = bind_catalog_function(name, args, loc)) return e;
  std::vector<sql_type> types;
  for (auto& a : args) types.push_back(a->type);
  auto res = exec::resolve_function(name, types);
  if (!res) {
    std::string sig = name + "(";
    for (size_t i = 0; i < types.size(); ++i) sig += (i ? ", " : "") + types[i].name();
    db_error err(sqlstate::undefined_function, "function " + sig + ") does not exist", loc);
    err.with_hint("No function matches the given name and argument types. You might need to add explicit type casts.");
    throw err;
  }
  for (size_t i = 0; i < args.size(); ++i) args[i] = coerce(args[i], res->arg_types[i], int(cast_kind::implicit), loc);
  sql_type rt = res->result;
  if (rt.is_numeric() && rt.scale < 0) {
    int s = 0;
    for (auto& a : args)
      if (a->type.is_numeric()) s = std::max<int>(s, a->type.scale);
    rt = sql_type::numeric(rt.width, s);
  }
  if ((name == "round" || name == "trunc") && rt.is_numeric()) {
    // The result scale of round(numeric, n) is n when n is a constant; else the input's.
    int s = args[0]->type.scale;
    if (args.size() == 2) s = args[1]->kind == expr_kind::constant && !args[1]->constant.is_null()
                                  ? int(std::clamp<int64_t>(args[1]->constant.as_int(), 0, 38))
                                  : std::max(s, 0);
    else s = 0;
    rt = sql_type::numeric(-1, s);
  }
  if ((name == "abs" || name == "sign") && rt.is_numeric()) rt = sql_type::numeric(-1, args[0]->type.scale);
  auto e = expr::make(expr_kind::func, rt, std::move(args));
  e->name = name;
  e->location = loc;
  return e;
}

expr_ptr binder::bind_sublink(const node& n, scope& sc) {
  int loc = n.location();
  std::string_view kind = n.str("subLinkType");
  std::set<int> refs;
  sc.collectors.push_back(&refs);
  bound_query q;
  try {
    q = bind_select(n["subselect"]["SelectStmt"], &sc);
  } catch (...) {
    sc.collectors.pop_back();
    throw;
  }
  sc.collectors.pop_back();
  auto e = expr::make(expr_kind::subquery, sql_type::boolean());
  e->subplan = q.plan;
  e->outer_ids.assign(refs.begin(), refs.end());
  e->correlated = last_select_correlated_;
  e->location = loc;
  if (kind == "EXISTS_SUBLINK") {
    e->sub = exec::sub_kind::exists;
    return e;
  }
  if (q.types.size() != 1) {
    if (kind == "EXPR_SUBLINK") fail(sqlstate::syntax_error, "subquery must return only one column", loc);
    fail(sqlstate::syntax_error, "subquery has too many columns", loc);
  }
  if (kind == "ARRAY_SUBLINK") {
    e->sub = exec::sub_kind::array;
    e->type = sql_type::text();
    return e;
  }
  if (kind == "EXPR_SUBLINK") {
    e->sub = exec::sub_kind::scalar;
    e->type = q.types[0].id == type_id::unknown ? sql_type::text() : q.types[0];
    return e;
  }
  if (kind != "ANY_SUBLINK" && kind != "ALL_SUBLINK")
    fail(sqlstate::feature_not_supported, "subquery kind " + std::string(kind) + " is not supported", loc);
  e->sub = kind == "ANY_SUBLINK" ? exec::sub_kind::any : exec::sub_kind::all;
  std::string op = "=";
  if (n.has("operName")) op = std::string(n.list("operName").back()["String"].str("sval"));
  static const std::map<std::string, op_kind> cmp = {{"=", op_kind::eq}, {"<>", op_kind::ne}, {"!=", op_kind::ne},
                                                     {"<", op_kind::lt}, {"<=", op_kind::le}, {">", op_kind::gt},
                                                     {">=", op_kind::ge}};
  auto it = cmp.find(op);
  if (it == cmp.end()) fail(sqlstate::feature_not_supported, "operator " + op + " is not supported with ANY/ALL", loc);
  e->op = it->second;
  auto left = bind_expr(n["testexpr"], sc);
  // Type the comparison like `left op column`, and cast the subquery's column if needed.
  auto col = expr::make_column(0, q.types[0]);
  auto c = bind_compare(e->op, left, col, loc);
  left = c->args[0];
  if (!(c->args[1]->type == q.types[0])) {
    auto proj = std::make_shared<exec::project_node>();
    proj->children.push_back(q.plan);
    proj->exprs.push_back(c->args[1]);
    proj->types = {c->args[1]->type};
    proj->names = q.names;
    e->subplan = proj;
  }
  if (left->type.is_numeric() && !(left->type == c->args[1]->type)) left = coerce(left, c->args[1]->type, int(cast_kind::implicit), loc);
  e->args.push_back(left);
  return e;
}

expr_ptr binder::bind_expr(const node& n, scope& sc) {
  check_stack_depth();
  std::string_view t = n.type();
  node x = n.inner();
  if (t == "ColumnRef") return bind_column_ref(x, sc);
  if (t == "A_Const") return bind_const(x);
  if (t == "ParamRef") {
    int num = int(x.integer("number", 0));
    if (num < 1 || num > 65535) fail(sqlstate::undefined_parameter, "there is no parameter $" + std::to_string(num), x.location());
    if (!params_) fail(sqlstate::undefined_parameter, "there is no parameter $" + std::to_string(num), x.location());
    if (params_->size() < size_t(num)) params_->resize(size_t(num), sql_type::unknown());
    auto e = expr::make(expr_kind::param, (*params_)[num - 1]);
    e->index = num - 1;
    e->location = x.location();
    return e;
  }
  if (t == "A_Expr") return bind_a_expr(x, sc);
  if (t == "BoolExpr") {
    std::string_view op = x.str("boolop");
    std::vector<expr_ptr> args;
    for (auto& a : x.list("args")) args.push_back(bind_condition(a, sc, op == "NOT_EXPR" ? "NOT" : op == "AND_EXPR" ? "AND" : "OR", false));
    if (op == "NOT_EXPR") return make_bool(expr_kind::not_, std::move(args));
    auto e = make_bool(op == "AND_EXPR" ? expr_kind::and_ : expr_kind::or_, std::move(args));
    e->location = x.location();
    return e;
  }
  if (t == "NullTest") {
    auto e = make_bool(expr_kind::is_null, {bind_expr(x["arg"], sc)});
    e->flag = x.str("nulltesttype") == "IS_NOT_NULL";
    e->location = x.location();
    return e;
  }
  if (t == "BooleanTest") {
    auto arg = coerce(bind_expr(x["arg"], sc), sql_type::boolean(), int(cast_kind::implicit), x.location());
    std::string_view bt = x.str("booltesttype");
    if (bt == "IS_UNKNOWN" || bt == "IS_NOT_UNKNOWN") {
      auto e = make_bool(expr_kind::is_null, {arg});
      e->flag = bt == "IS_NOT_UNKNOWN";
      return e;
    }
    auto e = make_bool(expr_kind::is_bool, {arg});
    e->op = (bt == "IS_TRUE" || bt == "IS_NOT_TRUE") ? op_kind::eq : op_kind::ne;
    e->flag = bt == "IS_NOT_TRUE" || bt == "IS_NOT_FALSE";
    return e;
  }
  if (t == "CaseExpr") return bind_case(x, sc);
  if (t == "CoalesceExpr") {
    std::vector<expr_ptr> args;
    for (auto& a : x.list("args")) args.push_back(bind_expr(a, sc));
    sql_type ty = unify(args, "COALESCE", x.location());
    if (ty.id == type_id::unknown || ty.id == type_id::null_) {
      ty = sql_type::text();
      for (auto& a : args) a = coerce(a, ty, int(cast_kind::implicit), x.location());
    }
    auto e = expr::make(expr_kind::coalesce, ty, std::move(args));
    e->location = x.location();
    return e;
  }
  if (t == "MinMaxExpr") {
    std::vector<expr_ptr> args;
    for (auto& a : x.list("args")) args.push_back(bind_expr(a, sc));
    sql_type ty = unify(args, x.str("op") == "IS_GREATEST" ? "GREATEST" : "LEAST", x.location());
    auto e = expr::make(expr_kind::func, ty, std::move(args));
    e->name = x.str("op") == "IS_GREATEST" ? "greatest" : "least";
    return e;
  }
  if (t == "FuncCall") return bind_func(x, sc);
  if (t == "CollateClause") return bind_expr(x["arg"], sc);  // one collation: C
  if (t == "TypeCast") {
    auto tnames = x["typeName"].list("names");
    std::string tname = tnames.empty() ? "" : lower(tnames.back()["String"].str("sval"));
    if (!x["typeName"].has("arrayBounds") && (tname == "regclass" || tname == "regtype" || tname == "regnamespace" ||
                                              tname == "regrole" || tname == "regproc"))
      return bind_reg_cast(tname, bind_expr(x["arg"], sc), x.location());
    sql_type target = type_from_name(x["typeName"]);
    auto arg = bind_expr(x["arg"], sc);
    return coerce(arg, target, int(cast_kind::explicit_), x.location());
  }
  if (t == "SubLink") return bind_sublink(x, sc);
  if (t == "SQLValueFunction") {
    std::string_view op = x.str("op");
    if (op == "SVFOP_CURRENT_DATE") {
      auto e = expr::make(expr_kind::func, sql_type::date());
      e->name = "current_date";
      return e;
    }
    if (op == "SVFOP_CURRENT_TIMESTAMP" || op == "SVFOP_LOCALTIMESTAMP" || op == "SVFOP_CURRENT_TIMESTAMP_N" ||
        op == "SVFOP_LOCALTIMESTAMP_N") {
      auto e = expr::make(expr_kind::func, sql_type::timestamp());
      e->name = "now";
      return e;
    }
    if (op == "SVFOP_CURRENT_USER" || op == "SVFOP_SESSION_USER" || op == "SVFOP_USER" || op == "SVFOP_CURRENT_ROLE")
      return expr::make_constant(value::text(current_user), sql_type::text());
    if (op == "SVFOP_CURRENT_CATALOG") return expr::make_constant(value::text(current_database), sql_type::text());
    if (op == "SVFOP_CURRENT_SCHEMA") return expr::make_constant(value::text("public"), sql_type::text());
    fail(sqlstate::feature_not_supported, std::string(op) + " is not supported", x.location());
  }
  if (t == "SetToDefault") fail(sqlstate::feature_not_supported, "DEFAULT is not allowed in this context", x.location());
  if (t == "A_Indirection") {
    auto base = bind_expr(x["arg"], sc);
    auto ind = x.list("indirection");
    if (ind.size() != 1 || ind[0].type() != "A_Indices" || ind[0].inner().boolean("is_slice"))
      fail(sqlstate::feature_not_supported, "this kind of indirection is not supported", x.location());
    auto idx = coerce(bind_expr(ind[0].inner()["uidx"], sc), sql_type::int32(), int(cast_kind::implicit), x.location());
    base = coerce(base, sql_type::text(), int(cast_kind::implicit), x.location());
    auto e = expr::make(expr_kind::func, sql_type::text(), {base, idx});
    e->name = "__array_subscript";
    e->location = x.location();
    return e;
  }
  if (t == "A_ArrayExpr") {
    // ARRAY[...] of constants: its text literal.
    std::vector<std::optional<std::string>> elems;
    for (auto& a : x.list("elements")) {
      auto e = fold(bind_expr(a, sc));
      if (e->kind != expr_kind::constant)
        fail(sqlstate::feature_not_supported, "ARRAY[...] of non-constant expressions is not supported", x.location());
      if (e->constant.is_null())
        elems.push_back(std::nullopt);
      else
        elems.push_back(std::string(cast_value(e->constant, sql_type::text(), cast_kind::explicit_).as_string()));
    }
    return expr::make_constant(value::text(exec::format_text_array(elems)), sql_type::text());
  }
  if (t == "RowExpr") fail(sqlstate::feature_not_supported, std::string(t) + " is not supported", x.location());
  fail(sqlstate::feature_not_supported, "expression " + std::string(t) + " is not supported", x.location());
}

namespace {

/// __map_lookup(key, k1, v1, ...): the catalog answer for `key`, built at bind time.
expr_ptr map_lookup(expr_ptr key, const oid_names& map, int mode) {
  std::vector<expr_ptr> args{std::move(key)};
  for (auto& [k, v] : map) {
    args.push_back(expr::make_constant(value::int64(k), sql_type::int64()));
    args.push_back(expr::make_constant(value::text(v), sql_type::text()));
  }
  args.push_back(expr::make_constant(value::int64(mode), sql_type::int64()));
  auto e = expr::make(expr_kind::func, sql_type::text(), std::move(args));
  e->name = "__map_lookup";
  return e;
}

std::string constant_text(const expr_ptr& e) {
  if (e->kind != expr_kind::constant || e->constant.is_null()) return {};
  return std::string(cast_value(e->constant, sql_type::text(), cast_kind::explicit_).as_string());
}

}  // namespace

expr_ptr binder::bind_reg_cast(const std::string& type, expr_ptr arg, int loc) {
  auto ctx = make_system_context();
  if (arg->type.is_string() || is_untyped(arg->type)) {
    arg = fold(arg);
    if (arg->kind != expr_kind::constant)
      fail(sqlstate::feature_not_supported, "casting non-constant text to " + type + " is not supported", loc);
    if (arg->constant.is_null()) return expr::make_constant(value::null(sql_type::int64()), sql_type::int64());
    std::string name = constant_text(arg);
    bool numeric = !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
    if (numeric) return expr::make_constant(value::int64(std::stoll(name)), sql_type::int64());
    std::optional<int64_t> oid;
    if (type == "regclass") {
      oid = relation_oid(ctx, name);
      if (!oid) fail(sqlstate::undefined_table, "relation \"" + name + "\" does not exist", loc);
    } else if (type == "regtype") {
      oid = type_oid(name);
      if (!oid) fail(sqlstate::undefined_object, "type \"" + name + "\" does not exist", loc);
    } else if (type == "regnamespace") {
      for (auto& [o, n] : namespace_names())
        if (n == name) oid = o;
      if (!oid) fail("3F000", "schema \"" + name + "\" does not exist", loc);
    } else if (type == "regrole") {
      for (auto& [o, n] : role_names(ctx))
        if (n == name) oid = o;
      if (!oid) fail(sqlstate::undefined_object, "role \"" + name + "\" does not exist", loc);
    } else {
      fail(sqlstate::feature_not_supported, "casting names to " + type + " is not supported", loc);
    }
    return expr::make_constant(value::int64(*oid), sql_type::int64());
  }
  if (!arg->type.is_integer()) fail("42846", "cannot cast type " + arg->type.name() + " to " + type, loc);
  arg = coerce(arg, sql_type::int64(), int(cast_kind::implicit), loc);
  // OID -> name (printed as the number when unknown, as PostgreSQL does).
  if (type == "regclass") return map_lookup(arg, relation_names(ctx), 2);
  if (type == "regnamespace") return map_lookup(arg, namespace_names(), 2);
  if (type == "regrole") return map_lookup(arg, role_names(ctx), 2);
  if (type == "regtype") {
    auto e = expr::make(expr_kind::func, sql_type::text(),
                        {arg, expr::make_constant(value::null(sql_type::int32()), sql_type::int32())});
    e->name = "format_type";
    return e;
  }
  return coerce(arg, sql_type::text(), int(cast_kind::explicit_), loc);
}

expr_ptr binder::bind_catalog_function(const std::string& name, std::vector<expr_ptr>& args, int loc) {
  auto oid_arg = [&](size_t i) {
    if (i >= args.size()) fail(sqlstate::undefined_function, "function " + name + " does not exist", loc);
    auto a = args[i];
    if (a->type.is_string() || is_untyped(a->type)) return coerce(a, sql_type::int64(), int(cast_kind::explicit_), loc);
    return coerce(a, sql_type::int64(), int(cast_kind::implicit), loc);
  };
  if (name == "pg_get_userbyid") return map_lookup(oid_arg(0), role_names(make_system_context()), 1);
  if (name == "pg_get_constraintdef") return map_lookup(oid_arg(0), constraint_definitions(make_system_context()), 0);
  if (name == "pg_get_indexdef") {
    expr_ptr key = bind_binary("*", oid_arg(0), expr::make_constant(value::int64(1000), sql_type::int64()), loc);
    if (args.size() >= 2)
      key = bind_binary("+", key, coerce(args[1], sql_type::int64(), int(cast_kind::implicit), loc), loc);
    return map_lookup(key, index_definitions(make_system_context(), args.size() >= 2), 0);
  }
  if (name == "pg_get_viewdef") {
    oid_names defs;
    for (auto& v : cat_.views())
      defs.emplace_back(v.oid, " " + v.definition + (v.definition.ends_with(";") ? "" : ";"));
    return map_lookup(oid_arg(0), defs, 0);
  }
  if (name == "pg_table_size" || name == "pg_relation_size" || name == "pg_total_relation_size" ||
      name == "pg_indexes_size") {
    auto e = map_lookup(oid_arg(0), relation_sizes(make_system_context()), 0);
    return coerce(e, sql_type::int64(), int(cast_kind::explicit_), loc);
  }
  if (name == "pg_database_size") {
    // This database's tables and indexes; other databases of the cluster report 0.
    int64_t total = 0;
    for (auto& [oid, bytes] : relation_sizes(make_system_context())) total += std::stoll(bytes);
    auto arg = args.size() == 1 ? args[0] : nullptr;
    if (!arg) return nullptr;
    if (arg->type.is_integer()) {
      int64_t self = 0;
      if (cluster)
        if (auto d = cluster->find_database(current_database)) self = d->oid;
      auto key = coerce(arg, sql_type::int64(), int(cast_kind::implicit), loc);
      return coerce(map_lookup(key, {{self, std::to_string(total)}}, 0), sql_type::int64(), int(cast_kind::explicit_),
                    loc);
    }
    auto is_self =
        bind_compare(op_kind::eq, arg, expr::make_constant(value::text(current_database), sql_type::text()), loc);
    auto e = expr::make(expr_kind::case_, sql_type::int64(),
                        {is_self, expr::make_constant(value::int64(total), sql_type::int64()),
                         expr::make_constant(value::int64(0), sql_type::int64())});
    e->case_has_else = true;
    return e;
  }
  if (name == "to_regclass") {
    std::string n = constant_text(fold(args.at(0)));
    auto oid = relation_oid(make_system_context(), n);
    return expr::make_constant(oid ? value::int64(*oid) : value::null(sql_type::int64()), sql_type::int64());
  }
  if (name == "pg_backend_pid") return expr::make_constant(value::int32(backend_pid), sql_type::int32());
  if (name == "current_setting") {
    if (args.empty() || args.size() > 2) return nullptr;
    auto a = fold(args[0]);
    if (a->kind != expr_kind::constant)
      fail(sqlstate::feature_not_supported, "current_setting() of a non-constant name is not supported", loc);
    if (a->constant.is_null()) return expr::make_constant(value::null(sql_type::text()), sql_type::text());
    std::string key = lower(constant_text(a));
    std::string v = get_setting ? get_setting(key) : "";
    bool missing_ok =
        args.size() == 2 && fold(args[1])->kind == expr_kind::constant && fold(args[1])->constant.as_bool();
    if (v.empty() && key != "application_name" && key.find('.') == std::string::npos) {
      if (missing_ok) return expr::make_constant(value::null(sql_type::text()), sql_type::text());
      fail(sqlstate::undefined_object, "unrecognized configuration parameter \"" + key + "\"", loc);
    }
    return expr::make_constant(value::text(v), sql_type::text());
  }
  if (name == "set_config") {
    if (args.size() != 3) return nullptr;
    auto k = fold(args[0]), v = fold(args[1]);
    if (k->kind != expr_kind::constant || v->kind != expr_kind::constant)
      fail(sqlstate::feature_not_supported, "set_config() of non-constant arguments is not supported", loc);
    std::string key = lower(constant_text(k)), val = constant_text(v);
    if (set_setting) set_setting(key, val);
    return expr::make_constant(value::text(val), sql_type::text());
  }
  return nullptr;
}

}  // namespace db001::sql
