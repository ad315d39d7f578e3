#pragma once
/// The PostgreSQL 15 oracle of db001-slt (--pg CONNINFO). The corpus was written for SQLite;
/// where PostgreSQL answers differently (integer vs numeric division, division by zero as an
/// error, SQLite-only syntax), the suites are judged by what PostgreSQL answers. The oracle
/// replays every statement of a file on a fresh PostgreSQL database and, for each record
/// where db001 disagrees with the file, runs it there too: if db001 gives PostgreSQL's answer
/// the record counts as passed (and is counted separately as "judged by PostgreSQL").
#include <memory>
#include <string>
#include <vector>

#include "storage/value.h"

namespace db001::slt {

/// What PostgreSQL answered to one statement.
struct pg_outcome {
  bool ok = false;
  std::string sqlstate;  ///< "" when ok
  std::string message;
  std::string detail;  ///< DETAIL of an error, if any
  size_t columns = 0;
  std::vector<value> cells;  ///< row by row, typed from the result's type OIDs
};

class pg_oracle {
 public:
  /// Connects to a server (libpq conninfo, e.g. "host=/tmp port=5432 user=postgres").
  explicit pg_oracle(std::string conninfo);
  ~pg_oracle();
  pg_oracle(const pg_oracle&) = delete;
  pg_oracle& operator=(const pg_oracle&) = delete;

  /// Starts a file: drops and recreates the scratch database and connects to it. Returns
  /// false (with error()) when the server cannot be used.
  bool start_file();
  pg_outcome run(const std::string& sql);
  const std::string& error() const { return error_; }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::string conninfo_;
  std::string error_;
};

}  // namespace db001::slt
