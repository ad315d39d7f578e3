// Multi-threaded bank transfers through the embedding API. N accounts hold a fixed total; writer
// threads move random amounts between random accounts (READ COMMITTED blocks of two UPDATEs,
// READ COMMITTED single-statement transfers, REPEATABLE READ blocks with retry on 40001/40P01)
// while reader threads sum the balances inside REPEATABLE READ transactions and in single
// statements. The total must be the same in every snapshot and at the end, and the final
// balances must equal the initial ones plus exactly the moves whose COMMIT succeeded.
//
// Worker threads never call Boost.Test (it is not thread-safe): they record problems in a
// shared log that the main thread checks.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "db001/db001.h"
#include "sql/engine.h"

namespace {

using namespace std::chrono_literals;
using db001::value;

constexpr int64_t initial_balance = 1000;

struct move {
  int from, to;
  int amount;
};

/// What the threads report back: per kind of problem, how often and the first occurrence.
struct shared_log {
  struct entry {
    uint64_t count = 0;
    std::string first;
  };
  std::mutex mutex;
  std::map<std::string, entry> problems;
  std::atomic<uint64_t> sums_checked{0};
  void problem(const std::string& kind, const std::string& detail = "") {
    std::lock_guard lock(mutex);
    auto& e = problems[kind];
    if (e.count++ == 0) e.first = detail;
  }
};

/// A writer's committed moves and its counters.
struct writer_log {
  std::vector<move> committed;
  uint64_t retries = 0, deadlocks = 0, serialization_failures = 0;
};

std::string describe(const db001::result& r) { return r.sqlstate() + " " + r.error_message(); }

bool retryable(const db001::result& r) { return r.sqlstate() == "40001" || r.sqlstate() == "40P01"; }

class bank {
 public:
  explicit bank(int accounts) : accounts_(accounts), total_(accounts * initial_balance) {
    db001::options o;
    o.parallel_workers = 1;
    db_ = db001::database::open(o);
    auto c = db_->connect();
    c->execute("CREATE TABLE acc(id INT PRIMARY KEY, bal INT NOT NULL)");
    c->execute("INSERT INTO acc SELECT g, " + std::to_string(initial_balance) + " FROM generate_series(1, " +
               std::to_string(accounts) + ") g");
  }
  db001::database& db() { return *db_; }
  int accounts() const { return accounts_; }
  int64_t total() const { return total_; }

  /// READ COMMITTED (the default): BEGIN; UPDATE -amount; UPDATE +amount; COMMIT. A deadlock
  /// victim is rolled back and not logged.
  void rc_writer(unsigned seed, writer_log& log) {
    auto c = db_->connect();
    auto debit = c->prepare("UPDATE acc SET bal = bal - $1 WHERE id = $2");
    auto credit = c->prepare("UPDATE acc SET bal = bal + $1 WHERE id = $2");
    if (!debit.ok() || !credit.ok()) return shared_.problem("rc_writer: prepare failed");
    std::mt19937 rng(seed);
    while (!stop_.load(std::memory_order_relaxed)) {
      move m = random_move(rng);
      if (!expect_ok(*c, c->execute("BEGIN"), "rc BEGIN")) return;
      auto r1 = debit.execute({value::int32(m.amount), value::int32(m.from)});
      auto r2 = r1.ok() ? credit.execute({value::int32(m.amount), value::int32(m.to)}) : r1;
      if (!r1.ok() || !r2.ok()) {
        const auto& bad = r1.ok() ? r2 : r1;
        if (bad.sqlstate() == "40P01") {
          ++log.deadlocks;
        } else {
          shared_.problem("rc_writer: unexpected error " + bad.sqlstate(), bad.error_message());  // RC never gets 40001
        }
        c->execute("ROLLBACK");
        continue;
      }
      if (r1.rows_affected() != 1 || r2.rows_affected() != 1) {
        shared_.problem("rc_writer: an account UPDATE did not change exactly one row",
                        std::to_string(r1.rows_affected()) + "/" + std::to_string(r2.rows_affected()) + " rows");
        c->execute("ROLLBACK");
        continue;
      }
      auto cr = c->execute("COMMIT");
      if (!cr.ok() || cr.command_tag() != "COMMIT") {
        shared_.problem("rc_writer: COMMIT failed", describe(cr) + " " + cr.command_tag());
        continue;
      }
      log.committed.push_back(m);
    }
  }

