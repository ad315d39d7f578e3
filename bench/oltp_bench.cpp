/// db001-bench oltp: point INSERT and point SELECT by primary key through prepared
/// statements, db001's embedding API against SQLite (":memory:", journal_mode=OFF,
/// synchronous=OFF, prepared statements), in the same process. Three phases:
///   insert      N autocommit INSERTs of (k, v), keys 1..N in a shuffled order
///   select      N autocommit point SELECTs of v by k, keys in another shuffled order
///               (every answer checked)
///   insert-txn  N INSERTs into a fresh table, BEGIN ... COMMIT around every --txn-rows
/// Within each phase the engines take turns every --chunk keys (default 5000), so that both
/// see the same state of a shared, noisy machine; each phase is run --repeat times and the
/// median ops/s is reported with the ratio db001/sqlite.
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

/// Wall and calling-thread CPU seconds of one phase.
struct span {
  double wall = 0, cpu = 0;
};

/// Adds the time from construction to stop() to a span.
struct stopwatch {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double c0 = thread_cpu_seconds();
  void stop(span& into) const {
    into.wall += seconds_since(t0);
    into.cpu += thread_cpu_seconds() - c0;
  }
};

/// Each phase of one engine.
struct phase_times {
  span insert, select, insert_txn;
  uint64_t select_mismatches = 0;
};

/// Whether key i of the insert-txn phase starts / ends a transaction of txn_rows rows.
bool txn_starts(size_t i, int txn_rows) { return i % size_t(txn_rows) == 0; }
bool txn_ends(size_t i, int txn_rows, size_t n) { return (i + 1) % size_t(txn_rows) == 0 || i + 1 == n; }

// --- db001 ------------------------------------------------------------------------------

value make_param(const sql_type& t, int64_t k) {
  return t.is_integer() ? value::make_int(t, k) : value::int64(k);
}

/// db001's side: each phase runs over a range of the keys, so the driver can alternate it
/// with SQLite's in chunks.
class db001_side {
 public:
  explicit db001_side(const workload& w) : w_(w) {}

  void open_autocommit() {
    close();  // statements and the connection go before their database
    db_ = database::open();
    conn_ = db_->connect();
    if (auto r = conn_->execute(w_.sql("schema")); !r.ok()) fail("schema", r);
    ins_ = prepare(w_.sql("insert"));
    sel_ = prepare(w_.sql("select"));
  }
  /// Inserts keys [from, to): autocommit, or with txn_rows > 0 (after open_txn) BEGIN before
  /// and COMMIT after every txn_rows keys.
  void insert(const kv_data& d, size_t from, size_t to, int txn_rows = 0) {
    size_t n = d.insert_keys.size();
    sql_type kt = ins_->param_type(0), vt = ins_->param_type(1);
    for (size_t i = from; i < to; ++i) {
      if (txn_rows > 0 && txn_starts(i, txn_rows))
        if (auto r = begin_->execute(); !r.ok()) fail("begin", r);
      int64_t k = d.insert_keys[i];
      params_[0] = make_param(kt, k);
      params_[1] = value::text(std::string(d.value_of(k)), vt);
      auto r = ins_->execute(params_);
      if (!r.ok()) fail("insert", r);
      if (txn_rows > 0 && txn_ends(i, txn_rows, n))
        if (auto c = commit_->execute(); !c.ok()) fail("commit", c);
    }
  }
  uint64_t select(const kv_data& d, size_t from, size_t to) {
    sql_type st = sel_->param_type(0);
    uint64_t mismatches = 0;
    for (size_t i = from; i < to; ++i) {
      int64_t k = d.select_keys[i];
      key_[0] = make_param(st, k);
      auto r = sel_->execute(key_);
      if (!r.ok()) fail("select", r);
      // Without a copy, as the SQLite peer reads sqlite3_column_text.
      if (r.row_count() != 1 || r.text_view(0, 0) != d.value_of(k)) ++mismatches;
    }
    return mismatches;
  }
  void open_txn() {
    open_autocommit();
    begin_ = prepare("BEGIN");
    commit_ = prepare("COMMIT");
  }
  ~db001_side() { close(); }
  void close() {
    ins_.reset();
    sel_.reset();
    begin_.reset();
    commit_.reset();
    conn_.reset();
    db_.reset();
  }
  void check_count(size_t n) {
    auto r = conn_->execute("SELECT count(*) FROM kv");
    if (!r.ok() || r.get(0, 0).as_int() != int64_t(n))
      throw std::runtime_error("db001: insert-txn left " + r.text(0, 0) + " rows, expected " + std::to_string(n));
  }

