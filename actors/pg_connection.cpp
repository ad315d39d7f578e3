#include "actors/pg_connection.h"

#include <chrono>

#include "actors/cluster.h"
#include "actors/metrics.h"
#include "actors/pgwire/scram.h"
#include "actors/pgwire/value_codec.h"
#include "sql/copy.h"
#include "sql/session.h"

namespace db001::actors {

namespace {

constexpr size_t flush_threshold = 256 * 1024;

/// The server's ParameterStatus reports at start-up (what PostgreSQL 15 reports).
const std::pair<const char*, const char*> reported_defaults[] = {
    {"server_version", "15.0"},          {"server_encoding", "UTF8"},   {"client_encoding", "UTF8"},
    {"DateStyle", "ISO, MDY"},           {"IntervalStyle", "postgres"}, {"integer_datetimes", "on"},
    {"standard_conforming_strings", "on"}, {"TimeZone", "UTC"},        {"default_transaction_read_only", "off"},
    {"in_hot_standby", "off"},
};

/// One statement's run, for the metrics: the connection counts as active meanwhile and the
/// duration is observed at the end (also when the statement throws).
class statement_scope {
 public:
  statement_scope() : m_(server_metrics::get()), t0_(std::chrono::steady_clock::now()) {
    m_.connections_idle.add(-1);
    m_.connections_active.add(1);
  }
  ~statement_scope() {
    m_.query_duration.observe(std::chrono::steady_clock::now() - t0_);
    m_.connections_active.add(-1);
    m_.connections_idle.add(1);
  }
  statement_scope(const statement_scope&) = delete;
  statement_scope& operator=(const statement_scope&) = delete;

