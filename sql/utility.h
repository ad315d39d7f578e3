#pragma once
/// Utility statements routed here by the session: TRUNCATE, ALTER TABLE, CREATE/ALTER/DROP
/// ROLE (and USER), CREATE/DROP DATABASE. Roles and databases go to the engine's
/// cluster_catalog and are not transactional (they apply at once, as in PostgreSQL after
/// COMMIT); TRUNCATE deletes every row under MVCC, so it commits or rolls back with the
/// transaction.
#include <optional>
#include <string>
#include <vector>

#include "sql/engine.h"
#include "sql/parser.h"

namespace db001::sql {

/// Facts about the statement's session the utility statements check.
struct utility_context {
  bool in_transaction_block = false;  ///< inside BEGIN or a multi-statement string
  std::string current_user = "postgres";
};

/// Runs statement `stmt` (inner node) of parse node type `kind` if it is one of the above:
/// returns its command tag (notices appended), or nullopt for other kinds.
std::optional<std::string> utility_statement(engine::engine& eng, txn::transaction& t, const std::string& kind,
                                             const node& stmt, const utility_context& uc,
                                             std::vector<std::string>& notices);

}  // namespace db001::sql
