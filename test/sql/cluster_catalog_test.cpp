// cluster_catalog: the in-memory default's behaviour and errors, and an engine using a
// catalog plugged in by its owner (CREATE/ALTER/DROP ROLE, CREATE/DROP DATABASE, pg_roles,
// pg_authid, pg_database). SQLSTATEs and messages are PostgreSQL 15's.
#include "sql/cluster_catalog.h"

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>
#include <vector>

#include "sql/session.h"
#include "storage/error.h"

namespace {

using db001::db_error;
using db001::sql::memory_cluster_catalog;
using db001::sql::role_options;

/// Runs f and returns the SQLSTATE and message of the db_error it throws ("" if none).
template <class F>
std::pair<std::string, std::string> error_of(F&& f) {
  try {
    f();
  } catch (const db_error& e) {
    return {e.code(), e.what()};
  }
  return {"", ""};
}

/// An engine with its own session, on a given cluster catalog.
struct engine_fixture {
  db001::options opts;
  db001::engine::engine eng{opts};
  std::unique_ptr<db001::engine::session> s;
  explicit engine_fixture(std::shared_ptr<db001::sql::cluster_catalog> c = nullptr) {
    if (c) eng.set_cluster(std::move(c));
    s = std::make_unique<db001::engine::session>(eng);
  }
  /// The last result of sql.
  std::shared_ptr<db001::engine::result_data> run(const std::string& sql) { return s->execute(sql).back(); }
  /// The first column of every row of a query, as text.
  std::vector<std::string> column(const std::string& sql) {
    auto r = run(sql);
    BOOST_REQUIRE_MESSAGE(r->ok(), sql + ": " + r->message);
    std::vector<std::string> out;
    for (size_t i = 0; i < r->rows->row_count(); ++i) {
      auto v = r->rows->get(i, 0);
      out.push_back(v.is_null() ? "NULL" : v.to_string());
    }
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cluster_catalog)

BOOST_AUTO_TEST_CASE(defaults) {
  memory_cluster_catalog c("shop");
  auto pg = c.find_role("postgres");
  BOOST_REQUIRE(pg);
  BOOST_TEST(pg->oid == 10u);
  BOOST_TEST(pg->superuser);
  BOOST_TEST(pg->can_login);
  BOOST_TEST(c.find_database("postgres").has_value());
  BOOST_TEST(c.find_database("template1").has_value());
  BOOST_TEST(c.find_database("shop").has_value());
  BOOST_TEST(c.find_database("shop")->owner == 10u);
}

BOOST_AUTO_TEST_CASE(roles) {
  memory_cluster_catalog c;
  role_options o;
  o.can_login = true;
  o.password = "SCRAM-SHA-256$4096:abc$def:ghi";
  auto bob = c.create_role("bob", o);
  BOOST_TEST(bob.oid >= 16384u);
  BOOST_TEST(c.find_role("bob")->password == "SCRAM-SHA-256$4096:abc$def:ghi");
  BOOST_TEST(!c.find_role("bob")->superuser);
  auto dup = error_of([&] { c.create_role("bob", {}); });
  BOOST_TEST(dup.first == "42710");
  BOOST_TEST(dup.second == "role \"bob\" already exists");
  role_options alter;
  alter.superuser = true;
  alter.password_null = true;
  c.alter_role("bob", alter);
  BOOST_TEST(c.find_role("bob")->superuser);
  BOOST_TEST(c.find_role("bob")->password.empty());
  BOOST_TEST(c.find_role("bob")->can_login);  // unchanged
  auto missing = error_of([&] { c.alter_role("nosuch", alter); });
  BOOST_TEST(missing.first == "42704");
  BOOST_TEST(missing.second == "role \"nosuch\" does not exist");
  BOOST_TEST(c.drop_role("bob"));
  BOOST_TEST(!c.drop_role("bob"));
}

BOOST_AUTO_TEST_CASE(databases) {
  memory_cluster_catalog c;
  auto d = c.create_database("shop", "postgres");
  BOOST_TEST(d.owner == 10u);
  auto dup = error_of([&] { c.create_database("shop", "postgres"); });
  BOOST_TEST(dup.first == "42P04");
  BOOST_TEST(dup.second == "database \"shop\" already exists");
  auto owner = error_of([&] { c.create_database("other", "nosuch"); });
  BOOST_TEST(owner.first == "42704");
  BOOST_TEST(c.drop_database("shop"));
  BOOST_TEST(!c.drop_database("shop"));
}

BOOST_AUTO_TEST_CASE(sql_statements_use_the_plugged_in_catalog) {
  auto shared = std::make_shared<memory_cluster_catalog>();
  engine_fixture a(shared), b(shared);  // two databases of one cluster
  BOOST_TEST(a.run("CREATE ROLE bob WITH LOGIN PASSWORD 'secret' CREATEDB")->tag == "CREATE ROLE");
  BOOST_TEST(shared->find_role("bob")->password == "secret");  // the owner decides how to store it
  BOOST_TEST(shared->find_role("bob")->createdb);
  BOOST_TEST(b.column("SELECT rolname FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1") ==
             (std::vector<std::string>{"bob", "postgres"}));
  BOOST_TEST(b.column("SELECT rolpassword FROM pg_authid WHERE rolname = 'bob'") == std::vector<std::string>{"secret"});
  BOOST_TEST(b.column("SELECT passwd FROM pg_user WHERE usename = 'bob'") == std::vector<std::string>{"********"});

  auto dup = a.run("CREATE USER bob");
  BOOST_TEST(dup->code == "42710");
  BOOST_TEST(dup->message == "role \"bob\" already exists");
  BOOST_TEST(a.run("ALTER ROLE bob PASSWORD 'SCRAM-SHA-256$4096:x$y:z'")->tag == "ALTER ROLE");
  BOOST_TEST(shared->find_role("bob")->password == "SCRAM-SHA-256$4096:x$y:z");
  BOOST_TEST(a.run("ALTER ROLE nosuch PASSWORD 'x'")->code == "42704");
  BOOST_TEST(a.run("DROP ROLE nosuch")->message == "role \"nosuch\" does not exist");
  auto skip = a.run("DROP ROLE IF EXISTS nosuch");
  BOOST_TEST(skip->ok());
  BOOST_TEST(skip->notices == std::vector<std::string>{"role \"nosuch\" does not exist, skipping"});
  BOOST_TEST(a.run("DROP ROLE postgres")->code == "55006");

  BOOST_TEST(a.run("CREATE DATABASE shop OWNER bob")->tag == "CREATE DATABASE");
  BOOST_TEST(b.column("SELECT pg_catalog.pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'shop'") ==
             std::vector<std::string>{"bob"});
  BOOST_TEST(a.run("DROP ROLE bob")->code == "2BP01");  // owns a database
  auto dupdb = a.run("CREATE DATABASE shop");
  BOOST_TEST(dupdb->code == "42P04");
  BOOST_TEST(dupdb->message == "database \"shop\" already exists");
  auto inblock = a.s->execute("BEGIN; CREATE DATABASE other");
  BOOST_TEST(inblock.back()->code == "25001");
  BOOST_TEST(inblock.back()->message == "CREATE DATABASE cannot run inside a transaction block");
  a.run("ROLLBACK");
  BOOST_TEST(a.run("DROP DATABASE nosuch")->code == "3D000");
  BOOST_TEST(a.run("DROP DATABASE nosuch")->message == "database \"nosuch\" does not exist");
  BOOST_TEST(a.run("DROP DATABASE IF EXISTS nosuch")->ok());
  BOOST_TEST(a.run("DROP DATABASE postgres")->code == "55006");  // the open one
  BOOST_TEST(a.run("DROP DATABASE shop")->tag == "DROP DATABASE");
  BOOST_TEST(a.run("DROP ROLE bob")->tag == "DROP ROLE");
  BOOST_TEST(!shared->find_role("bob"));
}

BOOST_AUTO_TEST_CASE(database_name) {
  engine_fixture f;
  f.eng.set_database_name("shop");
  BOOST_TEST(f.column("SELECT current_database()") == std::vector<std::string>{"shop"});
}

BOOST_AUTO_TEST_SUITE_END()
