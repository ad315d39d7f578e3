#include "recovery/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace db001::recovery {

// ---------------------------------------------------------------------------------------------------------------
// io_error
// ---------------------------------------------------------------------------------------------------------------

namespace {
std::string errno_text(int e) {
  char buf[256];
  return strerror_r(e, buf, sizeof buf);  // GNU variant: returns the message
}
io_error rename_error(int e, const std::string& from, const std::string& to) {
  return io_error(e, from, "could not rename file \"" + from + "\" to \"" + to + "\": " + errno_text(e));
}
}  // namespace

io_error io_error::make(int e, const std::string& path, const std::string& action) {
  return io_error(e, path, "could not " + action + " \"" + path + "\": " + errno_text(e));
}

const char* io_error::sqlstate() const noexcept { return (err == ENOSPC || err == EDQUOT) ? "53100" : "58030"; }

std::string join_path(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

namespace {

/// `path` without trailing slashes (but "/" stays "/").
std::string trim_dir(std::string d) {
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  return d;
}

std::string parent_of(const std::string& path) {
  auto p = path.rfind('/');
  if (p == std::string::npos) return "";
  if (p == 0) return "/";
  return path.substr(0, p);
}

// ---------------------------------------------------------------------------------------------------------------
// posix
// ---------------------------------------------------------------------------------------------------------------

class posix_file final : public file {
 public:
  posix_file(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~posix_file() override { ::close(fd_); }

  void write_at(uint64_t off, const void* p, size_t n) override {
    const char* c = static_cast<const char*>(p);
    while (n > 0) {
      ssize_t w = ::pwrite(fd_, c, n, static_cast<off_t>(off));
      if (w < 0) {
        if (errno == EINTR) continue;
        throw io_error::make(errno, path_, "write to file");
      }
      if (w == 0) throw io_error::make(EIO, path_, "write to file");
      c += w;
      n -= static_cast<size_t>(w);
      off += static_cast<uint64_t>(w);
    }
  }

  size_t read_at(uint64_t off, void* p, size_t n) override {
    char* c = static_cast<char*>(p);
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, c + done, n - done, static_cast<off_t>(off + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        throw io_error::make(errno, path_, "read file");
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  }

  void sync() override {
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) throw io_error::make(errno, path_, "fsync file");
    }
  }

  void truncate(uint64_t size) override {
    while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      if (errno != EINTR) throw io_error::make(errno, path_, "truncate file");
    }
  }

  uint64_t size() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) throw io_error::make(errno, path_, "stat file");
    return static_cast<uint64_t>(st.st_size);
  }

  const std::string& path() const override { return path_; }

 private:
  int fd_;
  std::string path_;
};

class posix_fs final : public file_system {
 public:
  std::unique_ptr<file> open(const std::string& path, bool create) override {
    return open_flags(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0));
  }

  std::unique_ptr<file> open_read(const std::string& path) override { return open_flags(path, O_RDONLY | O_CLOEXEC); }

  std::unique_ptr<file> open_flags(const std::string& path, int flags) {
    int fd;
    do {
      fd = ::open(path.c_str(), flags, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) throw io_error::make(errno, path, "open file");
    return std::make_unique<posix_file>(fd, path);
  }

  bool exists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }

  std::vector<std::string> list(const std::string& dir) override {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.empty() ? "." : dir.c_str());
    if (!d) {
      if (errno == ENOENT) return out;
      throw io_error::make(errno, dir, "open directory");
    }
    errno = 0;
    while (struct dirent* e = ::readdir(d)) {
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) out.emplace_back(e->d_name);
      errno = 0;
    }
    int err = errno;
    ::closedir(d);
    if (err != 0) throw io_error::make(err, dir, "read directory");
    return out;
  }

  void remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) throw io_error::make(errno, path, "remove file");
  }

  void rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) throw rename_error(errno, from, to);
  }

  void make_dirs(const std::string& dir) override {
    std::string d = trim_dir(dir);
    if (d.empty() || d == "/") return;
    struct stat st;
    if (::stat(d.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return;
      throw io_error::make(ENOTDIR, d, "create directory");
    }
    make_dirs(parent_of(d));
    if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST) throw io_error::make(errno, d, "create directory");
  }

  void sync_dir(const std::string& dir) override {
    std::string d = dir.empty() ? "." : dir;
    int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw io_error::make(errno, d, "open directory");
    if (::fsync(fd) != 0) {
      int e = errno;
      ::close(fd);
      throw io_error::make(e, d, "fsync directory");
    }
    ::close(fd);
  }
};

}  // namespace

