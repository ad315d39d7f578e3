#pragma once
/// System relations computed from the catalog when a query reads them: the parts of
/// information_schema and pg_catalog that clients (our shell, psql) use. Each is a VALUES
/// plan built at bind time, so it reflects the catalog as of the statement.
#include <optional>
#include <string>

#include "sql/binder.h"

namespace db001::sql {

/// The system relation schema.name (schema "" = search pg_catalog after public), or nullopt.
std::optional<bound_query> system_relation(storage::catalog& cat, const std::string& schema, const std::string& name);

/// PostgreSQL's information_schema data_type of a type ("character varying", "integer", ...).
std::string information_schema_type(const sql_type& t);

}  // namespace db001::sql
