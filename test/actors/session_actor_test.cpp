// The actors of an embedded database: the session actor answers exec messages from host
// actors (on the host's own actor system), and the transaction-manager actor answers stats
// and runs garbage collection.
#include <boost/test/unit_test.hpp>
#include <caf/all.hpp>

#include "actors/messages.h"
#include "db001/actor_api.h"
#include "db001/db001.h"

namespace {

using reply_t = std::tuple<std::string, std::string, std::string, std::vector<std::string>, std::vector<std::string>>;

reply_t exec(caf::scoped_actor& self, const caf::actor& session, const std::string& sql) {
  reply_t out;
  self->request(session, std::chrono::seconds(10), db001::exec_atom::value, sql)
      .receive(
          [&](std::string& tag, std::string& code, std::string& msg, std::vector<std::string>& names,
              std::vector<std::string>& cells) {
            out = reply_t{tag, code, msg, names, cells};
          },
          [&](caf::error& err) { BOOST_FAIL("request failed: " + self->system().render(err)); });
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(session_actor)

BOOST_AUTO_TEST_CASE(host_actor_system_runs_queries_through_session_actors) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  {
    auto db = db001::open_on(sys);
    auto conn = db->connect();
    caf::scoped_actor self{sys};
    auto session = db001::session_actor(*conn);

    auto r = exec(self, session, "CREATE TABLE t(a INT PRIMARY KEY, b TEXT)");
    BOOST_TEST(std::get<1>(r) == "00000");
    BOOST_TEST(std::get<0>(r) == "CREATE TABLE");
    r = exec(self, session, "INSERT INTO t VALUES (1, 'x'), (2, NULL)");
    BOOST_TEST(std::get<0>(r) == "INSERT 0 2");
    r = exec(self, session, "SELECT a, b FROM t ORDER BY a");
    BOOST_TEST(std::get<0>(r) == "SELECT 2");
    BOOST_TEST((std::get<3>(r) == std::vector<std::string>{"a", "b"}));
    BOOST_TEST((std::get<4>(r) == std::vector<std::string>{"1", "x", "2", ""}));

    // Errors come back as values with their SQLSTATE, the actor keeps serving.
    r = exec(self, session, "SELECT * FROM missing");
    BOOST_TEST(std::get<1>(r) == "42P01");
    r = exec(self, session, "SELECT count(*) FROM t");
    BOOST_TEST((std::get<4>(r) == std::vector<std::string>{"2"}));

    // The synchronous API and the actor share one session: a transaction opened by one is
    // seen by the other.
    BOOST_TEST(conn->execute("BEGIN").ok());
    r = exec(self, session, "INSERT INTO t VALUES (3, 'y')");
    BOOST_TEST(std::get<0>(r) == "INSERT 0 1");
    BOOST_TEST(conn->in_transaction());
    BOOST_TEST(conn->execute("ROLLBACK").ok());
    BOOST_TEST(conn->execute("SELECT count(*) FROM t").text(0, 0) == "2");
  }
}

BOOST_AUTO_TEST_CASE(txn_manager_actor_reports_stats_and_collects_garbage) {
  auto db = db001::database::open();
  auto conn = db->connect();
  BOOST_TEST(conn->execute("CREATE TABLE t(a INT PRIMARY KEY, b INT)").ok());
  BOOST_TEST(conn->execute("INSERT INTO t VALUES (1, 0)").ok());
  for (int i = 0; i < 100; ++i) BOOST_TEST(conn->execute("UPDATE t SET b = b + 1 WHERE a = 1").ok());
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto tm = db001::txn_manager_actor(*db);
  uint64_t reclaimed_now = 0;
  // The actor lives on the database's own actor system; messages cross systems in process.
  self->request(tm, std::chrono::seconds(10), db001::actors::gc_atom::value)
      .receive([&](uint64_t n) { reclaimed_now = n; }, [&](caf::error&) { BOOST_FAIL("gc request failed"); });
  uint64_t committed = 0, reclaimed = 0;
  self->request(tm, std::chrono::seconds(10), db001::actors::stats_atom::value)
      .receive(
          [&](uint64_t c, uint64_t, uint64_t, uint64_t, uint64_t r) {
            committed = c;
            reclaimed = r;
          },
          [&](caf::error&) { BOOST_FAIL("stats request failed"); });
  BOOST_TEST(committed >= 102u);
  // 100 updates left 100 dead versions; the timer or our request reclaimed them.
  BOOST_TEST(reclaimed >= 100u);
  (void)reclaimed_now;
  BOOST_TEST(conn->execute("SELECT b FROM t").text(0, 0) == "100");
}

BOOST_AUTO_TEST_SUITE_END()
