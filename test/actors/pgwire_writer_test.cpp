// Tests of the backend writer (byte-exact encodings of the server's messages) and of the
// value codec (text and binary formats; binary vectors are PostgreSQL 15's own output of
// numeric_send, date_send, timestamp_send, float4send/float8send).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "actors/pgwire/backend_writer.h"
#include "actors/pgwire/value_codec.h"
#include "exec/batch.h"
#include "sql/engine.h"
#include "storage/cast.h"

using namespace db001;
using namespace db001::pgwire;

namespace db001::pgwire {
std::ostream& operator<<(std::ostream& os, const wire_type& w) {
  return os << "{" << w.oid << "," << w.typlen << "," << w.typmod << "}";
}
}  // namespace db001::pgwire

namespace {

std::string be16(int v) { return {char((v >> 8) & 0xff), char(v & 0xff)}; }
std::string be32(int64_t v) {
  const auto u = uint32_t(v);
  return {char(u >> 24), char(u >> 16), char(u >> 8), char(u)};
}
std::string cstr(std::string_view s) { return std::string(s) + '\0'; }
std::string msg(char type, const std::string& body) { return type + be32(int64_t(body.size()) + 4) + body; }

/// Bytes from a hex string as psql prints bytea ("\x0002...").
std::string unhex(std::string_view h) {
  if (h.starts_with("\\x")) h.remove_prefix(2);
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(char(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}
std::string hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out = "\\x";
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

std::string binary_of(const value& v) {
  std::string out;
  append_binary(out, v);
  return out;
}
std::string text_of(const value& v) {
  std::string out;
  append_text(out, v);
  return out;
}

std::string err_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const db_error& e) {
    return e.code() + " " + e.what();
  }
  return "ok";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(backend_writer_suite)

BOOST_AUTO_TEST_CASE(startup_and_authentication_messages) {
  backend_writer w;
  w.ssl_refused();
  BOOST_TEST(w.view() == "N");
  w.clear();
  w.authentication_ok();
  BOOST_TEST(w.view() == std::string("R\0\0\0\x08\0\0\0\0", 9));
  w.clear();
  w.authentication_cleartext_password();
  BOOST_TEST(w.view() == msg('R', be32(3)));
  w.clear();
  const std::string_view mechs[] = {"SCRAM-SHA-256"};
  w.authentication_sasl(mechs);
  BOOST_TEST(w.view() == std::string("R\0\0\0\x17\0\0\0\x0aSCRAM-SHA-256\0\0", 24));
  w.clear();
  w.authentication_sasl_continue("r=abc,s=xyz,i=4096");
  BOOST_TEST(w.view() == msg('R', be32(11) + "r=abc,s=xyz,i=4096"));
  w.clear();
  w.authentication_sasl_final("v=sig");
  BOOST_TEST(w.view() == msg('R', be32(12) + "v=sig"));
  w.clear();
  w.parameter_status("client_encoding", "UTF8");
  BOOST_TEST(w.view() == std::string("S\0\0\0\x19"
                                     "client_encoding\0UTF8\0",
                                     26));
  w.clear();
  w.backend_key_data(1234, -2);
  BOOST_TEST(w.view() == msg('K', be32(1234) + be32(-2)));
  w.clear();
  const std::string opts[] = {"_pq_.x"};
  w.negotiate_protocol_version(0, opts);
  BOOST_TEST(w.view() == msg('v', be32(196608) + be32(1) + cstr("_pq_.x")));
  w.clear();
  w.ready_for_query(transaction_status::idle);
  w.ready_for_query(transaction_status::in_block);
  w.ready_for_query(transaction_status::failed);
  BOOST_TEST(w.view() == std::string("Z\0\0\0\x05"
                                     "IZ\0\0\0\x05"
                                     "TZ\0\0\0\x05"
                                     "E",
                                     18));
}

BOOST_AUTO_TEST_CASE(row_description_and_data_row) {
  backend_writer w;
  const std::vector<std::string> names = {"a", "n", "v", "t"};
  const std::vector<sql_type> types = {sql_type::int32(), sql_type::numeric(10, 2), sql_type::varchar(5),
                                       sql_type::unknown()};
  w.row_description(names, types, {});
  auto field = [](const char* name, int oid, int typlen, int64_t typmod, int fmt) {
    return cstr(name) + be32(0) + be16(0) + be32(oid) + be16(typlen) + be32(typmod) + be16(fmt);
  };
  BOOST_TEST(hex(w.view()) ==
             hex(msg('T', be16(4) + field("a", 23, 4, -1, 0) + field("n", 1700, -1, (10 << 16 | 2) + 4, 0) +
                              field("v", 1043, -1, 9, 0) + field("t", 25, -1, -1, 0))));
  w.clear();
  const int16_t binary[] = {1};
  w.row_description(std::vector<std::string>{"x"}, std::vector<sql_type>{sql_type::int64()}, binary);
  BOOST_TEST(hex(w.view()) == hex(msg('T', be16(1) + field("x", 20, 8, -1, 1))));
  w.clear();

  const std::vector<value> row = {value::int32(42), value::null(sql_type::text()), value::text("hi")};
  w.data_row(row, {});
  BOOST_TEST(hex(w.view()) == hex(msg('D', be16(3) + be32(2) + "42" + be32(-1) + be32(2) + "hi")));
  w.clear();
  const int16_t mixed[] = {1, 0, 1};
  w.data_row(row, mixed);
  BOOST_TEST(hex(w.view()) == hex(msg('D', be16(3) + be32(4) + be32(42) + be32(-1) + be32(2) + "hi")));
}

BOOST_AUTO_TEST_CASE(command_and_extended_query_messages) {
  backend_writer w;
  w.command_complete("SELECT 1");
  BOOST_TEST(w.view() == std::string("C\0\0\0\x0dSELECT 1\0", 14));
  w.clear();
  w.empty_query_response();
  w.parse_complete();
  w.bind_complete();
  w.close_complete();
  w.no_data();
  w.portal_suspended();
  w.copy_done();
  BOOST_TEST(w.view() ==
             msg('I', "") + msg('1', "") + msg('2', "") + msg('3', "") + msg('n', "") + msg('s', "") + msg('c', ""));
  w.clear();
  const uint32_t oids[] = {23, 25};
  w.parameter_description(oids);
  const sql_type ts[] = {sql_type::int32(), sql_type::unknown()};
  w.parameter_description(ts);
  BOOST_TEST(w.view() == msg('t', be16(2) + be32(23) + be32(25)) + msg('t', be16(2) + be32(23) + be32(25)));
  w.clear();
  const int16_t fmts[] = {0, 0};
  w.copy_in_response(0, fmts);
  w.copy_out_response(1, std::span<const int16_t>{});
  w.copy_data("1\tx\n");
  BOOST_TEST(w.view() == msg('G', std::string(1, '\0') + be16(2) + be16(0) + be16(0)) +
                             msg('H', std::string(1, '\1') + be16(0)) + msg('d', "1\tx\n"));
}

BOOST_AUTO_TEST_CASE(error_and_notice_responses) {
  backend_writer w;
  w.error_response(db_error("42601", "syntax error at or near \"x\"", 8));
  BOOST_TEST(w.view() == msg('E', "SERROR" + std::string(1, '\0') + "VERROR" + std::string(1, '\0') + cstr("C42601") +
                                      cstr("Msyntax error at or near \"x\"") + cstr("P8") + std::string(1, '\0')));
  w.clear();
  db_error e("22003", "numeric field overflow");
  e.with_detail("A field with precision 3, scale 0 must round to an absolute value less than 10^3.").with_hint("h");
  w.error_response(e, severity::fatal);
  BOOST_TEST(w.view() ==
             msg('E', cstr("SFATAL") + cstr("VFATAL") + cstr("C22003") + cstr("Mnumeric field overflow") +
                          cstr("DA field with precision 3, scale 0 must round to an absolute value less than 10^3.") +
                          cstr("Hh") + std::string(1, '\0')));
  w.clear();
  engine::result_data r;
  r.code = "42P01";
  r.message = "relation \"t\" does not exist";
  r.position = 15;
  w.error_response(fields_of(r));
  BOOST_TEST(w.view() == msg('E', cstr("SERROR") + cstr("VERROR") + cstr("C42P01") +
                                      cstr("Mrelation \"t\" does not exist") + cstr("P15") + std::string(1, '\0')));
  w.clear();
  // CONTEXT ('W') after the position, as PostgreSQL orders the fields (COPY's line context).
  engine::result_data c;
  c.code = "22P02";
  c.message = "invalid input syntax for type integer: \"x\"";
  c.detail = "d";
  c.context = "COPY t, line 3, column a: \"x\"";
  w.error_response(fields_of(c));
  BOOST_TEST(w.view() == msg('E', cstr("SERROR") + cstr("VERROR") + cstr("C22P02") +
                                      cstr("Minvalid input syntax for type integer: \"x\"") + cstr("Dd") +
                                      cstr("WCOPY t, line 3, column a: \"x\"") + std::string(1, '\0')));
  w.clear();
  w.notice_response(error_fields{severity::notice, "00000", "n", "", "", 4, "SQL function \"f\" statement 1"});
  BOOST_TEST(w.view() == msg('N', cstr("SNOTICE") + cstr("VNOTICE") + cstr("C00000") + cstr("Mn") + cstr("P4") +
                                      cstr("WSQL function \"f\" statement 1") + std::string(1, '\0')));
  w.clear();
  w.notice("table \"t\" does not exist, skipping");
  BOOST_TEST(w.view() == msg('N', cstr("SNOTICE") + cstr("VNOTICE") + cstr("C00000") +
                                      cstr("Mtable \"t\" does not exist, skipping") + std::string(1, '\0')));
  w.clear();
  w.notice_response(error_fields{severity::warning, "01000", "careful", "", "", 0});
  BOOST_TEST(w.view() ==
             msg('N', cstr("SWARNING") + cstr("VWARNING") + cstr("C01000") + cstr("Mcareful") + std::string(1, '\0')));
}

BOOST_AUTO_TEST_CASE(data_rows_from_column_vectors_match_boxed_values) {
  // One chunk of 4 rows over every type, with NULLs; data_rows (vector fast path) must give
  // the same bytes as data_row over boxed values, in text and in binary.
  const std::vector<sql_type> types = {sql_type::boolean(),      sql_type::int16(),        sql_type::int32(),
                                       sql_type::int64(),        sql_type::float32(),      sql_type::float64(),
                                       sql_type::numeric(10, 2), sql_type::numeric(30, 3), sql_type::text(),
                                       sql_type::varchar(20),    sql_type::date(),         sql_type::timestamp()};
  const uint32_t n = 4;
  exec::batch b;
  b.size = b.count = n;
  for (const sql_type& t : types) {
    exec::vector_writer w(t, n);
    for (uint32_t i = 0; i < n; ++i) {
      if (i == 3) {
        w.set_null(i);
        continue;
      }
      value v;
      switch (t.id) {
        case type_id::boolean:
          v = value::boolean(i % 2);
          break;
        case type_id::int16:
          v = value::int16(int16_t(-7 * i));
          break;
        case type_id::int32:
          v = value::int32(int32_t(100000 * i - 1));
          break;
        case type_id::int64:
          v = value::int64(-(int64_t(1) << 40) * i);
          break;
        case type_id::float32:
          v = value::float32(0.1f * float(i) + 1e7f * float(i == 2));
          break;
        case type_id::float64:
          v = value::float64(i == 2 ? 1e20 : 0.1 * i);
          break;
        case type_id::numeric:
          v = value::numeric(int128_t(123456) * (i % 2 ? -1 : 1) * i, t);
          break;
        case type_id::text:
          v = value::text(i == 1 ? "a longer string over twelve bytes" : "é");
          break;
        case type_id::varchar:
          v = value::text(std::string(i, 'x'), t);
          break;
        case type_id::date:
          v = value::date(int32_t(i * 9000) - 1);
          break;
        case type_id::timestamp:
          v = value::timestamp(int64_t(i) * 123456789012345 + 1);
          break;
        default:
          break;
      }
      exec::write_value(w, t, i, v);
      if (t.physical() == phys::str) {
        auto* s = w.data<string_t>();
        s[i] = w.heap().make(v.as_string());
      }
    }
    b.cols.push_back(w.finish());
  }
  exec::row_collection rc(types);
  rc.append_chunk(b);
  for (int16_t fmt : {int16_t(0), int16_t(1)}) {
    const int16_t f[] = {fmt};
    backend_writer fast, slow;
    BOOST_TEST(fast.data_rows(rc, 0, 100, f) == n);
    for (size_t r = 0; r < n; ++r) {
      std::vector<value> row;
      for (size_t c = 0; c < types.size(); ++c) row.push_back(rc.get(r, c));
      slow.data_row(row, f);
    }
    BOOST_TEST(hex(fast.view()) == hex(slow.view()));
    // A window of rows.
    backend_writer part;
    BOOST_TEST(part.data_rows(rc, 1, 2, f) == 2u);
    BOOST_TEST(part.data_rows(rc, 10, 2, f) == 0u);
  }
  // Text cells equal value::to_string (PostgreSQL's output).
  for (size_t r = 0; r < 3; ++r)
    for (size_t c = 0; c < types.size(); ++c) {
      value v = rc.get(r, c);
      BOOST_TEST(text_of(v) == v.to_string());
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(value_codec_suite)

BOOST_AUTO_TEST_CASE(binary_vectors_from_postgres) {
  // SELECT numeric_send(x::numeric) etc. in PostgreSQL 15.
  struct num_case {
    const char* text;
    const char* bytes;
  };
  const std::vector<num_case> nums = {
      {"1.5", "\\x000200000000000100011388"},
      {"0", "\\x0000000000000000"},
      {"-12345.678", "\\x0003000140000003000109291a7c"},
      {"0.0001", "\\x0001ffff000000040001"},
      {"100000000", "\\x00010002000000000001"},
      {"123456789012345678901234567890.12", "\\x0009000700000002000c0d801ed204d2162e23340d801ed204b0"},
      {"0.00", "\\x0000000000000002"},
      {"-0.000012", "\\x0001fffe4000000604b0"},
      {"99999999.99", "\\x0003000100000002270f270f26ac"},
      {"0.00000000000000000001", "\\x0001fffb000000140001"},
      {"12.000", "\\x0001000000000003000c"},
  };
  for (const auto& c : nums) {
    const numeric_value n = parse_numeric(c.text);
    std::string out;
    append_numeric_binary(out, n.unscaled, n.scale);
    BOOST_TEST(hex(out) == c.bytes, c.text);
    BOOST_TEST(numeric_binary_to_text(unhex(c.bytes)) == c.text);
    value back = decode_param(unhex(c.bytes), format_binary, sql_type::numeric(), 1);
    BOOST_TEST(back.to_string() == c.text);
  }
  BOOST_TEST(hex(binary_of(value::date(parse_date("2024-01-31")))) == "\\x0000225c");
  BOOST_TEST(hex(binary_of(value::date(parse_date("1999-12-31")))) == "\\xffffffff");
  BOOST_TEST(hex(binary_of(value::date(parse_date("0001-01-01 BC")))) == "\\xfff4da8b");
  BOOST_TEST(hex(binary_of(value::date(date_neg_infinity))) == "\\x80000000");
  BOOST_TEST(hex(binary_of(value::timestamp(parse_timestamp("2024-01-31 12:34:56.789")))) == "\\x0002b33be00ca608");
  BOOST_TEST(hex(binary_of(value::timestamp(parse_timestamp("1970-01-01")))) == "\\xfffca2fec4c82000");
  BOOST_TEST(hex(binary_of(value::timestamp(parse_timestamp("2000-01-01 00:00:00.000001")))) == "\\x0000000000000001");
  BOOST_TEST(hex(binary_of(value::timestamp(timestamp_infinity))) == "\\x7fffffffffffffff");
  BOOST_TEST(hex(binary_of(value::float64(0.1))) == "\\x3fb999999999999a");
  BOOST_TEST(hex(binary_of(value::float32(1.5f))) == "\\x3fc00000");
  BOOST_TEST(hex(binary_of(value::float64(-std::numeric_limits<double>::infinity()))) == "\\xfff0000000000000");
  BOOST_TEST(hex(binary_of(value::float64(std::nan("")))) == "\\x7ff8000000000000");
  BOOST_TEST(hex(binary_of(value::float32(std::nanf("")))) == "\\x7fc00000");
  BOOST_TEST(hex(binary_of(value::float64(-0.0))) == "\\x8000000000000000");
  BOOST_TEST(hex(binary_of(value::int64(-2))) == "\\xfffffffffffffffe");
  BOOST_TEST(hex(binary_of(value::boolean(true))) == "\\x01");
  BOOST_TEST(hex(binary_of(value::int16(-2))) == "\\xfffe");
  BOOST_TEST(binary_of(value::text("héllo")) == "héllo");
}

BOOST_AUTO_TEST_CASE(text_output_is_postgres_output) {
  BOOST_TEST(text_of(value::boolean(true)) == "t");
  BOOST_TEST(text_of(value::boolean(false)) == "f");
  BOOST_TEST(text_of(value::float64(0.1)) == "0.1");
  BOOST_TEST(text_of(value::float64(1e20)) == "1e+20");
  BOOST_TEST(text_of(value::float32(1e6f)) == "1e+06");
  BOOST_TEST(text_of(value::float64(std::numeric_limits<double>::infinity())) == "Infinity");
  BOOST_TEST(text_of(value::numeric(150, sql_type::numeric(5, 2))) == "1.50");
  BOOST_TEST(text_of(value::numeric(-5, sql_type::numeric(5, 2))) == "-0.05");
  BOOST_TEST(text_of(value::date(parse_date("2024-01-31"))) == "2024-01-31");
  BOOST_TEST(text_of(value::timestamp(parse_timestamp("2024-01-31 12:34:56.789"))) == "2024-01-31 12:34:56.789");
  BOOST_TEST(text_of(value::int64(INT64_MIN)) == "-9223372036854775808");
}

BOOST_AUTO_TEST_CASE(param_round_trips) {
  const std::vector<value> vals = {
      value::boolean(true),
      value::int16(-32768),
      value::int32(2147483647),
      value::int64(-9000000000000000000LL),
      value::float32(3.25f),
      value::float64(-1.0e-300),
      value::numeric(int128_t(-123456789), sql_type::numeric(-1, 4)),
      value::text("naïve ✓"),
      value::date(parse_date("1900-02-28")),
      value::timestamp(parse_timestamp("2262-04-11 23:47:16.854775")),
  };
  for (const value& v : vals) {
    sql_type target = v.type();
    if (target.id == type_id::numeric) target = sql_type::numeric();
    for (int16_t fmt : {format_text, format_binary}) {
      std::string bytes = fmt == format_binary ? binary_of(v) : text_of(v);
      value back = decode_param(bytes, fmt, target, 1);
      BOOST_TEST(back.to_string() == v.to_string(), v.to_string() << " format " << fmt);
      BOOST_TEST((back.type().id == v.type().id));
    }
  }
  // NULL and untyped parameters.
  BOOST_TEST(decode_param(std::nullopt, format_binary, sql_type::int32(), 1).is_null());
  value u = decode_param(std::string("42"), format_text, sql_type::unknown(), 1);
  BOOST_TEST((u.type().id == type_id::unknown));
  BOOST_TEST(u.as_string() == "42");
  // numeric typmod applies.
  BOOST_TEST(decode_param(std::string("1.005"), format_text, sql_type::numeric(5, 2), 1).to_string() == "1.01");
  BOOST_TEST(
      decode_param(unhex("\\x000200000000000100011388"), format_binary, sql_type::numeric(5, 2), 1).to_string() ==
      "1.50");
}

BOOST_AUTO_TEST_CASE(bad_params) {
  auto bin = [](std::string bytes, sql_type t) { return err_of([&] { decode_param(bytes, format_binary, t, 2); }); };
  auto txt = [](std::string bytes, sql_type t) { return err_of([&] { decode_param(bytes, format_text, t, 2); }); };
  BOOST_TEST(bin(be32(1) + "x", sql_type::int32()) == "22P03 incorrect binary data format in bind parameter 2");
  BOOST_TEST(bin(be16(1), sql_type::int32()) == "08P01 insufficient data left in message");
  BOOST_TEST(bin("", sql_type::int64()) == "08P01 insufficient data left in message");
  BOOST_TEST(bin("ab", sql_type::boolean()) == "22P03 incorrect binary data format in bind parameter 2");
  BOOST_TEST(bin(be32(2147483000), sql_type::date()) == "22008 date out of range");
  BOOST_TEST(bin(be32(0x7ffffff0) + be32(0), sql_type::timestamp()) == "22008 timestamp out of range");
  BOOST_TEST(bin(unhex("\\x00000000c0000000"), sql_type::numeric()) == "0A000 numeric NaN/Infinity is not supported");
  BOOST_TEST(bin(unhex("\\x0000000012340000"), sql_type::numeric()) ==
             "22P03 invalid sign in external \"numeric\" value");
  BOOST_TEST(bin(unhex("\\x000000000000ffff"), sql_type::numeric()) ==
             "22P03 invalid scale in external \"numeric\" value");
  BOOST_TEST(bin(unhex("\\x000100000000000027ff"), sql_type::numeric()) ==
             "22P03 invalid digit in external \"numeric\" value");
  BOOST_TEST(bin(unhex("\\x0002000000000000"), sql_type::numeric()) == "08P01 insufficient data left in message");
  BOOST_TEST(bin(unhex("\\x0000000000000000ff"), sql_type::numeric()) ==
             "22P03 incorrect binary data format in bind parameter 2");
  BOOST_TEST(bin(unhex("\\x0001000a000000000001"), sql_type::numeric()) == "22003 value overflows numeric format");
  BOOST_TEST(bin("\xc3\x28", sql_type::text()) == "22021 invalid byte sequence for encoding \"UTF8\": 0xc3 0x28");
  BOOST_TEST(txt("12x", sql_type::int32()) == "22P02 invalid input syntax for type integer: \"12x\"");
  BOOST_TEST(txt("99999", sql_type::int16()) == "22003 value \"99999\" is out of range for type smallint");
  BOOST_TEST(txt("maybe", sql_type::boolean()) == "22P02 invalid input syntax for type boolean: \"maybe\"");
  BOOST_TEST(txt("2024-13-01", sql_type::date()) == "22008 date/time field value out of range: \"2024-13-01\"");
  BOOST_TEST(txt(std::string("a\0b", 3), sql_type::text()) ==
             "22021 invalid byte sequence for encoding \"UTF8\": 0x00");
  BOOST_TEST(txt("toolong", sql_type::varchar(3)) == "22001 value too long for type character varying(3)");
}

BOOST_AUTO_TEST_CASE(wire_types) {
  BOOST_TEST(wire_type_of(sql_type::int16()) == (wire_type{21, 2, -1}));
  BOOST_TEST(wire_type_of(sql_type::int32()) == (wire_type{23, 4, -1}));
  BOOST_TEST(wire_type_of(sql_type::int64()) == (wire_type{20, 8, -1}));
  BOOST_TEST(wire_type_of(sql_type::float32()) == (wire_type{700, 4, -1}));
  BOOST_TEST(wire_type_of(sql_type::float64()) == (wire_type{701, 8, -1}));
  BOOST_TEST(wire_type_of(sql_type::numeric(10, 2)) == (wire_type{1700, -1, 655366}));
  BOOST_TEST(wire_type_of(sql_type::numeric(-1, 3)) == (wire_type{1700, -1, -1}));
  BOOST_TEST(wire_type_of(sql_type::boolean()) == (wire_type{16, 1, -1}));
  BOOST_TEST(wire_type_of(sql_type::text()) == (wire_type{25, -1, -1}));
  BOOST_TEST(wire_type_of(sql_type::varchar(5)) == (wire_type{1043, -1, 9}));
  BOOST_TEST(wire_type_of(sql_type::varchar()) == (wire_type{1043, -1, -1}));
  BOOST_TEST(wire_type_of(sql_type::bpchar(3)) == (wire_type{1042, -1, 7}));
  BOOST_TEST(wire_type_of(sql_type::date()) == (wire_type{1082, 4, -1}));
  BOOST_TEST(wire_type_of(sql_type::timestamp()) == (wire_type{1114, 8, -1}));
  BOOST_TEST(wire_type_of(sql_type::unknown()) == (wire_type{25, -1, -1}));
  BOOST_TEST(wire_type_of(sql_type::null()) == (wire_type{25, -1, -1}));
  for (uint32_t o : {16u, 20u, 21u, 23u, 25u, 700u, 701u, 1042u, 1043u, 1082u, 1114u, 1700u})
    BOOST_TEST(wire_type_of(*sql_type_of_oid(o)).oid == o);
  BOOST_TEST((sql_type_of_oid(0)->id == type_id::unknown));
  BOOST_TEST((sql_type_of_oid(705)->id == type_id::unknown));
  BOOST_TEST(!sql_type_of_oid(17));
  BOOST_TEST(!sql_type_of_oid(1184));
}

BOOST_AUTO_TEST_SUITE_END()
