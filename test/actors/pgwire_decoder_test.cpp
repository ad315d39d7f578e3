// Tests of the frontend decoder of the PostgreSQL wire protocol: every message kind decoded
// from hand-encoded bytes, streams split at every byte, each validation with PostgreSQL's
// SQLSTATE and wording, and a randomized stream test (no crash, hang or foreign exception).
#include <boost/test/unit_test.hpp>
#include <random>
#include <string>
#include <vector>

#include "actors/pgwire/frontend_decoder.h"

using namespace db001;
using namespace db001::pgwire;

namespace {

std::string be16(int v) { return {char((v >> 8) & 0xff), char(v & 0xff)}; }
std::string be32(int64_t v) {
  const auto u = uint32_t(v);
  return {char(u >> 24), char(u >> 16), char(u >> 8), char(u)};
}
std::string cstr(std::string_view s) { return std::string(s) + '\0'; }
std::string typed(char type, const std::string& body) { return type + be32(int64_t(body.size()) + 4) + body; }
std::string startup_packet(int32_t code, const std::string& body) {
  return be32(int64_t(body.size()) + 8) + be32(code) + body;
}

template <class... F>
struct overloaded : F... {
  using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

std::string opt(const std::optional<std::string>& s) { return s ? "'" + *s + "'" : "NULL"; }
template <class V>
std::string list(const V& v) {
  std::string out = "[";
  for (const auto& x : v) out += std::to_string(x) + ",";
  return out + "]";
}

/// A canonical text of a decoded message (to compare decodings).
std::string show(const frontend_message& m) {
  return std::visit(
      overloaded{
          [](const startup_message& s) {
            std::string out = "startup " + std::to_string(s.version);
            for (auto& [k, v] : s.params) out += " " + k + "=" + v;
            return out;
          },
          [](const ssl_request&) { return std::string("ssl"); },
          [](const gssenc_request&) { return std::string("gssenc"); },
          [](const cancel_request& c) { return "cancel " + std::to_string(c.pid) + " " + std::to_string(c.secret); },
          [](const query_message& q) { return "query " + q.sql; },
          [](const parse_message& p) { return "parse " + p.name + "|" + p.sql + "|" + list(p.param_oids); },
          [](const bind_message& b) {
            std::string out = "bind " + b.portal + "|" + b.statement + "|" + list(b.param_formats) + "|";
            for (auto& p : b.params) out += opt(p) + ",";
            return out + "|" + list(b.result_formats);
          },
          [](const describe_message& d) { return "describe " + std::string(1, d.kind) + d.name; },
          [](const execute_message& e) { return "execute " + e.portal + " " + std::to_string(e.max_rows); },
          [](const close_message& c) { return "close " + std::string(1, c.kind) + c.name; },
          [](const sync_message&) { return std::string("sync"); },
          [](const flush_message&) { return std::string("flush"); },
          [](const terminate_message&) { return std::string("terminate"); },
          [](const copy_data_message& c) { return "copydata " + c.data; },
          [](const copy_done_message&) { return std::string("copydone"); },
          [](const copy_fail_message& c) { return "copyfail " + c.message; },
          [](const password_message& p) { return "password " + p.body; },
      },
      m);
}

/// All messages of a stream; errors appear as "ERR <code> <message>" (and end it if fatal).
std::vector<std::string> decode_all(frontend_decoder& d) {
  std::vector<std::string> out;
  for (;;) {
    try {
      auto m = d.next();
      if (!m) break;
      out.push_back(show(*m));
    } catch (const db_error& e) {
      out.push_back("ERR " + e.code() + " " + e.what());
      if (d.failed()) break;
    }
  }
  return out;
}

std::vector<std::string> decode_stream(const std::string& bytes, bool startup = false) {
  frontend_decoder d;
  if (!startup) d.start_typed();
  d.feed(bytes);
  return decode_all(d);
}

std::string startup_body() {
  return cstr("user") + cstr("alice") + cstr("database") + cstr("db1") + cstr("options") + cstr("-c x=1") +
         cstr("application_name") + cstr("psql") + std::string(1, '\0');
}

/// A stream with one message of every typed kind.
std::string all_typed_messages() {
  std::string s;
  s += typed('Q', cstr("SELECT 1; SELECT 'é'"));
  s += typed('P', cstr("s1") + cstr("SELECT $1, $2") + be16(2) + be32(23) + be32(0));
  s += typed('B', cstr("p1") + cstr("s1") + be16(2) + be16(0) + be16(1) + be16(2) + be32(2) + "42" + be32(-1) +
                      be16(1) + be16(1));
  s += typed('B', cstr("") + cstr("") + be16(0) + be16(0) + be16(0));
  s += typed('B', cstr("") + cstr("s") + be16(1) + be16(1) + be16(1) + be32(0) + be16(2) + be16(0) + be16(1));
  s += typed('D', "S" + cstr("s1"));
  s += typed('D', "P" + cstr(""));
  s += typed('E', cstr("p1") + be32(10));
  s += typed('C', "S" + cstr("s1"));
  s += typed('C', "P" + cstr("p1"));
  s += typed('H', "");
  s += typed('S', "");
  s += typed('d', std::string("a\tb\n\0x", 6));
  s += typed('c', "");
  s += typed('f', cstr("aborted"));
  s += typed('p', cstr("secret"));
  s += typed('X', "");
  return s;
}

const std::vector<std::string> all_typed_expected = {
    "query SELECT 1; SELECT 'é'",
    "parse s1|SELECT $1, $2|[23,0,]",
    "bind p1|s1|[0,1,]|'42',NULL,|[1,]",
    "bind ||[]||[]",
    "bind |s|[1,]|'',|[0,1,]",
    "describe Ss1",
    "describe P",
    "execute p1 10",
    "close Ss1",
    "close Pp1",
    "flush",
    "sync",
    std::string("copydata a\tb\n\0x", 15),
    "copydone",
    "copyfail aborted",
    std::string("password secret\0", 16),
    "terminate",
};

}  // namespace

BOOST_AUTO_TEST_SUITE(frontend_decoder_suite)

BOOST_AUTO_TEST_CASE(startup_message_parameters) {
  frontend_decoder d;
  BOOST_TEST(d.in_startup());
  d.feed(startup_packet(protocol_3_0, startup_body()));
  auto m = d.next();
  BOOST_REQUIRE(m);
  auto& s = std::get<startup_message>(*m);
  BOOST_TEST(s.version == 196608);
  BOOST_TEST(s.params.size() == 4u);
  BOOST_TEST(s.user() == "alice");
  BOOST_TEST(s.database() == "db1");
  BOOST_TEST(*s.find("options") == "-c x=1");
  BOOST_TEST(*s.find("application_name") == "psql");
  BOOST_TEST(s.find("nope") == nullptr);
  BOOST_TEST(!d.in_startup());
  BOOST_TEST(!d.next());

  // database defaults to the user; protocol 3.1 and _pq_ options are passed on.
  frontend_decoder d2;
  d2.feed(startup_packet(protocol_version(3, 1), cstr("user") + cstr("bob") + cstr("_pq_.x") + cstr("1") + '\0'));
  auto s2 = std::get<startup_message>(*d2.next());
  BOOST_TEST(s2.database() == "bob");
  BOOST_TEST(protocol_minor(s2.version) == 1);
  BOOST_TEST(s2.protocol_options() == std::vector<std::string>{"_pq_.x"});
}

BOOST_AUTO_TEST_CASE(ssl_gssenc_and_cancel_requests) {
  std::string s = startup_packet(ssl_request_code, "") + startup_packet(gssenc_request_code, "") +
                  startup_packet(cancel_request_code, be32(1234) + be32(-5)) +
                  startup_packet(protocol_3_0, cstr("user") + cstr("u") + '\0') + typed('S', "");
  auto v = decode_stream(s, true);
  BOOST_TEST(v == (std::vector<std::string>{"ssl", "gssenc", "cancel 1234 -5", "startup 196608 user=u", "sync"}),
             boost::test_tools::per_element());
  BOOST_TEST(be32(ssl_request_code) == std::string("\x04\xd2\x16\x2f", 4));
}

BOOST_AUTO_TEST_CASE(every_typed_message_kind) {
  auto v = decode_stream(all_typed_messages());
  BOOST_TEST(v == all_typed_expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(password_family_helpers) {
  password_message p{cstr("hunter2")};
  BOOST_TEST(parse_password_message(p) == "hunter2");
  password_message bad{"abc"};
  BOOST_CHECK_EXCEPTION(parse_password_message(bad), db_error, [](const db_error& e) {
    return e.code() == "08P01" && std::string(e.what()) == "invalid password packet size";
  });
  password_message extra{cstr("a") + "b"};
  BOOST_CHECK_THROW(parse_password_message(extra), db_error);

  password_message init{cstr("SCRAM-SHA-256") + be32(8) + "n,,n=,r="};
  auto r = parse_sasl_initial_response(init);
  BOOST_TEST(r.mechanism == "SCRAM-SHA-256");
  BOOST_TEST(r.data.value() == "n,,n=,r=");
  password_message none{cstr("SCRAM-SHA-256") + be32(-1)};
  BOOST_TEST(!parse_sasl_initial_response(none).data);
  password_message shortm{cstr("SCRAM-SHA-256") + be32(9) + "n,,n=,r="};
  BOOST_CHECK_EXCEPTION(parse_sasl_initial_response(shortm), db_error, [](const db_error& e) {
    return e.code() == "08P01" && std::string(e.what()) == "insufficient data left in message";
  });
  password_message trailing{cstr("SCRAM-SHA-256") + be32(1) + "nx"};
  BOOST_CHECK_EXCEPTION(parse_sasl_initial_response(trailing), db_error,
                        [](const db_error& e) { return std::string(e.what()) == "invalid message format"; });
  password_message resp{"c=biws,r=abc,p=xyz"};
  BOOST_TEST(sasl_response_data(resp) == "c=biws,r=abc,p=xyz");
}

BOOST_AUTO_TEST_CASE(stream_split_at_every_byte) {
  const std::string stream =
      startup_packet(ssl_request_code, "") + startup_packet(protocol_3_0, startup_body()) + all_typed_messages();
  const auto expected = decode_stream(stream, true);
  BOOST_TEST(expected.size() == all_typed_expected.size() + 2);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    frontend_decoder d;
    d.feed(stream.data(), cut);
    auto a = decode_all(d);
    d.feed(stream.data() + cut, stream.size() - cut);
    auto b = decode_all(d);
    a.insert(a.end(), b.begin(), b.end());
    BOOST_TEST_REQUIRE(a == expected, "split at " << cut);
    BOOST_TEST(d.buffered() == 0u);
  }
  // Byte by byte.
  frontend_decoder d;
  std::vector<std::string> got;
  for (char c : stream) {
    d.feed(&c, 1);
    auto a = decode_all(d);
    got.insert(got.end(), a.begin(), a.end());
  }
  BOOST_TEST(got == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(fatal_framing_errors) {
  struct fatal_case {
    std::string bytes;
    bool startup;
    const char* expected;
  };
  const std::vector<fatal_case> cases = {
      {be32(7) + be32(0), true, "ERR 08P01 invalid length of startup packet"},
      {be32(10005) + be32(protocol_3_0), true, "ERR 54000 invalid length of startup packet"},
      {startup_packet(protocol_version(2, 0), cstr("user") + cstr("u") + '\0'), true,
       "ERR 0A000 unsupported frontend protocol 2.0: server supports 3.0 to 3.0"},
      {startup_packet(protocol_version(4, 0), ""), true,
       "ERR 0A000 unsupported frontend protocol 4.0: server supports 3.0 to 3.0"},
      {startup_packet(protocol_3_0, cstr("user") + cstr("u")), true,
       "ERR 08P01 invalid startup packet layout: expected terminator as last byte"},
      {startup_packet(protocol_3_0, ""), true,
       "ERR 08P01 invalid startup packet layout: expected terminator as last byte"},
      {startup_packet(protocol_3_0, cstr("user") + "u"), true,
       "ERR 08P01 invalid startup packet layout: expected terminator as last byte"},
      {startup_packet(protocol_3_0, cstr("user") + cstr("u") + '\0' + 'x'), true,
       "ERR 08P01 invalid startup packet layout: expected terminator as last byte"},
      {startup_packet(cancel_request_code, be32(1)), true, "ERR 08P01 invalid length of startup packet"},
      {startup_packet(ssl_request_code, "x"), true, "ERR 08P01 invalid length of startup packet"},
      {"Z", false, "ERR 08P01 invalid frontend message type 90"},
      {std::string(1, '\xff'), false, "ERR 08P01 invalid frontend message type 255"},
      {std::string(1, '\0'), false, "ERR 08P01 invalid frontend message type 0"},
      {"Q" + be32(3), false, "ERR 08P01 invalid message length"},
      {"Q" + be32(-1), false, "ERR 08P01 invalid message length"},
      {"S" + be32(10001), false, "ERR 54000 invalid message length"},
      {"Q" + be32(int64_t(1) << 30), false, "ERR 54000 invalid message length"},
      {"p" + be32(65536), false, "ERR 54000 invalid message length"},
  };
  for (const auto& c : cases) {
    frontend_decoder d;
    if (!c.startup) d.start_typed();
    d.feed(c.bytes);
    auto v = decode_all(d);
    BOOST_TEST_REQUIRE(v.size() == 1u);
    BOOST_TEST(v[0] == c.expected);
    BOOST_TEST(d.failed());
    // Stays failed, even when valid bytes follow.
    d.feed(typed('S', ""));
    BOOST_CHECK_THROW(d.next(), db_error);
  }
  // A 1 GiB - 1 message is within the default limit (the decoder waits for it).
  frontend_decoder d;
  d.start_typed();
  d.feed("Q" + be32((int64_t(1) << 30) - 1));
  BOOST_TEST(!d.next());
  BOOST_TEST(!d.failed());
  // Configurable limits.
  decoder_limits lim;
  lim.max_message = 100;
  frontend_decoder small(lim);
  small.start_typed();
  small.feed("Q" + be32(101));
  BOOST_CHECK_THROW(small.next(), db_error);
  BOOST_TEST(small.failed());
}

BOOST_AUTO_TEST_CASE(per_message_errors_keep_the_stream) {
  struct bad_case {
    std::string msg;
    const char* expected;
  };
  const std::vector<bad_case> cases = {
      {typed('Q', "SELECT 1"), "ERR 08P01 invalid string in message"},
      {typed('Q', cstr("SELECT 1") + "x"), "ERR 08P01 invalid message format"},
      {typed('Q', cstr("SELECT '\xc3\x28'")), "ERR 22021 invalid byte sequence for encoding \"UTF8\": 0xc3 0x28"},
      {typed('Q', cstr("SELECT \xff")), "ERR 22021 invalid byte sequence for encoding \"UTF8\": 0xff"},
      {typed('Q', cstr("x\xe2\x82")), "ERR 22021 invalid byte sequence for encoding \"UTF8\": 0xe2 0x82"},
      {typed('P', cstr("\xc3") + cstr("SELECT 1") + be16(0)),
       "ERR 22021 invalid byte sequence for encoding \"UTF8\": 0xc3"},
      {typed('P', cstr("s") + cstr("SELECT 1")), "ERR 08P01 insufficient data left in message"},
      {typed('P', cstr("s") + cstr("SELECT 1") + be16(2) + be32(23)), "ERR 08P01 insufficient data left in message"},
      {typed('P', cstr("s") + cstr("SELECT 1") + be16(-1)), "ERR 08P01 insufficient data left in message"},
      {typed('P', cstr("s") + cstr("SELECT 1") + be16(0) + "zz"), "ERR 08P01 invalid message format"},
      {typed('P', cstr("s") + "SELECT 1"), "ERR 08P01 invalid string in message"},
      {typed('B',
             cstr("") + cstr("") + be16(2) + be16(0) + be16(0) + be16(3) + be32(-1) + be32(-1) + be32(-1) + be16(0)),
       "ERR 08P01 bind message has 2 parameter formats but 3 parameters"},
      {typed('B', cstr("") + cstr("") + be16(1) + be16(2) + be16(0) + be16(0)), "ERR 22023 unsupported format code: 2"},
      {typed('B', cstr("") + cstr("") + be16(0) + be16(0) + be16(1) + be16(-1)),
       "ERR 22023 unsupported format code: -1"},
      {typed('B', cstr("") + cstr("") + be16(0) + be16(1) + be32(5) + "ab" + be16(0)),
       "ERR 08P01 insufficient data left in message"},
      {typed('B', cstr("") + cstr("") + be16(0) + be16(1) + be32(-2) + be16(0)),
       "ERR 08P01 insufficient data left in message"},
      {typed('B', cstr("") + cstr("") + be16(0) + be16(5) + be32(-1)), "ERR 08P01 insufficient data left in message"},
      {typed('B', cstr("") + cstr("") + be16(0) + be16(0)), "ERR 08P01 insufficient data left in message"},
      {typed('B', cstr("") + cstr("") + be16(0) + be16(0) + be16(0) + "x"), "ERR 08P01 invalid message format"},
      {typed('B', cstr("") + cstr("") + be16(-3)), "ERR 08P01 insufficient data left in message"},
      {typed('D', "X" + cstr("s")), "ERR 08P01 invalid DESCRIBE message subtype 88"},
      {typed('D', ""), "ERR 08P01 no data left in message"},
      {typed('D', "S"), "ERR 08P01 invalid string in message"},
      {typed('C', "Q" + cstr("s")), "ERR 08P01 invalid CLOSE message subtype 81"},
      {typed('E', cstr("p")), "ERR 08P01 insufficient data left in message"},
      {typed('E', cstr("p") + be32(0) + "x"), "ERR 08P01 invalid message format"},
      {typed('S', "x"), "ERR 08P01 invalid message format"},
      {typed('H', "x"), "ERR 08P01 invalid message format"},
      {typed('f', "no terminator"), "ERR 08P01 invalid string in message"},
      {typed('F', be32(1) + be16(0)), "ERR 0A000 fastpath function calls not supported"},
  };
  for (const auto& c : cases) {
    auto v = decode_stream(c.msg + typed('S', ""));
    BOOST_TEST_REQUIRE(v.size() == 2u, c.expected);
    BOOST_TEST(v[0] == c.expected);
    BOOST_TEST(v[1] == "sync");
  }
}

BOOST_AUTO_TEST_CASE(bind_count_checks) {
  bind_message b;
  b.statement = "s1";
  b.params.emplace_back("1");
  b.result_formats = {0, 1};
  BOOST_CHECK_NO_THROW(check_bind_param_count(b, 1));
  BOOST_CHECK_EXCEPTION(check_bind_param_count(b, 2), db_error, [](const db_error& e) {
    return e.code() == "08P01" &&
           std::string(e.what()) == "bind message supplies 1 parameters, but prepared statement \"s1\" requires 2";
  });
  BOOST_CHECK_NO_THROW(check_result_format_count(b, 2));
  BOOST_CHECK_EXCEPTION(check_result_format_count(b, 3), db_error, [](const db_error& e) {
    return e.code() == "08P01" && std::string(e.what()) == "bind message has 2 result formats but query has 3 columns";
  });
  b.result_formats = {1};
  BOOST_CHECK_NO_THROW(check_result_format_count(b, 3));
  BOOST_TEST(b.result_format(2) == 1);
  BOOST_TEST(b.param_format(0) == 0);
}

BOOST_AUTO_TEST_CASE(check_utf8_wording) {
  BOOST_CHECK_NO_THROW(check_utf8("plain ascii, é, 日本, 😀"));
  auto msg = [](std::string_view s) {
    try {
      check_utf8(s);
    } catch (const db_error& e) {
      return e.code() + " " + e.what();
    }
    return std::string("ok");
  };
  BOOST_TEST(msg(std::string("a\0b", 3)) == "22021 invalid byte sequence for encoding \"UTF8\": 0x00");
  BOOST_TEST(msg("\x80") == "22021 invalid byte sequence for encoding \"UTF8\": 0x80");
  BOOST_TEST(msg("ab\xf0\x9f\x98") == "22021 invalid byte sequence for encoding \"UTF8\": 0xf0 0x9f 0x98");
}

BOOST_AUTO_TEST_CASE(randomized_streams_never_crash) {
  std::mt19937_64 rng(20261124);
  const std::string typed_only = all_typed_messages();
  const std::string valid = startup_packet(protocol_3_0, startup_body()) + typed_only;
  decoder_limits lim;
  lim.max_message = 1 << 16;  // random lengths beyond the data just wait for more bytes
  size_t messages = 0, errors = 0, fatal = 0;
  const int rounds = 120000;
  for (int round = 0; round < rounds; ++round) {
    std::string s;
    const int kind = int(rng() % 3);
    if (kind == 0) {
      s.resize(rng() % 64);
      for (auto& c : s) c = char(rng());
    } else {
      s = kind == 1 ? valid : typed_only;
      const int mutations = 1 + int(rng() % 4);
      for (int k = 0; k < mutations; ++k) {
        const size_t at = rng() % s.size();
        switch (rng() % 4) {
          case 0:
            s[at] = char(rng());
            break;
          case 1:
            s.erase(at, 1 + rng() % 4);
            break;
          case 2:
            s.insert(at, 1, char(rng()));
            break;
          case 3:
            s[at] ^= char(1 << (rng() % 8));
            break;
        }
        if (s.empty()) s = "x";
      }
    }
    frontend_decoder d(lim);
    if (kind == 2 || (kind == 0 && rng() % 2)) d.start_typed();
    size_t fed = 0;
    int steps = 0;
    while (fed < s.size()) {
      const size_t n = std::min<size_t>(s.size() - fed, 1 + rng() % 40);
      d.feed(s.data() + fed, n);
      fed += n;
      for (;;) {
        BOOST_REQUIRE(++steps < 100000);  // no hang: every call consumes bytes or waits
        try {
          auto m = d.next();
          if (!m) break;
          ++messages;
        } catch (const db_error& e) {
          ++errors;
          BOOST_REQUIRE_EQUAL(e.code().size(), 5u);
          if (d.failed()) break;
        } catch (...) {
          BOOST_FAIL("non-db_error exception");
        }
      }
      if (d.failed()) {
        ++fatal;
        break;
      }
    }
  }
  BOOST_TEST_MESSAGE("fuzz: " << messages << " messages, " << errors << " errors, " << fatal << " fatal");
  BOOST_TEST(messages > 0u);
  BOOST_TEST(errors > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
