#include "sql/ddl.h"

#include <algorithm>
#include <cstring>

#include "sql/binder.h"
#include "storage/cast.h"

namespace db001::sql {

namespace {

[[noreturn]] void fail(const char* code, const std::string& msg, int loc = 0) { throw db_error(code, msg, loc); }

/// The text of an expression starting at byte `start` of `text`: up to the first ',' or ')'
/// at nesting depth 0 outside quotes, or a constraint keyword. For \d display.
std::string expression_text(const std::string& text, size_t start) {
  int depth = 0;
  bool quote = false;
  size_t i = start;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (quote) {
      if (c == '\'') quote = false;
      continue;
    }
    if (c == '\'') quote = true;
    else if (c == '(') ++depth;
    else if (c == ')') {
      if (depth == 0) break;
      --depth;
    } else if (c == ',' && depth == 0) {
      break;
    } else if (depth == 0 && (c == ' ' || c == '\n' || c == '\t')) {
      // Stop before a following constraint keyword.
      std::string rest = text.substr(i + 1, 12);
      for (auto& ch : rest) ch = char(std::toupper(static_cast<unsigned char>(ch)));
      for (const char* kw : {"NOT ", "NULL", "PRIMARY", "UNIQUE", "CHECK", "REFERENCES", "CONSTRAINT", "DEFAULT"})
        if (rest.rfind(kw, 0) == 0) return text.substr(start, i - start);
    }
  }
  std::string out = text.substr(start, i - start);
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

/// Whether the stored cell (row r, column c) is NULL.
bool cell_is_null(const storage::table& t, storage::row_id r, size_t c) {
  return t.block_of(r).column(c).nulls[storage::rid_slot(r)] != 0;
}

/// The stored cell as text for error details ("?" for types not decoded here).
std::string cell_text(const storage::table& t, storage::row_id r, size_t c) {
  if (cell_is_null(t, r, c)) return "null";
  auto& col = t.block_of(r).column(c);
  sql_type ty = t.column(c).type;
  const char* p = reinterpret_cast<const char*>(col.data) + storage::rid_slot(r) * phys_size(ty.physical());
  switch (ty.physical()) {
    case phys::i16: {
      int16_t x;
      std::memcpy(&x, p, 2);
      return ty.is_integer() ? std::to_string(x) : "?";
    }
    case phys::i32: {
      int32_t x;
      std::memcpy(&x, p, 4);
      return ty.is_integer() ? std::to_string(x) : "?";
    }
    case phys::i64: {
      int64_t x;
      std::memcpy(&x, p, 8);
      return ty.is_integer() ? std::to_string(x) : "?";
    }
    case phys::str: {
      string_t x;
      std::memcpy(static_cast<void*>(&x), p, sizeof x);
      return std::string(x.view());
    }
    default:
      return "?";
  }
}

/// Fills a new index from the table's existing row versions (every version not known dead).
void backfill(engine::engine& eng, storage::index& ix) {
  auto& tbl = ix.tbl();
  auto snap = eng.txns().current_snapshot();
  std::map<std::string, storage::row_id> seen;
  for (uint32_t b = 0; b < tbl.block_count(); ++b) {
    auto& blk = tbl.block(b);
    for (uint32_t s = 0; s < blk.used(); ++s) {
      uint64_t xmin = blk.load_xmin(s);
      if (xmin <= storage::slot_aborted) continue;
      storage::row_id rid = storage::make_rid(b, s);
      bool has_null = false;
      std::string key = ix.row_key(rid, &has_null);
      if (ix.unique() && !has_null && eng.txns().visible(blk, s, snap)) {
        auto [it, fresh] = seen.emplace(key, rid);
        if (!fresh) {
          db_error e(sqlstate::unique_violation, "could not create unique index \"" + ix.name() + "\"");
          std::string cols, vals;
          for (int c : ix.columns()) {
            cols += (cols.empty() ? "" : ", ") + tbl.column(c).name;
            vals += (vals.empty() ? "" : ", ") + cell_text(tbl, rid, size_t(c));
          }
          e.with_detail("Key (" + cols + ")=(" + vals + ") is duplicated.");
          throw e;
        }
      }
      ix.insert(key, rid);
    }
  }
}

std::shared_ptr<storage::index> add_index(engine::engine& eng, txn::transaction& t, std::shared_ptr<storage::table> tbl,
                                          std::string name, std::vector<int> cols, bool unique, bool primary,
                                          bool constraint = false) {
  auto& cat = eng.catalog();
  auto ix = std::make_shared<storage::index>(cat.next_oid(), name, tbl.get(), std::move(cols), unique, primary);
  ix->set_constraint(constraint);
  cat.add_index(ix);
  eng.txns().begin_ddl(t);
  t.ddl_undo.push_back([&cat, name] { cat.remove_index(name); });
  try {
    backfill(eng, *ix);
  } catch (...) {
    cat.remove_index(name);
    t.ddl_undo.pop_back();
    throw;
  }
  return ix;
}

std::string unique_index_name(storage::catalog& cat, const std::string& base) {
  std::string name = base.substr(0, 63);
  for (int i = 1; cat.find_index(name) || cat.find_table(name) || cat.find_view(name); ++i)
    name = base.substr(0, 60) + std::to_string(i);
  return name;
}

/// WITH (...) storage parameters: fillfactor is accepted (and ignored: rows are not kept in
/// pages); anything else is PostgreSQL's 22023.
void check_storage_parameters(const node& stmt) {
  for (auto& o : stmt.list("options")) {
    node d = o["DefElem"];
    std::string name(d.str("defname"));
    if (d.has("defnamespace")) name = std::string(d.str("defnamespace")) + "." + name;
    if (name == "fillfactor") {
      int64_t v = d["arg"]["Integer"].integer("ival", -1);
      if (v < 10 || v > 100) {
        db_error e(sqlstate::invalid_parameter_value,
                   "value " + std::to_string(v) + " out of bounds for option \"fillfactor\"");
        e.with_detail("Valid values are between \"10\" and \"100\".");
        throw e;
      }
      continue;
    }
    fail(sqlstate::invalid_parameter_value, "unrecognized parameter \"" + name + "\"");
  }
}

}  // namespace

std::string create_table(engine::engine& eng, txn::transaction& t, const node& stmt, const std::string& text,
                         std::vector<std::string>& notices) {
  auto& cat = eng.catalog();
  node rel = stmt["relation"];
  std::string name(rel.str("relname"));
  std::string schema(rel.str("schemaname"));
  if (!schema.empty() && schema != "public") fail(sqlstate::invalid_name, "schema \"" + schema + "\" does not exist", rel.location());
  if (rel.str("relpersistence") == "t") {
    // TEMP tables behave as ordinary tables (documented).
  }
  if (cat.find_table(name) || cat.find_view(name) || cat.find_index(name)) {
    if (stmt.boolean("if_not_exists")) {
      notices.push_back("relation \"" + name + "\" already exists, skipping");
      return "CREATE TABLE";
    }
    fail(sqlstate::duplicate_table, "relation \"" + name + "\" already exists", rel.location());
  }
  if (stmt.has("inhRelations")) fail(sqlstate::feature_not_supported, "table inheritance is not supported");
  check_storage_parameters(stmt);
  if (stmt.has("partspec")) fail(sqlstate::feature_not_supported, "partitioned tables are not supported");
  std::vector<storage::column_def> cols;
  std::vector<std::vector<std::string>> uniques;  // column name lists
  std::vector<std::string> primary;
  int stmt_offset = 0;  // locations are relative to the whole query string; `text` is this statement
  (void)stmt_offset;
  for (auto& elt : stmt.list("tableElts")) {
    std::string_view et = elt.type();
    node x = elt.inner();
    if (et == "ColumnDef") {
      storage::column_def c;
      c.name = std::string(x.str("colname"));
      for (auto& other : cols)
        if (other.name == c.name) fail(sqlstate::duplicate_column, "column \"" + c.name + "\" specified more than once", x.location());
      auto tn = x["typeName"];
      auto tnames = tn.list("names");
      std::string raw = tnames.empty() ? "" : std::string(tnames.back()["String"].str("sval"));
      if (raw == "serial" || raw == "bigserial" || raw == "smallserial" || raw == "serial4" || raw == "serial8")
        fail(sqlstate::feature_not_supported, "type " + raw + " is not supported yet (no sequences)", tn.location());
      c.type = binder::type_from_name(tn);
      if (x.boolean("is_not_null")) c.not_null = true;
      for (auto& con : x.list("constraints")) {
        node k = con["Constraint"];
        std::string_view ct = k.str("contype");
        if (ct == "CONSTR_NOTNULL") c.not_null = true;
        else if (ct == "CONSTR_NULL") c.not_null = false;
        else if (ct == "CONSTR_DEFAULT") {
          c.has_default = true;
          node raw_expr = k["raw_expr"];
          c.default_json = raw_expr.json();
          int loc = raw_expr.type().empty() ? 0 : raw_expr.inner().location();
          c.default_text = loc > 0 ? expression_text(text, size_t(loc - 1)) : "";
        } else if (ct == "CONSTR_PRIMARY") {
          if (!primary.empty()) fail(sqlstate::invalid_name, "multiple primary keys for table \"" + name + "\" are not allowed", k.location());
          primary = {c.name};
        } else if (ct == "CONSTR_UNIQUE") {
          uniques.push_back({c.name});
        } else if (ct == "CONSTR_CHECK") {
          fail(sqlstate::feature_not_supported, "CHECK constraints are not supported yet", k.location());
        } else if (ct == "CONSTR_FOREIGN") {
          fail(sqlstate::feature_not_supported, "foreign keys are not supported yet", k.location());
        } else {
          fail(sqlstate::feature_not_supported, "constraint " + std::string(ct) + " is not supported", k.location());
        }
      }
      cols.push_back(std::move(c));
    } else if (et == "Constraint") {
      std::string_view ct = x.str("contype");
      std::vector<std::string> keys;
      for (auto& kname : x.list("keys")) keys.push_back(std::string(kname["String"].str("sval")));
      if (ct == "CONSTR_PRIMARY") {
        if (!primary.empty()) fail(sqlstate::invalid_name, "multiple primary keys for table \"" + name + "\" are not allowed", x.location());
        primary = keys;
      } else if (ct == "CONSTR_UNIQUE") {
        uniques.push_back(keys);
      } else if (ct == "CONSTR_CHECK") {
        fail(sqlstate::feature_not_supported, "CHECK constraints are not supported yet", x.location());
      } else if (ct == "CONSTR_FOREIGN") {
        fail(sqlstate::feature_not_supported, "foreign keys are not supported yet", x.location());
      } else {
        fail(sqlstate::feature_not_supported, "constraint " + std::string(ct) + " is not supported", x.location());
      }
    } else {
      fail(sqlstate::feature_not_supported, std::string(et) + " in CREATE TABLE is not supported");
    }
  }
  auto resolve = [&](const std::vector<std::string>& keys) {
    std::vector<int> idx;
    for (auto& k : keys) {
      auto it = std::find_if(cols.begin(), cols.end(), [&](auto& c) { return c.name == k; });
      if (it == cols.end()) fail(sqlstate::undefined_column, "column \"" + k + "\" named in key does not exist");
      idx.push_back(int(it - cols.begin()));
    }
    return idx;
  };
  std::vector<int> pk = resolve(primary);
  for (int i : pk) cols[i].not_null = true;
  auto tbl = std::make_shared<storage::table>(cat.next_oid(), name, cols);
  // Check the defaults bind (type errors are reported now, as PostgreSQL does).
  {
    binder b(cat, nullptr);
    for (auto& c : tbl->columns()) b.bind_default(c);
  }
  cat.add_table(tbl);
  eng.txns().begin_ddl(t);
  t.ddl_undo.push_back([&cat, name] { cat.remove_table(name); });
  if (!pk.empty()) add_index(eng, t, tbl, unique_index_name(cat, name + "_pkey"), pk, true, true);
  for (auto& u : uniques) {
    std::string base = name;
    for (auto& k : u) base += "_" + k;
    add_index(eng, t, tbl, unique_index_name(cat, base + "_key"), resolve(u), true, false, true);
  }
  return "CREATE TABLE";
}

std::string drop_objects(engine::engine& eng, txn::transaction& t, const node& stmt, std::vector<std::string>& notices) {
  auto& cat = eng.catalog();
  std::string_view type = stmt.str("removeType");
  bool missing_ok = stmt.boolean("missing_ok");
  const char* what = type == "OBJECT_TABLE" ? "table" : type == "OBJECT_INDEX" ? "index" : type == "OBJECT_VIEW" ? "view" : nullptr;
  if (!what) fail(sqlstate::feature_not_supported, "DROP " + std::string(type.substr(7)) + " is not supported");
  for (auto& obj : stmt.list("objects")) {
    auto parts = obj["List"].list("items");
    if (parts.empty()) continue;
    std::string name(parts.back()["String"].str("sval"));
    if (parts.size() > 1) {
      std::string schema(parts[parts.size() - 2]["String"].str("sval"));
      if (schema != "public") {
        if (missing_ok) {
          notices.push_back("schema \"" + schema + "\" does not exist, skipping");
          continue;
        }
        fail(sqlstate::invalid_name, "schema \"" + schema + "\" does not exist");
      }
    }
    eng.txns().begin_ddl(t);
    if (type == "OBJECT_TABLE") {
      auto tbl = cat.find_table(name);
      if (!tbl) {
        if (cat.find_view(name) || cat.find_index(name)) {
          db_error e(sqlstate::wrong_object_type, "\"" + name + "\" is not a table");
          e.with_hint(cat.find_view(name) ? "Use DROP VIEW to remove a view." : "Use DROP INDEX to remove an index.");
          throw e;
        }
        if (missing_ok) {
          notices.push_back("table \"" + name + "\" does not exist, skipping");
          continue;
        }
        fail(sqlstate::undefined_table, "table \"" + name + "\" does not exist");
      }
      auto indexes = tbl->indexes();
      cat.remove_table(name);
      t.ddl_undo.push_back([&cat, tbl, indexes] {
        cat.add_table(tbl);
        for (auto& ix : *indexes) {
          tbl->remove_index(ix.get());
          cat.add_index(ix);
        }
      });
    } else if (type == "OBJECT_INDEX") {
      auto ix = cat.find_index(name);
      if (!ix) {
        if (missing_ok) {
          notices.push_back("index \"" + name + "\" does not exist, skipping");
          continue;
        }
        fail(sqlstate::undefined_object, "index \"" + name + "\" does not exist");
      }
      if (ix->constraint()) {
        db_error e(sqlstate::dependent_objects_still_exist,
                   "cannot drop index " + name + " because constraint " + name + " on table " + ix->tbl().name() +
                       " requires it");
        e.with_hint("You can drop constraint " + name + " on table " + ix->tbl().name() + " instead.");
        throw e;
      }
      cat.remove_index(name);
      t.ddl_undo.push_back([&cat, ix] { cat.add_index(ix); });
    } else {
      auto v = cat.find_view(name);
      if (!v) {
        if (cat.find_table(name)) {
          db_error e(sqlstate::wrong_object_type, "\"" + name + "\" is not a view");
          e.with_hint("Use DROP TABLE to remove a table.");
          throw e;
        }
        if (missing_ok) {
          notices.push_back("view \"" + name + "\" does not exist, skipping");
          continue;
        }
        fail(sqlstate::undefined_table, "view \"" + name + "\" does not exist");
      }
      cat.remove_view(name);
      t.ddl_undo.push_back([&cat, v] { cat.add_view(*v); });
    }
  }
  std::string tag = "DROP ";
  for (const char* p = what; *p; ++p) tag.push_back(char(std::toupper(static_cast<unsigned char>(*p))));
  return tag;
}

std::string create_index(engine::engine& eng, txn::transaction& t, const node& stmt, std::vector<std::string>& notices) {
  auto& cat = eng.catalog();
  node rel = stmt["relation"];
  std::string tname(rel.str("relname"));
  auto tbl = cat.find_table(tname);
  if (!tbl) {
    if (cat.find_view(tname)) fail(sqlstate::wrong_object_type, "\"" + tname + "\" is not a table", rel.location());
    fail(sqlstate::undefined_table, "relation \"" + tname + "\" does not exist", rel.location());
  }
  if (stmt.has("whereClause")) fail(sqlstate::feature_not_supported, "partial indexes are not supported");
  std::string method(stmt.str("accessMethod", "btree"));
  if (method != "btree") fail(sqlstate::feature_not_supported, "access method \"" + method + "\" is not supported");
  std::vector<int> cols;
  std::string base = tname;
  for (auto& p : stmt.list("indexParams")) {
    node e = p["IndexElem"];
    if (!e.has("name")) fail(sqlstate::feature_not_supported, "indexes on expressions are not supported");
    std::string cname(e.str("name"));
    int c = tbl->find_column(cname);
    if (c < 0) fail(sqlstate::undefined_column, "column \"" + cname + "\" does not exist");
    cols.push_back(c);
    base += "_" + cname;
  }
  std::string name = stmt.has("idxname") ? std::string(stmt.str("idxname")) : unique_index_name(cat, base + "_idx");
  if (cat.find_index(name) || cat.find_table(name) || cat.find_view(name)) {
    if (stmt.boolean("if_not_exists")) {
      notices.push_back("relation \"" + name + "\" already exists, skipping");
      return "CREATE INDEX";
    }
    fail(sqlstate::duplicate_table, "relation \"" + name + "\" already exists");
  }
  bool primary = stmt.boolean("primary");
  add_index(eng, t, tbl, name, cols, stmt.boolean("unique") || primary, primary);
  return "CREATE INDEX";
}

std::string create_view(engine::engine& eng, txn::transaction& t, const node& stmt, const std::string& text,
                        std::vector<std::string>& notices) {
  auto& cat = eng.catalog();
  node rel = stmt["view"];
  std::string name(rel.str("relname"));
  node query = stmt["query"]["SelectStmt"];
  // Validate now: a broken view is rejected at CREATE, as in PostgreSQL.
  binder b(cat, nullptr);
  bound_query q = b.bind_select(query);
  storage::view_def v;
  v.name = name;
  v.query_json = query.json();
  for (auto& a : stmt.list("aliases")) v.column_names.push_back(std::string(a["String"].str("sval")));
  if (v.column_names.size() > q.names.size()) fail(sqlstate::syntax_error, "CREATE VIEW specifies more column names than columns");
  // The definition text: everything after the AS that starts the query.
  std::string up = lower(text);
  size_t as = std::string::npos;
  for (size_t pos = up.find(" as"); pos != std::string::npos; pos = up.find(" as", pos + 1)) {
    size_t next = pos + 3;
    if (next < up.size() && (std::isspace(static_cast<unsigned char>(up[next])) || up[next] == '(')) {
      as = next;
      break;
    }
  }
  v.definition = as == std::string::npos ? text : text.substr(as);
  while (!v.definition.empty() && std::isspace(static_cast<unsigned char>(v.definition.front()))) v.definition.erase(0, 1);
  v.oid = cat.next_oid();
  auto old = cat.find_view(name);
  if (old) {
    if (!stmt.boolean("replace")) fail(sqlstate::duplicate_table, "relation \"" + name + "\" already exists", rel.location());
    cat.remove_view(name);
    t.ddl_undo.push_back([&cat, old] { cat.add_view(*old); });
  }
  cat.add_view(v);
  eng.txns().begin_ddl(t);
  t.ddl_undo.push_back([&cat, name] { cat.remove_view(name); });
  (void)notices;
  return "CREATE VIEW";
}

}  // namespace db001::sql

