#pragma once
/// Values on the wire: PostgreSQL's text output and binary send/recv formats of DB-001's types,
/// for DataRow fields (encode) and Bind parameters (decode). Pure functions, thread-safe.
///
/// Binary formats (big-endian), as PostgreSQL's *send / *recv:
///   bool 1 byte (recv: any non-zero is true); int2/int4/int8 2/4/8 bytes two's complement;
///   float4/float8 IEEE 754 bits; text/varchar/bpchar the UTF-8 bytes;
///   date int32 days since 2000-01-01; timestamp int64 microseconds since 2000-01-01 00:00
///   (+-infinity = INT32/INT64 max/min as in storage);
///   numeric: int16 ndigits, int16 weight, uint16 sign (0x0000 +, 0x4000 -, 0xC000 NaN),
///   uint16 dscale, then ndigits int16 base-10000 digits; the value is
///   sum(digit[i] * 10000^(weight - i)), leading/trailing zero digits stripped, zero = no digits.
/// Text output is exactly PostgreSQL's (value::to_string and the storage formatters):
/// booleans t/f, floats in the shortest round-trip form (extra_float_digits = 1), numerics
/// with all `scale` digits, dates 'YYYY-MM-DD', timestamps 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actors/pgwire/protocol.h"
#include "exec/batch.h"
#include "storage/numeric.h"
#include "storage/value.h"

namespace db001::pgwire {

// ---------------------------------------------------------------------------------------------
// Encoding (DataRow)
// ---------------------------------------------------------------------------------------------

/// Appends a DataRow field for cell `row` (physical row index) of column vector `v`: int32
/// length (-1 for NULL) then the text (format 0) or binary (format 1) bytes. No allocation
/// besides `out`'s own growth.
void append_field(std::string& out, const exec::vector& v, uint32_t row, int16_t format);
/// Appends a DataRow field for a boxed value (NULL: length -1).
void append_field(std::string& out, const value& v, int16_t format);
/// Appends the text output of non-NULL `v` (no length prefix).
void append_text(std::string& out, const value& v);
/// Appends the binary send format of non-NULL `v` (no length prefix).
void append_binary(std::string& out, const value& v);
/// Appends PostgreSQL's binary numeric for unscaled / 10^scale (|unscaled| < 10^38, scale >= 0).
void append_numeric_binary(std::string& out, int128_t unscaled, int scale);

// ---------------------------------------------------------------------------------------------
// Decoding (Bind parameters)
// ---------------------------------------------------------------------------------------------

/// The decimal text of a binary numeric (PostgreSQL's numeric_recv, digits beyond dscale
/// truncated): "-12345.678". 22P03 `invalid sign in external "numeric" value` / `invalid
/// scale ...` / `invalid digit ...`; 08P01 "insufficient data left in message" when short;
/// 0A000 "numeric NaN/Infinity is not supported" for NaN and +-Infinity.
/// `extra` is set to the number of unread trailing bytes.
std::string numeric_binary_to_text(std::string_view bytes, size_t* extra = nullptr);

/// Decodes Bind parameter number `param_no` (1-based, for messages) into a value of `target`.
///   NULL (nullopt): value::null(target).
///   Text (format 0): UTF-8 checked (22021), then the input function of `target` with
///     assignment semantics (22P02 invalid input syntax, 22003 out of range, 22008, 22001 ...).
///   Binary (format 1): the recv function of `target`; 08P01 "insufficient data left in
///     message" when too short, 22P03 "incorrect binary data format in bind parameter N" when
///     bytes are left over (both as PostgreSQL's exec_bind_message), 22008 "date out of range"
///     / "timestamp out of range", and the numeric errors above.
/// An unknown/NULL-typed target (parameter type not inferred) yields a value of type
/// unknown holding the text (binary: the bytes as text).
value decode_param(const std::optional<std::string>& bytes, int16_t format, sql_type target, int param_no);

}  // namespace db001::pgwire
