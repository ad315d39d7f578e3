#pragma once
/// How PostgreSQL names and prints run-time settings (SET / SHOW / current_setting): the
/// session stores each value in the form SHOW prints.
#include <string>

namespace db001::sql {

/// SHOW's column name for a setting (its canonical spelling: "DateStyle", "TimeZone", ...).
std::string setting_display_name(const std::string& lowered);

/// The value SET stores for setting `lowered`: units normalized as PostgreSQL prints them
/// (statement_timeout 5000 -> "5s", work_mem 65536 -> "64MB", DateStyle german -> "German,
/// DMY"). Throws 22023 for a value the setting cannot take.
std::string normalize_setting(const std::string& lowered, const std::string& value);

}  // namespace db001::sql
