#include "sql/system_views.h"

#include <functional>

#include "exec/functions.h"

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
  /// Columns from a spec "name:type name:type ..." (o oid, t text/name/"char", b bool, s int2,
  /// i int4, l int8, f float4, x timestamp).
  void columns(const std::string& spec) {
    size_t pos = 0;
    while (pos < spec.size()) {
      size_t end = spec.find(' ', pos);
      if (end == std::string::npos) end = spec.size();
      std::string item = spec.substr(pos, end - pos);
      pos = end + 1;
      if (item.empty()) continue;
      size_t colon = item.find(':');
      char k = item[colon + 1];
      sql_type t = k == 'o' || k == 'l' ? sql_type::int64()
                   : k == 'b'           ? sql_type::boolean()
                   : k == 's'           ? sql_type::int16()
                   : k == 'i'           ? sql_type::int32()
                   : k == 'f'           ? sql_type::float32()
                   : k == 'x'           ? sql_type::timestamp()
                                        : sql_type::text();
      column(item.substr(0, colon), t);
    }
  }
  /// A row; values are converted to the column types (NULLs of the column type).
  void row(std::vector<value> r) {
    for (size_t c = 0; c < r.size() && c < types.size(); ++c) {
      if (r[c].is_null()) r[c] = value::null(types[c]);
    }
    while (r.size() < types.size()) r.push_back(value::null(types[r.size()]));
    rows.push_back(std::move(r));
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
    v->est_rows = std::max<double>(1, double(rows.size()));
    return {v, names, types};
  }
};

value text(const std::string& s) { return value::text(s); }
value text_or_null(const std::string& s) { return s.empty() ? value::null(sql_type::text()) : value::text(s); }
value int_or_null(int v) { return v < 0 ? value::null(sql_type::int32()) : value::int32(v); }
value O(int64_t x) { return value::int64(x); }
value B(bool b) { return value::boolean(b); }
value I(int64_t x) { return value::int32(int32_t(x)); }
value S(int64_t x) { return value::int16(int16_t(x)); }
value N() { return value(); }

std::string index_def(const storage::index& ix, bool qualified = true) {
  std::string cols;
  for (int c : ix.columns()) {
    if (!cols.empty()) cols += ", ";
    cols += ix.tbl().column(c).name;
  }
  return std::string("CREATE ") + (ix.unique() ? "UNIQUE " : "") + "INDEX " + ix.name() +
         (qualified ? " ON public." : " ON ") + ix.tbl().name() + " USING btree (" + cols + ")";
}

bool is_constraint(const storage::index& ix) { return ix.primary() || ix.constraint(); }

int16_t type_len(const sql_type& t) {
  switch (t.id) {
    case type_id::boolean:
      return 1;
    case type_id::int16:
      return 2;
    case type_id::int32:
    case type_id::float32:
    case type_id::date:
      return 4;
    case type_id::int64:
    case type_id::float64:
    case type_id::timestamp:
      return 8;
    default:
      return -1;
  }
}

const char* type_storage(const sql_type& t) {
  if (t.is_numeric()) return "m";
  if (type_len(t) > 0) return "p";
  return "x";
}

bool collatable(const sql_type& t) { return t.is_string(); }

/// Column types of a view (bound now; empty if the view no longer binds).
std::vector<std::pair<std::string, sql_type>> view_columns(storage::catalog& cat, const storage::view_def& v) {
  std::vector<std::pair<std::string, sql_type>> out;
  try {
    binder b(cat, nullptr);
    auto tree = parse_json(v.query_json);
    auto q = b.bind_select(tree.statements[0].stmt);
    for (size_t i = 0; i < q.names.size(); ++i)
      out.emplace_back(i < v.column_names.size() ? v.column_names[i] : q.names[i],
                       q.types[i].id == type_id::unknown ? sql_type::text() : q.types[i]);
  } catch (const db_error&) {
  }
  return out;
}

// ---------------------------------------------------------------- information_schema

