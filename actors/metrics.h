#pragma once
/// Process-wide metrics in the Prometheus text exposition format 0.0.4.
///
/// Thread-safety: counter::inc, gauge::set/add and histogram::observe may be called from any
/// thread at any time without locks (relaxed atomics; counters and histograms are sharded over
/// cache-line padded slots picked per thread, so hot-path updates do not contend). Registration,
/// collectors and render() take the registry's mutex; register at start-up and keep the returned
/// references (they stay valid as long as the registry, i.e. forever for registry::global()).
///
/// Wiring in the server:
///   auto& m = db001::actors::server_metrics::get();            // registers the db001_* metrics
///   auto engine_samples = db001::actors::add_engine_collector(  // statements, transactions, locks
///       db001::actors::registry::global(), db->engine());       //   (keep the handle alive)
///   durable databases: add_durability_collector(registry::global(), *db->durable_store(), labels)
///   (WAL bytes / fsyncs / commits, checkpoints, last recovery); the server instead registers
///   one collector that calls collect_engine_samples / collect_durability_samples for every
///   open database with a {database="<name>"} label.
///   per connection:  m.connections_accepted.inc(); m.connections_idle.add(1) ... add(-1) on close;
///                    move between connections_idle / connections_active around each statement
///   per statement:   m.query_duration.observe(std::chrono::steady_clock::now() - t0);
///   /metrics:        registry::global().render()  (http_endpoint does this)
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace db001::engine {
class engine;
}
namespace db001::recovery {
class durable_store;
}

namespace db001::actors {

/// Label pairs of one sample, e.g. {{"state", "active"}}. Values are escaped when rendered.
using metric_labels = std::vector<std::pair<std::string, std::string>>;

namespace detail {
inline constexpr size_t cache_line = 64;
inline constexpr size_t shard_count = 16;
size_t next_shard() noexcept;
/// This thread's shard (assigned round-robin on a thread's first update).
inline size_t this_thread_shard() noexcept {
  thread_local const size_t shard = next_shard();
  return shard;
}
struct alignas(cache_line) padded_u64 {
  std::atomic<uint64_t> v{0};
};
}  // namespace detail

/// A monotonically increasing count. inc() is one relaxed fetch_add on this thread's shard;
/// value() sums the shards (exact once the writers are quiet).
class counter {
 public:
  void inc(uint64_t n = 1) noexcept { shards_[detail::this_thread_shard()].v.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const noexcept;

 private:
  std::array<detail::padded_u64, detail::shard_count> shards_;
};

/// A value that goes up and down (connections, queue lengths). One padded atomic.
class alignas(detail::cache_line) gauge {
 public:
  void set(int64_t v) noexcept { v_.store(v, std::memory_order_relaxed); }
  void add(int64_t d) noexcept { v_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> v_{0};
};

/// A latency histogram with fixed buckets 10µs, 25µs, 50µs, 100µs, ... 5s, 10s (+Inf):
/// the 1-2.5-5 series, 19 bounds. observe() is lock-free: one bucket increment and one sum
/// add (nanoseconds, so exact) on this thread's shard.
class histogram {
 public:
  static constexpr size_t bucket_count = 19;  ///< finite upper bounds; +Inf is implicit
  /// Upper bounds in nanoseconds, ascending; an observation v lands in the first bound >= v.
  static const std::array<uint64_t, bucket_count>& bounds_ns();

  void observe_ns(uint64_t ns) noexcept;
  void observe_seconds(double s) noexcept { observe_ns(s <= 0 ? 0 : static_cast<uint64_t>(s * 1e9 + 0.5)); }
  template <typename Rep, typename Period>
  void observe(std::chrono::duration<Rep, Period> d) noexcept {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    observe_ns(ns < 0 ? 0 : static_cast<uint64_t>(ns));
  }

  /// A consistent-enough copy: per-bucket (NOT cumulative) counts, [bucket_count] = +Inf.
  struct snapshot {
    std::array<uint64_t, bucket_count + 1> counts{};
    uint64_t count = 0;
    uint64_t sum_ns = 0;
  };
  snapshot read() const noexcept;

