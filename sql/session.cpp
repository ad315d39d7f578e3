#include "sql/session.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "exec/operator.h"
#include "exec/point_plan.h"
#include "sql/auto_param.h"
#include "sql/binder.h"
#include "sql/copy.h"
#include "sql/ddl.h"
#include "sql/parser.h"
#include "sql/settings.h"
#include "sql/utility.h"
#include "storage/cast.h"
#include "storage/stack_guard.h"
#include "storage/table_memory.h"

namespace db001::engine {

engine::engine(const options& opts) : opts_(opts) {}
engine::~engine() = default;

/// The statements the hot path dispatches on (classified once, from the parse node type).
enum class stmt_class : uint8_t { select, insert, update, del, transaction, set, show, other };

struct prepared_data {
  std::string sql;  ///< the whole query string the statement came from
  sql::parse_result tree;
  sql::raw_statement stmt;
  std::string kind;  ///< the parse node type ("SelectStmt", ...)
  stmt_class cls = stmt_class::other;
  void classify(std::string_view type) {
    kind = std::string(type);
    cls = type == "SelectStmt"        ? stmt_class::select
          : type == "InsertStmt"      ? stmt_class::insert
          : type == "UpdateStmt"      ? stmt_class::update
          : type == "DeleteStmt"      ? stmt_class::del
          : type == "TransactionStmt" ? stmt_class::transaction
          : type == "VariableSetStmt" ? stmt_class::set
          : type == "VariableShowStmt" ? stmt_class::show
                                       : stmt_class::other;
  }
  bool is_dml_or_query() const { return cls <= stmt_class::del; }
  std::vector<sql_type> param_types;
  exec::plan_ptr plan;
  std::unique_ptr<exec::point_plan> point;  ///< the fast path for plan, if it has a point shape
  uint64_t catalog_version = 0;
  /// The previous execution's result: reused when the caller has let go of it (OLTP loops).
  std::shared_ptr<result_data> recycled;
  std::vector<std::string> names;
  std::vector<sql_type> types;
  std::shared_ptr<result_data> error;
};

namespace {

const std::map<std::string, std::string>& default_settings() {
  static const std::map<std::string, std::string> d = {
      {"application_name", ""},
      {"client_encoding", "UTF8"},
      {"client_min_messages", "notice"},
      {"datestyle", "ISO, MDY"},
      {"default_transaction_isolation", "read committed"},
      {"default_transaction_read_only", "off"},
      {"extra_float_digits", "1"},
      {"integer_datetimes", "on"},
      {"intervalstyle", "postgres"},
      {"is_superuser", "on"},
      {"lc_messages", "C"},
      {"lock_timeout", "0"},
      {"max_connections", "100"},
      {"search_path", "\"$user\", public"},
      {"server_encoding", "UTF8"},
      {"shared_buffers", "0"},  // shown from storage::table_memory's limit (0 = none)
      {"server_version", "15.0"},
      {"server_version_num", "150000"},
      {"standard_conforming_strings", "on"},
      {"statement_timeout", "0"},
      {"synchronous_commit", "on"},
      {"timezone", "UTC"},
      {"transaction_read_only", "off"},
      {"work_mem", "4MB"},
      {"idle_in_transaction_session_timeout", "0"},
      {"row_security", "on"},
      {"bytea_output", "hex"},
      {"enable_seqscan", "on"},
      {"enable_indexscan", "on"},
      {"enable_hashjoin", "on"},
      {"enable_nestloop", "on"},
      {"jit", "off"},
      {"max_parallel_workers_per_gather", "2"},
      {"maintenance_work_mem", "64MB"},
  };
  return d;
}

std::optional<txn::isolation> parse_isolation(std::string_view s) {
  std::string l = sql::lower(s);
  if (l == "read committed" || l == "read uncommitted") return txn::isolation::read_committed;
  if (l == "repeatable read") return txn::isolation::repeatable_read;
  if (l == "serializable") return txn::isolation::serializable;
  return std::nullopt;
}

const char* isolation_name(txn::isolation i) {
  switch (i) {
    case txn::isolation::read_committed: return "read committed";
    case txn::isolation::repeatable_read: return "repeatable read";
    case txn::isolation::serializable: return "serializable";
  }
  return "read committed";
}

/// The error as a result; positions become 1-based characters of `sql`.
std::shared_ptr<result_data> error_result(const db_error& e, std::string_view sql) {
  auto r = std::make_shared<result_data>();
  r->code = e.code();
  r->message = e.what();
  r->detail = e.detail();
  r->hint = e.hint();
  r->position = e.position() <= 0 ? 0 : e.position_in_bytes() ? sql::char_position(sql, e.position()) : e.position();
  return r;
}

/// tag = prefix followed by n. A recycled result usually has that tag already ("SELECT 1"):
/// then it is left alone.
void set_tag(std::string& tag, std::string_view prefix, uint64_t n) {
  char text[48];
  size_t len = std::min(prefix.size(), sizeof text - 20);
  std::memcpy(text, prefix.data(), len);
  len = size_t(std::to_chars(text + len, text + sizeof text, n).ptr - text);
  if (std::string_view(tag) != std::string_view(text, len)) tag.assign(text, len);
}

std::shared_ptr<result_data> ok_result(std::string tag) {
  auto r = std::make_shared<result_data>();
  r->tag = std::move(tag);
  return r;
}

/// A SET value as text: constants joined by ", ".
std::string set_value_text(const sql::node& stmt) {
  std::string out;
  for (auto& a : stmt.list("args")) {
    if (!out.empty()) out += ", ";
    sql::node c = a["A_Const"];
    if (c.has("sval")) out += std::string(c["sval"].str("sval"));
    else if (c.has("ival")) out += std::to_string(c["ival"].integer("ival", 0));
    else if (c.has("fval")) out += std::string(c["fval"].str("fval"));
    else if (c.has("boolval")) out += c["boolval"].boolean("boolval") ? "on" : "off";
    else if (a.type() == "TypeCast") out += std::string(a.inner()["arg"]["A_Const"]["sval"].str("sval"));
    else out += "0";
  }
  return out;
}

}  // namespace

session::session(engine& e) : engine_(e) {
  if (auto iso = parse_isolation(e.opts().default_isolation)) default_isolation_ = *iso;
  refresh_timeout();
}

void session::refresh_timeout() {
  auto it = settings_.find("statement_timeout");
  if (it == settings_.end()) {
    statement_timeout_ms_ = engine_.opts().statement_timeout_ms;
    return;
  }
  // The stored value is normalized ("0", "150ms", "2s", "5min", "1h", "1d").
  const std::string& v = it->second;
  size_t i = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') ++i;
  int64_t n = i ? std::stoll(v.substr(0, i)) : 0;
  std::string unit = v.substr(i);
  int64_t scale = unit == "s" ? 1000 : unit == "min" ? 60000 : unit == "h" ? 3600000 : unit == "d" ? 86400000 : 1;
  statement_timeout_ms_ = n * scale;
}

session::~session() {
  if (txn_) engine_.txns().abort(*txn_);
}

std::string session::setting(const std::string& name) const {
  std::string n = sql::lower(name);
  if (n == "transaction_isolation")
    return isolation_name(txn_ ? txn_->level : next_isolation_.value_or(default_isolation_));
  if (n == "default_transaction_isolation") return isolation_name(default_isolation_);
  auto it = settings_.find(n);
  if (n == "shared_buffers")  // the server's database.shared_buffers, the limit for table data
    return sql::normalize_setting(n, std::to_string(storage::table_memory::limit() / 1024));
  if (n == "statement_timeout" && it == settings_.end())  // the server's default (database.statement_timeout)
    return sql::normalize_setting(n, std::to_string(engine_.opts().statement_timeout_ms));
  if (it != settings_.end()) return it->second;
  auto d = default_settings().find(n);
  return d == default_settings().end() ? "" : d->second;
}

std::unique_ptr<txn::transaction> session::begin_txn(txn::isolation level) {
  auto t = engine_.txns().begin(level, std::move(spare_txn_));
  t->interrupt = &interrupt_;  // row-lock waits end on cancel and statement_timeout too
  return t;
}

std::string session::current_user() const {
  std::string u = setting("session_authorization");
  return u.empty() ? "postgres" : u;
}

void session::begin_implicit() {
  txn_ = begin_txn(next_isolation_.value_or(default_isolation_));
  next_isolation_.reset();
  engine_.txns().begin_statement(*txn_, true);
}

void session::finish_implicit(bool ok) {
  auto t = std::move(txn_);
  if (!t) return;
  if (ok)
    engine_.txns().commit(*t);
  else
    engine_.txns().abort(*t);
  spare_txn_ = std::move(t);
}

void session::plan(prepared_data& p) {
  if (p.plan && p.catalog_version == engine_.catalog().version()) return;
  uint64_t version = engine_.catalog().version();
  std::vector<sql_type> params = p.param_types;
  sql::binder b(engine_.catalog(), &params);
  b.current_user = current_user();
  b.current_database = setting("current_database").empty() ? engine_.database_name() : setting("current_database");
  b.cluster = &engine_.cluster();
  b.get_setting = [this](const std::string& n) { return setting(n); };
  b.set_setting = [this](const std::string& n, const std::string& v) {
    settings_[n] = v;
    ++settings_generation_;
    if (n == "statement_timeout") refresh_timeout();
  };
  b.backend_pid = int(reinterpret_cast<uintptr_t>(this) >> 4 & 0x3fffff);
  b.create_restore_point = engine_.restore_point_hook;
  sql::node inner = p.stmt.stmt.inner();
  if (p.cls == stmt_class::select) {
    auto q = b.bind_select(inner);
    p.plan = q.plan;
    p.names = q.names;
    p.types = q.types;
  } else if (p.cls == stmt_class::insert) {
    p.plan = b.bind_insert(inner);
  } else if (p.cls == stmt_class::update) {
    p.plan = b.bind_update(inner);
  } else if (p.cls == stmt_class::del) {
    p.plan = b.bind_delete(inner);
  }
  for (auto& t : params)
    if (t.id == type_id::unknown || t.id == type_id::null_) t = sql_type::text();
  p.param_types = params;
  p.point = p.plan ? exec::point_plan::compile(*p.plan) : nullptr;
  p.recycled.reset();
  p.catalog_version = version;
}

std::shared_ptr<result_data> session::execute_plan(prepared_data& p, const std::vector<value>* params,
                                                   const txn::snapshot& snap, txn::transaction* t) {
  // A point statement's previous result is reused when nobody holds it any more (its names
  // and types stay); everything else gets a fresh one.
  bool reuse = p.point && p.recycled && p.recycled.use_count() == 1;
  std::shared_ptr<result_data> result = reuse ? p.recycled : std::make_shared<result_data>();
  // Parameters of the planned types (converted only where a caller's differ).
  const std::vector<value>* args = params;
  std::vector<value> converted;
  if (params) {
    if (params->size() != p.param_types.size())
      throw db_error("08P01", "bind message supplies " + std::to_string(params->size()) +
                                  " parameters, but prepared statement requires " +
                                  std::to_string(p.param_types.size()));
    for (size_t i = 0; i < params->size(); ++i) {
      const value& v = (*params)[i];
      if (v.type() == p.param_types[i] || v.is_null()) continue;
      if (converted.empty()) converted = *params;
      converted[i] = cast_value(v, p.param_types[i], cast_kind::explicit_);
    }
    if (!converted.empty()) args = &converted;
  } else if (!p.param_types.empty()) {
    throw db_error(sqlstate::undefined_parameter, "there is no parameter $1");
  }
  exec::exec_ctx ctx;
  ctx.tm = &engine_.txns();
  ctx.txn = t;
  ctx.snap = snap;
  ctx.cat = &engine_.catalog();
  ctx.params = args;
  ctx.cancel = &interrupt_;
  ctx.settings.parallel_workers = engine_.opts().parallel_workers;
  ctx.settings.parallel_threshold_rows = engine_.opts().parallel_threshold_rows;
  ctx.settings.work_mem = engine_.opts().work_mem;
  if (p.cls == stmt_class::select) {
    if (p.point) {
      // The previous row stays for point_plan to overwrite in place (see point_plan::run).
      if (!reuse || !result->rows || result->rows.use_count() != 1)
        result->rows = std::make_shared<exec::row_collection>(p.plan->types);
      p.point->run(ctx, result->rows.get());
    } else {
      result->rows = exec::run_plan(*p.plan, ctx);
    }
    if (!reuse) {
      result->names = p.names;
      result->types = p.types;
    }
    set_tag(result->tag, "SELECT ", result->rows->row_count());
  } else {
    if (p.point)
      p.point->run(ctx, nullptr);
    else
      exec::run_plan(*p.plan, ctx);
    result->affected = ctx.rows_affected;
    set_tag(result->tag,
            p.cls == stmt_class::insert   ? "INSERT 0 "
            : p.cls == stmt_class::update ? "UPDATE "
                                          : "DELETE ",
            ctx.rows_affected);
  }
  if (p.point && p.recycled != result) p.recycled = result;  // (the same one: no refcount traffic)
  return result;
}

std::shared_ptr<result_data> session::run_in_transaction(prepared_data& p, const std::vector<value>* params) {
  // Autocommit: one transaction per statement; in a multi-statement string without BEGIN
  // (implicit_block_) one transaction for the whole string, as PostgreSQL's simple query.
  bool implicit = !explicit_block_ && !implicit_block_;
  if (implicit && !txn_ && p.cls == stmt_class::select) {
    // An autocommit point SELECT writes nothing: it reads at a snapshot published in the
    // session's reader slot (for the GC horizon) instead of starting a transaction.
    plan(p);
    if (p.point) {
      txn::snapshot_reader reader(engine_.txns(), reader_slot_);
      return execute_plan(p, params, reader.snap(), nullptr);
    }
  }
  if (!txn_) {
    begin_implicit();
  } else {
    engine_.txns().begin_statement(*txn_, first_in_txn_);
  }
  first_in_txn_ = false;
  // Queries and DML get their result from execute_plan; other statements fill this one.
  std::shared_ptr<result_data> result = p.is_dml_or_query() ? nullptr : std::make_shared<result_data>();
  try {
    if (p.is_dml_or_query()) {
      plan(p);
      result = execute_plan(p, params, engine_.txns().snapshot_of(*txn_), txn_.get());
      if (implicit) finish_implicit(true);
      return result;
    }
    sql::node inner = p.stmt.stmt.inner();
    const std::string& k = p.kind;
    if (k == "CreateStmt" || k == "DropStmt" || k == "IndexStmt" || k == "ViewStmt" || k == "AlterTableStmt")
      engine_.txns().begin_ddl(*txn_);  // before the catalog changes: one DDL transaction at a time
    if (k == "CreateStmt") {
      result->tag = sql::create_table(engine_, *txn_, inner, p.sql, result->notices);
    } else if (k == "DropStmt") {
      result->tag = sql::drop_objects(engine_, *txn_, inner, result->notices);
    } else if (k == "IndexStmt") {
      result->tag = sql::create_index(engine_, *txn_, inner, result->notices);
    } else if (k == "ViewStmt") {
      result->tag = sql::create_view(engine_, *txn_, inner, p.stmt.text, result->notices);
    } else if (k == "CheckPointStmt") {
      if (txn_->ddl_lock.owns_lock())  // the checkpoint would wait for this very transaction
        throw db_error(sqlstate::active_sql_transaction, "CHECKPOINT cannot run after DDL in the same transaction");
      if (engine_.checkpoint_hook) engine_.checkpoint_hook();  // in memory only: nothing to do
      result->tag = "CHECKPOINT";
    } else if (auto tag =
                   sql::utility_statement(engine_, *txn_, k, inner, {!implicit, current_user()}, result->notices)) {
      result->tag = *tag;
    } else if (k == "CopyStmt") {
      sql::reject_copy_without_protocol(engine_.catalog(), inner);
    } else if (k == "VacuumStmt") {
      if (!implicit && inner.boolean("is_vacuumcmd"))
        throw db_error(sqlstate::active_sql_transaction,
                       std::string(inner.boolean("is_vacuumcmd") ? "VACUUM" : "ANALYZE") +
                           " cannot run inside a transaction block");
      result->tag = inner.boolean("is_vacuumcmd") ? "VACUUM" : "ANALYZE";
    } else {
      std::string what = k.size() > 4 && k.substr(k.size() - 4) == "Stmt" ? k.substr(0, k.size() - 4) : k;
      throw db_error(sqlstate::feature_not_supported, "statement " + what + " is not supported");
    }
    if (implicit) finish_implicit(true);
    if (k == "VacuumStmt") engine_.txns().collect_garbage();
  } catch (...) {
    if (implicit || implicit_block_) {
      finish_implicit(false);
    } else if (txn_) {
      // The block is aborted: undo now, and refuse commands until ROLLBACK (25P02).
      engine_.txns().abort(*txn_);
      txn_.reset();
      failed_ = true;
    }
    throw;
  }
  return result;
}

std::shared_ptr<result_data> session::transaction_statement(prepared_data& p) {
  sql::node x = p.stmt.stmt.inner();
  std::string_view kind = x.str("kind");
  auto r = std::make_shared<result_data>();
  std::optional<txn::isolation> level;
  for (auto& o : x.list("options")) {
    sql::node d = o["DefElem"];
    if (d.str("defname") == "transaction_isolation") level = parse_isolation(d["arg"]["A_Const"]["sval"].str("sval"));
  }
  if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
    r->tag = "BEGIN";
    if (explicit_block_) {
      r->notices.push_back("WARNING:there is already a transaction in progress");
      return r;
    }
    if (implicit_block_) {
      // BEGIN inside a multi-statement string: the implicit block becomes a regular one.
      implicit_block_ = false;
      explicit_block_ = true;
      failed_ = false;
      if (txn_) {
        if (level) txn_->level = *level;
      } else {
        first_in_txn_ = true;
        txn_ = begin_txn(level.value_or(next_isolation_.value_or(default_isolation_)));
        next_isolation_.reset();
      }
      return r;
    }
    txn_ = begin_txn(level.value_or(next_isolation_.value_or(default_isolation_)));
    next_isolation_.reset();
    explicit_block_ = true;
    first_in_txn_ = true;
    failed_ = false;
    return r;
  }
  if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK") {
    bool commit = kind == "TRANS_STMT_COMMIT";
    r->tag = commit ? "COMMIT" : "ROLLBACK";
    if (implicit_block_) {
      finish_implicit(commit);  // ends the string's implicit transaction; later statements start a new one
      return r;
    }
    if (!explicit_block_) {
      r->notices.push_back("WARNING:there is no transaction in progress");
      return r;
    }
    auto t = std::move(txn_);
    explicit_block_ = false;
    if (failed_) {
      failed_ = false;
      r->tag = "ROLLBACK";
      return r;
    }
    if (commit)
      engine_.txns().commit(*t);
    else
      engine_.txns().abort(*t);
    spare_txn_ = std::move(t);
    return r;
  }
  throw db_error(sqlstate::feature_not_supported,
                 "transaction command " + std::string(kind.substr(11)) + " is not supported yet");
}

