#include "pg_oracle.h"

#include <libpq-fe.h>

#include "storage/cast.h"

namespace db001::slt {

namespace {
constexpr const char* scratch_db = "db001_slt_oracle";

/// A PostgreSQL text value typed by its OID (the types the corpus produces).
value typed_value(const char* text, Oid oid) {
  switch (oid) {
    case 16: return value::boolean(text[0] == 't');
    case 20:
    case 21:
    case 23: return value::int64(std::strtoll(text, nullptr, 10));
    case 700:
    case 701: return value::float64(std::strtod(text, nullptr));
    case 1700: {
      try {
        auto n = parse_numeric(text);
        return value::numeric(n.unscaled, sql_type::numeric(-1, n.scale));
      } catch (const db_error&) {
        return value::float64(std::strtod(text, nullptr));  // NaN or beyond 38 digits
      }
    }
    default: return value::text(text);
  }
}
}  // namespace

struct pg_oracle::impl {
  PGconn* admin = nullptr;
  PGconn* conn = nullptr;
  ~impl() {
    if (conn) PQfinish(conn);
    if (admin) PQfinish(admin);
  }
};

pg_oracle::pg_oracle(std::string conninfo) : impl_(std::make_unique<impl>()), conninfo_(std::move(conninfo)) {}
pg_oracle::~pg_oracle() = default;

bool pg_oracle::start_file() {
  if (impl_->conn) {
    PQfinish(impl_->conn);
    impl_->conn = nullptr;
  }
  if (!impl_->admin) {
    impl_->admin = PQconnectdb((conninfo_ + " dbname=postgres").c_str());
    if (PQstatus(impl_->admin) != CONNECTION_OK) {
      error_ = PQerrorMessage(impl_->admin);
      PQfinish(impl_->admin);
      impl_->admin = nullptr;
      return false;
    }
  }
  for (const char* sql : {"DROP DATABASE IF EXISTS db001_slt_oracle", "CREATE DATABASE db001_slt_oracle"}) {
    PGresult* r = PQexec(impl_->admin, sql);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) error_ = PQresultErrorMessage(r);
    PQclear(r);
    if (!ok) return false;
  }
  impl_->conn = PQconnectdb((conninfo_ + " dbname=" + scratch_db).c_str());
  if (PQstatus(impl_->conn) != CONNECTION_OK) {
    error_ = PQerrorMessage(impl_->conn);
    return false;
  }
  PGresult* r = PQexec(impl_->conn, "SET client_min_messages = error");
  PQclear(r);
  return true;
}

pg_outcome pg_oracle::run(const std::string& sql) {
  pg_outcome out;
  if (!impl_->conn) {
    out.sqlstate = "08006";
    out.message = "no PostgreSQL connection";
    return out;
  }
  PGresult* r = PQexec(impl_->conn, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
    out.ok = true;
    out.columns = size_t(PQnfields(r));
    int rows = PQntuples(r);
    for (int i = 0; i < rows; ++i)
      for (int c = 0; c < int(out.columns); ++c)
        out.cells.push_back(PQgetisnull(r, i, c) ? value() : typed_value(PQgetvalue(r, i, c), PQftype(r, c)));
  } else {
    const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    out.sqlstate = code ? code : "XX000";
    out.message = PQresultErrorMessage(r);
  }
  PQclear(r);
  // A failed statement leaves an implicit transaction aborted only inside blocks; the corpus
  // runs in autocommit, so nothing to clean up.
  return out;
}

}  // namespace db001::slt
