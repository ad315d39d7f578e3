#pragma once
/// The file layer under the WAL: an interface over the few file operations the log needs (positional reads and
/// writes, fdatasync, truncate, directory listing, atomic rename, directory fsync), so tests can run the log on
/// memory and inject the failures a real disk has (a full disk mid-write, an fsync that fails).
///
/// Three implementations: posix_file_system() (the real one), memory_file_system (tests) and faulty_file_system
/// (wraps another and injects errors).
///
/// Errors: every operation reports failure by throwing io_error, which carries errno, the path and a message
/// phrased like PostgreSQL's ("could not fsync file \"p\": No space left on device"). The WAL writer actor catches
/// it; io_error::sqlstate() gives the SQLSTATE to report (53100 disk_full for ENOSPC/EDQUOT, else 58030).
///
/// Thread-safety: file_system implementations are safe from any thread. A `file` object is used by one thread at a
/// time.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace db001::recovery {

/// A failed file operation.
struct io_error : std::runtime_error {
  io_error(int e, std::string p, const std::string& message)
      : std::runtime_error(message), err(e), path(std::move(p)) {}
  /// Builds the message "could not <action> \"<path>\": <strerror(e)>".
  static io_error make(int e, const std::string& path, const std::string& action);
  /// PostgreSQL's SQLSTATE for it: "53100" (disk_full) for ENOSPC and EDQUOT, else "58030" (io_error).
  const char* sqlstate() const noexcept;

  int err;           ///< errno
  std::string path;  ///< the file or directory
};

/// One open file, read-write.
class file {
 public:
  virtual ~file() = default;
  /// Writes all `n` bytes at `off` (extending the file as needed) or throws io_error; a prefix may have landed.
  virtual void write_at(uint64_t off, const void* p, size_t n) = 0;
  /// Reads up to `n` bytes at `off`; returns fewer only at the end of the file.
  virtual size_t read_at(uint64_t off, void* p, size_t n) = 0;
  /// Makes the file's data (and its size) durable (fdatasync).
  virtual void sync() = 0;
  /// Cuts or extends (with zeros) the file to `size` bytes.
  virtual void truncate(uint64_t size) = 0;
  virtual uint64_t size() = 0;
  /// The path it was opened with (for messages).
  virtual const std::string& path() const = 0;
};

/// A directory tree of files.
class file_system {
 public:
  virtual ~file_system() = default;
  /// Opens `path` read-write; with `create`, creates it (empty) if missing. Throws io_error (ENOENT if missing).
  virtual std::unique_ptr<file> open(const std::string& path, bool create) = 0;
  /// Opens an existing file for reading only (writes through it fail), so a read-only archive can be read. The
  /// default opens it read-write.
  virtual std::unique_ptr<file> open_read(const std::string& path) { return open(path, false); }
  virtual bool exists(const std::string& path) = 0;
  /// Names (not paths) of the entries of `dir`, unsorted; empty if `dir` does not exist.
  virtual std::vector<std::string> list(const std::string& dir) = 0;
  /// Removes a file. Throws io_error (ENOENT if missing).
  virtual void remove(const std::string& path) = 0;
  /// Renames a file atomically, replacing `to` if it exists.
  virtual void rename(const std::string& from, const std::string& to) = 0;
  /// Creates `dir` and its missing parents.
  virtual void make_dirs(const std::string& dir) = 0;
  /// Makes the directory's entries (created, removed, renamed files) durable (fsync on the directory).
  virtual void sync_dir(const std::string& dir) = 0;
};

/// "dir/name" (just `name` when `dir` is empty).
std::string join_path(const std::string& dir, const std::string& name);

/// The real file system: open(2) with O_CLOEXEC, pwrite/pread looping over EINTR and short transfers, fdatasync.
file_system& posix_file_system();

/// Files in memory, for tests. Paths are plain strings; a file's directory is the part before its last '/', and
/// creating a file requires its directory to exist (make_dirs), as on a real file system. Nothing is lost on a
/// "crash": sync only counts.
class memory_file_system : public file_system {
 public:
  memory_file_system();
  ~memory_file_system() override;
  std::unique_ptr<file> open(const std::string& path, bool create) override;
  bool exists(const std::string& path) override;
  std::vector<std::string> list(const std::string& dir) override;
  void remove(const std::string& path) override;
  void rename(const std::string& from, const std::string& to) override;
  void make_dirs(const std::string& dir) override;
  void sync_dir(const std::string& dir) override;

  /// Test access: a file's whole contents (throws io_error if missing) and replacing them (creating the file).
  std::string contents(const std::string& path);
  void set_contents(const std::string& path, std::string data);
  /// Number of file syncs and directory syncs so far.
  uint64_t file_syncs() const;
  uint64_t dir_syncs() const;

  struct data;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<data>> files_;
  std::set<std::string> dirs_;
  uint64_t dir_syncs_ = 0;
  std::shared_ptr<std::atomic<uint64_t>> file_syncs_;
};

/// Wraps another file system and injects failures into it: failed writes (a full disk) and failed syncs.
/// Faults apply to files opened before or after they are set.
class faulty_file_system : public file_system {
 public:
  explicit faulty_file_system(file_system& base);
  ~faulty_file_system() override;
  std::unique_ptr<file> open(const std::string& path, bool create) override;
  std::unique_ptr<file> open_read(const std::string& path) override;
  bool exists(const std::string& path) override;
  std::vector<std::string> list(const std::string& dir) override;
  void remove(const std::string& path) override;
  void rename(const std::string& from, const std::string& to) override;
  void make_dirs(const std::string& dir) override;
  void sync_dir(const std::string& dir) override;

  /// After `after_bytes` more bytes have been written (through write_at of any file), writes fail with errno `e`;
  /// the write that crosses the limit lands its first bytes up to the limit and then fails, like a full disk. Stays
  /// failing until clear().
  void fail_writes(int e, uint64_t after_bytes);
  /// The next `n` syncs (file syncs and directory syncs) fail with errno `e`.
  void fail_syncs(int e, int n);
  /// Removes all faults.
  void clear();

  struct state;

 private:
  file_system& base_;
  std::shared_ptr<state> state_;
};

}  // namespace db001::recovery
