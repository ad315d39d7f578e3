#pragma once
/// DB-001 embedding API: open an in-process database, connect, execute SQL, prepare
/// statements with $n parameters and iterate results.
///
/// Thread-safety: a `database` may be used from any number of threads; each `connection`
/// is one session and must be used by one thread at a time (as a libpq connection).
/// No CAF or TBB header is included here; a host that runs its own `caf::actor_system`
/// passes it to `database::open` through include/db001/actor_api.h.
///
/// Usage:
///   auto db = db001::database::open();
///   auto conn = db->connect();
///   conn->execute("CREATE TABLE t(a INT PRIMARY KEY, b TEXT)");
///   auto ins = conn->prepare("INSERT INTO t VALUES ($1, $2)");
///   ins.execute({db001::value::int32(1), db001::value::text("x")});
///   auto r = conn->execute("SELECT a, b FROM t");
///   for (size_t i = 0; i < r.row_count(); ++i) std::cout << r.text(i, 0) << "\n";
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/types.h"
#include "storage/value.h"

namespace caf {
class actor_system;
class actor;
}  // namespace caf

namespace db001 {

namespace engine {
class engine;
class session;
struct result_data;
struct prepared_data;
}  // namespace engine
namespace actors {
struct session_box;
}
namespace recovery {
class durable_store;
}
struct connection_actor;
class database;
std::unique_ptr<database> open_on(caf::actor_system& sys, const struct options& opts);

/// Where and how a database keeps its data on disk (the `storage` and durability keys of
/// database.yaml). With an empty data_directory the database lives in memory only.
struct durability_options {
  std::string data_directory;  ///< checkpoints go to <data_directory>/checkpoints; "" = in memory only
  std::string wal_directory;   ///< "" = <data_directory>/wal
  uint64_t wal_segment_size = uint64_t(16) << 20;
  /// on: COMMIT returns once its WAL record is fsynced (and only then is it visible to others);
  /// off: COMMIT returns at once, the WAL is flushed every fsync_interval_ms — a crash loses at
  /// most the commits of that last interval, never part of one.
  bool synchronous_commit = true;
  int fsync_interval_ms = 10;
  int checkpoint_interval_ms = 5 * 60 * 1000;
  uint64_t checkpoint_wal_bytes = uint64_t(256) << 20;  ///< also checkpoint when the WAL grew this much
  std::string archive_directory;  ///< "" = no archiving; else completed segments are copied there
  /// Point-in-time recovery target (at most one): a time ("2026-11-24 18:00:00", UTC), an LSN,
  /// or a restore point name (pg_create_restore_point).
  std::string recovery_target_time;
  uint64_t recovery_target_lsn = 0;
  std::string recovery_target_name;
  /// Called during start-up recovery with the WAL records replayed so far (server: /health).
  std::function<void(uint64_t records)> on_recovery_progress;
};

/// Settings of an embedded database (the `database`/`performance` keys of database.yaml).
struct options {
  int parallel_workers = 0;           ///< threads for parallel scans/aggregations; 0 = all cores
  size_t parallel_threshold_rows = 200000;  ///< plans reading fewer rows run inline on the caller
  size_t work_mem = 256u << 20;       ///< bytes per operator before it reports 53200
  std::string default_isolation = "read committed";
  int64_t statement_timeout_ms = 0;  ///< statement_timeout's default (SET overrides it); 0 = none
  durability_options durability;     ///< on-disk persistence; default: in memory only
};

/// The outcome of one statement: an error, or a command tag plus (for queries) rows.
class result {
 public:
  result() = default;
  explicit result(std::shared_ptr<const engine::result_data> d) : d_(std::move(d)) {}

  bool ok() const;
  /// SQLSTATE ("00000" when ok), message and 1-based cursor position (0 = none).
  const std::string& sqlstate() const;
  const std::string& error_message() const;
  const std::string& error_detail() const;
  int error_position() const;
  /// NOTICE / WARNING messages the statement raised.
  const std::vector<std::string>& notices() const;
  /// "SELECT 3", "INSERT 0 2", "UPDATE 1", "CREATE TABLE", "BEGIN", ...
  const std::string& command_tag() const;

  size_t column_count() const;
  const std::string& column_name(size_t col) const;
  sql_type column_type(size_t col) const;
  size_t row_count() const;
  /// Rows affected by INSERT/UPDATE/DELETE (0 for others).
  uint64_t rows_affected() const;

  /// Cells; a row or column out of range (or an error result) reads as NULL.
  bool is_null(size_t row, size_t col) const;
  value get(size_t row, size_t col) const;
  /// PostgreSQL's text output of the cell ("" for NULL).
  std::string text(size_t row, size_t col) const;
  /// The bytes of a text-typed cell (text, varchar, char) without a copy, valid while this result
  /// lives; empty for NULL, for other column types and out of range (use text() for those).
  std::string_view text_view(size_t row, size_t col) const;

  const engine::result_data* data() const { return d_.get(); }

 private:
  std::shared_ptr<const engine::result_data> d_;
};

/// A statement parsed and planned once, executed many times with $1..$n parameters.
class prepared_statement {
 public:
  prepared_statement() = default;
  prepared_statement(std::shared_ptr<actors::session_box> box, std::shared_ptr<engine::prepared_data> d);
  bool ok() const { return error_.ok(); }  ///< false if preparing failed: see error()
  const result& error() const { return error_; }
  size_t param_count() const;
  sql_type param_type(size_t i) const;
  result execute(const std::vector<value>& params = {});

 private:
  std::shared_ptr<actors::session_box> box_;
  std::shared_ptr<engine::prepared_data> d_;
  result error_;
};

/// One session: its own transaction state and settings.
class connection {
 public:
  ~connection();
  /// Executes one or more ';'-separated statements and returns the result of the last one
  /// (or the first error, after which the rest are not run — as PostgreSQL's simple query).
  result execute(std::string_view sql);
  /// Executes every statement of `sql` and returns each result (stops after an error).
  std::vector<result> execute_all(std::string_view sql);
  /// Parses and plans one statement with $n placeholders.
  prepared_statement prepare(std::string_view sql);
  /// True while inside BEGIN ... COMMIT/ROLLBACK; failed() while in an aborted block (25P02).
  bool in_transaction() const;
  bool failed() const;

  engine::session& session();

 private:
  friend class database;
  friend caf::actor session_actor(connection& c);
  explicit connection(std::shared_ptr<actors::session_box> box);
  std::shared_ptr<actors::session_box> box_;
  std::unique_ptr<connection_actor> actor_;
};

/// An in-process database.
class database {
 public:
  /// Opens an empty in-memory database with its own actor system (transaction manager).
  static std::unique_ptr<database> open(const options& opts = {});
  ~database();
  std::unique_ptr<connection> connect();
  engine::engine& engine() { return *engine_; }
  const options& opts() const { return opts_; }
  /// The on-disk side (WAL, checkpoints, recovery figures; recovery/durable_store.h), or
  /// nullptr when the database lives in memory only.
  recovery::durable_store* durable_store();

 private:
  friend struct database_access;
  friend std::unique_ptr<database> open_on(caf::actor_system& sys, const options& opts);
  database(const options& opts);
  options opts_;
  std::unique_ptr<engine::engine> engine_;
  struct actors;  ///< the CAF side (defined in actors/), hidden from this header
  std::unique_ptr<actors> actors_;
};

}  // namespace db001
