#include "actors/session_actor.h"

#include <caf/all.hpp>

#include "db001/actor_api.h"

namespace db001::actors {

namespace {

struct session_state {
  std::shared_ptr<session_box> box;
  static inline const char* name = "db001.session";
};

using reply_t = std::tuple<std::string, std::string, std::string, std::vector<std::string>, std::vector<std::string>>;

caf::behavior session_actor(caf::stateful_actor<session_state>* self, std::shared_ptr<session_box> box) {
  self->state.box = std::move(box);
  return {
      [=](exec_atom, const std::string& sql) -> reply_t {
        std::shared_ptr<engine::result_data> r;
        {
          std::lock_guard lock(self->state.box->mutex);
          auto all = self->state.box->session.execute(sql);
          if (!all.empty()) r = all.back();
        }
        if (!r) return reply_t{"", sqlstate::successful, "", {}, {}};
        std::vector<std::string> cells;
        if (r->rows)
          for (size_t i = 0; i < r->rows->row_count(); ++i)
            for (size_t c = 0; c < r->names.size(); ++c) cells.push_back(r->rows->get(i, c).to_string());
        return reply_t{r->tag, r->code, r->message, r->names, std::move(cells)};
      },
  };
}

}  // namespace

caf::actor spawn_session(caf::actor_system& sys, std::shared_ptr<session_box> box) {
  return sys.spawn(session_actor, std::move(box));
}

}  // namespace db001::actors
