/// db001-bench tpch: generates TPC-H `lineitem` (bench/tpch_gen.h), loads it into db001
/// through the public embedding API and into SQLite (":memory:", journal_mode=OFF,
/// synchronous=OFF), runs TPC-H Q1 and Q6 (bench/workloads/tpch_q*.sql) on both, checks
/// that the answers agree, and prints median times, ratios, load rates and memory per row.
///
/// db001 is opened once per --threads value (options.parallel_workers is fixed per
/// database), loaded, measured and closed before the next; SQLite is loaded once, after
/// db001, so that VmHWM read after db001's first load is db001's own peak.
#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "benchmarks.h"
#include "db001/db001.h"
#include "sqlite_peer.h"
#include "tpch_gen.h"

namespace db001::bench {

namespace {

constexpr int lineitem_columns = 16;

[[noreturn]] void fail(const std::string& what, const result& r) {
  throw std::runtime_error("db001: " + what + ": " + r.sqlstate() + " " + r.error_message());
}

std::string decimal_text(int64_t hundredths) {
  return fmt("%s%lld.%02lld", hundredths < 0 ? "-" : "", static_cast<long long>(std::llabs(hundredths) / 100),
             static_cast<long long>(std::llabs(hundredths) % 100));
}

// --- query results, engine-neutral ---------------------------------------------------------

struct cell {
  bool numeric = false;
  double num = 0;
  std::string str;
};
using table_result = std::vector<std::vector<cell>>;

std::string rtrim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

table_result from_db001(const result& r) {
  table_result out;
  for (size_t i = 0; i < r.row_count(); ++i) {
    std::vector<cell> row;
    for (size_t c = 0; c < r.column_count(); ++c) {
      value v = r.get(i, c);
      cell x;
      if (!v.is_null() && v.type().is_number()) {
        x.numeric = true;
        x.num = v.to_double();
      } else {
        x.str = rtrim(v.to_string());
      }
      row.push_back(std::move(x));
    }
    out.push_back(std::move(row));
  }
  return out;
}

table_result run_sqlite_query(sqlite_db& db, const std::string& sql) {
  auto st = db.prepare(sql);
  table_result out;
  while (st.step()) {
    std::vector<cell> row;
    for (int c = 0; c < st.columns(); ++c) {
      cell x;
      int t = sqlite3_column_type(st.raw(), c);
      if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
        x.numeric = true;
        x.num = st.real(c);
      } else {
        x.str = rtrim(std::string(st.text(c)));
      }
      row.push_back(std::move(x));
    }
    out.push_back(std::move(row));
  }
  return out;
}

/// Empty when equal (numbers within a relative 1e-6: SQLite sums REALs, db001 exact decimals).
std::string compare(const table_result& a, const table_result& b) {
  if (a.size() != b.size()) return fmt("row count %zu vs %zu", a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size()) return fmt("row %zu: column count %zu vs %zu", i, a[i].size(), b[i].size());
    for (size_t c = 0; c < a[i].size(); ++c) {
      const cell &x = a[i][c], &y = b[i][c];
      if (x.numeric != y.numeric) return fmt("row %zu col %zu: number vs text", i, c);
      if (x.numeric) {
        double tol = 1e-6 * std::max({1.0, std::fabs(x.num), std::fabs(y.num)});
        if (std::fabs(x.num - y.num) > tol) return fmt("row %zu col %zu: %.6f vs %.6f", i, c, x.num, y.num);
      } else if (x.str != y.str) {
        return fmt("row %zu col %zu: '%s' vs '%s'", i, c, x.str.c_str(), y.str.c_str());
      }
    }
  }
  return "";
}

std::string render(const table_result& t) {
  std::string out;
  for (auto& row : t) {
    out += "     ";
    for (auto& c : row) out += c.numeric ? fmt(" %18.4f", c.num) : fmt(" %3s", c.str.c_str());
    out += "\n";
  }
  return out;
}

