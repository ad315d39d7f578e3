#include "wire_client.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "storage/cast.h"
#include "storage/numeric.h"

namespace db001::slt {

value wire_value(const char* text, unsigned oid) {
  switch (oid) {
    case 16:
      return value::boolean(text[0] == 't');
    case 21:
      return value::int16(int16_t(std::strtol(text, nullptr, 10)));
    case 23:
      return value::int32(int32_t(std::strtol(text, nullptr, 10)));
    case 20:
      return value::int64(std::strtoll(text, nullptr, 10));
    case 700:
      return value::float32(std::strtof(text, nullptr));  // the float the engine held
    case 701:
      return value::float64(std::strtod(text, nullptr));
    case 1700: {
      try {
        auto n = parse_numeric(text);
        return value::numeric(n.unscaled, sql_type::numeric(-1, n.scale));
      } catch (const db_error&) {
        return value::float64(std::strtod(text, nullptr));  // NaN or beyond 38 digits
      }
    }
    default:
      return value::text(text);
  }
}

namespace {

/// Runs a command; "" if it worked, else "<SQLSTATE> <message>".
std::string command(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  std::string err;
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    err = std::string(code ? code : "") + " " + PQresultErrorMessage(r);
  }
  PQclear(r);
  return err;
}

/// DROP DATABASE, retrying while the server has not yet noticed our last session's
/// disconnect (55006 "is being accessed by other users"), for up to about a second.
std::string drop_database(PGconn* admin, const std::string& name) {
  std::string err;
  for (int i = 0; i < 500; ++i) {
    err = command(admin, "DROP DATABASE IF EXISTS " + name);
    if (err.empty() || err.rfind("55006", 0) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return err;
}

}  // namespace

struct wire_client::impl {
  PGconn* admin = nullptr;
  PGconn* conn = nullptr;
  std::string current;  ///< the file database in use (dropped when the next file starts)
  uint64_t files = 0;
  ~impl() {
    if (conn) PQfinish(conn);
    if (admin) PQfinish(admin);
  }
};

wire_client::wire_client(std::string conninfo)
    : impl_(std::make_unique<impl>()), conninfo_("dbname=postgres " + std::move(conninfo)) {}  // a later dbname wins

wire_client::~wire_client() {
  end_file();
  if (impl_->admin && !impl_->current.empty()) drop_database(impl_->admin, impl_->current);
}

bool wire_client::start_file() {
  end_file();
  if (!impl_->admin) {
    impl_->admin = PQconnectdb(conninfo_.c_str());
    if (PQstatus(impl_->admin) != CONNECTION_OK) {
      error_ = PQerrorMessage(impl_->admin);
      PQfinish(impl_->admin);
      impl_->admin = nullptr;
      return false;
    }
    PQsetNoticeProcessor(
        impl_->admin, [](void*, const char*) {}, nullptr);
  }
  if (!impl_->current.empty()) {
    if (std::string err = drop_database(impl_->admin, impl_->current); !err.empty()) {
      error_ = "cannot drop database " + impl_->current + ": " + err;
      return false;
    }
    impl_->current.clear();
  }
  std::string name = "slt_" + std::to_string(::getpid()) + "_" + std::to_string(++impl_->files);
  if (std::string err = command(impl_->admin, "CREATE DATABASE " + name); !err.empty()) {
    error_ = "cannot create database " + name + ": " + err;
    return false;
  }
  impl_->current = name;
  impl_->conn = PQconnectdb((conninfo_ + " dbname=" + name).c_str());
  if (PQstatus(impl_->conn) != CONNECTION_OK) {
    error_ = PQerrorMessage(impl_->conn);
    return false;
  }
  PQsetNoticeProcessor(
      impl_->conn, [](void*, const char*) {}, nullptr);  // in process, notices are not printed either
  return true;
}

void wire_client::end_file() {
  if (impl_->conn) PQfinish(impl_->conn);
  impl_->conn = nullptr;
}

pg_outcome wire_client::run(const std::string& sql) {
  pg_outcome out;
  if (!impl_->conn || PQstatus(impl_->conn) != CONNECTION_OK) {
    out.sqlstate = "08006";
    out.message = impl_->conn ? PQerrorMessage(impl_->conn) : "no connection";
    return out;
  }
  PGresult* r = PQexec(impl_->conn, sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
    out.ok = true;
    out.columns = size_t(PQnfields(r));
    int rows = PQntuples(r);
    out.cells.reserve(size_t(rows) * out.columns);
    for (int i = 0; i < rows; ++i)
      for (int c = 0; c < int(out.columns); ++c)
        out.cells.push_back(PQgetisnull(r, i, c) ? value() : wire_value(PQgetvalue(r, i, c), PQftype(r, c)));
  } else {
    const char* code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
    out.sqlstate = code ? code : "08006";  // no SQLSTATE: the connection broke
    out.message = primary ? primary : PQresultErrorMessage(r);
    if (detail) out.detail = detail;
  }
  PQclear(r);
  return out;
}

}  // namespace db001::slt
