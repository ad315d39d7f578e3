// The protocol state machine without sockets: frontend bytes in, backend messages out.
// Start-up, simple and extended query (portals, row limits, skip to Sync after an error),
// transaction status in ReadyForQuery, COPY FROM STDIN, start-up errors, and random bytes
// after a good start-up (never a crash; the connection either answers or closes).
#include "actors/pg_connection.h"

#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <filesystem>
#include <caf/all.hpp>
#include <random>

#include "actors/cluster.h"

using namespace db001::actors;

namespace {

void put32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s.push_back(char(v >> (8 * i)));
}
void put16(std::string& s, uint16_t v) {
  s.push_back(char(v >> 8));
  s.push_back(char(v));
}

std::string message(char type, const std::string& body) {
  std::string m(1, type);
  put32(m, uint32_t(body.size() + 4));
  return m + body;
}

std::string cstr(const std::string& s) { return s + '\0'; }

std::string startup(const std::string& user, const std::string& db) {
  std::string body;
  put32(body, 196608);
  body += cstr("user") + cstr(user) + cstr("database") + cstr(db) + '\0';
  std::string m;
  put32(m, uint32_t(body.size() + 4));
  return m + body;
}

std::string query(const std::string& sql) { return message('Q', cstr(sql)); }
std::string parse_msg(const std::string& name, const std::string& sql) {
  std::string b = cstr(name) + cstr(sql);
  put16(b, 0);
  return message('P', b);
}
std::string bind_msg(const std::string& portal, const std::string& stmt, const std::vector<std::string>& text_params) {
  std::string b = cstr(portal) + cstr(stmt);
  put16(b, 0);  // all parameters in text
  put16(b, uint16_t(text_params.size()));
  for (auto& p : text_params) {
    put32(b, uint32_t(p.size()));
    b += p;
  }
  put16(b, 0);  // all results in text
  return message('B', b);
}
std::string describe_portal(const std::string& portal) { return message('D', "P" + cstr(portal)); }
std::string execute_msg(const std::string& portal, uint32_t max_rows) {
  std::string b = cstr(portal);
  put32(b, max_rows);
  return message('E', b);
}
std::string sync_msg() { return message('S', ""); }

struct backend_message {
  char type;
  std::string body;
};

/// Splits the output into messages (the lone 'N' of an SSL refusal is not expected here).
std::vector<backend_message> split(std::string_view out) {
  std::vector<backend_message> msgs;
  size_t pos = 0;
  while (pos + 5 <= out.size()) {
    uint32_t len = (uint32_t(uint8_t(out[pos + 1])) << 24) | (uint32_t(uint8_t(out[pos + 2])) << 16) |
                   (uint32_t(uint8_t(out[pos + 3])) << 8) | uint32_t(uint8_t(out[pos + 4]));
    BOOST_REQUIRE(pos + 1 + len <= out.size());
    msgs.push_back({out[pos], std::string(out.substr(pos + 5, len - 4))});
    pos += 1 + len;
  }
  BOOST_REQUIRE_EQUAL(pos, out.size());
  return msgs;
}

std::string types(const std::vector<backend_message>& msgs) {
  std::string t;
  for (auto& m : msgs) t.push_back(m.type);
  return t;
}

/// The SQLSTATE (field C) of an ErrorResponse body.
std::string sqlstate_of(const backend_message& m) {
  for (size_t i = 0; i < m.body.size();) {
    char f = m.body[i];
    if (f == 0) break;
    size_t end = m.body.find('\0', i + 1);
    if (f == 'C') return m.body.substr(i + 1, end - i - 1);
    i = end + 1;
  }
  return "";
}

