#include "actors/session_pool.h"

#include <jemalloc/jemalloc.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>

#include "txn/blocking_scope.h"

namespace db001::actors {

namespace {

/// A pool thread idle this long gives back what it holds (trim_idle_thread); one beyond the
/// core threads ends.
constexpr int idle_timeout_ms = 1000;
/// More threads than this are never started (each blocked statement holds one).
constexpr unsigned max_threads = 4096;

/// Switches the calling thread's jemalloc tcache on or off (off: its cached objects go back).
void set_thread_cache(bool on) { mallctl("thread.tcache.enabled", nullptr, nullptr, &on, sizeof on); }

/// Called on a pool thread that had no work for idle_timeout_ms: returns the objects cached in
/// the thread's jemalloc tcache to the arenas and the stack pages below the current frame
/// (touched by the deepest statement so far) to the kernel (measured by
/// bench/idle_connections.py).
void trim_idle_thread() {
  // The tcache (cached objects and its own ~30 kB of bins) goes away; set_thread_cache(true)
  // makes a fresh one when work comes.
  set_thread_cache(false);
  // Freed pages of the thread's arena stay resident until jemalloc's decay purges them, which
  // only happens on later activity in that arena: purge them now.
  unsigned arena = 0;
  size_t len = sizeof arena;
  if (mallctl("thread.arena", &arena, &len, nullptr, 0) == 0) {
    std::string purge = "arena." + std::to_string(arena) + ".purge";
    mallctl(purge.c_str(), nullptr, nullptr, nullptr, 0);
  }
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* lo = nullptr;
  size_t size = 0;
  pthread_attr_getstack(&attr, &lo, &size);
  pthread_attr_destroy(&attr);
  const uintptr_t page = 4096;
  char here;
  // Below our frame (and the red zone) the stack is unused: give those pages back.
  uintptr_t top = (reinterpret_cast<uintptr_t>(&here) - page) & ~(page - 1);
  uintptr_t bottom = (reinterpret_cast<uintptr_t>(lo) + 2 * page + page - 1) & ~(page - 1);  // past the guard
  if (top > bottom) madvise(reinterpret_cast<void*>(bottom), top - bottom, MADV_DONTNEED);
}

struct entry {
  int fd;
  std::unique_ptr<session_pool::handler> h;
};

}  // namespace

struct session_pool::state final : txn::blocking_observer, std::enable_shared_from_this<session_pool::state> {
  int epfd = -1;
  int stop_fd = -1;  ///< eventfd, readable once stopping (level-triggered: wakes every thread)
  unsigned core = 1;
  std::chrono::milliseconds monitor_period{10};
  std::atomic<bool> stopping{false};
  std::atomic<unsigned> idle{0};
  std::atomic<uint64_t> progress{0};  ///< messages handled
  mutable std::mutex mutex;
  std::condition_variable changed;  ///< threads ended; the monitor's sleep
  unsigned threads = 0;             ///< guarded by mutex
  bool monitor_running = false;
  std::unordered_map<entry*, std::unique_ptr<entry>> entries;  ///< guarded by mutex

  ~state() {
    if (epfd >= 0) ::close(epfd);
    if (stop_fd >= 0) ::close(stop_fd);
  }

  /// Starts a thread unless stopping or at max_threads.
  void spawn() {
    {
      std::lock_guard lock(mutex);
      if (stopping.load() || threads >= max_threads) return;
      ++threads;
    }
    try {
      std::thread([self = shared_from_this()] { self->run(); }).detach();
    } catch (const std::system_error&) {  // out of threads: the others carry on
      std::lock_guard lock(mutex);
      --threads;
    }
  }

  void before_block() override {
    if (idle.load(std::memory_order_acquire) == 0) spawn();
  }
  void after_block() override {}

