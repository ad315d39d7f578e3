#include "sql/copy.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "exec/dml.h"
#include "exec/evaluate.h"
#include "sql/binder.h"
#include "sql/parser.h"
#include "sql/session.h"
#include "storage/cast.h"

namespace db001::sql {

namespace {

constexpr const char* bad_copy_file_format = "22P04";
constexpr const char* insufficient_privilege = "42501";

[[noreturn]] void fail(const char* code, std::string msg, int position = 0) {
  throw db_error(code, std::move(msg), position);
}

// --- DefElem arguments (PostgreSQL's defGetString / defGetBoolean) ---

std::string def_string(const node& d) {
  node arg = d["arg"];
  std::string name(d.str("defname"));
  if (!arg) fail(sqlstate::syntax_error, name + " requires a parameter");
  std::string_view t = arg.type();
  node in = arg.inner();
  if (t == "String") return std::string(in.str("sval"));
  if (t == "Integer") return std::to_string(in.integer("ival", 0));
  if (t == "Float") return std::string(in.str("fval"));
  if (t == "Boolean") return in.boolean("boolval") ? "true" : "false";
  if (t == "A_Star") return "*";
  fail(sqlstate::syntax_error, name + " requires a parameter");
}

bool def_boolean(const node& d) {
  node arg = d["arg"];
  if (!arg) return true;
  std::string name(d.str("defname"));
  std::string_view t = arg.type();
  if (t == "Integer") {
    int64_t v = arg.inner().integer("ival", 0);
    if (v == 0 || v == 1) return v == 1;
  } else if (t == "String" || t == "Boolean") {
    std::string s = lower(def_string(d));
    if (s == "true" || s == "on") return true;
    if (s == "false" || s == "off") return false;
  }
  fail(sqlstate::syntax_error, name + " requires a Boolean value");
}

std::vector<std::string> def_column_list(const node& d) {
  node arg = d["arg"];
  if (!arg || arg.type() != "List")
    fail(sqlstate::invalid_parameter_value,
         "argument to option \"" + std::string(d.str("defname")) + "\" must be a list of column names", d.location());
  std::vector<std::string> out;
  for (auto& i : arg.inner().list("items")) out.emplace_back(i["String"].str("sval"));
  return out;
}

[[noreturn]] void conflicting(const node& d) {
  fail(sqlstate::syntax_error, "conflicting or redundant options", d.location());
}

void check_file_target(const node& stmt) {
  if (!stmt.has("filename") && !stmt.boolean("is_program")) return;
  const char* hint = "Anyone can COPY to stdout or from stdin. psql's \\copy command also works for anyone.";
  std::string msg = stmt.boolean("is_program")
                        ? "must be superuser or have privileges of the pg_execute_server_program role to COPY to or "
                          "from an external program"
                    : stmt.boolean("is_from")
                        ? "must be superuser or have privileges of the pg_read_server_files role to COPY from a file"
                        : "must be superuser or have privileges of the pg_write_server_files role to COPY to a file";
  throw db_error(insufficient_privilege, msg).with_hint(hint);
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }
int hex_value(char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; }

/// Byte length of the UTF-8 sequence starting with c, as PostgreSQL's pg_utf_mblen.
int utf8_mblen(unsigned char c) {
  if ((c & 0x80) == 0) return 1;
  if ((c & 0xe0) == 0xc0) return 2;
  if ((c & 0xf0) == 0xe0) return 3;
  if ((c & 0xf8) == 0xf0) return 4;
  return 1;
}

/// PostgreSQL's pg_utf8_islegal.
bool utf8_legal(const unsigned char* s, int len) {
  unsigned char a;
  switch (len) {
    default:
      return false;
    case 4:
      a = s[3];
      if (a < 0x80 || a > 0xBF) return false;
      [[fallthrough]];
    case 3:
      a = s[2];
      if (a < 0x80 || a > 0xBF) return false;
      [[fallthrough]];
    case 2:
      a = s[1];
      switch (*s) {
        case 0xE0:
          if (a < 0xA0 || a > 0xBF) return false;
          break;
        case 0xED:
          if (a < 0x80 || a > 0x9F) return false;
          break;
        case 0xF0:
          if (a < 0x90 || a > 0xBF) return false;
          break;
        case 0xF4:
          if (a < 0x80 || a > 0x8F) return false;
          break;
        default:
          if (a < 0x80 || a > 0xBF) return false;
          break;
      }
      [[fallthrough]];
    case 1:
      a = *s;
      if (a >= 0x80 && a < 0xC2) return false;
      if (a > 0xF4) return false;
      break;
  }
  return true;
}

/// PostgreSQL's pg_verifymbstr for UTF-8 (NUL bytes are invalid): 22021 with the bad bytes.
void verify_utf8(std::string_view s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  constexpr uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & high) == 0 && ((w - ones) & ~w & high) == 0) {
        i += 8;
        continue;
      }
    }
    unsigned char c = p[i];
    if (c != 0 && c < 0x80) {
      ++i;
      continue;
    }
    int l = c == 0 ? 1 : utf8_mblen(c);
    if (c != 0 && size_t(l) <= n - i && utf8_legal(p + i, l)) {
      i += size_t(l);
      continue;
    }
    std::string bytes;
    size_t lim = std::min<size_t>(size_t(l), n - i);
    for (size_t j = 0; j < lim; ++j) {
      char b[8];
      std::snprintf(b, sizeof b, "0x%02x", p[i + j]);
      if (j) bytes += ' ';
      bytes += b;
    }
    throw db_error(sqlstate::character_not_in_repertoire, "invalid byte sequence for encoding \"UTF8\": " + bytes);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The statement
// ---------------------------------------------------------------------------------------------