std::shared_ptr<result_data> session::set_statement(prepared_data& p) {
  sql::node x = p.stmt.stmt.inner();
  std::string_view kind = x.str("kind");
  std::string name = sql::lower(x.str("name"));
  if (kind == "VAR_SET_MULTI") {
    std::optional<txn::isolation> level;
    for (auto& a : x.list("args")) {
      sql::node d = a["DefElem"];
      if (d.str("defname") == "transaction_isolation") level = parse_isolation(d["arg"]["A_Const"]["sval"].str("sval"));
    }
    if (name == "session characteristics") {
      if (level) default_isolation_ = *level;
    } else if (level) {
      if (explicit_block_ && !first_in_txn_)
        throw db_error(sqlstate::active_sql_transaction, "SET TRANSACTION ISOLATION LEVEL must be called before any query");
      if (explicit_block_ && txn_)
        txn_->level = *level;
      else
        next_isolation_ = level;  // PostgreSQL warns that this has no effect outside a block
    }
    return ok_result("SET");
  }
  if (kind == "VAR_RESET_ALL") {
    settings_.clear();
    ++settings_generation_;
    refresh_timeout();
    return ok_result("RESET");
  }
  bool known = default_settings().count(name) || name == "transaction_isolation" || name.find('.') != std::string::npos;
  if (name == "shared_buffers")
    throw db_error("55P02", "parameter \"shared_buffers\" cannot be changed without restarting the server");
  if (!known) throw db_error(sqlstate::undefined_object, "unrecognized configuration parameter \"" + name + "\"");
  if (kind == "VAR_SET_DEFAULT" || kind == "VAR_RESET") {
    settings_.erase(name);
    ++settings_generation_;
    if (name == "default_transaction_isolation") default_isolation_ = txn::isolation::read_committed;
    if (name == "statement_timeout") refresh_timeout();
    return ok_result(kind == "VAR_RESET" ? "RESET" : "SET");
  }
  std::string v = set_value_text(x);
  if (name == "transaction_isolation" || name == "default_transaction_isolation") {
    auto level = parse_isolation(v);
    if (!level)
      throw db_error(sqlstate::invalid_parameter_value,
                     "invalid value for parameter \"" + name + "\": \"" + v + "\"");
    if (name == "default_transaction_isolation")
      default_isolation_ = *level;
    else if (explicit_block_ && txn_)
      txn_->level = *level;
    return ok_result("SET");
  }
  settings_[name] = sql::normalize_setting(name, v);
  ++settings_generation_;
  if (name == "statement_timeout") refresh_timeout();
  return ok_result("SET");
}

