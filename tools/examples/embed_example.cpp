// Embedding DB-001: open an in-memory database, create a table, insert rows with a prepared
// statement, query them, and handle errors. Exits with 0 when every step behaves as expected
// (it also runs as a test), and with 1 otherwise.
//
// Build: link against the `db001` library (see CMakeLists.txt, target db001-embed-example).
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "db001/db001.h"

namespace {

int failures = 0;

/// Reports an unexpected outcome; the program then exits with a nonzero status.
void check(bool ok, const std::string& what, const db001::result* r = nullptr) {
  if (ok) return;
  ++failures;
  std::cerr << "FAILED: " << what;
  if (r && !r->ok()) std::cerr << " (SQLSTATE " << r->sqlstate() << ": " << r->error_message() << ")";
  std::cerr << "\n";
}

}  // namespace

int run() {
  // 1. Open a database. Each database is independent and lives in memory; options (worker
  //    threads, work_mem, ...) are optional. Then open a session on it.
  std::unique_ptr<db001::database> db = db001::database::open();
  std::unique_ptr<db001::connection> conn = db->connect();

  // 2. Run DDL. execute() never throws for SQL errors: it returns a result that carries either
  //    the command tag or the error (SQLSTATE + message), as PostgreSQL's simple query protocol.
  db001::result r =
      conn->execute("CREATE TABLE fruit (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(6,2))");
  check(r.ok(), "CREATE TABLE", &r);
  std::cout << r.command_tag() << "\n";  // "CREATE TABLE"

  // 3. Insert with a prepared statement: parsed and planned once, executed with $1..$n values.
  db001::prepared_statement insert = conn->prepare("INSERT INTO fruit VALUES ($1, $2, $3)");
  if (!insert.ok()) {
    db001::result err = insert.error();  // why preparing failed
    check(false, "PREPARE INSERT", &err);
  }
  if (insert.ok()) {
    struct fruit {
      int32_t id;
      const char* name;
      int64_t cents;  // NUMERIC(6,2) is passed as an unscaled integer with scale 2
    };
    const std::vector<fruit> rows = {{1, "apple", 120}, {2, "banana", 45}, {3, "cherry", 1050}};
    for (const auto& f : rows) {
      db001::result ins = insert.execute({db001::value::int32(f.id), db001::value::text(f.name),
                                          db001::value::numeric(f.cents, db001::sql_type::numeric(6, 2))});
      check(ins.ok() && ins.rows_affected() == 1, "INSERT " + std::string(f.name), &ins);
    }
  }

  // 4. Query: iterate rows and read cells as PostgreSQL text or as typed values.
  r = conn->execute("SELECT id, name, price FROM fruit WHERE price > 1 ORDER BY id");
  check(r.ok(), "SELECT", &r);
  if (r.ok()) {
    for (size_t c = 0; c < r.column_count(); ++c) std::cout << (c ? " | " : "") << r.column_name(c);
    std::cout << "\n";
    for (size_t i = 0; i < r.row_count(); ++i) {
      // get() returns a db001::value (typed); text() returns PostgreSQL's output ("1.20").
      int64_t id = r.get(i, 0).as_int();
      std::cout << id << " | " << r.text(i, 1) << " | " << (r.is_null(i, 2) ? "NULL" : r.text(i, 2)) << "\n";
    }
    check(r.row_count() == 2, "SELECT returns 2 rows (apple, cherry)");
    check(r.command_tag() == "SELECT 2", "SELECT command tag is \"SELECT 2\"");
  }

  // 5. Errors: the result says what went wrong with a PostgreSQL SQLSTATE and message.
  r = conn->execute("SELECT * FROM no_such_table");
  check(!r.ok(), "querying a missing table fails");
  if (!r.ok()) std::cout << "expected error: SQLSTATE " << r.sqlstate() << ": " << r.error_message() << "\n";
  check(r.sqlstate() == "42P01", "missing table reports SQLSTATE 42P01 (undefined_table)");

  r = conn->execute("INSERT INTO fruit VALUES (1, 'duplicate', 0)");
  check(!r.ok() && r.sqlstate() == "23505", "duplicate primary key reports SQLSTATE 23505 (unique_violation)");
  if (!r.ok()) std::cout << "expected error: SQLSTATE " << r.sqlstate() << ": " << r.error_message() << "\n";

  // 6. Transactions: BEGIN/COMMIT/ROLLBACK are plain statements; after an error inside a
  //    block the session is "failed" (25P02) until ROLLBACK.
  r = conn->execute("BEGIN");
  check(r.ok() && conn->in_transaction(), "BEGIN", &r);
  r = conn->execute("DELETE FROM fruit WHERE id = 2");
  check(r.ok() && r.rows_affected() == 1, "DELETE inside the transaction", &r);
  r = conn->execute("ROLLBACK");
  check(r.ok() && !conn->in_transaction(), "ROLLBACK", &r);
  r = conn->execute("SELECT count(*) FROM fruit");
  check(r.ok() && r.row_count() == 1 && r.text(0, 0) == "3", "ROLLBACK undid the DELETE", &r);

  if (failures) {
    std::cerr << failures << " step(s) failed\n";
    return 1;
  }
  std::cout << "all steps succeeded\n";
  return 0;
}

int main() {
  // The API reports SQL errors through results; an exception means something is badly wrong
  // (e.g. out of memory while opening the database).
  try {
    return run();
  } catch (const std::exception& e) {
    std::cerr << "FAILED: unexpected exception: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "FAILED: unexpected exception\n";
  }
  return 1;
}
