// The metrics registry and its Prometheus text rendering, the process and engine collectors.
#include "actors/metrics.h"

#include <dirent.h>
#include <jemalloc/jemalloc.h>
#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>

#include "recovery/durable_store.h"
#include "sql/engine.h"
#include "txn/txn_manager.h"

namespace db001::actors {

namespace {

const auto process_start_steady = std::chrono::steady_clock::now();
const double process_start_unix =
    std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();

enum class kind { counter, gauge, histogram };

const char* type_name(kind k) {
  switch (k) {
    case kind::counter:
      return "counter";
    case kind::gauge:
      return "gauge";
    case kind::histogram:
      return "histogram";
  }
  return "untyped";
}

bool valid_metric_name(std::string_view n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool valid_label_name(std::string_view n) {
  return valid_metric_name(n) && n.find(':') == std::string_view::npos && !n.starts_with("__");
}

void append_escaped(std::string& out, std::string_view s, bool quote) {
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quote)
      out += "\\\"";
    else
      out += c;
  }
}

/// `{a="x",b="y"}` (or "" without labels), plus an optional extra pair (le) at the end.
std::string render_labels(const metric_labels& labels, std::string_view extra_name = {},
                          std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](std::string_view k, std::string_view v) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    append_escaped(out, v, true);
    out += '"';
  };
  for (auto& [k, v] : labels) add(k, v);
  if (!extra_name.empty()) add(extra_name, extra_value);
  out += '}';
  return out;
}

std::string format_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // As Go's strconv 'g' (what Prometheus' own clients print): fixed from 1e-4 up, so le="0.0001"
  // rather than "1e-04"; shortest digits that read back exactly.
  char buf[64];
  double a = std::fabs(v);
  auto fmt = (a == 0 || (a >= 1e-4 && a < 1e21)) ? std::chars_format::fixed : std::chars_format::scientific;
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v, fmt);
  return std::string(buf, p);
}

struct entry {
  metric_labels labels;
  std::string labels_text;
  std::unique_ptr<counter> c;
  std::unique_ptr<gauge> g;
  std::unique_ptr<histogram> h;
};

struct family {
  kind type;
  std::string help;
  std::vector<entry> entries;
};

/// One family being rendered: header fields and its sample lines.
struct out_family {
  kind type;
  std::string help;
  std::string lines;
};

using out_map = std::map<std::string, out_family, std::less<>>;

void add_line(std::string& lines, std::string_view name, const std::string& labels, const std::string& value) {
  lines += name;
  lines += labels;
  lines += ' ';
  lines += value;
  lines += '\n';
}

class render_sink final : public sample_sink {
 public:
  explicit render_sink(out_map& out) : out_(out) {}
  void counter(std::string_view name, std::string_view help, double value, const metric_labels& labels) override {
    add(kind::counter, name, help, value, labels);
  }
  void gauge(std::string_view name, std::string_view help, double value, const metric_labels& labels) override {
    add(kind::gauge, name, help, value, labels);
  }

 private:
  void add(kind k, std::string_view name, std::string_view help, double value, const metric_labels& labels) {
    if (!valid_metric_name(name)) return;
    for (auto& [ln, lv] : labels)
      if (!valid_label_name(ln)) return;
    auto it = out_.find(name);
    if (it == out_.end()) it = out_.emplace(std::string(name), out_family{k, std::string(help), {}}).first;
    if (it->second.type != k) return;  // would break the family's TYPE
    add_line(it->second.lines, name, render_labels(labels), format_double(value));
  }
  out_map& out_;
};

}  // namespace

// ---- counter / histogram ------------------------------------------------------------------

size_t detail::next_shard() noexcept {
  static std::atomic<size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed) % shard_count;
}

uint64_t counter::value() const noexcept {
  uint64_t sum = 0;
  for (auto& s : shards_) sum += s.v.load(std::memory_order_relaxed);
  return sum;
}

