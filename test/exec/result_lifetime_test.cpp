// Results own their values: a result read after its rows were deleted, reclaimed and the
// slots reused by other rows still shows what the query returned (scans hand out zero-copy
// columns; results and join outputs must not keep pointing into table storage).
#include <boost/test/unit_test.hpp>

#include <set>

#include "db001/db001.h"

BOOST_AUTO_TEST_SUITE(result_lifetime)

BOOST_AUTO_TEST_CASE(results_survive_reclaim_and_slot_reuse) {
  auto db = db001::database::open();
  auto c = db->connect();
  BOOST_REQUIRE(c->execute("CREATE TABLE s(k INT, v TEXT)").ok());
  BOOST_REQUIRE(c->execute("CREATE TABLE j(k INT, w TEXT)").ok());
  BOOST_REQUIRE(c->execute("INSERT INTO s VALUES (1, 'a long string that is not inline one'), "
                           "(2, 'a long string that is not inline two')")
                    .ok());
  BOOST_REQUIRE(c->execute("INSERT INTO j VALUES (1, 'joined long string number one'), (2, 'joined long string two')").ok());
  auto plain = c->execute("SELECT v FROM s ORDER BY k");
  auto scan = c->execute("SELECT v FROM s");
  auto joined = c->execute("SELECT s.v, j.w FROM s JOIN j ON s.k = j.k");
  BOOST_REQUIRE(plain.ok() && scan.ok() && joined.ok());
  BOOST_REQUIRE(c->execute("DELETE FROM s").ok());
  BOOST_REQUIRE(c->execute("DELETE FROM j").ok());
  BOOST_REQUIRE(c->execute("VACUUM").ok());  // reclaims the deleted versions and frees their strings
  BOOST_REQUIRE(c->execute("INSERT INTO s VALUES (3, 'something else entirely, long too'), (4, 'and another long one here')").ok());
  BOOST_REQUIRE(c->execute("INSERT INTO j VALUES (3, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'), (4, 'yyyyyyyyyyyyyyyyyyyyyyyyyy')").ok());
  BOOST_TEST(plain.text(0, 0) == "a long string that is not inline one");
  BOOST_TEST(plain.text(1, 0) == "a long string that is not inline two");
  std::multiset<std::string> got{scan.text(0, 0), scan.text(1, 0)};
  BOOST_TEST((got == std::multiset<std::string>{"a long string that is not inline one", "a long string that is not inline two"}));
  BOOST_TEST(joined.row_count() == 2u);
  std::multiset<std::string> jw{joined.text(0, 1), joined.text(1, 1)};
  BOOST_TEST((jw == std::multiset<std::string>{"joined long string number one", "joined long string two"}));
}

BOOST_AUTO_TEST_SUITE_END()