bound_query info_tables(const system_context& ctx) {
  relation_builder b;
  for (auto* n : {"table_catalog", "table_schema", "table_name", "table_type"}) b.column(n, sql_type::text());
  for (auto& t : ctx.cat.tables())
    b.rows.push_back({text(ctx.current_database), text("public"), text(t->name()), text("BASE TABLE")});
  for (auto& v : ctx.cat.views())
    b.rows.push_back({text(ctx.current_database), text("public"), text(v.name), text("VIEW")});
  return b.finish();
}

bound_query info_columns(const system_context& ctx) {
  relation_builder b;
  for (auto* n : {"table_catalog", "table_schema", "table_name", "column_name"}) b.column(n, sql_type::text());
  b.column("ordinal_position", sql_type::int32());
  b.column("column_default", sql_type::text());
  b.column("is_nullable", sql_type::text());
  b.column("data_type", sql_type::text());
  b.column("character_maximum_length", sql_type::int32());
  b.column("numeric_precision", sql_type::int32());
  b.column("numeric_scale", sql_type::int32());
  for (auto& t : ctx.cat.tables()) {
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
      b.rows.push_back({text(ctx.current_database), text("public"), text(t->name()), text(c.name),
                        value::int32(int32_t(i + 1)),
                        c.has_default ? text_or_null(c.default_text) : value::null(sql_type::text()),
                        text(c.not_null ? "NO" : "YES"), text(information_schema_type(c.type)),
                        int_or_null(is_char ? c.type.width : -1), int_or_null(precision), int_or_null(scale)});
    }
  }
  return b.finish();
}

bound_query info_schemata(const system_context& ctx) {
  relation_builder b;
  b.columns("catalog_name:t schema_name:t schema_owner:t");
  for (auto& [oid, n] : namespace_names())
    b.row({text(ctx.current_database), text(n), text(oid == public_namespace ? "pg_database_owner" : "postgres")});
  return b.finish();
}

// ---------------------------------------------------------------- pg_catalog views

bound_query pg_indexes(const system_context& ctx) {
  relation_builder b;
  for (auto* n : {"schemaname", "tablename", "indexname", "tablespace", "indexdef"}) b.column(n, sql_type::text());
  for (auto& ix : ctx.cat.all_indexes())
    b.rows.push_back({text("public"), text(ix->tbl().name()), text(ix->name()), value::null(sql_type::text()),
                      text(index_def(*ix))});
  return b.finish();
}

bound_query pg_tables(const system_context& ctx) {
  relation_builder b;
  for (auto* n : {"schemaname", "tablename", "tableowner"}) b.column(n, sql_type::text());
  b.column("hasindexes", sql_type::boolean());
  for (auto& t : ctx.cat.tables())
    b.rows.push_back({text("public"), text(t->name()), text("postgres"), value::boolean(!t->indexes()->empty())});
  return b.finish();
}

bound_query pg_views(const system_context& ctx) {
  relation_builder b;
  for (auto* n : {"schemaname", "viewname", "viewowner", "definition"}) b.column(n, sql_type::text());
  for (auto& v : ctx.cat.views())
    b.rows.push_back({text("public"), text(v.name), text("postgres"), text(v.definition)});
  return b.finish();
}

// ---------------------------------------------------------------- pg_catalog tables

bound_query pg_namespace(const system_context&) {
  relation_builder b;
  b.columns("oid:o nspname:t nspowner:o nspacl:t");
  for (auto& [oid, n] : namespace_names())
    b.row({O(oid), text(n), O(oid == public_namespace ? 6171 : 10),
           oid == public_namespace     ? text("{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}")
           : oid == pg_toast_namespace ? N()
                                       : text("{postgres=UC/postgres,=U/postgres}")});
  return b.finish();
}

