#pragma once
/// A single boxed SQL value: constants, parameters, results handed to API users, and the
/// slow paths of the executor. Hot paths work on typed batches instead (exec/batch.h).
///
/// Payload by type: boolean/int16/int32/int64/date/timestamp in `i`; float32/float64 in `f`;
/// numeric as an unscaled int128 in `n` with the scale of `type.scale`; strings in `s`.
#include <string>
#include <string_view>

#include "storage/types.h"

namespace db001 {

class value {
 public:
  value() = default;  ///< NULL of the null type
  static value null(sql_type t = sql_type::null()) {
    value v;
    v.type_ = t;
    return v;
  }
  static value boolean(bool b) { return make_int(sql_type::boolean(), b); }
  static value int16(int16_t x) { return make_int(sql_type::int16(), x); }
  static value int32(int32_t x) { return make_int(sql_type::int32(), x); }
  static value int64(int64_t x) { return make_int(sql_type::int64(), x); }
  static value float32(float x) { return make_float(sql_type::float32(), x); }
  static value float64(double x) { return make_float(sql_type::float64(), x); }
  /// NUMERIC with unscaled value `unscaled` and the type's scale (NUMERIC(p,s) or plain NUMERIC).
  static value numeric(int128_t unscaled, sql_type t) {
    value v;
    v.type_ = t;
    v.null_ = false;
    v.n_ = unscaled;
    return v;
  }
  static value text(std::string s, sql_type t = sql_type::text()) {
    value v;
    v.type_ = t;
    v.null_ = false;
    v.s_ = std::move(s);
    return v;
  }
  static value date(int32_t days) { return make_int(sql_type::date(), days); }
  static value timestamp(int64_t micros) { return make_int(sql_type::timestamp(), micros); }
  /// Value of logical type t from an integer payload (booleans, integers, date, timestamp).
  static value make_int(sql_type t, int64_t x) {
    value v;
    v.type_ = t;
    v.null_ = false;
    v.i_ = x;
    return v;
  }
  static value make_float(sql_type t, double x) {
    value v;
    v.type_ = t;
    v.null_ = false;
    v.f_ = x;
    return v;
  }

  const sql_type& type() const { return type_; }
  bool is_null() const { return null_; }
  bool as_bool() const { return i_ != 0; }
  int64_t as_int() const { return i_; }
  double as_float() const { return f_; }
  int128_t as_numeric() const { return n_; }
  const std::string& as_string() const { return s_; }

  /// The value as a double (numbers only); numeric is divided by 10^scale.
  double to_double() const;
  /// PostgreSQL's text output of the value ("t", "42", "1.50", "2024-01-31"); "" for NULL.
  std::string to_string() const;

  /// Retypes a value without conversion (same payload), e.g. varchar -> text.
  void set_type(sql_type t) { type_ = t; }

 private:
  sql_type type_{};
  bool null_ = true;
  int64_t i_ = 0;
  double f_ = 0;
  int128_t n_ = 0;
  std::string s_;
};

}  // namespace db001