 private:
  server_metrics& m_;
  std::chrono::steady_clock::time_point t0_;
};

/// The type byte of a typed frontend message (for PostgreSQL's messages that name it).
template <class T>
constexpr int message_type_byte() {
  if constexpr (std::is_same_v<T, pgwire::query_message>) return 'Q';
  else if constexpr (std::is_same_v<T, pgwire::parse_message>) return 'P';
  else if constexpr (std::is_same_v<T, pgwire::bind_message>) return 'B';
  else if constexpr (std::is_same_v<T, pgwire::describe_message>) return 'D';
  else if constexpr (std::is_same_v<T, pgwire::execute_message>) return 'E';
  else if constexpr (std::is_same_v<T, pgwire::close_message>) return 'C';
  else if constexpr (std::is_same_v<T, pgwire::sync_message>) return 'S';
  else if constexpr (std::is_same_v<T, pgwire::flush_message>) return 'H';
  else if constexpr (std::is_same_v<T, pgwire::terminate_message>) return 'X';
  else if constexpr (std::is_same_v<T, pgwire::copy_data_message>) return 'd';
  else if constexpr (std::is_same_v<T, pgwire::copy_done_message>) return 'c';
  else if constexpr (std::is_same_v<T, pgwire::copy_fail_message>) return 'f';
  else return 0;
}

db_error fatal_error(const char* code, std::string msg) { return db_error(code, std::move(msg)); }

/// "WARNING:text" (how the engine records a notice) -> severity and text.
std::pair<pgwire::severity, std::string_view> split_notice(std::string_view n) {
  auto colon = n.find(':');
  if (colon != std::string_view::npos) {
    std::string_view sev = n.substr(0, colon);
    if (sev == "WARNING") return {pgwire::severity::warning, n.substr(colon + 1)};
    if (sev == "NOTICE") return {pgwire::severity::notice, n.substr(colon + 1)};
    if (sev == "INFO") return {pgwire::severity::info, n.substr(colon + 1)};
  }
  return {pgwire::severity::notice, n};
}

}  // namespace

/// A prepared statement (Parse): the engine's statement and its parameter types.
struct pg_connection::statement {
  std::shared_ptr<engine::prepared_data> prepared;
  std::vector<sql_type> param_types;
  std::vector<std::string> names;
  std::vector<sql_type> types;
};

/// A portal (Bind): a statement with parameter values; its result once executed.
struct pg_connection::portal {
  std::shared_ptr<statement> stmt;
  std::vector<value> params;
  std::vector<int16_t> formats;
  std::shared_ptr<engine::result_data> result;  ///< null until the first Execute
  size_t sent = 0;                              ///< rows sent so far
};

pg_connection::pg_connection(cluster& c, peer_info peer, std::function<void(std::string_view)> flush)
    : cluster_(c), peer_(std::move(peer)), flush_(std::move(flush)) {}

pg_connection::~pg_connection() { on_disconnect(); }

void pg_connection::on_disconnect() {
  if (pid_) cluster_.unregister_backend(pid_);
  pid_ = 0;
  portals_.clear();
  statements_.clear();
  session_.reset();  // rolls back an open transaction
  if (admitted_) {
    cluster_.release();
    server_metrics::get().connections_idle.add(-1);
    admitted_ = false;
  }
  closing_ = true;
}

void pg_connection::on_idle() {
  dec_.shrink();
  if (out_.empty()) std::string().swap(out_.buffer());
}

void pg_connection::on_bytes(const char* data, size_t n) {
  if (closing_) return;
  dec_.feed(data, n);
  while (!closing_) {
    std::optional<pgwire::frontend_message> m;
    try {
      m = dec_.next();
    } catch (const db_error& e) {
      if (dec_.failed() || state_ != state::ready) {
        fatal(e);
        return;
      }
      error(e);
      if (extended_)
        ignore_till_sync_ = true;
      else
        ready_for_query();
      continue;
    }
    if (!m) break;
    try {
      std::visit([&](auto& msg) { handle(msg); }, *m);
    } catch (const db_error& e) {
      if (state_ != state::ready) {
        fatal(e);
        return;
      }
      error(e);
      if (extended_) ignore_till_sync_ = true;
    } catch (const std::bad_alloc&) {
      error(db_error(sqlstate::out_of_memory, "out of memory"));
      if (extended_) ignore_till_sync_ = true;
    }
    maybe_flush();
  }
}

void pg_connection::maybe_flush() {
  if (out_.size() >= flush_threshold && flush_) {
    flush_(out_.view());
    out_.clear();
  }
}

void pg_connection::error(const db_error& e) { out_.error_response(e); }

void pg_connection::fatal(const db_error& e) {
  out_.error_response(e, pgwire::severity::fatal);
  closing_ = true;
}

void pg_connection::ready_for_query() {
  auto status = pgwire::transaction_status::idle;
  if (session_ && session_->failed())
    status = pgwire::transaction_status::failed;
  else if (session_ && session_->in_transaction())
    status = pgwire::transaction_status::in_block;
  out_.ready_for_query(status);
}

// --- dispatch ---------------------------------------------------------------------------

template <class M>
void pg_connection::handle(M& m) {
  using T = std::decay_t<M>;
  if constexpr (std::is_same_v<T, pgwire::ssl_request> || std::is_same_v<T, pgwire::gssenc_request>) {
    out_.ssl_refused();
  } else if constexpr (std::is_same_v<T, pgwire::cancel_request>) {
    cluster_.cancel(m.pid, m.secret);
    closing_ = true;  // no reply, as PostgreSQL
  } else if constexpr (std::is_same_v<T, pgwire::startup_message>) {
    startup(m);
  } else if constexpr (std::is_same_v<T, pgwire::password_message>) {
    if (state_ != state::auth_password && state_ != state::auth_sasl)
      throw fatal_error("08P01", "invalid frontend message type 112");
    authenticate(m);
  } else if (state_ != state::ready) {
    throw fatal_error("08P01", "expected password response, got message type " + std::to_string(message_type_byte<T>()));
  } else if constexpr (std::is_same_v<T, pgwire::terminate_message>) {
    closing_ = true;
  } else if (copy_in_ && !std::is_same_v<T, pgwire::copy_data_message> && !std::is_same_v<T, pgwire::copy_done_message> &&
             !std::is_same_v<T, pgwire::copy_fail_message> && !std::is_same_v<T, pgwire::flush_message> &&
             !std::is_same_v<T, pgwire::sync_message>) {
    copy_in_->fail("unexpected message during COPY from stdin");
    copy_in_.reset();
    error(db_error("08P01", "unexpected message type during COPY from stdin"));
    ready_for_query();
  } else if constexpr (std::is_same_v<T, pgwire::query_message>) {
    extended_ = false;
    ignore_till_sync_ = false;
    simple_query(m.sql);
  } else if constexpr (std::is_same_v<T, pgwire::sync_message>) {
    sync();
  } else if constexpr (std::is_same_v<T, pgwire::flush_message>) {
    if (flush_ && !out_.empty()) {
      flush_(out_.view());
      out_.clear();
    }
  } else if constexpr (std::is_same_v<T, pgwire::copy_data_message>) {
    copy_message(&m, nullptr, nullptr);
  } else if constexpr (std::is_same_v<T, pgwire::copy_done_message>) {
    copy_message(nullptr, &m, nullptr);
  } else if constexpr (std::is_same_v<T, pgwire::copy_fail_message>) {
    copy_message(nullptr, nullptr, &m);
  } else {
    extended_ = true;
    if (ignore_till_sync_) return;
    if constexpr (std::is_same_v<T, pgwire::parse_message>)
      parse(m);
    else if constexpr (std::is_same_v<T, pgwire::bind_message>)
      bind(m);
    else if constexpr (std::is_same_v<T, pgwire::describe_message>)
      describe(m);
    else if constexpr (std::is_same_v<T, pgwire::execute_message>)
      execute(m);
    else if constexpr (std::is_same_v<T, pgwire::close_message>)
      close(m);
  }
}

// --- start-up and authentication ---------------------------------------------------------

void pg_connection::startup(const pgwire::startup_message& m) {
  if (state_ != state::startup) throw fatal_error("08P01", "unexpected startup packet");
  user_ = m.user();
  if (user_.empty()) throw fatal_error("28000", "no PostgreSQL user name specified in startup packet");
  database_ = m.database();
  startup_params_ = m.params;
  if (auto opts = m.protocol_options(); !opts.empty() || (m.version & 0xffff) != 0)
    out_.negotiate_protocol_version(0, opts);
  if (!cluster_.admit()) {
    server_metrics::get().connections_rejected.inc();
    throw fatal_error("53300", "sorry, too many clients already");
  }
  admitted_ = true;
  server_metrics::get().connections_accepted.inc();
  server_metrics::get().connections_idle.add(1);
  auto role = cluster_.find_role(user_);
  auto method = peer_.local ? cluster_.config().auth.local : cluster_.config().auth.host;
  if (method == auth_method::reject)
    throw fatal_error("28000", "no pg_hba.conf entry for host \"" + peer_.address + "\", user \"" + user_ +
                                   "\", database \"" + database_ + "\"");
  if (method == auth_method::trust) {
    if (!role) throw fatal_error("28000", "role \"" + user_ + "\" does not exist");
    if (!role->can_login) throw fatal_error("28000", "role \"" + user_ + "\" is not permitted to log in");
    finish_startup();
    return;
  }
  if (role && !role->can_login)
    throw fatal_error("28000", "role \"" + user_ + "\" is not permitted to log in");
  password_ = role ? role->password : "";
  if (method == auth_method::password) {
    out_.authentication_cleartext_password();
    state_ = state::auth_password;
    return;
  }
  std::optional<pgwire::scram_verifier> verifier;
  if (role && !role->password.empty()) {
    verifier = pgwire::scram_verifier::parse(role->password);
    if (!verifier) verifier = pgwire::scram_verifier::make(role->password);
  }
  scram_ = std::make_unique<pgwire::scram_server>(user_, verifier, cluster_.mock_secret());
  std::string_view mechs[] = {pgwire::scram_mechanism};
  out_.authentication_sasl(mechs);
  state_ = state::auth_sasl;
}

void pg_connection::authenticate(const pgwire::password_message& m) {
  if (state_ == state::auth_password) {
    std::string given = pgwire::parse_password_message(m);
    bool ok = false;
    if (!password_.empty()) {
      if (auto v = pgwire::scram_verifier::parse(password_))
        ok = pgwire::scram_verifier::make(given, v->salt, v->iterations) == *v;
      else
        ok = given == password_;
    }
    if (!ok) throw fatal_error("28P01", "password authentication failed for user \"" + user_ + "\"");
  } else {
    std::string reply;
    if (!scram_->done() && !dec_sasl_started_) {
      auto init = pgwire::parse_sasl_initial_response(m);
      dec_sasl_started_ = true;
      reply = scram_->initial_response(init.mechanism, init.data);
    } else {
      reply = scram_->response(pgwire::sasl_response_data(m));
    }
    if (!scram_->done()) {
      out_.authentication_sasl_continue(reply);
      return;
    }
    out_.authentication_sasl_final(reply);
  }
  if (!cluster_.find_role(user_)) throw fatal_error("28P01", "password authentication failed for user \"" + user_ + "\"");
  finish_startup();
}

void pg_connection::finish_startup() {
  database* db = cluster_.open_database(database_);
  if (!db) throw fatal_error("3D000", "database \"" + database_ + "\" does not exist");
  session_ = std::make_unique<engine::session>(db->engine());
  session_->set_setting("session_authorization", user_);
  session_->set_setting("current_database", database_);
  std::map<std::string, std::string> reported;
  for (auto& [k, v] : reported_defaults) reported[k] = v;
  reported["session_authorization"] = user_;
  reported["application_name"] = "";
  auto role = cluster_.find_role(user_);
  reported["is_superuser"] = role && role->superuser ? "on" : "off";
  for (auto& [k, v] : startup_params_) {
    if (k == "user" || k == "database" || k == "replication") continue;
    if (k == "options") {
      // "-c name=value" pairs, as libpq's PGOPTIONS.
      std::string_view s = v;
      size_t pos = 0;
      while ((pos = s.find("-c", pos)) != std::string_view::npos) {
        pos += 2;
        while (pos < s.size() && s[pos] == ' ') ++pos;
        size_t end = s.find(' ', pos);
        std::string_view kv = s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        if (auto eq = kv.find('='); eq != std::string_view::npos)
          session_->set_setting(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
        pos = end == std::string_view::npos ? s.size() : end;
      }
      continue;
    }
    if (k == "client_encoding") continue;  // we always speak UTF8 (reported as such)
    session_->set_setting(k, v);
    if (reported.count(k)) reported[k] = v;
  }
  out_.authentication_ok();
  for (auto& [k, v] : reported) out_.parameter_status(k, v);
  auto be = cluster_.register_backend(*session_, database_);
  pid_ = be.pid;
  out_.backend_key_data(be.pid, be.secret);
  state_ = state::ready;
  ready_for_query();
}

// --- simple query -----------------------------------------------------------------------

void pg_connection::send_notices(const engine::result_data& r) {
  for (auto& n : r.notices) {
    auto [sev, text] = split_notice(n);
    pgwire::error_fields f;
    f.level = sev;
    f.code = sev == pgwire::severity::warning ? "01000" : "00000";
    f.message = std::string(text);
    out_.notice_response(f);
  }
}

void pg_connection::send_result(const engine::result_data& r, bool row_description, std::span<const int16_t> formats) {
  send_notices(r);
  if (!r.ok()) {
    out_.error_response(pgwire::fields_of(r));
    return;
  }
  if (r.rows) {
    if (row_description) out_.row_description(r.names, r.types, formats);
    size_t n = r.rows->row_count();
    for (size_t first = 0; first < n;) {
      first += out_.data_rows(*r.rows, first, 1024, formats);
      maybe_flush();
    }
  }
  out_.command_complete(r.tag);
}

void pg_connection::simple_query(const std::string& sql) {
  std::vector<std::shared_ptr<engine::result_data>> results;
  {
    statement_scope running;
    if (copy_query(sql)) return;
    results = session_->execute(sql);
  }
  if (results.empty()) out_.empty_query_response();
  for (auto& r : results) send_result(*r, true, {});
  ready_for_query();
}

bool pg_connection::copy_query(const std::string& sql) {
  auto kind = session_->copy_kind_of(sql);
  if (kind == sql::copy_kind::from_stdin) {
    auto in = session_->begin_copy_in(sql);
    if (in->error()) {
      out_.error_response(pgwire::fields_of(*in->error()));
      ready_for_query();
      return true;
    }
    std::vector<int16_t> formats(in->column_count(), 0);
    out_.copy_in_response(0, formats);
    copy_in_ = std::move(in);
    copy_failed_ = false;
    return true;
  }
  if (kind == sql::copy_kind::to_stdout) {
    auto co = session_->run_copy_out(sql);
    if (co->error()) {
      out_.error_response(pgwire::fields_of(*co->error()));
      ready_for_query();
      return true;
    }
    std::vector<int16_t> formats(co->column_count(), 0);
    out_.copy_out_response(0, formats);
    std::string line;
    while (co->next(line)) {
      out_.copy_data(line);
      line.clear();
      maybe_flush();
    }
    out_.copy_done();
    out_.command_complete(co->result()->tag);
    ready_for_query();
    return true;
  }
  return false;
}

void pg_connection::copy_message(const pgwire::copy_data_message* data, const pgwire::copy_done_message* done,
                                 const pgwire::copy_fail_message* fail) {
  if (!copy_in_) return;  // not in COPY: ignored, as the protocol says
  if (data) {
    if (copy_failed_) return;
    if (auto err = copy_in_->feed(data->data)) {
      out_.error_response(pgwire::fields_of(*err));
      copy_failed_ = true;
    }
    return;
  }
  std::shared_ptr<engine::result_data> r;
  if (!copy_failed_) r = done ? copy_in_->finish() : copy_in_->fail(fail->message);
  copy_in_.reset();
  if (r) send_result(*r, false, {});
  ready_for_query();
}

// --- extended query ---------------------------------------------------------------------

void pg_connection::parse(pgwire::parse_message& m) {
  if (!m.name.empty() && statements_.count(m.name))
    throw db_error("42P05", "prepared statement \"" + m.name + "\" already exists");
  std::vector<sql_type> declared;
  for (uint32_t oid : m.param_oids) {
    if (oid == 0) {
      declared.push_back(sql_type::unknown());
    } else if (auto t = pgwire::sql_type_of_oid(oid)) {
      declared.push_back(*t);
    } else {
      throw db_error("42704", "type with OID " + std::to_string(oid) + " does not exist");
    }
  }
  auto st = std::make_shared<statement>();
  st->prepared = session_->prepare(m.sql, declared);
  if (auto& err = session_->prepare_error(*st->prepared)) {
    send_notices(*err);
    out_.error_response(pgwire::fields_of(*err));
    ignore_till_sync_ = true;
    return;
  }
  for (size_t i = 0; i < session_->param_count(*st->prepared); ++i)
    st->param_types.push_back(session_->param_type(*st->prepared, i));
  session_->describe(*st->prepared, st->names, st->types);
  statements_[m.name] = std::move(st);
  out_.parse_complete();
}

void pg_connection::bind(pgwire::bind_message& m) {
  auto it = statements_.find(m.statement);
  if (it == statements_.end())
    throw db_error("26000", "prepared statement \"" + m.statement + "\" does not exist");
  if (!m.portal.empty() && portals_.count(m.portal))
    throw db_error("42P03", "portal \"" + m.portal + "\" already exists");
  auto& st = it->second;
  pgwire::check_bind_param_count(m, st->param_types.size());
  pgwire::check_result_format_count(m, st->names.size());
  if (session_->failed())
    throw db_error(sqlstate::in_failed_sql_transaction,
                   "current transaction is aborted, commands ignored until end of transaction block");
  auto p = std::make_shared<portal>();
  p->stmt = st;
  p->params.reserve(m.params.size());
  for (size_t i = 0; i < m.params.size(); ++i)
    p->params.push_back(pgwire::decode_param(m.params[i], m.param_format(i), st->param_types[i], int(i + 1)));
  for (size_t c = 0; c < st->names.size(); ++c) p->formats.push_back(m.result_format(c));
  portals_[m.portal] = std::move(p);
  out_.bind_complete();
}

void pg_connection::describe(const pgwire::describe_message& m) {
  if (m.kind == 'S') {
    auto it = statements_.find(m.name);
    if (it == statements_.end()) throw db_error("26000", "prepared statement \"" + m.name + "\" does not exist");
    out_.parameter_description(std::span<const sql_type>(it->second->param_types));
    if (it->second->names.empty())
      out_.no_data();
    else
      out_.row_description(it->second->names, it->second->types, {});
    return;
  }
  auto it = portals_.find(m.name);
  if (it == portals_.end()) throw db_error("34000", "portal \"" + m.name + "\" does not exist");
  auto& st = *it->second->stmt;
  if (st.names.empty())
    out_.no_data();
  else
    out_.row_description(st.names, st.types, it->second->formats);
}

void pg_connection::execute(const pgwire::execute_message& m) {
  auto it = portals_.find(m.portal);
  if (it == portals_.end()) throw db_error("34000", "portal \"" + m.portal + "\" does not exist");
  portal& p = *it->second;
  if (!p.result) {
    {
      statement_scope running;
      p.result = session_->execute_prepared(*p.stmt->prepared, p.params);
    }
    send_notices(*p.result);
    if (!p.result->ok()) {
      out_.error_response(pgwire::fields_of(*p.result));
      ignore_till_sync_ = true;
      return;
    }
  }
  const engine::result_data& r = *p.result;
  if (r.tag.empty() && !r.rows) {
    out_.empty_query_response();
    return;
  }
  if (r.rows && !p.stmt->names.empty()) {
    size_t total = r.rows->row_count();
    size_t limit = m.max_rows > 0 ? size_t(m.max_rows) : total;
    size_t end = std::min(total, p.sent + limit);
    size_t sent_now = 0;
    while (p.sent < end) {
      size_t n = out_.data_rows(*r.rows, p.sent, std::min<size_t>(1024, end - p.sent), p.formats);
      p.sent += n;
      sent_now += n;
      maybe_flush();
    }
    if (p.sent < total) {
      out_.portal_suspended();
      return;
    }
    if (m.max_rows > 0 && r.tag.rfind("SELECT ", 0) == 0) {
      out_.command_complete("SELECT " + std::to_string(sent_now));
      return;
    }
  }
  out_.command_complete(r.tag);
}

void pg_connection::close(const pgwire::close_message& m) {
  if (m.kind == 'S') {
    statements_.erase(m.name);
  } else {
    portals_.erase(m.name);
  }
  out_.close_complete();
}

void pg_connection::sync() {
  if (copy_in_) return;  // ignored during COPY IN
  ignore_till_sync_ = false;
  extended_ = false;
  portals_.erase("");  // the unnamed portal lives until the end of the transaction; we end it at Sync
  ready_for_query();
}

}  // namespace db001::actors
