#pragma once
/// Shared pieces of the db001-bench driver: command-line options, timing, medians,
/// memory statistics (jemalloc + /proc/self/status), workload files, printing.
///
/// Used by one thread (the driver's main thread) unless a function says otherwise.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace db001::bench {

// --- command line ---------------------------------------------------------------------------

/// "--name value" and "--name=value" options after the benchmark name; bare "--flag" = "1".
class options_map {
 public:
  options_map(int argc, char** argv, int first);
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  std::string str(const std::string& name, const std::string& def) const;
  int64_t integer(const std::string& name, int64_t def) const;
  double number(const std::string& name, double def) const;
  /// A comma-separated list of integers ("1,2").
  std::vector<int> int_list(const std::string& name, const std::string& def) const;
  /// Names given that are not in `known` (typos); the driver refuses to run with them.
  std::vector<std::string> unknown(const std::vector<std::string>& known) const;

 private:
  std::map<std::string, std::string> values_;
};

// --- time -------------------------------------------------------------------------------

using clock = std::chrono::steady_clock;
inline double seconds_since(clock::time_point t0) {
  return std::chrono::duration<double>(clock::now() - t0).count();
}
double median(std::vector<double> v);
/// CPU seconds (user + system) of the whole process so far: all threads, ours and the engine's.
double process_cpu_seconds();
/// CPU seconds of the calling thread so far (CLOCK_THREAD_CPUTIME_ID): unlike wall time, not
/// inflated when other processes take the shared cores.
double thread_cpu_seconds();
/// The first three fields of /proc/loadavg ("1.00 0.80 0.50"): the machine is shared, so
/// every report states how busy it was.
std::string load_average();

// --- memory -----------------------------------------------------------------------------

struct memory_stats {
  uint64_t allocated = 0;  ///< jemalloc stats.allocated: bytes in live allocations
  uint64_t resident = 0;   ///< jemalloc stats.resident: bytes in physically resident pages
  uint64_t vm_rss = 0;     ///< /proc/self/status VmRSS
  uint64_t vm_hwm = 0;     ///< /proc/self/status VmHWM (peak RSS of the process so far)
};
/// Refreshes jemalloc's statistics (mallctl "epoch") and reads them and /proc/self/status.
memory_stats read_memory();
std::string mib(double bytes);

// --- workload files ---------------------------------------------------------------------

/// A workload file: SQL texts in sections introduced by a line "-- name: NAME". A section
/// "NAME.sqlite" is the SQLite peer's version of NAME. Other "--" lines are comments.
class workload {
 public:
  /// Reads `file` (a bare name is looked up in the workloads directory).
  static workload load(const std::string& file);
  /// The section's text; for dialect "sqlite" the "NAME.sqlite" section if present.
  /// Throws std::runtime_error when missing.
  const std::string& sql(const std::string& name, const std::string& dialect = "") const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::map<std::string, std::string> sections_;
};
/// Directory of the workload files: --workloads DIR, else $DB001_BENCH_WORKLOADS, else the
/// source tree's bench/workloads (this file's directory at compile time).
void set_workloads_dir(const std::string& dir);
std::string workloads_dir();

// --- output -----------------------------------------------------------------------------

/// printf-style formatting into a std::string.
std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
/// Prints a line and flushes (progress stays visible when output is piped into a log).
void say(const std::string& line);
/// "RATIO  db001/sqlite = x.xx  (target >= y)" style verdict helper.
std::string verdict(bool met);

}  // namespace db001::bench