/// server_config with its data directory in a fresh temp dir (removed at the end).
struct temp_data_config : server_config {
  temp_data_config() {
    char tmpl[] = "/tmp/db001-pgconn-XXXXXX";
    storage.data_directory = mkdtemp(tmpl);
  }
  ~temp_data_config() { std::filesystem::remove_all(storage.data_directory); }
};

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  temp_data_config config;
  std::unique_ptr<cluster> cl = std::make_unique<cluster>(sys, config);
  pg_connection conn{*cl, {true, "127.0.0.1"}, nullptr};

  std::vector<backend_message> send(const std::string& bytes) {
    conn.on_bytes(bytes.data(), bytes.size());
    auto msgs = split(conn.out().view());
    conn.out().clear();
    return msgs;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(pg_connection_protocol)

BOOST_FIXTURE_TEST_CASE(startup_simple_and_extended_query, fixture) {
  auto m = send(startup("postgres", "testdb"));
  BOOST_REQUIRE(!m.empty());
  BOOST_TEST(m.front().type == 'R');
  BOOST_TEST(m.front().body == std::string("\0\0\0\0", 4), "AuthenticationOk");
  BOOST_TEST(m[m.size() - 2].type == 'K');
  BOOST_TEST(m.back().type == 'Z');
  BOOST_TEST(m.back().body == "I");

  m = send(query("CREATE TABLE t (a int PRIMARY KEY, b text); INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z'); "
                 "SELECT a, b FROM t ORDER BY a"));
  BOOST_TEST(types(m) == "CCTDDDCZ");
  BOOST_TEST(m[6].body == cstr("SELECT 3"));

  m = send(query(""));
  BOOST_TEST(types(m) == "IZ", "EmptyQueryResponse");

  // A failed block: ErrorResponse, status E until ROLLBACK.
  m = send(query("BEGIN; SELECT 1/0"));
  BOOST_TEST(types(m) == "CEZ");
  BOOST_TEST(sqlstate_of(m[1]) == "22012");
  BOOST_TEST(m.back().body == "E");
  m = send(query("SELECT 1"));
  BOOST_TEST(sqlstate_of(m[0]) == "25P02");
  m = send(query("ROLLBACK"));
  BOOST_TEST(m.back().body == "I");

  // Extended: a named statement, a portal fetched one row at a time, then the rest.
  m = send(parse_msg("s1", "SELECT b FROM t WHERE a >= $1 ORDER BY a") + bind_msg("p1", "s1", {"2"}) + describe_portal("p1") +
           execute_msg("p1", 1) + sync_msg());
  BOOST_TEST(types(m) == "12TDsZ", "ParseComplete BindComplete RowDescription DataRow PortalSuspended ReadyForQuery");
  BOOST_TEST(m[3].body.substr(6) == "y");
  m = send(execute_msg("p1", 0) + sync_msg());
  BOOST_TEST(types(m) == "DCZ");
  BOOST_TEST(m[0].body.substr(6) == "z");

  // An error skips everything up to Sync.
  m = send(parse_msg("", "SELEC 1") + bind_msg("", "", {}) + execute_msg("", 0) + sync_msg());
  BOOST_TEST(types(m) == "EZ");
  BOOST_TEST(sqlstate_of(m[0]) == "42601");
  // Wrong parameter count: 08P01 in PostgreSQL's words.
  m = send(bind_msg("", "s1", {}) + sync_msg());
  BOOST_TEST(types(m) == "EZ");
  BOOST_TEST(sqlstate_of(m[0]) == "08P01");
  // Bad text input for an int parameter.
  m = send(bind_msg("", "s1", {"abc"}) + sync_msg());
  BOOST_TEST(sqlstate_of(m[0]) == "22P02");
}

BOOST_FIXTURE_TEST_CASE(copy_from_stdin, fixture) {
  send(startup("postgres", "testdb"));
  send(query("CREATE TABLE c (a int, b text)"));
  auto m = send(query("COPY c FROM STDIN"));
  BOOST_TEST(types(m) == "G", "CopyInResponse");
  // Rows split across CopyData messages anywhere.
  m = send(message('d', "1\tone\n2\ttw") + message('d', "o\n3\t\\N\n") + message('c', ""));
  BOOST_TEST(types(m) == "CZ");
  BOOST_TEST(m[0].body == cstr("COPY 3"));
  m = send(query("SELECT count(*), count(b) FROM c"));
  BOOST_TEST(types(m) == "TDCZ");
  // A bad row: ErrorResponse at once, the rest discarded until CopyDone, nothing loaded.
  send(query("COPY c FROM STDIN"));
  m = send(message('d', "4\tfour\nnot-a-number\tx\n") + message('d', "5\tfive\n") + message('c', ""));
  BOOST_TEST(types(m) == "EZ");
  BOOST_TEST(sqlstate_of(m[0]) == "22P02");
  m = send(query("SELECT count(*) FROM c"));
  BOOST_REQUIRE(types(m) == "TDCZ");
  BOOST_TEST(m[1].body.substr(6) == "3");
}

BOOST_FIXTURE_TEST_CASE(startup_errors_are_fatal, fixture) {
  auto m = send(startup("postgres", "nosuchdb"));
  BOOST_TEST(types(m) == "E");
  BOOST_TEST(sqlstate_of(m[0]) == "3D000");
  BOOST_TEST(conn.closing());
  pg_connection other(*cl, {true, "127.0.0.1"}, nullptr);
  std::string s = startup("nobody", "testdb");
  other.on_bytes(s.data(), s.size());
  auto m2 = split(other.out().view());
  BOOST_TEST(sqlstate_of(m2.at(0)) == "28000");
  BOOST_TEST(other.closing());
  // A query before start-up is a protocol violation.
  pg_connection third(*cl, {true, "127.0.0.1"}, nullptr);
  std::string q = query("SELECT 1");
  third.on_bytes(q.data(), q.size());
  BOOST_TEST(third.closing());
}

BOOST_FIXTURE_TEST_CASE(random_bytes_after_startup_never_crash, fixture) {
  std::mt19937 rng(7);
  const std::string valid = query("SELECT 1") + parse_msg("", "SELECT $1::int") + bind_msg("", "", {"5"}) + execute_msg("", 0) +
                            sync_msg() + message('d', "x") + message('c', "");
  int closed = 0;
  for (int round = 0; round < 300; ++round) {
    pg_connection c(*cl, {true, "127.0.0.1"}, nullptr);
    std::string s = startup("postgres", "testdb");
    c.on_bytes(s.data(), s.size());
    c.out().clear();
    std::string input = valid;
    if (round % 2) {
      for (int k = 0; k < 8; ++k) input[rng() % input.size()] = char(rng());
    } else {
      input.resize(rng() % 200);
      for (auto& ch : input) ch = char(rng());
    }
    for (size_t pos = 0; pos < input.size() && !c.closing();) {
      size_t n = std::min<size_t>(input.size() - pos, 1 + rng() % 16);
      c.on_bytes(input.data() + pos, n);
      pos += n;
    }
    // Whatever came out is well-formed backend messages.
    split(c.out().view());
    closed += c.closing();
  }
  BOOST_TEST(closed > 0, "some garbage must end the connection");
  BOOST_TEST(closed < 300, "mutated messages are not all fatal");
}

BOOST_AUTO_TEST_SUITE_END()
