// The embedding API (include/db001/db001.h, actor_api.h): databases own an actor system
// (or use the host's), connections own a session and its session actor.
#include <caf/all.hpp>

#include <cstdio>
#include <iostream>

#include "actors/checkpointer_actor.h"
#include "actors/session_actor.h"
#include "actors/txn_manager_actor.h"
#include "actors/wal_writer_actor.h"
#include "recovery/durable_store.h"
#include "db001/actor_api.h"
#include "db001/db001.h"
#include "sql/session.h"

namespace db001 {

struct database::actors {
  std::unique_ptr<caf::actor_system_config> cfg;
  std::unique_ptr<caf::actor_system> own;
  caf::actor_system* sys = nullptr;
  caf::actor txn_manager;
  std::unique_ptr<recovery::durable_store> store;  ///< null: in memory only
  caf::actor wal_writer, checkpointer;
  ~actors() {
    // The checkpointer first, then the WAL writer (it flushes what is queued as it exits),
    // then the log leaves the transaction manager.
    for (caf::actor* a : {&checkpointer, &wal_writer}) {
      if (!*a) continue;
      caf::scoped_actor self{*sys};
      self->send_exit(*a, caf::exit_reason::user_shutdown);
      self->wait_for(*a);
      *a = nullptr;
    }
    store.reset();
    if (txn_manager) caf::anon_send_exit(txn_manager, caf::exit_reason::user_shutdown);
    txn_manager = nullptr;
    own.reset();  // waits for the actors to finish
  }
  /// Recovers the database from disk and starts its WAL writer and checkpointer.
  void open_storage(engine::engine& eng, const durability_options& d);
};

void database::actors::open_storage(engine::engine& eng, const durability_options& d) {
  if (d.data_directory.empty()) return;
  recovery::durable_config c;
  c.data_dir = d.data_directory;
  c.wal_dir = d.wal_directory;
  c.archive_dir = d.archive_directory;
  c.segment_size = d.wal_segment_size;
  c.synchronous = d.synchronous_commit;
  c.checkpoint_interval = std::chrono::milliseconds(d.checkpoint_interval_ms);
  c.checkpoint_wal_bytes = d.checkpoint_wal_bytes;
  if (!d.recovery_target_time.empty()) {
    c.target.what = recovery::recovery_target::kind::time;
    c.target.unix_micros = recovery::parse_target_time(d.recovery_target_time);
  } else if (d.recovery_target_lsn) {
    c.target.what = recovery::recovery_target::kind::lsn;
    c.target.lsn = d.recovery_target_lsn;
  } else if (!d.recovery_target_name.empty()) {
    c.target.what = recovery::recovery_target::kind::name;
    c.target.name = d.recovery_target_name;
  }
  std::string where = d.data_directory;
  auto report = d.on_recovery_progress;
  store = std::make_unique<recovery::durable_store>(
      eng.catalog(), eng.txns(), c, [where, report](const std::string& line, uint64_t records) {
        std::cerr << "db001: recovery of " << where << ": " << line << std::endl;
        if (report) report(records);
      });
  wal_writer = db001::actors::spawn_wal_writer(*sys, store->log(), std::chrono::milliseconds(d.fsync_interval_ms));
  store->attach();
  checkpointer = db001::actors::spawn_checkpointer(*sys, *store);
  auto* st = store.get();
  eng.checkpoint_hook = [st] { st->checkpoint(); };
  eng.restore_point_hook = [st](const std::string& name) {
    uint64_t lsn = st->log().append_record(recovery::record_type::restore_point, name);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%X/%X", unsigned(lsn >> 32), unsigned(lsn & 0xffffffffu));
    return std::string(buf);
  };
}

struct connection_actor {
  caf::actor session;
};

namespace {
options normalized(options o) {
  if (o.parallel_workers <= 0) o.parallel_workers = int(std::max(1u, std::thread::hardware_concurrency()));
  return o;
}
}  // namespace

database::database(const options& opts) : opts_(normalized(opts)), engine_(std::make_unique<engine::engine>(opts_)) {}

database::~database() {
  actors_.reset();
  engine_.reset();
}

std::unique_ptr<database> database::open(const options& opts) {
  std::unique_ptr<database> db(new database(opts));
  db->actors_ = std::make_unique<actors>();
  db->actors_->cfg = std::make_unique<caf::actor_system_config>();
  db->actors_->cfg->set("scheduler.max-threads", 2);
  // The actors here handle a few messages a second: let idle workers sleep at once instead
  // of spinning (CAF's default polling costs a tenth of a core while idle).
  db->actors_->cfg->set("work-stealing.aggressive-poll-attempts", 1);
  db->actors_->cfg->set("work-stealing.moderate-poll-attempts", 1);
  db->actors_->cfg->set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds(10)});
  db->actors_->cfg->set("logger.verbosity", caf::atom("quiet"));
  db->actors_->own = std::make_unique<caf::actor_system>(*db->actors_->cfg);
  db->actors_->sys = db->actors_->own.get();
  db->actors_->txn_manager = db001::actors::spawn_txn_manager(*db->actors_->sys, db->engine_->txns());
  db->actors_->open_storage(*db->engine_, db->opts_.durability);
  return db;
}

