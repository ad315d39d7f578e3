#pragma once
/// The SQLite peer: a thin RAII wrapper over Debian's libsqlite3 with the in-memory setup
/// every benchmark uses (":memory:", journal_mode=OFF, synchronous=OFF). Errors throw
/// std::runtime_error. One thread at a time.
#include <sqlite3.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace db001::bench {

class sqlite_stmt {
 public:
  sqlite_stmt() = default;
  sqlite_stmt(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), int(sql.size()), &s_, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db) + " in: " + std::string(sql));
  }
  sqlite_stmt(sqlite_stmt&& o) noexcept : db_(o.db_), s_(o.s_) { o.s_ = nullptr; }
  sqlite_stmt& operator=(sqlite_stmt&& o) noexcept {
    std::swap(db_, o.db_);
    std::swap(s_, o.s_);
    return *this;
  }
  ~sqlite_stmt() { sqlite3_finalize(s_); }

  void bind(int i, int64_t v) { check(sqlite3_bind_int64(s_, i, v)); }
  void bind(int i, double v) { check(sqlite3_bind_double(s_, i, v)); }
  /// SQLITE_STATIC: `v` must stay valid until the statement is stepped/reset.
  void bind(int i, std::string_view v) { check(sqlite3_bind_text(s_, i, v.data(), int(v.size()), SQLITE_STATIC)); }
  /// Steps once: true while a row is available.
  bool step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }
  void reset() { sqlite3_reset(s_); }
  int columns() const { return sqlite3_column_count(s_); }
  int64_t int64(int c) const { return sqlite3_column_int64(s_, c); }
  double real(int c) const { return sqlite3_column_double(s_, c); }
  std::string_view text(int c) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    return p ? std::string_view(p, size_t(sqlite3_column_bytes(s_, c))) : std::string_view();
  }
  sqlite3_stmt* raw() { return s_; }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) throw std::runtime_error(std::string("sqlite bind: ") + sqlite3_errmsg(db_));
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
};

class sqlite_db {
 public:
  /// Opens ":memory:" and applies the peer settings (see bench/README.md).
  sqlite_db() {
    if (sqlite3_open(":memory:", &db_) != SQLITE_OK) throw std::runtime_error("sqlite3_open failed");
    exec("PRAGMA journal_mode=OFF");
    exec("PRAGMA synchronous=OFF");
  }
  ~sqlite_db() { sqlite3_close_v2(db_); }
  sqlite_db(const sqlite_db&) = delete;
  sqlite_db& operator=(const sqlite_db&) = delete;

  void exec(std::string_view sql) {
    char* err = nullptr;
    std::string s(sql);
    if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("sqlite: " + msg + " in: " + s);
    }
  }
  sqlite_stmt prepare(std::string_view sql) { return sqlite_stmt(db_, sql); }
  sqlite3* raw() { return db_; }
  static const char* version() { return sqlite3_libversion(); }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace db001::bench
