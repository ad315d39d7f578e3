// The metrics registry: exact sharded counters, histogram buckets, the text format 0.0.4,
// collectors, and the built-in process (jemalloc, CPU) and engine samples.
#include "actors/metrics.h"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "db001/db001.h"
#include "recovery/durable_store.h"

using namespace db001::actors;

namespace {

/// Checks text against format 0.0.4 and returns sample "name{labels}" -> value.
std::map<std::string, double> parse_exposition(const std::string& text) {
  static const std::regex sample(
      R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (\S+)$)");
  static const std::regex type_line(R"(^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$)");
  std::map<std::string, double> out;
  std::map<std::string, std::string> types;
  std::set<std::string> helped;
  std::istringstream in(text);
  std::string line;
  BOOST_TEST((text.empty() || text.back() == '\n'));
  while (std::getline(in, line)) {
    BOOST_TEST_CONTEXT("line: " << line) {
      std::smatch m;
      if (line.starts_with("# HELP ")) {
        std::string name = line.substr(7, line.find(' ', 7) - 7);
        BOOST_TEST(helped.insert(name).second);  // once per family
        continue;
      }
      if (line.starts_with("#")) {
        BOOST_REQUIRE(std::regex_match(line, m, type_line));
        BOOST_TEST(helped.count(m[1].str()) == 1u);  // HELP first
        BOOST_TEST(types.emplace(m[1].str(), m[2].str()).second);
        continue;
      }
      BOOST_REQUIRE(std::regex_match(line, m, sample));
      std::string name = m[1].str(), family = name;
      for (auto suffix : {"_bucket", "_sum", "_count"})
        if (name.ends_with(suffix) && types.count(name.substr(0, name.size() - std::strlen(suffix))) &&
            types[name.substr(0, name.size() - std::strlen(suffix))] == "histogram")
          family = name.substr(0, name.size() - std::strlen(suffix));
      BOOST_TEST(types.count(family) == 1u);  // TYPE precedes its samples
      std::string v = m[3].str();
      double value = v == "+Inf" ? HUGE_VAL : v == "-Inf" ? -HUGE_VAL : 0;
      if (v != "+Inf" && v != "-Inf" && v != "NaN") {
        char* end = nullptr;
        value = std::strtod(v.c_str(), &end);
        BOOST_TEST(*end == '\0');
      }
      out[name + m[2].str()] = value;
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(counters_under_threads_sum_exactly) {
  registry r;
  counter& c = r.add_counter("t_ops_total", "ops");
  gauge& g = r.add_gauge("t_level", "level");
  constexpr int threads = 8, per_thread = 200000;
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        c.inc();
        g.add(1);
        g.add(-1);
      }
      c.inc(10);
    });
  for (auto& t : ts) t.join();
  BOOST_TEST(c.value() == uint64_t(threads) * (per_thread + 10));
  BOOST_TEST(g.value() == 0);
  auto samples = parse_exposition(r.render());
  BOOST_TEST(samples["t_ops_total"] == double(threads) * (per_thread + 10));
  // Same name + labels: the same metric; same name with another type: refused.
  BOOST_TEST(&r.add_counter("t_ops_total", "ops") == &c);
  BOOST_CHECK_THROW(r.add_gauge("t_ops_total", "x"), std::invalid_argument);
  BOOST_CHECK_THROW(r.add_counter("bad-name", "x"), std::invalid_argument);
  BOOST_CHECK_THROW(r.add_counter("ok_name", "x", {{"bad label", "v"}}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(histogram_buckets_sum_and_count) {
  auto& b = histogram::bounds_ns();
  BOOST_TEST(b.front() == 10'000u);         // 10 µs
  BOOST_TEST(b.back() == 10'000'000'000u);  // 10 s
  BOOST_TEST(std::is_sorted(b.begin(), b.end()));

  registry r;
  histogram& h = r.add_histogram("t_latency_seconds", "latency", {{"kind", "select"}});
  h.observe(std::chrono::microseconds(5));   // <= 10µs
  h.observe(std::chrono::microseconds(10));  // == 10µs: le is inclusive
  h.observe(std::chrono::microseconds(30));  // <= 50µs
  h.observe_seconds(0.001);                  // <= 1ms
  h.observe(std::chrono::seconds(20));       // +Inf only
  auto s = h.read();
  BOOST_TEST(s.count == 5u);
  BOOST_TEST(s.sum_ns == 5'000u + 10'000u + 30'000u + 1'000'000u + 20'000'000'000u);
  BOOST_TEST(s.counts[0] == 2u);
  BOOST_TEST(s.counts[histogram::bucket_count] == 1u);

  std::string text = r.render();
  auto m = parse_exposition(text);
  BOOST_TEST(text.find("# TYPE t_latency_seconds histogram\n") != std::string::npos);
  BOOST_TEST(m["t_latency_seconds_bucket{kind=\"select\",le=\"1e-05\"}"] == 2);
  BOOST_TEST(m["t_latency_seconds_bucket{kind=\"select\",le=\"2.5e-05\"}"] == 2);
  BOOST_TEST(m["t_latency_seconds_bucket{kind=\"select\",le=\"5e-05\"}"] == 3);
  BOOST_TEST(m["t_latency_seconds_bucket{kind=\"select\",le=\"0.001\"}"] == 4);
  BOOST_TEST(m.count("t_latency_seconds_bucket{kind=\"select\",le=\"0.0001\"}") == 1u);  // not 1e-04
  BOOST_TEST(m.count("t_latency_seconds_bucket{kind=\"select\",le=\"0.00025\"}") == 1u);
  BOOST_TEST(m["t_latency_seconds_bucket{kind=\"select\",le=\"10\"}"] == 4);
  BOOST_TEST(m["t_latency_seconds_bucket{kind=\"select\",le=\"+Inf\"}"] == 5);
  BOOST_TEST(m["t_latency_seconds_count{kind=\"select\"}"] == 5);
  BOOST_TEST(m["t_latency_seconds_sum{kind=\"select\"}"] == 20.001045, boost::test_tools::tolerance(1e-9));
  // Cumulative: one line per bound plus +Inf, never decreasing.
  size_t buckets = 0;
  for (auto& [k, v] : m)
    if (k.starts_with("t_latency_seconds_bucket")) ++buckets;
  BOOST_TEST(buckets == histogram::bucket_count + 1);
  size_t at = 0;
  double prev = 0;
  while ((at = text.find("t_latency_seconds_bucket{", at)) != std::string::npos) {
    size_t sp = text.find(' ', text.find('}', at));
    double v = std::strtod(text.c_str() + sp + 1, nullptr);
    BOOST_TEST(v >= prev);
    prev = v, ++at;
  }

  // Observations from many threads are all counted.
  histogram& h2 = r.add_histogram("t_parallel_seconds", "p");
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 50000; ++i) h2.observe_ns(uint64_t(i) * 1000);
    });
  for (auto& t : ts) t.join();
  BOOST_TEST(h2.read().count == 200000u);
}

BOOST_AUTO_TEST_CASE(rendered_text_parses_and_escapes_labels) {
  registry r;
  r.add_counter("t_a_total", "help with \\ backslash\nand newline").inc(3);
  r.add_gauge("t_g", "g", {{"path", "C:\\dir \"q\"\nx"}}).set(-4);
  r.add_gauge("t_g", "g", {{"path", "plain"}}).set(7);
  r.add_histogram("t_h_seconds", "h").observe_seconds(0.2);
  std::string text = r.render();
  BOOST_TEST(text.find("# HELP t_a_total help with \\\\ backslash\\nand newline\n") != std::string::npos);
  auto m = parse_exposition(text);
  BOOST_TEST(m["t_a_total"] == 3);
  BOOST_TEST(m["t_g{path=\"C:\\\\dir \\\"q\\\"\\nx\"}"] == -4);
  BOOST_TEST(m["t_g{path=\"plain\"}"] == 7);
  BOOST_TEST(m["t_h_seconds_count"] == 1);
  // One HELP/TYPE pair per family even with several label sets.
  size_t pos = 0, n = 0;
  while ((pos = text.find("# TYPE t_g ", pos)) != std::string::npos) ++n, ++pos;
  BOOST_TEST(n == 1u);
}

BOOST_AUTO_TEST_CASE(collectors_add_samples_at_scrape_time) {
  registry r;
  r.add_counter("t_fixed_total", "fixed").inc();
  int calls = 0;
  {
    collector_handle h = r.add_collector([&](sample_sink& s) {
      ++calls;
      s.gauge("t_pool_size", "pool", 42, {{"pool", "main"}});
      s.counter("t_scraped_total", "scrapes", calls);
      s.gauge("t_fixed_total", "conflicts with the registered counter", 1);  // dropped
    });
    auto m = parse_exposition(r.render());
    BOOST_TEST(m["t_pool_size{pool=\"main\"}"] == 42);
    BOOST_TEST(m["t_scraped_total"] == 1);
    BOOST_TEST(m["t_fixed_total"] == 1);
    parse_exposition(r.render());
    BOOST_TEST(calls == 2);
  }
  // The handle went out of scope: the collector is gone.
  std::string text = r.render();
  BOOST_TEST(text.find("t_pool_size") == std::string::npos);
  BOOST_TEST(calls == 2);
  // A collector that throws loses only its own samples.
  auto bad = r.add_collector([](sample_sink&) { throw std::runtime_error("boom"); });
  BOOST_TEST(r.render().find("t_fixed_total 1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(process_metrics_from_jemalloc_and_rusage) {
  // Some allocation and CPU work first.
  std::vector<std::string> junk;
  for (int i = 0; i < 10000; ++i) junk.push_back(std::string(100, char('a' + i % 26)));
  volatile double x = 0;
  for (int i = 0; i < 2000000; ++i) x = x + i * 0.5;

  auto m = parse_exposition(registry::global().render());
  BOOST_TEST(m["db001_memory_allocated_bytes"] > 1e6);
  BOOST_TEST(m["db001_memory_resident_bytes"] > 0);
  BOOST_TEST(m["db001_memory_resident_bytes"] >= m["db001_memory_allocated_bytes"] * 0.5);
  BOOST_TEST(m.count("process_cpu_seconds_total") == 1u);
  BOOST_TEST(m["process_cpu_seconds_total"] > 0);
  BOOST_TEST(m["process_open_fds"] >= 3);
  BOOST_TEST(m["process_start_time_seconds"] > 1.6e9);
  BOOST_TEST(m["db001_uptime_seconds"] >= 0);
}

BOOST_AUTO_TEST_CASE(server_and_engine_metrics) {
  auto& sm = server_metrics::get();
  BOOST_TEST(&sm == &server_metrics::get());
  sm.connections_active.add(2);
  sm.connections_idle.add(3);
  sm.query_duration.observe(std::chrono::milliseconds(3));

  auto db = db001::database::open();
  auto conn = db->connect();
  conn->execute("CREATE TABLE m(a INT PRIMARY KEY)");
  conn->execute("INSERT INTO m VALUES (1), (2)");
  conn->execute("BEGIN");
  conn->execute("INSERT INTO m VALUES (3)");
  conn->execute("ROLLBACK");
  conn->execute("SELECT * FROM nowhere");
  {
    collector_handle h = add_engine_collector(registry::global(), db->engine());
    auto m = parse_exposition(registry::global().render());
    BOOST_TEST(m["db001_connections{state=\"active\"}"] >= 2);
    BOOST_TEST(m["db001_connections{state=\"idle\"}"] >= 3);
    BOOST_TEST(sm.connections() >= 5);
    BOOST_TEST(m["db001_query_duration_seconds_count"] >= 1);
    BOOST_TEST(m.count("db001_wal_bytes_total") == 0u);  // in memory: no durability samples
    BOOST_TEST(db->durable_store() == nullptr);
    BOOST_TEST(m["db001_statements_total"] >= 5);
    BOOST_TEST(m["db001_statement_errors_total"] >= 1);
    BOOST_TEST(m["db001_transactions_committed_total"] >= 1);
    BOOST_TEST(m["db001_transactions_aborted_total"] >= 1);
    BOOST_TEST(m.count("db001_lock_waits_total") == 1u);
    BOOST_TEST(m.count("db001_transactions_active") == 1u);
  }
  BOOST_TEST(registry::global().render().find("db001_statements_total") == std::string::npos);
  sm.connections_active.add(-2);
  sm.connections_idle.add(-3);
}

BOOST_AUTO_TEST_CASE(durability_metrics_move_with_commits_and_checkpoints) {
  char tmpl[] = "/tmp/db001_metrics_XXXXXX";
  BOOST_REQUIRE(mkdtemp(tmpl) != nullptr);
  std::string dir = tmpl;
  const std::string base = "db001_wal_bytes_total{database=\"m\"}";
  auto key = [](const std::string& name) { return name + "{database=\"m\"}"; };
  {
    db001::options o;
    o.durability.data_directory = dir;
    o.durability.synchronous_commit = true;
    auto db = db001::database::open(o);
    BOOST_REQUIRE(db->durable_store() != nullptr);
    collector_handle h = add_durability_collector(registry::global(), *db->durable_store(), {{"database", "m"}});
    collector_handle he = add_engine_collector(registry::global(), db->engine(), {{"database", "m"}});
    auto before = parse_exposition(registry::global().render());
    BOOST_TEST(before.count(base) == 1u);
    BOOST_TEST(before.count(key("db001_checkpoint_duration_seconds")) == 0u);  // none yet
    BOOST_TEST(before[key("db001_recovery_records")] == 0);
    BOOST_TEST(before[key("db001_recovery_seconds")] >= 0);

    auto conn = db->connect();
    BOOST_TEST(conn->execute("CREATE TABLE w(a INT PRIMARY KEY, b TEXT)").ok());
    for (int i = 0; i < 5; ++i)
      BOOST_TEST(conn->execute("INSERT INTO w VALUES (" + std::to_string(i) + ", 'x')").ok());
    auto after = parse_exposition(registry::global().render());
    // Synchronous commit: each COMMIT returned after its record was fsynced.
    BOOST_TEST(after[base] > before[base]);
    BOOST_TEST(after[key("db001_wal_fsyncs_total")] >= before[key("db001_wal_fsyncs_total")] + 1);
    BOOST_TEST(after[key("db001_wal_commits_total")] >= before[key("db001_wal_commits_total")] + 6);
    BOOST_TEST(after[key("db001_wal_commits_total")] >= after[key("db001_wal_fsyncs_total")]);
    BOOST_TEST(after[key("db001_wal_write_failures_total")] == 0);
    BOOST_TEST(after[key("db001_transactions_committed_total")] >= 6);

    auto rep = db->durable_store()->checkpoint();
    auto ck = parse_exposition(registry::global().render());
    BOOST_TEST(ck[key("db001_checkpoints_total")] == after[key("db001_checkpoints_total")] + 1);
    BOOST_TEST(ck[key("db001_checkpoint_duration_seconds")] == rep.seconds);
  }
  {
    // Reopened: the recovery figures describe this start-up (the checkpoint plus the WAL after it).
    db001::options o;
    o.durability.data_directory = dir;
    auto db = db001::database::open(o);
    auto conn = db->connect();
    BOOST_TEST(conn->execute("INSERT INTO w VALUES (100, 'y')").ok());
    conn.reset();
    db.reset();
    db = db001::database::open(o);
    collector_handle h = add_durability_collector(registry::global(), *db->durable_store(), {{"database", "m"}});
    auto m = parse_exposition(registry::global().render());
    BOOST_TEST(m[key("db001_recovery_records")] >= 1);
    BOOST_TEST(m[key("db001_recovery_wal_bytes")] > 0);
    BOOST_TEST(m[key("db001_recovery_seconds")] > 0);
    BOOST_TEST(m[key("db001_checkpoints_total")] == 0);
  }
  std::system(("rm -rf '" + dir + "'").c_str());
}

BOOST_AUTO_TEST_SUITE_END()