copy_spec describe_copy(const node& stmt) {
  check_file_target(stmt);
  copy_spec s;
  s.is_from = stmt.boolean("is_from");
  s.has_query = stmt.has("query");
  s.kind = s.is_from ? copy_kind::from_stdin : copy_kind::to_stdout;
  s.has_where = stmt.has("whereClause");
  if (!s.has_query) s.table = std::string(stmt["relation"].str("relname"));
  for (auto& c : stmt.list("attlist")) s.columns.emplace_back(c["String"].str("sval"));

  // ProcessCopyOptions, in PostgreSQL's order.
  copy_options& o = s.opts;
  bool format_set = false, freeze_set = false, header_set = false, quote_any = false;
  std::optional<std::string> delim, null_print, quote, escape;
  bool force_quote_set = false, force_not_null_set = false, force_null_set = false, encoding_set = false;
  for (auto& item : stmt.list("options")) {
    node d = item["DefElem"];
    std::string name(d.str("defname"));
    if (name == "format") {
      std::string f = def_string(d);
      if (format_set) conflicting(d);
      format_set = true;
      if (f == "text")
        o.format = copy_format::text;
      else if (f == "csv")
        o.format = copy_format::csv;
      else if (f == "binary")
        o.format = copy_format::binary;
      else
        fail(sqlstate::invalid_parameter_value, "COPY format \"" + f + "\" not recognized", d.location());
    } else if (name == "freeze") {
      if (freeze_set) conflicting(d);
      freeze_set = true;
      o.freeze = def_boolean(d);
    } else if (name == "delimiter") {
      if (delim) conflicting(d);
      delim = def_string(d);
    } else if (name == "null") {
      if (null_print) conflicting(d);
      null_print = def_string(d);
    } else if (name == "header") {
      if (header_set) conflicting(d);
      header_set = true;
      node arg = d["arg"];
      bool ok = false;
      if (!arg) {
        o.header = ok = true;
      } else if (arg.type() == "Integer") {
        int64_t v = arg.inner().integer("ival", 0);
        if (v == 0 || v == 1) o.header = ok = true, o.header = v == 1;
      } else {
        std::string v = def_string(d), l = lower(v);
        if (l == "true" || l == "on")
          o.header = ok = true;
        else if (l == "false" || l == "off")
          ok = true;
        else if (l == "match") {
          if (!s.is_from) fail(sqlstate::feature_not_supported, "cannot use \"" + v + "\" with HEADER in COPY TO");
          o.header = o.header_match = ok = true;
        }
      }
      if (!ok) fail(sqlstate::syntax_error, name + " requires a Boolean value or \"match\"");
    } else if (name == "quote") {
      if (quote) conflicting(d);
      quote = def_string(d);
    } else if (name == "escape") {
      if (escape) conflicting(d);
      escape = def_string(d);
    } else if (name == "force_quote") {
      if (force_quote_set) conflicting(d);
      force_quote_set = true;
      if (d["arg"] && d["arg"].type() == "A_Star")
        o.force_quote_all = true;
      else
        o.force_quote = def_column_list(d);
    } else if (name == "force_not_null") {
      if (force_not_null_set) conflicting(d);
      force_not_null_set = true;
      o.force_not_null = def_column_list(d);
    } else if (name == "force_null") {
      if (force_null_set) conflicting(d);
      force_null_set = true;
      o.force_null = def_column_list(d);
    } else if (name == "encoding") {
      if (encoding_set) conflicting(d);
      encoding_set = true;
      std::string e = lower(def_string(d));
      e.erase(std::remove_if(e.begin(), e.end(), [](char c) { return c == '_' || c == '-'; }), e.end());
      if (e != "utf8" && e != "unicode" && e != "sqlascii")
        fail(sqlstate::invalid_parameter_value, "argument to option \"encoding\" must be a valid encoding name",
             d.location());
    } else {
      fail(sqlstate::syntax_error, "option \"" + name + "\" not recognized", d.location());
    }
  }
  quote_any = quote.has_value();
  const bool binary = o.format == copy_format::binary, csv = o.csv();
  if (binary && delim) fail(sqlstate::syntax_error, "cannot specify DELIMITER in BINARY mode");
  if (binary && null_print) fail(sqlstate::syntax_error, "cannot specify NULL in BINARY mode");
  std::string d = delim.value_or(csv ? "," : "\t");
  o.null_marker = null_print.value_or(csv ? "" : "\\N");
  if (csv) {
    if (!quote) quote = "\"";
    if (!escape) escape = quote;
  }
  if (d.size() != 1) fail(sqlstate::feature_not_supported, "COPY delimiter must be a single one-byte character");
  if (d[0] == '\r' || d[0] == '\n')
    fail(sqlstate::invalid_parameter_value, "COPY delimiter cannot be newline or carriage return");
  if (o.null_marker.find_first_of("\r\n") != std::string::npos)
    fail(sqlstate::invalid_parameter_value, "COPY null representation cannot use newline or carriage return");
  if (!csv && std::strchr("\\.abcdefghijklmnopqrstuvwxyz0123456789", d[0]))
    fail(sqlstate::invalid_parameter_value, "COPY delimiter cannot be \"" + d + "\"");
  if (binary && o.header) fail(sqlstate::feature_not_supported, "cannot specify HEADER in BINARY mode");
  if (!csv && quote_any) fail(sqlstate::feature_not_supported, "COPY quote available only in CSV mode");
  if (csv && quote->size() != 1)
    fail(sqlstate::feature_not_supported, "COPY quote must be a single one-byte character");
  if (csv && d[0] == (*quote)[0]) fail(sqlstate::invalid_parameter_value, "COPY delimiter and quote must be different");
  if (!csv && escape) fail(sqlstate::feature_not_supported, "COPY escape available only in CSV mode");
  if (csv && escape->size() != 1)
    fail(sqlstate::feature_not_supported, "COPY escape must be a single one-byte character");
  if (!csv && force_quote_set) fail(sqlstate::feature_not_supported, "COPY force quote available only in CSV mode");
  if (force_quote_set && s.is_from)
    fail(sqlstate::feature_not_supported, "COPY force quote only available using COPY TO");
  if (!csv && force_not_null_set)
    fail(sqlstate::feature_not_supported, "COPY force not null available only in CSV mode");
  if (force_not_null_set && !s.is_from)
    fail(sqlstate::feature_not_supported, "COPY force not null only available using COPY FROM");
  if (!csv && force_null_set) fail(sqlstate::feature_not_supported, "COPY force null available only in CSV mode");
  if (force_null_set && !s.is_from)
    fail(sqlstate::feature_not_supported, "COPY force null only available using COPY FROM");
  if (o.null_marker.find(d[0]) != std::string::npos)
    fail(sqlstate::feature_not_supported, "COPY delimiter must not appear in the NULL specification");
  if (csv && o.null_marker.find((*quote)[0]) != std::string::npos)
    fail(sqlstate::feature_not_supported, "CSV quote character must not appear in the NULL specification");
  if (binary) fail(sqlstate::feature_not_supported, "COPY format \"binary\" is not supported");
  o.delimiter = d[0];
  if (csv) {
    o.quote = (*quote)[0];
    o.escape = (*escape)[0];
  }
  return s;
}