std::shared_ptr<result_data> session::show_statement(prepared_data& p) {
  std::string name = sql::lower(p.stmt.stmt.inner().str("name"));
  auto r = std::make_shared<result_data>();
  r->rows = std::make_shared<exec::row_collection>(std::vector<sql_type>{sql_type::text()});
  r->types = {sql_type::text()};
  exec::batch b;
  if (name == "all") {
    r->names = {"name", "setting"};
    r->types = {sql_type::text(), sql_type::text()};
    r->rows->set_types(r->types);
    std::map<std::string, std::string> all(default_settings().begin(), default_settings().end());
    for (auto& [k, v] : settings_) all[k] = v;
    exec::vector_writer n(sql_type::text(), uint32_t(all.size())), s(sql_type::text(), uint32_t(all.size()));
    uint32_t i = 0;
    for (auto& [k, v] : all) {
      n.data<string_t>()[i] = n.heap().make(k);
      s.data<string_t>()[i] = s.heap().make(setting(k));
      ++i;
    }
    b.cols = {n.finish(false), s.finish(false)};
    b.size = b.count = i;
  } else {
    std::string v = setting(name);
    if (v.empty() && !default_settings().count(name) && !settings_.count(name))
      throw db_error(sqlstate::undefined_object, "unrecognized configuration parameter \"" + name + "\"");
    r->names = {sql::setting_display_name(name)};
    exec::vector_writer w(sql_type::text(), 1);
    w.data<string_t>()[0] = w.heap().make(v);
    b.cols = {w.finish(false)};
    b.size = b.count = 1;
  }
  r->rows->append_chunk(b);
  r->tag = "SHOW";
  return r;
}

