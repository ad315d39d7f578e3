#pragma once
/// Test helpers for the storage libraries' errors: what a call throws, as a value to compare,
/// and int128 operands of failed assertions printed as numbers.
#include <boost/test/unit_test.hpp>
#include <ostream>
#include <string>

#include "storage/error.h"
#include "storage/numeric.h"

// Boost.Test prints int128 operands of failed assertions through the numeric formatter.
namespace boost::test_tools::tt_detail {
template <>
struct print_log_value<__int128> {
  void operator()(std::ostream& os, const __int128& v) { os << db001::format_numeric(v, 0); }
};
}  // namespace boost::test_tools::tt_detail

namespace db001::test {

/// SQLSTATE thrown by f, "none" if it returns normally.
template <class F>
std::string code_of(F&& f) {
  try {
    f();
  } catch (const db_error& e) {
    return e.code();
  }
  return "none";
}

/// Message thrown by f, "" if it returns normally.
template <class F>
std::string message_of(F&& f) {
  try {
    f();
  } catch (const db_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace db001::test