copy_kind copy_kind_of(const node& stmt) {
  if (stmt.type() != "CopyStmt") return copy_kind::none;
  node in = stmt.inner();
  if (in.has("filename") || in.boolean("is_program")) return copy_kind::other;
  return in.boolean("is_from") ? copy_kind::from_stdin : copy_kind::to_stdout;
}

bool starts_with_copy(std::string_view sql) {
  size_t i = 0;
  for (;;) {
    while (i < sql.size() && (is_pg_space(sql[i]) || sql[i] == '(')) {
      if (sql[i] == '(') return false;
      ++i;
    }
    if (sql.substr(i, 2) == "--") {
      i = sql.find('\n', i);
      if (i == std::string_view::npos) return false;
      continue;
    }
    if (sql.substr(i, 2) == "/*") {
      i = sql.find("*/", i + 2);
      if (i == std::string_view::npos) return false;
      i += 2;
      continue;
    }
    break;
  }
  return sql.size() >= i + 4 && lower(sql.substr(i, 4)) == "copy" &&
         (sql.size() == i + 4 || !(std::isalnum(static_cast<unsigned char>(sql[i + 4])) || sql[i + 4] == '_'));
}

// ---------------------------------------------------------------------------------------------
// COPY FROM: the parser
// ---------------------------------------------------------------------------------------------

copy_parser::copy_parser(const copy_options& opts, std::vector<std::string> header_names)
    : opts_(opts), header_names_(std::move(header_names)), header_pending_(opts.header) {
  std::memset(special_, 0, sizeof special_);
  special_[uint8_t('\n')] = special_[uint8_t('\r')] = 1;
  if (opts_.csv()) {
    special_[uint8_t(opts_.quote)] = special_[uint8_t(opts_.escape)] = 1;
    special_[0] = 1;  // the escape of the line scan when ESCAPE equals QUOTE
  } else {
    special_[uint8_t('\\')] = 1;
  }
}

void copy_parser::fail_format(const char* msg, const char* hint) {
  db_error e(bad_copy_file_format, msg);
  if (hint) e.with_hint(hint);
  throw e;
}

copy_parser::scan copy_parser::scan_line(bool eof) {
  const char* b = buf_.data();
  const size_t n = buf_.size();
  const bool csv = opts_.csv();
  for (;;) {
    if (!csv || pos_ != line_start_) {
      size_t p = pos_;
      while (p < n && !special_[uint8_t(b[p])]) ++p;
      if (p != pos_) last_was_esc_ = false;  // an ordinary character ends an escape pair
      pos_ = p;
    }
    if (pos_ >= n) {
      if (!eof) return scan::more;
      line_end_ = next_ = n;
      return pos_ == line_start_ ? scan::eof : scan::line;
    }
    const char c = b[pos_];
    const bool have_next = pos_ + 1 < n;
    const char c1 = have_next ? b[pos_ + 1] : '\0';
    const bool saved_quote = in_quote_, saved_esc = last_was_esc_;
    const uint64_t saved_lineno = lineno_;
    auto more = [&] {
      in_quote_ = saved_quote;
      last_was_esc_ = saved_esc;
      lineno_ = saved_lineno;
      return scan::more;
    };
    if (csv) {
      // As PostgreSQL: an escape equal to the quote is no escape here (the quote toggles).
      const char esc = opts_.escape == opts_.quote ? '\0' : opts_.escape;
      if ((c == '\\' || c == '\r') && !have_next && !eof) return scan::more;
      if (in_quote_ && c == esc) last_was_esc_ = !last_was_esc_;
      if (c == opts_.quote && !last_was_esc_) in_quote_ = !in_quote_;
      if (c != esc) last_was_esc_ = false;
      if (in_quote_ && c == (eol_ == eol::nl ? '\n' : '\r')) ++lineno_;
    }
    if (c == '\r' && (!csv || !in_quote_)) {
      if (eol_ == eol::unknown || eol_ == eol::crnl) {
        if (!have_next && !eof) return more();
        if (c1 == '\n') {
          eol_ = eol::crnl;
          line_end_ = pos_;
          next_ = pos_ + 2;
          return scan::line;
        }
        if (eol_ == eol::crnl)
          fail_format(
              csv ? "unquoted carriage return found in data" : "literal carriage return found in data",
              csv ? "Use quoted CSV field to represent carriage return." : "Use \"\\r\" to represent carriage return.");
        eol_ = eol::cr;
      } else if (eol_ == eol::nl) {
        fail_format(
            csv ? "unquoted carriage return found in data" : "literal carriage return found in data",
            csv ? "Use quoted CSV field to represent carriage return." : "Use \"\\r\" to represent carriage return.");
      }
      line_end_ = pos_;
      next_ = pos_ + 1;
      return scan::line;
    }
    if (c == '\n' && (!csv || !in_quote_)) {
      if (eol_ == eol::cr || eol_ == eol::crnl)
        fail_format(csv ? "unquoted newline found in data" : "literal newline found in data",
                    csv ? "Use quoted CSV field to represent newline." : "Use \"\\n\" to represent newline.");
      eol_ = eol::nl;
      line_end_ = pos_;
      next_ = pos_ + 1;
      return scan::line;
    }
    if (c == '\\' && (!csv || pos_ == line_start_)) {
      if (!have_next) {
        if (!eof) return more();
        line_end_ = next_ = n;  // a backslash just before the end is data
        return scan::line;
      }
      if (c1 == '.') {
        size_t p = pos_ + 2;
        bool marker = true;
        if (eol_ == eol::crnl) {
          if (p >= n && !eof) return more();
          char c2 = p < n ? b[p] : '\0';
          ++p;
          if (c2 == '\n') {
            if (!csv) fail_format("end-of-copy marker does not match previous newline style");
            marker = false;
          } else if (c2 != '\r') {
            if (!csv) fail_format("end-of-copy marker corrupt");
            marker = false;
          }
        }
        if (marker) {
          if (p >= n && !eof) return more();
          char c2 = p < n ? b[p] : '\0';
          if (c2 != '\r' && c2 != '\n') {
            if (!csv) fail_format("end-of-copy marker corrupt");
            marker = false;
          } else {
            if ((eol_ == eol::nl && c2 != '\n') || (eol_ == eol::crnl && c2 != '\n') || (eol_ == eol::cr && c2 != '\r'))
              fail_format("end-of-copy marker does not match previous newline style");
            line_end_ = pos_;
            return scan::marker;
          }
        }
        ++pos_;  // CSV: "\." followed by data is data
        continue;
      }
      if (!csv) {
        pos_ += 2;  // the escaped character belongs to the line whatever it is
        continue;
      }
    }
    ++pos_;
  }
}

