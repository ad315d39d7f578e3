// FROM items and join planning: base tables (sequential or index scans with pushed-down
// predicates), views and subqueries, explicit joins; inner joins and comma lists are
// reordered greedily by estimated size, outer joins keep their written order.
#include <algorithm>
#include <cmath>

#include "sql/binder.h"
#include "sql/system_views.h"
#include "storage/cast.h"

namespace db001::sql {

using exec::expr_kind;
using exec::op_kind;

namespace {

[[noreturn]] void fail(const char* code, const std::string& msg, int loc) { throw db_error(code, msg, loc); }

bool subset(const std::set<int>& a, const std::set<int>& b) {
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

expr_ptr and_all(const std::vector<expr_ptr>& es) {
  if (es.empty()) return nullptr;
  if (es.size() == 1) return es[0];
  return expr::make(expr_kind::and_, sql_type::boolean(), es);
}

}  // namespace


void binder::add_rte(scope& sc, rte r) {
  r.first_id = sc.width;
  sc.width += int(r.names.size());
  if (r.hidden.size() != r.names.size()) r.hidden.assign(r.names.size(), false);
  if (!r.alias.empty())
    for (auto& other : sc.rtes)
      if (other.alias == r.alias)
        fail(sqlstate::duplicate_object, "table name \"" + r.alias + "\" specified more than once", 0);
  sc.rtes.push_back(std::move(r));
}

std::unique_ptr<binder::from_item> binder::bind_from_item(const node& n, scope& sc) {
  std::string_view t = n.type();
  node x = n.inner();
  auto item = std::make_unique<from_item>();
  auto apply_alias = [&](rte& r, const node& alias) {
    if (!alias) return;
    r.alias = std::string(alias.str("aliasname"));
    auto cols = alias.list("colnames");
    if (cols.size() > r.names.size())
      fail(sqlstate::invalid_column_reference,
           "table \"" + r.alias + "\" has " + std::to_string(r.names.size()) + " columns available but " +
               std::to_string(cols.size()) + " columns specified",
           0);
    for (size_t i = 0; i < cols.size(); ++i) r.names[i] = std::string(cols[i]["String"].str("sval"));
  };
  auto finish_derived = [&](bound_query q, std::string alias_default, const node& alias) {
    rte r;
    r.alias = std::move(alias_default);
    r.names = q.names;
    r.types = q.types;
    apply_alias(r, alias);
    item->kind = from_item::derived;
    item->sub = q.plan;
    item->rte_index = int(sc.rtes.size());
    add_rte(sc, std::move(r));
    auto& added = sc.rtes.back();
    for (size_t i = 0; i < added.names.size(); ++i) item->ids.insert(added.first_id + int(i));
    if (last_select_correlated_) sc.correlated = true;
    return std::move(item);
  };
  if (t == "RangeVar") {
    std::string name(x.str("relname"));
    std::string schema(x.str("schemaname"));
    if (!schema.empty() && schema != "public") {
      if (auto sys = system_relation(make_system_context(), schema, name))
        return finish_derived(std::move(*sys), name, x["alias"]);
      fail(sqlstate::undefined_table, "relation \"" + schema + "." + name + "\" does not exist", x.location());
    }
    if (auto tbl = cat_.find_table(name)) {
      rte r;
      r.alias = name;
      for (auto& c : tbl->columns()) {
        r.names.push_back(c.name);
        r.types.push_back(c.type);
      }
      r.tbl = tbl;
      apply_alias(r, x["alias"]);
      item->kind = from_item::base;
      item->tbl = tbl;
      item->rte_index = int(sc.rtes.size());
      add_rte(sc, std::move(r));
      auto& added = sc.rtes.back();
      for (size_t i = 0; i < added.names.size(); ++i) item->ids.insert(added.first_id + int(i));
      return item;
    }
    if (auto v = cat_.find_view(name)) {
      if (++view_depth_ > 32) fail(sqlstate::program_limit_exceeded, "views nested too deeply", x.location());
      auto tree = parse_json(v->query_json);
      bound_query q = bind_select(tree.statements[0].stmt, sc.parent);
      --view_depth_;
      for (size_t i = 0; i < v->column_names.size() && i < q.names.size(); ++i) q.names[i] = v->column_names[i];
      return finish_derived(std::move(q), name, x["alias"]);
    }
    if (auto sys = system_relation(make_system_context(), "", name))
      return finish_derived(std::move(*sys), name, x["alias"]);
    fail(sqlstate::undefined_table, "relation \"" + name + "\" does not exist", x.location());
  }
  if (t == "RangeSubselect") {
    if (x.boolean("lateral")) return bind_lateral(x, sc);
    bound_query q = bind_select(x["subquery"]["SelectStmt"], sc.parent);
    if (!x.has("alias")) fail(sqlstate::syntax_error, "subquery in FROM must have an alias", 0);
    return finish_derived(std::move(q), "", x["alias"]);
  }
  if (t == "JoinExpr") {
    std::string_view jt = x.str("jointype");
    item->kind = from_item::join;
    item->jtype = jt == "JOIN_LEFT"    ? exec::join_type::left
                  : jt == "JOIN_RIGHT" ? exec::join_type::right
                  : jt == "JOIN_FULL"  ? exec::join_type::full
                                       : exec::join_type::inner;
    if (x.has("alias")) fail(sqlstate::feature_not_supported, "aliases on JOIN are not supported", 0);
    size_t left_first_rte = sc.rtes.size();
    item->left = bind_from_item(x["larg"], sc);
    size_t right_first_rte = sc.rtes.size();
    item->right = bind_from_item(x["rarg"], sc);
    size_t end_rte = sc.rtes.size();
    item->ids = item->left->ids;
    item->ids.insert(item->right->ids.begin(), item->right->ids.end());
    // USING / NATURAL: equality of same-named columns; the right one is hidden from * and
    // unqualified names.
    std::vector<std::string> using_cols;
    for (auto& u : x.list("usingClause")) using_cols.push_back(std::string(u["String"].str("sval")));
    if (x.boolean("isNatural")) {
      for (size_t a = left_first_rte; a < right_first_rte; ++a)
        for (auto& ln : sc.rtes[a].names)
          for (size_t b = right_first_rte; b < end_rte; ++b)
            for (auto& rn : sc.rtes[b].names)
              if (ln == rn && std::find(using_cols.begin(), using_cols.end(), ln) == using_cols.end())
                using_cols.push_back(ln);
    }
    auto find_in = [&](size_t from, size_t to, const std::string& col, bool hide) -> expr_ptr {
      expr_ptr found;
      for (size_t a = from; a < to; ++a)
        for (size_t i = 0; i < sc.rtes[a].names.size(); ++i)
          if (sc.rtes[a].names[i] == col && !sc.rtes[a].hidden[i]) {
            if (found)
              fail(sqlstate::ambiguous_column, "common column name \"" + col + "\" appears more than once in left table", 0);
            found = expr::make_column(sc.rtes[a].first_id + int(i), sc.rtes[a].types[i]);
            sc.used.insert(sc.rtes[a].first_id + int(i));
            if (hide) sc.rtes[a].hidden[i] = true;
          }
      if (!found)
        fail(sqlstate::undefined_column,
             "column \"" + col + "\" specified in USING clause does not exist in " + (hide ? "right" : "left") + " table", 0);
      return found;
    };
    for (auto& col : using_cols) {
      auto l = find_in(left_first_rte, right_first_rte, col, false);
      auto r = find_in(right_first_rte, end_rte, col, true);
      item->conds.push_back(bind_compare(op_kind::eq, l, r, 0));
    }
    if (x.has("quals")) split_conjuncts(fold(bind_condition(x["quals"], sc, "JOIN/ON")), item->conds);
    return item;
  }
  if (t == "RangeFunction") return bind_range_function(x, sc);
  fail(sqlstate::feature_not_supported, "FROM item " + std::string(t) + " is not supported", 0);
}

plan_ptr binder::plan_base(from_item& item, std::vector<expr_ptr> preds, scope& sc, std::vector<int>& layout,
                           bool emit_rid) {
  const rte& r = sc.rtes[item.rte_index];
  layout.assign(sc.width, -1);
  if (item.kind == from_item::derived) {
    for (size_t i = 0; i < r.names.size(); ++i) layout[r.first_id + i] = int(i);
    plan_ptr p = item.sub;
    if (!preds.empty()) {
      auto f = std::make_shared<exec::filter_node>();
      f->predicate = remap(and_all(preds), layout);
      f->children.push_back(p);
      f->types = p->types;
      f->names = p->names;
      f->est_rows = std::max(1.0, p->est_rows * std::pow(0.3, double(preds.size())));
      p = f;
    }
    return p;
  }
  auto& tbl = item.tbl;
  // Only the columns the query reads (all of them for UPDATE/DELETE).
  std::vector<int> columns;
  for (size_t i = 0; i < tbl->column_count(); ++i) {
    if (!emit_rid && !sc.used.count(r.first_id + int(i))) continue;
    layout[r.first_id + i] = int(columns.size());
    columns.push_back(int(i));
  }
  std::vector<sql_type> types;
  std::vector<std::string> names;
  for (int c : columns) {
    types.push_back(tbl->column(c).type);
    names.push_back(tbl->column(c).name);
  }
  if (emit_rid) {
    types.push_back(sql_type::int64());
    names.push_back("ctid");
  }
  double rows = std::max<double>(1, double(tbl->approx_rows()));
  expr_ptr filter = remap(and_all(preds), layout);

  // Index selection: equality on a key prefix, then a range on the next key column. Bounds
  // must not read this level's columns (constants, parameters and outer values are fine).
  struct bound_pred {
    int column;
    op_kind op;
    expr_ptr value;
    size_t pred;  ///< index into preds
  };
  std::vector<bound_pred> usable;
  for (size_t pi = 0; pi < preds.size(); ++pi) {
    const expr_ptr& p = preds[pi];
    if (p->kind != expr_kind::compare || p->op == op_kind::ne) continue;
    for (int side = 0; side < 2; ++side) {
      const expr_ptr& col = p->args[side];
      const expr_ptr& val = p->args[1 - side];
      if (col->kind != expr_kind::column) continue;
      std::set<int> cols;
      collect_columns(*val, cols);
      if (!cols.empty()) continue;
      bool has_sub = false;
      exec::expr_walk(*val, [&](const expr& e) { has_sub |= e.kind == expr_kind::subquery; });
      if (has_sub) continue;
      int c = col->index - r.first_id;
      if (c < 0 || c >= int(tbl->column_count())) continue;
      // The value must have the column's exact type for the key encoding.
      if (!(col->type == tbl->column(c).type)) continue;
      expr_ptr v = val;
      if (!(v->type == col->type)) {
        if (!can_cast(v->type, col->type, cast_kind::implicit)) continue;
        if (v->type.is_numeric() || col->type.is_numeric() || v->type.is_float() != col->type.is_float()) continue;
        v = coerce(v, col->type, int(cast_kind::implicit), v->location);
      }
      op_kind op = p->op;
      if (side == 1) {  // value op column: flip
        op = op == op_kind::lt ? op_kind::gt : op == op_kind::le ? op_kind::ge : op == op_kind::gt ? op_kind::lt
                                                                    : op == op_kind::ge ? op_kind::le : op;
      }
      usable.push_back({c, op, v, pi});
    }
  }
  std::shared_ptr<exec::index_scan_node> best;
  double best_score = 0;
  auto indexes = tbl->indexes();
  for (auto& ix : *indexes) {
    auto node = std::make_shared<exec::index_scan_node>();
    node->idx = ix;
    std::set<size_t> consumed;  // predicates the index bounds enforce exactly
    size_t k = 0;
    for (; k < ix->columns().size(); ++k) {
      auto it = std::find_if(usable.begin(), usable.end(),
                             [&](const bound_pred& b) { return b.column == ix->columns()[k] && b.op == op_kind::eq; });
      if (it == usable.end()) break;
      node->eq.push_back(it->value);
      consumed.insert(it->pred);
    }
    double score = double(k) * 2;
    if (k < ix->columns().size()) {
      for (auto& b : usable) {
        if (b.column != ix->columns()[k]) continue;
        if ((b.op == op_kind::gt || b.op == op_kind::ge) && !node->lo) {
          node->lo = b.value;
          node->lo_inclusive = b.op == op_kind::ge;
          consumed.insert(b.pred);
          score += 1;
        } else if ((b.op == op_kind::lt || b.op == op_kind::le) && !node->hi) {
          node->hi = b.value;
          node->hi_inclusive = b.op == op_kind::le;
          consumed.insert(b.pred);
          score += 1;
        }
      }
    }
    if (score == 0) continue;
    if (ix->unique() && k == ix->columns().size()) score += 100;
    if (score > best_score) {
      best_score = score;
      best = node;
      std::vector<expr_ptr> residual;
      for (size_t pi = 0; pi < preds.size(); ++pi)
        if (!consumed.count(pi)) residual.push_back(preds[pi]);
      best->filter = remap(and_all(residual), layout);
    }
  }
  double est = rows * std::pow(0.3, double(preds.size()));
  if (best) {
    best->tbl = tbl;
    best->columns = columns;
    best->emit_rid = emit_rid;
    best->types = types;
    best->names = names;
    best->est_rows = best_score >= 100 ? 1 : std::max(1.0, est);
    return best;
  }
  auto scan = std::make_shared<exec::seq_scan_node>();
  scan->tbl = tbl;
  scan->columns = columns;
  scan->emit_rid = emit_rid;
  scan->filter = filter;
  scan->types = types;
  scan->names = names;
  scan->est_rows = std::max(1.0, est);
  return scan;
}

plan_ptr binder::join_plans(plan_ptr left, const std::vector<int>& left_layout, plan_ptr right,
                            const std::vector<int>& right_layout, exec::join_type type, std::vector<expr_ptr> preds,
                            scope& sc, std::vector<int>& layout) {
  size_t lw = left->width();
  layout.assign(sc.width, -1);
  std::set<int> lids, rids;
  for (int g = 0; g < sc.width; ++g) {
    if (g < int(left_layout.size()) && left_layout[g] >= 0) {
      layout[g] = left_layout[g];
      lids.insert(g);
    }
    if (g < int(right_layout.size()) && right_layout[g] >= 0) {
      layout[g] = int(lw) + right_layout[g];
      rids.insert(g);
    }
  }
  std::vector<expr_ptr> lkeys, rkeys, extra;
  for (auto& p : preds) {
    if (p->kind == expr_kind::compare && p->op == op_kind::eq) {
      std::set<int> a, b;
      collect_columns(*p->args[0], a);
      collect_columns(*p->args[1], b);
      bool has_sub = false;
      exec::expr_walk(*p, [&](const expr& e) { has_sub |= e.kind == expr_kind::subquery; });
      if (!has_sub && !a.empty() && !b.empty()) {
        expr_ptr l, r;
        if (subset(a, lids) && subset(b, rids)) {
          l = p->args[0];
          r = p->args[1];
        } else if (subset(a, rids) && subset(b, lids)) {
          l = p->args[1];
          r = p->args[0];
        }
        if (l) {
          if (!(l->type == r->type)) {
            // Hash keys must encode alike: bring both to one type.
            sql_type t = l->type.is_numeric() || r->type.is_numeric()
                             ? sql_type::numeric(-1, std::max(l->type.scale, r->type.scale))
                             : *common_supertype(l->type, r->type);
            l = coerce(l, t, int(cast_kind::implicit), 0);
            r = coerce(r, t, int(cast_kind::implicit), 0);
          }
          lkeys.push_back(remap(l, left_layout));
          rkeys.push_back(remap(r, right_layout));
          continue;
        }
      }
    }
    extra.push_back(p);
  }
  plan_ptr out;
  double est;
  if (!lkeys.empty()) {
    auto j = std::make_shared<exec::hash_join_node>();
    j->type = type;
    j->left_keys = lkeys;
    j->right_keys = rkeys;
    j->extra = remap(and_all(extra), layout);
    out = j;
    est = std::max(left->est_rows, right->est_rows);
  } else {
    auto j = std::make_shared<exec::nested_loop_join_node>();
    j->type = type;
    j->condition = remap(and_all(extra), layout);
    out = j;
    est = left->est_rows * right->est_rows * std::pow(0.3, double(extra.size()));
  }
  out->children = {left, right};
  out->types = left->types;
  out->types.insert(out->types.end(), right->types.begin(), right->types.end());
  out->names = left->names;
  out->names.insert(out->names.end(), right->names.begin(), right->names.end());
  if (type == exec::join_type::left || type == exec::join_type::full) est = std::max(est, left->est_rows);
  if (type == exec::join_type::right || type == exec::join_type::full) est = std::max(est, right->est_rows);
  out->est_rows = std::max(1.0, est);
  return out;
}

plan_ptr binder::plan_item(from_item& item, std::vector<expr_ptr>& conjuncts, scope& sc, std::vector<int>& layout) {
  if (item.kind != from_item::join) return plan_base(item, conjuncts, sc, layout);
  if (item.right->kind == from_item::computed && item.jtype == exec::join_type::inner) {
    // x CROSS JOIN LATERAL (SELECT exprs): the expressions are inlined, only x remains.
    std::vector<expr_ptr> preds = conjuncts;
    preds.insert(preds.end(), item.conds.begin(), item.conds.end());
    return plan_item(*item.left, preds, sc, layout);
  }
  if (item.left->kind == from_item::computed || item.right->kind == from_item::computed)
    fail(sqlstate::feature_not_supported, "this join with a LATERAL subquery is not supported", 0);
  std::vector<expr_ptr> none;
  std::vector<int> ll, rl;
  plan_ptr l = plan_item(*item.left, none, sc, ll);
  plan_ptr r = plan_item(*item.right, none, sc, rl);
  plan_ptr j = join_plans(l, ll, r, rl, item.jtype, item.conds, sc, layout);
  if (!conjuncts.empty()) {
    auto f = std::make_shared<exec::filter_node>();
    f->predicate = remap(and_all(conjuncts), layout);
    f->children.push_back(j);
    f->types = j->types;
    f->names = j->names;
    f->est_rows = std::max(1.0, j->est_rows * std::pow(0.3, double(conjuncts.size())));
    return f;
  }
  return j;
}

plan_ptr binder::plan_from(std::vector<std::unique_ptr<from_item>>& items, std::vector<expr_ptr> conjuncts, scope& sc,
                           std::vector<int>& layout) {
  // Relations to order: base/derived items and outer-join units; inner joins dissolve into
  // their inputs with their ON conditions joining the WHERE conjuncts.
  std::vector<from_item*> rels;
  std::function<void(from_item&)> flatten = [&](from_item& it) {
    if (it.kind == from_item::computed) return;  // LATERAL expressions: no relation of their own
    if (it.kind == from_item::join && it.jtype == exec::join_type::inner) {
      flatten(*it.left);
      flatten(*it.right);
      conjuncts.insert(conjuncts.end(), it.conds.begin(), it.conds.end());
    } else {
      rels.push_back(&it);
    }
  };
  for (auto& it : items) flatten(*it);

  // Assign each predicate to the one relation it reads, or keep it for a join.
  std::vector<std::vector<expr_ptr>> local(rels.size());
  std::vector<std::pair<expr_ptr, std::set<int>>> joins;
  for (auto& p : conjuncts) {
    std::set<int> cols;
    collect_columns(*p, cols);
    int owner = -1;
    if (cols.empty()) {
      owner = 0;
    } else {
      for (size_t i = 0; i < rels.size(); ++i)
        if (subset(cols, rels[i]->ids)) owner = int(i);
    }
    if (owner >= 0)
      local[owner].push_back(p);
    else
      joins.emplace_back(p, cols);
  }
  struct planned {
    plan_ptr plan;
    std::vector<int> layout;
    std::set<int> ids;
  };
  std::vector<planned> parts;
  for (size_t i = 0; i < rels.size(); ++i) {
    planned pl;
    pl.plan = plan_item(*rels[i], local[i], sc, pl.layout);
    pl.ids = rels[i]->ids;
    parts.push_back(std::move(pl));
  }
  // Greedy: start from the smallest; add the smallest relation connected to what we have.
  std::vector<bool> used(parts.size(), false);
  size_t start = 0;
  for (size_t i = 1; i < parts.size(); ++i)
    if (parts[i].plan->est_rows < parts[start].plan->est_rows) start = i;
  planned cur = parts[start];
  used[start] = true;
  std::vector<bool> join_done(joins.size(), false);
  for (size_t step = 1; step < parts.size(); ++step) {
    int pick = -1;
    bool pick_connected = false;
    for (size_t i = 0; i < parts.size(); ++i) {
      if (used[i]) continue;
      std::set<int> both = cur.ids;
      both.insert(parts[i].ids.begin(), parts[i].ids.end());
      bool connected = false;
      for (size_t j = 0; j < joins.size(); ++j)
        if (!join_done[j] && subset(joins[j].second, both)) connected = true;
      if (pick < 0 || (connected && !pick_connected) ||
          (connected == pick_connected && parts[i].plan->est_rows < parts[pick].plan->est_rows)) {
        pick = int(i);
        pick_connected = connected;
      }
    }
    used[pick] = true;
    planned& next = parts[pick];
    std::set<int> both = cur.ids;
    both.insert(next.ids.begin(), next.ids.end());
    std::vector<expr_ptr> preds;
    for (size_t j = 0; j < joins.size(); ++j)
      if (!join_done[j] && subset(joins[j].second, both)) {
        preds.push_back(joins[j].first);
        join_done[j] = true;
      }
    planned joined;
    // The hash join builds on its right input: put the smaller side there.
    if (next.plan->est_rows > cur.plan->est_rows * 2)
      joined.plan = join_plans(next.plan, next.layout, cur.plan, cur.layout, exec::join_type::inner, preds, sc,
                               joined.layout);
    else
      joined.plan = join_plans(cur.plan, cur.layout, next.plan, next.layout, exec::join_type::inner, preds, sc,
                               joined.layout);
    joined.ids = both;
    cur = std::move(joined);
  }
  // Predicates over columns of several relations not placed yet (cannot happen unless they
  // reference ids outside every relation) are applied on top.
  std::vector<expr_ptr> rest;
  for (size_t j = 0; j < joins.size(); ++j)
    if (!join_done[j]) rest.push_back(joins[j].first);
  layout = cur.layout;
  if (layout.size() < size_t(sc.width)) layout.resize(sc.width, -1);
  if (!rest.empty()) {
    auto f = std::make_shared<exec::filter_node>();
    f->predicate = remap(and_all(rest), layout);
    f->children.push_back(cur.plan);
    f->types = cur.plan->types;
    f->names = cur.plan->names;
    f->est_rows = cur.plan->est_rows;
    return f;
  }
  return cur.plan;
}

std::unique_ptr<binder::from_item> binder::bind_lateral(const node& x, scope& sc) {
  // Only the single-row form LATERAL (SELECT exprs) with no FROM: its columns become the
  // expressions, bound in this query level (where the columns on their left are visible).
  node sel = x["subquery"]["SelectStmt"];
  for (auto* k : {"fromClause", "whereClause", "groupClause", "havingClause", "sortClause", "limitCount", "limitOffset",
                  "valuesLists", "distinctClause", "larg"})
    if (sel.has(k)) fail(sqlstate::feature_not_supported, "LATERAL subqueries with FROM are not supported", 0);
  if (!x.has("alias")) fail(sqlstate::syntax_error, "subquery in FROM must have an alias", 0);
  rte r;
  const char* saved = sc.agg_forbidden;
  sc.agg_forbidden = "FROM clause";
  for (auto& t : sel.list("targetList")) {
    node rt = t["ResTarget"];
    auto e = resolve_unknown(bind_expr(rt["val"], sc));
    std::string name(rt.str("name"));
    if (name.empty()) {
      node v = rt["val"];
      if (v.type() == "FuncCall") {
        auto parts = v.inner().list("funcname");
        name = parts.empty() ? "?column?" : lower(parts.back()["String"].str("sval"));
      } else if (v.type() == "ColumnRef") {
        auto f = v.inner().list("fields");
        name = f.empty() ? "?column?" : std::string(f.back()["String"].str("sval"));
      } else {
        name = "?column?";
      }
    }
    r.names.push_back(name);
    r.types.push_back(e->type);
    r.computed.push_back(e);
  }
  sc.agg_forbidden = saved;
  node alias = x["alias"];
  r.alias = std::string(alias.str("aliasname"));
  auto cols = alias.list("colnames");
  if (cols.size() > r.names.size())
    fail(sqlstate::invalid_column_reference,
         "table \"" + r.alias + "\" has " + std::to_string(r.names.size()) + " columns available but " +
             std::to_string(cols.size()) + " columns specified",
         0);
  for (size_t i = 0; i < cols.size(); ++i) r.names[i] = std::string(cols[i]["String"].str("sval"));
  auto item = std::make_unique<from_item>();
  item->kind = from_item::computed;
  item->rte_index = int(sc.rtes.size());
  add_rte(sc, std::move(r));
  return item;
}

std::unique_ptr<binder::from_item> binder::bind_range_function(const node& x, scope& sc) {
  auto fns = x.list("functions");
  if (fns.size() != 1 || x.boolean("ordinality") || x.boolean("is_rowsfrom"))
    fail(sqlstate::feature_not_supported, "this form of function in FROM is not supported", 0);
  auto parts = fns[0]["List"].list("items");
  node call = parts.empty() ? node() : parts[0]["FuncCall"];
  if (!call) fail(sqlstate::feature_not_supported, "this form of function in FROM is not supported", 0);
  auto names = call.list("funcname");
  std::string fn = names.empty() ? "" : lower(names.back()["String"].str("sval"));
  int loc = call.location();
  // Arguments may read outer query levels (correlated), not this level's other FROM items.
  scope fs;
  fs.parent = sc.parent;
  fs.agg_forbidden = "functions in FROM";
  std::vector<expr_ptr> args;
  for (auto& a : call.list("args")) args.push_back(bind_expr(a, fs));
  auto node_ = std::make_shared<exec::function_scan_node>();
  node_->fn = fn;
  sql_type out;
  auto sig = [&] {
    std::string s = fn + "(";
    for (size_t i = 0; i < args.size(); ++i) s += (i ? ", " : "") + args[i]->type.name();
    return s + ")";
  };
  auto no_function = [&]() {
    db_error err(sqlstate::undefined_function, "function " + sig() + " does not exist", loc);
    err.with_hint("No function matches the given name and argument types. You might need to add explicit type casts.");
    throw err;
  };
  if (fn == "generate_series") {
    if (args.size() < 2 || args.size() > 3) no_function();
    bool wide = false;
    for (auto& a : args) {
      if (!a->type.is_integer() && a->type.id != type_id::unknown && a->type.id != type_id::null_) no_function();
      wide |= a->type.id == type_id::int64;
    }
    out = wide ? sql_type::int64() : sql_type::int32();
    for (auto& a : args) a = coerce(a, out, int(cast_kind::implicit), loc);
  } else if (fn == "unnest") {
    if (args.size() != 1) no_function();
    out = sql_type::text();
    args[0] = coerce(args[0], sql_type::text(), int(cast_kind::implicit), loc);
  } else {
    fail(sqlstate::feature_not_supported, "function " + fn + " in FROM is not supported", loc);
  }
  node_->args = args;
  node_->types = {out};
  node_->names = {fn};
  node_->est_rows = 1000;
  if (fn == "generate_series" && args[0]->kind == expr_kind::constant && args[1]->kind == expr_kind::constant &&
      !args[0]->constant.is_null() && !args[1]->constant.is_null())
    node_->est_rows = std::max<double>(1, double(args[1]->constant.as_int() - args[0]->constant.as_int() + 1));
  rte r;
  r.alias = fn;
  r.names = {fn};
  r.types = {out};
  node alias = x["alias"];
  if (alias) {
    r.alias = std::string(alias.str("aliasname"));
    auto cols = alias.list("colnames");
    r.names[0] = cols.empty() ? r.alias : std::string(cols[0]["String"].str("sval"));
    if (cols.size() > 1)
      fail(
          sqlstate::invalid_column_reference,
          "table \"" + r.alias + "\" has 1 columns available but " + std::to_string(cols.size()) + " columns specified",
          0);
  }
  auto item = std::make_unique<from_item>();
  item->kind = from_item::derived;
  item->sub = node_;
  item->rte_index = int(sc.rtes.size());
  add_rte(sc, std::move(r));
  item->ids.insert(sc.rtes.back().first_id);
  if (fs.correlated) sc.correlated = true;
  return item;
}

system_context binder::make_system_context() const {
  system_context c{cat_};
  c.cluster = cluster;
  c.current_database = current_database;
  c.current_user = current_user;
  return c;
}

}  // namespace db001::sql