const std::array<uint64_t, histogram::bucket_count>& histogram::bounds_ns() {
  static const std::array<uint64_t, bucket_count> b = [] {
    std::array<uint64_t, bucket_count> out{};
    uint64_t decade = 10'000;  // 10 µs
    size_t i = 0;
    while (i < bucket_count) {
      out[i++] = decade;
      if (i < bucket_count) out[i++] = decade * 5 / 2;
      if (i < bucket_count) out[i++] = decade * 5;
      decade *= 10;
    }
    return out;
  }();
  return b;
}

void histogram::observe_ns(uint64_t ns) noexcept {
  auto& b = bounds_ns();
  size_t i = size_t(std::lower_bound(b.begin(), b.end(), ns) - b.begin());  // == bucket_count: +Inf
  auto& s = shards_[detail::this_thread_shard() % shards];
  s.counts[i].fetch_add(1, std::memory_order_relaxed);
  s.sum_ns.fetch_add(ns, std::memory_order_relaxed);
}

histogram::snapshot histogram::read() const noexcept {
  snapshot out;
  for (auto& s : shards_) {
    for (size_t i = 0; i <= bucket_count; ++i) out.counts[i] += s.counts[i].load(std::memory_order_relaxed);
    out.sum_ns += s.sum_ns.load(std::memory_order_relaxed);
  }
  for (auto c : out.counts) out.count += c;
  return out;
}

// ---- collector_handle ---------------------------------------------------------------------

collector_handle& collector_handle::operator=(collector_handle&& o) noexcept {
  if (this != &o) {
    reset();
    r_ = std::exchange(o.r_, nullptr);
    id_ = o.id_;
  }
  return *this;
}

void collector_handle::reset() {
  if (r_) std::exchange(r_, nullptr)->remove_collector(id_);
}

// ---- registry -----------------------------------------------------------------------------

struct registry::impl {
  mutable std::mutex mu;
  std::map<std::string, family, std::less<>> families;
  std::map<uint64_t, collector_fn> collectors;
  uint64_t next_id = 1;

  entry& find_or_add(std::string_view name, std::string_view help, const metric_labels& labels, kind k) {
    if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name \"" + std::string(name) + "\"");
    for (auto& [ln, lv] : labels)
      if (!valid_label_name(ln) || (k == kind::histogram && ln == "le"))
        throw std::invalid_argument("invalid label name \"" + ln + "\" for metric " + std::string(name));
    auto it = families.find(name);
    if (it == families.end()) it = families.emplace(std::string(name), family{k, std::string(help), {}}).first;
    if (it->second.type != k)
      throw std::invalid_argument("metric " + std::string(name) + " is already registered as a " +
                                  type_name(it->second.type));
    std::string text = render_labels(labels);
    for (auto& e : it->second.entries)
      if (e.labels_text == text) return e;
    auto& e = it->second.entries.emplace_back();
    e.labels = labels;
    e.labels_text = std::move(text);
    return e;
  }
};

registry::registry() : impl_(std::make_unique<impl>()) {}
registry::~registry() = default;

registry& registry::global() {
  static registry* r = [] {
    auto* reg = new registry;  // never destroyed: metrics may be touched during static destruction
    add_process_collector(*reg).release();
    return reg;
  }();
  return *r;
}

counter& registry::add_counter(std::string_view name, std::string_view help, const metric_labels& labels) {
  std::lock_guard lock(impl_->mu);
  auto& e = impl_->find_or_add(name, help, labels, kind::counter);
  if (!e.c) e.c = std::make_unique<counter>();
  return *e.c;
}

gauge& registry::add_gauge(std::string_view name, std::string_view help, const metric_labels& labels) {
  std::lock_guard lock(impl_->mu);
  auto& e = impl_->find_or_add(name, help, labels, kind::gauge);
  if (!e.g) e.g = std::make_unique<gauge>();
  return *e.g;
}

