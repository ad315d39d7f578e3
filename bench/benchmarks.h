#pragma once
/// The benchmarks of db001-bench; each returns the process exit code (nonzero when a
/// result check failed). Options as documented in bench/README.md.
#include "bench_common.h"

namespace db001::bench {

int run_oltp(const options_map& opts);
int run_tpch(const options_map& opts);

}  // namespace db001::bench