void copy_parser::split_text(std::string_view line) {
  fields_.clear();
  if (scratch_.size() < line.size()) scratch_.resize(std::max(line.size(), scratch_.size() * 2));
  char* out = scratch_.data();
  const char* p = line.data();
  const char* const e = p + line.size();
  const char d = opts_.delimiter;
  const std::string_view null_marker = opts_.null_marker;
  for (;;) {
    const char* fs = p;
    while (p < e && *p != d && *p != '\\') ++p;
    copy_field f;
    bool found_delim;
    const char* raw_end;
    bool non_ascii = false;
    if (p == e || *p == d) {
      found_delim = p < e;
      raw_end = p;
      f.data = fs;
      f.size = uint32_t(p - fs);
      if (found_delim) ++p;
    } else {
      char* o = out;
      std::memcpy(o, fs, size_t(p - fs));
      o += p - fs;
      found_delim = false;
      raw_end = e;
      while (p < e) {
        char c = *p++;
        if (c == d) {
          found_delim = true;
          raw_end = p - 1;
          break;
        }
        if (c == '\\') {
          if (p >= e) break;
          c = *p++;
          switch (c) {
            case '0':
            case '1':
            case '2':
            case '3':
            case '4':
            case '5':
            case '6':
            case '7': {
              int v = c - '0';
              if (p < e && is_octal(*p)) {
                v = (v << 3) + (*p++ - '0');
                if (p < e && is_octal(*p)) v = (v << 3) + (*p++ - '0');
              }
              c = char(v & 0377);
              if (c == '\0' || (c & 0x80)) non_ascii = true;
              break;
            }
            case 'x':
              if (p < e && std::isxdigit(static_cast<unsigned char>(*p))) {
                int v = hex_value(*p++);
                if (p < e && std::isxdigit(static_cast<unsigned char>(*p))) v = (v << 4) + hex_value(*p++);
                c = char(v & 0xff);
                if (c == '\0' || (c & 0x80)) non_ascii = true;
              }
              break;
            case 'b':
              c = '\b';
              break;
            case 'f':
              c = '\f';
              break;
            case 'n':
              c = '\n';
              break;
            case 'r':
              c = '\r';
              break;
            case 't':
              c = '\t';
              break;
            case 'v':
              c = '\v';
              break;
            default:
              break;  // any other character stands for itself
          }
        }
        *o++ = c;
      }
      f.data = out;
      f.size = uint32_t(o - out);
      out = o;
    }
    f.null = std::string_view(fs, size_t(raw_end - fs)) == null_marker;
    if (!f.null && non_ascii) verify_utf8(f.view());
    fields_.push_back(f);
    if (!found_delim) break;
  }
}

void copy_parser::split_csv(std::string_view line) {
  fields_.clear();
  if (scratch_.size() < line.size()) scratch_.resize(std::max(line.size(), scratch_.size() * 2));
  char* out = scratch_.data();
  const char* p = line.data();
  const char* const e = p + line.size();
  const char d = opts_.delimiter, q = opts_.quote, esc = opts_.escape;
  const std::string_view null_marker = opts_.null_marker;
  for (;;) {
    const char* fs = p;
    while (p < e && *p != d && *p != q) ++p;
    copy_field f;
    bool found_delim;
    const char* raw_end;
    if (p == e || *p == d) {
      found_delim = p < e;
      raw_end = p;
      f.data = fs;
      f.size = uint32_t(p - fs);
      if (found_delim) ++p;
    } else {
      // Quoted parts: de-quote into scratch, alternating with unquoted runs.
      char* o = out;
      std::memcpy(o, fs, size_t(p - fs));
      o += p - fs;
      found_delim = false;
      f.quoted = true;
      for (;;) {
        // at a quote: the quoted part
        ++p;
        for (;;) {
          if (p >= e) fail_format("unterminated CSV quoted field");
          char c = *p++;
          if (c == esc && p < e && (*p == esc || *p == q)) {
            *o++ = *p++;
            continue;
          }
          if (c == q) break;
          *o++ = c;
        }
        // unquoted continuation
        while (p < e && *p != d && *p != q) *o++ = *p++;
        if (p < e && *p == q) continue;
        break;
      }
      raw_end = p;
      if (p < e) {
        found_delim = true;
        ++p;
      }
      f.data = out;
      f.size = uint32_t(o - out);
      out = o;
    }
    f.null = !f.quoted && std::string_view(fs, size_t(raw_end - fs)) == null_marker;
    fields_.push_back(f);
    if (!found_delim) break;
  }
}