bound_query pg_class(const system_context& ctx) {
  relation_builder b;
  b.columns(
      "oid:o relname:t relnamespace:o reltype:o reloftype:o relowner:o relam:o relfilenode:o reltablespace:o "
      "relpages:i reltuples:f relallvisible:i reltoastrelid:o relhasindex:b relisshared:b relpersistence:t "
      "relkind:t relnatts:s relchecks:s relhasrules:b relhastriggers:b relhassubclass:b relrowsecurity:b "
      "relforcerowsecurity:b relispopulated:b relreplident:t relispartition:b relrewrite:o relfrozenxid:l "
      "relminmxid:l relacl:t reloptions:t relpartbound:t");
  auto add = [&](int64_t oid, const std::string& name, int64_t am, double tuples, bool has_index, const char* kind,
                 size_t natts, const char* replident) {
    b.row({O(oid),
           text(name),
           O(public_namespace),
           O(0),
           O(0),
           O(10),
           O(am),
           O(oid),
           O(0),
           I(0),
           value::float32(float(tuples)),
           I(0),
           O(0),
           B(has_index),
           B(false),
           text("p"),
           text(kind),
           S(int64_t(natts)),
           S(0),
           B(std::string(kind) == "v"),
           B(false),
           B(false),
           B(false),
           B(false),
           B(true),
           text(replident),
           B(false),
           O(0),
           O(0),
           O(0),
           N(),
           N(),
           N()});
  };
  for (auto& t : ctx.cat.tables())
    add(t->oid(), t->name(), 2, double(t->approx_rows()), !t->indexes()->empty(), "r", t->column_count(), "d");
  for (auto& ix : ctx.cat.all_indexes()) add(ix->oid(), ix->name(), 403, 0, false, "i", ix->columns().size(), "n");
  for (auto& v : ctx.cat.views()) add(v.oid, v.name, 0, -1, false, "v", view_columns(ctx.cat, v).size(), "n");
  return b.finish();
}

bound_query pg_attribute(const system_context& ctx) {
  relation_builder b;
  b.columns(
      "attrelid:o attname:t atttypid:o attstattarget:i attlen:s attnum:s attndims:i attcacheoff:i atttypmod:i "
      "attbyval:b attalign:t attstorage:t attcompression:t attnotnull:b atthasdef:b atthasmissing:b attidentity:t "
      "attgenerated:t attisdropped:b attislocal:b attinhcount:i attcollation:o attacl:t attoptions:t "
      "attfdwoptions:t attmissingval:t");
  auto add = [&](int64_t rel, const std::string& name, const sql_type& t, int num, bool not_null, bool has_def) {
    int16_t len = type_len(t);
    b.row({O(rel),
           text(name),
           O(t.oid()),
           I(-1),
           S(len),
           S(num),
           I(0),
           I(-1),
           I(pg_typmod(t)),
           B(len > 0 && len <= 8),
           text(len == 8   ? "d"
                : len == 2 ? "s"
                : len == 1 ? "c"
                           : "i"),
           text(type_storage(t)),
           text(""),
           B(not_null),
           B(has_def),
           B(false),
           text(""),
           text(""),
           B(false),
           B(true),
           I(0),
           O(collatable(t) ? 100 : 0),
           N(),
           N(),
           N(),
           N()});
  };
  for (auto& t : ctx.cat.tables())
    for (size_t i = 0; i < t->column_count(); ++i) {
      auto& c = t->column(i);
      add(t->oid(), c.name, c.type, int(i + 1), c.not_null, c.has_default);
    }
  for (auto& ix : ctx.cat.all_indexes())
    for (size_t i = 0; i < ix->columns().size(); ++i) {
      auto& c = ix->tbl().column(ix->columns()[i]);
      add(ix->oid(), c.name, c.type, int(i + 1), false, false);
    }
  for (auto& v : ctx.cat.views()) {
    int i = 0;
    for (auto& [n, t] : view_columns(ctx.cat, v)) add(v.oid, n, t, ++i, false, false);
  }
  return b.finish();
}

struct type_row {
  int64_t oid;
  const char* name;
  int len;
  char category;
  int64_t elem, array;
  bool collatable;
};