// --- loading ----------------------------------------------------------------------------

struct load_stats {
  uint64_t rows = 0;
  double seconds = 0;      ///< wall
  double cpu_seconds = 0;  ///< the loading thread's CPU time (all loading work runs on it)
  double rows_per_s() const { return seconds > 0 ? double(rows) / seconds : 0; }
  double rows_per_cpu_s() const { return cpu_seconds > 0 ? double(rows) / cpu_seconds : 0; }
};

/// Sets params[base .. base+16) to the row, typed as the prepared statement's parameters.
struct param_builder {
  std::vector<sql_type> types;  // of one row's 16 parameters
  const tpch::lineitem_generator* gen = nullptr;

  value decimal(const sql_type& t, int64_t hundredths) const {
    if (t.is_numeric()) {
      int128_t u = hundredths;
      for (int s = 2; s < t.scale; ++s) u *= 10;
      for (int s = t.scale; s < 2; ++s) u /= 10;
      return value::numeric(u, t);
    }
    if (t.is_float()) return value::make_float(t, double(hundredths) / 100.0);
    return value::text(decimal_text(hundredths), t);
  }
  value date(const sql_type& t, int32_t days) const {
    if (t.id == type_id::date) return value::date(days);
    return value::text(std::string(gen->date_text(days)), t);
  }
  value integer(const sql_type& t, int64_t x) const {
    if (t.is_integer()) return value::make_int(t, x);
    return value::text(std::to_string(x), t);
  }
  value text(const sql_type& t, std::string_view s) const { return value::text(std::string(s), t); }

  void fill(std::vector<value>& p, size_t base, const tpch::lineitem_row& r) const {
    const sql_type* t = types.data();
    p[base + 0] = integer(t[0], r.orderkey);
    p[base + 1] = integer(t[1], r.partkey);
    p[base + 2] = integer(t[2], r.suppkey);
    p[base + 3] = integer(t[3], r.linenumber);
    p[base + 4] = decimal(t[4], r.quantity);
    p[base + 5] = decimal(t[5], r.extendedprice);
    p[base + 6] = decimal(t[6], r.discount);
    p[base + 7] = decimal(t[7], r.tax);
    p[base + 8] = text(t[8], std::string_view(&r.returnflag, 1));
    p[base + 9] = text(t[9], std::string_view(&r.linestatus, 1));
    p[base + 10] = date(t[10], r.shipdate);
    p[base + 11] = date(t[11], r.commitdate);
    p[base + 12] = date(t[12], r.receiptdate);
    p[base + 13] = text(t[13], tpch::ship_instructs[r.shipinstruct]);
    p[base + 14] = text(t[14], tpch::ship_modes[r.shipmode]);
    p[base + 15] = text(t[15], r.comment);
  }
};

std::string insert_sql(size_t rows) {
  std::string s = "INSERT INTO lineitem VALUES ";
  int p = 1;
  for (size_t r = 0; r < rows; ++r) {
    s += r ? ",(" : "(";
    for (int c = 0; c < lineitem_columns; ++c) s += (c ? ",$" : "$") + std::to_string(p++);
    s += ")";
  }
  return s;
}

void append_literal_row(std::string& s, const tpch::lineitem_generator& gen, const tpch::lineitem_row& r) {
  s += fmt("(%d,%d,%d,%d,%s,%s,%s,%s,'%c','%c',DATE '%.*s',DATE '%.*s',DATE '%.*s','%s','%s','", r.orderkey,
           r.partkey, r.suppkey, r.linenumber, decimal_text(r.quantity).c_str(), decimal_text(r.extendedprice).c_str(),
           decimal_text(r.discount).c_str(), decimal_text(r.tax).c_str(), r.returnflag, r.linestatus, 10,
           gen.date_text(r.shipdate).data(), 10, gen.date_text(r.commitdate).data(), 10,
           gen.date_text(r.receiptdate).data(), tpch::ship_instructs[r.shipinstruct], tpch::ship_modes[r.shipmode]);
  for (char ch : r.comment) {
    if (ch == '\'') s += '\'';
    s += ch;
  }
  s += "')";
}

