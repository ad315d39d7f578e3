#pragma once
/// Incremental decoder of the frontend (client -> server) side of the PostgreSQL protocol 3.0.
///
/// Usage (one decoder per connection, owned by the session; not thread-safe):
///   frontend_decoder dec;
///   on bytes from the socket:  dec.feed(data, n);
///     try {
///       while (auto msg = dec.next()) { std::visit(handler, *msg); }
///     } catch (const db_error& e) {
///       if (dec.failed()) { send FATAL ErrorResponse, close; }   // framing broken
///       else { send ERROR ErrorResponse; (extended protocol: skip until Sync) and call next() again }
///     }
///
/// Phases: the decoder starts in the startup phase (untyped packets: StartupMessage,
/// SSLRequest, GSSENCRequest, CancelRequest). A StartupMessage switches it to the typed phase;
/// the other requests keep it in the startup phase (after answering SSLRequest with 'N' the
/// client sends its StartupMessage next). `start_typed()` skips the startup phase (tests).
///
/// Errors (db_error with PostgreSQL's SQLSTATE and wording):
///   fatal (failed() becomes true, every later next() throws the same error again):
///     08P01 "invalid length of startup packet", 08P01 "invalid message length" (length < 4),
///     54000 for a length beyond the limit (see decoder_limits), 08P01 "invalid frontend
///     message type N", 0A000 "unsupported frontend protocol 2.0: server supports 3.0 to 3.0",
///     08P01 "invalid startup packet layout: expected terminator as last byte".
///   per message (the message is consumed; the decoder goes on with the next one):
///     08P01 "invalid message format" (trailing bytes), "insufficient data left in message",
///     "invalid string in message" (no NUL terminator), "bind message has 2 parameter formats
///     but 3 parameters", "invalid DESCRIBE message subtype 88", "invalid CLOSE message
///     subtype 88"; 22023 "unsupported format code: 2"; 22021 "invalid byte sequence for
///     encoding \"UTF8\": 0xc3 0x28" in statement text and names; 0A000 "fastpath function
///     calls not supported" for FunctionCall ('F').
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "actors/pgwire/protocol.h"
#include "storage/error.h"