 private:
  [[noreturn]] static void fail(const std::string& what, const result& r) {
    throw std::runtime_error("db001: " + what + ": " + r.sqlstate() + " " + r.error_message());
  }
  std::unique_ptr<prepared_statement> prepare(const std::string& sql) {
    auto p = std::make_unique<prepared_statement>(conn_->prepare(sql));
    if (!p->ok()) fail("prepare " + sql, p->error());
    return p;
  }
  const workload& w_;
  std::unique_ptr<database> db_;
  std::unique_ptr<connection> conn_;
  std::unique_ptr<prepared_statement> ins_, sel_, begin_, commit_;
  std::vector<value> params_ = std::vector<value>(2), key_ = std::vector<value>(1);
};

// --- SQLite -----------------------------------------------------------------------------

class sqlite_side {
 public:
  explicit sqlite_side(const workload& w) : w_(w) {}

  void open_autocommit() {
    stmts_.clear();
    db_ = std::make_unique<sqlite_db>();
    db_->exec(w_.sql("schema", "sqlite"));
    ins_ = keep(db_->prepare(w_.sql("insert", "sqlite")));
    sel_ = keep(db_->prepare(w_.sql("select", "sqlite")));
  }
  /// As db001_side::insert.
  void insert(const kv_data& d, size_t from, size_t to, int txn_rows = 0) {
    size_t n = d.insert_keys.size();
    for (size_t i = from; i < to; ++i) {
      if (txn_rows > 0 && txn_starts(i, txn_rows)) {
        begin_->step();
        begin_->reset();
      }
      int64_t k = d.insert_keys[i];
      ins_->bind(1, k);
      ins_->bind(2, d.value_of(k));
      ins_->step();
      ins_->reset();
      if (txn_rows > 0 && txn_ends(i, txn_rows, n)) {
        commit_->step();
        commit_->reset();
      }
    }
  }
  uint64_t select(const kv_data& d, size_t from, size_t to) {
    uint64_t mismatches = 0;
    for (size_t i = from; i < to; ++i) {
      int64_t k = d.select_keys[i];
      sel_->bind(1, k);
      bool row = sel_->step();
      if (!row || sel_->text(0) != d.value_of(k)) ++mismatches;
      sel_->reset();
    }
    return mismatches;
  }
  void open_txn() {
    open_autocommit();
    begin_ = keep(db_->prepare("BEGIN"));
    commit_ = keep(db_->prepare("COMMIT"));
  }
  void check_count(size_t) {}

 private:
  sqlite_stmt* keep(sqlite_stmt s) {
    stmts_.push_back(std::make_unique<sqlite_stmt>(std::move(s)));
    return stmts_.back().get();
  }
  const workload& w_;
  std::unique_ptr<sqlite_db> db_;
  std::vector<std::unique_ptr<sqlite_stmt>> stmts_;  // declared after db_: finalized before it closes
  sqlite_stmt *ins_ = nullptr, *sel_ = nullptr, *begin_ = nullptr, *commit_ = nullptr;
};

