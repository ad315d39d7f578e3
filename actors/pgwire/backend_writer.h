#pragma once
/// Encoder of backend (server -> client) messages of the PostgreSQL protocol 3.0 into one
/// growing byte buffer. Each call appends one complete message (type byte, int32 length
/// back-patched after the body). The buffer keeps its capacity across clear(), so a session
/// that writes, flushes and clears allocates only while its high-water mark grows.
///
/// Usage (one writer per connection; not thread-safe):
///   backend_writer w;
///   w.authentication_ok(); w.parameter_status("server_version", "15.0"); ...
///   w.ready_for_query(transaction_status::idle);
///   socket.write(w.data(), w.size()); w.clear();
/// Simple query with rows:
///   w.row_description(r.names, r.types, {});           // {} = all text
///   w.data_rows(*r.rows, 0, r.rows->row_count(), {});  // fast path over column vectors
///   w.command_complete(r.tag); w.ready_for_query(...);
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "actors/pgwire/protocol.h"
#include "storage/error.h"
#include "storage/types.h"
#include "storage/value.h"

namespace db001::exec {
class row_collection;
}
namespace db001::engine {
struct result_data;
}

namespace db001::pgwire {

/// Severity of an ErrorResponse / NoticeResponse (fields S and V).
enum class severity : uint8_t { error, fatal, panic, warning, notice, debug, info, log };
/// "ERROR", "FATAL", "NOTICE", ... (PostgreSQL's non-localized names).
const char* severity_name(severity s);

/// The fields of an ErrorResponse or NoticeResponse. Empty strings / position 0 are omitted.
struct error_fields {
  severity level = severity::error;
  std::string code;     ///< SQLSTATE (C)
  std::string message;  ///< M
  std::string detail;   ///< D
  std::string hint;     ///< H
  int position = 0;     ///< P: 1-based character position in the statement
  std::string context;  ///< W: e.g. "COPY t, line 3, column a: \"x\""
};

/// The fields of a db_error. Its position is used as is: convert byte positions
/// (e.position_in_bytes()) to characters first if the statement text is at hand.
error_fields fields_of(const db_error& e, severity level = severity::error);
/// The error fields of a failed statement result (result_data::code != "00000").
error_fields fields_of(const engine::result_data& r, severity level = severity::error);

class backend_writer {
 public:
  backend_writer() = default;

  /// The encoded bytes so far.
  const char* data() const { return buf_.data(); }
  size_t size() const { return buf_.size(); }
  bool empty() const { return buf_.empty(); }
  std::string_view view() const { return buf_; }
  /// Drops the bytes (after they were sent), keeping the capacity.
  void clear() { buf_.clear(); }
  /// Drops the first n bytes (after a partial send).
  void consume(size_t n) { buf_.erase(0, n); }
  /// The underlying buffer (to swap it out or append raw bytes).
  std::string& buffer() { return buf_; }

  // --- Connection start-up and authentication --------------------------------------------

  /// The single byte 'N' that refuses an SSLRequest or GSSENCRequest (no message framing).
  void ssl_refused() { buf_.push_back('N'); }
  void authentication_ok();
  void authentication_cleartext_password();
  /// AuthenticationSASL with the offered mechanisms (e.g. {"SCRAM-SHA-256"}).
  void authentication_sasl(std::span<const std::string_view> mechanisms);
  /// AuthenticationSASLContinue: the server-first-message.
  void authentication_sasl_continue(std::string_view data);
  /// AuthenticationSASLFinal: the server-final-message.
  void authentication_sasl_final(std::string_view data);
  void parameter_status(std::string_view name, std::string_view value);
  void backend_key_data(int32_t pid, int32_t secret);
  /// NegotiateProtocolVersion: the newest minor version we support (0) and the "_pq_."
  /// options we did not recognize.
  void negotiate_protocol_version(int32_t newest_minor, std::span<const std::string> unrecognized);
  void ready_for_query(transaction_status status);

  // --- Results --------------------------------------------------------------------------

  /// RowDescription: one field per column, type from wire_type_of(), table OID and column
  /// number 0, format from `formats` (0 codes = text, 1 = for all, else one per column).
  void row_description(std::span<const std::string> names, std::span<const sql_type> types,
                       std::span<const int16_t> formats);
  /// DataRow from boxed values (slow path: prepared results, tests).
  void data_row(std::span<const value> values, std::span<const int16_t> formats);
  /// DataRows for rows [first, first + max_rows) of `rows` (clamped to its row count), read
  /// straight from the column vectors. Returns the number of rows written.
  size_t data_rows(const exec::row_collection& rows, size_t first, size_t max_rows, std::span<const int16_t> formats);
  void command_complete(std::string_view tag);
  void empty_query_response();
  void error_response(const error_fields& f);
  void error_response(const db_error& e, severity level = severity::error) { error_response(fields_of(e, level)); }
  /// NoticeResponse (level NOTICE, WARNING, ...).
  void notice_response(const error_fields& f);
  /// NoticeResponse with severity NOTICE, code 00000 and `message` (result_data::notices).
  void notice(std::string_view message);

  // --- Extended query -------------------------------------------------------------------

  void parse_complete();
  void bind_complete();
  void close_complete();
  void no_data();
  void portal_suspended();
  /// ParameterDescription with the given type OIDs.
  void parameter_description(std::span<const uint32_t> oids);
  /// ParameterDescription of sql_types (through wire_type_of).
  void parameter_description(std::span<const sql_type> types);

  // --- COPY -----------------------------------------------------------------------------

  /// CopyInResponse: overall format (0 text, 1 binary) and one format per column.
  void copy_in_response(int8_t format, std::span<const int16_t> column_formats);
  void copy_out_response(int8_t format, std::span<const int16_t> column_formats);
  void copy_data(std::string_view data);
  void copy_done();

 private:
  /// Starts a message: appends the type and a placeholder length; returns its offset.
  size_t begin(char type);
  /// Back-patches the length of the message started at `at`.
  void end(size_t at);
  void put8(uint8_t v) { buf_.push_back(char(v)); }
  void put16(uint16_t v);
  void put32(uint32_t v);
  void put_string(std::string_view s);  ///< bytes then NUL
  void empty_message(char type);
  void fields(const error_fields& f);
  void copy_response(char type, int8_t format, std::span<const int16_t> column_formats);

  std::string buf_;
};

}  // namespace db001::pgwire
