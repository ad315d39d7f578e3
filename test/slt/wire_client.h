#pragma once
/// db001-slt's wire mode (--connect CONNINFO): runs each file on a DB-001 server (or any
/// PostgreSQL-protocol server) through libpq, in a database of its own (CREATE DATABASE per
/// file, dropped when the next file starts or the run ends), and turns the text results back
/// into typed values by their type OIDs, so the runner renders them exactly as in process.
#include <memory>
#include <string>

#include "pg_oracle.h"

namespace db001::slt {

class wire_client {
 public:
  /// conninfo: libpq keywords; its dbname (default postgres) is where databases are created.
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