std::unique_ptr<database> open_on(caf::actor_system& sys, const options& opts) {
  std::unique_ptr<database> db(new database(opts));
  db->actors_ = std::make_unique<database::actors>();
  db->actors_->sys = &sys;
  db->actors_->txn_manager = db001::actors::spawn_txn_manager(sys, db->engine_->txns());
  db->actors_->open_storage(*db->engine_, db->opts_.durability);
  return db;
}

struct database_access {
  static database::actors& actors_of(database& db) { return *db.actors_; }
};

caf::actor txn_manager_actor(database& db) { return database_access::actors_of(db).txn_manager; }

recovery::durable_store* database::durable_store() { return actors_ ? actors_->store.get() : nullptr; }

std::unique_ptr<connection> database::connect() {
  auto box = std::make_shared<db001::actors::session_box>(*engine_);
  std::unique_ptr<connection> c(new connection(box));
  c->actor_ = std::make_unique<connection_actor>();
  c->actor_->session = db001::actors::spawn_session(*actors_->sys, box);
  return c;
}

// --- connection ---------------------------------------------------------------------------

connection::connection(std::shared_ptr<db001::actors::session_box> box) : box_(std::move(box)) {}

connection::~connection() {
  if (actor_ && actor_->session) caf::anon_send_exit(actor_->session, caf::exit_reason::user_shutdown);
}

caf::actor session_actor(connection& c) { return c.actor_->session; }

engine::session& connection::session() { return box_->session; }

result connection::execute(std::string_view sql) {
  std::lock_guard lock(box_->mutex);
  auto all = box_->session.execute(sql);
  if (all.empty()) {
    auto r = std::make_shared<engine::result_data>();
    return result(r);
  }
  return result(all.back());
}

std::vector<result> connection::execute_all(std::string_view sql) {
  std::lock_guard lock(box_->mutex);
  std::vector<result> out;
  for (auto& r : box_->session.execute(sql)) out.emplace_back(r);
  return out;
}

prepared_statement connection::prepare(std::string_view sql) {
  std::lock_guard lock(box_->mutex);
  return prepared_statement(box_, box_->session.prepare(sql));
}

bool connection::in_transaction() const { return box_->session.in_transaction(); }
bool connection::failed() const { return box_->session.failed(); }

// --- prepared_statement ---------------------------------------------------------------------

prepared_statement::prepared_statement(std::shared_ptr<db001::actors::session_box> box,
                                       std::shared_ptr<engine::prepared_data> d)
    : box_(std::move(box)), d_(std::move(d)) {
  if (auto& e = box_->session.prepare_error(*d_)) error_ = result(e);
}

size_t prepared_statement::param_count() const { return d_ ? box_->session.param_count(*d_) : 0; }
sql_type prepared_statement::param_type(size_t i) const {
  return d_ && i < param_count() ? box_->session.param_type(*d_, i) : sql_type::unknown();
}

result prepared_statement::execute(const std::vector<value>& params) {
  if (!d_ || !box_) {
    auto r = std::make_shared<engine::result_data>();
    r->code = sqlstate::invalid_prepared_statement;
    r->message = "prepared statement does not exist";
    return result(r);
  }
  std::lock_guard lock(box_->mutex);
  return result(box_->session.execute_prepared(*d_, params));
}

// --- result -----------------------------------------------------------------------------

namespace {
const std::string empty_string;
const std::string ok_code = sqlstate::successful;
}  // namespace

bool result::ok() const { return !d_ || d_->ok(); }
const std::string& result::sqlstate() const { return d_ ? d_->code : ok_code; }
const std::string& result::error_message() const { return d_ ? d_->message : empty_string; }
const std::string& result::error_detail() const { return d_ ? d_->detail : empty_string; }
int result::error_position() const { return d_ ? d_->position : 0; }
const std::string& result::command_tag() const { return d_ ? d_->tag : empty_string; }
size_t result::column_count() const { return d_ ? d_->names.size() : 0; }
const std::string& result::column_name(size_t col) const {
  return d_ && col < d_->names.size() ? d_->names[col] : empty_string;
}
sql_type result::column_type(size_t col) const {
  return d_ && col < d_->types.size() ? d_->types[col] : sql_type::unknown();
}
size_t result::row_count() const { return d_ && d_->rows ? d_->rows->row_count() : 0; }
uint64_t result::rows_affected() const { return d_ ? d_->affected : 0; }
const std::vector<std::string>& result::notices() const {
  static const std::vector<std::string> none;
  return d_ ? d_->notices : none;
}
value result::get(size_t row, size_t col) const {
  if (!d_ || !d_->rows || row >= d_->rows->row_count() || col >= d_->names.size()) return value();
  return d_->rows->get(row, col);
}
bool result::is_null(size_t row, size_t col) const { return get(row, col).is_null(); }
std::string result::text(size_t row, size_t col) const { return get(row, col).to_string(); }
std::string_view result::text_view(size_t row, size_t col) const {
  if (!d_ || !d_->rows || row >= d_->rows->row_count() || col >= d_->names.size()) return {};
  return d_->rows->text_at(row, col);
}

}  // namespace db001
