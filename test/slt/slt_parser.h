#pragma once
/// The engine-independent half of the sqllogictest runner: reading records from a script
/// (FORMAT.wiki of the SQLite corpus) and rendering, sorting, hashing and comparing result
/// values. Header-only (plus md5.cpp) so that a unit test can use it without the engine.
///
/// Script format in short: records separated by blank lines; lines starting with '#' are
/// comments (also inside records); a record may be prefixed by `skipif NAME` / `onlyif NAME`
/// lines; record types are `statement ok|error`, `query <types> [sort] [label]` (SQL, then
/// optionally `----` and the expected values one per line), `hash-threshold N` and `halt`.
/// From DuckDB's dialect (for our own test files) it also accepts: rows written one per line
/// with tab-separated values, an expected error message after `----` of `statement error`,
/// `statement maybe`, and `mode skip` / `mode unskip`.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <limits>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "md5.h"

namespace db001::slt {

/// The database name this runner answers to in `skipif` / `onlyif`.
inline constexpr std::string_view condition_name = "postgresql";

enum class record_kind { statement_ok, statement_error, statement_maybe, query, hash_threshold, halt, mode, malformed };
enum class sort_mode { nosort, rowsort, valuesort };

/// One record of a script.
struct record {
  record_kind kind = record_kind::malformed;
  int line = 0;       ///< 1-based line of the record's type line (after any conditions)
  bool skip = false;  ///< excluded for `postgresql` by a skipif/onlyif condition
  std::string sql;    ///< statement/query text, lines joined with '\n' (comments removed)
  std::string types;  ///< query: one of 'T', 'I', 'R' per result column
  sort_mode sort = sort_mode::nosort;
  std::string label;                  ///< query: optional label (results must agree across its uses)
  bool has_results = false;           ///< a `----` line was present
  std::vector<std::string> expected;  ///< query: the lines after `----`; statement error: the expected message
  int threshold = 0;                  ///< hash-threshold value
  std::string mode;                   ///< `mode skip` / `mode unskip` (DuckDB's dialect)
  std::string error;                  ///< malformed: what is wrong
};

inline std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

/// Whitespace-separated words of a control line, up to a word starting with '#' (a trailing comment).
inline std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size() || s[i] == '#') break;
    size_t b = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    out.emplace_back(s.substr(b, i - b));
  }
  return out;
}

inline std::string to_lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Reads records one at a time from a stream (so a large script is never held in memory).
class script_parser {
 public:
  explicit script_parser(std::istream& in) : in_(in) {}