/// Loads lineitem into db001: mode "prepared" (multi-row prepared INSERT of batch_rows rows
/// per execution) or "literal" (multi-row INSERT text of batch_rows rows per statement);
/// BEGIN/COMMIT around every txn_rows rows.
load_stats load_db001(connection& conn, const workload& schema, double sf, const std::string& mode,
                      size_t batch_rows, size_t txn_rows) {
  if (auto r = conn.execute(schema.sql("lineitem")); !r.ok()) fail("create lineitem", r);
  tpch::lineitem_generator gen(sf);
  load_stats st;
  auto begin = conn.prepare("BEGIN");
  auto commit = conn.prepare("COMMIT");
  size_t in_txn = 0;
  auto before_batch = [&] {
    if (in_txn == 0)
      if (auto r = begin.execute(); !r.ok()) fail("begin", r);
  };
  auto after_batch = [&](size_t n, bool last) {
    in_txn += n;
    if (in_txn >= txn_rows || last) {
      if (auto r = commit.execute(); !r.ok()) fail("commit", r);
      in_txn = 0;
    }
  };

  auto t0 = clock::now();
  double c0 = thread_cpu_seconds();
  tpch::lineitem_row row;
  uint64_t total = gen.total_rows();
  if (mode == "prepared") {
    auto full = conn.prepare(insert_sql(batch_rows));
    if (!full.ok()) fail("prepare insert", full.error());
    param_builder pb;
    pb.gen = &gen;
    for (int c = 0; c < lineitem_columns; ++c) pb.types.push_back(full.param_type(size_t(c)));
    std::vector<value> params(batch_rows * lineitem_columns);
    while (st.rows < total) {
      size_t n = size_t(std::min<uint64_t>(batch_rows, total - st.rows));
      prepared_statement tail;
      prepared_statement* ps = &full;
      if (n < batch_rows) {
        tail = conn.prepare(insert_sql(n));
        if (!tail.ok()) fail("prepare insert tail", tail.error());
        params.resize(n * lineitem_columns);
        ps = &tail;
      }
      for (size_t i = 0; i < n; ++i) {
        gen.next(row);
        pb.fill(params, i * lineitem_columns, row);
      }
      before_batch();
      if (auto r = ps->execute(params); !r.ok()) fail("insert", r);
      st.rows += n;
      after_batch(n, st.rows == total);
    }
  } else if (mode == "literal") {
    std::string sql;
    while (st.rows < total) {
      size_t n = size_t(std::min<uint64_t>(batch_rows, total - st.rows));
      sql = "INSERT INTO lineitem VALUES ";
      for (size_t i = 0; i < n; ++i) {
        gen.next(row);
        if (i) sql += ',';
        append_literal_row(sql, gen, row);
      }
      before_batch();
      if (auto r = conn.execute(sql); !r.ok()) fail("insert", r);
      st.rows += n;
      after_batch(n, st.rows == total);
    }
  } else {
    throw std::runtime_error("--load must be prepared or literal");
  }
  st.seconds = seconds_since(t0);
  st.cpu_seconds = thread_cpu_seconds() - c0;
  auto r = conn.execute("SELECT count(*) FROM lineitem");
  if (!r.ok()) fail("count", r);
  if (uint64_t(r.get(0, 0).as_int()) != total)
    throw std::runtime_error("db001: lineitem holds " + r.text(0, 0) + " rows, expected " + std::to_string(total));
  return st;
}