void copy_parser::emit_line(size_t end, copy_row_sink& sink) {
  line_ = std::string_view(buf_.data() + line_start_, end - line_start_);
  line_valid_ = false;
  verify_utf8(line_);
  line_valid_ = true;
  if (opts_.csv())
    split_csv(line_);
  else
    split_text(line_);
  if (header_pending_) {
    header_pending_ = false;
    if (!opts_.header_match) return;
    if (fields_.size() != header_names_.size())
      throw db_error(bad_copy_file_format, "wrong number of fields in header line: got " +
                                               std::to_string(fields_.size()) + ", expected " +
                                               std::to_string(header_names_.size()));
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (fields_[i].null)
        throw db_error(bad_copy_file_format, "column name mismatch in header line field " + std::to_string(i + 1) +
                                                 ": got null value (\"" + opts_.null_marker + "\"), expected \"" +
                                                 header_names_[i] + "\"");
      if (fields_[i].view() != header_names_[i])
        throw db_error(bad_copy_file_format, "column name mismatch in header line field " + std::to_string(i + 1) +
                                                 ": got \"" + std::string(fields_[i].view()) + "\", expected \"" +
                                                 header_names_[i] + "\"");
    }
    return;
  }
  sink.row(fields_);
}

void copy_parser::run(bool eof, copy_row_sink& sink) {
  while (!ended_) {
    if (!line_open_) {
      ++lineno_;
      line_open_ = true;
      line_valid_ = false;
    }
    scan s = scan_line(eof);
    if (s == scan::more) break;
    if (s == scan::line) {
      emit_line(line_end_, sink);
      line_start_ = pos_ = next_;
      line_open_ = false;
      in_quote_ = last_was_esc_ = false;
      continue;
    }
    // End of data (\. or the end of input): what precedes the marker on its line is a row;
    // an empty one is not (except as the header line, which HEADER MATCH still checks).
    if (line_end_ > line_start_ || header_pending_) emit_line(line_end_, sink);
    ended_ = true;
  }
  if (ended_) {
    line_valid_ = false;
    return;
  }
  if (line_start_ > 0) {
    buf_.erase(0, line_start_);
    pos_ -= line_start_;
    line_start_ = 0;
  }
}

void copy_parser::feed(std::string_view bytes, copy_row_sink& sink) {
  if (ended_ || bytes.empty()) return;
  buf_.append(bytes);
  run(false, sink);
}

void copy_parser::finish(copy_row_sink& sink) {
  if (!ended_) run(true, sink);
}

namespace {
struct collect_sink final : copy_row_sink {
  std::vector<std::vector<std::optional<std::string>>> rows;
  void row(std::span<const copy_field> fields) override {
    auto& r = rows.emplace_back();
    for (auto& f : fields) r.push_back(f.null ? std::nullopt : std::optional<std::string>(std::string(f.view())));
  }
};
}  // namespace

std::vector<std::vector<std::optional<std::string>>> parse_copy_data(const copy_options& opts, std::string_view data) {
  copy_parser p(opts);
  collect_sink s;
  p.feed(data, s);
  p.finish(s);
  return std::move(s.rows);
}

// ---------------------------------------------------------------------------------------------
// COPY TO: the formatter
// ---------------------------------------------------------------------------------------------

void copy_formatter::cell(std::string_view s, size_t col, size_t ncols, std::string& out) const {
  const char d = opts_.delimiter;
  if (!opts_.csv()) {
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      char esc;
      if (c < 0x20) {
        switch (c) {
          case '\b':
            esc = 'b';
            break;
          case '\f':
            esc = 'f';
            break;
          case '\n':
            esc = 'n';
            break;
          case '\r':
            esc = 'r';
            break;
          case '\t':
            esc = 't';
            break;
          case '\v':
            esc = 'v';
            break;
          default:
            if (char(c) != d) continue;
            esc = char(c);
            break;
        }
      } else if (c == '\\' || char(c) == d) {
        esc = char(c);
      } else {
        continue;
      }
      out.append(s.data() + start, i - start);
      out += '\\';
      out += esc;
      start = i + 1;
    }
    out.append(s.data() + start, s.size() - start);
    return;
  }
  const char q = opts_.quote, esc = opts_.escape;
  bool use_quote = opts_.force_quote_all || (col < force_.size() && force_[col]) || s == opts_.null_marker;
  if (!use_quote) {
    if (ncols == 1 && s == "\\.")
      use_quote = true;
    else
      for (char c : s)
        if (c == d || c == q || c == '\n' || c == '\r') {
          use_quote = true;
          break;
        }
  }
  if (!use_quote) {
    out += s;
    return;
  }
  out += q;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == q || s[i] == esc) {
      out.append(s.data() + start, i - start);
      out += esc;
      start = i;
    }
  }
  out.append(s.data() + start, s.size() - start);
  out += q;
}

void copy_formatter::header(const std::vector<std::string>& names, std::string& out) const {
  copy_formatter plain(opts_, {});
  plain.opts_.force_quote_all = false;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += opts_.delimiter;
    plain.cell(names[i], i, names.size(), out);
  }
  out += '\n';
}

void copy_formatter::row(std::span<const std::optional<std::string_view>> cells, std::string& out) const {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out += opts_.delimiter;
    if (cells[i])
      cell(*cells[i], i, cells.size(), out);
    else
      null_cell(out);
  }
  out += '\n';
}

}  // namespace db001::sql

// =============================================================================================
// The session-facing objects
// =============================================================================================