histogram& registry::add_histogram(std::string_view name, std::string_view help, const metric_labels& labels) {
  std::lock_guard lock(impl_->mu);
  auto& e = impl_->find_or_add(name, help, labels, kind::histogram);
  if (!e.h) e.h = std::make_unique<histogram>();
  return *e.h;
}

collector_handle registry::add_collector(collector_fn fn) {
  std::lock_guard lock(impl_->mu);
  uint64_t id = impl_->next_id++;
  impl_->collectors.emplace(id, std::move(fn));
  return collector_handle(this, id);
}

void registry::remove_collector(uint64_t id) {
  std::lock_guard lock(impl_->mu);
  impl_->collectors.erase(id);
}

std::string registry::render() const {
  out_map out;
  std::lock_guard lock(impl_->mu);
  for (auto& [name, fam] : impl_->families) {
    auto& of = out.emplace(name, out_family{fam.type, fam.help, {}}).first->second;
    for (auto& e : fam.entries) {
      if (e.c) add_line(of.lines, name, e.labels_text, std::to_string(e.c->value()));
      if (e.g) add_line(of.lines, name, e.labels_text, std::to_string(e.g->value()));
      if (e.h) {
        auto snap = e.h->read();
        auto& bounds = histogram::bounds_ns();
        std::string bucket = name + "_bucket";
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= histogram::bucket_count; ++i) {
          cumulative += snap.counts[i];
          std::string le = i < histogram::bucket_count ? format_double(double(bounds[i]) / 1e9) : "+Inf";
          add_line(of.lines, bucket, render_labels(e.labels, "le", le), std::to_string(cumulative));
        }
        add_line(of.lines, name + "_sum", e.labels_text, format_double(double(snap.sum_ns) / 1e9));
        add_line(of.lines, name + "_count", e.labels_text, std::to_string(cumulative));
      }
    }
  }
  render_sink sink(out);
  for (auto& [id, fn] : impl_->collectors) {
    try {
      fn(sink);
    } catch (...) {
      // A failing collector loses its samples for this scrape, never the whole page.
    }
  }
  std::string text;
  for (auto& [name, of] : out) {
    if (of.lines.empty()) continue;
    text += "# HELP " + name + ' ';
    append_escaped(text, of.help, false);
    text += "\n# TYPE " + name + ' ' + type_name(of.type) + '\n';
    text += of.lines;
  }
  return text;
}

// ---- collectors ---------------------------------------------------------------------------

double process_uptime_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - process_start_steady).count();
}

collector_handle add_process_collector(registry& r) {
  return r.add_collector([](sample_sink& s) {
    uint64_t epoch = 1;
    size_t len = sizeof(epoch);
    mallctl("epoch", &epoch, &len, &epoch, len);  // refresh jemalloc's cached statistics
    size_t allocated = 0, resident = 0;
    len = sizeof(size_t);
    if (mallctl("stats.allocated", &allocated, &len, nullptr, 0) == 0)
      s.gauge("db001_memory_allocated_bytes", "Bytes allocated by the application (jemalloc stats.allocated).",
              double(allocated));
    len = sizeof(size_t);
    if (mallctl("stats.resident", &resident, &len, nullptr, 0) == 0)
      s.gauge("db001_memory_resident_bytes", "Bytes in physically resident allocator pages (jemalloc stats.resident).",
              double(resident));

    rusage ru{};
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
      double cpu =
          double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
      s.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", cpu);
    }
    if (DIR* d = opendir("/proc/self/fd")) {
      int n = 0;
      while (dirent* de = readdir(d))
        if (de->d_name[0] != '.') ++n;
      closedir(d);
      s.gauge("process_open_fds", "Number of open file descriptors.", double(n - 1));  // minus opendir's own
    }
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
      s.gauge("process_max_fds", "Maximum number of open file descriptors.", double(rl.rlim_cur));
    s.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", process_start_unix);
    s.gauge("db001_uptime_seconds", "Seconds since the server process started.", process_uptime_seconds());
  });
}

