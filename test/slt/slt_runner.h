#pragma once
/// db001-slt: runs sqllogictest scripts (the SQLite corpus format, see slt_parser.h) against an
/// embedded DB-001 database (or, with --connect, a server through libpq: wire_client.h), one
/// fresh database per file, and counts passed/failed/skipped records (records = statements +
/// queries). Both ways produce the same typed values, rendered by render_value.
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "slt_parser.h"

namespace db001 {
class connection;
class value;
class result;
}  // namespace db001

namespace db001::slt {

/// Command-line settings of a run.
struct runner_options {
  bool verbose = false;               ///< print every failure (file:line, SQL, expected/actual or the error)
  bool stop_on_fail = false;          ///< stop the whole run at the first failed record
  std::string json_path;              ///< write a JSON report here ("" = none)
  double min_pass_rate = -1;          ///< percent of non-skipped records that must pass (< 0 = no check)
  size_t json_failures_per_file = 5;  ///< failures kept per file for the JSON report
  std::string pg_conninfo;            ///< judge disagreements by a PostgreSQL server ("" = off)
  std::string connect;                ///< run through a server over the wire (libpq conninfo; "" = in process)
};

/// One failed record, as reported in verbose mode and in the JSON report.
struct failure {
  int line = 0;
  std::string kind;  ///< "statement ok", "statement error", "query", "malformed", "file"
  std::string sql;
  std::string expected;  ///< query: expected values (shortened); statement: "success"/"an error"
  std::string actual;    ///< query: actual values (shortened)
  std::string sqlstate;  ///< when the engine returned an error
  std::string message;   ///< the error message, or what did not match
};

/// Counts of one file (or of the whole run).
struct file_stats {
  std::string path;
  uint64_t passed = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  uint64_t pg_judged = 0;  ///< passed records where db001 differs from the file but matches PostgreSQL
  int halted_at = 0;     ///< line of a `halt` record that ended the file (0 = none)
  bool stopped = false;  ///< --stop-on-fail ended the file early
  double seconds = 0;
  std::vector<failure> failures;  ///< the first json_failures_per_file failures
};

/// Runs scripts; prints one summary line per file and a final total line to `out`.
class runner {
 public:
  runner(runner_options opts, std::ostream& out);
  ~runner();

  /// Runs every file (already expanded from directories) and returns the process exit status:
  /// 0, or 1 when --min-pass-rate is given and not met (a message then goes to `err`).
  int run(const std::vector<std::string>& files, std::ostream& err);

  /// Runs one script on a fresh database and returns its counts.
  file_stats run_file(const std::string& path);

 private:
  struct context;  ///< per-file state: database, connection, hash threshold, labels
  /// True if db001's outcome for r equals PostgreSQL's (the record then counts as passed).
  bool postgres_agrees(const record& r, const struct pg_outcome& res, const std::vector<std::string>* values,
                       const struct pg_outcome* known, failure& f);
  void run_record(context& ctx, const record& r, file_stats& stats);
  void fail(file_stats& stats, failure f);
  void write_json_file(const file_stats& s);

  runner_options opts_;
  std::ostream& out_;
  std::unique_ptr<std::ostream> json_;
  bool json_first_ = true;
  bool stop_ = false;  ///< set by --stop-on-fail after a failure
  std::unique_ptr<class wire_client> oracle_;  ///< --pg: PostgreSQL judging disagreements
  std::unique_ptr<class wire_client> wire_;    ///< --connect: the server the files run on
};

/// Expands the command-line paths: a directory is walked recursively for `*.test` files (sorted);
/// a file is taken as is. A path that does not exist is appended to `missing`.
std::vector<std::string> collect_test_files(const std::vector<std::string>& paths, std::vector<std::string>& missing);

/// Renders one result value for a column of type `type` ('I', 'R' or 'T') as the corpus expects.
std::string render_value(const value& v, char type);

}  // namespace db001::slt