namespace db001::engine {

namespace {

/// PostgreSQL's limit_printout_length: at most 100 bytes (whole characters) plus "...".
std::string limit_printout(std::string_view s) {
  s = s.substr(0, std::min(s.size(), s.find('\0')));
  if (s.size() <= 100) return std::string(s);
  size_t n = 100;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "...";
}

/// One typed cell of the row being loaded.
struct cell_value {
  bool null = true;
  union {
    uint8_t u8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    int128_t i128;
    float f32;
    double f64;
  } v{};
  std::string_view s;
  std::string owned;
  value boxed;  ///< slow-path columns keep the value (for "Failing row contains")
  bool has_boxed = false;
};

class load_cells final : public exec::row_cells {
 public:
  std::vector<cell_value> c;
  bool is_null(size_t col) const override { return c[col].null; }
  void store(storage::table& t, storage::row_id rid, size_t col) const override {
    const cell_value& x = c[col];
    if (t.column(col).type.physical() == phys::str)
      t.set_string(rid, col, x.s);
    else
      t.set_fixed(rid, col, &x.v);
  }
};

enum class conv : uint8_t { int16, int32, int64, text, generic };

}  // namespace

struct copy_in::impl final : sql::copy_row_sink {
  sql::copy_spec spec;
  std::shared_ptr<storage::table> tbl;
  std::vector<int> attnums;                         ///< table column of each field
  std::vector<uint8_t> force_not_null, force_null;  ///< per field
  std::vector<conv> convs;                          ///< per table column
  std::vector<exec::expr_ptr> defaults;             ///< per table column not in the list (null = NULL)
  std::vector<uint8_t> default_const;
  exec::exec_ctx ctx;
  std::unique_ptr<sql::copy_parser> parser;
  load_cells cells;
  uint64_t rows = 0;
  // Error context (PostgreSQL's CopyFromErrorCallback).
  int cur_col = -1;
  std::string cur_val;
  bool cur_null = false;
  bool show_line = true;

  void set_from_value(size_t col, const value& x) {
    cell_value& cv = cells.c[col];
    cv.null = x.is_null();
    cv.has_boxed = true;
    cv.boxed = x;
    if (cv.null) return;
    sql_type type = tbl->column(col).type;
    switch (type.physical()) {
      case phys::u8:
        cv.v.u8 = uint8_t(x.as_int());
        break;
      case phys::i16:
        cv.v.i16 = int16_t(x.as_int());
        break;
      case phys::i32:
        cv.v.i32 = int32_t(x.as_int());
        break;
      case phys::i64:
        cv.v.i64 = type.id == type_id::numeric ? int64_t(x.as_numeric()) : x.as_int();
        break;
      case phys::i128:
        cv.v.i128 = x.as_numeric();
        break;
      case phys::f32:
        cv.v.f32 = float(x.as_float());
        break;
      case phys::f64:
        cv.v.f64 = x.as_float();
        break;
      case phys::str:
        cv.owned = x.as_string();
        cv.s = cv.owned;
        break;
    }
  }

  void convert(size_t col, std::string_view text) {
    cell_value& cv = cells.c[col];
    cv.null = false;
    cv.has_boxed = false;
    const sql_type& type = tbl->column(col).type;
    switch (convs[col]) {
      case conv::int16:
        cv.v.i16 = int16_t(parse_int64(text, type_id::int16));
        break;
      case conv::int32:
        cv.v.i32 = int32_t(parse_int64(text, type_id::int32));
        break;
      case conv::int64:
        cv.v.i64 = parse_int64(text, type_id::int64);
        break;
      case conv::text:
        cv.s = text;
        break;
      case conv::generic:
        set_from_value(col, parse_value(text, type, cast_kind::assignment));
        break;
    }
  }

  std::string cell_text(size_t col) const {
    const cell_value& cv = cells.c[col];
    if (cv.null) return "null";
    if (cv.has_boxed) return cv.boxed.to_string();
    switch (convs[col]) {
      case conv::int16:
        return std::to_string(cv.v.i16);
      case conv::int32:
        return std::to_string(cv.v.i32);
      case conv::int64:
        return std::to_string(cv.v.i64);
      default:
        return std::string(cv.s);
    }
  }

  void row(std::span<const sql::copy_field> f) override {
    if ((rows & 1023) == 0) ctx.check_cancel();
    const size_t na = attnums.size();
    if (na == 0 ? !parser->line_text().empty() : f.size() > na)
      throw db_error("22P04", "extra data after last expected column");
    for (size_t i = 0; i < na; ++i) {
      const int col = attnums[i];
      if (i >= f.size()) throw db_error("22P04", "missing data for column \"" + tbl->column(size_t(col)).name + "\"");
      bool null = f[i].null;
      std::string_view text = f[i].view();
      if (null && force_not_null[i]) {
        null = false;
        text = spec.opts.null_marker;
      } else if (!null && force_null[i] && text == spec.opts.null_marker) {
        null = true;
      }
      if (null) {
        cells.c[size_t(col)].null = true;
        cells.c[size_t(col)].has_boxed = false;
        continue;
      }
      cur_col = col;
      cur_null = false;
      try {
        convert(size_t(col), text);
      } catch (const db_error&) {
        cur_val.assign(text);
        throw;
      }
      cur_col = -1;
    }
    cur_col = -1;
    for (size_t c = 0; c < defaults.size(); ++c) {
      if (!defaults[c] || default_const[c]) continue;
      set_from_value(c, exec::evaluate_scalar(*defaults[c], ctx));
    }
    for (size_t c = 0; c < tbl->column_count(); ++c) {
      if (!tbl->column(c).not_null || !cells.c[c].null) continue;
      std::string failing;
      for (size_t k = 0; k < tbl->column_count(); ++k) failing += (k ? ", " : "") + cell_text(k);
      throw db_error(sqlstate::not_null_violation, "null value in column \"" + tbl->column(c).name +
                                                       "\" of relation \"" + tbl->name() +
                                                       "\" violates not-null constraint")
          .with_detail("Failing row contains (" + failing + ").");
    }
    show_line = false;  // constraint checks of the write: PostgreSQL names only the line
    exec::insert_row(ctx, tbl, cells);
    show_line = true;
    ++rows;
  }

  std::string context() const {
    std::string s = "COPY " + tbl->name() + ", line " + std::to_string(parser->line_number());
    if (cur_col >= 0)
      s += ", column " + tbl->column(size_t(cur_col)).name +
           (cur_null ? std::string(": null input") : ": \"" + limit_printout(cur_val) + "\"");
    else if (show_line && parser->line_valid())
      s += ": \"" + limit_printout(parser->line_text()) + "\"";
    return s;
  }
};

}  // namespace db001::engine