  /// Reads the next record into `r`; false at the end of the input. Never throws on bad input:
  /// a record that cannot be understood comes back as record_kind::malformed with `error` set.
  bool next(record& r) {
    r = record{};
    std::vector<std::pair<int, std::string>> block;
    if (!read_block(block)) return false;

    size_t i = 0;
    // Leading conditions.
    for (; i < block.size(); ++i) {
      auto words = split_words(block[i].second);
      if (words.empty()) break;
      if (words[0] != "skipif" && words[0] != "onlyif") break;
      if (words.size() < 2) return malformed(r, block[i].first, "'" + words[0] + "' without a database name");
      bool match = to_lower(words[1]) == condition_name;
      if (words[0] == "skipif" ? match : !match) r.skip = true;
    }
    if (i >= block.size()) return malformed(r, block.back().first, "condition without a record");

    r.line = block[i].first;
    auto words = split_words(block[i].second);
    if (words.empty()) return malformed(r, r.line, "empty record type line");
    const std::string& type = words[0];
    ++i;

    // Body: SQL lines, then optionally "----" and result lines.
    std::string sql;
    size_t sep = block.size();
    for (size_t j = i; j < block.size(); ++j) {
      if (block[j].second == "----") {
        sep = j;
        break;
      }
    }
    for (size_t j = i; j < sep; ++j) {
      if (!sql.empty()) sql += '\n';
      sql += block[j].second;
    }

    if (type == "statement") {
      if (words.size() < 2) return malformed(r, r.line, "'statement' needs 'ok' or 'error'");
      if (words[1] == "ok" || words[1] == "count") {
        r.kind = record_kind::statement_ok;
      } else if (words[1] == "error") {
        r.kind = record_kind::statement_error;
      } else if (words[1] == "maybe") {
        r.kind = record_kind::statement_maybe;
      } else {
        return malformed(r, r.line, "unknown statement mode '" + words[1] + "'");
      }
      if (trim(sql).empty()) return malformed(r, r.line, "statement without SQL");
      r.sql = std::move(sql);
      if (sep < block.size()) {  // DuckDB's dialect: the expected error message after "----"
        r.has_results = true;
        for (size_t j = sep + 1; j < block.size(); ++j) r.expected.push_back(std::move(block[j].second));
      }
      return true;
    }
    if (type == "query") {
      if (words.size() < 2) return malformed(r, r.line, "'query' needs a type string");
      r.types = words[1];
      if (!std::all_of(r.types.begin(), r.types.end(), [](char c) { return c == 'T' || c == 'I' || c == 'R'; })) {
        return malformed(r, r.line, "bad type string '" + r.types + "' (expected letters T, I, R)");
      }
      if (words.size() >= 3) {
        if (words[2] == "nosort") {
          r.sort = sort_mode::nosort;
        } else if (words[2] == "rowsort") {
          r.sort = sort_mode::rowsort;
        } else if (words[2] == "valuesort") {
          r.sort = sort_mode::valuesort;
        } else {
          return malformed(r, r.line, "unknown sort mode '" + words[2] + "'");
        }
      }
      if (words.size() >= 4) r.label = words[3];
      if (trim(sql).empty()) return malformed(r, r.line, "query without SQL");
      r.sql = std::move(sql);
      r.kind = record_kind::query;
      if (sep < block.size()) {
        r.has_results = true;
        for (size_t j = sep + 1; j < block.size(); ++j) r.expected.push_back(std::move(block[j].second));
      }
      return true;
    }
    if (type == "hash-threshold") {
      if (words.size() < 2) return malformed(r, r.line, "'hash-threshold' needs a number");
      char* end = nullptr;
      long v = std::strtol(words[1].c_str(), &end, 10);
      if (end == words[1].c_str() || *end != 0 || v < 0 || v > std::numeric_limits<int>::max()) {
        return malformed(r, r.line, "bad hash-threshold '" + words[1] + "'");
      }
      r.kind = record_kind::hash_threshold;
      r.threshold = int(v);
      return true;
    }
    if (type == "halt") {
      r.kind = record_kind::halt;
      return true;
    }
    if (type == "mode") {
      if (words.size() < 2) return malformed(r, r.line, "'mode' needs an argument");
      r.kind = record_kind::mode;
      r.mode = words[1];
      return true;
    }
    return malformed(r, r.line, "unknown record type '" + type + "'");
  }

  /// Number of lines read so far.
  int line() const { return line_; }

 private:
  static bool malformed(record& r, int line, std::string why) {
    r.kind = record_kind::malformed;
    r.line = line;
    r.error = std::move(why);
    return true;
  }

  /// One line without its terminator (and without a trailing '\r' of CRLF files).
  bool read_line(std::string& s) {
    if (!std::getline(in_, s)) return false;
    ++line_;
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return true;
  }

  static bool is_blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  }

  /// The non-comment lines of the next record (up to a blank line or the end); false at the end.
  bool read_block(std::vector<std::pair<int, std::string>>& block) {
    std::string s;
    while (read_line(s)) {
      if (is_blank(s)) {
        if (!block.empty()) return true;
        continue;
      }
      if (s[0] == '#') continue;
      block.emplace_back(line_, std::move(s));
    }
    return !block.empty();
  }

  std::istream& in_;
  int line_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Rendering of values as the corpus expects them.
// ---------------------------------------------------------------------------------------------

/// SQLite's text-to-integer conversion (sqlite3Atoi64): optional blanks and sign, then the leading
/// digits; 0 when there are none; saturates at the int64 range. "12abc" -> 12, "1.9" -> 1, "x" -> 0.
inline int64_t leading_int(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  uint64_t v = 0;
  bool overflow = false;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    uint64_t d = uint64_t(s[i] - '0');
    if (overflow || v > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      overflow = true;
    } else {
      v = v * 10 + d;
    }
  }
  constexpr uint64_t min_magnitude = uint64_t(1) << 63;  // |INT64_MIN|
  if (neg) {
    if (overflow || v >= min_magnitude) return std::numeric_limits<int64_t>::min();
    return -int64_t(v);
  }
  if (overflow || v > uint64_t(std::numeric_limits<int64_t>::max())) return std::numeric_limits<int64_t>::max();
  return int64_t(v);
}