const std::vector<type_row>& builtin_types() {
  static const std::vector<type_row> types = {
      {16, "bool", 1, 'B', 0, 1000, false},         {17, "bytea", -1, 'U', 0, 1001, false},
      {18, "char", 1, 'Z', 0, 1002, false},         {19, "name", 64, 'S', 18, 1003, true},
      {20, "int8", 8, 'N', 0, 1016, false},         {21, "int2", 2, 'N', 0, 1005, false},
      {22, "int2vector", -1, 'A', 21, 1006, false}, {23, "int4", 4, 'N', 0, 1007, false},
      {25, "text", -1, 'S', 0, 1009, true},         {26, "oid", 4, 'N', 0, 1028, false},
      {30, "oidvector", -1, 'A', 26, 1013, false},  {194, "pg_node_tree", -1, 'Z', 0, 0, true},
      {700, "float4", 4, 'N', 0, 1021, false},      {701, "float8", 8, 'N', 0, 1022, false},
      {1009, "_text", -1, 'A', 25, 0, true},        {1042, "bpchar", -1, 'S', 0, 1014, true},
      {1043, "varchar", -1, 'S', 0, 1015, true},    {1082, "date", 4, 'D', 0, 1182, false},
      {1114, "timestamp", 8, 'D', 0, 1115, false},  {1184, "timestamptz", 8, 'D', 0, 1185, false},
      {1700, "numeric", -1, 'N', 0, 1231, false},   {2205, "regclass", 4, 'N', 0, 2210, false},
      {2206, "regtype", 4, 'N', 0, 2211, false},    {4089, "regnamespace", 4, 'N', 0, 4090, false},
  };
  return types;
}

bound_query pg_type(const system_context&) {
  relation_builder b;
  b.columns(
      "oid:o typname:t typnamespace:o typowner:o typlen:s typbyval:b typtype:t typcategory:t typispreferred:b "
      "typisdefined:b typdelim:t typrelid:o typsubscript:o typelem:o typarray:o typinput:t typoutput:t "
      "typnotnull:b typbasetype:o typtypmod:i typndims:i typcollation:o typdefault:t typacl:t");
  for (auto& t : builtin_types())
    b.row({O(t.oid),
           text(t.name),
           O(pg_catalog_namespace),
           O(10),
           S(t.len),
           B(t.len > 0 && t.len <= 8),
           text("b"),
           text(std::string(1, t.category)),
           B(t.oid == 25 || t.oid == 701),
           B(true),
           text(","),
           O(0),
           O(0),
           O(t.elem),
           O(t.array),
           text(std::string(t.name) + "in"),
           text(std::string(t.name) + "out"),
           B(false),
           O(0),
           I(-1),
           I(0),
           O(t.collatable ? 100 : 0),
           N(),
           N()});
  return b.finish();
}

bound_query pg_index(const system_context& ctx) {
  relation_builder b;
  b.columns(
      "indexrelid:o indrelid:o indnatts:s indnkeyatts:s indisunique:b indnullsnotdistinct:b indisprimary:b "
      "indisexclusion:b indimmediate:b indisclustered:b indisvalid:b indcheckxmin:b indisready:b indislive:b "
      "indisreplident:b indkey:t indcollation:t indclass:t indoption:t indexprs:t indpred:t");
  for (auto& ix : ctx.cat.all_indexes()) {
    std::string key, coll, cls, opt;
    for (size_t i = 0; i < ix->columns().size(); ++i) {
      if (i) key += ' ', coll += ' ', cls += ' ', opt += ' ';
      int c = ix->columns()[i];
      key += std::to_string(c + 1);
      coll += collatable(ix->tbl().column(c).type) ? "100" : "0";
      cls += "0";
      opt += "0";
    }
    int64_t n = int64_t(ix->columns().size());
    b.row({O(ix->oid()), O(ix->tbl().oid()), S(n),      S(n),      B(ix->unique()),
           B(false),     B(ix->primary()),   B(false),  B(true),   B(false),
           B(true),      B(false),           B(true),   B(true),   B(false),
           text(key),    text(coll),         text(cls), text(opt), N(),
           N()});
  }
  return b.finish();
}