namespace db001::sql {

namespace {

/// Column names -> table columns (PostgreSQL's CopyGetAttnums for a relation).
std::vector<int> column_numbers(const storage::table& t, const std::vector<std::string>& names) {
  std::vector<int> out;
  for (auto& n : names) {
    int c = t.find_column(n);
    if (c < 0) fail(sqlstate::undefined_column, "column \"" + n + "\" of relation \"" + t.name() + "\" does not exist");
    if (std::find(out.begin(), out.end(), c) != out.end())
      fail(sqlstate::duplicate_column, "column \"" + n + "\" specified more than once");
    out.push_back(c);
  }
  return out;
}

/// Flags per COPY column for a FORCE_* list (42P10 for a column outside the COPY's list).
std::vector<uint8_t> force_flags(const storage::table& t, const std::vector<int>& attnums,
                                 const std::vector<std::string>& names, const char* option) {
  std::vector<uint8_t> flags(attnums.size(), 0);
  for (int c : column_numbers(t, names)) {
    auto it = std::find(attnums.begin(), attnums.end(), c);
    if (it == attnums.end())
      fail("42P10", std::string(option) + " column \"" + t.column(size_t(c)).name + "\" not referenced by COPY");
    flags[size_t(it - attnums.begin())] = 1;
  }
  return flags;
}

std::string quote_ident(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

copy_target resolve_copy(storage::catalog& cat, const node& stmt) {
  check_file_target(stmt);
  copy_target t;
  std::string name;
  if (stmt.has("relation")) {
    name = std::string(stmt["relation"].str("relname"));
    t.tbl = cat.find_table(name);
    if (!t.tbl && !cat.find_view(name)) fail(sqlstate::undefined_table, "relation \"" + name + "\" does not exist");
  }
  t.spec = describe_copy(stmt);
  if (t.spec.has_query) return t;
  if (!t.tbl) {
    if (t.spec.is_from)
      throw db_error(sqlstate::wrong_object_type, "cannot copy to view \"" + name + "\"")
          .with_hint("To enable copying to a view, provide an INSTEAD OF INSERT trigger.");
    throw db_error(sqlstate::wrong_object_type, "cannot copy from view \"" + name + "\"")
        .with_hint("Try the COPY (SELECT ...) TO variant.");
  }
  if (t.spec.has_where) fail(sqlstate::feature_not_supported, "COPY FROM with a WHERE clause is not supported");
  if (t.spec.columns.empty()) {
    for (size_t c = 0; c < t.tbl->column_count(); ++c) t.attnums.push_back(int(c));
  } else {
    t.attnums = column_numbers(*t.tbl, t.spec.columns);
  }
  const copy_options& o = t.spec.opts;
  if (!o.force_quote.empty()) t.force_quote = force_flags(*t.tbl, t.attnums, o.force_quote, "FORCE_QUOTE");
  t.force_not_null = force_flags(*t.tbl, t.attnums, o.force_not_null, "FORCE_NOT_NULL");
  t.force_null = force_flags(*t.tbl, t.attnums, o.force_null, "FORCE_NULL");
  return t;
}

std::string copy_select_text(const copy_target& t) {
  std::string s = "SELECT ";
  for (size_t i = 0; i < t.attnums.size(); ++i) {
    if (i) s += ", ";
    s += quote_ident(t.tbl->column(size_t(t.attnums[i])).name);
  }
  return s + " FROM " + quote_ident(t.tbl->name());
}

void reject_copy_without_protocol(storage::catalog& cat, const node& stmt) {
  copy_target t = resolve_copy(cat, stmt);
  fail(sqlstate::feature_not_supported, t.spec.is_from ? "COPY FROM STDIN is only supported through the wire protocol"
                                                       : "COPY TO STDOUT is only supported through the wire protocol");
}

}  // namespace db001::sql

namespace db001::engine {

copy_in::copy_in(session& s) : session_(s) {}

copy_in::~copy_in() {
  if (done_ || !impl_) return;
  try {
    fail("connection lost");
  } catch (...) {
  }
}

size_t copy_in::column_count() const { return impl_ ? impl_->attnums.size() : 0; }
const sql::copy_options& copy_in::options() const {
  static const sql::copy_options none;
  return impl_ ? impl_->spec.opts : none;
}
uint64_t copy_in::rows() const { return impl_ ? impl_->rows : 0; }

void copy_in::start(const sql::node& stmt, engine& eng, txn::transaction& t, const storage::interrupt* cancel) {
  auto im = std::make_unique<impl>();
  sql::copy_target target = sql::resolve_copy(eng.catalog(), stmt);
  if (!target.spec.is_from || target.spec.has_query)
    throw db_error(sqlstate::internal_error, "internal error: begin_copy_in on a COPY that is not FROM STDIN");
  im->spec = target.spec;
  im->tbl = target.tbl;
  im->attnums = target.attnums;
  im->force_not_null = target.force_not_null;
  im->force_null = target.force_null;
  const storage::table& tbl = *im->tbl;
  im->ctx.tm = &eng.txns();
  im->ctx.txn = &t;
  im->ctx.snap = eng.txns().snapshot_of(t);
  im->ctx.cat = &eng.catalog();
  im->ctx.cancel = cancel;
  im->cells.c.resize(tbl.column_count());
  im->convs.resize(tbl.column_count());
  im->defaults.resize(tbl.column_count());
  im->default_const.assign(tbl.column_count(), 0);
  std::vector<sql_type> params;
  sql::binder b(eng.catalog(), &params);
  for (size_t c = 0; c < tbl.column_count(); ++c) {
    const sql_type& type = tbl.column(c).type;
    im->convs[c] = type.id == type_id::int16                                                       ? conv::int16
                   : type.id == type_id::int32                                                     ? conv::int32
                   : type.id == type_id::int64                                                     ? conv::int64
                   : (type.id == type_id::text || (type.id == type_id::varchar && type.width < 0)) ? conv::text
                                                                                                   : conv::generic;
    if (std::find(im->attnums.begin(), im->attnums.end(), int(c)) != im->attnums.end()) continue;
    // A column outside the list takes its DEFAULT (NULL without one), evaluated per row unless constant.
    exec::expr_ptr d = b.bind_default(tbl.column(c));
    if (d) d = sql::binder::fold(d);
    im->defaults[c] = d;
    if (!d) continue;
    if (d->kind == exec::expr_kind::constant) {
      im->default_const[c] = 1;
      im->set_from_value(c, exec::evaluate_scalar(*d, im->ctx));
    }
  }
  std::vector<std::string> names;
  for (int c : im->attnums) names.push_back(tbl.column(size_t(c)).name);
  im->parser = std::make_unique<sql::copy_parser>(im->spec.opts, names);
  impl_ = std::move(im);
}

std::shared_ptr<result_data> copy_in::error_from(const std::exception_ptr& ep) {
  auto r = std::make_shared<result_data>();
  try {
    std::rethrow_exception(ep);
  } catch (const db_error& e) {
    r->code = e.code();
    r->message = e.what();
    r->detail = e.detail();
    r->hint = e.hint();
  } catch (const std::bad_alloc&) {
    r->code = sqlstate::out_of_memory;
    r->message = "out of memory";
  } catch (const std::exception& e) {
    r->code = sqlstate::internal_error;
    r->message = std::string("internal error: ") + e.what();
  }
  if (impl_) r->context = impl_->context();
  done_ = true;
  error_ = r;
  session_.end_copy(implicit_, false);
  session_.eng().stats().errors.fetch_add(1, std::memory_order_relaxed);
  return r;
}

std::shared_ptr<result_data> copy_in::feed(std::string_view bytes) {
  if (done_) return error_;
  try {
    impl_->parser->feed(bytes, *impl_);
  } catch (...) {
    return error_from(std::current_exception());
  }
  return nullptr;
}

std::shared_ptr<result_data> copy_in::finish() {
  if (done_) return error_;
  try {
    impl_->parser->finish(*impl_);
    done_ = true;
    session_.end_copy(implicit_, true);
  } catch (...) {
    done_ = false;
    return error_from(std::current_exception());
  }
  auto r = std::make_shared<result_data>();
  r->tag = "COPY " + std::to_string(impl_->rows);
  r->affected = impl_->rows;
  return r;
}

std::shared_ptr<result_data> copy_in::fail(const std::string& client_message) {
  if (done_) return error_;
  impl_->show_line = false;
  impl_->cur_col = -1;
  return error_from(
      std::make_exception_ptr(db_error(sqlstate::query_canceled, "COPY from stdin failed: " + client_message)));
}

// --- copy_out ---

void copy_out::init(const sql::copy_options& opts, std::shared_ptr<result_data> rows,
                    std::vector<uint8_t> force_quote) {
  opts_ = opts;
  rows_ = std::move(rows);
  names_ = rows_->names;
  if (!opts.force_quote.empty() && force_quote.empty()) {
    // COPY (query) TO: FORCE_QUOTE names the query's columns.
    force_quote.assign(names_.size(), 0);
    std::vector<bool> seen(names_.size(), false);
    for (auto& n : opts.force_quote) {
      auto it = std::find(names_.begin(), names_.end(), n);
      if (it == names_.end()) throw db_error(sqlstate::undefined_column, "column \"" + n + "\" does not exist");
      size_t i = size_t(it - names_.begin());
      if (seen[i]) throw db_error(sqlstate::duplicate_column, "column \"" + n + "\" specified more than once");
      seen[i] = true;
      force_quote[i] = 1;
    }
  }
  fmt_ = std::make_unique<sql::copy_formatter>(opts, std::vector<bool>(force_quote.begin(), force_quote.end()));
  header_pending_ = opts.header;
  done_ = std::make_shared<result_data>();
  size_t n = rows_->rows ? rows_->rows->row_count() : 0;
  done_->tag = "COPY " + std::to_string(n);
  done_->affected = n;
}

bool copy_out::next(std::string& line) {
  if (error_ || !fmt_) return false;
  if (header_pending_) {
    header_pending_ = false;
    fmt_->header(names_, line);
    return true;
  }
  const exec::row_collection* rc = rows_->rows.get();
  while (rc && chunk_ < rc->chunk_count() && row_ >= rc->chunk(chunk_).count) {
    ++chunk_;
    row_ = 0;
  }
  if (!rc || chunk_ >= rc->chunk_count()) return false;
  const exec::batch& b = rc->chunk(chunk_);
  uint32_t r = b.row(uint32_t(row_++));
  const size_t ncols = b.cols.size();
  char num[48];
  for (size_t c = 0; c < ncols; ++c) {
    if (c) line += opts_.delimiter;
    const exec::vector& v = b.cols[c];
    if (v.is_null(r)) {
      fmt_->null_cell(line);
      continue;
    }
    switch (v.type.id) {
      case type_id::int16:
      case type_id::int32:
      case type_id::int64: {
        int64_t x = v.type.id == type_id::int16   ? v.as<int16_t>()[r]
                    : v.type.id == type_id::int32 ? v.as<int32_t>()[r]
                                                  : v.as<int64_t>()[r];
        auto res = std::to_chars(num, num + sizeof num, x);
        fmt_->cell(std::string_view(num, size_t(res.ptr - num)), c, ncols, line);
        break;
      }
      case type_id::boolean:
        fmt_->cell(v.as<uint8_t>()[r] ? "t" : "f", c, ncols, line);
        break;
      case type_id::text:
      case type_id::varchar:
      case type_id::bpchar:
      case type_id::unknown:
        fmt_->cell(v.as<string_t>()[r].view(), c, ncols, line);
        break;
      default:
        fmt_->cell(exec::get_value(v, r).to_string(), c, ncols, line);
        break;
    }
  }
  line += '\n';
  return true;
}

std::string copy_out::all() {
  std::string out;
  while (next(out)) {
  }
  return out;
}

}  // namespace db001::engine
