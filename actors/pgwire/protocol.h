#pragma once
/// Constants of the PostgreSQL frontend/backend protocol 3.0 (message type bytes, special
/// request codes, format codes, type OIDs, SQLSTATEs the storage layer does not define) and
/// the mapping between DB-001's sql_type and PostgreSQL's (oid, typlen, typmod).
/// Pure C++ (no CAF): the server loop and its tests include it.
///
/// Message layout (all integers big-endian):
///   startup phase (no type byte):  int32 length (including itself) | int32 code | body
///   after startup:                 byte type | int32 length (including itself, not the type) | body
#include <cstdint>
#include <optional>
#include <string_view>

#include "storage/error.h"
#include "storage/types.h"

namespace db001::pgwire {

/// SQLSTATEs used only by the wire protocol (PostgreSQL's values); the engine's codes of
/// storage/error.h are visible here too (pgwire::sqlstate::syntax_error works).
namespace sqlstate {
using namespace ::db001::sqlstate;
inline constexpr const char* protocol_violation = "08P01";
inline constexpr const char* invalid_authorization_specification = "28000";
inline constexpr const char* invalid_password = "28P01";
inline constexpr const char* invalid_binary_representation = "22P03";
}  // namespace sqlstate

/// Protocol version numbers: (major << 16) | minor.
inline constexpr int32_t protocol_version(int major, int minor) { return (major << 16) | minor; }
inline constexpr int protocol_major(int32_t v) { return int(uint32_t(v) >> 16); }
inline constexpr int protocol_minor(int32_t v) { return int(uint32_t(v) & 0xffff); }
/// The only version we speak: 3.0 = 196608.
inline constexpr int32_t protocol_3_0 = protocol_version(3, 0);

/// Codes in the version field of a startup-phase packet that are requests, not versions.
inline constexpr int32_t cancel_request_code = 80877102;  ///< (1234 << 16) | 5678
inline constexpr int32_t ssl_request_code = 80877103;     ///< (1234 << 16) | 5679
inline constexpr int32_t gssenc_request_code = 80877104;  ///< (1234 << 16) | 5680

/// Largest message PostgreSQL accepts (PQ_LARGE_MESSAGE_LIMIT: 1 GiB - 1).
inline constexpr uint32_t default_max_message_length = (1u << 30) - 1;
/// Largest message of the fixed-size kinds (Sync, Describe, Close, Execute, ...):
/// PostgreSQL's PQ_SMALL_MESSAGE_LIMIT.
inline constexpr uint32_t default_max_small_message_length = 10000;
/// Largest startup packet body (PostgreSQL's MAX_STARTUP_PACKET_LENGTH).
inline constexpr uint32_t default_max_startup_length = 10000;
/// Largest password / SASL message (PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH).
inline constexpr uint32_t default_max_auth_message_length = 65535;

/// Frontend (client -> server) message type bytes.
namespace frontend_type {
inline constexpr char bind = 'B';
inline constexpr char close = 'C';
inline constexpr char copy_data = 'd';
inline constexpr char copy_done = 'c';
inline constexpr char copy_fail = 'f';
inline constexpr char describe = 'D';
inline constexpr char execute = 'E';
inline constexpr char flush = 'H';
inline constexpr char function_call = 'F';
inline constexpr char parse = 'P';
inline constexpr char password = 'p';  ///< PasswordMessage, SASLInitialResponse, SASLResponse
inline constexpr char query = 'Q';
inline constexpr char sync = 'S';
inline constexpr char terminate = 'X';
}  // namespace frontend_type

/// Backend (server -> client) message type bytes.
namespace backend_type {
inline constexpr char authentication = 'R';
inline constexpr char backend_key_data = 'K';
inline constexpr char bind_complete = '2';
inline constexpr char close_complete = '3';
inline constexpr char command_complete = 'C';
inline constexpr char copy_data = 'd';
inline constexpr char copy_done = 'c';
inline constexpr char copy_in_response = 'G';
inline constexpr char copy_out_response = 'H';
inline constexpr char copy_both_response = 'W';
inline constexpr char data_row = 'D';
inline constexpr char empty_query_response = 'I';
inline constexpr char error_response = 'E';
inline constexpr char negotiate_protocol_version = 'v';
inline constexpr char no_data = 'n';
inline constexpr char notice_response = 'N';
inline constexpr char notification_response = 'A';
inline constexpr char parameter_description = 't';
inline constexpr char parameter_status = 'S';
inline constexpr char parse_complete = '1';
inline constexpr char portal_suspended = 's';
inline constexpr char ready_for_query = 'Z';
inline constexpr char row_description = 'T';
}  // namespace backend_type

/// Authentication request codes (the int32 after 'R').
namespace auth_code {
inline constexpr int32_t ok = 0;
inline constexpr int32_t cleartext_password = 3;
inline constexpr int32_t md5_password = 5;
inline constexpr int32_t sasl = 10;
inline constexpr int32_t sasl_continue = 11;
inline constexpr int32_t sasl_final = 12;
}  // namespace auth_code

/// Transaction status in ReadyForQuery.
enum class transaction_status : char { idle = 'I', in_block = 'T', failed = 'E' };

/// Format codes of Bind parameters, result columns and COPY.
inline constexpr int16_t format_text = 0;
inline constexpr int16_t format_binary = 1;

/// Field codes of ErrorResponse / NoticeResponse.
namespace error_field {
inline constexpr char severity = 'S';  ///< localized severity
inline constexpr char severity_nonlocalized = 'V';
inline constexpr char code = 'C';
inline constexpr char message = 'M';
inline constexpr char detail = 'D';
inline constexpr char hint = 'H';
inline constexpr char position = 'P';
inline constexpr char context = 'W';  ///< where the error happened (COPY line, ...), after P as PostgreSQL sends it
}  // namespace error_field

/// PostgreSQL type OIDs (pg_type.oid) of the types DB-001 has, plus a few common others.
namespace oid {
inline constexpr uint32_t unspecified = 0;  ///< Parse: "let the server infer"
inline constexpr uint32_t bool_ = 16;
inline constexpr uint32_t bytea = 17;
inline constexpr uint32_t int8 = 20;
inline constexpr uint32_t int2 = 21;
inline constexpr uint32_t int4 = 23;
inline constexpr uint32_t text = 25;
inline constexpr uint32_t oid = 26;
inline constexpr uint32_t float4 = 700;
inline constexpr uint32_t float8 = 701;
inline constexpr uint32_t unknown = 705;
inline constexpr uint32_t bpchar = 1042;
inline constexpr uint32_t varchar = 1043;
inline constexpr uint32_t date = 1082;
inline constexpr uint32_t timestamp = 1114;
inline constexpr uint32_t timestamptz = 1184;
inline constexpr uint32_t numeric = 1700;
}  // namespace oid

/// How a result column of a type is described in RowDescription.
struct wire_type {
  uint32_t oid = oid::text;
  int16_t typlen = -1;  ///< pg_type.typlen: fixed byte size, -1 = variable length
  int32_t typmod = -1;  ///< atttypmod: -1 = none
  bool operator==(const wire_type&) const = default;
};

/// The RowDescription/ParameterDescription view of `t`: int2 21/2, int4 23/4, int8 20/8,
/// float4 700/4, float8 701/8, bool 16/1, numeric 1700/-1 with typmod ((p << 16) | s) + 4
/// (-1 without precision), text 25/-1, varchar 1043/-1 and bpchar 1042/-1 with typmod n + 4
/// (-1 without length), date 1082/4, timestamp 1114/8; unknown and NULL-typed columns are
/// described as text (as PostgreSQL resolves unknown output columns).
constexpr wire_type wire_type_of(sql_type t) {
  switch (t.id) {
    case type_id::boolean:
      return {oid::bool_, 1, -1};
    case type_id::int16:
      return {oid::int2, 2, -1};
    case type_id::int32:
      return {oid::int4, 4, -1};
    case type_id::int64:
      return {oid::int8, 8, -1};
    case type_id::float32:
      return {oid::float4, 4, -1};
    case type_id::float64:
      return {oid::float8, 8, -1};
    case type_id::numeric:
      return {oid::numeric, -1, t.width > 0 ? ((int32_t(t.width) << 16) | (t.scale < 0 ? 0 : t.scale)) + 4 : -1};
    case type_id::varchar:
      return {oid::varchar, -1, t.width > 0 ? t.width + 4 : -1};
    case type_id::bpchar:
      return {oid::bpchar, -1, t.width > 0 ? t.width + 4 : -1};
    case type_id::date:
      return {oid::date, 4, -1};
    case type_id::timestamp:
      return {oid::timestamp, 8, -1};
    case type_id::text:
    case type_id::unknown:
    case type_id::null_:
      return {oid::text, -1, -1};
  }
  return {oid::text, -1, -1};
}

/// The sql_type of a parameter type OID given in Parse: 0 (unspecified) and 705 (unknown)
/// give sql_type::unknown() (the binder infers the type); OIDs of types DB-001 lacks
/// (bytea, timestamptz, json, ...) give nullopt (the server reports 0A000 or 42704).
constexpr std::optional<sql_type> sql_type_of_oid(uint32_t o) {
  switch (o) {
    case oid::unspecified:
    case oid::unknown:
      return sql_type::unknown();
    case oid::bool_:
      return sql_type::boolean();
    case oid::int2:
      return sql_type::int16();
    case oid::int4:
      return sql_type::int32();
    case oid::int8:
      return sql_type::int64();
    case oid::float4:
      return sql_type::float32();
    case oid::float8:
      return sql_type::float64();
    case oid::numeric:
      return sql_type::numeric();
    case oid::text:
      return sql_type::text();
    case oid::varchar:
      return sql_type::varchar();
    case oid::bpchar:
      return sql_type::bpchar();
    case oid::date:
      return sql_type::date();
    case oid::timestamp:
      return sql_type::timestamp();
    default:
      return std::nullopt;
  }
}

/// The format code of column/parameter i given a list of format codes as in Bind (result
/// formats) and CopyResponse: no codes = all text, one code = applies to all, else one per
/// column. REQUIRES: codes.size() is 0, 1 or > i.
template <class Codes>
constexpr int16_t format_for(const Codes& codes, size_t i) {
  if (codes.size() == 0) return format_text;
  if (codes.size() == 1) return codes[0];
  return codes[i];
}

}  // namespace db001::pgwire
