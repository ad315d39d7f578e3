#include "sql/parser.h"

#include <pg_query.h>

#include <cctype>
#include <cstring>

namespace db001::sql {

std::string_view node::type() const {
  simdjson::dom::object obj;
  if (!valid_ || e_.get_object().get(obj) != simdjson::SUCCESS) return {};
  for (auto [k, v] : obj) return k;
  return {};
}

node node::inner() const {
  simdjson::dom::object obj;
  if (!valid_ || e_.get_object().get(obj) != simdjson::SUCCESS) return {};
  for (auto [k, v] : obj) return node(v);
  return {};
}

node node::operator[](std::string_view key) const {
  simdjson::dom::object obj;
  if (!valid_ || e_.get_object().get(obj) != simdjson::SUCCESS) return {};
  simdjson::dom::element out;
  if (obj.at_key(key).get(out) != simdjson::SUCCESS) return {};
  return node(out);
}

std::string_view node::str(std::string_view key, std::string_view dflt) const {
  node n = (*this)[key];
  std::string_view v;
  if (!n.valid_ || n.e_.get_string().get(v) != simdjson::SUCCESS) return dflt;
  return v;
}

int64_t node::integer(std::string_view key, int64_t dflt) const {
  node n = (*this)[key];
  if (!n.valid_) return dflt;
  int64_t v;
  if (n.e_.get_int64().get(v) == simdjson::SUCCESS) return v;
  return dflt;
}

bool node::boolean(std::string_view key, bool dflt) const {
  node n = (*this)[key];
  if (!n.valid_) return dflt;
  bool v;
  if (n.e_.get_bool().get(v) == simdjson::SUCCESS) return v;
  return dflt;
}

std::vector<node> node::list(std::string_view key) const { return (*this)[key].items(); }

std::vector<node> node::items() const {
  std::vector<node> out;
  simdjson::dom::array arr;
  if (!valid_ || e_.get_array().get(arr) != simdjson::SUCCESS) return out;
  for (auto x : arr) out.emplace_back(x);
  return out;
}

std::string_view node::as_string() const {
  std::string_view v;
  if (!valid_ || e_.get_string().get(v) != simdjson::SUCCESS) return {};
  return v;
}

int64_t node::as_int() const {
  int64_t v = 0;
  if (valid_ && e_.get_int64().get(v) != simdjson::SUCCESS) v = 0;
  return v;
}

int node::location() const {
  int64_t l = integer("location", -1);
  return l < 0 ? 0 : int(l) + 1;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Byte offset of the first byte that does not belong to a valid UTF-8 sequence, or npos.
size_t invalid_utf8_at(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 0;
    if (n == 0 || c == 0xC0 || c == 0xC1 || c > 0xF4 || i + n >= s.size()) return i;
    for (size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

int char_position(std::string_view sql, int byte_pos_1based) {
  if (byte_pos_1based <= 0) return 0;
  int chars = 0;
  for (int i = 0; i < byte_pos_1based - 1 && i < int(sql.size()); ++i)
    if ((static_cast<unsigned char>(sql[i]) & 0xC0) != 0x80) ++chars;
  return chars + 1;
}

namespace {

/// libpg_query 15-4.0 writes a negative integer constant as an empty Integer ("ival":{}),
/// the same as 0. Recover the value from the source text at the constant's location: the
/// grammar folds leading minus signs (and parentheses) into the constant.
int64_t integer_at(std::string_view sql, size_t pos) {
  bool negative = false;
  while (pos < sql.size()) {
    char c = sql[pos];
    if (c == '-') {
      negative = !negative;
    } else if (c != '+' && c != '(' && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      break;
    }
    ++pos;
  }
  int64_t v = 0;
  while (pos < sql.size() && sql[pos] >= '0' && sql[pos] <= '9') {
    v = v * 10 + (sql[pos] - '0');
    if (v > INT64_MAX / 10) break;
    ++pos;
  }
  return negative ? -v : v;
}

std::string patch_negative_integers(std::string json, std::string_view sql) {
  static const std::string pattern = "{\"ival\":{},\"location\":";
  size_t at = 0;
  while ((at = json.find(pattern, at)) != std::string::npos) {
    size_t num = at + pattern.size();
    size_t end = num;
    while (end < json.size() && json[end] >= '0' && json[end] <= '9') ++end;
    size_t loc = std::stoul(json.substr(num, end - num));
    int64_t v = integer_at(sql, loc);
    if (v != 0) {
      std::string repl = "{\"ival\":{\"ival\":" + std::to_string(v) + "},\"location\":";
      json.replace(at, pattern.size(), repl);
      at += repl.size();
    } else {
      at = num;
    }
  }
  return json;
}

}  // namespace

parse_result parse_sql(std::string_view sql) {
  std::string text(sql);
  // libpg_query needs a NUL-terminated string; embedded NULs are rejected like PostgreSQL does.
  if (text.find('\0') != std::string::npos)
    throw db_error(sqlstate::character_not_in_repertoire, "invalid byte sequence for encoding \"UTF8\": 0x00");
  if (size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned char>(text[bad]));
    throw db_error(sqlstate::character_not_in_repertoire, std::string("invalid byte sequence for encoding \"UTF8\": ") + buf);
  }
  PgQueryParseResult r = pg_query_parse(text.c_str());
  if (r.error) {
    std::string msg = r.error->message ? r.error->message : "syntax error";
    int pos = r.error->cursorpos;  // PostgreSQL's own cursor position: already in characters
    pg_query_free_parse_result(r);
    bool too_deep = msg.find("stack depth limit exceeded") != std::string::npos;
    db_error e(too_deep ? "54001" : sqlstate::syntax_error, msg, too_deep ? 0 : pos);
    e.set_position_in_chars();
    throw e;
  }
  parse_result out;
  out.json_ = std::make_shared<std::string>(patch_negative_integers(r.parse_tree, text));
  pg_query_free_parse_result(r);
  // Deeply nested statements make deep JSON: allow what the stack guard allows later.
  out.parser_ = std::make_shared<simdjson::dom::parser>(simdjson::SIMDJSON_MAXSIZE_BYTES);
  if (out.parser_->allocate(out.json_->size() + 64, 200000) != simdjson::SUCCESS)
    throw db_error(sqlstate::out_of_memory, "out of memory");
  simdjson::dom::element root;
  if (out.parser_->parse(*out.json_).get(root) != simdjson::SUCCESS)
    throw db_error("54001", "stack depth limit exceeded");
  node top(root);
  for (auto& s : top.list("stmts")) {
    raw_statement st;
    st.stmt = s["stmt"];
    int64_t loc = s.integer("stmt_location", 0);
    int64_t len = s.integer("stmt_len", 0);
    if (len == 0) len = int64_t(text.size()) - loc;
    st.offset = int(loc);
    st.text = text.substr(size_t(loc), size_t(len));
    out.statements.push_back(std::move(st));
  }
  return out;
}

parse_result parse_json(const std::string& json) {
  parse_result out;
  out.json_ = std::make_shared<std::string>(json);
  out.parser_ = std::make_shared<simdjson::dom::parser>();
  simdjson::dom::element root;
  if (out.parser_->parse(*out.json_).get(root) != simdjson::SUCCESS)
    throw db_error(sqlstate::internal_error, "cannot read a stored parse tree");
  raw_statement st;
  st.stmt = node(root);
  out.statements.push_back(std::move(st));
  return out;
}

}  // namespace db001::sql
