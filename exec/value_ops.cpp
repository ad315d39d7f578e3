#include "exec/value_ops.h"

#include <cmath>
#include <functional>

#include "exec/numeric_kernels.h"
#include "storage/cast.h"

namespace db001::exec {

int compare_values(const value& a, const value& b) {
  const sql_type &ta = a.type(), &tb = b.type();
  if (ta.is_string() || tb.is_string()) return a.as_string().compare(b.as_string()) < 0 ? -1 : a.as_string() == b.as_string() ? 0 : 1;
  if (ta.is_numeric() && tb.is_numeric()) {
    int s = std::max(ta.scale, tb.scale);
    int128_t x = rescale128(a.as_numeric(), ta.scale, s), y = rescale128(b.as_numeric(), tb.scale, s);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if ((ta.is_integer() || ta.is_temporal() || ta.id == type_id::boolean) &&
      (tb.is_integer() || tb.is_temporal() || tb.id == type_id::boolean)) {
    return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
  }
  double x = a.to_double(), y = b.to_double();
  bool nx = std::isnan(x), ny = std::isnan(y);
  if (nx || ny) return nx == ny ? 0 : (nx ? 1 : -1);
  return x < y ? -1 : x > y ? 1 : 0;
}

size_t hash_value(const value& v) {
  if (v.is_null()) return 0x9e3779b97f4a7c15ull;
  const sql_type& t = v.type();
  if (t.is_string()) return std::hash<std::string>{}(v.as_string());
  if (t.is_integer() || t.is_temporal() || t.id == type_id::boolean) return std::hash<double>{}(double(v.as_int()));
  return std::hash<double>{}(v.to_double());
}

}  // namespace db001::exec