  /// READ COMMITTED, one autocommitted statement moving the amount between both rows.
  void rc_statement_writer(unsigned seed, writer_log& log) {
    auto c = db_->connect();
    auto xfer = c->prepare(
        "UPDATE acc SET bal = bal + CASE WHEN id = $1 THEN -$3 ELSE $3 END WHERE id = $1 OR id = $2");
    if (!xfer.ok()) return shared_.problem("rc_statement_writer: prepare failed", describe(xfer.error()));
    std::mt19937 rng(seed);
    while (!stop_.load(std::memory_order_relaxed)) {
      move m = random_move(rng);
      auto r = xfer.execute({value::int32(m.from), value::int32(m.to), value::int32(m.amount)});
      if (!r.ok()) {
        if (r.sqlstate() == "40P01") {
          ++log.deadlocks;
        } else {
          shared_.problem("rc_statement_writer: unexpected error " + r.sqlstate(), r.error_message());
        }
        continue;
      }
      if (r.rows_affected() != 2) {
        shared_.problem("rc_statement_writer: a committed transfer did not change exactly two rows",
                        std::to_string(r.rows_affected()) + " rows, move " + std::to_string(m.from) + " -> " +
                            std::to_string(m.to));
        continue;  // committed anyway: the final balance check will show what happened
      }
      log.committed.push_back(m);
    }
  }

  /// REPEATABLE READ: reads the source balance, then both UPDATEs; retries the whole transfer
  /// on 40001 / 40P01 until it commits.
  void rr_writer(unsigned seed, writer_log& log) {
    auto c = db_->connect();
    auto read = c->prepare("SELECT bal FROM acc WHERE id = $1");
    auto debit = c->prepare("UPDATE acc SET bal = bal - $1 WHERE id = $2");
    auto credit = c->prepare("UPDATE acc SET bal = bal + $1 WHERE id = $2");
    if (!read.ok() || !debit.ok() || !credit.ok()) return shared_.problem("rr_writer: prepare failed");
    std::mt19937 rng(seed);
    while (!stop_.load(std::memory_order_relaxed)) {
      move m = random_move(rng);
      for (;;) {
        if (!expect_ok(*c, c->execute("BEGIN ISOLATION LEVEL REPEATABLE READ"), "rr BEGIN")) return;
        auto rd = read.execute({value::int32(m.from)});
        auto r1 = rd.ok() ? debit.execute({value::int32(m.amount), value::int32(m.from)}) : rd;
        auto r2 = r1.ok() ? credit.execute({value::int32(m.amount), value::int32(m.to)}) : r1;
        if (r2.ok()) {
          if (rd.row_count() != 1 || r1.rows_affected() != 1 || r2.rows_affected() != 1) {
            shared_.problem("rr_writer: wrong row counts", "read " + std::to_string(rd.row_count()) + " rows, updated " +
                                                               std::to_string(r1.rows_affected()) + "/" +
                                                               std::to_string(r2.rows_affected()));
            c->execute("ROLLBACK");
            break;
          }
          auto cr = c->execute("COMMIT");
          if (!cr.ok() || cr.command_tag() != "COMMIT") {
            shared_.problem("rr_writer: COMMIT failed", describe(cr) + " " + cr.command_tag());
            break;
          }
          log.committed.push_back(m);
          break;
        }
        c->execute("ROLLBACK");
        if (!retryable(r2)) {
          shared_.problem("rr_writer: unexpected error " + r2.sqlstate(), r2.error_message());
          break;
        }
        ++log.retries;
        (r2.sqlstate() == "40001" ? log.serialization_failures : log.deadlocks)++;
        if (stop_.load(std::memory_order_relaxed)) break;
      }
    }
  }