file_system& posix_file_system() {
  static posix_fs fs;
  return fs;
}

// ---------------------------------------------------------------------------------------------------------------
// memory
// ---------------------------------------------------------------------------------------------------------------

struct memory_file_system::data {
  std::mutex mu;
  std::string bytes;
};

namespace {

class memory_file final : public file {
 public:
  memory_file(std::shared_ptr<memory_file_system::data> d, std::string path,
              std::shared_ptr<std::atomic<uint64_t>> syncs)
      : d_(std::move(d)), path_(std::move(path)), syncs_(std::move(syncs)) {}

  void write_at(uint64_t off, const void* p, size_t n) override {
    std::lock_guard lock(d_->mu);
    if (d_->bytes.size() < off + n) d_->bytes.resize(off + n, '\0');
    std::memcpy(d_->bytes.data() + off, p, n);
  }
  size_t read_at(uint64_t off, void* p, size_t n) override {
    std::lock_guard lock(d_->mu);
    if (off >= d_->bytes.size()) return 0;
    size_t k = std::min<uint64_t>(n, d_->bytes.size() - off);
    std::memcpy(p, d_->bytes.data() + off, k);
    return k;
  }
  void sync() override { syncs_->fetch_add(1); }
  void truncate(uint64_t size) override {
    std::lock_guard lock(d_->mu);
    d_->bytes.resize(size, '\0');
  }
  uint64_t size() override {
    std::lock_guard lock(d_->mu);
    return d_->bytes.size();
  }
  const std::string& path() const override { return path_; }

 private:
  std::shared_ptr<memory_file_system::data> d_;
  std::string path_;
  std::shared_ptr<std::atomic<uint64_t>> syncs_;
};

}  // namespace

memory_file_system::memory_file_system() : file_syncs_(std::make_shared<std::atomic<uint64_t>>(0)) {}
memory_file_system::~memory_file_system() = default;

std::unique_ptr<file> memory_file_system::open(const std::string& path, bool create) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) {
    if (!create) throw io_error::make(ENOENT, path, "open file");
    std::string parent = parent_of(path);
    if (!parent.empty() && parent != "/" && !dirs_.count(parent)) throw io_error::make(ENOENT, path, "open file");
    if (dirs_.count(path)) throw io_error::make(EISDIR, path, "open file");
    it = files_.emplace(path, std::make_shared<data>()).first;
  }
  return std::make_unique<memory_file>(it->second, path, file_syncs_);
}

bool memory_file_system::exists(const std::string& path) {
  std::lock_guard lock(mu_);
  return files_.count(path) > 0 || dirs_.count(trim_dir(path)) > 0;
}

std::vector<std::string> memory_file_system::list(const std::string& dir) {
  std::lock_guard lock(mu_);
  std::string d = trim_dir(dir);
  std::vector<std::string> out;
  for (auto& [p, _] : files_)
    if (parent_of(p) == d) out.push_back(p.substr(p.rfind('/') == std::string::npos ? 0 : p.rfind('/') + 1));
  for (auto& p : dirs_)
    if (parent_of(p) == d && p != d) out.push_back(p.substr(p.rfind('/') == std::string::npos ? 0 : p.rfind('/') + 1));
  return out;
}

void memory_file_system::remove(const std::string& path) {
  std::lock_guard lock(mu_);
  if (files_.erase(path) == 0) throw io_error::make(ENOENT, path, "remove file");
}

void memory_file_system::rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) throw rename_error(ENOENT, from, to);
  std::string parent = parent_of(to);
  if (!parent.empty() && parent != "/" && !dirs_.count(parent)) throw rename_error(ENOENT, from, to);
  auto d = it->second;
  files_.erase(it);
  files_[to] = std::move(d);
}

void memory_file_system::make_dirs(const std::string& dir) {
  std::lock_guard lock(mu_);
  for (std::string d = trim_dir(dir); !d.empty() && d != "/"; d = parent_of(d)) {
    if (files_.count(d)) throw io_error::make(ENOTDIR, d, "create directory");
    dirs_.insert(d);
  }
}

void memory_file_system::sync_dir(const std::string& dir) {
  std::lock_guard lock(mu_);
  std::string d = trim_dir(dir);
  if (!d.empty() && d != "/" && !dirs_.count(d)) throw io_error::make(ENOENT, d, "open directory");
  ++dir_syncs_;
}

