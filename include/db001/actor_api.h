#pragma once
/// DB-001 for hosts that run their own CAF actor system (CAF 0.17).
///
/// A host opens the database on its actor system; every connection then has a session
/// actor that host actors can message asynchronously:
///   request(session, timeout, db001::exec_atom::value, "SELECT ...")
///     -> (std::string tag, std::string sqlstate, std::string message,
///         std::vector<std::string> column_names, std::vector<std::string> cells)
/// `cells` holds the result row by row, column by column, as PostgreSQL's text output
/// ("" for NULL; check sqlstate "00000" for success). Only CAF built-in types are used, so
/// the same messages work across CAF's middleman (remote actors) unchanged.
#include <caf/atom.hpp>

#include <memory>

#include "db001/db001.h"

namespace caf {
class actor_system;
class actor;
}  // namespace caf

namespace db001 {

using exec_atom = caf::atom_constant<caf::atom("db001exec")>;

/// Opens an in-memory database whose actors (transaction manager, sessions) run on `sys`.
/// REQUIRES: sys outlives the database.
std::unique_ptr<database> open_on(caf::actor_system& sys, const options& opts = {});

/// The session actor of a connection (spawned with the connection, ends with it).
caf::actor session_actor(connection& c);

/// The transaction manager actor of a database.
caf::actor txn_manager_actor(database& db);

}  // namespace db001
