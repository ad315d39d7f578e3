#pragma once
/// db001-slt's libpq client: runs each file on a PostgreSQL-protocol server in a database of its
/// own (CREATE DATABASE per file, dropped when the next file starts or the run ends) and turns
/// the text results back into typed values by their type OIDs. Two uses:
///   --connect CONNINFO  the files run on a DB-001 server instead of in process; the values
///                       are typed as the engine types them, so the runner renders them alike.
///   --pg CONNINFO       the PostgreSQL 15 oracle. The corpus was written for SQLite; where
///                       PostgreSQL answers differently (integer vs numeric division, division
///                       by zero as an error, SQLite-only syntax), a record where db001
///                       disagrees with the file is run on PostgreSQL too (every statement of
///                       the file is replayed there): if db001 gives PostgreSQL's answer it
///                       counts as passed ("judged by PostgreSQL").
#include <memory>
#include <string>
#include <vector>

#include "storage/value.h"

namespace db001::slt {

/// What the server answered to one statement.
struct pg_outcome {
  bool ok = false;
  std::string sqlstate;  ///< "" when ok
  std::string message;
  std::string detail;  ///< DETAIL of an error, if any
  size_t columns = 0;
  std::vector<value> cells;  ///< row by row, typed from the result's type OIDs
};

class wire_client {
 public:
  /// conninfo: libpq keywords; its dbname (postgres when it names none) is where the file
  /// databases are created.
  explicit wire_client(std::string conninfo);
  ~wire_client();
  wire_client(const wire_client&) = delete;
  wire_client& operator=(const wire_client&) = delete;

  /// Creates a fresh database for a file and connects to it (dropping the previous file's).
  /// Returns false with error() when the server cannot be used.
  bool start_file();
  /// Disconnects from the file's database.
  void end_file();
  /// Runs one record's SQL (a simple query; several statements give the last result).
  pg_outcome run(const std::string& sql);
  const std::string& error() const { return error_; }

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
  std::string conninfo_;
  std::string error_;
};

/// A text value from the wire typed by its type OID, as the engine would have typed it
/// (int2/int4/int8, float4/float8, numeric with its scale, bool; everything else text).
value wire_value(const char* text, unsigned oid);

}  // namespace db001::slt