load_stats load_sqlite(sqlite_db& db, const workload& schema, double sf) {
  db.exec(schema.sql("lineitem", "sqlite"));
  tpch::lineitem_generator gen(sf);
  std::string q = "INSERT INTO lineitem VALUES (";
  for (int c = 1; c <= lineitem_columns; ++c) q += (c > 1 ? ",?" : "?") + std::to_string(c);
  q += ")";
  auto ins = db.prepare(q);
  load_stats st;
  auto t0 = clock::now();
  double c0 = thread_cpu_seconds();
  db.exec("BEGIN");
  tpch::lineitem_row r;
  while (gen.next(r)) {
    ins.bind(1, int64_t(r.orderkey));
    ins.bind(2, int64_t(r.partkey));
    ins.bind(3, int64_t(r.suppkey));
    ins.bind(4, int64_t(r.linenumber));
    ins.bind(5, double(r.quantity) / 100.0);
    ins.bind(6, double(r.extendedprice) / 100.0);
    ins.bind(7, double(r.discount) / 100.0);
    ins.bind(8, double(r.tax) / 100.0);
    ins.bind(9, std::string_view(&r.returnflag, 1));
    ins.bind(10, std::string_view(&r.linestatus, 1));
    ins.bind(11, gen.date_text(r.shipdate));
    ins.bind(12, gen.date_text(r.commitdate));
    ins.bind(13, gen.date_text(r.receiptdate));
    ins.bind(14, std::string_view(tpch::ship_instructs[r.shipinstruct]));
    ins.bind(15, std::string_view(tpch::ship_modes[r.shipmode]));
    ins.bind(16, r.comment);
    ins.step();
    ins.reset();
    ++st.rows;
  }
  db.exec("COMMIT");
  st.seconds = seconds_since(t0);
  st.cpu_seconds = thread_cpu_seconds() - c0;
  return st;
}

// --- queries ----------------------------------------------------------------------------

struct query_def {
  std::string name;
  std::string db001_sql, sqlite_sql;
  size_t expect_rows;
};

struct query_timing {
  std::string name;
  int threads = 0;  ///< 0 = SQLite
  double median_ms = 0, min_ms = 0;
  double median_cpu_ms = 0;  ///< process CPU time per run (all threads), median
  double cpu_per_wall = 0;   ///< process CPU time / wall time over the timed runs (parallelism used)
  table_result answer;
};

query_timing time_db001(connection& conn, const query_def& q, int threads, int runs) {
  query_timing t;
  t.name = q.name;
  t.threads = threads;
  auto r = conn.execute(q.db001_sql);  // warm-up, and the answer we check
  if (!r.ok()) fail(q.name, r);
  t.answer = from_db001(r);
  std::vector<double> ms, cpu;
  double wall = 0, cpu_total = 0;
  for (int i = 0; i < runs; ++i) {
    double c0 = process_cpu_seconds();
    auto t0 = clock::now();
    auto x = conn.execute(q.db001_sql);
    ms.push_back(seconds_since(t0) * 1000);
    cpu.push_back((process_cpu_seconds() - c0) * 1000);
    wall += ms.back();
    cpu_total += cpu.back();
    if (!x.ok()) fail(q.name, x);
  }
  t.cpu_per_wall = wall > 0 ? cpu_total / wall : 0;
  t.median_cpu_ms = median(cpu);
  t.median_ms = median(ms);
  t.min_ms = ms.empty() ? 0 : *std::min_element(ms.begin(), ms.end());
  return t;
}

query_timing time_sqlite(sqlite_db& db, const query_def& q, int runs) {
  query_timing t;
  t.name = q.name;
  std::vector<double> ms, cpu;
  for (int i = 0; i < std::max(1, runs); ++i) {  // SQLite has no warm-up effect: every run counts
    double c0 = process_cpu_seconds();
    auto t0 = clock::now();
    auto a = run_sqlite_query(db, q.sqlite_sql);
    ms.push_back(seconds_since(t0) * 1000);
    cpu.push_back((process_cpu_seconds() - c0) * 1000);
    if (i == 0) t.answer = std::move(a);
  }
  t.median_cpu_ms = median(cpu);
  t.cpu_per_wall = median(ms) > 0 ? t.median_cpu_ms / median(ms) : 0;
  t.median_ms = median(ms);
  t.min_ms = *std::min_element(ms.begin(), ms.end());
  return t;
}

}  // namespace

