#pragma once
/// Parsing with libpg_query (PostgreSQL 15's own grammar). The parse tree arrives as JSON
/// and is walked with simdjson's DOM; `node` wraps an element with the accessors the
/// binder needs. Only sql/ includes this header (simdjson is heavy).
#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/error.h"

namespace db001::sql {

/// A parse-tree node: a JSON object, usually of the form {"NodeType": {fields...}}.
class node {
 public:
  node() = default;
  explicit node(simdjson::dom::element e) : e_(e), valid_(true) {}

  bool valid() const { return valid_; }
  explicit operator bool() const { return valid_; }
  /// For {"Type": {...}}: "Type"; "" otherwise.
  std::string_view type() const;
  /// For {"Type": {...}}: the inner object.
  node inner() const;
  /// Field of an object (invalid node if absent).
  node operator[](std::string_view key) const;
  bool has(std::string_view key) const { return (*this)[key].valid(); }
  std::string_view str(std::string_view key, std::string_view dflt = "") const;
  int64_t integer(std::string_view key, int64_t dflt = 0) const;
  bool boolean(std::string_view key, bool dflt = false) const;
  /// Elements of an array field (empty if absent).
  std::vector<node> list(std::string_view key) const;
  /// Elements of this node if it is an array.
  std::vector<node> items() const;
  bool is_string() const { return valid_ && e_.is_string(); }
  std::string_view as_string() const;
  int64_t as_int() const;
  /// The node re-serialized as JSON (to store defaults and views).
  std::string json() const { return simdjson::to_string(e_); }
  /// Location field (0-based byte offset) converted to PostgreSQL's 1-based position, or 0.
  int location() const;

 private:
  simdjson::dom::element e_;
  bool valid_ = false;
};

/// One statement of a parsed string: its node and its text.
struct raw_statement {
  node stmt;
  std::string text;  ///< the statement's own text (without the trailing ';')
  int offset = 0;    ///< byte offset of the statement in the whole string
};

/// The parse of a query string; owns the JSON the nodes point into.
class parse_result {
 public:
  std::vector<raw_statement> statements;

 private:
  friend parse_result parse_sql(std::string_view sql);
  friend parse_result parse_json(const std::string& json);
  std::shared_ptr<simdjson::dom::parser> parser_;
  std::shared_ptr<std::string> json_;
};

/// s with ASCII letters lower-cased (identifiers and keywords from parse nodes).
std::string lower(std::string_view s);
/// Byte offset of the first invalid UTF-8 byte of s, or npos.
size_t invalid_utf8_at(std::string_view s);
/// PostgreSQL reports positions in characters; parse-tree locations are bytes (1-based both).
int char_position(std::string_view sql, int byte_pos_1based);

/// Parses SQL text; throws db_error 42601 (with PostgreSQL's message and the 1-based byte
/// position of the error) on a syntax error.
parse_result parse_sql(std::string_view sql);
/// Parses a stored node (JSON) back into a tree; its single statement's node is the root.
parse_result parse_json(const std::string& json);

}  // namespace db001::sql
