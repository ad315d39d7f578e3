#pragma once
/// The session actor: one per connection. It owns the session's statement lifecycle for
/// asynchronous clients (host actors, CAF remote clients): each exec message runs one query
/// string on the connection's session and replies with its last result as CAF built-in
/// types (see include/db001/actor_api.h). The embedding API's synchronous calls run on the
/// caller's thread instead; both go through the same session_box lock, so the session is
/// never used by two threads at once.
///
/// Messages:
///   exec_atom, std::string sql -> (std::string tag, std::string sqlstate, std::string message,
///                                  std::vector<std::string> names, std::vector<std::string> cells)
#include <caf/fwd.hpp>

#include <memory>
#include <mutex>

#include "sql/session.h"

namespace db001::actors {

/// A session and the lock that serializes its users.
struct session_box {
  explicit session_box(engine::engine& e) : session(e) {}
  std::mutex mutex;
  engine::session session;
};

caf::actor spawn_session(caf::actor_system& sys, std::shared_ptr<session_box> box);

}  // namespace db001::actors
