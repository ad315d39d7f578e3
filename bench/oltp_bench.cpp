/// db001-bench oltp: point INSERT and point SELECT by primary key through prepared
/// statements, db001's embedding API against SQLite (":memory:", journal_mode=OFF,
/// synchronous=OFF, prepared statements), in the same process. Three phases:
///   insert      N autocommit INSERTs of (k, v), keys 1..N in a shuffled order
///   select      N autocommit point SELECTs of v by k, keys in another shuffled order
///               (every answer checked)
///   insert-txn  N INSERTs into a fresh table, BEGIN ... COMMIT around every --txn-rows
/// Each phase is run --repeat times per engine (engines interleaved), and the median ops/s
/// is reported with the ratio db001/sqlite.
#include <algorithm>
#include <memory>
#include <random>
#include <stdexcept>

#include "benchmarks.h"
#include "db001/db001.h"
#include "sqlite_peer.h"

namespace db001::bench {

namespace {

struct kv_data {
  std::vector<int64_t> insert_keys;  ///< 1..N shuffled
  std::vector<int64_t> select_keys;  ///< 1..N shuffled differently
  /// The value of key k: all values have the same length and sit in one buffer, so that the
  /// harness's own reads (one cache line per operation, the same for both engines) dilute the
  /// ratio as little as possible.
  std::string_view value_of(int64_t k) const { return std::string_view(values).substr(size_t(k - 1) * width, width); }
  std::string values;
  size_t width = 0;
};

kv_data make_data(int64_t n) {
  kv_data d;
  d.insert_keys.resize(size_t(n));
  for (int64_t i = 0; i < n; ++i) d.insert_keys[size_t(i)] = i + 1;
  d.select_keys = d.insert_keys;
  std::mt19937_64 rng(42);
  std::shuffle(d.insert_keys.begin(), d.insert_keys.end(), rng);
  std::shuffle(d.select_keys.begin(), d.select_keys.end(), rng);
  d.width = 16;  // "value-" and 10 digits
  d.values.reserve(size_t(n) * d.width);
  for (int64_t k = 1; k <= n; ++k) d.values += fmt("value-%010lld", static_cast<long long>(k * 7919 % 1000000007));
  return d;
}

[[noreturn]] void fail(const std::string& what, const result& r) {
  throw std::runtime_error("db001: " + what + ": " + r.sqlstate() + " " + r.error_message());
}

/// Wall and calling-thread CPU seconds of one phase.
struct span {
  double wall = 0, cpu = 0;
};

/// Measures from construction to stop().
struct stopwatch {
  clock::time_point t0 = clock::now();
  double c0 = thread_cpu_seconds();
  span stop() const { return {seconds_since(t0), thread_cpu_seconds() - c0}; }
};

/// Each phase of one engine.
struct phase_times {
  span insert, select, insert_txn;
  uint64_t select_mismatches = 0;
};

// --- db001 ------------------------------------------------------------------------------

value make_param(const sql_type& t, int64_t k) {
  return t.is_integer() ? value::make_int(t, k) : value::int64(k);
}

phase_times run_db001(const workload& w, const kv_data& d, int txn_rows) {
  phase_times t;
  size_t n = d.insert_keys.size();
  {
    auto db = database::open();
    auto conn = db->connect();
    if (auto r = conn->execute(w.sql("schema")); !r.ok()) fail("schema", r);
    auto ins = conn->prepare(w.sql("insert"));
    if (!ins.ok()) fail("prepare insert", ins.error());
    auto sel = conn->prepare(w.sql("select"));
    if (!sel.ok()) fail("prepare select", sel.error());
    sql_type kt = ins.param_type(0), vt = ins.param_type(1), st = sel.param_type(0);

    std::vector<value> params(2);
    stopwatch sw;
    for (size_t i = 0; i < n; ++i) {
      int64_t k = d.insert_keys[i];
      params[0] = make_param(kt, k);
      params[1] = value::text(std::string(d.value_of(k)), vt);
      auto r = ins.execute(params);
      if (!r.ok()) fail("insert", r);
    }
    t.insert = sw.stop();

    std::vector<value> key(1);
    sw = stopwatch();
    for (size_t i = 0; i < n; ++i) {
      int64_t k = d.select_keys[i];
      key[0] = make_param(st, k);
      auto r = sel.execute(key);
      if (!r.ok()) fail("select", r);
      // Without a copy, as the SQLite peer reads sqlite3_column_text.
      if (r.row_count() != 1 || r.text_view(0, 0) != d.value_of(k)) ++t.select_mismatches;
    }
    t.select = sw.stop();
  }
  {
    auto db = database::open();
    auto conn = db->connect();
    if (auto r = conn->execute(w.sql("schema")); !r.ok()) fail("schema", r);
    auto ins = conn->prepare(w.sql("insert"));
    auto begin = conn->prepare("BEGIN");
    auto commit = conn->prepare("COMMIT");
    sql_type kt = ins.param_type(0), vt = ins.param_type(1);
    std::vector<value> params(2);
    stopwatch sw;
    for (size_t i = 0; i < n; ++i) {
      if (i % size_t(txn_rows) == 0)
        if (auto r = begin.execute(); !r.ok()) fail("begin", r);
      int64_t k = d.insert_keys[i];
      params[0] = make_param(kt, k);
      params[1] = value::text(std::string(d.value_of(k)), vt);
      auto r = ins.execute(params);
      if (!r.ok()) fail("insert", r);
      if ((i + 1) % size_t(txn_rows) == 0 || i + 1 == n)
        if (auto c = commit.execute(); !c.ok()) fail("commit", c);
    }
    t.insert_txn = sw.stop();
    auto r = conn->execute("SELECT count(*) FROM kv");
    if (!r.ok() || r.get(0, 0).as_int() != int64_t(n))
      throw std::runtime_error("db001: insert-txn left " + r.text(0, 0) + " rows, expected " + std::to_string(n));
  }
  return t;
}

// --- SQLite -----------------------------------------------------------------------------

phase_times run_sqlite(const workload& w, const kv_data& d, int txn_rows) {
  phase_times t;
  size_t n = d.insert_keys.size();
  {
    sqlite_db db;
    db.exec(w.sql("schema", "sqlite"));
    auto ins = db.prepare(w.sql("insert", "sqlite"));
    auto sel = db.prepare(w.sql("select", "sqlite"));
    stopwatch sw;
    for (size_t i = 0; i < n; ++i) {
      int64_t k = d.insert_keys[i];
      ins.bind(1, k);
      ins.bind(2, d.value_of(k));
      ins.step();
      ins.reset();
    }
    t.insert = sw.stop();

    sw = stopwatch();
    for (size_t i = 0; i < n; ++i) {
      int64_t k = d.select_keys[i];
      sel.bind(1, k);
      bool row = sel.step();
      if (!row || sel.text(0) != d.value_of(k)) ++t.select_mismatches;
      sel.reset();
    }
    t.select = sw.stop();
  }
  {
    sqlite_db db;
    db.exec(w.sql("schema", "sqlite"));
    auto ins = db.prepare(w.sql("insert", "sqlite"));
    auto begin = db.prepare("BEGIN");
    auto commit = db.prepare("COMMIT");
    stopwatch sw;
    for (size_t i = 0; i < n; ++i) {
      if (i % size_t(txn_rows) == 0) {
        begin.step();
        begin.reset();
      }
      int64_t k = d.insert_keys[i];
      ins.bind(1, k);
      ins.bind(2, d.value_of(k));
      ins.step();
      ins.reset();
      if ((i + 1) % size_t(txn_rows) == 0 || i + 1 == n) {
        commit.step();
        commit.reset();
      }
    }
    t.insert_txn = sw.stop();
  }
  return t;
}

}  // namespace

int run_oltp(const options_map& opts) {
  int64_t n = opts.integer("ops", 100000);
  int repeat = int(opts.integer("repeat", 3));
  int txn_rows = int(opts.integer("txn-rows", 1000));
  std::string only = opts.str("engine", "both");  // both | db001 | sqlite (for profiling)
  double target = opts.number("target", 1.5);
  if (n <= 0 || repeat <= 0 || txn_rows <= 0) throw std::runtime_error("--ops, --repeat, --txn-rows must be > 0");
  auto w = workload::load("oltp.sql");

  say(fmt("== oltp: %lld ops per phase, %d repetition(s), median reported", static_cast<long long>(n), repeat));
  say("   workload: " + w.path());
  say(fmt("   peer: SQLite %s, \":memory:\", PRAGMA journal_mode=OFF, synchronous=OFF, prepared statements",
          sqlite_db::version()));
  say("   db001: database::open() defaults, one connection, prepared statements, autocommit");
  say("   load average at start: " + load_average() + " (2 shared cores: interleaved repetitions, medians)");

  auto d = make_data(n);
  std::vector<phase_times> ours, peer;
  for (int rep = 0; rep < repeat; ++rep) {
    if (only != "sqlite") {
      ours.push_back(run_db001(w, d, txn_rows));
      auto& t = ours.back();
      say(fmt("   [rep %d] db001 : insert %.3f s, select %.3f s, insert-txn %.3f s (wall)", rep + 1, t.insert.wall,
              t.select.wall, t.insert_txn.wall));
    }
    if (only != "db001") {
      peer.push_back(run_sqlite(w, d, txn_rows));
      auto& t = peer.back();
      say(fmt("   [rep %d] sqlite: insert %.3f s, select %.3f s, insert-txn %.3f s (wall)", rep + 1, t.insert.wall,
              t.select.wall, t.insert_txn.wall));
    }
  }

  auto rate = [&](const std::vector<phase_times>& v, span phase_times::*m, bool cpu) {
    std::vector<double> r;
    for (auto& t : v) r.push_back(double(n) / (cpu ? (t.*m).cpu : (t.*m).wall));
    return median(r);
  };
  int rc = 0;
  uint64_t mism_ours = 0, mism_peer = 0;
  for (auto& t : ours) mism_ours += t.select_mismatches;
  for (auto& t : peer) mism_peer += t.select_mismatches;
  if (mism_ours || mism_peer) {
    say(fmt("!! MISMATCH: point SELECT returned a wrong or missing row: db001 %llu, sqlite %llu",
            static_cast<unsigned long long>(mism_ours), static_cast<unsigned long long>(mism_peer)));
    rc = 1;
  }

  say("");
  say("   ops/s by wall time (what a user sees) and by the calling thread's CPU time (what the work costs;");
  say("   robust when other processes share the cores). db001's own background threads are not in the CPU figure.");
  say(fmt("   %-32s %12s %12s %8s   %12s %12s %8s", "phase", "db001 wall", "sqlite wall", "ratio", "db001 cpu",
          "sqlite cpu", "ratio"));
  struct row {
    const char* name;
    span phase_times::*m;
  };
  std::string txn_name = fmt("insert, BEGIN..COMMIT per %d", txn_rows);
  row rows[] = {{"insert (autocommit)", &phase_times::insert},
                {"select by pk (autocommit)", &phase_times::select},
                {txn_name.c_str(), &phase_times::insert_txn}};
  for (auto& r : rows) {
    double aw = ours.empty() ? 0 : rate(ours, r.m, false), bw = peer.empty() ? 0 : rate(peer, r.m, false);
    double ac = ours.empty() ? 0 : rate(ours, r.m, true), bc = peer.empty() ? 0 : rate(peer, r.m, true);
    std::string rw = (aw > 0 && bw > 0) ? fmt("%.2fx", aw / bw) : "-";
    std::string rcpu = (ac > 0 && bc > 0) ? fmt("%.2fx", ac / bc) : "-";
    std::string v = (aw > 0 && bw > 0) ? verdict(aw / bw >= target) : "";
    say(fmt("   %-32s %12.0f %12.0f %8s   %12.0f %12.0f %8s  %s", r.name, aw, bw, rw.c_str(), ac, bc, rcpu.c_str(),
            v.c_str()));
  }
  say(fmt("   (target: db001/sqlite >= %.2f; load average now %s)", target, load_average().c_str()));
  return rc;
}

}  // namespace db001::bench
