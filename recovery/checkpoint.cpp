#include "recovery/checkpoint.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "recovery/crc32c.h"
#include "recovery/file_io.h"
#include "storage/index.h"

namespace db001::recovery {

namespace {

using clock_type = std::chrono::steady_clock;
double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

constexpr char data_magic[8] = {'D', 'B', '1', 'C', 'K', 'D', 'A', 'T'};
constexpr char manifest_magic[8] = {'D', 'B', '1', 'C', 'K', 'M', 'A', 'N'};
constexpr uint32_t format_version = 1;
constexpr size_t data_header_size = 8 + 4 + 8;
constexpr size_t bitmap_bytes = storage::block_rows / 8;

/// A checkpoint write that failed: the file layer's error as PostgreSQL reports it (53100
/// for a full disk, else 58030), naming the checkpoint.
[[noreturn]] void checkpoint_io_failed(const io_error& e) {
  throw db_error(e.sqlstate(), std::string("checkpoint: ") + e.what());
}

// ---- files ----------------------------------------------------------------------------------

/// A file written through the store's file_system as <path>.tmp and renamed to <path> by
/// commit(); the .tmp is removed if not committed. Throws io_error.
class out_file {
 public:
  out_file(file_system& fs, std::string path) : fs_(fs), path_(std::move(path)), tmp_(path_ + ".tmp") {
    f_ = fs_.open(tmp_, true);
    f_->truncate(0);  // a .tmp left by a crash
  }
  ~out_file() {
    if (!f_) return;
    f_.reset();
    try {
      fs_.remove(tmp_);
    } catch (const io_error&) {  // the next checkpoint's clean-up removes it
    }
  }
  out_file(const out_file&) = delete;
  out_file& operator=(const out_file&) = delete;

  uint64_t size() const { return written_ + buf_.size(); }
  void append(const char* p, size_t n) {
    buf_.append(p, n);
    if (buf_.size() >= (size_t(4) << 20)) flush();
  }
  void append(std::string_view s) { append(s.data(), s.size()); }
  /// Flushes, fsyncs, renames over <path> (the directory's fsync is the caller's). If any
  /// step throws, the destructor removes the .tmp.
  void commit() {
    flush();
    f_->sync();
    fs_.rename(tmp_, path_);
    f_.reset();
  }

