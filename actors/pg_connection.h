#pragma once
/// One client connection's PostgreSQL v3 protocol, without I/O: bytes in (on_bytes), backend
/// messages out (out()). It owns the connection's engine session and its prepared statements
/// and portals, and runs start-up (SSLRequest refused, CancelRequest, StartupMessage),
/// authentication (trust, cleartext password, SCRAM-SHA-256), the simple query protocol and
/// the extended one (Parse/Bind/Describe/Execute with row limits and portal suspension, Close,
/// Sync, Flush, skipping to Sync after an error). The server's session (pg_server.cpp) owns the
/// socket and drives one of these; tests drive it with byte strings.
///
/// Not thread-safe: one thread at a time (a session pool thread), except that cancel() of its
/// session may come from any thread (through the cluster's backend registry).
#include <functional>
#include <span>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actors/pgwire/backend_writer.h"
#include "actors/pgwire/frontend_decoder.h"

namespace db001::engine {
class session;
class copy_in;
struct prepared_data;
struct result_data;
}  // namespace db001::engine

namespace db001::pgwire {
class scram_server;
}

namespace db001::actors {

class cluster;

class pg_connection {
 public:
  struct peer_info {
    bool local = true;        ///< loopback TCP or Unix socket (auth.local applies)
    std::string address;      ///< for messages
  };
  /// `flush` sends the pending output (called when it grows large in the middle of a result).
  pg_connection(cluster& c, peer_info peer, std::function<void(std::string_view)> flush);
  ~pg_connection();
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  /// Consumes received bytes and handles every complete message.
  void on_bytes(const char* data, size_t n);
  /// The client went away: ends the session (an open transaction rolls back).
  void on_disconnect();
  /// The pending output; the caller sends and clears it after on_bytes.
  pgwire::backend_writer& out() { return out_; }
  /// True once the connection should be closed (Terminate, a FATAL error, a CancelRequest).
  bool closing() const { return closing_; }
  /// The client has gone quiet: frees the input and output buffers' capacity (they keep the
  /// largest message and result batch seen). REQUIRES: the output was sent.
  void on_idle();

 private:
  struct statement;
  struct portal;
  enum class state { startup, auth_password, auth_sasl, ready };

  template <class M>
  void handle(M& m);
  void startup(const pgwire::startup_message& m);
  void authenticate(const pgwire::password_message& m);
  void finish_startup();
  void simple_query(const std::string& sql);
  /// COPY FROM STDIN / TO STDOUT of a simple query; false if sql is no such statement.
  bool copy_query(const std::string& sql);
  void copy_message(const pgwire::copy_data_message* data, const pgwire::copy_done_message* done,
                    const pgwire::copy_fail_message* fail);
  void parse(pgwire::parse_message& m);
  void bind(pgwire::bind_message& m);
  void describe(const pgwire::describe_message& m);
  void execute(const pgwire::execute_message& m);
  void close(const pgwire::close_message& m);
  void sync();

  /// Sends a statement's notices, then its error or its rows and CommandComplete.
  void send_result(const engine::result_data& r, bool row_description, std::span<const int16_t> formats);
  void send_notices(const engine::result_data& r);
  void error(const db_error& e);
  void fatal(const db_error& e);
  void ready_for_query();
  void maybe_flush();

  cluster& cluster_;
  peer_info peer_;
  std::function<void(std::string_view)> flush_;
  pgwire::frontend_decoder dec_;
  pgwire::backend_writer out_;
  state state_ = state::startup;
  bool closing_ = false;
  bool ignore_till_sync_ = false;
  bool admitted_ = false;
  bool extended_ = false;  ///< an extended-query message arrived since the last Sync

  std::string user_, database_;
  std::vector<std::pair<std::string, std::string>> startup_params_;
  std::unique_ptr<pgwire::scram_server> scram_;
  bool dec_sasl_started_ = false;  ///< the SASLInitialResponse arrived
  std::string password_;  ///< the role's stored password (cleartext method)

  std::unique_ptr<engine::session> session_;
  std::shared_ptr<engine::copy_in> copy_in_;  ///< a COPY FROM STDIN receiving CopyData
  bool copy_failed_ = false;                  ///< its error was sent: discard until CopyDone/Fail
  int32_t pid_ = 0;
  std::map<std::string, std::shared_ptr<statement>> statements_;
  std::map<std::string, std::shared_ptr<portal>> portals_;
};

}  // namespace db001::actors