std::shared_ptr<result_data> session::run(prepared_data& p, const std::vector<value>* params, std::string_view full_sql) {
  statement_stack_scope stack_scope;
  engine_.stats().statements.fetch_add(1, std::memory_order_relaxed);
  interrupt_.arm(statement_timeout_ms_);
  struct disarm {
    storage::interrupt& i;
    ~disarm() { i.disarm(); }
  } disarm_at_end{interrupt_};
  try {
    if (p.error) return p.error;
    if (p.cls == stmt_class::transaction) return transaction_statement(p);
    if (failed_)
      throw db_error(sqlstate::in_failed_sql_transaction,
                     "current transaction is aborted, commands ignored until end of transaction block");
    if (p.cls == stmt_class::set) return set_statement(p);
    if (p.cls == stmt_class::show) return show_statement(p);
    return run_in_transaction(p, params);
  } catch (const db_error& e) {
    engine_.stats().errors.fetch_add(1, std::memory_order_relaxed);
    return error_result(e, full_sql);
  } catch (const std::bad_alloc&) {
    engine_.stats().errors.fetch_add(1, std::memory_order_relaxed);
    auto r = std::make_shared<result_data>();
    r->code = sqlstate::out_of_memory;
    r->message = "out of memory";
    return r;
  } catch (const std::exception& e) {
    engine_.stats().errors.fetch_add(1, std::memory_order_relaxed);
    auto r = std::make_shared<result_data>();
    r->code = sqlstate::internal_error;
    r->message = std::string("internal error: ") + e.what();
    return r;
  }
}