 private:
  static constexpr size_t shards = 8;
  struct alignas(detail::cache_line) shard {
    std::array<std::atomic<uint64_t>, bucket_count + 1> counts{};
    std::atomic<uint64_t> sum_ns{0};
  };
  std::array<shard, shards> shards_;
};

/// Where collectors put the samples they compute at scrape time. Samples of one name form one
/// metric family; a name already registered with another type is dropped.
class sample_sink {
 public:
  virtual ~sample_sink() = default;
  virtual void counter(std::string_view name, std::string_view help, double value,
                       const metric_labels& labels = {}) = 0;
  virtual void gauge(std::string_view name, std::string_view help, double value, const metric_labels& labels = {}) = 0;
};

using collector_fn = std::function<void(sample_sink&)>;

class registry;

/// Keeps a collector registered; the destructor (or reset()) removes it, after which it is
/// guaranteed not to be running. Movable.
class collector_handle {
 public:
  collector_handle() = default;
  collector_handle(registry* r, uint64_t id) : r_(r), id_(id) {}
  collector_handle(collector_handle&& o) noexcept : r_(std::exchange(o.r_, nullptr)), id_(o.id_) {}
  collector_handle& operator=(collector_handle&& o) noexcept;
  ~collector_handle() { reset(); }
  void reset();
  /// Leaves the collector registered for the registry's lifetime.
  void release() { r_ = nullptr; }

 private:
  registry* r_ = nullptr;
  uint64_t id_ = 0;
};

/// The set of metrics rendered on /metrics. Names must match [a-zA-Z_:][a-zA-Z0-9_:]*;
/// registering the same name + labels twice returns the same metric; the same name with another
/// type (or an invalid name) throws std::invalid_argument.
class registry {
 public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  /// The process-wide registry (never destroyed), with the process collector added:
  /// db001_memory_allocated_bytes / db001_memory_resident_bytes (jemalloc), process_cpu_seconds_total,
  /// process_open_fds, process_max_fds, process_start_time_seconds, db001_uptime_seconds.
  static registry& global();

  counter& add_counter(std::string_view name, std::string_view help, const metric_labels& labels = {});
  gauge& add_gauge(std::string_view name, std::string_view help, const metric_labels& labels = {});
  histogram& add_histogram(std::string_view name, std::string_view help, const metric_labels& labels = {});

  /// fn runs on the scraping thread inside render(), under the registry mutex: keep it short,
  /// and do not register metrics or remove collectors from inside it.
  [[nodiscard]] collector_handle add_collector(collector_fn fn);
  void remove_collector(uint64_t id);

  /// Everything in text format 0.0.4: per family "# HELP", "# TYPE", then its samples;
  /// families sorted by name; histograms as _bucket{le=...} (cumulative, ending at +Inf),
  /// _sum (seconds) and _count.
  std::string render() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Adds the built-in process samples (see registry::global()) to r.
[[nodiscard]] collector_handle add_process_collector(registry& r);

/// Samples read from the engine at scrape time: db001_statements_total,
/// db001_statement_errors_total, db001_transactions_committed_total,
/// db001_transactions_aborted_total, db001_transactions_active, db001_lock_waits_total,
/// db001_gc_reclaimed_versions_total, each with `labels`. REQUIRES: the handle is dropped
/// before `e` is destroyed.
[[nodiscard]] collector_handle add_engine_collector(registry& r, engine::engine& e, metric_labels labels = {});
void collect_engine_samples(sample_sink& s, engine::engine& e, const metric_labels& labels = {});

/// Samples read from a durable database at scrape time, each with `labels`:
///   db001_wal_bytes_total, db001_wal_fsyncs_total, db001_wal_commits_total (commit records made
///   durable; commits / fsyncs = the group-commit ratio), db001_wal_write_failures_total,
///   db001_checkpoints_total, db001_checkpoint_failures_total,
///   db001_checkpoint_duration_seconds (the last checkpoint; absent before the first),
///   db001_recovery_seconds, db001_recovery_records (WAL records replayed),
///   db001_recovery_wal_bytes (the last start-up). REQUIRES: the handle is dropped before `st`.
[[nodiscard]] collector_handle add_durability_collector(registry& r, recovery::durable_store& st,
                                                        metric_labels labels = {});
void collect_durability_samples(sample_sink& s, recovery::durable_store& st, const metric_labels& labels = {});

/// The metrics the server updates itself, registered once in registry::global().
struct server_metrics {
  histogram& query_duration;      ///< db001_query_duration_seconds: one observation per statement
  gauge& connections_active;      ///< db001_connections{state="active"}: running a statement
  gauge& connections_idle;        ///< db001_connections{state="idle"}: connected, waiting
  counter& connections_accepted;  ///< db001_connections_accepted_total
  counter& connections_rejected;  ///< db001_connections_rejected_total (limit, auth failure)

  static server_metrics& get();
  /// active + idle.
  int64_t connections() const { return connections_active.value() + connections_idle.value(); }
};

/// Seconds since the process started (static initialisation of this library).
double process_uptime_seconds();

}  // namespace db001::actors