std::string memory_file_system::contents(const std::string& path) {
  std::shared_ptr<data> d;
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    if (it == files_.end()) throw io_error::make(ENOENT, path, "open file");
    d = it->second;
  }
  std::lock_guard lock(d->mu);
  return d->bytes;
}

void memory_file_system::set_contents(const std::string& path, std::string bytes) {
  std::shared_ptr<data> d;
  {
    std::lock_guard lock(mu_);
    auto& slot = files_[path];
    if (!slot) slot = std::make_shared<data>();
    d = slot;
  }
  std::lock_guard lock(d->mu);
  d->bytes = std::move(bytes);
}

uint64_t memory_file_system::file_syncs() const { return file_syncs_->load(); }

uint64_t memory_file_system::dir_syncs() const {
  std::lock_guard lock(mu_);
  return dir_syncs_;
}

// ---------------------------------------------------------------------------------------------------------------
// faulty
// ---------------------------------------------------------------------------------------------------------------

struct faulty_file_system::state {
  std::mutex mu;
  int write_errno = 0;        // 0 = writes do not fail
  uint64_t write_budget = 0;  // bytes that may still be written before writes fail
  int sync_errno = 0;
  int syncs_to_fail = 0;

  /// How many of `n` bytes may land, and the errno to throw afterwards (0 = none).
  std::pair<size_t, int> admit_write(size_t n) {
    std::lock_guard lock(mu);
    if (write_errno == 0) return {n, 0};
    if (write_budget >= n) {
      write_budget -= n;
      return {n, 0};
    }
    size_t k = static_cast<size_t>(write_budget);
    write_budget = 0;
    return {k, write_errno};
  }
  /// The errno a sync fails with, 0 = it succeeds.
  int admit_sync() {
    std::lock_guard lock(mu);
    if (syncs_to_fail <= 0) return 0;
    --syncs_to_fail;
    return sync_errno;
  }
};

namespace {

class faulty_file final : public file {
 public:
  faulty_file(std::unique_ptr<file> base, std::shared_ptr<faulty_file_system::state> s)
      : base_(std::move(base)), s_(std::move(s)) {}

  void write_at(uint64_t off, const void* p, size_t n) override {
    auto [k, e] = s_->admit_write(n);
    if (k > 0) base_->write_at(off, p, k);
    if (e != 0) throw io_error::make(e, base_->path(), "write to file");
  }
  size_t read_at(uint64_t off, void* p, size_t n) override { return base_->read_at(off, p, n); }
  void sync() override {
    if (int e = s_->admit_sync()) throw io_error::make(e, base_->path(), "fsync file");
    base_->sync();
  }
  void truncate(uint64_t size) override { base_->truncate(size); }
  uint64_t size() override { return base_->size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  std::unique_ptr<file> base_;
  std::shared_ptr<faulty_file_system::state> s_;
};

}  // namespace

faulty_file_system::faulty_file_system(file_system& base) : base_(base), state_(std::make_shared<state>()) {}
faulty_file_system::~faulty_file_system() = default;

std::unique_ptr<file> faulty_file_system::open(const std::string& path, bool create) {
  return std::make_unique<faulty_file>(base_.open(path, create), state_);
}
std::unique_ptr<file> faulty_file_system::open_read(const std::string& path) {
  return std::make_unique<faulty_file>(base_.open_read(path), state_);
}
bool faulty_file_system::exists(const std::string& path) { return base_.exists(path); }
std::vector<std::string> faulty_file_system::list(const std::string& dir) { return base_.list(dir); }
void faulty_file_system::remove(const std::string& path) { base_.remove(path); }
void faulty_file_system::rename(const std::string& from, const std::string& to) { base_.rename(from, to); }
void faulty_file_system::make_dirs(const std::string& dir) { base_.make_dirs(dir); }
void faulty_file_system::sync_dir(const std::string& dir) {
  if (int e = state_->admit_sync()) throw io_error::make(e, dir, "fsync directory");
  base_.sync_dir(dir);
}

void faulty_file_system::fail_writes(int e, uint64_t after_bytes) {
  std::lock_guard lock(state_->mu);
  state_->write_errno = e;
  state_->write_budget = after_bytes;
}

void faulty_file_system::fail_syncs(int e, int n) {
  std::lock_guard lock(state_->mu);
  state_->sync_errno = e;
  state_->syncs_to_fail = n;
}

void faulty_file_system::clear() {
  std::lock_guard lock(state_->mu);
  state_->write_errno = 0;
  state_->write_budget = 0;
  state_->syncs_to_fail = 0;
}

}  // namespace db001::recovery