namespace db001::sql {

std::string alter_table(engine::engine& eng, txn::transaction& t, const node& stmt, std::vector<std::string>& notices) {
  auto& cat = eng.catalog();
  node rel = stmt["relation"];
  std::string name(rel.str("relname"));
  auto tbl = cat.find_table(name);
  if (!tbl) {
    if (stmt.boolean("missing_ok")) {
      notices.push_back("relation \"" + name + "\" does not exist, skipping");
      return "ALTER TABLE";
    }
    if (cat.find_view(name) || cat.find_index(name))
      fail(sqlstate::wrong_object_type, "\"" + name + "\" is not a table", rel.location());
    fail(sqlstate::undefined_table, "relation \"" + name + "\" does not exist", rel.location());
  }
  for (auto& c : stmt.list("cmds")) {
    node cmd = c["AlterTableCmd"];
    std::string_view sub = cmd.str("subtype");
    node con = cmd["def"]["Constraint"];
    std::string_view ct = con.str("contype");
    if (sub != "AT_AddConstraint" || (ct != "CONSTR_PRIMARY" && ct != "CONSTR_UNIQUE"))
      fail(sqlstate::feature_not_supported, "ALTER TABLE " + std::string(sub.substr(3)) +
                                                (ct.empty() ? "" : " " + std::string(ct.substr(7))) +
                                                " is not supported");
    bool primary = ct == "CONSTR_PRIMARY";
    std::vector<int> cols;
    std::string base = name;
    for (auto& k : con.list("keys")) {
      std::string col(k["String"].str("sval"));
      int i = tbl->find_column(col);
      if (i < 0) fail(sqlstate::undefined_column, "column \"" + col + "\" of relation \"" + name + "\" does not exist");
      cols.push_back(i);
      base += "_" + col;
    }
    if (primary) {
      auto indexes = tbl->indexes();
      for (auto& ix : *indexes)
        if (ix->primary())
          fail("42P16", "multiple primary keys for table \"" + name + "\" are not allowed", con.location());
    }
    std::string iname = con.has("conname") ? std::string(con.str("conname"))
                                           : unique_index_name(cat, primary ? name + "_pkey" : base + "_key");
    if (cat.find_index(iname) || cat.find_table(iname) || cat.find_view(iname))
      fail(sqlstate::duplicate_table, "relation \"" + iname + "\" already exists");
    if (primary) {
      // Every key column must hold no NULL (checked against the rows this transaction sees).
      auto snap = eng.txns().snapshot_of(t);
      for (int c : cols) {
        if (tbl->column(c).not_null) continue;
        for (uint32_t b = 0; b < tbl->block_count(); ++b) {
          auto& blk = tbl->block(b);
          for (uint32_t s = 0; s < blk.used(); ++s) {
            if (!eng.txns().visible(blk, s, snap)) continue;
            if (cell_is_null(*tbl, storage::make_rid(b, s), size_t(c)))
              fail(sqlstate::not_null_violation,
                   "column \"" + tbl->column(c).name + "\" of relation \"" + name + "\" contains null values");
          }
        }
      }
    }
    add_index(eng, t, tbl, iname, cols, true, primary, true);
    if (primary) {
      for (int c : cols) {
        if (tbl->column(c).not_null) continue;
        tbl->set_not_null(size_t(c), true);
        t.ddl_undo.push_back([tbl, c] { tbl->set_not_null(size_t(c), false); });
      }
    }
  }
  return "ALTER TABLE";
}

}  // namespace db001::sql