int run_tpch(const options_map& opts) {
  double sf = opts.number("sf", 0.1);
  std::vector<int> threads = opts.int_list("threads", "1,2");
  int runs = int(opts.integer("runs", 5));
  int sqlite_runs = int(opts.integer("sqlite-runs", 3));
  std::string engine = opts.str("engine", "both");  // both | db001 | sqlite
  std::string load_mode = opts.str("load", "prepared");
  size_t batch_rows = size_t(opts.integer("batch-rows", 256));
  size_t txn_rows = size_t(opts.integer("txn-rows", 1000000));
  double q1_target = opts.number("q1-target-ms", 250), q6_target = opts.number("q6-target-ms", 30);
  std::string only_queries = opts.str("queries", "Q1,Q6");
  if (sf <= 0 || threads.empty() || batch_rows == 0 || txn_rows == 0) throw std::runtime_error("bad tpch options");
  if (load_mode == "prepared" && batch_rows * lineitem_columns > 65535)
    throw std::runtime_error("--batch-rows: at most 4095 rows (16 parameters each; $n stops at 65535 as in PostgreSQL)");

  auto schema = workload::load("tpch_schema.sql");
  std::vector<query_def> queries;
  for (auto [name, file, rows] : {std::tuple{"Q1", "tpch_q1.sql", size_t(4)}, std::tuple{"Q6", "tpch_q6.sql", size_t(1)}}) {
    if (only_queries.find(name) == std::string::npos) continue;
    auto w = workload::load(file);
    queries.push_back({name, w.sql("query"), w.sql("query", "sqlite"), rows});
  }
  tpch::lineitem_generator probe(sf);
  uint64_t rows = probe.total_rows();

  say(fmt("== tpch: lineitem SF %g = %llu rows; Q1, Q6; db001 median of %d runs after a warm-up, SQLite median of %d",
          sf, static_cast<unsigned long long>(rows), runs, sqlite_runs));
  say("   workloads: " + workloads_dir() + "; load average at start: " + load_average());
  say(fmt("   db001 load: %s INSERT, %zu rows per statement, COMMIT every %zu rows", load_mode.c_str(), batch_rows,
          txn_rows));
  say(fmt("   peer: SQLite %s, \":memory:\", journal_mode=OFF, synchronous=OFF; DATE as TEXT, DECIMAL as REAL; "
          "loaded with one prepared single-row INSERT in one transaction",
          sqlite_db::version()));
  {
    tpch::lineitem_generator g(sf);
    tpch::lineitem_row r;
    auto t0 = clock::now();
    uint64_t sink = 0;
    while (g.next(r)) sink += uint64_t(r.orderkey) + r.comment.size();
    say(fmt("   generator alone: %.2f s (%.0f rows/s) [checksum %llu] -- included in both load times", seconds_since(t0),
            double(rows) / seconds_since(t0), static_cast<unsigned long long>(sink)));
  }

  int rc = 0;
  std::vector<query_timing> ours;
  std::vector<load_stats> our_loads;
  memory_stats mem_first{};
  double bytes_per_row = 0, resident_per_row = 0;
  if (engine != "sqlite") {
    for (int t : threads) {
      memory_stats m0 = read_memory();
      options o;
      o.parallel_workers = t;
      auto db = database::open(o);
      auto conn = db->connect();
      say(fmt("-- db001, parallel_workers=%d: loading ...", t));
      auto ls = load_db001(*conn, schema, sf, load_mode, batch_rows, txn_rows);
      our_loads.push_back(ls);
      memory_stats m1 = read_memory();
      say(fmt("   load: %.2f s, %.0f rows/s (cpu %.2f s, %.0f rows per cpu-s)", ls.seconds, ls.rows_per_s(),
              ls.cpu_seconds, ls.rows_per_cpu_s()));
      say(fmt("   memory: jemalloc allocated +%s (%.1f B/row), resident +%s (%.1f B/row), VmRSS %s, VmHWM %s",
              mib(double(m1.allocated - m0.allocated)).c_str(), double(m1.allocated - m0.allocated) / double(rows),
              mib(double(m1.resident - m0.resident)).c_str(), double(m1.resident - m0.resident) / double(rows),
              mib(double(m1.vm_rss)).c_str(), mib(double(m1.vm_hwm)).c_str()));
      if (our_loads.size() == 1) {
        mem_first = m1;
        bytes_per_row = double(m1.allocated - m0.allocated) / double(rows);
        resident_per_row = double(m1.resident - m0.resident) / double(rows);
      }
      for (auto& q : queries) {
        auto qt = time_db001(*conn, q, t, runs);
        say(fmt("   %s: median %.1f ms (min %.1f ms), cpu %.1f ms per run, cpu/wall %.2f", q.name.c_str(), qt.median_ms,
                qt.min_ms, qt.median_cpu_ms, qt.cpu_per_wall));
        if (qt.answer.size() != q.expect_rows) {
          say(fmt("!! MISMATCH: db001 %s returned %zu rows, expected %zu", q.name.c_str(), qt.answer.size(),
                  q.expect_rows));
          rc = 1;
        }
        ours.push_back(std::move(qt));
      }
      memory_stats m2 = read_memory();
      say(fmt("   after queries: VmHWM %s", mib(double(m2.vm_hwm)).c_str()));
    }
  }

  std::vector<query_timing> peer;
  load_stats peer_load;
  if (engine != "db001") {
    memory_stats m0 = read_memory();
    sqlite_db db;
    say("-- sqlite: loading ...");
    peer_load = load_sqlite(db, schema, sf);
    memory_stats m1 = read_memory();
    say(fmt("   load: %.2f s, %.0f rows/s (cpu %.2f s, %.0f rows per cpu-s); memory: sqlite3_memory_used %s "
            "(%.1f B/row), jemalloc allocated +%s",
            peer_load.seconds, peer_load.rows_per_s(), peer_load.cpu_seconds, peer_load.rows_per_cpu_s(), mib(double(sqlite3_memory_used())).c_str(),
            double(sqlite3_memory_used()) / double(rows), mib(double(m1.allocated - m0.allocated)).c_str()));
    for (auto& q : queries) {
      auto qt = time_sqlite(db, q, sqlite_runs);
      say(fmt("   %s: median %.1f ms (min %.1f ms), cpu %.1f ms per run", q.name.c_str(), qt.median_ms, qt.min_ms,
              qt.median_cpu_ms));
      if (qt.answer.size() != q.expect_rows) {
        say(fmt("!! MISMATCH: sqlite %s returned %zu rows, expected %zu", q.name.c_str(), qt.answer.size(),
                q.expect_rows));
        rc = 1;
      }
      peer.push_back(std::move(qt));
    }
  }

  // --- answers -----------------------------------------------------------------------------
  say("");
  for (auto& q : queries) {
    const query_timing* first = nullptr;
    for (auto& o : ours)
      if (o.name == q.name) {
        if (!first) {
          first = &o;
          say("   " + q.name + " answer (db001):\n" + render(o.answer));
        } else if (auto d = compare(first->answer, o.answer); !d.empty()) {
          say(fmt("!! MISMATCH: db001 %s differs between thread settings: %s", q.name.c_str(), d.c_str()));
          rc = 1;
        }
      }
    for (auto& p : peer)
      if (p.name == q.name) {
        if (!first) {
          say("   " + q.name + " answer (sqlite):\n" + render(p.answer));
        } else if (auto d = compare(first->answer, p.answer); !d.empty()) {
          say(fmt("!! MISMATCH: %s answers differ between db001 and SQLite: %s", q.name.c_str(), d.c_str()));
          say("   sqlite:\n" + render(p.answer));
          rc = 1;
        } else {
          say(fmt("   %s: db001 and SQLite answers agree (numbers within 1e-6 relative)", q.name.c_str()));
        }
      }
  }

  // --- summary -----------------------------------------------------------------------------
  say("");
  say(fmt("== summary: SF %g, %llu rows (load average now %s; 2 cores shared: read ms with care)", sf,
          static_cast<unsigned long long>(rows), load_average().c_str()));
  if (!our_loads.empty() || peer_load.rows) {
    const load_stats* o = our_loads.empty() ? nullptr : &our_loads.front();
    auto ratio = [](double a, double b) { return a > 0 && b > 0 ? fmt("%.2fx", a / b) : std::string("-"); };
    say(fmt("   load (first db001 load):  db001 %.2f s = %.0f rows/s (cpu %.2f s = %.0f rows/cpu-s)", o ? o->seconds : 0,
            o ? o->rows_per_s() : 0, o ? o->cpu_seconds : 0, o ? o->rows_per_cpu_s() : 0));
    say(fmt("                             sqlite %.2f s = %.0f rows/s (cpu %.2f s = %.0f rows/cpu-s)",
            peer_load.seconds, peer_load.rows_per_s(), peer_load.cpu_seconds, peer_load.rows_per_cpu_s()));
    say(fmt("                             db001/sqlite rows/s: wall %s, cpu %s",
            ratio(o ? o->rows_per_s() : 0, peer_load.rows_per_s()).c_str(),
            ratio(o ? o->rows_per_cpu_s() : 0, peer_load.rows_per_cpu_s()).c_str()));
  }
  if (!our_loads.empty())
    say(fmt("   memory db001 %.1f B/row allocated (jemalloc stats.allocated), %.1f B/row resident "
            "(stats.resident), VmHWM after first load %s = %.1f B/row (whole process)",
            bytes_per_row, resident_per_row, mib(double(mem_first.vm_hwm)).c_str(),
            double(mem_first.vm_hwm) / double(rows)));
  say("   ms = median wall time per run; cpu = median process CPU time per run (all threads). On a shared");
  say("   machine wall time also counts waiting for a core: cpu/wall well below the thread count means contention.");
  say(fmt("   %-5s %7s %10s %10s %8s %11s %11s %14s %13s  %s", "query", "threads", "db001 ms", "db001 cpu", "cpu/wall",
          "sqlite ms", "sqlite cpu", "speedup(wall)", "speedup(cpu)", "target (wall, 2 threads)"));
  for (auto& q : queries) {
    const query_timing* p = nullptr;
    for (auto& x : peer)
      if (x.name == q.name) p = &x;
    double target = q.name == "Q1" ? q1_target : q6_target;
    for (auto& o : ours)
      if (o.name == q.name) {
        std::string tgt;
        if (o.threads == 2)
          tgt = sf == 1 ? fmt("<= %.0f ms: %s", target, verdict(o.median_ms <= target).c_str())
                        : fmt("(<= %.0f ms is for SF 1)", target);
        say(fmt("   %-5s %7d %10.1f %10.1f %8.2f %11s %11s %14s %13s  %s", q.name.c_str(), o.threads, o.median_ms,
                o.median_cpu_ms, o.cpu_per_wall, p ? fmt("%.1f", p->median_ms).c_str() : "-",
                p ? fmt("%.1f", p->median_cpu_ms).c_str() : "-",
                p ? fmt("%.2fx", p->median_ms / o.median_ms).c_str() : "-",
                p ? fmt("%.2fx", p->median_cpu_ms / o.median_cpu_ms).c_str() : "-", tgt.c_str()));
      }
    if (ours.empty() && p)
      say(fmt("   %-5s %7s %10s %10s %8s %11.1f %11.1f", q.name.c_str(), "-", "-", "-", "-", p->median_ms,
              p->median_cpu_ms));
  }
  if (rc) say("!! at least one MISMATCH above");
  return rc;
}

}  // namespace db001::bench
