#include "actors/pgwire/backend_writer.h"

#include <charconv>

#include "actors/pgwire/value_codec.h"
#include "exec/batch.h"
#include "sql/engine.h"

namespace db001::pgwire {

const char* severity_name(severity s) {
  switch (s) {
    case severity::error:
      return "ERROR";
    case severity::fatal:
      return "FATAL";
    case severity::panic:
      return "PANIC";
    case severity::warning:
      return "WARNING";
    case severity::notice:
      return "NOTICE";
    case severity::debug:
      return "DEBUG";
    case severity::info:
      return "INFO";
    case severity::log:
      return "LOG";
  }
  return "ERROR";
}

error_fields fields_of(const db_error& e, severity level) {
  return error_fields{level, e.code(), e.what(), e.detail(), e.hint(), e.position()};
}

error_fields fields_of(const engine::result_data& r, severity level) {
  return error_fields{level, r.code, r.message, r.detail, r.hint, r.position, r.context};
}

size_t backend_writer::begin(char type) {
  const size_t at = buf_.size();
  const char hdr[5] = {type, 0, 0, 0, 0};
  buf_.append(hdr, 5);
  return at;
}

void backend_writer::end(size_t at) {
  const auto len = uint32_t(buf_.size() - at - 1);
  buf_[at + 1] = char(len >> 24);
  buf_[at + 2] = char(len >> 16);
  buf_[at + 3] = char(len >> 8);
  buf_[at + 4] = char(len);
}

void backend_writer::put16(uint16_t v) {
  const char b[2] = {char(v >> 8), char(v)};
  buf_.append(b, 2);
}

void backend_writer::put32(uint32_t v) {
  const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  buf_.append(b, 4);
}

void backend_writer::put_string(std::string_view s) {
  buf_.append(s);
  buf_.push_back('\0');
}

void backend_writer::empty_message(char type) {
  const char msg[5] = {type, 0, 0, 0, 4};
  buf_.append(msg, 5);
}

// --- Start-up and authentication -------------------------------------------------------------

void backend_writer::authentication_ok() {
  const size_t at = begin(backend_type::authentication);
  put32(auth_code::ok);
  end(at);
}

void backend_writer::authentication_cleartext_password() {
  const size_t at = begin(backend_type::authentication);
  put32(auth_code::cleartext_password);
  end(at);
}

void backend_writer::authentication_sasl(std::span<const std::string_view> mechanisms) {
  const size_t at = begin(backend_type::authentication);
  put32(auth_code::sasl);
  for (auto m : mechanisms) put_string(m);
  put8(0);
  end(at);
}

void backend_writer::authentication_sasl_continue(std::string_view data) {
  const size_t at = begin(backend_type::authentication);
  put32(auth_code::sasl_continue);
  buf_.append(data);
  end(at);
}

void backend_writer::authentication_sasl_final(std::string_view data) {
  const size_t at = begin(backend_type::authentication);
  put32(auth_code::sasl_final);
  buf_.append(data);
  end(at);
}

void backend_writer::parameter_status(std::string_view name, std::string_view value) {
  const size_t at = begin(backend_type::parameter_status);
  put_string(name);
  put_string(value);
  end(at);
}

void backend_writer::backend_key_data(int32_t pid, int32_t secret) {
  const size_t at = begin(backend_type::backend_key_data);
  put32(uint32_t(pid));
  put32(uint32_t(secret));
  end(at);
}

void backend_writer::negotiate_protocol_version(int32_t newest_minor, std::span<const std::string> unrecognized) {
  const size_t at = begin(backend_type::negotiate_protocol_version);
  put32(uint32_t(protocol_version(3, newest_minor)));
  put32(uint32_t(unrecognized.size()));
  for (const auto& o : unrecognized) put_string(o);
  end(at);
}

void backend_writer::ready_for_query(transaction_status status) {
  const char msg[6] = {backend_type::ready_for_query, 0, 0, 0, 5, char(status)};
  buf_.append(msg, 6);
}

// --- Results ---------------------------------------------------------------------------------

void backend_writer::row_description(std::span<const std::string> names, std::span<const sql_type> types,
                                     std::span<const int16_t> formats) {
  const size_t at = begin(backend_type::row_description);
  put16(uint16_t(names.size()));
  for (size_t i = 0; i < names.size(); ++i) {
    const wire_type w = wire_type_of(i < types.size() ? types[i] : sql_type::text());
    put_string(names[i]);
    put32(0);  // table OID
    put16(0);  // column number
    put32(w.oid);
    put16(uint16_t(w.typlen));
    put32(uint32_t(w.typmod));
    put16(uint16_t(format_for(formats, i)));
  }
  end(at);
}

void backend_writer::data_row(std::span<const value> values, std::span<const int16_t> formats) {
  const size_t at = begin(backend_type::data_row);
  put16(uint16_t(values.size()));
  for (size_t i = 0; i < values.size(); ++i) append_field(buf_, values[i], format_for(formats, i));
  end(at);
}

size_t backend_writer::data_rows(const exec::row_collection& rows, size_t first, size_t max_rows,
                                 std::span<const int16_t> formats) {
  const size_t total = rows.row_count();
  if (first >= total || max_rows == 0) return 0;
  const size_t want = std::min(max_rows, total - first);
  auto [ci, r] = rows.locate(first);
  size_t written = 0;
  const size_t ncols = rows.types().size();
  while (written < want && ci < rows.chunk_count()) {
    const exec::batch& b = rows.chunk(ci);
    for (; r < b.count && written < want; ++r, ++written) {
      const uint32_t row = b.row(r);
      const size_t at = begin(backend_type::data_row);
      put16(uint16_t(ncols));
      for (size_t c = 0; c < ncols; ++c) append_field(buf_, b.cols[c], row, format_for(formats, c));
      end(at);
    }
    ++ci;
    r = 0;
  }
  return written;
}

void backend_writer::command_complete(std::string_view tag) {
  const size_t at = begin(backend_type::command_complete);
  put_string(tag);
  end(at);
}

void backend_writer::empty_query_response() { empty_message(backend_type::empty_query_response); }

void backend_writer::fields(const error_fields& f) {
  const char* sev = severity_name(f.level);
  put8(uint8_t(error_field::severity));
  put_string(sev);
  put8(uint8_t(error_field::severity_nonlocalized));
  put_string(sev);
  put8(uint8_t(error_field::code));
  put_string(f.code.empty() ? std::string_view(sqlstate::internal_error) : std::string_view(f.code));
  put8(uint8_t(error_field::message));
  put_string(f.message);
  if (!f.detail.empty()) {
    put8(uint8_t(error_field::detail));
    put_string(f.detail);
  }
  if (!f.hint.empty()) {
    put8(uint8_t(error_field::hint));
    put_string(f.hint);
  }
  if (f.position > 0) {
    char tmp[16];
    auto r = std::to_chars(tmp, tmp + sizeof tmp, f.position);
    put8(uint8_t(error_field::position));
    put_string(std::string_view(tmp, size_t(r.ptr - tmp)));
  }
  if (!f.context.empty()) {
    put8(uint8_t(error_field::context));
    put_string(f.context);
  }
  put8(0);
}

void backend_writer::error_response(const error_fields& f) {
  const size_t at = begin(backend_type::error_response);
  fields(f);
  end(at);
}

void backend_writer::notice_response(const error_fields& f) {
  const size_t at = begin(backend_type::notice_response);
  fields(f);
  end(at);
}

void backend_writer::notice(std::string_view message) {
  notice_response(error_fields{severity::notice, sqlstate::successful, std::string(message), {}, {}, 0, {}});
}

// --- Extended query --------------------------------------------------------------------------

void backend_writer::parse_complete() { empty_message(backend_type::parse_complete); }
void backend_writer::bind_complete() { empty_message(backend_type::bind_complete); }
void backend_writer::close_complete() { empty_message(backend_type::close_complete); }
void backend_writer::no_data() { empty_message(backend_type::no_data); }
void backend_writer::portal_suspended() { empty_message(backend_type::portal_suspended); }

void backend_writer::parameter_description(std::span<const uint32_t> oids) {
  const size_t at = begin(backend_type::parameter_description);
  put16(uint16_t(oids.size()));
  for (uint32_t o : oids) put32(o);
  end(at);
}

void backend_writer::parameter_description(std::span<const sql_type> types) {
  const size_t at = begin(backend_type::parameter_description);
  put16(uint16_t(types.size()));
  for (const sql_type& t : types) put32(wire_type_of(t).oid);
  end(at);
}

// --- COPY ------------------------------------------------------------------------------------

void backend_writer::copy_response(char type, int8_t format, std::span<const int16_t> column_formats) {
  const size_t at = begin(type);
  put8(uint8_t(format));
  put16(uint16_t(column_formats.size()));
  for (int16_t f : column_formats) put16(uint16_t(f));
  end(at);
}

void backend_writer::copy_in_response(int8_t format, std::span<const int16_t> column_formats) {
  copy_response(backend_type::copy_in_response, format, column_formats);
}

void backend_writer::copy_out_response(int8_t format, std::span<const int16_t> column_formats) {
  copy_response(backend_type::copy_out_response, format, column_formats);
}

void backend_writer::copy_data(std::string_view data) {
  const size_t at = begin(backend_type::copy_data);
  buf_.append(data);
  end(at);
}

void backend_writer::copy_done() { empty_message(backend_type::copy_done); }

}  // namespace db001::pgwire
