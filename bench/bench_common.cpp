#include "bench_common.h"

#include <jemalloc/jemalloc.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace db001::bench {

// --- command line ---------------------------------------------------------------------------

options_map::options_map(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) != 0) throw std::runtime_error("unexpected argument: " + a);
    a = a.substr(2);
    auto eq = a.find('=');
    if (eq != std::string::npos) {
      values_[a.substr(0, eq)] = a.substr(eq + 1);
    } else if (i + 1 < argc && std::string_view(argv[i + 1]).rfind("--", 0) != 0) {
      values_[a] = argv[++i];
    } else {
      values_[a] = "1";
    }
  }
}

std::string options_map::str(const std::string& name, const std::string& def) const {
  auto it = values_.find(name);
  return it == values_.end() ? def : it->second;
}

int64_t options_map::integer(const std::string& name, int64_t def) const {
  auto it = values_.find(name);
  if (it == values_.end()) return def;
  return int64_t(std::stod(it->second));  // accepts 1e6
}

double options_map::number(const std::string& name, double def) const {
  auto it = values_.find(name);
  return it == values_.end() ? def : std::stod(it->second);
}

std::vector<int> options_map::int_list(const std::string& name, const std::string& def) const {
  std::vector<int> out;
  std::stringstream ss(str(name, def));
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(std::stoi(item));
  return out;
}

std::vector<std::string> options_map::unknown(const std::vector<std::string>& known) const {
  std::vector<std::string> out;
  for (auto& [k, v] : values_)
    if (std::find(known.begin(), known.end(), k) == known.end()) out.push_back(k);
  return out;
}

// --- time -------------------------------------------------------------------------------

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double process_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// --- memory -----------------------------------------------------------------------------

memory_stats read_memory() {
  memory_stats m;
  uint64_t epoch = 1;
  size_t sz = sizeof(epoch);
  mallctl("epoch", &epoch, &sz, &epoch, sz);
  size_t v = 0;
  sz = sizeof(v);
  if (mallctl("stats.allocated", &v, &sz, nullptr, 0) == 0) m.allocated = v;
  sz = sizeof(v);
  if (mallctl("stats.resident", &v, &sz, nullptr, 0) == 0) m.resident = v;
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    auto kb = [&](const char* key) -> uint64_t {
      return uint64_t(std::strtoull(line.c_str() + std::strlen(key), nullptr, 10)) * 1024;
    };
    if (line.rfind("VmRSS:", 0) == 0) m.vm_rss = kb("VmRSS:");
    if (line.rfind("VmHWM:", 0) == 0) m.vm_hwm = kb("VmHWM:");
  }
  return m;
}

std::string mib(double bytes) { return fmt("%.1f MiB", bytes / (1024.0 * 1024.0)); }

// --- workload files ---------------------------------------------------------------------

namespace {
std::string& workloads_dir_override() {
  static std::string d;
  return d;
}
std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}
}  // namespace

void set_workloads_dir(const std::string& dir) { workloads_dir_override() = dir; }

std::string workloads_dir() {
  if (!workloads_dir_override().empty()) return workloads_dir_override();
  if (const char* e = std::getenv("DB001_BENCH_WORKLOADS")) return e;
  return (std::filesystem::path(__FILE__).parent_path() / "workloads").string();
}

workload workload::load(const std::string& file) {
  workload w;
  std::filesystem::path p(file);
  if (!std::filesystem::exists(p)) p = std::filesystem::path(workloads_dir()) / file;
  std::ifstream in(p);
  if (!in) throw std::runtime_error("cannot read workload file " + p.string() + " (use --workloads DIR)");
  w.path_ = p.string();
  std::string line, name, text;
  auto flush = [&] {
    if (!name.empty()) w.sections_[name] = trim(text);
    text.clear();
  };
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.rfind("-- name:", 0) == 0) {
      flush();
      name = trim(t.substr(8));
    } else if (t.rfind("--", 0) == 0) {
      continue;
    } else if (!name.empty()) {
      text += line + "\n";
    }
  }
  flush();
  return w;
}

const std::string& workload::sql(const std::string& name, const std::string& dialect) const {
  if (!dialect.empty()) {
    auto it = sections_.find(name + "." + dialect);
    if (it != sections_.end()) return it->second;
  }
  auto it = sections_.find(name);
  if (it == sections_.end()) throw std::runtime_error("workload " + path_ + " has no section '" + name + "'");
  return it->second;
}

// --- output -----------------------------------------------------------------------------

std::string fmt(const char* f, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, f);
  int n = std::vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  if (n < int(sizeof buf)) return std::string(buf, n > 0 ? size_t(n) : 0);
  std::string big(size_t(n) + 1, '\0');
  va_start(ap, f);
  std::vsnprintf(big.data(), big.size(), f, ap);
  va_end(ap);
  big.resize(size_t(n));
  return big;
}

void say(const std::string& line) {
  std::cout << line << std::endl;
}

std::string verdict(bool met) { return met ? "target met" : "TARGET MISSED"; }

}  // namespace db001::bench
