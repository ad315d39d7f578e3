// Commit records (recovery/redo_codec.h) and catalog images: every type round-trips through
// encode -> replay into a fresh catalog (rows by row id, every index's entries); malformed
// payloads (truncated at every byte, random bytes, flipped bytes) give recovery_error, never UB.
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <random>

#include "test/recovery/redo_fixture.h"

using namespace redo_test;

namespace {

std::vector<st::column_def> all_types() {
  return {
      {"id", sql_type::int32(), true},
      {"b", sql_type::boolean()},
      {"i2", sql_type::int16()},
      {"i8", sql_type::int64()},
      {"f4", sql_type::float32()},
      {"f8", sql_type::float64()},
      {"n_small", sql_type::numeric(10, 2)},
      {"n_big", sql_type::numeric(30, 5)},
      {"t", sql_type::text()},
      {"vc", sql_type::varchar(20)},
      {"ch", sql_type::bpchar(5)},
      {"d", sql_type::date()},
      {"ts", sql_type::timestamp()},
  };
}

/// A random row of all_types() with id `id`; about one value in five is NULL (never the id).
std::vector<value> random_row(std::mt19937_64& rng, int32_t id) {
  auto null = [&] { return rng() % 5 == 0; };
  auto pick = [&](value v, sql_type t) { return null() ? value::null(t) : v; };
  std::string longtext(size_t(rng() % 300), 'x');
  for (auto& c : longtext) c = char('a' + rng() % 26);
  if (!longtext.empty() && rng() % 3 == 0) longtext[rng() % longtext.size()] = '\0';
  std::string shorttext = std::to_string(rng() % 1000);
  std::string ch = std::string(1, char('a' + rng() % 26)) + "    ";
  db001::int128_t big = (db001::int128_t(int64_t(rng())) << 40) + db001::int128_t(rng() % 1000);
  return {
      value::int32(id),
      pick(value::boolean(rng() % 2), sql_type::boolean()),
      pick(value::int16(int16_t(rng())), sql_type::int16()),
      pick(value::int64(int64_t(rng())), sql_type::int64()),
      pick(value::float32(float(int32_t(rng())) / 7.0f), sql_type::float32()),
      pick(value::float64(double(int64_t(rng())) / 3.0), sql_type::float64()),
      pick(value::numeric(db001::int128_t(int64_t(rng() % 100000000) - 50000000), sql_type::numeric(10, 2)),
           sql_type::numeric(10, 2)),
      pick(value::numeric(rng() % 2 ? big : -big, sql_type::numeric(30, 5)), sql_type::numeric(30, 5)),
      pick(value::text(longtext), sql_type::text()),
      pick(value::text(shorttext, sql_type::varchar(20)), sql_type::varchar(20)),
      pick(value::text(ch, sql_type::bpchar(5)), sql_type::bpchar(5)),
      pick(value::date(int32_t(rng() % 20000) - 10000), sql_type::date()),
      pick(value::timestamp(int64_t(rng() % 4000000000000000ull) - 2000000000000000ll), sql_type::timestamp()),
  };
}

/// An engine with table "all_types" (primary key id, indexes on text, (numeric, date), big
/// numeric, double, boolean) and `rows` committed rows in several transactions.
void fill_all_types(engine& e, int rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto t = e.begin();
  auto tbl = e.create_table(*t, "all_types", all_types());
  e.create_index(*t, tbl, "all_types_pkey", {0}, true, true);
  e.create_index(*t, tbl, "all_types_t", {8});
  e.create_index(*t, tbl, "all_types_n_d", {6, 11});
  e.create_index(*t, tbl, "all_types_big", {7});
  e.create_index(*t, tbl, "all_types_f8", {5});
  e.create_index(*t, tbl, "all_types_b_ch", {1, 10});
  for (int i = 0; i < rows / 4; ++i) e.insert(*t, tbl, random_row(rng, i));
  e.commit(*t);
  for (int i = rows / 4; i < rows;) {
    auto w = e.begin();
    for (int k = 0; k < 50 && i < rows; ++k, ++i) e.insert(*w, tbl, random_row(rng, i));
    e.commit(*w);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(redo_codec)

BOOST_AUTO_TEST_CASE(every_type_round_trips_through_encode_and_replay) {
  engine e;
  fill_all_types(e, 3000, 42);
  st::catalog fresh;
  auto r = replay_all(fresh, e.log);
  BOOST_TEST(r.records() == e.log.size());
  BOOST_TEST(r.max_commit_ts() == e.tm.now());
  require_recovered(e, fresh, r.max_commit_ts());
  auto tbl = fresh.find_table("all_types");
  BOOST_REQUIRE(tbl);
  BOOST_TEST(tbl->approx_rows() == 3000);
  BOOST_TEST(fresh.find_index("all_types_pkey")->entry_count() == 3000u);
  BOOST_TEST(fresh.peek_next_oid() == e.cat.peek_next_oid());
}

BOOST_AUTO_TEST_CASE(prefix_is_patched_and_peeked) {
  engine e;
  fill_all_types(e, 10, 1);
  for (auto& p : e.log) {
    auto h = rc::peek_commit(p);
    BOOST_TEST(h.commit_ts > 2u);
    BOOST_TEST(h.unix_micros == 1700000000000000ull + h.commit_ts);
  }
  BOOST_CHECK_THROW(rc::peek_commit(std::string(10, '\0')), rc::recovery_error);
}

BOOST_AUTO_TEST_CASE(catalog_image_round_trips) {
  engine e;
  fill_all_types(e, 0, 2);
  db001::storage::view_def v;
  v.name = "v1";
  v.query_json = "{\"x\":1}";
  v.definition = "SELECT 1";
  v.column_names = {"a", "b"};
  v.oid = e.cat.next_oid();
  e.cat.add_view(v);
  std::string img;
  rc::encode_catalog_image(img, e.cat);
  st::catalog fresh;
  rc::apply_catalog_image(fresh, img);
  std::string again;
  rc::encode_catalog_image(again, fresh);
  BOOST_TEST(img == again);
  // Applying it twice changes nothing.
  rc::apply_catalog_image(fresh, img);
  again.clear();
  rc::encode_catalog_image(again, fresh);
  BOOST_TEST(img == again);
  auto fv = fresh.find_view("v1");
  BOOST_REQUIRE(fv);
  BOOST_TEST(fv->definition == "SELECT 1");
  BOOST_TEST(fv->column_names.size() == 2u);
}

BOOST_AUTO_TEST_CASE(truncated_payloads_are_errors_at_every_byte) {
  engine e;
  std::mt19937_64 rng(7);
  {
    auto t = e.begin();
    auto tbl = e.create_table(*t, "all_types", all_types());
    e.create_index(*t, tbl, "pk", {0}, true, true);
    e.insert(*t, tbl, random_row(rng, 1));
    e.commit(*t);
  }
  auto tbl = e.cat.find_table("all_types");
  {
    auto t = e.begin();
    e.insert(*t, tbl, random_row(rng, 2));
    e.remove(*t, tbl, 0);
    e.commit(*t);
  }
  BOOST_REQUIRE_EQUAL(e.log.size(), 2u);
  for (size_t rec = 0; rec < 2; ++rec) {
    const std::string& p = e.log[rec];
    for (size_t n = 0; n < p.size(); ++n) {
      st::catalog fresh;
      rc::replayer r(fresh, 0);
      if (rec == 1) r.apply_commit(e.log[0]);
      try {
        r.apply_commit(std::string_view(p.data(), n));
        BOOST_ERROR("record " << rec << " truncated to " << n << " bytes was accepted");
      } catch (const rc::recovery_error& err) {
        BOOST_TEST(std::string(err.what()).find("commit record") != std::string::npos);
        BOOST_TEST(err.code() == "XX001");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(random_and_flipped_bytes_never_crash) {
  engine e;
  fill_all_types(e, 200, 3);
  std::mt19937_64 rng(99);
  size_t errors = 0, accepted = 0;
  auto attempt = [&](const std::string& bad, size_t upto) {
    st::catalog fresh;
    rc::replayer r(fresh, 0);
    r.set_block_gap_limit(16);
    try {
      for (size_t i = 0; i < upto; ++i) r.apply_commit(e.log[i]);
      r.apply_commit(bad);
      ++accepted;
    } catch (const rc::recovery_error&) {
      ++errors;
    }
  };
  for (int i = 0; i < 300; ++i) {
    std::string junk(size_t(rng() % 200), '\0');
    for (auto& c : junk) c = char(rng());
    if (i % 2 && junk.size() > 20) {  // a plausible prefix, junk after it
      uint64_t ts = 1000;
      std::memcpy(junk.data(), &ts, 8);
      junk[16] = char(rc::commit_format);
      junk[17] = char(rng() % 2);
    }
    attempt(junk, 0);
  }
  // Flipped bytes in real records (the WAL's CRC would catch them; the decoder must not crash).
  for (int i = 0; i < 400; ++i) {
    size_t rec = 1 + rng() % (e.log.size() - 1);
    if (i % 4 == 0) rec = 0;  // the one with the catalog image
    std::string bad = e.log[rec];
    for (int k = 0; k < 1 + int(rng() % 3); ++k) bad[16 + rng() % (bad.size() - 16)] ^= char(1 + rng() % 255);
    attempt(bad, rec);
  }
  BOOST_TEST_MESSAGE("flipped/random records: " << errors << " rejected, " << accepted << " accepted");
  BOOST_TEST(errors > 0u);
}

BOOST_AUTO_TEST_CASE(encode_speed, *boost::unit_test::label("bench")) {
  engine e;
  auto t = e.begin();
  auto tbl = e.create_table(*t, "bench",
                            {{"id", sql_type::int64(), true},
                             {"v", sql_type::int32()},
                             {"s", sql_type::text()},
                             {"n", sql_type::numeric(12, 2)}});
  e.commit(*t);
  auto w = e.begin();
  const int n = 200000;
  for (int i = 0; i < n; ++i)
    e.insert(*w, tbl,
             {value::int64(i), value::int32(i * 7), value::text("some text value " + std::to_string(i)),
              value::numeric(i * 100, sql_type::numeric(12, 2))});
  std::string out;
  out.reserve(size_t(n) * 80);
  auto t0 = std::chrono::steady_clock::now();
  rc::encode_commit(out, *w, e.cat);
  double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
  std::printf("encode_commit: %.1f ns/row (%zu bytes/row)\n", ns / n, out.size() / n);
  BOOST_TEST(out.size() > size_t(n) * 30);
  e.tm.abort(*w);
}

BOOST_AUTO_TEST_SUITE_END()
