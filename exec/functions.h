#pragma once
/// Scalar SQL functions: resolution by name and argument types (for the binder) and
/// evaluation over vectors (for the evaluator).
#include <optional>
#include <string>
#include <vector>

#include "exec/batch.h"
#include "exec/context.h"
#include "exec/expr.h"

namespace db001::exec {

struct function_resolution {
  sql_type result;
  std::vector<sql_type> arg_types;  ///< the types the arguments must be cast to
  bool is_aggregate = false;
};

/// Resolves a scalar function call; nullopt if no function `name` takes these argument
/// types (the binder then reports 42883).
std::optional<function_resolution> resolve_function(const std::string& name, const std::vector<sql_type>& args);

/// Whether function `name` returns NULL whenever an argument is NULL (unknown names: true).
bool is_strict_function(const std::string& name);

/// True for the names of aggregate functions (count, sum, avg, min, max, ...).
bool is_aggregate_function(const std::string& name);

/// Arrays travel as text in PostgreSQL's array literal form ("{a,b,\"c d\",NULL}"): the
/// catalog's array columns (reloptions, datacl, ...), ARRAY(subquery) and current_schemas().
/// Parses such a literal (one dimension); nullopt elements are NULLs. 22P02 if malformed.
std::vector<std::optional<std::string>> parse_text_array(std::string_view s);
/// Formats elements as an array literal, quoting as PostgreSQL's array_out does.
std::string format_text_array(const std::vector<std::optional<std::string>>& elems);
/// PostgreSQL's format_type(type oid, typmod) for the types DB-001 knows (others: "???").
std::string format_type_name(int64_t type_oid, int32_t typmod);

/// Evaluates the function call `e` over argument vectors (already cast as resolved).
vector call_function(const expr& e, const std::vector<vector>& args, uint32_t n, exec_ctx& ctx);

}  // namespace db001::exec