bound_query pg_constraint(const system_context& ctx) {
  relation_builder b;
  b.columns(
      "oid:o conname:t connamespace:o contype:t condeferrable:b condeferred:b convalidated:b conrelid:o contypid:o "
      "conindid:o conparentid:o confrelid:o confupdtype:t confdeltype:t confmatchtype:t conislocal:b coninhcount:i "
      "connoinherit:b conkey:t confkey:t conpfeqop:t conppeqop:t conffeqop:t confdelsetcols:t conexclop:t conbin:t");
  for (auto& ix : ctx.cat.all_indexes()) {
    if (!is_constraint(*ix)) continue;
    std::vector<std::optional<std::string>> keys;
    for (int c : ix->columns()) keys.push_back(std::to_string(c + 1));
    b.row({O(ix->oid() + constraint_oid_offset),
           text(ix->name()),
           O(public_namespace),
           text(ix->primary() ? "p" : "u"),
           B(false),
           B(false),
           B(true),
           O(ix->tbl().oid()),
           O(0),
           O(ix->oid()),
           O(0),
           O(0),
           text(" "),
           text(" "),
           text(" "),
           B(true),
           I(0),
           B(true),
           text(exec::format_text_array(keys)),
           N(),
           N(),
           N(),
           N(),
           N(),
           N(),
           N()});
  }
  return b.finish();
}

bound_query pg_attrdef(const system_context& ctx) {
  relation_builder b;
  b.columns("oid:o adrelid:o adnum:s adbin:t");
  for (auto& t : ctx.cat.tables())
    for (size_t i = 0; i < t->column_count(); ++i)
      if (t->column(i).has_default)
        b.row({O(int64_t(t->oid()) * 10000 + int64_t(i) + 1 + (int64_t(1) << 31)), O(t->oid()), S(int64_t(i + 1)),
               text(t->column(i).default_text)});
  return b.finish();
}

bound_query pg_am(const system_context&) {
  relation_builder b;
  b.columns("oid:o amname:t amhandler:t amtype:t");
  b.row({O(2), text("heap"), text("heap_tableam_handler"), text("t")});
  b.row({O(403), text("btree"), text("bthandler"), text("i")});
  b.row({O(405), text("hash"), text("hashhandler"), text("i")});
  return b.finish();
}

bound_query pg_database(const system_context& ctx) {
  relation_builder b;
  b.columns(
      "oid:o datname:t datdba:o encoding:i datlocprovider:t datistemplate:b datallowconn:b datconnlimit:i "
      "datfrozenxid:l datminmxid:l dattablespace:o datcollate:t datctype:t daticulocale:t datcollversion:t datacl:t");
  std::vector<database_info> dbs;
  if (ctx.cluster)
    dbs = ctx.cluster->databases();
  else
    dbs.push_back({ctx.current_database, 5, 10});
  for (auto& d : dbs) {
    bool tmpl = d.name == "template0" || d.name == "template1";
    b.row({O(d.oid), text(d.name), O(d.owner), I(6), text("c"), B(tmpl), B(d.name != "template0"), I(-1),
           value::int64(716), value::int64(1), O(1663), text("C.UTF-8"), text("C.UTF-8"), N(), N(),
           tmpl ? text("{=c/postgres,postgres=CTc/postgres}") : N()});
  }
  return b.finish();
}

std::vector<role_info> all_roles(const system_context& ctx) {
  if (ctx.cluster) return ctx.cluster->roles();
  role_info pg;
  pg.name = "postgres";
  pg.oid = 10;
  pg.superuser = pg.can_login = pg.createdb = pg.createrole = pg.replication = pg.bypass_rls = true;
  return {pg};
}