  void run() {
    txn::current_blocking_observer = this;
    bool trimmed = false;
    epoll_event ev{};
    for (;;) {
      idle.fetch_add(1, std::memory_order_acq_rel);
      int n = ::epoll_wait(epfd, &ev, 1, idle_timeout_ms);
      idle.fetch_sub(1, std::memory_order_acq_rel);
      if (stopping.load()) break;
      if (n < 0) {
        if (errno == EINTR) continue;
        break;  // EBADF/EINVAL: the set is gone
      }
      if (n == 0) {
        {
          std::lock_guard lock(mutex);
          if (threads > core) {
            --threads;
            changed.notify_all();
            return;
          }
        }
        if (!trimmed) trim_idle_thread();
        trimmed = true;
        continue;
      }
      if (trimmed) {
        set_thread_cache(true);
        trimmed = false;
      }
      auto* e = static_cast<entry*>(ev.data.ptr);
      if (!e) break;  // the stop event
      bool keep = false;
      try {
        keep = e->h->on_readable();
      } catch (...) {
        keep = false;  // a handler that throws is closed, not the server
      }
      progress.fetch_add(1, std::memory_order_relaxed);
      if (keep) {
        epoll_event again{};
        again.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
        again.data.ptr = e;
        if (::epoll_ctl(epfd, EPOLL_CTL_MOD, e->fd, &again) == 0) continue;
      }
      ::epoll_ctl(epfd, EPOLL_CTL_DEL, e->fd, nullptr);
      std::unique_ptr<entry> gone;
      {
        std::lock_guard lock(mutex);
        auto it = entries.find(e);
        gone = std::move(it->second);
        entries.erase(it);
      }
      gone.reset();  // the handler closes its socket
    }
    txn::current_blocking_observer = nullptr;
    std::lock_guard lock(mutex);
    --threads;
    changed.notify_all();
  }

  /// Every monitor period: no thread idle and no message finished since last time means every
  /// thread is inside a long statement or an unmarked wait; another thread takes the rest.
  void monitor() {
    uint64_t last = progress.load();
    auto next = std::chrono::steady_clock::now() + monitor_period;
    std::unique_lock lock(mutex);
    while (!stopping.load()) {
      if (changed.wait_until(lock, next, [&] { return stopping.load(); })) break;
      next += monitor_period;
      uint64_t now = progress.load();
      if (idle.load() == 0 && now == last && threads > 0) {
        lock.unlock();
        spawn();
        lock.lock();
      }
      last = now;
    }
    monitor_running = false;
    changed.notify_all();
  }
};

session_pool::session_pool(unsigned core_threads, std::chrono::milliseconds monitor_period)
    : st_(std::make_shared<state>()) {
  st_->core = core_threads ? core_threads : std::max(1u, std::thread::hardware_concurrency());
  st_->monitor_period = monitor_period;
  st_->epfd = ::epoll_create1(EPOLL_CLOEXEC);
  st_->stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (st_->epfd < 0 || st_->stop_fd < 0) throw std::runtime_error(std::string("epoll: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;  // level-triggered, never read: once written, every waiting thread sees it
  ev.data.ptr = nullptr;
  if (::epoll_ctl(st_->epfd, EPOLL_CTL_ADD, st_->stop_fd, &ev) != 0)
    throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
  for (unsigned i = 0; i < st_->core; ++i) st_->spawn();
  if (monitor_period.count() > 0) {
    st_->monitor_running = true;
    std::thread([st = st_] { st->monitor(); }).detach();
  }
}

session_pool::~session_pool() { stop(); }

void session_pool::add(int fd, std::unique_ptr<handler> h) {
  auto e = std::make_unique<entry>(entry{fd, std::move(h)});
  entry* raw = e.get();
  {
    std::lock_guard lock(st_->mutex);
    if (st_->stopping.load()) return;  // e (and the handler, which closes fd) goes
    st_->entries.emplace(raw, std::move(e));
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  ev.data.ptr = raw;
  if (::epoll_ctl(st_->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    std::lock_guard lock(st_->mutex);
    st_->entries.erase(raw);
  }
}

void session_pool::stop() {
  if (!st_ || st_->stopping.exchange(true)) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t w = ::write(st_->stop_fd, &one, sizeof one);
  std::unique_lock lock(st_->mutex);
  st_->changed.notify_all();
  st_->changed.wait_for(lock, std::chrono::seconds(10), [&] { return st_->threads == 0 && !st_->monitor_running; });
  if (st_->threads == 0) {
    auto left = std::move(st_->entries);  // no thread is inside a handler any more
    lock.unlock();
    left.clear();
  }
}

session_pool::counts session_pool::current() const {
  std::lock_guard lock(st_->mutex);
  return {st_->threads, st_->idle.load()};
}

}  // namespace db001::actors
