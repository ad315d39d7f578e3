#pragma once
/// Taking the row lock of a version for UPDATE/DELETE, with PostgreSQL's behaviour on a
/// concurrent update: REPEATABLE READ fails with 40001; READ COMMITTED follows the update
/// chain to the newest version, re-checks the WHERE predicate on it and locks that one.
#include <optional>

#include "exec/context.h"
#include "exec/expr.h"
#include "storage/table.h"

namespace db001::exec {

/// Locks version rid (visible to the statement's snapshot). Returns the row id actually
/// locked (rid or a newer version under READ COMMITTED), or nullopt when the row is gone,
/// no longer matches `recheck`, or was already changed by this statement.
std::optional<storage::row_id> lock_row(exec_ctx& ctx, storage::table& tbl, storage::row_id rid, const expr* recheck);

}  // namespace db001::exec
