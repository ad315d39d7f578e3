#pragma once
/// System relations computed from the catalog when a query reads them: the parts of
/// information_schema and pg_catalog that clients (our shell, psql, pgbench) use. Each is a
/// VALUES plan built at bind time, so it reflects the catalog as of the statement.
///
/// Type mapping of pg_catalog columns: oid/regclass/regtype -> bigint, name and "char" ->
/// text, arrays (reloptions, datacl, conkey ...) and int2vector -> text in PostgreSQL's
/// array literal form, pg_node_tree -> text (the expression as written), timestamptz ->
/// timestamp.
///
/// OIDs: our tables, indexes and views carry catalog OIDs (16384 up); the constraint of a
/// primary key / unique constraint index is index oid + constraint_oid_offset; built-in
/// objects keep PostgreSQL's OIDs (pg_catalog 11, public 2200, postgres role 10, int4 23).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sql/binder.h"
#include "sql/cluster_catalog.h"

namespace db001::sql {

inline constexpr int64_t constraint_oid_offset = int64_t(1) << 30;
inline constexpr int64_t pg_catalog_namespace = 11, public_namespace = 2200, pg_toast_namespace = 99,
                         information_schema_namespace = 13000;

/// What system relations read besides the database catalog.
struct system_context {
  storage::catalog& cat;
  const cluster_catalog* cluster = nullptr;
  std::string current_database = "postgres";
  std::string current_user = "postgres";
};

/// The system relation schema.name (schema "" = search pg_catalog after public), or nullopt.
std::optional<bound_query> system_relation(const system_context& ctx, const std::string& schema,
                                           const std::string& name);

/// PostgreSQL's information_schema data_type of a type ("character varying", "integer", ...).
std::string information_schema_type(const sql_type& t);

/// PostgreSQL's atttypmod of a type (-1 when it has no modifier).
int32_t pg_typmod(const sql_type& t);

using oid_names = std::vector<std::pair<int64_t, std::string>>;
/// oid -> name of every role (cluster roles and PostgreSQL's predefined pg_database_owner).
oid_names role_names(const system_context& ctx);
/// oid -> name of every relation (for ::regclass output).
oid_names relation_names(const system_context& ctx);
/// oid -> name of every schema.
oid_names namespace_names();
/// (index oid * 1000 + column) -> pg_get_indexdef(index, column, pretty) (pretty: the table
/// name unqualified, as PostgreSQL does for a visible table).
oid_names index_definitions(const system_context& ctx, bool pretty);
/// constraint oid -> pg_get_constraintdef().
oid_names constraint_definitions(const system_context& ctx);
/// relation oid -> bytes (pg_table_size / pg_relation_size), as text.
oid_names relation_sizes(const system_context& ctx);
/// The OID of relation `name` ("schema.name" allowed), or nullopt.
std::optional<int64_t> relation_oid(const system_context& ctx, const std::string& name);
/// The OID of a type by name (format_type's names and aliases), or nullopt.
std::optional<int64_t> type_oid(const std::string& name);

}  // namespace db001::sql
