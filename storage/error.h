#pragma once
/// Errors of the engine. Every error carries a PostgreSQL SQLSTATE from the point it arises.
/// Inside a statement the engine throws db_error to end the statement (as DuckDB does);
/// the session (actors/) catches it and turns it into a result value, so exceptions never
/// cross an actor or API boundary.
#include <stdexcept>
#include <string>

namespace db001 {

/// SQLSTATE codes used by the engine (PostgreSQL's values).
namespace sqlstate {
inline constexpr const char* successful = "00000";
inline constexpr const char* syntax_error = "42601";
inline constexpr const char* undefined_table = "42P01";
inline constexpr const char* undefined_column = "42703";
inline constexpr const char* undefined_function = "42883";
inline constexpr const char* undefined_object = "42704";
inline constexpr const char* duplicate_table = "42P07";
inline constexpr const char* duplicate_object = "42710";
inline constexpr const char* duplicate_column = "42701";
inline constexpr const char* ambiguous_column = "42702";
inline constexpr const char* datatype_mismatch = "42804";
inline constexpr const char* grouping_error = "42803";
inline constexpr const char* invalid_column_reference = "42P10";
inline constexpr const char* feature_not_supported = "0A000";
inline constexpr const char* invalid_text_representation = "22P02";
inline constexpr const char* invalid_datetime_format = "22007";
inline constexpr const char* datetime_field_overflow = "22008";
inline constexpr const char* numeric_value_out_of_range = "22003";
inline constexpr const char* division_by_zero = "22012";
inline constexpr const char* string_data_right_truncation = "22001";
inline constexpr const char* invalid_parameter_value = "22023";
inline constexpr const char* cardinality_violation = "21000";
inline constexpr const char* not_null_violation = "23502";
inline constexpr const char* unique_violation = "23505";
inline constexpr const char* serialization_failure = "40001";
inline constexpr const char* deadlock_detected = "40P01";
inline constexpr const char* active_sql_transaction = "25001";
inline constexpr const char* no_active_sql_transaction = "25P01";
inline constexpr const char* in_failed_sql_transaction = "25P02";
inline constexpr const char* invalid_transaction_state = "25000";
inline constexpr const char* wrong_object_type = "42809";
inline constexpr const char* dependent_objects_still_exist = "2BP01";
inline constexpr const char* undefined_parameter = "42P02";
inline constexpr const char* invalid_name = "42602";
inline constexpr const char* program_limit_exceeded = "54000";
inline constexpr const char* out_of_memory = "53200";
inline constexpr const char* query_canceled = "57014";
inline constexpr const char* internal_error = "XX000";
inline constexpr const char* io_error = "58030";
inline constexpr const char* data_corrupted = "XX001";
inline constexpr const char* invalid_prepared_statement = "26000";
inline constexpr const char* duplicate_prepared_statement = "42P05";
inline constexpr const char* indeterminate_datatype = "42P18";
inline constexpr const char* invalid_row_count_in_limit = "2201W";
inline constexpr const char* invalid_row_count_in_offset = "2201X";
inline constexpr const char* data_exception = "22000";
inline constexpr const char* character_not_in_repertoire = "22021";
}  // namespace sqlstate

/// An error that ends the current statement. `position` is the 1-based character offset in
/// the statement text (0 = none), as PostgreSQL reports it.
class db_error : public std::runtime_error {
 public:
  db_error(std::string code, std::string message, int position = 0)
      : std::runtime_error(message), code_(std::move(code)), position_(position) {}
  const std::string& code() const noexcept { return code_; }
  int position() const noexcept { return position_; }
  void set_position(int p) noexcept { position_ = p; }
  /// Positions from parse-tree locations count bytes; the parser's own count characters.
  bool position_in_bytes() const noexcept { return position_in_bytes_; }
  void set_position_in_chars() noexcept { position_in_bytes_ = false; }
  /// PostgreSQL's DETAIL and HINT fields ("" = none).
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }
  db_error& with_detail(std::string d) {
    detail_ = std::move(d);
    return *this;
  }
  db_error& with_hint(std::string h) {
    hint_ = std::move(h);
    return *this;
  }

 private:
  std::string code_;
  int position_;
  std::string detail_;
  std::string hint_;
  bool position_in_bytes_ = true;
};

/// Engine invariant check, always on: a failure is a bug, reported as XX000 (never a crash).
#define DB001_ASSERT(cond)                                                                        \
  do {                                                                                            \
    if (!(cond))                                                                                  \
      throw ::db001::db_error(::db001::sqlstate::internal_error,                                  \
                              std::string("internal error: ") + #cond + " at " + __FILE__ + ":" + \
                                  std::to_string(__LINE__));                                      \
  } while (0)

}  // namespace db001
