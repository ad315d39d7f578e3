/// db001-slt: the sqllogictest runner's command line. See usage() and slt_runner.h.
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "slt_runner.h"

namespace {

void usage(std::ostream& o) {
  o << "Usage: db001-slt [OPTIONS] FILE|DIR...\n"
       "Runs sqllogictest scripts against an embedded DB-001 database, or a server with --connect\n"
       "(a fresh database per file).\n"
       "Directories are searched recursively for *.test files, run in sorted order.\n"
       "\n"
       "Options:\n"
       "  --json OUT            write per-file counts and the first failures of each file to OUT as JSON\n"
       "  --verbose, -v         print every failure (file:line, SQL, expected/actual or the error)\n"
       "  --stop-on-fail        stop at the first failed record\n"
       "  --min-pass-rate PCT   exit with status 1 unless at least PCT percent of the records that ran\n"
       "                        (statements + queries, not skipped ones) passed\n"
       "  --connect CONNINFO    run the files on a server over the PostgreSQL wire protocol (libpq conninfo,\n"
       "                        e.g. \"host=127.0.0.1 port=5432 dbname=postgres\"): each file in a database of its\n"
       "                        own, created in CONNINFO's database and dropped afterwards; values are typed by\n"
       "                        their type OIDs and printed as in process (--wire is the same option)\n"
       "  --pg CONNINFO         judge records where db001 differs from the file by a PostgreSQL server\n"
       "                        (libpq conninfo without dbname; a scratch database is recreated per file)\n"
       "  --help, -h            show this help\n"
       "\n"
       "Records run with the condition name 'postgresql' (skipif postgresql / onlyif <other> are skipped).\n"
       "Values print as the SQLite corpus expects (I: %d, R: %.3f, NULL, (empty)); results may also be written\n"
       "one row per line with tab-separated values, and 'statement error' may give the expected message\n"
       "after '----' (a substring, a SQLSTATE, or <REGEX>:pattern), as in DuckDB's test files.\n"
       "Output: one line '<file>: N passed, N failed, N skipped' per file, then 'N passed, N failed, N skipped'.\n"
       "Exit status: 0; 1 when --min-pass-rate is not met; 2 on a usage error.\n";
}

/// Value of an option given as "--name VALUE" or "--name=VALUE"; advances i.
bool option_value(int argc, char** argv, int& i, const char* name, std::string& out) {
  size_t n = std::strlen(name);
  if (std::strncmp(argv[i], name, n) != 0) return false;
  if (argv[i][n] == '=') {
    out = argv[i] + n + 1;
    return true;
  }
  if (argv[i][n] != 0) return false;
  if (i + 1 >= argc) {
    std::cerr << "db001-slt: " << name << " needs a value\n";
    std::exit(2);
  }
  out = argv[++i];
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  db001::slt::runner_options opts;
  std::vector<std::string> paths;
  bool only_paths = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string v;
    if (only_paths || arg.empty() || arg[0] != '-' || arg == "-") {
      paths.push_back(arg);
    } else if (arg == "--") {
      only_paths = true;
    } else if (arg == "--help" || arg == "-h") {
      usage(std::cout);
      return 0;
    } else if (arg == "--verbose" || arg == "-v") {
      opts.verbose = true;
    } else if (arg == "--stop-on-fail") {
      opts.stop_on_fail = true;
    } else if (option_value(argc, argv, i, "--json", v)) {
      if (v.empty()) {
        std::cerr << "db001-slt: --json needs a file name\n";
        return 2;
      }
      opts.json_path = v;
    } else if (option_value(argc, argv, i, "--min-pass-rate", v)) {
      char* end = nullptr;
      double rate = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != 0 || rate < 0 || rate > 100) {
        std::cerr << "db001-slt: --min-pass-rate needs a percentage between 0 and 100, got '" << v << "'\n";
        return 2;
      }
      opts.min_pass_rate = rate;
    } else if (option_value(argc, argv, i, "--pg", v)) {
      opts.pg_conninfo = v;
    } else if (option_value(argc, argv, i, "--connect", v) || option_value(argc, argv, i, "--wire", v)) {
      if (v.empty()) {
        std::cerr << "db001-slt: --connect needs a libpq conninfo\n";
        return 2;
      }
      opts.connect = v;
    } else {
      std::cerr << "db001-slt: unknown option '" << arg << "'\n";
      usage(std::cerr);
      return 2;
    }
  }
  if (paths.empty()) {
    std::cerr << "db001-slt: no test file or directory given\n";
    usage(std::cerr);
    return 2;
  }

  std::vector<std::string> missing;
  std::vector<std::string> files = db001::slt::collect_test_files(paths, missing);
  if (!missing.empty()) {
    for (const auto& m : missing) std::cerr << "db001-slt: " << m << ": no such file or directory\n";
    return 2;
  }
  if (files.empty()) std::cerr << "db001-slt: warning: no *.test files found\n";

  db001::slt::runner r(opts, std::cout);
  return r.run(files, std::cerr);
}