namespace {

/// Whether a string constant taken out as a parameter of inferred type t means what the
/// literal means: the literal is coerced without a length or scale, while the parameter is
/// cast to t, which would cut 'abcdef' to a varchar(3) or round '1.234' to a numeric(10,2).
bool string_param_type_ok(const sql_type& t) {
  switch (t.id) {
    case type_id::text:
    case type_id::boolean:
    case type_id::int16:
    case type_id::int32:
    case type_id::int64:
    case type_id::float32:
    case type_id::float64:
    case type_id::date:
    case type_id::timestamp:
      return true;
    case type_id::varchar:
    case type_id::numeric:
      return t.width < 0;
    default:
      return false;  // bpchar pads and compares without trailing blanks; others: not taken
  }
}

}  // namespace

std::shared_ptr<result_data> session::run_parameterized(std::string_view sql) {
  if (sql.size() > max_cached_text) return nullptr;
  auto q = sql::parameterize(sql);
  if (!q) return nullptr;
  uint64_t version = engine_.catalog().version();
  auto it = cached_plans_.find(q->key);
  if (it == cached_plans_.end() || it->second.catalog_version != version ||
      it->second.settings_generation != settings_generation_) {
    if (it == cached_plans_.end()) {
      if (cached_plans_.size() >= max_cached_plans || cached_bytes_ + q->key.size() > max_cached_bytes) {
        cached_plans_.clear();
        cached_bytes_ = 0;
      }
      cached_bytes_ += q->key.size();
    }
    // Planned without side effects: a text that does not plan leaves no trace (and runs as
    // written, which reports its error as usual).
    auto p = std::make_shared<prepared_data>();
    p->sql = q->text;
    p->param_types = q->types;
    try {
      statement_stack_scope stack_scope;
      p->tree = sql::parse_sql(q->text);
      if (p->tree.statements.size() == 1) {
        p->stmt = p->tree.statements[0];
        p->classify(p->stmt.stmt.type());
        if (p->is_dml_or_query()) {
          plan(*p);
          for (size_t i = 0; i < q->types.size() && p; ++i)
            if (q->types[i].id == type_id::unknown && !string_param_type_ok(p->param_types[i])) p.reset();
        } else {
          p.reset();
        }
      } else {
        p.reset();
      }
    } catch (const db_error&) {
      p.reset();
    }
    it = cached_plans_.insert_or_assign(q->key, cached_plan{std::move(p), version, settings_generation_}).first;
  }
  if (!it->second.plan) return nullptr;
  // Held here: a statement that changes a setting (set_config) or the catalog while it runs
  // may replace the cache entry.
  std::shared_ptr<prepared_data> p = it->second.plan;
  // String constants are converted to their inferred types here: one that does not convert
  // runs as written, so that its error points at the literal as PostgreSQL's does.
  for (size_t i = 0; i < q->values.size(); ++i) {
    if (q->types[i].id != type_id::unknown || p->param_types[i].id == type_id::text) continue;
    try {
      q->values[i] = cast_value(q->values[i], p->param_types[i], cast_kind::explicit_);
    } catch (const db_error&) {
      return nullptr;
    }
  }
  return run(*p, &q->values, sql);
}

