#pragma once
/// COPY in the engine: the statement's description (describe_copy), the text and CSV data
/// formats (copy_parser for COPY FROM, copy_formatter for COPY TO), and the two objects the
/// wire protocol drives through engine::session:
///
///   copy_in  — COPY ... FROM STDIN: fed CopyData bytes in arbitrary chunks, it parses rows,
///              converts them with the column types' input and writes them in the session's
///              transaction; finish() on CopyDone, fail() on CopyFail.
///   copy_out — COPY ... TO STDOUT: the query already run; hands out one line per CopyData.
///
/// Errors follow PostgreSQL 15: SQLSTATE, message, hint, and the context line
/// ("COPY t, line 3, column a: \"x\"") in result_data::context.
///
/// Not thread-safe: a copy_in / copy_out belongs to its session's thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sql/engine.h"
#include "storage/interrupt.h"

namespace db001::sql {

class node;

enum class copy_format : uint8_t { text, csv, binary };
/// What a statement is as far as the protocol layer is concerned.
enum class copy_kind : uint8_t {
  none,        ///< not a COPY statement
  from_stdin,  ///< COPY ... FROM STDIN: CopyInResponse, then copy_in
  to_stdout,   ///< COPY ... TO STDOUT: CopyOutResponse, then copy_out's lines
  other,       ///< COPY to/from a file or program: runs (and fails) as an ordinary statement
};

/// The options of a COPY statement after PostgreSQL's defaults and checks (ProcessCopyOptions).
struct copy_options {
  copy_format format = copy_format::text;
  char delimiter = '\t';
  std::string null_marker = "\\N";
  bool header = false;
  bool header_match = false;  ///< HEADER MATCH (COPY FROM only)
  char quote = '"';           ///< CSV only
  char escape = '"';          ///< CSV only
  bool force_quote_all = false;
  std::vector<std::string> force_quote, force_not_null, force_null;  ///< column names
  bool freeze = false;                                               ///< accepted and ignored
  bool csv() const { return format == copy_format::csv; }
};

/// A CopyStmt, described without the catalog.
struct copy_spec {
  copy_kind kind = copy_kind::none;
  bool is_from = false;
  bool has_query = false;            ///< COPY (SELECT ...) TO
  std::string table;                 ///< lower-cased relation name (when !has_query)
  std::vector<std::string> columns;  ///< the column list ("" = all columns)
  bool has_where = false;
  copy_options opts;
};

/// Describes a CopyStmt (the inner object of {"CopyStmt": {...}}). Throws db_error with
/// PostgreSQL's SQLSTATE and message for invalid or conflicting options, file or program
/// targets (42501), and FORMAT binary (0A000, not supported).
copy_spec describe_copy(const node& copy_stmt);
/// The copy_kind of a parse-tree statement node ({"CopyStmt": ...} or anything else); never
/// throws (invalid options still give from_stdin / to_stdout: running it reports them).
copy_kind copy_kind_of(const node& stmt);
/// A cheap textual test: does sql start (after blanks and comments) with the keyword COPY?
bool starts_with_copy(std::string_view sql);

/// One parsed field of a COPY FROM row; data points into the parser (valid during the
/// callback only).
struct copy_field {
  const char* data = nullptr;
  uint32_t size = 0;
  bool null = false;
  bool quoted = false;  ///< CSV: some part of it was quoted
  std::string_view view() const { return {data, size}; }
};

/// Receives the rows of a copy_parser.
class copy_row_sink {
 public:
  virtual ~copy_row_sink() = default;
  virtual void row(std::span<const copy_field> fields) = 0;
};

/// Incremental parser of COPY FROM's text and CSV formats (PostgreSQL 15's CopyReadLineText,
/// CopyReadAttributesText and CopyReadAttributesCSV): fed chunks that need not align with
/// lines; rows go to a sink as soon as they are complete. The header line is skipped (or, for
/// HEADER MATCH, checked against `header_names`). Throws db_error (22P04 format errors,
/// 22021 invalid UTF-8); the state then stays at the failing line for context().
class copy_parser {
 public:
  copy_parser(const copy_options& opts, std::vector<std::string> header_names = {});
  /// Consumes bytes. After the end-of-data marker (\.) the rest is ignored.
  void feed(std::string_view bytes, copy_row_sink& sink);
  /// End of data: the last line without a terminator becomes a row.
  void finish(copy_row_sink& sink);
  bool ended() const { return ended_; }
  /// PostgreSQL's line number of the line being read (CSV counts quoted newlines too).
  uint64_t line_number() const { return line_open_ ? lineno_ : lineno_ + 1; }
  /// The raw text of the current line while a row is being processed (for error context).
  std::string_view line_text() const { return line_; }
  bool line_valid() const { return line_valid_; }

 private:
  enum class eol : uint8_t { unknown, nl, cr, crnl };
  enum class scan : uint8_t { more, line, marker, eof };
  void run(bool eof, copy_row_sink& sink);
  scan scan_line(bool eof);
  void emit_line(size_t end, copy_row_sink& sink);
  void split_text(std::string_view line);
  void split_csv(std::string_view line);
  [[noreturn]] void fail_format(const char* msg, const char* hint = nullptr);