/// One repetition: every phase runs in chunks of `chunk` keys, the engines taking turns (the
/// one that goes first alternates), so both see the same state of a shared machine; each
/// engine's chunk times add up to its phase time.
void run_interleaved(const kv_data& d, int txn_rows, size_t chunk, db001_side* ours, sqlite_side* peer,
                     phase_times& t_ours, phase_times& t_peer) {
  size_t n = d.insert_keys.size();
  auto alternate = [&](auto&& run_ours, auto&& run_peer) {
    for (size_t from = 0, turn = 0; from < n; from += chunk, ++turn) {
      size_t to = std::min(n, from + chunk);
      for (int side = 0; side < 2; ++side) {
        if ((side == 0) == (turn % 2 == 0)) {
          if (ours) run_ours(from, to);
        } else {
          if (peer) run_peer(from, to);
        }
      }
    }
  };
  if (ours) ours->open_autocommit();
  if (peer) peer->open_autocommit();
  alternate([&](size_t a, size_t b) { stopwatch sw; ours->insert(d, a, b); sw.stop(t_ours.insert); },
            [&](size_t a, size_t b) { stopwatch sw; peer->insert(d, a, b); sw.stop(t_peer.insert); });
  alternate(
      [&](size_t a, size_t b) {
        stopwatch sw;
        t_ours.select_mismatches += ours->select(d, a, b);
        sw.stop(t_ours.select);
      },
      [&](size_t a, size_t b) {
        stopwatch sw;
        t_peer.select_mismatches += peer->select(d, a, b);
        sw.stop(t_peer.select);
      });
  if (ours) ours->open_txn();
  if (peer) peer->open_txn();
  alternate([&](size_t a, size_t b) { stopwatch sw; ours->insert(d, a, b, txn_rows); sw.stop(t_ours.insert_txn); },
            [&](size_t a, size_t b) { stopwatch sw; peer->insert(d, a, b, txn_rows); sw.stop(t_peer.insert_txn); });
  if (ours) ours->check_count(n);
}

}  // namespace

int run_oltp(const options_map& opts) {
  int64_t n = opts.integer("ops", 100000);
  int repeat = int(opts.integer("repeat", 3));
  int txn_rows = int(opts.integer("txn-rows", 1000));
  std::string only = opts.str("engine", "both");  // both | db001 | sqlite (for profiling)
  double target = opts.number("target", 1.5);
  int64_t chunk = opts.integer("chunk", 5000);
  if (n <= 0 || repeat <= 0 || txn_rows <= 0 || chunk <= 0)
    throw std::runtime_error("--ops, --repeat, --txn-rows, --chunk must be > 0");
  auto w = workload::load("oltp.sql");

  say(fmt("== oltp: %lld ops per phase, %d repetition(s), median reported", static_cast<long long>(n), repeat));
  say("   workload: " + w.path());
  say(fmt("   peer: SQLite %s, \":memory:\", PRAGMA journal_mode=OFF, synchronous=OFF, prepared statements",
          sqlite_db::version()));
  say("   db001: database::open() defaults, one connection, prepared statements, autocommit");
  say(fmt("   engines alternate every %lld keys within each phase (same machine state for both); medians of the",
          static_cast<long long>(chunk)));
  say("   repetitions; load average at start: " + load_average());

  auto d = make_data(n);
  std::vector<phase_times> ours, peer;
  for (int rep = 0; rep < repeat; ++rep) {
    phase_times a, b;
    {
      std::unique_ptr<db001_side> x = only != "sqlite" ? std::make_unique<db001_side>(w) : nullptr;
      std::unique_ptr<sqlite_side> y = only != "db001" ? std::make_unique<sqlite_side>(w) : nullptr;
      run_interleaved(d, txn_rows, size_t(chunk), x.get(), y.get(), a, b);
    }
    if (only != "sqlite") {
      ours.push_back(a);
      say(fmt("   [rep %d] db001 : insert %.3f s, select %.3f s, insert-txn %.3f s (wall)", rep + 1, a.insert.wall,
              a.select.wall, a.insert_txn.wall));
    }
    if (only != "db001") {
      peer.push_back(b);
      say(fmt("   [rep %d] sqlite: insert %.3f s, select %.3f s, insert-txn %.3f s (wall)", rep + 1, b.insert.wall,
              b.select.wall, b.insert_txn.wall));
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
