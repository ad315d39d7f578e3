// pgbench's built-in scripts with -M extended / -M prepared: the same statements with $n
// parameters, prepared once and run with pgbench's values (sent as text, typed by the
// statement). Results as PostgreSQL 15 gives them for the same sequence.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "sql/session.h"

namespace {

struct pgbench_fixture {
  db001::options opts;
  db001::engine::engine eng{opts};
  db001::engine::session s{eng};
  pgbench_fixture() {
    for (auto* sql : {"create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22))",
                      "create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100)",
                      "create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)",
                      "create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100)",
                      "insert into pgbench_branches(bid,bbalance) select bid, 0 from generate_series(1, 1) as bid",
                      "insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / 10 + 1, 0 from generate_series(1, 10) as tid",
                      "insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, '' from generate_series(1, 1000) as aid",
                      "alter table pgbench_branches add primary key (bid)", "alter table pgbench_tellers add primary key (tid)",
                      "alter table pgbench_accounts add primary key (aid)"}) {
      auto r = s.execute(sql).back();
      BOOST_REQUIRE_MESSAGE(r->ok(), std::string(sql) + ": " + r->message);
    }
  }
  /// Prepares sql and runs it with text parameters; returns the result.
  std::shared_ptr<db001::engine::result_data> run(const std::string& sql, const std::vector<std::string>& params) {
    auto p = s.prepare(sql);
    const auto& err = s.prepare_error(*p);
    BOOST_REQUIRE_MESSAGE(!err, sql + ": " + (err ? err->message : std::string()));
    std::vector<db001::value> vals;
    for (auto& x : params) vals.push_back(db001::value::text(x, db001::sql_type::unknown()));
    auto r = s.execute_prepared(*p, vals);
    BOOST_REQUIRE_MESSAGE(r->ok(), sql + ": " + r->message);
    return r;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(pgbench_prepared)

BOOST_FIXTURE_TEST_CASE(tpcb_like_with_parameters, pgbench_fixture) {
  s.execute("BEGIN;");
  BOOST_TEST(run("UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;", {"-3762", "528"})->tag == "UPDATE 1");
  auto sel = run("SELECT abalance FROM pgbench_accounts WHERE aid = $1;", {"528"});
  BOOST_TEST(sel->rows->row_count() == 1u);
  BOOST_TEST(sel->rows->get(0, 0).to_string() == "-3762");
  BOOST_TEST(run("UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2;", {"-3762", "9"})->tag == "UPDATE 1");
  BOOST_TEST(run("UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2;", {"-3762", "1"})->tag == "UPDATE 1");
  BOOST_TEST(run("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);",
                 {"9", "1", "528", "-3762"})
                 ->tag == "INSERT 0 1");
  BOOST_TEST(s.execute("END;").back()->tag == "COMMIT");
  auto sum = s.execute("select sum(delta), count(*) from pgbench_history").back();
  BOOST_TEST(sum->rows->get(0, 0).to_string() == "-3762");
  BOOST_TEST(sum->rows->get(0, 1).to_string() == "1");
}

BOOST_AUTO_TEST_SUITE_END()
