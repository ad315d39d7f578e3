#include "actors/pgwire/frontend_decoder.h"

#include <cstdio>
#include <cstring>

#include "actors/pgwire/wire_reader.h"
#include "sql/parser.h"

namespace db001::pgwire {

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

void check_utf8(std::string_view s) {
  size_t bad = std::memchr(s.data(), 0, s.size())
                   ? static_cast<const char*>(std::memchr(s.data(), 0, s.size())) - s.data()
                   : std::string_view::npos;
  size_t inv = sql::invalid_utf8_at(s);
  if (inv < bad) bad = inv;
  if (bad == std::string_view::npos) [[likely]]
    return;
  // PostgreSQL's report_invalid_encoding: the bytes of the character that starts at the bad
  // byte (its length from the lead byte), as far as the string goes.
  const auto c = static_cast<unsigned char>(s[bad]);
  size_t len = (c & 0x80) == 0 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 1;
  if (len > s.size() - bad) len = s.size() - bad;
  std::string msg = "invalid byte sequence for encoding \"UTF8\": ";
  for (size_t i = 0; i < len; ++i) {
    char hex[8];
    std::snprintf(hex, sizeof hex, i ? " 0x%02x" : "0x%02x", static_cast<unsigned char>(s[bad + i]));
    msg += hex;
  }
  throw db_error(sqlstate::character_not_in_repertoire, msg);
}

const std::string* startup_message::find(std::string_view key) const {
  for (const auto& [k, v] : params)
    if (k == key) return &v;
  return nullptr;
}

std::string startup_message::user() const {
  const std::string* u = find("user");
  return u ? *u : std::string();
}

std::string startup_message::database() const {
  const std::string* d = find("database");
  return d && !d->empty() ? *d : user();
}

std::vector<std::string> startup_message::protocol_options() const {
  std::vector<std::string> out;
  for (const auto& kv : params)
    if (kv.first.starts_with("_pq_.")) out.push_back(kv.first);
  return out;
}

std::string parse_password_message(const password_message& m) {
  // PostgreSQL's recv_password_packet: exactly one NUL-terminated string.
  const size_t n = std::strlen(m.body.c_str());
  if (n + 1 != m.body.size()) throw db_error(sqlstate::protocol_violation, "invalid password packet size");
  return m.body.substr(0, n);
}

sasl_initial_response parse_sasl_initial_response(const password_message& m) {
  wire_reader r(m.body);
  sasl_initial_response out;
  out.mechanism = std::string(r.raw_string());
  const int32_t len = r.i32();
  if (len != -1) out.data = std::string(r.bytes(len));
  r.end();
  return out;
}

void check_bind_param_count(const bind_message& m, size_t statement_params) {
  if (m.params.size() != statement_params) {
    throw db_error(sqlstate::protocol_violation, "bind message supplies " + std::to_string(m.params.size()) +
                                                     " parameters, but prepared statement \"" + m.statement +
                                                     "\" requires " + std::to_string(statement_params));
  }
}

void check_result_format_count(const bind_message& m, size_t columns) {
  const size_t n = m.result_formats.size();
  if (n > 1 && n != columns) {
    throw db_error(sqlstate::protocol_violation, "bind message has " + std::to_string(n) +
                                                     " result formats but query has " + std::to_string(columns) +
                                                     " columns");
  }
}

// ---------------------------------------------------------------------------------------------
// Decoder
// ---------------------------------------------------------------------------------------------

void frontend_decoder::feed(const char* data, size_t n) {
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ >= 4096 && pos_ * 2 >= buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(data, n);
}

void frontend_decoder::fail(db_error e) {
  failed_ = e;
  throw e;
}

std::optional<frontend_message> frontend_decoder::next() {
  if (failed_) throw *failed_;
  return startup_ ? next_startup() : next_typed();
}

std::optional<frontend_message> frontend_decoder::next_startup() {
  if (buffered() < 4) return std::nullopt;
  const auto len = static_cast<int32_t>(read_be32(buf_.data() + pos_));
  // PostgreSQL's ProcessStartupPacket: the length counts itself; the body (after it) holds at
  // least the version code and at most MAX_STARTUP_PACKET_LENGTH bytes.
  if (len < 8) fail(db_error(sqlstate::protocol_violation, "invalid length of startup packet"));
  if (uint32_t(len) - 4 > limits_.max_startup)
    fail(db_error(sqlstate::program_limit_exceeded, "invalid length of startup packet"));
  if (buffered() < size_t(len)) return std::nullopt;
  const char* p = buf_.data() + pos_ + 4;
  const size_t body_len = size_t(len) - 4;
  pos_ += size_t(len);
  const auto code = static_cast<int32_t>(read_be32(p));

  if (code == cancel_request_code) {
    if (body_len != 12) fail(db_error(sqlstate::protocol_violation, "invalid length of startup packet"));
    return cancel_request{static_cast<int32_t>(read_be32(p + 4)), static_cast<int32_t>(read_be32(p + 8))};
  }
  if (code == ssl_request_code || code == gssenc_request_code) {
    if (body_len != 4) fail(db_error(sqlstate::protocol_violation, "invalid length of startup packet"));
    if (code == ssl_request_code) return ssl_request{};
    return gssenc_request{};
  }
  if (protocol_major(code) != 3) {
    char msg[128];
    std::snprintf(msg, sizeof msg, "unsupported frontend protocol %d.%d: server supports 3.0 to 3.0",
                  protocol_major(code), protocol_minor(code));
    fail(db_error(sqlstate::feature_not_supported, msg));
  }
  // Parameters: name\0value\0 ... \0 (PostgreSQL's loop: a missing value ends the list, and the
  // terminator must be the last byte).
  startup_message m;
  m.version = code;
  const char* buf = p + 4;
  const size_t n = body_len - 4;
  size_t offset = 0;
  while (offset < n) {
    const char* name = buf + offset;
    const void* name_end = std::memchr(name, 0, n - offset);
    if (!name_end) break;
    if (*name == '\0') break;
    const size_t name_len = static_cast<const char*>(name_end) - name;
    const size_t val_off = offset + name_len + 1;
    if (val_off >= n) break;
    const char* val = buf + val_off;
    const void* val_end = std::memchr(val, 0, n - val_off);
    if (!val_end) {
      offset = n;  // unterminated value: not a valid layout
      break;
    }
    const size_t val_len = static_cast<const char*>(val_end) - val;
    m.params.emplace_back(std::string(name, name_len), std::string(val, val_len));
    offset = val_off + val_len + 1;
  }
  if (n == 0 || offset != n - 1 || buf[offset] != '\0')
    fail(db_error(sqlstate::protocol_violation, "invalid startup packet layout: expected terminator as last byte"));
  startup_ = false;
  return m;
}

namespace {

/// Decodes the body of a typed message (already framed and consumed).
frontend_message decode_body(char type, std::string_view body) {
  wire_reader r(body);
  switch (type) {
    case frontend_type::query: {
      query_message m;
      m.sql = std::string(r.string());
      r.end();
      return m;
    }
    case frontend_type::parse: {
      parse_message m;
      m.name = std::string(r.string());
      m.sql = std::string(r.string());
      const uint16_t n = r.u16();
      r.need(size_t(n) * 4);
      m.param_oids.resize(n);
      for (auto& o : m.param_oids) o = uint32_t(r.i32());
      r.end();
      return m;
    }
    case frontend_type::bind: {
      bind_message m;
      m.portal = std::string(r.string());
      m.statement = std::string(r.string());
      const uint16_t nf = r.u16();
      r.need(size_t(nf) * 2);
      m.param_formats.resize(nf);
      for (auto& f : m.param_formats) f = r.i16();
      const uint16_t np = r.u16();
      if (nf > 1 && nf != np) {
        throw db_error(
            sqlstate::protocol_violation,
            "bind message has " + std::to_string(nf) + " parameter formats but " + std::to_string(np) + " parameters");
      }
      r.need(size_t(np) * 4);
      m.params.reserve(np);
      for (uint16_t i = 0; i < np; ++i) {
        const int32_t len = r.i32();
        if (len == -1) {
          m.params.emplace_back(std::nullopt);
        } else {
          m.params.emplace_back(std::string(r.bytes(len)));
        }
      }
      const uint16_t nr = r.u16();
      r.need(size_t(nr) * 2);
      m.result_formats.resize(nr);
      for (auto& f : m.result_formats) f = r.i16();
      r.end();
      for (int16_t f : m.param_formats)
        if (f != format_text && f != format_binary)
          throw db_error(sqlstate::invalid_parameter_value, "unsupported format code: " + std::to_string(f));
      for (int16_t f : m.result_formats)
        if (f != format_text && f != format_binary)
          throw db_error(sqlstate::invalid_parameter_value, "unsupported format code: " + std::to_string(f));
      return m;
    }
    case frontend_type::describe:
    case frontend_type::close: {
      const char kind = char(r.byte());
      std::string name(r.string());
      r.end();
      if (kind != 'S' && kind != 'P') {
        throw db_error(sqlstate::protocol_violation,
                       std::string(type == frontend_type::describe ? "invalid DESCRIBE message subtype "
                                                                   : "invalid CLOSE message subtype ") +
                           std::to_string(int(kind)));
      }
      if (type == frontend_type::describe) return describe_message{kind, std::move(name)};
      return close_message{kind, std::move(name)};
    }
    case frontend_type::execute: {
      execute_message m;
      m.portal = std::string(r.string());
      m.max_rows = r.i32();
      r.end();
      return m;
    }
    case frontend_type::sync:
      r.end();
      return sync_message{};
    case frontend_type::flush:
      r.end();
      return flush_message{};
    case frontend_type::terminate:
      return terminate_message{};
    case frontend_type::copy_data:
      return copy_data_message{std::string(body)};
    case frontend_type::copy_done:
      return copy_done_message{};
    case frontend_type::copy_fail:
      return copy_fail_message{std::string(r.string())};
    case frontend_type::password:
      return password_message{std::string(body)};
    case frontend_type::function_call:
      throw db_error(sqlstate::feature_not_supported, "fastpath function calls not supported");
  }
  throw db_error(sqlstate::internal_error, "internal error: unhandled frontend message type");
}

}  // namespace

std::optional<frontend_message> frontend_decoder::next_typed() {
  if (buffered() < 1) return std::nullopt;
  const char type = buf_[pos_];
  uint32_t limit;
  switch (type) {
    case frontend_type::query:
    case frontend_type::parse:
    case frontend_type::bind:
    case frontend_type::function_call:
    case frontend_type::copy_data:
    case frontend_type::copy_done:
    case frontend_type::copy_fail:
      limit = limits_.max_message;
      break;
    case frontend_type::describe:
    case frontend_type::close:
    case frontend_type::execute:
    case frontend_type::flush:
    case frontend_type::sync:
    case frontend_type::terminate:
      limit = limits_.max_small_message;
      break;
    case frontend_type::password:
      limit = limits_.max_auth_message;
      break;
    default:
      // PostgreSQL prints the type byte as pq_getbyte returns it (0..255).
      fail(db_error(sqlstate::protocol_violation,
                    "invalid frontend message type " + std::to_string(int(static_cast<unsigned char>(type)))));
  }
  if (buffered() < 5) return std::nullopt;
  const auto len = static_cast<int32_t>(read_be32(buf_.data() + pos_ + 1));
  if (len < 4) fail(db_error(sqlstate::protocol_violation, "invalid message length"));
  if (uint32_t(len) > limit) {
    fail(db_error(sqlstate::program_limit_exceeded, "invalid message length")
             .with_detail("Message of type \"" + std::string(1, type) + "\" has length " + std::to_string(len) +
                          ", the limit is " + std::to_string(limit) + "."));
  }
  if (buffered() < size_t(len) + 1) return std::nullopt;
  const std::string_view body(buf_.data() + pos_ + 5, size_t(len) - 4);
  pos_ += size_t(len) + 1;  // consumed before decoding: a bad body does not stall the stream
  return decode_body(type, body);
}

}  // namespace db001::pgwire