std::vector<std::shared_ptr<result_data>> session::execute(std::string_view sql) {
  if (auto r = run_parameterized(sql)) return {r};
  std::vector<std::shared_ptr<result_data>> out;
  sql::parse_result tree;
  try {
    tree = sql::parse_sql(sql);
  } catch (const db_error& e) {
    out.push_back(error_result(e, sql));
    if (explicit_block_ && txn_) {
      engine_.txns().abort(*txn_);
      txn_.reset();
      failed_ = true;
    }
    return out;
  }
  implicit_block_ = tree.statements.size() > 1 && !explicit_block_;
  for (auto& st : tree.statements) {
    prepared_data p;
    p.sql = std::string(sql);
    p.stmt = st;
    p.classify(st.stmt.type());
    auto r = run(p, nullptr, sql);
    out.push_back(r);
    if (!r->ok()) break;
  }
  if (implicit_block_) {
    bool ok = !out.empty() && out.back()->ok();
    finish_implicit(ok);
    implicit_block_ = false;
  }
  return out;
}

void session::describe(const prepared_data& p, std::vector<std::string>& names, std::vector<sql_type>& types) const {
  names.clear();
  types.clear();
  if (p.error) return;
  if (p.cls == stmt_class::select) {
    names = p.names;
    types = p.types;
  } else if (p.cls == stmt_class::show) {
    std::string name = sql::lower(p.stmt.stmt.inner().str("name"));
    if (name == "all") {
      names = {"name", "setting"};
      types = {sql_type::text(), sql_type::text()};
    } else {
      names = {sql::setting_display_name(name)};
      types = {sql_type::text()};
    }
  }
}

