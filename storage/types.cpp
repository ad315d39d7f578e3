#include "storage/types.h"

namespace db001 {

std::string sql_type::name() const {
  switch (id) {
    case type_id::null_:
      return "unknown";
    case type_id::boolean:
      return "boolean";
    case type_id::int16:
      return "smallint";
    case type_id::int32:
      return "integer";
    case type_id::int64:
      return "bigint";
    case type_id::float32:
      return "real";
    case type_id::float64:
      return "double precision";
    case type_id::numeric:
      if (width < 0) return "numeric";
      return "numeric(" + std::to_string(width) + "," + std::to_string(scale) + ")";
    case type_id::text:
      return "text";
    case type_id::varchar:
      if (width < 0) return "character varying";
      return "character varying(" + std::to_string(width) + ")";
    case type_id::bpchar:
      if (width < 0) return "bpchar";
      return "character(" + std::to_string(width) + ")";
    case type_id::date:
      return "date";
    case type_id::timestamp:
      return "timestamp without time zone";
    case type_id::unknown:
      return "unknown";
  }
  return "unknown";
}

uint32_t sql_type::oid() const {
  switch (id) {
    case type_id::boolean:
      return 16;
    case type_id::int16:
      return 21;
    case type_id::int32:
      return 23;
    case type_id::int64:
      return 20;
    case type_id::float32:
      return 700;
    case type_id::float64:
      return 701;
    case type_id::numeric:
      return 1700;
    case type_id::text:
      return 25;
    case type_id::varchar:
      return 1043;
    case type_id::bpchar:
      return 1042;
    case type_id::date:
      return 1082;
    case type_id::timestamp:
      return 1114;
    case type_id::unknown:
    case type_id::null_:
      return 705;
  }
  return 705;
}

}  // namespace db001