namespace db001::pgwire {

// ---------------------------------------------------------------------------------------------
// Startup-phase messages
// ---------------------------------------------------------------------------------------------

/// StartupMessage: protocol version and the key/value parameters in the order sent.
/// The protocol major version is always 3 (others are rejected); a minor version > 0 or
/// parameters starting with "_pq_." call for NegotiateProtocolVersion (the server's choice).
struct startup_message {
  int32_t version = protocol_3_0;
  std::vector<std::pair<std::string, std::string>> params;
  /// The value of parameter `key`, nullptr if absent.
  const std::string* find(std::string_view key) const;
  /// `user` ("" if absent: the server reports 28000 "no PostgreSQL user name specified in
  /// startup packet").
  std::string user() const;
  /// `database`, defaulting to the user name as PostgreSQL does.
  std::string database() const;
  /// Names of the "_pq_." protocol options, for NegotiateProtocolVersion.
  std::vector<std::string> protocol_options() const;
};
struct ssl_request {};
struct gssenc_request {};
/// CancelRequest: the target backend's process id and secret key (from BackendKeyData).
struct cancel_request {
  int32_t pid = 0;
  int32_t secret = 0;
};

// ---------------------------------------------------------------------------------------------
// Typed messages
// ---------------------------------------------------------------------------------------------

/// 'Q' simple query (the whole string; may hold several statements).
struct query_message {
  std::string sql;
};
/// 'P' Parse: statement name ("" = unnamed), text, parameter type OIDs (0 = unspecified).
struct parse_message {
  std::string name;
  std::string sql;
  std::vector<uint32_t> param_oids;
};
/// 'B' Bind. `param_formats` has 0 entries (all text), 1 (applies to all) or one per
/// parameter; `params[i]` is nullopt for NULL. `result_formats` likewise 0, 1 or one per
/// column (its count is checked against the columns by the server). All format codes are 0/1.
struct bind_message {
  std::string portal;
  std::string statement;
  std::vector<int16_t> param_formats;
  std::vector<std::optional<std::string>> params;
  std::vector<int16_t> result_formats;
  int16_t param_format(size_t i) const { return format_for(param_formats, i); }
  /// REQUIRES: result_formats.size() is 0, 1 or > col.
  int16_t result_format(size_t col) const { return format_for(result_formats, col); }
};
/// 'D' Describe: kind 'S' (statement) or 'P' (portal).
struct describe_message {
  char kind = 'S';
  std::string name;
};
/// 'E' Execute: max_rows <= 0 means all rows.
struct execute_message {
  std::string portal;
  int32_t max_rows = 0;
};
/// 'C' Close: kind 'S' or 'P'.
struct close_message {
  char kind = 'S';
  std::string name;
};
struct sync_message {};
struct flush_message {};
struct terminate_message {};
struct copy_data_message {
  std::string data;
};
struct copy_done_message {};
struct copy_fail_message {
  std::string message;
};
/// 'p': PasswordMessage, SASLInitialResponse or SASLResponse; which one depends on the
/// authentication request the server sent, so the body is kept raw. Interpret it with
/// parse_password_message / parse_sasl_initial_response / sasl_response_data.
struct password_message {
  std::string body;
};

using frontend_message =
    std::variant<startup_message, ssl_request, gssenc_request, cancel_request, query_message, parse_message,
                 bind_message, describe_message, execute_message, close_message, sync_message, flush_message,
                 terminate_message, copy_data_message, copy_done_message, copy_fail_message, password_message>;

/// Checks a Bind against its prepared statement: 08P01 "bind message supplies 1 parameters,
/// but prepared statement \"s1\" requires 2" (PostgreSQL's wording) when the counts differ.
void check_bind_param_count(const bind_message& m, size_t statement_params);
/// Checks a Bind's result format codes against the portal's columns: 08P01 "bind message has
/// 2 result formats but query has 3 columns" unless there are 0, 1 or `columns` codes.
void check_result_format_count(const bind_message& m, size_t columns);

/// SASLInitialResponse: the selected mechanism and the client-first-message (nullopt when
/// the client sent length -1, i.e. no initial response).
struct sasl_initial_response {
  std::string mechanism;
  std::optional<std::string> data;
};

/// The cleartext password of a PasswordMessage (08P01 on a missing terminator or trailing bytes).
std::string parse_password_message(const password_message& m);
/// The fields of a SASLInitialResponse (08P01 "invalid string in message", "insufficient
/// data left in message", "invalid message format").
sasl_initial_response parse_sasl_initial_response(const password_message& m);
/// The data of a SASLResponse: the whole body.
inline const std::string& sasl_response_data(const password_message& m) { return m.body; }

/// Size limits of the decoder; the defaults are PostgreSQL's.
struct decoder_limits {
  uint32_t max_message = default_max_message_length;              ///< Query, Parse, Bind, CopyData, ...
  uint32_t max_small_message = default_max_small_message_length;  ///< Sync, Describe, Execute, ...
  uint32_t max_startup = default_max_startup_length;              ///< startup packet body
  uint32_t max_auth_message = default_max_auth_message_length;    ///< 'p'
};

/// Throws 22021 `invalid byte sequence for encoding "UTF8": 0x..` if s is not valid UTF-8
/// or contains a NUL byte (PostgreSQL's pg_verify_mbstr wording: the bytes of the bad
/// character, space separated).
void check_utf8(std::string_view s);

class frontend_decoder {
 public:
  explicit frontend_decoder(decoder_limits limits = {}) : limits_(limits) {}

  /// Appends received bytes. Cheap: bytes are only copied into the internal buffer.
  void feed(const char* data, size_t n);
  void feed(std::string_view s) { feed(s.data(), s.size()); }
  /// The next complete message, nullopt when more bytes are needed. Throws db_error on
  /// malformed input (see the header comment for which errors are fatal).
  std::optional<frontend_message> next();

  /// True after a fatal framing error: the connection must be closed.
  bool failed() const { return failed_.has_value(); }
  /// True while in the startup phase (before a StartupMessage).
  bool in_startup() const { return startup_; }
  /// Leaves the startup phase without a StartupMessage (tests, or a server that handled it).
  void start_typed() { startup_ = false; }
  /// Bytes received but not yet decoded.
  size_t buffered() const { return buf_.size() - pos_; }
  /// Frees the buffer's memory if nothing is pending (an idle connection).
  void shrink() {
    if (pos_ == buf_.size()) {
      std::string().swap(buf_);
      pos_ = 0;
    }
  }

 private:
  std::optional<frontend_message> next_startup();
  std::optional<frontend_message> next_typed();
  [[noreturn]] void fail(db_error e);

  decoder_limits limits_;
  std::string buf_;
  size_t pos_ = 0;
  bool startup_ = true;
  std::optional<db_error> failed_;
};

}  // namespace db001::pgwire