bound_query pg_roles(const system_context& ctx, bool authid) {
  relation_builder b;
  b.columns(authid ? "oid:o rolname:t rolsuper:b rolinherit:b rolcreaterole:b rolcreatedb:b rolcanlogin:b "
                     "rolreplication:b rolbypassrls:b rolconnlimit:i rolpassword:t rolvaliduntil:x"
                   : "rolname:t rolsuper:b rolinherit:b rolcreaterole:b rolcreatedb:b rolcanlogin:b rolreplication:b "
                     "rolconnlimit:i rolpassword:t rolvaliduntil:x rolbypassrls:b rolconfig:t oid:o");
  for (auto& r : all_roles(ctx)) {
    if (authid)
      b.row({O(r.oid), text(r.name), B(r.superuser), B(r.inherit), B(r.createrole), B(r.createdb), B(r.can_login),
             B(r.replication), B(r.bypass_rls), I(r.connection_limit), text_or_null(r.password), N()});
    else
      b.row({text(r.name), B(r.superuser), B(r.inherit), B(r.createrole), B(r.createdb), B(r.can_login),
             B(r.replication), I(r.connection_limit), text("********"), N(), B(r.bypass_rls), N(), O(r.oid)});
  }
  return b.finish();
}

bound_query pg_user(const system_context& ctx) {
  relation_builder b;
  b.columns("usename:t usesysid:o usecreatedb:b usesuper:b userepl:b usebypassrls:b passwd:t valuntil:x useconfig:t");
  for (auto& r : all_roles(ctx))
    if (r.can_login)
      b.row({text(r.name), O(r.oid), B(r.createdb), B(r.superuser), B(r.replication), B(r.bypass_rls), text("********"),
             N(), N()});
  return b.finish();
}

bound_query pg_tablespace(const system_context&) {
  relation_builder b;
  b.columns("oid:o spcname:t spcowner:o spcacl:t spcoptions:t");
  b.row({O(1663), text("pg_default"), O(10), N(), N()});
  b.row({O(1664), text("pg_global"), O(10), N(), N()});
  return b.finish();
}

bound_query pg_collation(const system_context&) {
  relation_builder b;
  b.columns(
      "oid:o collname:t collnamespace:o collowner:o collprovider:t collisdeterministic:b collencoding:i "
      "collcollate:t collctype:t colliculocale:t collversion:t");
  b.row({O(100), text("default"), O(pg_catalog_namespace), O(10), text("d"), B(true), I(-1), N(), N(), N(), N()});
  b.row({O(950), text("C"), O(pg_catalog_namespace), O(10), text("c"), B(true), I(-1), text("C"), text("C"), N(), N()});
  b.row({O(951), text("POSIX"), O(pg_catalog_namespace), O(10), text("c"), B(true), I(-1), text("POSIX"), text("POSIX"),
         N(), N()});
  return b.finish();
}

