// The shared_buffers limit for table data (storage::table_memory) through the embedding API:
// INSERT … SELECT, UPDATE and multi-row INSERTs that would take table data past a small limit
// fail with 53200 "out of memory" (DETAIL naming the limit) and roll back; the session and the
// database go on; dropping the table gives the memory back; SHOW shared_buffers shows it.
#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>

#include "db001/db001.h"
#include "sql/copy.h"
#include "sql/engine.h"
#include "sql/session.h"
#include "storage/table_memory.h"

namespace {

using db001::storage::table_memory;

/// Sets a limit for one test case and lifts it at the end (the limit is process-wide).
struct limit_scope {
  explicit limit_scope(uint64_t bytes) {
    // The count is process-wide: tables other test cases left alive would eat into the limit.
    BOOST_REQUIRE_MESSAGE(table_memory::used() < int64_t(1) << 20, "table data in use: " << table_memory::used());
    table_memory::set_limit(bytes);
  }
  ~limit_scope() { table_memory::set_limit(0); }
};

std::unique_ptr<db001::database> open_db() {
  db001::options o;
  o.parallel_workers = 1;
  return db001::database::open(o);
}

void expect_oom(db001::connection& c, const std::string& sql) {
  auto r = c.execute(sql);
  BOOST_TEST_CONTEXT("SQL: " << sql) {
    BOOST_TEST(!r.ok());
    BOOST_TEST(r.sqlstate() == "53200");
    BOOST_TEST(r.error_message() == "out of memory");
    BOOST_TEST(r.error_detail().find("shared_buffers = 8MB") != std::string::npos, "detail: " << r.error_detail());
  }
}

std::string one(db001::connection& c, const std::string& sql) {
  auto r = c.execute(sql);
  BOOST_REQUIRE_MESSAGE(r.ok(), sql << ": " << r.sqlstate() << " " << r.error_message());
  return r.text(0, 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(table_memory_limit)

BOOST_AUTO_TEST_CASE(inserts_past_the_limit_fail_with_53200_and_roll_back) {
  auto db = open_db();
  auto c = db->connect();
  int64_t before = table_memory::used();
  limit_scope limit(8 << 20);
  BOOST_TEST(one(*c, "SHOW shared_buffers") == "8MB");
  BOOST_TEST(c->execute("CREATE TABLE big (id int, pad text)").ok());
  // ~1M rows of 8 + 16 bytes plus 100-byte strings: far beyond 8 MB.
  expect_oom(*c, "INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 1000000) g");
  BOOST_TEST(one(*c, "SELECT count(*) FROM big") == "0");
  // The table's memory stays charged until the table goes away (its slots are reused).
  BOOST_TEST(table_memory::used() - before > int64_t(7) << 20);
  // The failed rows are reclaimed by garbage collection (VACUUM or the periodic one); their
  // slots are then reused by the table's next inserts, without new memory.
  BOOST_TEST(c->execute("VACUUM").ok());
  BOOST_TEST(c->execute("INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g").ok());
  BOOST_TEST(one(*c, "SELECT count(*) FROM big") == "20000");
  // DROP TABLE gives the memory back (once the dropped table's garbage is collected).
  BOOST_TEST(c->execute("DROP TABLE big").ok());
  BOOST_TEST(c->execute("VACUUM").ok());
  BOOST_TEST(table_memory::used() - before < int64_t(1) << 20);
  // Under the limit everything works again, in a block too.
  BOOST_TEST(c->execute("CREATE TABLE small (id int PRIMARY KEY, pad text)").ok());
  BOOST_TEST(c->execute("INSERT INTO small SELECT g, 'p' || g FROM generate_series(1, 10000) g").ok());
  BOOST_TEST(c->execute("BEGIN").ok());
  expect_oom(*c, "INSERT INTO small SELECT g, repeat('y', 200) FROM generate_series(10001, 500000) g");
  auto r = c->execute("SELECT 1");
  BOOST_TEST((!r.ok() && r.sqlstate() == "25P02"));
  BOOST_TEST(c->execute("ROLLBACK").ok());
  BOOST_TEST(one(*c, "SELECT count(*) FROM small") == "10000");
  BOOST_TEST(c->execute("DROP TABLE small").ok());
}

BOOST_AUTO_TEST_CASE(updates_that_need_new_versions_hit_the_limit_too) {
  auto db = open_db();
  auto c = db->connect();
  limit_scope limit(8 << 20);
  BOOST_TEST(c->execute("CREATE TABLE t (id int, v text)").ok());
  BOOST_TEST(c->execute("INSERT INTO t SELECT g, repeat('a', 40) FROM generate_series(1, 60000) g").ok());
  // Each UPDATE writes new versions; the old ones stay until no snapshot needs them.
  bool failed = false;
  for (int i = 0; i < 20 && !failed; ++i) {
    auto r = c->execute("UPDATE t SET v = repeat('b', 60) || " + std::to_string(i));
    if (!r.ok()) {
      failed = true;
      BOOST_TEST(r.sqlstate() == "53200");
    }
  }
  BOOST_TEST(failed);
  BOOST_TEST(one(*c, "SELECT count(*) FROM t") == "60000");
  BOOST_TEST(c->execute("DROP TABLE t").ok());
}

BOOST_AUTO_TEST_CASE(copy_from_stdin_past_the_limit_fails_with_53200) {
  db001::options o;
  o.parallel_workers = 1;
  db001::engine::engine eng(o);
  db001::engine::session s(eng);
  limit_scope limit(8 << 20);
  BOOST_TEST(s.execute("CREATE TABLE c (id int, pad text)").back()->ok());
  auto in = s.begin_copy_in("COPY c FROM STDIN");
  BOOST_REQUIRE(!in->error());
  std::string chunk;
  for (int i = 0; i < 1000; ++i) chunk += std::to_string(i) + "\t" + std::string(100, 'z') + "\n";
  std::shared_ptr<db001::engine::result_data> err;
  for (int i = 0; i < 1000 && !err; ++i) err = in->feed(chunk);  // up to 1M rows, ~130 MB of table data
  if (!err) err = in->finish();
  BOOST_REQUIRE(err);
  BOOST_TEST(err->code == "53200");
  BOOST_TEST(err->detail.find("shared_buffers = 8MB") != std::string::npos);
  BOOST_TEST(err->context.rfind("COPY c, line ", 0) == 0, "context: " << err->context);
  auto r = s.execute("SELECT count(*) FROM c").back();
  BOOST_TEST((r->ok() && r->rows->get(0, 0).to_string() == "0"));
}

BOOST_AUTO_TEST_CASE(shared_buffers_cannot_be_set) {
  auto db = open_db();
  auto c = db->connect();
  BOOST_TEST(one(*c, "SHOW shared_buffers") == "0");  // embedded: no limit unless the host sets one
  auto r = c->execute("SET shared_buffers = '64MB'");
  BOOST_TEST((!r.ok() && r.sqlstate() == "55P02"));
  limit_scope limit(uint64_t(1) << 30);
  BOOST_TEST(one(*c, "SHOW shared_buffers") == "1GB");
}

BOOST_AUTO_TEST_SUITE_END()