void session::set_setting(const std::string& name, std::string value) {
  std::string n = sql::lower(name);
  if (n == "default_transaction_isolation") {
    if (auto level = parse_isolation(value)) default_isolation_ = *level;
  }
  settings_[n] = sql::normalize_setting(n, value);
  ++settings_generation_;
  if (n == "statement_timeout") refresh_timeout();
}

std::shared_ptr<prepared_data> session::prepare(std::string_view sql, const std::vector<sql_type>& declared) {
  auto p = std::make_shared<prepared_data>();
  p->sql = std::string(sql);
  p->param_types = declared;
  statement_stack_scope stack_scope;
  try {
    p->tree = sql::parse_sql(sql);
    if (p->tree.statements.size() > 1)
      throw db_error(sqlstate::syntax_error, "cannot insert multiple commands into a prepared statement");
    if (p->tree.statements.empty()) {
      p->kind = "";
      return p;
    }
    p->stmt = p->tree.statements[0];
    p->classify(p->stmt.stmt.type());
    if (p->is_dml_or_query()) {
      if (failed_)
        throw db_error(sqlstate::in_failed_sql_transaction,
                       "current transaction is aborted, commands ignored until end of transaction block");
      plan(*p);
    }
  } catch (const db_error& e) {
    p->error = error_result(e, sql);
    if (explicit_block_ && txn_ && e.code() != sqlstate::in_failed_sql_transaction) {
      // As in PostgreSQL, a failed PREPARE aborts the transaction block.
      engine_.txns().abort(*txn_);
      txn_.reset();
      failed_ = true;
    }
  }
  return p;
}

std::shared_ptr<result_data> session::execute_prepared(prepared_data& p, const std::vector<value>& params) {
  if (p.error) return p.error;
  if (p.kind.empty()) return ok_result("");
  return run(p, &params, p.sql);
}