/// A relation with the given columns and no rows (things DB-001 does not have).
std::function<bound_query(const system_context&)> empty(std::string spec) {
  return [spec](const system_context&) {
    relation_builder b;
    b.columns(spec);
    return b.finish();
  };
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

int32_t pg_typmod(const sql_type& t) {
  if ((t.id == type_id::varchar || t.id == type_id::bpchar) && t.width >= 0) return t.width + 4;
  if (t.id == type_id::numeric && t.width > 0) return ((int32_t(t.width) << 16) | t.scale) + 4;
  return -1;
}

oid_names role_names(const system_context& ctx) {
  oid_names out;
  for (auto& r : all_roles(ctx)) out.emplace_back(r.oid, r.name);
  out.emplace_back(6171, "pg_database_owner");
  return out;
}

oid_names namespace_names() {
  return {{pg_toast_namespace, "pg_toast"},
          {pg_catalog_namespace, "pg_catalog"},
          {public_namespace, "public"},
          {information_schema_namespace, "information_schema"}};
}

oid_names relation_names(const system_context& ctx) {
  oid_names out;
  for (auto& t : ctx.cat.tables()) out.emplace_back(t->oid(), t->name());
  for (auto& ix : ctx.cat.all_indexes()) out.emplace_back(ix->oid(), ix->name());
  for (auto& v : ctx.cat.views()) out.emplace_back(v.oid, v.name);
  return out;
}

oid_names index_definitions(const system_context& ctx, bool pretty) {
  oid_names out;
  for (auto& ix : ctx.cat.all_indexes()) {
    out.emplace_back(int64_t(ix->oid()) * 1000, index_def(*ix, !pretty));
    for (size_t i = 0; i < ix->columns().size(); ++i)
      out.emplace_back(int64_t(ix->oid()) * 1000 + int64_t(i) + 1, ix->tbl().column(ix->columns()[i]).name);
  }
  return out;
}

oid_names constraint_definitions(const system_context& ctx) {
  oid_names out;
  for (auto& ix : ctx.cat.all_indexes()) {
    if (!is_constraint(*ix)) continue;
    std::string cols;
    for (int c : ix->columns()) cols += (cols.empty() ? "" : ", ") + ix->tbl().column(c).name;
    out.emplace_back(ix->oid() + constraint_oid_offset, (ix->primary() ? "PRIMARY KEY (" : "UNIQUE (") + cols + ")");
  }
  return out;
}

oid_names relation_sizes(const system_context& ctx) {
  oid_names out;
  for (auto& t : ctx.cat.tables()) out.emplace_back(t->oid(), std::to_string(t->memory_bytes()));
  for (auto& ix : ctx.cat.all_indexes()) out.emplace_back(ix->oid(), std::to_string(ix->entry_count() * 32));
  for (auto& v : ctx.cat.views()) out.emplace_back(v.oid, "0");
  return out;
}

/// PostgreSQL's OIDs of the catalog tables ('pg_class'::regclass and the like).
const oid_names& system_relation_oids() {
  static const oid_names oids = {{1247, "pg_type"},        {1249, "pg_attribute"},   {1255, "pg_proc"},
                                 {1259, "pg_class"},       {1260, "pg_authid"},      {1262, "pg_database"},
                                 {2601, "pg_am"},          {2604, "pg_attrdef"},     {2606, "pg_constraint"},
                                 {2609, "pg_description"}, {2610, "pg_index"},       {2611, "pg_inherits"},
                                 {2615, "pg_namespace"},   {2618, "pg_rewrite"},     {2620, "pg_trigger"},
                                 {3079, "pg_extension"},   {3256, "pg_policy"},      {1213, "pg_tablespace"},
                                 {3456, "pg_collation"},   {6104, "pg_publication"}, {2396, "pg_shdescription"}};
  return oids;
}

std::optional<int64_t> relation_oid(const system_context& ctx, const std::string& qualified) {
  std::string name = qualified;
  if (auto dot = name.find('.'); dot != std::string::npos) {
    std::string schema = lower(name.substr(0, dot));
    name = name.substr(dot + 1);
    if (schema == "pg_catalog") {
      for (auto& [oid, n] : system_relation_oids())
        if (n == lower(name)) return oid;
      return std::nullopt;
    }
    if (schema != "public") return std::nullopt;
  }
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
    name = name.substr(1, name.size() - 2);
  else
    name = lower(name);
  for (auto& [oid, n] : relation_names(ctx))
    if (n == name) return oid;
  for (auto& [oid, n] : system_relation_oids())
    if (n == name) return oid;
  return std::nullopt;
}

std::optional<int64_t> type_oid(const std::string& raw) {
  std::string name = lower(raw);
  if (name.rfind("pg_catalog.", 0) == 0) name = name.substr(11);
  static const std::map<std::string, int64_t> aliases = {{"integer", 23},
                                                         {"int", 23},
                                                         {"smallint", 21},
                                                         {"bigint", 20},
                                                         {"boolean", 16},
                                                         {"real", 700},
                                                         {"double precision", 701},
                                                         {"character varying", 1043},
                                                         {"character", 1042},
                                                         {"decimal", 1700},
                                                         {"timestamp without time zone", 1114},
                                                         {"timestamp with time zone", 1184},
                                                         {"\"char\"", 18}};
  if (auto it = aliases.find(name); it != aliases.end()) return it->second;
  for (auto& t : builtin_types())
    if (name == t.name) return t.oid;
  return std::nullopt;
}

std::optional<bound_query> system_relation(const system_context& ctx, const std::string& schema,
                                           const std::string& name) {
  using maker = std::function<bound_query(const system_context&)>;
  static const std::map<std::string, maker> info = {
      {"tables", info_tables}, {"columns", info_columns}, {"schemata", info_schemata}};
  static const std::map<std::string, maker> pg = {
      {"pg_indexes", pg_indexes},
      {"pg_tables", pg_tables},
      {"pg_views", pg_views},
      {"pg_namespace", pg_namespace},
      {"pg_class", pg_class},
      {"pg_attribute", pg_attribute},
      {"pg_type", pg_type},
      {"pg_index", pg_index},
      {"pg_constraint", pg_constraint},
      {"pg_attrdef", pg_attrdef},
      {"pg_am", pg_am},
      {"pg_database", pg_database},
      {"pg_roles", [](const system_context& c) { return pg_roles(c, false); }},
      {"pg_authid", [](const system_context& c) { return pg_roles(c, true); }},
      {"pg_user", pg_user},
      {"pg_tablespace", pg_tablespace},
      {"pg_collation", pg_collation},
      {"pg_auth_members", empty("oid:o roleid:o member:o grantor:o admin_option:b")},
      {"pg_description", empty("objoid:o classoid:o objsubid:i description:t")},
      {"pg_shdescription", empty("objoid:o classoid:o description:t")},
      {"pg_inherits", empty("inhrelid:o inhparent:o inhseqno:i inhdetachpending:b")},
      {"pg_partitioned_table",
       empty("partrelid:o partstrat:t partnatts:s partdefid:o partattrs:t partclass:t partcollation:t partexprs:t")},
      {"pg_trigger",
       empty("oid:o tgrelid:o tgparentid:o tgname:t tgfoid:o tgtype:s tgenabled:t tgisinternal:b tgconstrrelid:o "
             "tgconstrindid:o tgconstraint:o tgdeferrable:b tginitdeferred:b tgnargs:s tgattr:t tgargs:t tgqual:t "
             "tgoldtable:t tgnewtable:t")},
      {"pg_policy", empty("oid:o polname:t polrelid:o polcmd:t polpermissive:b polroles:t polqual:t polwithcheck:t")},
      {"pg_statistic_ext",
       empty("oid:o stxrelid:o stxname:t stxnamespace:o stxowner:o stxstattarget:i stxkeys:t stxkind:t stxexprs:t")},
      {"pg_publication",
       empty("oid:o pubname:t pubowner:o puballtables:b pubinsert:b pubupdate:b pubdelete:b pubtruncate:b "
             "pubviaroot:b")},
      {"pg_publication_rel", empty("oid:o prpubid:o prrelid:o prqual:t prattrs:t")},
      {"pg_publication_namespace", empty("oid:o pnpubid:o pnnspid:o")},
      {"pg_rewrite", empty("oid:o rulename:t ev_class:o ev_type:t ev_enabled:t is_instead:b ev_qual:t ev_action:t")},
      {"pg_sequence", empty("seqrelid:o seqtypid:o seqstart:l seqincrement:l seqmax:l seqmin:l seqcache:l seqcycle:b")},
      {"pg_foreign_table", empty("ftrelid:o ftserver:o ftoptions:t")},
      {"pg_extension",
       empty("oid:o extname:t extowner:o extnamespace:o extrelocatable:b extversion:t extconfig:t extcondition:t")},
      {"pg_event_trigger", empty("oid:o evtname:t evtevent:t evtowner:o evtfoid:o evtenabled:t evttags:t")},
      {"pg_depend", empty("classid:o objid:o objsubid:i refclassid:o refobjid:o refobjsubid:i deptype:t")},
  };
  if (schema == "information_schema") {
    auto it = info.find(name);
    if (it != info.end()) return it->second(ctx);
    return std::nullopt;
  }
  if (schema.empty() || schema == "pg_catalog") {
    auto it = pg.find(name);
    if (it != pg.end()) return it->second(ctx);
  }
  return std::nullopt;
}

}  // namespace db001::sql