 private:
  void flush() {
    f_->write_at(written_, buf_.data(), buf_.size());
    written_ += buf_.size();
    buf_.clear();
  }
  file_system& fs_;
  std::string path_, tmp_;
  std::unique_ptr<file> f_;
  std::string buf_;
  uint64_t written_ = 0;  ///< bytes flushed to the file
};

/// A read-only memory map of a whole file.
class mapped_file {
 public:
  mapped_file() = default;
  mapped_file(const mapped_file&) = delete;
  mapped_file& operator=(const mapped_file&) = delete;
  mapped_file(mapped_file&& o) noexcept : p_(std::exchange(o.p_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  ~mapped_file() {
    if (p_) ::munmap(p_, n_);
  }
  /// False if the file cannot be opened or mapped.
  bool open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st;
    if (::fstat(fd, &st) != 0 || st.st_size <= 0) {
      ::close(fd);
      return false;
    }
    n_ = size_t(st.st_size);
    void* p = ::mmap(nullptr, n_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    ::close(fd);
    if (p == MAP_FAILED) {
      n_ = 0;
      return false;
    }
    p_ = p;
    ::madvise(p_, n_, MADV_SEQUENTIAL);
    return true;
  }
  const char* data() const { return static_cast<const char*>(p_); }
  size_t size() const { return n_; }

 private:
  void* p_ = nullptr;
  size_t n_ = 0;
};

/// Names "<prefix><16 hex digits><suffix>" -> seq.
std::optional<uint64_t> parse_name(const std::string& name, std::string_view prefix, std::string_view suffix) {
  if (name.size() != prefix.size() + 16 + suffix.size()) return std::nullopt;
  if (name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  if (name.compare(prefix.size() + 16, suffix.size(), suffix) != 0) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = prefix.size(); i < prefix.size() + 16; ++i) {
    char c = name[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = v << 4 | uint64_t(d);
  }
  return v;
}

/// Runs fn(i) for i in [0, n) on `threads` threads; rethrows the first exception.
template <class F>
void parallel_for(size_t n, unsigned threads, F&& fn) {
  threads = unsigned(std::min<size_t>(threads, n));
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    try {
      for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(n);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

// ---- block images ---------------------------------------------------------------------------

/// No transaction marker in the stamps below `used`, and no commit after prev_s stamped the
/// block. Stamps are read first (acquire): a committer raises last_changed before it stores
/// a stamp, so a stamp we saw implies its last_changed is visible to the load after.
bool unchanged_since(const storage::row_block& blk, uint64_t prev_s) {
  uint32_t used = blk.used();
  uint64_t any = 0;
  for (uint32_t s = 0; s < used; ++s) any |= blk.load_xmin(s) | blk.load_xmax(s);
  if (any & storage::txn_bit) return false;
  return blk.last_changed() <= prev_s;
}

/// Appends the image of the rows of blk visible at snap; returns their number (0: nothing
/// appended).
uint32_t encode_block(std::string& out, const storage::table& t, uint32_t b, const storage::row_block& blk,
                      uint32_t used, const txn::txn_manager& tm, const txn::snapshot& snap) {
  uint32_t slots[storage::block_rows];
  uint8_t bitmap[bitmap_bytes] = {};
  uint32_t n = 0;
  for (uint32_t s = 0; s < used; ++s) {
    if (!tm.visible(blk, s, snap)) continue;
    slots[n++] = s;
    bitmap[s / 8] |= uint8_t(1u << (s % 8));
  }
  if (n == 0) return 0;
  put_le<uint32_t>(out, t.oid());
  put_le<uint32_t>(out, b);
  put_le<uint32_t>(out, n);
  out.append(reinterpret_cast<const char*>(bitmap), bitmap_bytes);
  bool contiguous = slots[n - 1] == n - 1;
  for (size_t c = 0; c < t.column_count(); ++c) {
    auto& col = blk.column(c);
    bool has_nulls = false;
    for (uint32_t i = 0; i < n && !has_nulls; ++i) has_nulls = col.nulls[slots[i]] != 0;
    put_u8(out, has_nulls);
    if (has_nulls)
      for (uint32_t i = 0; i < n; ++i) out.push_back(char(col.nulls[slots[i]] ? 1 : 0));
    phys p = blk.column_type(c);
    if (p != phys::str) {
      size_t w = phys_size(p);
      const char* data = reinterpret_cast<const char*>(col.data);
      if (contiguous) {
        out.append(data, n * w);
      } else {
        size_t at = out.size();
        out.resize(at + n * w);
        for (uint32_t i = 0; i < n; ++i) std::memcpy(out.data() + at + i * w, data + slots[i] * w, w);
      }
      continue;
    }
    auto* strs = reinterpret_cast<const string_t*>(col.data);
    size_t at = out.size();
    out.resize(at + 4 * size_t(n));
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t len = col.nulls[slots[i]] ? 0 : strs[slots[i]].size();
      std::memcpy(out.data() + at + 4 * i, &len, 4);
    }
    for (uint32_t i = 0; i < n; ++i)
      if (!col.nulls[slots[i]]) out.append(strs[slots[i]].data(), strs[slots[i]].size());
  }
  return n;
}

/// Fills block b of t (fresh, empty) from its image; rows get xmin = ts.
void decode_block(storage::table& t, uint32_t b, std::string_view image, uint32_t rows, uint64_t ts) {
  byte_reader r(image, "checkpoint block");
  if (r.u32() != t.oid() || r.u32() != b) r.fail("block image of another table or block");
  uint32_t n = r.u32();
  if (n != rows || n == 0 || n > storage::block_rows) r.fail("bad row count " + std::to_string(n));
  auto bitmap = reinterpret_cast<const uint8_t*>(r.bytes(bitmap_bytes).data());
  uint32_t slots[storage::block_rows];
  uint32_t k = 0;
  for (uint32_t s = 0; s < storage::block_rows; ++s)
    if (bitmap[s / 8] & (1u << (s % 8))) {
      if (k == n) r.fail("slot bitmap holds more rows than the count");
      slots[k++] = s;
    }
  if (k != n) r.fail("slot bitmap holds fewer rows than the count");
  auto& blk = t.block(b);
  if (slots[n - 1] >= blk.used()) r.fail("row beyond the block's high-water mark");
  bool contiguous = slots[n - 1] == n - 1;
  for (size_t c = 0; c < t.column_count(); ++c) {
    auto& col = blk.column(c);
    bool has_nulls = r.u8() != 0;
    const char* nulls = has_nulls ? r.bytes(n).data() : nullptr;
    if (has_nulls) {
      for (uint32_t i = 0; i < n; ++i) col.nulls[slots[i]] = nulls[i] ? 1 : 0;
      col.has_nulls.store(true, std::memory_order_release);
    }
    phys p = blk.column_type(c);
    if (p != phys::str) {
      size_t w = phys_size(p);
      const char* src = r.bytes(n * w).data();
      char* dst = reinterpret_cast<char*>(col.data);
      if (contiguous) {
        std::memcpy(dst, src, n * w);
      } else {
        for (uint32_t i = 0; i < n; ++i) std::memcpy(dst + slots[i] * w, src + i * w, w);
      }
      if (has_nulls)  // NULL slots hold 0 (as set_null leaves them)
        for (uint32_t i = 0; i < n; ++i)
          if (nulls[i]) std::memset(dst + slots[i] * w, 0, w);
      continue;
    }
    const char* lens = r.bytes(4 * size_t(n)).data();
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t len;
      std::memcpy(&len, lens + 4 * i, 4);
      storage::row_id rid = storage::make_rid(b, slots[i]);
      if (nulls && nulls[i]) {
        if (len != 0) r.fail("NULL string with a length");
        continue;
      }
      t.set_string(rid, c, r.bytes(len));
    }
  }
  if (!r.done()) r.fail(std::to_string(r.left()) + " trailing bytes");
  for (uint32_t i = 0; i < n; ++i) blk.publish(slots[i], ts);
}

// ---- manifests ------------------------------------------------------------------------------

std::string encode_manifest(const checkpoint_store::manifest& m) {
  std::string out;
  out.append(manifest_magic, 8);
  put_le<uint32_t>(out, format_version);
  put_le<uint64_t>(out, m.seq);
  put_le<uint64_t>(out, m.snapshot_ts);
  put_le<uint64_t>(out, m.redo_lsn);
  put_le<uint64_t>(out, m.unix_micros);
  put_le<uint64_t>(out, m.full_seq);
  put_str(out, m.catalog_image);
  put_le<uint32_t>(out, uint32_t(m.tables.size()));
  for (auto& [oid, refs] : m.tables) {
    put_le<uint32_t>(out, oid);
    put_le<uint32_t>(out, uint32_t(refs.size()));
    for (auto& r : refs) {
      put_le<uint64_t>(out, r.file);
      put_le<uint64_t>(out, r.offset);
      put_le<uint32_t>(out, r.length);
      put_le<uint32_t>(out, r.crc);
      put_le<uint32_t>(out, r.used);
      put_le<uint32_t>(out, r.rows);
    }
  }
  put_le<uint32_t>(out, uint32_t(m.files.size()));
  for (auto& [seq, size] : m.files) {
    put_le<uint64_t>(out, seq);
    put_le<uint64_t>(out, size);
  }
  put_le<uint32_t>(out, crc32c(out.data(), out.size()));
  return out;
}

checkpoint_store::manifest decode_manifest(std::string_view bytes) {
  byte_reader r(bytes, "checkpoint manifest");
  if (bytes.size() < 12) r.fail("too short");
  uint32_t crc;
  std::memcpy(&crc, bytes.data() + bytes.size() - 4, 4);
  if (crc != crc32c(bytes.data(), bytes.size() - 4)) r.fail("CRC mismatch");
  r = byte_reader(bytes.substr(0, bytes.size() - 4), "checkpoint manifest");
  if (r.bytes(8) != std::string_view(manifest_magic, 8)) r.fail("bad magic");
  if (r.u32() != format_version) r.fail("unknown version");
  checkpoint_store::manifest m;
  m.seq = r.u64();
  m.snapshot_ts = r.u64();
  m.redo_lsn = r.u64();
  m.unix_micros = r.u64();
  m.full_seq = r.u64();
  m.catalog_image = std::string(r.str());
  uint32_t nt = r.count(8, "tables");
  for (uint32_t i = 0; i < nt; ++i) {
    uint32_t oid = r.u32();
    auto& refs = m.tables[oid];
    uint32_t nb = r.count(32, "blocks");
    refs.resize(nb);
    for (auto& b : refs) {
      b.file = r.u64();
      b.offset = r.u64();
      b.length = r.u32();
      b.crc = r.u32();
      b.used = r.u32();
      b.rows = r.u32();
      if (b.used > storage::block_rows || b.rows > b.used) r.fail("bad block entry");
    }
  }
  uint32_t nf = r.count(16, "files");
  for (uint32_t i = 0; i < nf; ++i) {
    uint64_t seq = r.u64();
    m.files[seq] = r.u64();
  }
  if (!r.done()) r.fail("trailing bytes");
  return m;
}

uint64_t unix_micros_now() {
  return uint64_t(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace

checkpoint_store::checkpoint_store(std::string dir, checkpoint_options opts)
    : dir_(std::move(dir)), opts_(opts), fs_(opts.fs ? *opts.fs : posix_file_system()) {
  if (opts_.threads == 0) opts_.threads = std::max(1u, std::thread::hardware_concurrency());
  if (opts_.full_every == 0) opts_.full_every = 1;
  try {
    fs_.make_dirs(dir_);
  } catch (const io_error& e) {
    checkpoint_io_failed(e);
  }
}

std::string checkpoint_store::path_of(const char* prefix, uint64_t seq) const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(seq));
  return dir_ + "/" + prefix + buf + (std::strcmp(prefix, "ckpt-") == 0 ? ".dat" : "");
}

std::optional<checkpoint_store::manifest> checkpoint_store::read_manifest(const std::string& path) const {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string bytes;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.append(buf, size_t(n));
  }
  ::close(fd);
  try {
    return decode_manifest(bytes);
  } catch (const recovery_error&) {
    return std::nullopt;
  }
}

checkpoint_stats checkpoint_store::write(const storage::catalog& cat, const txn::txn_manager& tm,
                                         const txn::snapshot& snap, uint64_t redo_lsn) try {
  auto t0 = clock_type::now();
  checkpoint_stats st;
  uint64_t seq = prev_ ? prev_->seq + 1 : 1;
  for (auto& name : fs_.list(dir_)) {
    auto a = parse_name(name, "manifest-", "");
    auto b = parse_name(name, "ckpt-", ".dat");
    if (a) seq = std::max(seq, *a + 1);
    if (b) seq = std::max(seq, *b + 1);
  }
  bool full = !prev_ || seq - prev_->full_seq >= opts_.full_every;
  if (!full) {  // more than half the bytes of the referenced files are stale?
    uint64_t total = 0, live = 0;
    for (auto& [f, size] : prev_->files) total += size - data_header_size;
    for (auto& [oid, refs] : prev_->tables)
      for (auto& r : refs) live += r.length;
    full = live * 2 < total;
  }
  st.sequence = seq;
  st.full = full;

  manifest m;
  m.seq = seq;
  m.snapshot_ts = snap.read_ts;
  m.redo_lsn = redo_lsn;
  m.unix_micros = unix_micros_now();
  m.full_seq = full ? seq : prev_->full_seq;
  auto contents = cat.all();
  encode_catalog_image(m.catalog_image, contents);

  out_file data(fs_, path_of("ckpt-", seq));
  {
    std::string header(data_magic, 8);
    put_le<uint32_t>(header, format_version);
    put_le<uint64_t>(header, seq);
    data.append(header);
  }
  std::string buf;
  for (auto& t : contents.tables) {
    auto& refs = m.tables[t->oid()];
    const std::vector<block_ref>* old = nullptr;
    if (!full) {
      auto it = prev_->tables.find(t->oid());
      if (it != prev_->tables.end()) old = &it->second;
    }
    uint32_t nb = t->block_count();
    refs.reserve(nb);
    for (uint32_t b = 0; b < nb; ++b) {
      auto& blk = t->block(b);
      if (old && b < old->size() && unchanged_since(blk, prev_->snapshot_ts)) {
        const block_ref& r = (*old)[b];
        refs.push_back(r);
        if (r.file) m.files[r.file] = prev_->files.at(r.file);
        ++st.blocks_skipped;
        continue;
      }
      uint32_t used = blk.used();
      buf.clear();
      uint32_t rows = encode_block(buf, *t, b, blk, used, tm, snap);
      if (rows == 0) {
        refs.push_back({0, 0, 0, 0, used, 0});
        ++st.blocks_empty;
        continue;
      }
      refs.push_back({seq, data.size(), uint32_t(buf.size()), crc32c(buf.data(), buf.size()), used, rows});
      data.append(buf);
      ++st.blocks_written;
      st.rows_written += rows;
    }
  }
  if (st.blocks_written > 0) {
    data.commit();
    m.files[seq] = data.size();
    st.bytes_written += data.size();
  }
  std::string mbytes = encode_manifest(m);
  out_file mf(fs_, path_of("manifest-", seq));
  mf.append(mbytes);
  mf.commit();
  fs_.sync_dir(dir_);
  st.bytes_written += mbytes.size();
  remove_unneeded(m, prev_ ? &*prev_ : nullptr, st);
  retained_redo_lsn_ = prev_ ? std::min(prev_->redo_lsn, m.redo_lsn) : m.redo_lsn;
  prev_ = std::move(m);
  st.seconds = seconds_since(t0);
  return st;
} catch (const io_error& e) {
  checkpoint_io_failed(e);
}

void checkpoint_store::remove_unneeded(const manifest& keep_new, const manifest* keep_old, checkpoint_stats& st) {
  for (auto& name : fs_.list(dir_)) {
    bool drop = false;
    if (auto s = parse_name(name, "manifest-", "")) {
      drop = *s != keep_new.seq && (!keep_old || *s != keep_old->seq);
    } else if (auto f = parse_name(name, "ckpt-", ".dat")) {
      drop = !keep_new.files.count(*f) && (!keep_old || !keep_old->files.count(*f));
    } else if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0 &&
               (name.rfind("manifest-", 0) == 0 || name.rfind("ckpt-", 0) == 0)) {
      drop = true;
    }
    if (!drop) continue;
    try {
      fs_.remove(join_path(dir_, name));
      ++st.files_deleted;
    } catch (const io_error&) {  // tried again after the next checkpoint
    }
  }
}

void checkpoint_store::build_indexes(storage::catalog& cat) {
  auto indexes = cat.all_indexes();
  // Biggest first. An index of more than a thread's fair share of all rows gets every thread
  // (one big table is the common case: an index per thread would leave the others idle); the
  // smaller ones are built an index per thread.
  std::sort(indexes.begin(), indexes.end(),
            [](auto& a, auto& b) { return a->tbl().block_count() > b->tbl().block_count(); });
  uint64_t total = 0;
  for (auto& ix : indexes) total += ix->tbl().block_count();
  size_t big = 0;
  while (big < indexes.size() && uint64_t(indexes[big]->tbl().block_count()) * opts_.threads > total) ++big;
  for (size_t i = 0; i < big; ++i) build_index(*indexes[i], opts_.threads);
  parallel_for(indexes.size() - big, opts_.threads, [&](size_t i) { build_index(*indexes[big + i]); });
}

std::optional<checkpoint_meta> checkpoint_store::load(storage::catalog& cat, bool build_indexes_now) {
  auto t0 = clock_type::now();
  load_stats_ = {};
  std::vector<uint64_t> seqs;
  for (auto& name : fs_.list(dir_))
    if (auto s = parse_name(name, "manifest-", "")) seqs.push_back(*s);
  std::sort(seqs.rbegin(), seqs.rend());
  for (uint64_t seq : seqs) {
    std::string mpath = path_of("manifest-", seq);
    auto m = read_manifest(mpath);
    if (!m || m->seq != seq) {
      ++load_stats_.manifests_rejected;
      continue;
    }
    // Every data file there, of its size and with its header; every block entry in bounds and
    // matching its CRC; every table in the catalog image. Nothing is touched before that holds.
    std::unordered_map<uint64_t, mapped_file> files;
    bool ok = true;
    for (auto& [f, size] : m->files) {
      mapped_file mf;
      if (!mf.open(path_of("ckpt-", f)) || mf.size() != size || size < data_header_size ||
          std::memcmp(mf.data(), data_magic, 8) != 0) {
        ok = false;
        break;
      }
      files.emplace(f, std::move(mf));
    }
    std::optional<catalog_image> img;
    struct task {
      uint32_t oid, block;
      const block_ref* ref;
      std::string_view bytes;
    };
    std::vector<task> tasks;
    if (ok) {
      try {
        img = decode_catalog_image(m->catalog_image);
      } catch (const recovery_error&) {
        ok = false;
      }
    }
    if (ok) {
      std::unordered_map<uint32_t, bool> known;
      for (auto& t : img->tables) known[t.oid] = true;
      for (auto& [oid, refs] : m->tables) {
        if (!known.count(oid)) ok = false;
        for (uint32_t b = 0; b < refs.size() && ok; ++b) {
          auto& r = refs[b];
          if (!r.file) continue;
          auto it = files.find(r.file);
          if (it == files.end() || r.offset < data_header_size || r.offset + r.length > it->second.size()) {
            ok = false;
            break;
          }
          tasks.push_back({oid, b, &r, std::string_view(it->second.data() + r.offset, r.length)});
          load_stats_.bytes += r.length;
        }
      }
    }
    if (ok) {
      std::atomic<bool> crc_ok{true};
      parallel_for(tasks.size(), opts_.threads, [&](size_t i) {
        if (crc32c(tasks[i].bytes.data(), tasks[i].bytes.size()) != tasks[i].ref->crc) crc_ok = false;
      });
      ok = crc_ok;
    }
    if (!ok) {
      ++load_stats_.manifests_rejected;
      continue;
    }
    // Populate: schema (tables and indexes empty), blocks, rows (parallel), indexes (parallel).
    apply_catalog_image(cat, *img);
    std::unordered_map<uint32_t, std::shared_ptr<storage::table>> tables;
    for (auto& t : cat.tables()) tables[t->oid()] = t;
    for (auto& [oid, refs] : m->tables) {
      if (refs.empty()) continue;
      auto& t = tables.at(oid);
      t->restore_block(uint32_t(refs.size() - 1), refs.back().used);  // earlier blocks count as full
    }
    uint64_t ts = m->snapshot_ts;
    std::atomic<uint64_t> rows{0};
    parallel_for(tasks.size(), opts_.threads, [&](size_t i) {
      auto& tk = tasks[i];
      decode_block(*tables.at(tk.oid), tk.block, tk.bytes, tk.ref->rows, ts);
      rows.fetch_add(tk.ref->rows, std::memory_order_relaxed);
    });
    load_stats_.rows = rows.load();
    load_stats_.blocks = tasks.size();
    files.clear();
    load_stats_.seconds_read = seconds_since(t0);
    auto t1 = clock_type::now();
    if (build_indexes_now) build_indexes(cat);
    for (auto& [oid, t] : tables) t->rebuild_free_slots();
    cat.restore_next_oid(img->next_oid);
    load_stats_.seconds_indexes = seconds_since(t1);
    load_stats_.seconds = seconds_since(t0);

    checkpoint_meta meta;
    meta.snapshot_ts = m->snapshot_ts;
    meta.redo_lsn = m->redo_lsn;
    meta.unix_micros = m->unix_micros;
    meta.sequence = m->seq;
    meta.next_oid = img->next_oid;
    meta.manifest_path = mpath;
    retained_redo_lsn_ = m->redo_lsn;
    prev_ = std::move(*m);
    return meta;
  }
  load_stats_.seconds = seconds_since(t0);
  return std::nullopt;
}

}  // namespace db001::recovery