const std::shared_ptr<result_data>& session::prepare_error(const prepared_data& p) const { return p.error; }
size_t session::param_count(const prepared_data& p) const { return p.param_types.size(); }
sql_type session::param_type(const prepared_data& p, size_t i) const { return p.param_types.at(i); }

// --- COPY (the formats and the load are in sql/copy.cpp) ---

sql::copy_kind session::copy_kind_of(const prepared_data& p) const {
  if (p.error || p.kind != "CopyStmt") return sql::copy_kind::none;
  return sql::copy_kind_of(p.stmt.stmt);
}

sql::copy_kind session::copy_kind_of(std::string_view sql) {
  if (!sql::starts_with_copy(sql)) return sql::copy_kind::none;
  try {
    auto tree = sql::parse_sql(sql);
    if (tree.statements.size() != 1) return sql::copy_kind::none;
    return sql::copy_kind_of(tree.statements[0].stmt);
  } catch (const db_error&) {
    return sql::copy_kind::none;
  }
}

void session::abort_block() {
  if (explicit_block_ && txn_) {
    engine_.txns().abort(*txn_);
    txn_.reset();
    failed_ = true;
  }
}

void session::end_copy(bool implicit, bool ok) {
  if (ok) {
    if (implicit) finish_implicit(true);
    return;
  }
  if (implicit || implicit_block_)
    finish_implicit(false);
  else
    abort_block();
}

std::shared_ptr<copy_in> session::begin_copy_in(prepared_data& p) {
  std::shared_ptr<copy_in> in(new copy_in(*this));
  statement_stack_scope stack_scope;
  engine_.stats().statements.fetch_add(1, std::memory_order_relaxed);
  interrupt_.arm(statement_timeout_ms_);  // the deadline covers the whole COPY (until the next statement arms)
  if (p.error) {
    in->error_ = p.error;
    in->done_ = true;
    return in;
  }
  try {
    if (failed_)
      throw db_error(sqlstate::in_failed_sql_transaction,
                     "current transaction is aborted, commands ignored until end of transaction block");
    bool implicit = !explicit_block_ && !implicit_block_;
    if (!txn_)
      begin_implicit();
    else
      engine_.txns().begin_statement(*txn_, first_in_txn_);
    first_in_txn_ = false;
    in->implicit_ = implicit;
    try {
      in->start(p.stmt.stmt.inner(), engine_, *txn_, &interrupt_);
    } catch (...) {
      end_copy(implicit, false);
      throw;
    }
  } catch (const db_error& e) {
    engine_.stats().errors.fetch_add(1, std::memory_order_relaxed);
    in->error_ = error_result(e, p.sql);
    in->done_ = true;
  }
  return in;
}

std::shared_ptr<copy_in> session::begin_copy_in(std::string_view sql) {
  auto p = prepare(sql);
  return begin_copy_in(*p);
}

std::shared_ptr<copy_out> session::run_copy_out(prepared_data& p) {
  std::shared_ptr<copy_out> out(new copy_out());
  if (p.error) {
    out->error_ = p.error;
    return out;
  }
  statement_stack_scope stack_scope;
  try {
    if (failed_)
      throw db_error(sqlstate::in_failed_sql_transaction,
                     "current transaction is aborted, commands ignored until end of transaction block");
    sql::copy_target target = sql::resolve_copy(engine_.catalog(), p.stmt.stmt.inner());
    if (target.spec.is_from)
      throw db_error(sqlstate::internal_error, "internal error: copy_out on a COPY FROM statement");
    prepared_data q;
    if (target.spec.has_query) {
      sql::node query = p.stmt.stmt.inner()["query"];
      if (query.type() != "SelectStmt")
        throw db_error(sqlstate::feature_not_supported, "COPY query must have a RETURNING clause");
      q.sql = p.sql;
      q.tree = p.tree;
      q.stmt = p.stmt;
      q.stmt.stmt = query;
    } else {
      q.sql = sql::copy_select_text(target);
      q.tree = sql::parse_sql(q.sql);
      q.stmt = q.tree.statements[0];
    }
    q.classify(q.stmt.stmt.type());
    auto r = run(q, nullptr, q.sql);
    if (!r->ok()) {
      if (!target.spec.has_query) r->position = 0;
      out->error_ = r;
      return out;
    }
    out->init(target.spec.opts, r, target.force_quote);
  } catch (const db_error& e) {
    engine_.stats().errors.fetch_add(1, std::memory_order_relaxed);
    out->error_ = error_result(e, p.sql);
    abort_block();
  }
  return out;
}

std::shared_ptr<copy_out> session::run_copy_out(std::string_view sql) {
  auto p = prepare(sql);
  return run_copy_out(*p);
}

}  // namespace db001::engine