/// SQLite's text-to-real conversion: the longest leading decimal number ("1.5e3x" -> 1500), else 0.
inline double leading_real(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  size_t b = i;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return 0.0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '-' || s[j] == '+')) ++j;
    if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      i = j;
    }
  }
  std::string num(s.substr(b, i - b));
  return std::strtod(num.c_str(), nullptr);
}

/// A double truncated toward zero into int64 (saturating; NaN -> 0), as sqlite3_column_int64 does.
inline int64_t truncate_to_int(double d) {
  if (std::isnan(d)) return 0;
  if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  if (d >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  return int64_t(d);
}

/// "I" rendering: printf("%d").
inline std::string format_int(int64_t v) { return std::to_string(v); }

/// "R" rendering: printf("%.3f"). Negative zero prints as "0.000", as SQLite's own printf does.
inline std::string format_real(double d) {
  if (d == 0) d = 0.0;  // -0.0 -> 0.0
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.3f", d);
  return buf;
}

/// "T" rendering: "(empty)" for an empty string, otherwise every byte outside ' '..'~' becomes '@'.
inline std::string format_text(std::string_view s) {
  if (s.empty()) return "(empty)";
  std::string out(s);
  for (char& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) c = '@';
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sorting, hashing, comparing.
// ---------------------------------------------------------------------------------------------

/// Applies a sort mode to row-major values with `cols` columns (rowsort: rows compared value by
/// value with strcmp order; valuesort: every value on its own; nosort: unchanged).
inline void sort_values(std::vector<std::string>& values, size_t cols, sort_mode mode) {
  if (mode == sort_mode::nosort || values.empty()) return;
  if (mode == sort_mode::valuesort || cols <= 1) {
    std::sort(values.begin(), values.end());
    return;
  }
  size_t rows = values.size() / cols;
  std::vector<size_t> order(rows);
  for (size_t i = 0; i < rows; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    for (size_t c = 0; c < cols; ++c) {
      int cmp = values[a * cols + c].compare(values[b * cols + c]);
      if (cmp != 0) return cmp < 0;
    }
    return false;
  });
  std::vector<std::string> sorted;
  sorted.reserve(values.size());
  for (size_t r : order) {
    for (size_t c = 0; c < cols; ++c) sorted.push_back(std::move(values[r * cols + c]));
  }
  for (size_t i = rows * cols; i < values.size(); ++i) sorted.push_back(std::move(values[i]));  // ragged tail
  values = std::move(sorted);
}

/// MD5 over each value followed by "\n" (the corpus's result hash).
inline std::string hash_values(const std::vector<std::string>& values) {
  md5 h;
  for (const auto& v : values) {
    h.update(v);
    h.update("\n", 1);
  }
  return h.hex_digest();
}

/// The corpus's hashed result line: "<count> values hashing to <md5>".
inline std::string hash_line(size_t count, const std::string& hash) {
  return std::to_string(count) + " values hashing to " + hash;
}

struct expected_hash {
  size_t count = 0;
  std::string hash;
};

/// Parses "N values hashing to <32 hex digits>".
inline std::optional<expected_hash> parse_hash_line(std::string_view line) {
  auto words = split_words(line);
  if (words.size() != 5 || words[1] != "values" || words[2] != "hashing" || words[3] != "to") return std::nullopt;
  if (words[0].empty() || !std::all_of(words[0].begin(), words[0].end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  if (words[4].size() != 32 || !std::all_of(words[4].begin(), words[4].end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      }))
    return std::nullopt;
  return expected_hash{size_t(std::strtoull(words[0].c_str(), nullptr, 10)), to_lower(words[4])};
}

/// Collapses runs of blanks to one space and trims (to compare a row written on one line).
inline std::string normalize_blanks(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : trim(s)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

/// Whether an expected value written in a script matches an actual rendered value of column
/// type `type` ('I', 'R', 'T', or 0 = compare exactly). Besides an exact match, an 'R' value
/// written with other precision ("1.5", "0.3333333333333333") matches when it renders to the
/// same "%.3f" text, and a 'T' value with bytes outside ' '..'~' matches its '@' rendering (so
/// files in DuckDB's style, which print doubles and UTF-8 as they are, also work).
inline bool value_matches(std::string_view actual, std::string_view expected, char type) {
  if (actual == expected) return true;
  if (type == 'R' && !expected.empty()) {
    std::string e(expected);
    char* end = nullptr;
    double d = std::strtod(e.c_str(), &end);
    if (end != e.c_str() && *end == 0) return format_real(d) == actual;
  }
  if (type == 'T') return format_text(expected) == actual;
  return false;
}

/// Compares the actual values (already rendered and sorted; row-major with `types.size()`
/// columns) with a record's expected lines. The expected block may be a hash line, one value per
/// line (the corpus's form), or one row per line with values separated by tabs (DuckDB's form)
/// or blanks.
inline bool results_match(const std::vector<std::string>& actual, const std::string& types, sort_mode sort,
                          const std::vector<std::string>& expected) {
  const size_t cols = std::max<size_t>(1, types.size());
  if (expected.size() == 1) {
    if (auto h = parse_hash_line(expected[0])) return h->count == actual.size() && h->hash == hash_values(actual);
  }
  auto type_at = [&](size_t i) -> char {
    if (types.empty()) return 0;
    if (sort != sort_mode::valuesort) return types[i % cols];
    // valuesort mixes the columns: lenient matching only when they all have one type.
    return std::all_of(types.begin(), types.end(), [&](char c) { return c == types[0]; }) ? types[0] : 0;
  };
  if (expected.size() == actual.size()) {
    bool all = true;
    for (size_t i = 0; all && i < actual.size(); ++i) all = value_matches(actual[i], expected[i], type_at(i));
    if (all) return true;
  }
  if (cols > 1 && !expected.empty() && expected.size() * cols == actual.size()) {
    for (size_t r = 0; r < expected.size(); ++r) {
      const std::string& line = expected[r];
      std::vector<std::string> fields;
      if (line.find('\t') != std::string::npos) {
        size_t b = 0;
        while (true) {
          size_t e = line.find('\t', b);
          fields.push_back(line.substr(b, e == std::string::npos ? std::string::npos : e - b));
          if (e == std::string::npos) break;
          b = e + 1;
        }
      } else {
        std::string_view rest = trim(line);
        while (!rest.empty()) {
          size_t e = rest.find_first_of(" \t");
          fields.emplace_back(rest.substr(0, e));
          rest = e == std::string_view::npos ? std::string_view() : trim(rest.substr(e));
        }
      }
      bool ok = fields.size() == cols;
      for (size_t c = 0; ok && c < cols; ++c) ok = value_matches(actual[r * cols + c], fields[c], type_at(c));
      if (!ok) {  // blank-separated values that contain blanks themselves
        std::string row;
        for (size_t c = 0; c < cols; ++c) {
          if (c) row += ' ';
          row += actual[r * cols + c];
        }
        if (normalize_blanks(row) != normalize_blanks(line)) return false;
      }
    }
    return true;
  }
  return false;
}

/// Whether an engine error matches a `statement error` record's expected message (DuckDB's
/// dialect): empty = any error; "<REGEX>:re" / "<!REGEX>:re" = the message matches / does not
/// match `re`; a 5-character SQLSTATE matches the code; otherwise a substring of the message.
/// Returns false with `bad_pattern` set when the regular expression is invalid.
inline bool error_matches(const std::string& expected, const std::string& sqlstate, const std::string& message,
                          bool* bad_pattern = nullptr) {
  if (bad_pattern) *bad_pattern = false;
  if (expected.empty()) return true;
  for (const char* tag : {"<REGEX>:", "<!REGEX>:"}) {
    std::string_view t(tag);
    if (expected.compare(0, t.size(), t) == 0) {
      try {
        bool found = std::regex_search(message, std::regex(expected.substr(t.size())));
        return t[1] == '!' ? !found : found;
      } catch (const std::regex_error&) {
        if (bad_pattern) *bad_pattern = true;
        return false;
      }
    }
  }
  if (expected == sqlstate) return true;
  return message.find(expected) != std::string::npos;
}

/// Escapes `s` for the inside of a JSON string literal; bytes that are not valid UTF-8 become U+FFFD.
inline std::string json_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += char(c);
          }
      }
      ++i;
      continue;
    }
    // A multi-byte UTF-8 sequence: copy it if well formed.
    size_t len = (c >= 0xc2 && c <= 0xdf) ? 2 : (c >= 0xe0 && c <= 0xef) ? 3 : (c >= 0xf0 && c <= 0xf4) ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && len == 3) {  // no overlongs, no surrogates
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);
    }
    if (ok && len == 4) {
      unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
      ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xef\xbf\xbd";  // U+FFFD
      ++i;
    }
  }
  return out;
}

}  // namespace db001::slt
