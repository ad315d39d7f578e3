#include "storage/value.h"

#include "storage/datetime.h"
#include "storage/float_format.h"
#include "storage/numeric.h"

namespace db001 {

double value::to_double() const {
  if (null_) return 0;
  switch (type_.id) {
    case type_id::float32:
    case type_id::float64:
      return f_;
    case type_id::numeric:
      return numeric_to_double(n_, type_.scale);
    case type_id::text:
    case type_id::varchar:
    case type_id::bpchar:
    case type_id::unknown:
      return parse_float64(s_);
    case type_id::null_:
      return 0;
    default:
      return double(i_);  // boolean, integers, date (days), timestamp (microseconds)
  }
}

std::string value::to_string() const {
  if (null_) return {};
  switch (type_.id) {
    case type_id::null_:
      return {};
    case type_id::boolean:
      return i_ ? "t" : "f";
    case type_id::int16:
    case type_id::int32:
    case type_id::int64:
      return std::to_string(i_);
    case type_id::float32:
      return format_float4(float(f_));
    case type_id::float64:
      return format_float8(f_);
    case type_id::numeric:
      return format_numeric(n_, type_.scale);
    case type_id::text:
    case type_id::varchar:
    case type_id::bpchar:
    case type_id::unknown:
      return s_;
    case type_id::date:
      return format_date(int32_t(i_));
    case type_id::timestamp:
      return format_timestamp(i_);
  }
  return {};
}

}  // namespace db001
