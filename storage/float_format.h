#pragma once
/// Text I/O of REAL and DOUBLE PRECISION exactly as PostgreSQL 15 does it
/// (extra_float_digits = 1: the shortest text that reads back to the same value).
///
/// Layout rule (PostgreSQL's Ryu-based float8out/float4out): with X the decimal exponent of
/// the first significant digit, exponential notation "d.ddde+XX" (at least two exponent
/// digits) when X < -4 or X >= 15 (float8) / X >= 6 (float4); plain digits otherwise.
/// Specials: "NaN", "Infinity", "-Infinity"; negative zero prints "-0".
#include <cstddef>
#include <string>
#include <string_view>

namespace db001 {

/// Buffer size enough for any formatted float ("-2.2250738585072014e-308" is 24 bytes).
inline constexpr size_t float_text_max = 32;

/// Writes PostgreSQL's text for a float8 to `out` (>= float_text_max bytes); returns the length.
size_t format_float8(double d, char* out);
/// PostgreSQL's text for a float8: 0.1 -> "0.1", 1e20 -> "1e+20", inf -> "Infinity".
std::string format_float8(double d);
/// Writes PostgreSQL's text for a float4 to `out` (>= float_text_max bytes); returns the length.
size_t format_float4(float f, char* out);
/// PostgreSQL's text for a float4: 1e6 -> "1e+06", 123456 -> "123456".
std::string format_float4(float f);

/// Parses float8 input as PostgreSQL's float8in: surrounding whitespace, optional sign, decimal
/// or exponent notation, hex ("0x1p4"), NaN / [+-]Infinity / [+-]inf (any case).
/// 22P02 `invalid input syntax for type double precision: "<text>"`;
/// 22003 `"<number>" is out of range for type double precision` on overflow/underflow to 0.
double parse_float64(std::string_view text);
/// Parses float4 input as PostgreSQL's float4in (messages name type "real").
float parse_float32(std::string_view text);

}  // namespace db001
