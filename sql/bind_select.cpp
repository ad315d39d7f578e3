// SELECT: target lists, GROUP BY / aggregates / HAVING, DISTINCT, ORDER BY, LIMIT,
// set operations and VALUES.
#include <algorithm>

#include "exec/expr.h"
#include "sql/binder.h"
#include "storage/cast.h"
#include "storage/stack_guard.h"

namespace db001::sql {

using exec::expr_kind;

namespace {

[[noreturn]] void fail(const char* code, const std::string& msg, int loc) { throw db_error(code, msg, loc); }

std::string derive_name(const node& n);

/// The name of an expression when PostgreSQL considers it strong (a column, a function,
/// or a cast / CASE ELSE / COLLATE / subscript of one), else "".
std::string strong_name(const node& n) {
  std::string_view t = n.type();
  node x = n.inner();
  if (t == "ColumnRef" || t == "FuncCall") {
    std::string d = derive_name(n);
    return d == "?column?" ? "" : d;
  }
  if (t == "TypeCast" || t == "CollateClause" || t == "A_Indirection") return strong_name(x["arg"]);
  if (t == "CaseExpr" && x.has("defresult")) return strong_name(x["defresult"]);
  return "";
}

/// PostgreSQL's output column name for an expression without AS.
std::string derive_name(const node& n) {
  std::string_view t = n.type();
  node x = n.inner();
  if (t == "CollateClause" || t == "A_Indirection") return derive_name(x["arg"]);
  if (t == "A_ArrayExpr") return "array";
  if (t == "ColumnRef") {
    auto f = x.list("fields");
    if (!f.empty() && f.back().type() == "String") return std::string(f.back()["String"].str("sval"));
    return "?column?";
  }
  if (t == "FuncCall") {
    auto parts = x.list("funcname");
    return parts.empty() ? "?column?" : std::string(parts.back()["String"].str("sval"));
  }
  if (t == "TypeCast") {
    std::string inner = derive_name(x["arg"]);
    if (inner != "?column?") return inner;
    auto names = x["typeName"].list("names");
    if (names.empty()) return "?column?";
    std::string tn(names.back()["String"].str("sval"));
    return tn;
  }
  if (t == "CaseExpr") {
    std::string strong = x.has("defresult") ? strong_name(x["defresult"]) : "";
    return strong.empty() ? "case" : strong;
  }
  if (t == "CoalesceExpr") return "coalesce";
  if (t == "MinMaxExpr") return x.str("op") == "IS_GREATEST" ? "greatest" : "least";
  if (t == "A_Expr" && x.str("kind") == "AEXPR_NULLIF") return "nullif";
  if (t == "SubLink") {
    std::string_view k = x.str("subLinkType");
    if (k == "EXISTS_SUBLINK") return "exists";
    if (k == "ARRAY_SUBLINK") return "array";
    if (k == "EXPR_SUBLINK") {
      auto tl = x["subselect"]["SelectStmt"].list("targetList");
      if (tl.size() == 1) {
        node rt = tl[0]["ResTarget"];
        if (rt.has("name")) return std::string(rt.str("name"));
        return derive_name(rt["val"]);
      }
    }
    return "?column?";
  }
  if (t == "SQLValueFunction") {
    std::string_view op = x.str("op");
    if (op == "SVFOP_CURRENT_DATE") return "current_date";
    if (op == "SVFOP_CURRENT_TIMESTAMP" || op == "SVFOP_CURRENT_TIMESTAMP_N") return "current_timestamp";
    if (op == "SVFOP_CURRENT_USER") return "current_user";
    if (op == "SVFOP_SESSION_USER") return "session_user";
    if (op == "SVFOP_USER") return "current_user";
    return "?column?";
  }
  return "?column?";
}

struct target {
  expr_ptr e;
  std::string name;
};

/// Name of a global id for error messages ("t1.a").
std::string column_label(const scope& sc, int id) {
  for (auto& r : sc.rtes)
    if (id >= r.first_id && id < r.first_id + int(r.names.size()))
      return r.alias.empty() ? r.names[id - r.first_id] : r.alias + "." + r.names[id - r.first_id];
  return "?";
}

}  // namespace

bound_query binder::bind_select(const node& stmt, scope* parent) {
  check_stack_depth();
  std::string_view op = stmt.str("op", "SETOP_NONE");
  if (stmt.has("withClause")) fail(sqlstate::feature_not_supported, "WITH queries are not supported", 0);
  if (stmt.has("intoClause")) fail(sqlstate::feature_not_supported, "SELECT INTO is not supported", 0);
  if (stmt.has("lockingClause")) fail(sqlstate::feature_not_supported, "SELECT FOR UPDATE/SHARE is not supported", 0);
  if (op != "SETOP_NONE") return bind_set_op(stmt, parent);
  if (stmt.has("valuesLists")) return bind_values(stmt, parent);
  return bind_simple_select(stmt, parent);
}

expr_ptr binder::renumber_aggregates(const expr_ptr& e, const std::vector<int>& slot) {
  if (!e) return e;
  bool any = false;
  exec::expr_walk(*e, [&](const expr& x) { any |= x.kind == expr_kind::aggregate_ref; });
  if (!any) return e;
  auto c = std::make_shared<expr>(*e);
  if (c->kind == expr_kind::aggregate_ref) c->index = slot[c->index];
  for (auto& a : c->args) a = renumber_aggregates(a, slot);
  return c;
}

bound_query binder::bind_values(const node& stmt, scope* parent) {
  scope sc;
  sc.parent = parent;
  auto v = std::make_shared<exec::values_node>();
  size_t width = 0;
  for (auto& row : stmt.list("valuesLists")) {
    std::vector<expr_ptr> exprs;
    for (auto& item : row["List"].list("items")) exprs.push_back(fold(bind_expr(item, sc)));
    if (v->rows.empty()) width = exprs.size();
    if (exprs.size() != width) fail(sqlstate::syntax_error, "VALUES lists must all be the same length", row.location());
    v->rows.push_back(std::move(exprs));
  }
  bound_query q;
  for (size_t c = 0; c < width; ++c) {
    std::vector<expr_ptr> col;
    for (auto& r : v->rows) col.push_back(r[c]);
    sql_type t = unify(col, "VALUES", 0);
    if (t.id == type_id::unknown || t.id == type_id::null_) {
      t = sql_type::text();
      for (auto& x : col) x = coerce(x, t, int(cast_kind::implicit), x->location);
    }
    for (size_t r = 0; r < v->rows.size(); ++r) v->rows[r][c] = col[r];
    v->types.push_back(t);
    v->names.push_back("column" + std::to_string(c + 1));
  }
  v->est_rows = double(v->rows.size());
  q.plan = v;
  q.types = v->types;
  q.names = v->names;
  last_select_correlated_ = sc.correlated;
  return finish_order_limit(stmt, q, parent);
}

bound_query binder::bind_set_op(const node& stmt, scope* parent) {
  std::string_view op = stmt.str("op");
  bound_query l = bind_select(stmt["larg"], parent);
  bool corr = last_select_correlated_;
  bound_query r = bind_select(stmt["rarg"], parent);
  corr |= last_select_correlated_;
  const char* opname = op == "SETOP_UNION" ? "UNION" : op == "SETOP_INTERSECT" ? "INTERSECT" : "EXCEPT";
  if (l.types.size() != r.types.size())
    fail(sqlstate::syntax_error, std::string("each ") + opname + " query must have the same number of columns", 0);
  std::vector<sql_type> types;
  for (size_t c = 0; c < l.types.size(); ++c) {
    auto t = common_supertype(l.types[c], r.types[c]);
    if (!t)
      fail(sqlstate::datatype_mismatch,
           std::string(opname) + " types " + l.types[c].name() + " and " + r.types[c].name() + " cannot be matched", 0);
    if (t->id == type_id::unknown || t->id == type_id::null_) t = sql_type::text();
    types.push_back(*t);
  }
  auto cast_side = [&](bound_query& q) {
    bool same = true;
    for (size_t c = 0; c < types.size(); ++c) same &= q.types[c] == types[c];
    if (same) return q.plan;
    auto p = std::make_shared<exec::project_node>();
    p->children.push_back(q.plan);
    for (size_t c = 0; c < types.size(); ++c)
      p->exprs.push_back(coerce(expr::make_column(int(c), q.types[c]), types[c], int(cast_kind::implicit), 0));
    p->types = types;
    p->names = q.names;
    p->est_rows = q.plan->est_rows;
    return plan_ptr(p);
  };
  auto s = std::make_shared<exec::set_op_node>();
  s->children = {cast_side(l), cast_side(r)};
  s->op = op == "SETOP_UNION" ? exec::set_op_kind::union_
          : op == "SETOP_INTERSECT" ? exec::set_op_kind::intersect
                                    : exec::set_op_kind::except;
  s->all = stmt.boolean("all");
  s->types = types;
  s->names = l.names;
  s->est_rows = l.plan->est_rows + r.plan->est_rows;
  bound_query q{s, l.names, types};
  last_select_correlated_ = corr;
  return finish_order_limit(stmt, q, parent);
}

bound_query binder::finish_order_limit(const node& stmt, bound_query q, scope* parent) {
  bool corr = last_select_correlated_;
  auto sorts = stmt.list("sortClause");
  if (!sorts.empty()) {
    auto s = std::make_shared<exec::sort_node>();
    for (auto& sb : sorts) {
      node x = sb["SortBy"];
      node e = x["node"];
      int idx = -1;
      if (e.type() == "A_Const" && e.inner().has("ival")) {
        int64_t k = e.inner()["ival"].integer("ival", 0);
        if (k < 1 || k > int64_t(q.types.size()))
          fail(sqlstate::invalid_column_reference, "ORDER BY position " + std::to_string(k) + " is not in select list",
               e.inner().location());
        idx = int(k - 1);
      } else if (e.type() == "ColumnRef") {
        auto f = e.inner().list("fields");
        if (f.size() == 1 && f[0].type() == "String") {
          std::string name(f[0]["String"].str("sval"));
          for (size_t c = 0; c < q.names.size(); ++c)
            if (q.names[c] == name) {
              idx = int(c);
              break;
            }
        }
        if (idx < 0)
          fail(sqlstate::undefined_column, "column \"" + std::string(f.back()["String"].str("sval")) + "\" does not exist",
               e.inner().location());
      } else {
        fail(sqlstate::feature_not_supported,
             "invalid UNION/INTERSECT/EXCEPT ORDER BY clause: only result column names or numbers are allowed",
             e.inner().location());
      }
      exec::sort_key k;
      k.e = expr::make_column(idx, q.types[idx]);
      k.desc = x.str("sortby_dir") == "SORTBY_DESC";
      std::string_view nulls = x.str("sortby_nulls");
      k.nulls_first = nulls == "SORTBY_NULLS_DEFAULT" || nulls.empty() ? k.desc : nulls == "SORTBY_NULLS_FIRST";
      s->keys.push_back(k);
    }
    s->children.push_back(q.plan);
    s->types = q.types;
    s->names = q.names;
    s->est_rows = q.plan->est_rows;
    q.plan = s;
  }
  plan_ptr limited = add_limit(stmt, q.plan, parent, corr);
  q.plan = limited;
  last_select_correlated_ = corr;
  return q;
}

plan_ptr binder::add_limit(const node& stmt, plan_ptr plan, scope* parent, bool& correlated) {
  if (!stmt.has("limitCount") && !stmt.has("limitOffset")) return plan;
  auto l = std::make_shared<exec::limit_node>();
  scope sc;
  sc.parent = parent;
  sc.agg_forbidden = "LIMIT";
  auto bind_count = [&](const char* field) -> expr_ptr {
    if (!stmt.has(field)) return nullptr;
    auto e = bind_expr(stmt[field], sc);
    if (e->kind == expr_kind::constant && e->constant.is_null()) return nullptr;  // LIMIT NULL = no limit
    return fold(coerce(e, sql_type::int64(), int(cast_kind::implicit), e->location));
  };
  l->limit = bind_count("limitCount");
  l->offset = bind_count("limitOffset");
  correlated |= sc.correlated;
  l->children.push_back(plan);
  l->types = plan->types;
  l->names = plan->names;
  l->est_rows = plan->est_rows;
  return l;
}

bound_query binder::bind_simple_select(const node& stmt, scope* parent) {
  scope sc;
  sc.parent = parent;
  std::vector<exec::agg_spec> aggs;

  // FROM
  std::vector<std::unique_ptr<from_item>> items;
  for (auto& f : stmt.list("fromClause")) items.push_back(bind_from_item(f, sc));

  // WHERE
  std::vector<expr_ptr> conjuncts;
  if (stmt.has("whereClause")) {
    auto where = fold(bind_condition(stmt["whereClause"], sc, "WHERE"));
    if (!(where->kind == expr_kind::constant && !where->constant.is_null() && where->constant.as_bool()))
      split_conjuncts(where, conjuncts);
  }

  // Target list (aggregates allowed).
  sc.aggs = &aggs;
  std::vector<target> targets;
  for (auto& t : stmt.list("targetList")) {
    node rt = t["ResTarget"];
    node val = rt["val"];
    if (val.type() == "ColumnRef") {
      auto fields = val.inner().list("fields");
      if (!fields.empty() && fields.back().type() == "A_Star") {
        std::string qual = fields.size() >= 2 ? std::string(fields[fields.size() - 2]["String"].str("sval")) : "";
        bool any = false;
        for (auto& r : sc.rtes) {
          if (!qual.empty() && r.alias != qual) continue;
          any = true;
          for (size_t i = 0; i < r.names.size(); ++i) {
            if (qual.empty() && r.hidden[i]) continue;
            if (!r.computed.empty()) {
              targets.push_back({r.computed[i], r.names[i]});
              continue;
            }
            targets.push_back({expr::make_column(r.first_id + int(i), r.types[i]), r.names[i]});
            sc.used.insert(r.first_id + int(i));
          }
        }
        if (!qual.empty() && !any)
          fail(sqlstate::undefined_table, "missing FROM-clause entry for table \"" + qual + "\"", val.inner().location());
        if (qual.empty() && sc.rtes.empty())
          fail(sqlstate::syntax_error, "SELECT * with no tables specified is not valid", val.inner().location());
        continue;
      }
    }
    auto e = bind_expr(val, sc);
    std::string name = rt.has("name") ? std::string(rt.str("name")) : derive_name(val);
    targets.push_back({fold(resolve_unknown(e)), name});
  }

  // GROUP BY
  std::vector<expr_ptr> groups;
  for (auto& g : stmt.list("groupClause")) {
    std::string_view gt = g.type();
    if (gt == "A_Const" && g.inner().has("ival")) {
      int64_t k = g.inner()["ival"].integer("ival", 0);
      if (k < 1 || k > int64_t(targets.size()))
        fail(sqlstate::invalid_column_reference, "GROUP BY position " + std::to_string(k) + " is not in select list",
             g.inner().location());
      groups.push_back(targets[k - 1].e);  // already folded
      continue;
    }
    if (gt == "GroupingSet" || gt == "RowExpr")
      fail(sqlstate::feature_not_supported, "grouping sets are not supported", g.inner().location());
    expr_ptr e;
    try {
      const char* saved = sc.agg_forbidden;
      sc.agg_forbidden = "GROUP BY";
      e = bind_expr(g, sc);
      sc.agg_forbidden = saved;
    } catch (db_error& err) {
      sc.agg_forbidden = nullptr;
      // GROUP BY may name an output column when no input column has that name.
      if (err.code() != sqlstate::undefined_column || gt != "ColumnRef") throw;
      auto f = g.inner().list("fields");
      std::string name = f.size() == 1 ? std::string(f[0]["String"].str("sval")) : "";
      for (auto& t : targets)
        if (!name.empty() && t.name == name) e = t.e;
      if (!e) throw;
    }
    groups.push_back(fold(resolve_unknown(e)));
  }
  for (auto& g : groups) {
    bool has_agg = false;
    expr_walk(*g, [&](const expr& x) { has_agg |= x.kind == expr_kind::aggregate_ref; });
    if (has_agg) fail(sqlstate::grouping_error, "aggregate functions are not allowed in GROUP BY", g->location);
  }

  // HAVING
  expr_ptr having;
  if (stmt.has("havingClause")) having = fold(bind_condition(stmt["havingClause"], sc, "HAVING", false));

  // A WHERE or HAVING conjunct that is constantly FALSE or NULL empties the query before
  // anything else is evaluated (PostgreSQL's one-time filter).
  auto never_true = [](const expr_ptr& e) {
    return e && e->kind == expr_kind::constant && (e->constant.is_null() || !e->constant.as_bool());
  };
  std::vector<expr_ptr> having_conjuncts;
  split_conjuncts(having, having_conjuncts);
  for (auto& c : having_conjuncts)
    if (never_true(c)) conjuncts = {c};
  for (auto& c : std::vector<expr_ptr>(conjuncts))
    if (never_true(c)) conjuncts = {c};

  // DISTINCT
  auto distinct = stmt.list("distinctClause");
  bool is_distinct = !distinct.empty();
  if (is_distinct && distinct[0].valid() && !distinct[0].type().empty())
    fail(sqlstate::feature_not_supported, "SELECT DISTINCT ON is not supported", 0);

  // ORDER BY: each key is a target index, or a hidden expression appended after the targets.
  struct order_item {
    int target;
    bool desc, nulls_first;
  };
  std::vector<order_item> order;
  size_t visible = targets.size();
  for (auto& sb : stmt.list("sortClause")) {
    node x = sb["SortBy"];
    node e = x["node"];
    int idx = -1;
    if (e.type() == "A_Const" && e.inner().has("ival")) {
      int64_t k = e.inner()["ival"].integer("ival", 0);
      if (k < 1 || k > int64_t(visible))
        fail(sqlstate::invalid_column_reference, "ORDER BY position " + std::to_string(k) + " is not in select list",
             e.inner().location());
      idx = int(k - 1);
    } else if (e.type() == "ColumnRef") {
      auto f = e.inner().list("fields");
      if (f.size() == 1 && f[0].type() == "String") {
        std::string name(f[0]["String"].str("sval"));
        for (size_t c = 0; c < visible; ++c) {
          if (targets[c].name != name) continue;
          if (idx >= 0 && !exec::expr_equal(*targets[idx].e, *targets[c].e))
            fail(sqlstate::ambiguous_column, "ORDER BY \"" + name + "\" is ambiguous", e.inner().location());
          if (idx < 0) idx = int(c);
        }
      }
    }
    if (idx < 0) {
      auto be = fold(resolve_unknown(bind_expr(e, sc)));
      for (size_t c = 0; c < targets.size(); ++c)
        if (exec::expr_equal(*targets[c].e, *be)) {
          idx = int(c);
          break;
        }
      if (idx < 0) {
        if (is_distinct)
          fail(sqlstate::invalid_column_reference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
               be->location);
        targets.push_back({be, "?order?"});
        idx = int(targets.size() - 1);
      }
    }
    bool desc = x.str("sortby_dir") == "SORTBY_DESC";
    std::string_view nulls = x.str("sortby_nulls");
    bool nulls_first = nulls == "SORTBY_NULLS_DEFAULT" || nulls.empty() ? desc : nulls == "SORTBY_NULLS_FIRST";
    order.push_back({idx, desc, nulls_first});
  }

  // Plan FROM + WHERE.
  std::vector<int> layout;
  plan_ptr plan;
  if (items.empty()) {
    auto v = std::make_shared<exec::values_node>();
    v->rows.emplace_back();
    v->est_rows = 1;
    plan = v;
    std::vector<expr_ptr> consts;
    if (!conjuncts.empty()) {
      auto f = std::make_shared<exec::filter_node>();
      f->predicate = conjuncts.size() == 1 ? conjuncts[0] : make_bool(expr_kind::and_, conjuncts);
      f->children.push_back(plan);
      f->est_rows = 1;
      plan = f;
    }
  } else {
    plan = plan_from(items, conjuncts, sc, layout);
  }

  // Aggregation.
  bool aggregated = !aggs.empty() || !groups.empty() || having;
  std::vector<expr_ptr> outputs;
  for (auto& t : targets) outputs.push_back(t.e);
  if (aggregated) {
    // Only the aggregates the folded expressions still reference are computed (folding may
    // have dropped some, e.g. COALESCE(1, count(x)); PostgreSQL never evaluates those).
    std::vector<int> agg_slot(aggs.size(), -1);
    std::vector<exec::agg_spec> kept;
    auto mark = [&](const expr_ptr& e) {
      if (!e) return;
      exec::expr_walk(*e, [&](const expr& x) {
        if (x.kind == expr_kind::aggregate_ref && agg_slot[x.index] < 0) {
          agg_slot[x.index] = int(kept.size());
          kept.push_back(aggs[x.index]);
        }
      });
    };
    for (auto& o : outputs) mark(o);
    mark(having);
    auto a = std::make_shared<exec::aggregate_node>();
    for (auto& g : groups) a->groups.push_back(remap(g, layout));
    for (auto& spec : kept) {
      exec::agg_spec s = spec;
      s.arg = remap(fold(spec.arg), layout);
      s.separator = remap(fold(spec.separator), layout);
      a->aggs.push_back(s);
    }
    aggs = kept;
    for (auto& o : outputs) o = renumber_aggregates(o, agg_slot);
    having = renumber_aggregates(having, agg_slot);
    for (auto& g : groups) a->types.push_back(g->type), a->names.push_back("group");
    for (auto& s : aggs) a->types.push_back(s.type), a->names.push_back("agg");
    a->children.push_back(plan);
    a->est_rows = groups.empty() ? 1 : std::max(1.0, plan->est_rows / 10);
    plan = a;
    size_t ng = groups.size();
    // Rewrites an expression over the FROM columns into one over the aggregate's output.
    std::function<expr_ptr(const expr_ptr&)> post = [&](const expr_ptr& e) -> expr_ptr {
      if (!e) return e;
      for (size_t i = 0; i < ng; ++i)
        if (exec::expr_equal(*e, *groups[i])) return expr::make_column(int(i), e->type);
      if (e->kind == expr_kind::aggregate_ref) return expr::make_column(int(ng + e->index), e->type);
      if (e->kind == expr_kind::column)
        fail(sqlstate::grouping_error,
             "column \"" + column_label(sc, e->index) + "\" must appear in the GROUP BY clause or be used in an aggregate function",
             e->location);
      auto c = std::make_shared<expr>(*e);
      if (c->kind == expr_kind::subquery && c->correlated) {
        int width = 0;
        for (int g : c->outer_ids) width = std::max(width, g + 1);
        c->outer_map.assign(width, -1);
        for (int g : c->outer_ids) {
          for (size_t i = 0; i < ng; ++i)
            if (groups[i]->kind == expr_kind::column && groups[i]->index == g) c->outer_map[g] = int(i);
          if (c->outer_map[g] < 0)
            fail(sqlstate::grouping_error,
                 "subquery uses ungrouped column \"" + column_label(sc, g) + "\" from outer query", c->location);
        }
      }
      for (auto& arg : c->args) arg = post(arg);
      return c;
    };
    if (having) {
      auto f = std::make_shared<exec::filter_node>();
      f->predicate = post(having);
      f->children.push_back(plan);
      f->types = plan->types;
      f->names = plan->names;
      f->est_rows = plan->est_rows;
      plan = f;
    }
    for (auto& o : outputs) o = post(o);
  } else {
    for (auto& o : outputs) o = remap(o, layout);
  }

  // Projection (targets + hidden sort keys).
  auto proj = std::make_shared<exec::project_node>();
  proj->exprs = outputs;
  for (auto& t : targets) {
    proj->names.push_back(t.name);
  }
  for (auto& o : outputs) proj->types.push_back(o->type);
  proj->children.push_back(plan);
  proj->est_rows = plan->est_rows;
  plan = proj;

  if (is_distinct) {
    auto d = std::make_shared<exec::aggregate_node>();
    for (size_t c = 0; c < outputs.size(); ++c) d->groups.push_back(expr::make_column(int(c), outputs[c]->type));
    d->types = proj->types;
    d->names = proj->names;
    d->children.push_back(plan);
    d->est_rows = plan->est_rows;
    plan = d;
  }
  if (!order.empty()) {
    auto s = std::make_shared<exec::sort_node>();
    for (auto& o : order) {
      exec::sort_key k;
      k.e = expr::make_column(o.target, outputs[o.target]->type);
      k.desc = o.desc;
      k.nulls_first = o.nulls_first;
      s->keys.push_back(k);
    }
    s->types = plan->types;
    s->names = plan->names;
    s->children.push_back(plan);
    s->est_rows = plan->est_rows;
    plan = s;
  }
  bound_query q;
  q.plan = plan;
  for (size_t c = 0; c < visible; ++c) {
    q.names.push_back(targets[c].name);
    q.types.push_back(outputs[c]->type);
  }
  // LIMIT/OFFSET before dropping hidden sort columns.
  bool corr = sc.correlated;
  plan = add_limit(stmt, plan, parent, corr);
  if (targets.size() > visible) {
    auto p = std::make_shared<exec::project_node>();
    for (size_t c = 0; c < visible; ++c) p->exprs.push_back(expr::make_column(int(c), outputs[c]->type));
    p->types = q.types;
    p->names = q.names;
    p->children.push_back(plan);
    p->est_rows = plan->est_rows;
    plan = p;
  }
  q.plan = plan;
  last_select_correlated_ = corr;
  return q;
}

}  // namespace db001::sql