void collect_engine_samples(sample_sink& s, engine::engine& e, const metric_labels& l) {
  auto& es = e.stats();
  s.counter("db001_statements_total", "Statements executed.", double(es.statements.load(std::memory_order_relaxed)),
            l);
  s.counter("db001_statement_errors_total", "Statements that ended with an error.",
            double(es.errors.load(std::memory_order_relaxed)), l);
  txn::txn_stats t = e.txns().stats();
  s.counter("db001_transactions_committed_total", "Transactions committed.", double(t.committed), l);
  s.counter("db001_transactions_aborted_total", "Transactions rolled back or aborted.", double(t.aborted), l);
  s.gauge("db001_transactions_active", "Transactions running now.", double(t.active), l);
  s.counter("db001_lock_waits_total", "Times a transaction waited for a row lock.", double(t.lock_waits), l);
  s.counter("db001_gc_reclaimed_versions_total", "Row versions reclaimed by garbage collection.",
            double(t.gc_reclaimed), l);
}

collector_handle add_engine_collector(registry& r, engine::engine& e, metric_labels labels) {
  return r.add_collector([&e, labels = std::move(labels)](sample_sink& s) { collect_engine_samples(s, e, labels); });
}

void collect_durability_samples(sample_sink& s, recovery::durable_store& st, const metric_labels& l) {
  recovery::wal_stats w = st.log().stats();
  s.counter("db001_wal_bytes_total", "Bytes written to the write-ahead log.", double(w.bytes_written), l);
  s.counter("db001_wal_fsyncs_total", "fsync (fdatasync) calls on write-ahead log files.", double(w.fsyncs), l);
  s.counter("db001_wal_commits_total",
            "Commit records made durable (divided by db001_wal_fsyncs_total: commits per fsync).", double(w.commits),
            l);
  s.counter("db001_wal_write_failures_total", "WAL batches whose write or fsync failed.", double(w.failures), l);
  s.counter("db001_checkpoints_total", "Checkpoints completed since start-up.", double(st.checkpoints_completed()), l);
  s.counter("db001_checkpoint_failures_total", "Checkpoints that failed since start-up.",
            double(st.checkpoints_failed()), l);
  if (auto last = st.last_checkpoint())
    s.gauge("db001_checkpoint_duration_seconds", "Duration of the last checkpoint in seconds.", last->seconds, l);
  const recovery::recovery_result& rr = st.recovery();
  s.gauge("db001_recovery_seconds", "Duration of the last start-up recovery (checkpoint load + WAL replay) in seconds.",
          st.recovery_seconds(), l);
  s.gauge("db001_recovery_records", "WAL records replayed by the last start-up recovery.", double(rr.records), l);
  s.gauge("db001_recovery_wal_bytes", "WAL bytes read by the last start-up recovery.", double(rr.bytes), l);
}

collector_handle add_durability_collector(registry& r, recovery::durable_store& st, metric_labels labels) {
  return r.add_collector(
      [&st, labels = std::move(labels)](sample_sink& s) { collect_durability_samples(s, st, labels); });
}

server_metrics& server_metrics::get() {
  static server_metrics* m = [] {
    auto& r = registry::global();
    const char* conn_help = "Client connections by state.";
    return new server_metrics{
        r.add_histogram("db001_query_duration_seconds", "Statement execution time in seconds."),
        r.add_gauge("db001_connections", conn_help, {{"state", "active"}}),
        r.add_gauge("db001_connections", conn_help, {{"state", "idle"}}),
        r.add_counter("db001_connections_accepted_total", "Client connections accepted."),
        r.add_counter("db001_connections_rejected_total", "Client connections refused (limit or authentication)."),
    };
  }();
  return *m;
}

}  // namespace db001::actors
