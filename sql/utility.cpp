#include "sql/utility.h"

#include "exec/operator.h"
#include "sql/binder.h"
#include "sql/ddl.h"
#include "storage/error.h"

namespace db001::sql {

namespace {

[[noreturn]] void fail(const char* code, const std::string& msg, int loc = 0) { throw db_error(code, msg, loc); }

std::string quote(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string truncate_tables(engine::engine& eng, txn::transaction& t, const node& stmt) {
  auto& cat = eng.catalog();
  std::vector<std::string> names;
  for (auto& r : stmt.list("relations")) {
    node rv = r["RangeVar"];
    std::string name(rv.str("relname"));
    std::string schema(rv.str("schemaname"));
    if ((!schema.empty() && schema != "public") || !cat.find_table(name)) {
      if (cat.find_view(name)) fail(sqlstate::wrong_object_type, "\"" + name + "\" is not a table", rv.location());
      fail(sqlstate::undefined_table,
           "relation \"" + (schema.empty() ? name : schema + "." + name) + "\" does not exist", rv.location());
    }
    names.push_back(name);
  }
  // DELETE every row: MVCC makes it transactional (the space returns at garbage collection).
  for (auto& name : names) {
    auto tree = parse_sql("DELETE FROM " + quote(name));
    std::vector<sql_type> params;
    binder b(cat, &params);
    auto plan = b.bind_delete(tree.statements[0].stmt.inner());
    std::vector<value> none;
    exec::exec_ctx ctx;
    ctx.tm = &eng.txns();
    ctx.txn = &t;
    ctx.snap = eng.txns().snapshot_of(t);
    ctx.cat = &cat;
    ctx.params = &none;
    ctx.settings.parallel_workers = eng.opts().parallel_workers;
    ctx.settings.parallel_threshold_rows = eng.opts().parallel_threshold_rows;
    ctx.settings.work_mem = eng.opts().work_mem;
    exec::run_plan(*plan, ctx);
  }
  return "TRUNCATE TABLE";
}

role_options parse_role_options(const node& stmt) {
  role_options o;
  for (auto& item : stmt.list("options")) {
    node d = item["DefElem"];
    std::string name(d.str("defname"));
    node arg = d["arg"];
    bool b = arg["Boolean"].boolean("boolval", true);
    if (name == "superuser")
      o.superuser = b;
    else if (name == "canlogin")
      o.can_login = b;
    else if (name == "createdb")
      o.createdb = b;
    else if (name == "createrole")
      o.createrole = b;
    else if (name == "inherit")
      o.inherit = b;
    else if (name == "isreplication")
      o.replication = b;
    else if (name == "bypassrls")
      o.bypass_rls = b;
    else if (name == "connectionlimit")
      o.connection_limit = int(arg["Integer"].integer("ival", -1));
    else if (name == "password") {
      if (arg.has("String"))
        o.password = std::string(arg["String"].str("sval"));
      else
        o.password_null = true;
    } else if (name == "validUntil" || name == "addroleto" || name == "rolemembers" || name == "adminmembers" ||
               name == "sysid") {
      // accepted and ignored: no expiry, no role membership in DB-001
    } else {
      fail(sqlstate::feature_not_supported, "role option \"" + name + "\" is not supported");
    }
  }
  return o;
}

std::string role_name(const node& spec) {
  std::string_view type = spec.str("roletype");
  if (type == "ROLESPEC_CSTRING") return std::string(spec.str("rolename"));
  if (type == "ROLESPEC_CURRENT_USER" || type == "ROLESPEC_SESSION_USER" || type == "ROLESPEC_CURRENT_ROLE") return "";
  fail(sqlstate::feature_not_supported, "this role specification is not supported");
}

}  // namespace

std::optional<std::string> utility_statement(engine::engine& eng, txn::transaction& t, const std::string& kind,
                                             const node& stmt, const utility_context& uc,
                                             std::vector<std::string>& notices) {
  auto& cluster = eng.cluster();
  if (kind == "TruncateStmt") return truncate_tables(eng, t, stmt);
  if (kind == "AlterTableStmt") {
    if (stmt.str("objtype") != "OBJECT_TABLE")
      fail(sqlstate::feature_not_supported, "this ALTER statement is not supported");
    return alter_table(eng, t, stmt, notices);
  }
  if (kind == "CreateRoleStmt") {
    std::string_view st = stmt.str("stmt_type");
    if (st == "ROLESTMT_GROUP") fail(sqlstate::feature_not_supported, "CREATE GROUP is not supported");
    role_options o = parse_role_options(stmt);
    if (st == "ROLESTMT_USER" && !o.can_login) o.can_login = true;
    std::string name(stmt.str("role"));
    if (name.rfind("pg_", 0) == 0) {
      db_error e("42939", "role name \"" + name + "\" is reserved");
      e.with_detail("Role names starting with \"pg_\" are reserved.");
      throw e;
    }
    cluster.create_role(name, o);
    return "CREATE ROLE";
  }
  if (kind == "AlterRoleStmt") {
    node spec = stmt["role"];
    std::string name = role_name(spec.has("RoleSpec") ? spec["RoleSpec"] : spec);
    if (name.empty()) name = uc.current_user;
    cluster.alter_role(name, parse_role_options(stmt));
    return "ALTER ROLE";
  }
  if (kind == "DropRoleStmt") {
    bool missing_ok = stmt.boolean("missing_ok");
    for (auto& r : stmt.list("roles")) {
      std::string name = role_name(r["RoleSpec"]);
      if (name == uc.current_user) fail("55006", "current user cannot be dropped");
      if (!cluster.find_role(name)) {
        if (!missing_ok) fail(sqlstate::undefined_object, "role \"" + name + "\" does not exist");
        notices.push_back("role \"" + name + "\" does not exist, skipping");
        continue;
      }
      for (auto& d : cluster.databases())
        if (auto owner = cluster.find_role(name); owner && owner->oid == d.owner) {
          db_error e("2BP01", "role \"" + name + "\" cannot be dropped because some objects depend on it");
          e.with_detail("owner of database " + d.name);
          throw e;
        }
      cluster.drop_role(name);
    }
    return "DROP ROLE";
  }
  if (kind == "CreatedbStmt") {
    if (uc.in_transaction_block)
      fail(sqlstate::active_sql_transaction, "CREATE DATABASE cannot run inside a transaction block");
    std::string owner = uc.current_user;
    for (auto& item : stmt.list("options")) {
      node d = item["DefElem"];
      std::string opt(d.str("defname"));
      if (opt == "owner") owner = std::string(d["arg"]["String"].str("sval"));
      // encoding, template, locale ...: accepted (every database is UTF8, C collation)
    }
    std::string name(stmt.str("dbname"));
    if (!cluster.find_role(owner)) fail(sqlstate::undefined_object, "role \"" + owner + "\" does not exist");
    cluster.create_database(name, owner);
    return "CREATE DATABASE";
  }
  if (kind == "DropdbStmt") {
    if (uc.in_transaction_block)
      fail(sqlstate::active_sql_transaction, "DROP DATABASE cannot run inside a transaction block");
    std::string name(stmt.str("dbname"));
    if (name == eng.database_name()) fail("55006", "cannot drop the currently open database");
    if (!cluster.drop_database(name)) {
      if (!stmt.boolean("missing_ok")) fail("3D000", "database \"" + name + "\" does not exist");
      notices.push_back("database \"" + name + "\" does not exist, skipping");
    }
    return "DROP DATABASE";
  }
  return std::nullopt;
}

}  // namespace db001::sql
