#include "sql/system_views.h"

#include <functional>

namespace db001::sql {

namespace {

/// Builds a VALUES plan from typed columns and rows of boxed values.
struct relation_builder {
  std::vector<std::string> names;
  std::vector<sql_type> types;
  std::vector<std::vector<value>> rows;

  void column(std::string n, sql_type t) {
    names.push_back(std::move(n));
    types.push_back(t);
  }
  bound_query finish() {
    auto v = std::make_shared<exec::values_node>();
    for (auto& r : rows) {
      std::vector<expr_ptr> exprs;
      for (size_t c = 0; c < r.size(); ++c) exprs.push_back(expr::make_constant(r[c], types[c]));
      v->rows.push_back(std::move(exprs));
    }
    v->types = types;
    v->names = names;
    v->est_rows = double(rows.size());
    return {v, names, types};
  }
};

value text(const std::string& s) { return value::text(s); }
value text_or_null(const std::string& s) { return s.empty() ? value::null(sql_type::text()) : value::text(s); }
value int_or_null(int v) { return v < 0 ? value::null(sql_type::int32()) : value::int32(v); }

std::string index_def(const storage::index& ix) {
  std::string cols;
  for (int c : ix.columns()) {
    if (!cols.empty()) cols += ", ";
    cols += ix.tbl().column(c).name;
  }
  return std::string("CREATE ") + (ix.unique() ? "UNIQUE " : "") + "INDEX " + ix.name() + " ON public." +
         ix.tbl().name() + " USING btree (" + cols + ")";
}

bound_query info_tables(storage::catalog& cat) {
  relation_builder b;
  for (auto* n : {"table_catalog", "table_schema", "table_name", "table_type"}) b.column(n, sql_type::text());
  for (auto& t : cat.tables()) b.rows.push_back({text("db001"), text("public"), text(t->name()), text("BASE TABLE")});
  for (auto& v : cat.views()) b.rows.push_back({text("db001"), text("public"), text(v.name), text("VIEW")});
  return b.finish();
}

bound_query info_columns(storage::catalog& cat) {
  relation_builder b;
  for (auto* n : {"table_catalog", "table_schema", "table_name", "column_name"}) b.column(n, sql_type::text());
  b.column("ordinal_position", sql_type::int32());
  b.column("column_default", sql_type::text());
  b.column("is_nullable", sql_type::text());
  b.column("data_type", sql_type::text());
  b.column("character_maximum_length", sql_type::int32());
  b.column("numeric_precision", sql_type::int32());
  b.column("numeric_scale", sql_type::int32());
  for (auto& t : cat.tables()) {
    for (size_t i = 0; i < t->column_count(); ++i) {
      const auto& c = t->column(i);
      bool is_char = c.type.id == type_id::varchar || c.type.id == type_id::bpchar;
      int precision = -1, scale = -1;
      if (c.type.is_numeric() && c.type.width > 0) {
        precision = c.type.width;
        scale = c.type.scale;
      } else if (c.type.is_integer()) {
        precision = c.type.id == type_id::int16 ? 16 : c.type.id == type_id::int32 ? 32 : 64;
        scale = 0;
      } else if (c.type.is_float()) {
        precision = c.type.id == type_id::float32 ? 24 : 53;
      }
      b.rows.push_back({text("db001"), text("public"), text(t->name()), text(c.name), value::int32(int32_t(i + 1)),
                        c.has_default ? text_or_null(c.default_text) : value::null(sql_type::text()),
                        text(c.not_null ? "NO" : "YES"), text(information_schema_type(c.type)),
                        int_or_null(is_char ? c.type.width : -1), int_or_null(precision), int_or_null(scale)});
    }
  }
  return b.finish();
}

bound_query pg_indexes(storage::catalog& cat) {
  relation_builder b;
  for (auto* n : {"schemaname", "tablename", "indexname", "tablespace", "indexdef"}) b.column(n, sql_type::text());
  for (auto& ix : cat.all_indexes())
    b.rows.push_back({text("public"), text(ix->tbl().name()), text(ix->name()), value::null(sql_type::text()),
                      text(index_def(*ix))});
  return b.finish();
}

bound_query pg_tables(storage::catalog& cat) {
  relation_builder b;
  for (auto* n : {"schemaname", "tablename", "tableowner"}) b.column(n, sql_type::text());
  b.column("hasindexes", sql_type::boolean());
  for (auto& t : cat.tables())
    b.rows.push_back({text("public"), text(t->name()), text("postgres"), value::boolean(!t->indexes()->empty())});
  return b.finish();
}

bound_query pg_views(storage::catalog& cat) {
  relation_builder b;
  for (auto* n : {"schemaname", "viewname", "viewowner", "definition"}) b.column(n, sql_type::text());
  for (auto& v : cat.views()) b.rows.push_back({text("public"), text(v.name), text("postgres"), text(v.definition)});
  return b.finish();
}

}  // namespace

std::string information_schema_type(const sql_type& t) {
  switch (t.id) {
    case type_id::varchar: return "character varying";
    case type_id::bpchar: return "character";
    case type_id::numeric: return "numeric";
    case type_id::timestamp: return "timestamp without time zone";
    default: return t.name();
  }
}

std::optional<bound_query> system_relation(storage::catalog& cat, const std::string& schema, const std::string& name) {
  using maker = std::function<bound_query(storage::catalog&)>;
  static const std::map<std::string, maker> info = {{"tables", info_tables}, {"columns", info_columns}};
  static const std::map<std::string, maker> pg = {
      {"pg_indexes", pg_indexes}, {"pg_tables", pg_tables}, {"pg_views", pg_views}};
  if (schema == "information_schema") {
    auto it = info.find(name);
    if (it != info.end()) return it->second(cat);
    return std::nullopt;
  }
  if (schema.empty() || schema == "pg_catalog") {
    auto it = pg.find(name);
    if (it != pg.end()) return it->second(cat);
  }
  return std::nullopt;
}

}  // namespace db001::sql