  copy_options opts_;
  std::vector<std::string> header_names_;
  bool header_pending_;
  std::string buf_;  ///< unconsumed input; the current line starts at line_start_
  size_t line_start_ = 0;
  size_t pos_ = 0;       ///< scan cursor (>= line_start_)
  size_t line_end_ = 0;  ///< after scan_line(): where the line's content ends
  size_t next_ = 0;      ///< after scan_line(): where the next line starts
  bool in_quote_ = false, last_was_esc_ = false;
  eol eol_ = eol::unknown;
  uint64_t lineno_ = 0;
  bool line_open_ = false;
  bool ended_ = false;
  std::string_view line_;
  bool line_valid_ = false;
  std::vector<copy_field> fields_;
  std::string scratch_;  ///< de-escaped field bytes (reserved per line: pointers stay valid)
  uint8_t special_[256];
};

/// Formats result rows as COPY TO lines (PostgreSQL's CopyAttributeOutText / ...CSV).
class copy_formatter {
 public:
  copy_formatter(const copy_options& opts, std::vector<bool> force_quote)
      : opts_(opts), force_(std::move(force_quote)) {}
  /// The header line (column names), with its '\n'.
  void header(const std::vector<std::string>& names, std::string& out) const;
  /// One row of text cells (nullopt = NULL), with its '\n'.
  void row(std::span<const std::optional<std::string_view>> cells, std::string& out) const;
  /// Appends one cell (no delimiter).
  void cell(std::string_view s, size_t col, size_t ncols, std::string& out) const;
  void null_cell(std::string& out) const { out += opts_.null_marker; }

 private:
  copy_options opts_;
  std::vector<bool> force_;
};

/// A COPY statement resolved against the catalog.
struct copy_target {
  copy_spec spec;
  std::shared_ptr<storage::table> tbl;                           ///< null for COPY (query) TO
  std::vector<int> attnums;                                      ///< table column of each COPY column
  std::vector<uint8_t> force_quote, force_not_null, force_null;  ///< flags per COPY column
};
/// describe_copy plus the catalog checks, in PostgreSQL's order: file targets (42501), the
/// relation (42P01), the options, views (42809), columns (42703, 42701), FORCE_* columns
/// (42P10). COPY FROM ... WHERE is 0A000 (not supported).
copy_target resolve_copy(storage::catalog& cat, const node& copy_stmt);
/// The SELECT that COPY table TO runs: `SELECT "a", "b" FROM "t"`.
std::string copy_select_text(const copy_target& t);
/// For session::execute (no protocol layer): the statement's own errors, else 0A000.
[[noreturn]] void reject_copy_without_protocol(storage::catalog& cat, const node& copy_stmt);

/// Parses a whole input (tests, the shell): the rows as optional strings.
std::vector<std::vector<std::optional<std::string>>> parse_copy_data(const copy_options& opts, std::string_view data);

}  // namespace db001::sql

namespace db001::engine {

class session;
struct prepared_data;

/// COPY ... FROM STDIN in progress (see session::begin_copy_in). Drive it with feed() for every
/// CopyData, then finish() (CopyDone) or fail() (CopyFail). feed() returns null while all is
/// well, or the error result once (the COPY is then over: the transaction is rolled back, or
/// the explicit block aborted; later calls return the same error and ignore their input).
/// Destroying an unfinished copy_in (connection lost) rolls it back like fail().
class copy_in {
 public:
  ~copy_in();
  copy_in(const copy_in&) = delete;
  copy_in& operator=(const copy_in&) = delete;

  /// Non-null when the statement failed before any data (ErrorResponse instead of
  /// CopyInResponse): bad table, bad options, aborted transaction block...
  const std::shared_ptr<result_data>& error() const { return error_; }
  /// For CopyInResponse: overall format 0 (text; CSV is text too) and the column count.
  size_t column_count() const;
  const sql::copy_options& options() const;

  std::shared_ptr<result_data> feed(std::string_view bytes);
  /// CopyDone: the last line, then commit (autocommit) -> tag "COPY n"; or the error.
  std::shared_ptr<result_data> finish();
  /// CopyFail: 57014 "COPY from stdin failed: <message>"; rolls back.
  std::shared_ptr<result_data> fail(const std::string& client_message);
  bool done() const { return done_; }
  uint64_t rows() const;

 private:
  friend class session;
  struct impl;
  explicit copy_in(session& s);
  /// Resolves the statement and prepares the load in transaction t (called by the session).
  void start(const sql::node& stmt, engine& eng, txn::transaction& t, const storage::interrupt* cancel);
  std::shared_ptr<result_data> error_from(const std::exception_ptr& e);

  session& session_;
  std::unique_ptr<impl> impl_;
  std::shared_ptr<result_data> error_;
  bool implicit_ = false;  ///< autocommit: this COPY owns its transaction
  bool done_ = false;
};

/// COPY ... TO STDOUT, already run (see session::copy_out): send CopyOutResponse (format 0,
/// column_count() columns), then one CopyData per next() line, CopyDone, and CommandComplete
/// with result()->tag ("COPY n").
class copy_out {
 public:
  /// Non-null when the statement failed (ErrorResponse, no CopyOutResponse).
  const std::shared_ptr<result_data>& error() const { return error_; }
  size_t column_count() const { return names_.size(); }
  const sql::copy_options& options() const { return opts_; }
  /// Appends the next line (header first, each ending in '\n') to `line`; false at the end.
  bool next(std::string& line);
  /// Every remaining line concatenated (tests, the shell).
  std::string all();
  /// The command completion: tag "COPY n".
  std::shared_ptr<result_data> result() const { return done_; }

 private:
  friend class session;
  copy_out() = default;
  /// rows: the query's result; force_quote: flags per column (empty: from opts by name).
  void init(const sql::copy_options& opts, std::shared_ptr<result_data> rows, std::vector<uint8_t> force_quote);

  std::shared_ptr<result_data> error_, done_, rows_;
  sql::copy_options opts_;
  std::vector<std::string> names_;
  std::unique_ptr<sql::copy_formatter> fmt_;
  bool header_pending_ = false;
  size_t chunk_ = 0, row_ = 0;
  std::vector<std::optional<std::string_view>> cells_;
  std::vector<std::string> texts_;
};

}  // namespace db001::engine
