#include "sql/auto_param.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "sql/parser.h"

namespace db001::sql {

namespace {

enum class tok : uint8_t { word, quoted_ident, string, special_string, number, op, lparen, rparen, comma, semicolon, other };

struct token {
  tok kind;
  size_t begin, end;  ///< bytes of sql
};

bool ident_start(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; }
bool ident_char(unsigned char c) { return ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }
bool digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool op_char(char c) {
  switch (c) {
    case '+': case '-': case '*': case '/': case '<': case '>': case '=': case '~': case '!':
    case '@': case '#': case '%': case '^': case '&': case '|': case '`': case '?':
      return true;
    default:
      return false;
  }
}

/// The end (one past the closing quote) of the quoted text starting at s[b] (' or "), where a
/// doubled quote stands for itself; npos if it is not closed.
size_t end_of_quoted(std::string_view s, size_t b) {
  const char q = s[b];
  for (size_t i = b + 1; i < s.size(); ++i) {
    if (s[i] != q) continue;
    if (i + 1 < s.size() && s[i + 1] == q) {
      ++i;
      continue;
    }
    return i + 1;
  }
  return std::string_view::npos;
}

/// Splits sql into tokens as PostgreSQL's scanner does (comments dropped). False when the text
/// holds something this pass does not take ($n, dollar quotes, an unterminated quote or
/// comment, a string continued over a line break).
bool tokenize(std::string_view s, std::vector<token>& out) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (c == '-' && i + 1 < n && s[i + 1] == '-') {
      while (i < n && s[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      int depth = 0;
      do {
        if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (i + 1 < n && s[i] == '*' && s[i + 1] == '/') {
          --depth;
          i += 2;
        } else if (i < n) {
          ++i;
        } else {
          return false;
        }
      } while (depth > 0);
    } else if (c == '\'') {
      size_t b = i;
      i = end_of_quoted(s, i);
      if (i == std::string_view::npos) return false;
      // A literal right after a word (E'..', B'..', X'..', U&'..' too) is a typed or special one.
      bool special = !out.empty() && out.back().end == b &&
                     (out.back().kind == tok::word || (out.back().kind == tok::op && s[b - 1] == '&'));
      // 'a' <newline> 'b' is one literal in SQL: not taken.
      if (!out.empty() && (out.back().kind == tok::string || out.back().kind == tok::special_string)) return false;
      out.push_back({special ? tok::special_string : tok::string, b, i});
    } else if (c == '"') {
      size_t b = i;
      i = end_of_quoted(s, i);
      if (i == std::string_view::npos) return false;
      out.push_back({tok::quoted_ident, b, i});
    } else if (c == '$') {
      return false;  // $n or a dollar-quoted string
    } else if (digit(c) || (c == '.' && i + 1 < n && digit(static_cast<unsigned char>(s[i + 1])))) {
      size_t b = i;
      bool plain = true;  // only digits
      while (i < n && digit(static_cast<unsigned char>(s[i]))) ++i;
      if (i < n && s[i] == '.' && !(i + 1 < n && s[i + 1] == '.')) {
        plain = false;
        ++i;
        while (i < n && digit(static_cast<unsigned char>(s[i]))) ++i;
      }
      if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-')) ++j;
        if (j < n && digit(static_cast<unsigned char>(s[j]))) {
          plain = false;
          i = j;
          while (i < n && digit(static_cast<unsigned char>(s[i]))) ++i;
        }
      }
      if (i < n && ident_char(static_cast<unsigned char>(s[i]))) return false;  // 123abc, 0x1F: not taken
      out.push_back({plain ? tok::number : tok::other, b, i});
    } else if (ident_start(c)) {
      size_t b = i;
      while (i < n && ident_char(static_cast<unsigned char>(s[i]))) ++i;
      out.push_back({tok::word, b, i});
    } else if (op_char(static_cast<char>(c))) {
      size_t b = i;
      while (i < n && op_char(s[i])) {
        if (i > b && ((s[i] == '-' && s[i - 1] == '-') || (s[i] == '*' && s[i - 1] == '/'))) {
          --i;  // a comment starts inside the operator
          break;
        }
        ++i;
      }
      // PostgreSQL: a multi-character operator ends in + or - only if it holds one of ~!@#%^&|`?.
      size_t e = i;
      while (e - b > 1 && (s[e - 1] == '+' || s[e - 1] == '-')) {
        bool special = false;
        for (size_t k = b; k < e; ++k)
          if (std::string_view("~!@#%^&|`?").find(s[k]) != std::string_view::npos) special = true;
        if (special) break;
        --e;
      }
      i = e;
      out.push_back({tok::op, b, e});
    } else if (c == '(') {
      out.push_back({tok::lparen, i, i + 1});
      ++i;
    } else if (c == ')') {
      out.push_back({tok::rparen, i, i + 1});
      ++i;
    } else if (c == ',') {
      out.push_back({tok::comma, i, i + 1});
      ++i;
    } else if (c == ';') {
      out.push_back({tok::semicolon, i, i + 1});
      ++i;
    } else {
      out.push_back({tok::other, i, i + 1});  // . [ ] : and the rest
      ++i;
    }
  }
  return true;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool is_word(std::string_view sql, const token& t, std::string_view lower) {
  return t.kind == tok::word && iequals(sql.substr(t.begin, t.end - t.begin), lower);
}

/// Reserved words that can stand before an operator without being a column.
bool is_keyword(std::string_view w) {
  static constexpr std::string_view words[] = {
      "all",    "and",  "any",  "array",  "as",     "between", "by",       "case",   "cast",  "current_date",
      "current_timestamp",   "distinct", "else",   "end",   "exists", "false",    "from",   "group", "having",
      "in",     "interval", "is", "like", "ilike", "limit",   "not",      "null",   "offset", "on",   "or",
      "order",  "returning", "select", "set", "similar", "some", "then",  "true",   "union", "using", "values",
      "when",   "where", "date", "time", "timestamp"};
  for (auto k : words)
    if (iequals(w, k)) return true;
  return false;
}

/// Keywords after which a constant is complete (nothing binds tighter across them).
bool ends_operand(std::string_view w) {
  static constexpr std::string_view words[] = {"and",   "or",     "then",   "else",  "end",    "when",  "where",
                                               "order", "group",  "limit",  "offset", "returning", "having",
                                               "union", "except", "intersect", "from", "for"};
  for (auto k : words)
    if (iequals(w, k)) return true;
  return false;
}

bool comparison_or_arithmetic(std::string_view op) {
  return op == "=" || op == "<>" || op == "!=" || op == "<" || op == ">" || op == "<=" || op == ">=" || op == "+" ||
         op == "-" || op == "*" || op == "/";
}

}  // namespace

std::optional<parameterized_query> parameterize(std::string_view sql) {
  // Invalid UTF-8 and NUL bytes are the parser's to report (a constant would otherwise carry
  // them past it).
  if (invalid_utf8_at(sql) != std::string_view::npos || sql.find('\0') != std::string_view::npos) return std::nullopt;
  std::vector<token> t;
  t.reserve(64);
  if (!tokenize(sql, t) || t.empty()) return std::nullopt;
  // One statement: a trailing ';' at most.
  size_t count = t.size();
  if (t[count - 1].kind == tok::semicolon) --count;
  for (size_t i = 0; i < count; ++i)
    if (t[i].kind == tok::semicolon) return std::nullopt;
  if (count == 0) return std::nullopt;
  bool insert = is_word(sql, t[0], "insert");
  if (!insert && !is_word(sql, t[0], "select") && !is_word(sql, t[0], "update") && !is_word(sql, t[0], "delete"))
    return std::nullopt;

  auto text_of = [&](size_t i) { return sql.substr(t[i].begin, t[i].end - t[i].begin); };
  // Per open parenthesis: whether it holds a list whose bare elements may be taken (IN, VALUES).
  std::vector<bool> list_paren;
  size_t values_depth = SIZE_MAX;  // parenthesis depth of an INSERT's VALUES keyword
  std::vector<std::pair<size_t, size_t>> taken;  // token ranges [first, last] of the constants taken
  for (size_t i = 0; i < count; ++i) {
    const token& k = t[i];
    if (k.kind == tok::word && insert && is_word(sql, k, "values")) values_depth = list_paren.size();
    if (k.kind == tok::lparen) {
      bool list = i > 0 && (is_word(sql, t[i - 1], "in") || (values_depth == list_paren.size() &&
                                                               (is_word(sql, t[i - 1], "values") ||
                                                                t[i - 1].kind == tok::comma)));
      list_paren.push_back(list);
      continue;
    }
    if (k.kind == tok::rparen) {
      if (list_paren.empty()) return std::nullopt;
      list_paren.pop_back();
      if (values_depth != SIZE_MAX && list_paren.size() < values_depth) values_depth = SIZE_MAX;
      continue;
    }
    if (k.kind != tok::number && k.kind != tok::string) continue;
    // The literal's first token: a unary minus in front of a number belongs to it.
    size_t first = i;
    if (k.kind == tok::number && i > 0 && t[i - 1].kind == tok::op && text_of(i - 1) == "-" && t[i - 1].end == k.begin &&
        i > 1 && (t[i - 2].kind == tok::op || t[i - 2].kind == tok::lparen || t[i - 2].kind == tok::comma))
      first = i - 1;
    // What follows must end the operand.
    bool ends = i + 1 >= count || t[i + 1].kind == tok::comma || t[i + 1].kind == tok::rparen ||
                (t[i + 1].kind == tok::word && ends_operand(text_of(i + 1)));
    if (!ends) continue;
    bool take = false;
    if (first > 0 && (t[first - 1].kind == tok::lparen || t[first - 1].kind == tok::comma)) {
      // A whole element of an IN list or VALUES row.
      take = !list_paren.empty() && list_paren.back() && (i + 1 < count) &&
             (t[i + 1].kind == tok::comma || t[i + 1].kind == tok::rparen);
    } else if (first > 1 && t[first - 1].kind == tok::op && comparison_or_arithmetic(text_of(first - 1))) {
      const token& left = t[first - 2];
      take = left.kind == tok::quoted_ident || left.kind == tok::rparen ||
             (left.kind == tok::word && !is_keyword(text_of(first - 2)));
    }
    if (take) taken.emplace_back(first, i);
  }
  if (taken.empty()) return std::nullopt;

  parameterized_query q;
  q.text.reserve(sql.size() + 8);
  q.types.reserve(taken.size());
  q.values.reserve(taken.size());
  size_t copied = 0;
  for (auto [first, last] : taken) {
    std::string_view lit = sql.substr(t[first].begin, t[last].end - t[first].begin);
    if (t[last].kind == tok::number) {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(lit.data(), lit.data() + lit.size(), v);
      if (ec != std::errc() || p != lit.data() + lit.size()) continue;  // beyond int8: stays a numeric literal
      // As PostgreSQL types it: int4 when the digits (before the sign) fit, else int8.
      std::string_view digits = text_of(last);
      uint64_t magnitude = 0;
      auto m = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
      bool int4 = m.ec == std::errc() && magnitude <= uint64_t(INT32_MAX);
      q.types.push_back(int4 ? sql_type::int32() : sql_type::int64());
      q.values.push_back(int4 ? value::int32(int32_t(v)) : value::int64(v));
    } else {
      std::string s;
      s.reserve(lit.size());
      for (size_t j = 1; j + 1 < lit.size(); ++j) {
        s.push_back(lit[j]);
        if (lit[j] == '\'') ++j;  // '' -> '
      }
      q.types.push_back(sql_type::unknown());
      q.values.push_back(value::text(std::move(s)));
    }
    q.text.append(sql.substr(copied, t[first].begin - copied));
    q.text.push_back('$');
    q.text.append(std::to_string(q.types.size()));
    copied = t[last].end;
  }
  if (q.types.empty()) return std::nullopt;
  q.text.append(sql.substr(copied));
  q.key = q.text;
  q.key.push_back('\0');
  for (auto& ty : q.types) q.key.push_back(ty.id == type_id::int32 ? '4' : ty.id == type_id::int64 ? '8' : 'u');
  return q;
}

}  // namespace db001::sql