  /// Checks the total in REPEATABLE READ snapshots (several reads of one snapshot) and in
  /// single statements (each its own snapshot).
  void reader(unsigned seed) {
    auto c = db_->connect();
    auto per_account = c->prepare("SELECT bal FROM acc WHERE id = $1");
    std::mt19937 rng(seed);
    while (!stop_.load(std::memory_order_relaxed)) {
      // A single statement.
      check_total(*c, "single statement");
      // A REPEATABLE READ snapshot, read three ways.
      if (!expect_ok(*c, c->execute("BEGIN ISOLATION LEVEL REPEATABLE READ"), "reader BEGIN")) return;
      int64_t s1 = check_total(*c, "RR sum");
      int64_t by_row = 0;
      bool all = true;
      for (int id = 1; id <= accounts_; ++id) {
        auto r = per_account.execute({value::int32(id)});
        if (!r.ok() || r.row_count() != 1) {
          shared_.problem("reader: reading one account failed", "account " + std::to_string(id) + " -> " + describe(r) +
                                                                   ", " + std::to_string(r.row_count()) + " rows");
          all = false;
          break;
        }
        by_row += std::stoll(r.text(0, 0));
      }
      if (all && by_row != total_)
        shared_.problem("reader: per-account balances of an RR snapshot do not add up to the total",
                        std::to_string(by_row));
      int64_t s2 = check_total(*c, "RR sum again");
      if (s1 != s2)
        shared_.problem("reader: one RR snapshot gave two different sums", std::to_string(s1) + " and " + std::to_string(s2));
      expect_ok(*c, c->execute("COMMIT"), "reader COMMIT");
      if (rng() % 4 == 0) std::this_thread::yield();
    }
  }

  void stop() { stop_ = true; }
  shared_log& log() { return shared_; }

 private:
  move random_move(std::mt19937& rng) {
    std::uniform_int_distribution<int> acc(1, accounts_), amt(1, 100);
    move m{acc(rng), acc(rng), amt(rng)};
    while (m.to == m.from) m.to = acc(rng);
    return m;
  }
  bool expect_ok(db001::connection& c, const db001::result& r, const char* what) {
    if (r.ok()) return true;
    shared_.problem(std::string(what) + " failed", describe(r));
    return false;
  }
  int64_t check_total(db001::connection& c, const char* what) {
    auto r = c.execute("SELECT sum(bal), count(*) FROM acc");
    if (!r.ok() || r.row_count() != 1) {
      shared_.problem(std::string("reader: ") + what + " failed", describe(r));
      return -1;
    }
    int64_t sum = std::stoll(r.text(0, 0)), n = std::stoll(r.text(0, 1));
    if (sum != total_ || n != accounts_)
      shared_.problem(std::string("reader: ") + what + " saw a wrong total",
                      "sum " + std::to_string(sum) + " over " + std::to_string(n) + " rows (expected " +
                          std::to_string(total_) + " over " + std::to_string(accounts_) + ")");
    shared_.sums_checked.fetch_add(1, std::memory_order_relaxed);
    return sum;
  }

