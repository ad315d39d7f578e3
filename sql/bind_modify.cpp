// INSERT, UPDATE, DELETE, column defaults, and type names.
#include <algorithm>
#include <functional>

#include "sql/binder.h"
#include "storage/cast.h"

namespace db001::sql {

using exec::expr_kind;

namespace {

[[noreturn]] void fail(const char* code, const std::string& msg, int loc) { throw db_error(code, msg, loc); }

std::shared_ptr<storage::table> target_table(storage::catalog& cat, const node& rel) {
  std::string name(rel.str("relname"));
  auto t = cat.find_table(name);
  if (!t) {
    if (cat.find_view(name))
      fail(sqlstate::wrong_object_type, "cannot change view \"" + name + "\"", rel.location());
    fail(sqlstate::undefined_table, "relation \"" + name + "\" does not exist", rel.location());
  }
  return t;
}

}  // namespace

sql_type binder::type_from_name(const node& tn) {
  auto names = tn.list("names");
  if (names.empty()) fail(sqlstate::syntax_error, "missing type name", tn.location());
  std::string name(names.back()["String"].str("sval"));
  // Arrays and the catalog's own types map onto ours (see system_views.h).
  if (tn.has("arrayBounds")) return sql_type::text();
  if (name == "oid" || name == "regclass" || name == "regtype" || name == "regnamespace" || name == "regproc" ||
      name == "regrole" || name == "xid" || name == "cid")
    return sql_type::int64();
  if (name == "name" || name == "int2vector" || name == "oidvector" || name == "pg_node_tree" || name == "aclitem")
    return sql_type::text();
  std::vector<int64_t> mods;
  for (auto& m : tn.list("typmods")) {
    node c = m["A_Const"];
    if (!c || !c.has("ival")) {
      if (c && c.has("ival") == false && c.has("sval") == false && c.has("fval") == false) {
        mods.push_back(0);
        continue;
      }
      fail(sqlstate::syntax_error, "type modifiers must be simple constants or identifiers", tn.location());
    }
    mods.push_back(c["ival"].integer("ival", 0));
  }
  auto mod = [&](size_t i, int64_t dflt) { return i < mods.size() ? mods[i] : dflt; };
  if (name == "int4" || name == "integer" || name == "int") return sql_type::int32();
  if (name == "int2" || name == "smallint") return sql_type::int16();
  if (name == "int8" || name == "bigint") return sql_type::int64();
  if (name == "float4" || name == "real") return sql_type::float32();
  if (name == "float8" || name == "double precision") return sql_type::float64();
  if (name == "float") return mod(0, 53) <= 24 ? sql_type::float32() : sql_type::float64();
  if (name == "bool" || name == "boolean") return sql_type::boolean();
  if (name == "text") return sql_type::text();
  if (name == "date") return sql_type::date();
  if (name == "timestamp") return sql_type::timestamp();
  if (name == "numeric" || name == "decimal") {
    if (mods.empty()) return sql_type::numeric();
    int64_t p = mods[0], s = mod(1, 0);
    if (p < 1 || p > 38)
      fail(sqlstate::invalid_parameter_value, "NUMERIC precision " + std::to_string(p) + " must be between 1 and 38",
           tn.location());
    if (s < 0 || s > p)
      fail(sqlstate::invalid_parameter_value,
           "NUMERIC scale " + std::to_string(s) + " must be between 0 and precision " + std::to_string(p), tn.location());
    return sql_type::numeric(int(p), int(s));
  }
  if (name == "varchar" || name == "character varying") {
    if (mods.empty()) return sql_type::varchar();
    if (mods[0] < 1 || mods[0] > 10485760)
      fail(sqlstate::invalid_parameter_value, "length for type varchar must be at least 1", tn.location());
    return sql_type::varchar(int(std::min<int64_t>(mods[0], 32767)));
  }
  if (name == "bpchar" || name == "char" || name == "character") {
    int64_t n = mod(0, 1);
    if (n < 1 || n > 10485760) fail(sqlstate::invalid_parameter_value, "length for type char must be at least 1", tn.location());
    return sql_type::bpchar(int(std::min<int64_t>(n, 32767)));
  }
  if (name == "timestamptz" || name == "time" || name == "timetz" || name == "interval" || name == "bytea" ||
      name == "json" || name == "jsonb" || name == "uuid")
    fail(sqlstate::feature_not_supported, "type " + name + " is not supported", tn.location());
  fail(sqlstate::undefined_object, "type \"" + name + "\" does not exist", tn.location());
}

expr_ptr binder::bind_default(const storage::column_def& col) {
  if (!col.has_default) return nullptr;
  auto tree = parse_json(col.default_json);
  scope sc;
  sc.agg_forbidden = "DEFAULT expressions";
  auto e = bind_expr(tree.statements[0].stmt, sc);
  return coerce_to_column(e, col, e->location);
}

plan_ptr binder::bind_insert(const node& stmt) {
  if (stmt.has("onConflictClause")) fail(sqlstate::feature_not_supported, "ON CONFLICT is not supported yet", 0);
  if (stmt.has("returningList")) fail(sqlstate::feature_not_supported, "RETURNING is not supported yet", 0);
  if (stmt.has("withClause")) fail(sqlstate::feature_not_supported, "WITH queries are not supported", 0);
  auto tbl = target_table(cat_, stmt["relation"]);
  // Target columns, in the order the source provides them.
  std::vector<int> targets;
  for (auto& c : stmt.list("cols")) {
    node rt = c["ResTarget"];
    std::string name(rt.str("name"));
    int idx = tbl->find_column(name);
    if (idx < 0)
      fail(sqlstate::undefined_column, "column \"" + name + "\" of relation \"" + tbl->name() + "\" does not exist",
           rt.location());
    if (std::find(targets.begin(), targets.end(), idx) != targets.end())
      fail(sqlstate::duplicate_column, "column \"" + name + "\" specified more than once", rt.location());
    if (rt.has("indirection")) fail(sqlstate::feature_not_supported, "subscripted INSERT targets are not supported", rt.location());
    targets.push_back(idx);
  }
  bool explicit_cols = !targets.empty();
  if (!explicit_cols)
    for (size_t i = 0; i < tbl->column_count(); ++i) targets.push_back(int(i));

  auto ins = std::make_shared<exec::insert_node>();
  ins->tbl = tbl;
  ins->col_map.assign(tbl->column_count(), -1);
  ins->defaults.resize(tbl->column_count());
  for (size_t c = 0; c < tbl->column_count(); ++c) ins->defaults[c] = bind_default(tbl->column(c));

  plan_ptr source;
  node sel = stmt["selectStmt"]["SelectStmt"];
  if (!sel) {
    // DEFAULT VALUES: one row of defaults.
    auto v = std::make_shared<exec::values_node>();
    v->rows.emplace_back();
    source = v;
    targets.clear();
  } else if (sel.has("valuesLists") && !sel.has("sortClause") && !sel.has("limitCount")) {
    // VALUES rows: each item coerced to its column; DEFAULT items take the column default.
    auto v = std::make_shared<exec::values_node>();
    scope sc;
    sc.agg_forbidden = "VALUES";
    for (auto& row : sel.list("valuesLists")) {
      auto items = row["List"].list("items");
      if (items.size() > targets.size())
        fail(sqlstate::syntax_error, "INSERT has more expressions than target columns", items[targets.size()].inner().location());
      if (items.size() < targets.size() && explicit_cols)
        fail(sqlstate::syntax_error, "INSERT has more target columns than expressions", 0);
      std::vector<expr_ptr> exprs;
      for (size_t i = 0; i < items.size(); ++i) {
        const auto& col = tbl->column(targets[i]);
        if (items[i].type() == "SetToDefault") {
          auto d = ins->defaults[targets[i]];
          exprs.push_back(d ? d : expr::make_constant(value::null(col.type), col.type));
          continue;
        }
        auto e = bind_expr(items[i], sc);
        exprs.push_back(fold(coerce_to_column(e, col, e->location)));
      }
      // Fewer values than columns (no column list): the rest take defaults.
      for (size_t i = items.size(); i < targets.size(); ++i) {
        const auto& col = tbl->column(targets[i]);
        auto d = ins->defaults[targets[i]];
        exprs.push_back(d ? d : expr::make_constant(value::null(col.type), col.type));
      }
      v->rows.push_back(std::move(exprs));
    }
    for (int t : targets) {
      v->types.push_back(tbl->column(t).type);
      v->names.push_back(tbl->column(t).name);
    }
    v->est_rows = double(v->rows.size());
    source = v;
  } else {
    bound_query q = bind_select(sel);
    if (q.types.size() > targets.size()) fail(sqlstate::syntax_error, "INSERT has more expressions than target columns", 0);
    if (q.types.size() < targets.size() && explicit_cols)
      fail(sqlstate::syntax_error, "INSERT has more target columns than expressions", 0);
    targets.resize(q.types.size());
    auto p = std::make_shared<exec::project_node>();
    for (size_t i = 0; i < q.types.size(); ++i) {
      const auto& col = tbl->column(targets[i]);
      p->exprs.push_back(coerce_to_column(expr::make_column(int(i), q.types[i]), col, 0));
      p->types.push_back(col.type);
      p->names.push_back(col.name);
    }
    p->children.push_back(q.plan);
    p->est_rows = q.plan->est_rows;
    source = p;
  }
  for (size_t i = 0; i < targets.size(); ++i) ins->col_map[targets[i]] = int(i);
  ins->children.push_back(source);
  return ins;
}

namespace {
/// The target of UPDATE/DELETE as the single FROM item of a scope.
std::shared_ptr<storage::table> bind_target(storage::catalog& cat, const node& rel, scope& sc,
                                            std::function<void(rte)> add) {
  auto tbl = target_table(cat, rel);
  rte r;
  r.alias = rel.has("alias") ? std::string(rel["alias"].str("aliasname")) : tbl->name();
  for (auto& c : tbl->columns()) {
    r.names.push_back(c.name);
    r.types.push_back(c.type);
  }
  r.tbl = tbl;
  add(std::move(r));
  return tbl;
}
}  // namespace

plan_ptr binder::bind_modify_scan(const std::shared_ptr<storage::table>& tbl, const node& where, scope& sc,
                                  expr_ptr& recheck) {
  from_item item;
  item.kind = from_item::base;
  item.tbl = tbl;
  item.rte_index = 0;
  for (size_t i = 0; i < tbl->column_count(); ++i) item.ids.insert(int(i));
  std::vector<expr_ptr> conj;
  if (where) split_conjuncts(fold(bind_condition(where, sc, "WHERE")), conj);
  std::vector<int> layout;
  plan_ptr scan = plan_base(item, conj, sc, layout, true);
  if (!conj.empty()) {
    auto all = conj.size() == 1 ? conj[0] : expr::make(expr_kind::and_, sql_type::boolean(), conj);
    recheck = remap(all, layout);
  }
  return scan;
}

plan_ptr binder::bind_update(const node& stmt) {
  if (stmt.has("fromClause")) fail(sqlstate::feature_not_supported, "UPDATE ... FROM is not supported yet", 0);
  if (stmt.has("returningList")) fail(sqlstate::feature_not_supported, "RETURNING is not supported yet", 0);
  if (stmt.has("withClause")) fail(sqlstate::feature_not_supported, "WITH queries are not supported", 0);
  scope sc;
  auto tbl = bind_target(cat_, stmt["relation"], sc, [&](rte r) { add_rte(sc, std::move(r)); });
  auto up = std::make_shared<exec::update_node>();
  up->tbl = tbl;
  size_t n = tbl->column_count();
  std::vector<expr_ptr> set(n);
  for (size_t c = 0; c < n; ++c) set[c] = expr::make_column(int(c), tbl->column(c).type);
  std::vector<bool> assigned(n, false);
  sc.agg_forbidden = "UPDATE";
  for (auto& t : stmt.list("targetList")) {
    node rt = t["ResTarget"];
    std::string name(rt.str("name"));
    int idx = tbl->find_column(name);
    if (idx < 0)
      fail(sqlstate::undefined_column, "column \"" + name + "\" of relation \"" + tbl->name() + "\" does not exist",
           rt.location());
    if (rt.has("indirection")) fail(sqlstate::feature_not_supported, "subscripted UPDATE targets are not supported", rt.location());
    if (assigned[idx]) fail(sqlstate::syntax_error, "multiple assignments to same column \"" + name + "\"", rt.location());
    assigned[idx] = true;
    node val = rt["val"];
    if (val.type() == "MultiAssignRef")
      fail(sqlstate::feature_not_supported, "multiple-column UPDATE assignments are not supported", rt.location());
    const auto& col = tbl->column(idx);
    if (val.type() == "SetToDefault") {
      auto d = bind_default(col);
      set[idx] = d ? d : expr::make_constant(value::null(col.type), col.type);
    } else {
      auto e = bind_expr(val, sc);
      set[idx] = fold(coerce_to_column(e, col, e->location));
    }
  }
  sc.agg_forbidden = nullptr;
  plan_ptr scan = bind_modify_scan(tbl, stmt["whereClause"], sc, up->recheck);
  std::vector<int> layout(n);
  for (size_t c = 0; c < n; ++c) layout[c] = int(c);
  for (auto& e : set) up->set_exprs.push_back(remap(e, layout));
  up->children.push_back(scan);
  return up;
}

plan_ptr binder::bind_delete(const node& stmt) {
  if (stmt.has("usingClause")) fail(sqlstate::feature_not_supported, "DELETE ... USING is not supported yet", 0);
  if (stmt.has("returningList")) fail(sqlstate::feature_not_supported, "RETURNING is not supported yet", 0);
  if (stmt.has("withClause")) fail(sqlstate::feature_not_supported, "WITH queries are not supported", 0);
  scope sc;
  auto tbl = bind_target(cat_, stmt["relation"], sc, [&](rte r) { add_rte(sc, std::move(r)); });
  auto del = std::make_shared<exec::delete_node>();
  del->tbl = tbl;
  del->children.push_back(bind_modify_scan(tbl, stmt["whereClause"], sc, del->recheck));
  return del;
}

}  // namespace db001::sql
