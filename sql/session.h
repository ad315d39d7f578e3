#pragma once
/// A session: one connection's transaction state, settings and prepared statements, and
/// the statement dispatcher (parse -> bind -> execute). The session actor and the
/// embedding API's connection both drive one of these; it is used by one thread at a time.
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sql/copy.h"
#include "sql/engine.h"

namespace db001::engine {

/// A parsed (and, for queries and DML, planned) statement with $n parameters.
struct prepared_data;

class session {
 public:
  explicit session(engine& e);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Runs every statement of sql (a simple query): returns one result per statement run;
  /// stops after the first error.
  std::vector<std::shared_ptr<result_data>> execute(std::string_view sql);
  /// Parses and plans one statement. On failure the returned object carries the error.
  /// `declared` fixes the types of the first parameters (unknown entries are inferred).
  std::shared_ptr<prepared_data> prepare(std::string_view sql, const std::vector<sql_type>& declared = {});
  /// The columns a statement's execution returns (none for commands), for Describe.
  void describe(const prepared_data& p, std::vector<std::string>& names, std::vector<sql_type>& types) const;
  /// Sets a setting without SET's checks (connection start-up: user, database, options).
  void set_setting(const std::string& name, std::string value);
  std::shared_ptr<result_data> execute_prepared(prepared_data& p, const std::vector<value>& params);
  const std::shared_ptr<result_data>& prepare_error(const prepared_data& p) const;
  size_t param_count(const prepared_data& p) const;
  sql_type param_type(const prepared_data& p, size_t i) const;

  bool in_transaction() const { return explicit_block_; }
  bool failed() const { return failed_; }
  /// Setting value as SHOW prints it, or "" if unknown.
  std::string setting(const std::string& name) const;
  /// The session's role (session_authorization; "postgres" by default).
  std::string current_user() const;
  /// Cancels the statement running in this session (from any thread).
  void cancel() { interrupt_.cancel(); }
  engine& eng() { return engine_; }

 private:
  std::shared_ptr<result_data> run(prepared_data& p, const std::vector<value>* params, std::string_view full_sql);
  std::shared_ptr<result_data> run_in_transaction(prepared_data& p, const std::vector<value>* params);
  /// Runs a planned query or DML statement at snap (within t, null for a snapshot reader).
  std::shared_ptr<result_data> execute_plan(prepared_data& p, const std::vector<value>* params,
                                            const txn::snapshot& snap, txn::transaction* t);
  std::shared_ptr<result_data> transaction_statement(prepared_data& p);
  std::shared_ptr<result_data> set_statement(prepared_data& p);
  std::shared_ptr<result_data> show_statement(prepared_data& p);
  void begin_implicit();
  std::unique_ptr<txn::transaction> begin_txn(txn::isolation level);
  void finish_implicit(bool ok);
  void plan(prepared_data& p);
  /// A simple query run through the plan cached for its parameterized text (sql/auto_param.h),
  /// or null when it has no such form or that form does not plan (then it runs as written).
  std::shared_ptr<result_data> run_parameterized(std::string_view sql);
  struct cached_plan {
    std::shared_ptr<prepared_data> plan;  ///< null: the parameterized text did not plan
    uint64_t catalog_version = 0;         ///< planned at this catalog version (re-planned after DDL)
    uint64_t settings_generation = 0;     ///< and these settings (re-planned after SET)
  };
  /// Plans of simple queries by parameterized text and parameter types, per session (as
  /// PostgreSQL's prepared statements). A plan with its parse tree takes up to ~0.2-0.5 kB per
  /// byte of SQL, so the cache is bounded by the SQL it holds: emptied when it would exceed
  /// max_cached_plans entries or max_cached_bytes of text (a few MB of plans at most); texts
  /// longer than max_cached_text run as written (long statements are rarely the repeated ones).
  std::unordered_map<std::string, cached_plan> cached_plans_;
  static constexpr size_t max_cached_plans = 64;
  static constexpr size_t max_cached_text = 1024;
  static constexpr size_t max_cached_bytes = 8192;
  size_t cached_bytes_ = 0;  ///< parameterized text held by cached_plans_
  uint64_t settings_generation_ = 0;  ///< bumped by every settings change

  engine& engine_;
  std::unique_ptr<txn::transaction> txn_;
  std::unique_ptr<txn::transaction> spare_txn_;
  txn::reader_slot reader_slot_;  ///< the snapshot of an autocommit point read (GC horizon)  ///< the last finished one, reused by the next begin
  bool explicit_block_ = false;
  bool implicit_block_ = false;  ///< running a multi-statement string as one transaction
  bool failed_ = false;
  bool first_in_txn_ = true;
  txn::isolation default_isolation_ = txn::isolation::read_committed;
  std::optional<txn::isolation> next_isolation_;  ///< SET TRANSACTION before the first statement
  std::map<std::string, std::string> settings_;
  storage::interrupt interrupt_;      ///< cancel requests and the running statement's deadline
  int64_t statement_timeout_ms_ = 0;  ///< the statement_timeout setting in force (0 = none)
  /// Re-reads statement_timeout after a settings change (SET, RESET, set_config, start-up).
  void refresh_timeout();

 public:
  // --- COPY (sql/copy.h) ---
  /// Whether a statement is COPY FROM STDIN / TO STDOUT, so the protocol layer knows to run it
  /// through begin_copy_in / copy_out. The string form is for a simple query: only a string
  /// holding exactly one COPY statement counts (others run through execute()).
  sql::copy_kind copy_kind_of(const prepared_data& p) const;
  sql::copy_kind copy_kind_of(std::string_view sql);
  /// Starts COPY ... FROM STDIN in the session's transaction (autocommit: its own, committed
  /// by finish(); in a block: part of it, an error aborts the block). Check error() first.
  std::shared_ptr<copy_in> begin_copy_in(prepared_data& p);
  std::shared_ptr<copy_in> begin_copy_in(std::string_view sql);
  /// Runs COPY ... TO STDOUT; the lines come from the returned object. Check error() first.
  std::shared_ptr<copy_out> run_copy_out(prepared_data& p);
  std::shared_ptr<copy_out> run_copy_out(std::string_view sql);

 private:
  friend class db001::engine::copy_in;
  /// The end of a COPY FROM started by begin_copy_in (commit / rollback / abort the block).
  void end_copy(bool implicit, bool ok);
  /// An error outside run(): in an explicit block the block is aborted (25P02 afterwards).
  void abort_block();
};

}  // namespace db001::engine
