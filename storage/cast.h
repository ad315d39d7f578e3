#pragma once
/// Casts between SQL types with PostgreSQL's rules, the text input of every type, and the type
/// resolution helpers of the binder (which casts exist at which context, common supertypes).
///
/// Include this header to get the whole scalar type library (numeric, datetime, floats).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "storage/datetime.h"
#include "storage/error.h"
#include "storage/float_format.h"
#include "storage/numeric.h"
#include "storage/types.h"
#include "storage/value.h"

namespace db001 {

/// The context of a coercion, as PostgreSQL's COERCION_IMPLICIT / ASSIGNMENT / EXPLICIT.
enum class cast_kind : uint8_t { implicit, assignment, explicit_ };

// ---------------------------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------------------------

/// PostgreSQL's isspace set: ' ', \t, \n, \v, \f, \r.
inline constexpr bool is_pg_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
/// "smallint" / "integer" / "bigint" for an integer type id.
const char* int_type_name(type_id t);
/// Throws 22003 "smallint out of range" / "integer out of range" / "bigint out of range".
[[noreturn]] void throw_int_out_of_range(type_id t);
/// Throws 22P02 `invalid input syntax for type integer: "<text>"`.
[[noreturn]] void throw_int_syntax(std::string_view text, type_id t);
/// Throws 22003 `value "<text>" is out of range for type integer`.
[[noreturn]] void throw_int_text_range(std::string_view text, type_id t);

/// Largest value of an integer type (int16/int32/int64).
inline constexpr int64_t int_type_max(type_id t) {
  return t == type_id::int16 ? INT16_MAX : t == type_id::int32 ? INT32_MAX : INT64_MAX;
}
/// Smallest value of an integer type (int16/int32/int64).
inline constexpr int64_t int_type_min(type_id t) {
  return t == type_id::int16 ? INT16_MIN : t == type_id::int32 ? INT32_MIN : INT64_MIN;
}

/// Parses integer text as PostgreSQL 15's pg_strtoint16/32/64: optional surrounding whitespace,
/// optional sign, decimal digits only. Returns the value (in range of `target`).
/// 22P02 `invalid input syntax for type integer: "<text>"`, 22003 `value "<text>" is out of
/// range for type integer` (type named after `target`).
inline int64_t parse_int64(std::string_view text, type_id target = type_id::int64) {
  const char* p = text.data();
  const char* const e = p + text.size();
  while (p < e && is_pg_space(*p)) ++p;
  bool neg = false;
  if (p < e && (*p == '-' || *p == '+')) {
    neg = *p == '-';
    ++p;
  }
  const char* const digits = p;
  uint64_t acc = 0;
  bool overflow = false;
  for (; p < e && static_cast<unsigned>(*p - '0') < 10u; ++p) {
    overflow |= __builtin_mul_overflow(acc, 10u, &acc);
    overflow |= __builtin_add_overflow(acc, static_cast<unsigned>(*p - '0'), &acc);
  }
  if (p == digits) [[unlikely]]
    throw_int_syntax(text, target);
  const uint64_t limit = static_cast<uint64_t>(int_type_max(target)) + (neg ? 1u : 0u);
  if (overflow || acc > limit) [[unlikely]]
    throw_int_text_range(text, target);
  while (p < e && is_pg_space(*p)) ++p;
  if (p != e) [[unlikely]]
    throw_int_syntax(text, target);
  return neg ? static_cast<int64_t>(0u - acc) : static_cast<int64_t>(acc);
}

/// v checked against the range of integer type `target`; 22003 "integer out of range" etc.
inline int64_t check_int_range(int64_t v, type_id target) {
  if (v < int_type_min(target) || v > int_type_max(target)) [[unlikely]]
    throw_int_out_of_range(target);
  return v;
}

/// float -> integer type `target` as PostgreSQL (rint: round half to even), 22003 when the
/// rounded value (or NaN/inf) is out of range.
int64_t float_to_int(double d, type_id target);

// ---------------------------------------------------------------------------------------------
// Booleans and strings
// ---------------------------------------------------------------------------------------------

/// Parses boolean text as PostgreSQL's boolin: surrounding whitespace, case-insensitive
/// prefixes of "true"/"false"/"yes"/"no", "on"/"off" (at least 2 letters), "1"/"0".
/// 22P02 `invalid input syntax for type boolean: "<text>"`.
bool parse_bool(std::string_view text);
/// The text PostgreSQL gives a boolean cast to text: "true" / "false" (output is "t"/"f").
inline std::string_view bool_to_text(bool b) { return b ? "true" : "false"; }

/// Number of characters of UTF-8 text (bytes that do not continue a sequence).
size_t utf8_length(std::string_view s);
/// Byte length of the first n characters of UTF-8 text (all of it if shorter).
size_t utf8_prefix_bytes(std::string_view s, size_t n);
/// s without trailing spaces (bpchar -> text/varchar).
std::string_view rtrim_spaces(std::string_view s);

/// Applies the length of VARCHAR(n) / CHAR(n) `target` to s (text, varchar: no-op).
/// Longer than n characters: explicit casts truncate; other contexts truncate only if the
/// excess is all spaces, else 22001 "value too long for type character varying(5)".
/// CHAR(n) then pads with spaces to n characters.
std::string apply_string_length(std::string_view s, sql_type target, cast_kind kind);

// ---------------------------------------------------------------------------------------------
// Values and types
// ---------------------------------------------------------------------------------------------

/// Converts v to `target` with PostgreSQL's semantics for context `kind` (the length rules of
/// varchar/char depend on it). NULL gives NULL of `target`. A plain NUMERIC target
/// (width < 0) keeps the natural scale of the value (the source's scale, 0 for integers, the
/// input's scale for text, 15 significant digits for floats), recorded in the result's type.
/// Throws 42846 "cannot cast type X to Y" when no cast exists at all (whatever `kind`: the
/// binder checks can_cast for the context), and the conversion errors of the target type.
value cast_value(const value& v, sql_type target, cast_kind kind);
/// Text of a non-NULL value as a cast to text produces it: to_string() except booleans
/// ("true"/"false") and bpchar (trailing spaces removed).
std::string cast_to_text(const value& v);
/// Parses text (input function of `target`) into a value of `target`, applying lengths and
/// typmods for context `kind`.
value parse_value(std::string_view text, sql_type target, cast_kind kind = cast_kind::explicit_);

/// The weakest context in which a cast from -> to exists (PostgreSQL's pg_cast plus automatic
/// I/O conversions): nullopt if none. Same type id: implicit (length coercion).
std::optional<cast_kind> cast_context(sql_type from, sql_type to);
/// True when from -> to may be applied in context `kind`.
bool can_cast(sql_type from, sql_type to, cast_kind kind);
/// Throws 42846 "cannot cast type <from> to <to>".
[[noreturn]] void throw_cannot_cast(sql_type from, sql_type to);

/// PostgreSQL's type categories (pg_type.typcategory).
enum class type_category : char { boolean = 'B', numeric = 'N', string = 'S', datetime = 'D', unknown = 'X' };
type_category category_of(type_id t);
/// Preferred type of its category (float8, text, boolean; PostgreSQL's timestamptz is absent).
bool is_preferred_type(type_id t);

/// Common type of two types for UNION/CASE/COALESCE/IN (PostgreSQL's select_common_type on a
/// pair). nullopt when the categories differ (the binder reports 42804 "CASE types integer and
/// text cannot be matched"). Unknown/NULL adopt the other type; two unknowns give text.
/// Modifiers survive only if both inputs have the same type and modifiers; a NUMERIC result
/// otherwise is plain NUMERIC at the larger input scale.
std::optional<sql_type> common_supertype(sql_type a, sql_type b);
/// select_common_type over a list (exactly PostgreSQL's left-to-right algorithm); text if all
/// are unknown; nullopt on a category mismatch or when some input cannot be implicitly cast.
std::optional<sql_type> common_supertype(std::span<const sql_type> types);

}  // namespace db001