  int accounts_;
  int64_t total_;
  std::unique_ptr<db001::database> db_;
  std::atomic<bool> stop_{false};
  shared_log shared_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(bank_transfers)

namespace {

/// Runs the writers and readers for a few seconds against `accounts` accounts, then checks the
/// problems they logged and the final balances against the committed moves.
void run_bank(int accounts) {
  bank b(accounts);
  constexpr int rc_writers = 2, rc_statement_writers = 1, rr_writers = 2, readers = 2;
  std::vector<writer_log> rc(rc_writers), rcs(rc_statement_writers), rr(rr_writers);
  std::vector<std::future<void>> threads;
  unsigned seed = 20240601;
  for (auto& l : rc) threads.push_back(std::async(std::launch::async, [&b, &l, s = seed++] { b.rc_writer(s, l); }));
  for (auto& l : rcs)
    threads.push_back(std::async(std::launch::async, [&b, &l, s = seed++] { b.rc_statement_writer(s, l); }));
  for (auto& l : rr) threads.push_back(std::async(std::launch::async, [&b, &l, s = seed++] { b.rr_writer(s, l); }));
  for (int i = 0; i < readers; ++i) threads.push_back(std::async(std::launch::async, [&b, s = seed++] { b.reader(s); }));

  std::this_thread::sleep_for(3s);
  b.stop();
  for (auto& t : threads) {
    if (t.wait_for(20s) != std::future_status::ready) {
      // A worker stuck in a statement (a lost wake-up or an undetected deadlock): the database
      // cannot be torn down under it, so report and leave.
      std::fprintf(stderr, "FATAL: bank worker still blocked 20 s after stop; exiting\n");
      std::fflush(stderr);
      std::_Exit(3);
    }
    t.get();
  }

  {
    std::lock_guard lock(b.log().mutex);
    for (auto& [kind, e] : b.log().problems) BOOST_ERROR(kind << " (" << e.count << " times; first: " << e.first << ")");
  }

  // Expected balances from the log of committed moves.
  std::map<int, int64_t> expected;
  for (int i = 1; i <= accounts; ++i) expected[i] = initial_balance;
  uint64_t commits = 0, retries = 0, deadlocks = 0, serialization = 0;
  auto apply = [&](const std::vector<writer_log>& logs, uint64_t& kind_commits) {
    for (auto& l : logs) {
      for (auto& m : l.committed) {
        expected[m.from] -= m.amount;
        expected[m.to] += m.amount;
      }
      kind_commits += l.committed.size();
      retries += l.retries;
      deadlocks += l.deadlocks;
      serialization += l.serialization_failures;
    }
  };
  uint64_t rc_commits = 0, rcs_commits = 0, rr_commits = 0;
  apply(rc, rc_commits);
  apply(rcs, rcs_commits);
  apply(rr, rr_commits);
  commits = rc_commits + rcs_commits + rr_commits;
  BOOST_TEST_MESSAGE("bank: " << commits << " transfers committed (RC " << rc_commits << ", RC statement " << rcs_commits
                              << ", RR " << rr_commits << "), " << retries << " RR retries, " << deadlocks
                              << " deadlocks, " << serialization << " serialization failures, "
                              << b.log().sums_checked.load() << " sums checked");
  BOOST_TEST(rc_commits > 0u, "no READ COMMITTED transfer committed");
  BOOST_TEST(rcs_commits > 0u, "no single-statement transfer committed");
  BOOST_TEST(rr_commits > 0u, "no REPEATABLE READ transfer committed");
  BOOST_TEST(b.log().sums_checked.load() > 10u);

  auto c = b.db().connect();
  auto r = c->execute("SELECT id, bal FROM acc ORDER BY id");
  BOOST_REQUIRE_MESSAGE(r.ok(), describe(r));
  BOOST_TEST(r.row_count() == size_t(accounts));
  int64_t sum = 0;
  for (size_t i = 0; i < r.row_count(); ++i) {
    int id = std::stoi(r.text(i, 0));
    int64_t bal = std::stoll(r.text(i, 1));
    sum += bal;
    BOOST_TEST(bal == expected[id], "account " << id << ": balance " << bal << ", committed moves give " << expected[id]);
  }
  BOOST_TEST(sum == b.total());
  auto s = b.db().engine().txns().stats();
  BOOST_TEST(s.active == 0u, "transactions still registered after every session finished");
}

}  // namespace

BOOST_AUTO_TEST_CASE(total_is_invariant_and_no_committed_transfer_is_lost) { run_bank(10); }

// Five blocks of accounts: scans meet blocks that no transfer touched since an earlier scan
// (read without their stamps, row_block::known_all_visible) next to blocks being written.
BOOST_AUTO_TEST_CASE(total_is_invariant_over_many_blocks) { run_bank(5000); }

BOOST_AUTO_TEST_SUITE_END()
