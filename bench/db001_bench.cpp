/// db001-bench: the benchmark driver. Every benchmark runs db001 and a peer (SQLite) in
/// this process on the same data and prints ratios; see bench/README.md.
///
///   db001-bench oltp [--ops N] [--repeat R] [--txn-rows N] [--engine both|db001|sqlite]
///   db001-bench tpch [--sf 0.1] [--threads 1,2] [--runs 5] [--sqlite-runs 3]
///                    [--load prepared|literal] [--batch-rows 256] [--txn-rows 1000000]
///                    [--engine both|db001|sqlite] [--queries Q1,Q6]
///   common: --workloads DIR (default: the source tree's bench/workloads)
#include <exception>
#include <iostream>
#include <string>

#include "benchmarks.h"

namespace {

void usage() {
  std::cerr << "usage: db001-bench oltp [--ops N] [--repeat R] [--txn-rows N] [--engine both|db001|sqlite]\n"
               "       db001-bench tpch [--sf 0.1] [--threads 1,2] [--runs 5] [--sqlite-runs 3]\n"
               "                        [--load prepared|literal] [--batch-rows 256] [--txn-rows 1000000]\n"
               "                        [--engine both|db001|sqlite] [--queries Q1,Q6]\n"
               "common: --workloads DIR   (workload files; default " << db001::bench::workloads_dir() << ")\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace db001::bench;
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    usage();
    return argc < 2 ? 2 : 0;
  }
  std::string which = argv[1];
  try {
    options_map opts(argc, argv, 2);
    if (opts.has("workloads")) set_workloads_dir(opts.str("workloads", ""));
    std::vector<std::string> known;
    if (which == "oltp") {
      known = {"ops", "repeat", "txn-rows", "engine", "target", "workloads"};
    } else if (which == "tpch") {
      known = {"sf",   "threads",    "runs",     "sqlite-runs",  "engine",       "load",
               "batch-rows", "txn-rows", "q1-target-ms", "q6-target-ms", "workloads", "queries"};
    } else {
      usage();
      return 2;
    }
    if (auto bad = opts.unknown(known); !bad.empty()) {
      std::cerr << "unknown option --" << bad.front() << "\n";
      usage();
      return 2;
    }
    return which == "oltp" ? run_oltp(opts) : run_tpch(opts);
  } catch (const std::exception& e) {
    std::cerr << "db001-bench: " << e.what() << "\n";
    return 1;
  }
}
