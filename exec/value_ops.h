#pragma once
/// Comparison and hashing of boxed values (slow paths: GREATEST/LEAST, IN-subquery sets).
#include <cstddef>
#include <optional>
#include <vector>

#include "storage/value.h"

namespace db001::exec {

/// Three-way comparison of two non-NULL values of comparable types (numbers with numbers,
/// strings with strings, dates with dates); NaN sorts above all numbers.
int compare_values(const value& a, const value& b);
/// A hash consistent with compare_values(...) == 0 for values of the same type family.
size_t hash_value(const value& v);

}  // namespace db001::exec
