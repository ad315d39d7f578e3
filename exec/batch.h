#pragma once
/// The one batch type of the executor: columns of up to block_rows values plus an optional
/// selection. A batch read from a table refers to the row block's column arrays directly
/// (no copy); operators that compute values produce dense, owned vectors.
///
/// vector: `count` values of one SQL type at `data` (physical layout of types.h), NULL
///   bytes at `nulls` (nullptr = no NULLs). `keep` owns whatever the pointers refer to.
/// batch: columns of `size` physical rows; `sel` lists the `count` selected rows (nullptr =
///   all `size` rows, count == size). Operators that only narrow a batch change `sel`.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "storage/row_block.h"
#include "storage/types.h"
#include "storage/value.h"

namespace db001::exec {

inline constexpr uint32_t batch_rows = storage::block_rows;

/// Arena for the long strings of owned vectors. Not thread-safe; shared read-only once built.
class string_heap {
 public:
  const char* add(std::string_view s) {
    if (s.size() > max_chunk_ / 4) {
      big_.emplace_back(new char[s.size()]);
      std::memcpy(big_.back().get(), s.data(), s.size());
      return big_.back().get();
    }
    if (chunks_.empty() || used_ + s.size() > chunk_size_) {
      // Chunks start small (most vectors hold few long strings) and double up to 64 KB.
      if (!chunks_.empty()) chunk_size_ = std::min(chunk_size_ * 2, max_chunk_);
      while (chunk_size_ < s.size()) chunk_size_ *= 2;
      chunks_.emplace_back(new char[chunk_size_]);
      used_ = 0;
    }
    char* p = chunks_.back().get() + used_;
    std::memcpy(p, s.data(), s.size());
    used_ += s.size();
    return p;
  }
  /// Forgets every string added (REQUIRES: nothing points into the heap any more); the last
  /// chunk is kept for the next strings.
  void clear() {
    big_.clear();
    if (chunks_.size() > 1) chunks_.erase(chunks_.begin(), chunks_.end() - 1);
    used_ = 0;
  }
  /// A string_t whose long bytes are copied into this heap.
  string_t copy(const string_t& s) {
    if (s.is_inline()) return s;
    return string_t(add(s.view()), s.size());
  }
  string_t make(std::string_view s) {
    if (s.size() <= string_t::inline_max) return string_t(s.data(), uint32_t(s.size()));
    return string_t(add(s), uint32_t(s.size()));
  }

 private:
  static constexpr size_t max_chunk_ = 64 * 1024;
  size_t chunk_size_ = 256;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::vector<std::unique_ptr<char[]>> big_;
  size_t used_ = 0;
};

/// Storage of an owned vector: values and NULL bytes in one allocation.
struct vector_buffer {
  std::unique_ptr<std::byte[]> data;
  uint8_t* nulls = nullptr;  ///< inside `data`, after the values (nullptr = none)
  std::unique_ptr<string_heap> heap;
  std::vector<std::shared_ptr<void>> refs;  ///< inputs whose long strings we point into
};

struct vector {
  sql_type type;
  const std::byte* data = nullptr;
  const uint8_t* nulls = nullptr;
  std::shared_ptr<void> keep;
  /// Points into a table's row block (a scan's zero-copy column): valid only while the
  /// statement's snapshot holds the rows, so results copy it.
  bool borrowed = false;

  template <class T>
  const T* as() const {
    return reinterpret_cast<const T*>(data);
  }
  bool is_null(uint32_t i) const { return nulls && nulls[i]; }
};

/// A freshly allocated dense vector of n values; data() / nulls() are writable. NULL bytes
/// start at 0 (not NULL). String vectors get a heap.
class vector_writer {
 public:
  /// `zeroed` false: the caller writes every value and NULL byte (a gather) before finish().
  vector_writer(sql_type t, uint32_t n, bool with_nulls = true, bool zeroed = true)
      : type_(t), buf_(std::make_shared<vector_buffer>()) {
    size_t values = size_t(std::max<uint32_t>(1, n)) * phys_size(t.physical());
    // Zeroed: the slots of NULL rows hold a valid (empty) value, never garbage a kernel could
    // misread (a string pointer, an int128 that overflows when rescaled).
    size_t bytes = values + (with_nulls ? std::max<uint32_t>(1, n) : 0);
    buf_->data.reset(zeroed ? new std::byte[bytes]() : new std::byte[bytes]);
    if (with_nulls) buf_->nulls = reinterpret_cast<uint8_t*>(buf_->data.get() + values);
  }
  template <class T>
  T* data() {
    return reinterpret_cast<T*>(buf_->data.get());
  }
  uint8_t* nulls() { return buf_->nulls; }
  /// The arena for long strings (created on first use).
  string_heap& heap() {
    if (!buf_->heap) buf_->heap = std::make_unique<string_heap>();
    return *buf_->heap;
  }
  void set_null(uint32_t i) { buf_->nulls[i] = 1; }
  /// Keeps `v`'s storage alive as long as the result (when copying string_t by reference).
  void keep_alive(const vector& v) {
    if (v.keep) buf_->refs.push_back(v.keep);
  }
  vector finish(bool has_nulls = true) {
    vector v;
    v.type = type_;
    v.data = buf_->data.get();
    v.nulls = has_nulls ? buf_->nulls : nullptr;
    v.keep = buf_;
    return v;
  }

 private:
  sql_type type_;
  std::shared_ptr<vector_buffer> buf_;
};

struct batch {
  std::vector<vector> cols;
  uint32_t size = 0;
  const uint32_t* sel = nullptr;
  uint32_t count = 0;
  std::shared_ptr<void> keep;  ///< owns `sel` and anything else the batch refers to

  uint32_t row(uint32_t i) const { return sel ? sel[i] : i; }
  void reset() {
    cols.clear();
    size = count = 0;
    sel = nullptr;
    keep.reset();
  }
};

/// A value of vector v at physical row i, boxed.
value get_value(const vector& v, uint32_t i);
/// Stores boxed x (of type t, or NULL) into slot i of a writer of type t.
void write_value(vector_writer& w, sql_type t, uint32_t i, const value& x);
/// Three-way comparison of non-NULL cells a[ra] and b[rb] of the same type (NaN sorts
/// above all numbers, as in PostgreSQL).
int compare_cells(const vector& a, uint32_t ra, const vector& b, uint32_t rb);
/// A constant vector of n copies of x.
vector constant_vector(const value& x, sql_type t, uint32_t n);
/// The selected rows of b as dense vectors (no selection).
batch flatten(const batch& b);
/// Copies rows `rows[0..n)` of v into a new dense vector (long strings copied too).
vector gather(const vector& v, const uint32_t* rows, uint32_t n);

/// Rows appended batch by batch into dense, owned column chunks: the materialized input of
/// sort, hash join build, nested-loop join and result sets.
class row_collection {
 public:
  explicit row_collection(std::vector<sql_type> types = {}) : types_(std::move(types)) {}
  void set_types(std::vector<sql_type> types) { types_ = std::move(types); }
  const std::vector<sql_type>& types() const { return types_; }
  /// Appends the selected rows of b: shares b's vectors when they are dense and owned,
  /// otherwise copies them (strings included).
  void append(const batch& b);
  /// Appends a batch that is already dense and owned (no copy).
  void append_chunk(batch b);
  /// Drops every row (keeps the column types and the bookkeeping's capacity).
  void clear() {
    chunks_.clear();
    starts_.clear();
    total_ = bytes_ = 0;
  }
  size_t row_count() const { return total_; }
  size_t chunk_count() const { return chunks_.size(); }
  const batch& chunk(size_t i) const { return chunks_[i]; }
  /// Boxed value at a global row number (slow; for results and tests).
  value get(size_t row, size_t col) const;
  /// The bytes of a string cell without a copy; empty for NULL and non-string columns.
  std::string_view text_at(size_t row, size_t col) const;
  /// Locates a global row: chunk index and row within it.
  std::pair<uint32_t, uint32_t> locate(size_t row) const;
  size_t memory_bytes() const { return bytes_; }

 private:
  std::vector<sql_type> types_;
  std::vector<batch> chunks_;
  std::vector<size_t> starts_;
  size_t total_ = 0;
  size_t bytes_ = 0;
};

/// A reference to a row of a row_collection: (chunk, row); chunk == no_row means "no row"
/// (gathered as NULL, for outer joins).
using row_ref = std::pair<uint32_t, uint32_t>;
inline constexpr uint32_t no_row = UINT32_MAX;

/// Column `col` of the referenced rows, as a new vector (long strings stay in the
/// collection, which the result keeps alive).
vector gather_refs(const row_collection& rc, size_t col, const row_ref* refs, uint32_t n);

}  // namespace db001::exec
