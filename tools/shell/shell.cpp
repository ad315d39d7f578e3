#include "shell.h"

#include <readline/history.h>
#include <readline/readline.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <tuple>

#include "db001/db001.h"

namespace db001::shell {

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

std::string_view trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

std::string to_lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

/// A SQL string literal.
std::string quote_literal(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

/// psql's boolean variable values.
std::optional<bool> parse_bool(std::string_view v) {
  std::string s = to_lower(std::string(v));
  if (s == "on" || s == "true" || s == "1" || s == "yes" || s == "t" || s == "y") return true;
  if (s == "off" || s == "false" || s == "0" || s == "no" || s == "f" || s == "n") return false;
  return std::nullopt;
}

/// Simple glob: '*' any sequence, '?' one character (psql's \d patterns, without regex support).
bool glob_match(std::string_view pattern, std::string_view s) {
  size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == s[i])) {
      ++p;
      ++i;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

/// A \d argument: [schema.]name, unquoted parts folded to lower case, "quoted" parts kept.
struct object_name {
  std::string schema;  ///< "" = any
  std::string name;
  bool wildcard = false;
};

object_name parse_object_name(std::string_view arg) {
  std::vector<std::string> parts(1);
  bool quoted = false, wildcard = false;
  for (size_t i = 0; i < arg.size(); ++i) {
    char c = arg[i];
    if (c == '"') {
      if (quoted && i + 1 < arg.size() && arg[i + 1] == '"') {
        parts.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == '.' && !quoted) {
      parts.emplace_back();
    } else {
      if (!quoted && (c == '*' || c == '?')) wildcard = true;
      parts.back() += quoted ? c : char(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  object_name n;
  n.wildcard = wildcard;
  n.name = parts.back();
  if (parts.size() > 1) n.schema = parts[parts.size() - 2];
  return n;
}

/// Splits a meta-command's arguments: 'single quoted' (unquoted, '' = '), "double quoted" (kept
/// with the quotes, for identifiers), or plain words.
std::vector<std::string> split_meta_args(std::string_view s) {
  std::vector<std::string> args;
  size_t i = 0;
  while (true) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i >= s.size()) break;
    std::string arg;
    while (i < s.size() && !is_space(s[i])) {
      if (s[i] == '\'') {
        ++i;
        while (i < s.size()) {
          if (s[i] == '\'') {
            if (i + 1 < s.size() && s[i + 1] == '\'') {
              arg += '\'';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          arg += s[i++];
        }
      } else if (s[i] == '"') {
        arg += s[i++];
        while (i < s.size()) {
          arg += s[i];
          if (s[i++] == '"') break;
        }
      } else {
        arg += s[i++];
      }
    }
    args.push_back(std::move(arg));
  }
  return args;
}

/// psql's "Time: ..." line.
std::string format_timing(double ms) {
  char buf[128];
  if (ms < 1000.0) {
    std::snprintf(buf, sizeof buf, "Time: %.3f ms\n", ms);
    return buf;
  }
  double seconds = ms / 1000.0;
  double minutes = std::floor(seconds / 60.0);
  seconds -= 60.0 * minutes;
  if (minutes < 60.0) {
    std::snprintf(buf, sizeof buf, "Time: %.3f ms (%02d:%06.3f)\n", ms, int(minutes), seconds);
    return buf;
  }
  double hours = std::floor(minutes / 60.0);
  minutes -= 60.0 * hours;
  if (hours < 24.0) {
    std::snprintf(buf, sizeof buf, "Time: %.3f ms (%02d:%02d:%06.3f)\n", ms, int(hours), int(minutes), seconds);
    return buf;
  }
  double days = std::floor(hours / 24.0);
  hours -= 24.0 * days;
  std::snprintf(buf, sizeof buf, "Time: %.3f ms (%.0f d %02d:%02d:%06.3f)\n", ms, days, int(hours), int(minutes),
                seconds);
  return buf;
}

/// Terminal width of stdout, or 0 when stdout is not a terminal.
int terminal_columns() {
  if (!isatty(STDOUT_FILENO)) return 0;
  winsize ws{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) return ws.ws_col;
  return 0;
}

// Ctrl-C while reading a line discards the input (as psql does); elsewhere it ends the program.
volatile sig_atomic_t g_interrupted = 0;
char g_idle_prompt[64] = "db001=> ";

extern "C" void on_sigint(int) {
  g_interrupted = 1;
  rl_crlf();
  rl_replace_line("", 0);
  rl_set_prompt(g_idle_prompt);
  rl_on_new_line();
  rl_redisplay();
}

}  // namespace

// -------------------------------------------------------------------------------------------------
// statement_splitter
// -------------------------------------------------------------------------------------------------

void statement_splitter::feed(std::string_view line, std::vector<piece>& out) {
  size_t i = 0;
  const size_t n = line.size();
  while (i < n) {
    char c = line[i];
    char next = i + 1 < n ? line[i + 1] : '\0';
    switch (state_) {
      case state::normal:
        if (c == '-' && next == '-') {  // a comment to the end of the line (dropped before a statement)
          if (!buf_.empty()) buf_.append(line.substr(i));
          i = n;
          break;
        }
        if (is_space(c)) {
          if (!buf_.empty()) buf_ += c;
          ++i;
          break;
        }
        if (c == '\\') {  // a meta-command: the rest of the line
          std::string cmd(trim(line.substr(i)));
          out.push_back({true, std::move(cmd)});
          return;  // the statement being collected (if any) continues on the next line
        }
        if (c == '/' && next == '*') {
          state_ = state::block_comment;
          comment_depth_ = 1;
          buf_ += "/*";
          i += 2;
          break;
        }
        if (c == ';' && paren_depth_ == 0) {
          buf_ += ';';
          ++i;
          finish_statement(out);
          break;
        }
        has_content_ = true;
        if (c == '\'') {
          bool escape = i > 0 && (line[i - 1] == 'E' || line[i - 1] == 'e') && (i < 2 || !is_ident_char(line[i - 2]));
          state_ = escape ? state::escape_quote : state::single_quote;
        } else if (c == '"') {
          state_ = state::double_quote;
        } else if (c == '$' && (i == 0 || !is_ident_char(line[i - 1]))) {
          size_t j = i + 1;
          if (j < n && is_ident_start(line[j])) {
            while (j < n && is_ident_char(line[j]) && line[j] != '$') ++j;
          }
          if (j < n && line[j] == '$') {  // $$ or $tag$
            dollar_tag_ = std::string(line.substr(i, j - i + 1));
            state_ = state::dollar_quote;
            buf_ += dollar_tag_;
            i = j + 1;
            break;
          }
        } else if (c == '(') {
          ++paren_depth_;
        } else if (c == ')') {
          if (paren_depth_ > 0) --paren_depth_;
        }
        buf_ += c;
        ++i;
        break;

      case state::single_quote:
      case state::escape_quote:
        if (state_ == state::escape_quote && c == '\\' && i + 1 < n) {
          buf_ += c;
          buf_ += next;
          i += 2;
          break;
        }
        buf_ += c;
        ++i;
        if (c == '\'') {
          if (next == '\'') {
            buf_ += next;
            ++i;
          } else {
            state_ = state::normal;
          }
        }
        break;

      case state::double_quote:
        buf_ += c;
        ++i;
        if (c == '"') {
          if (next == '"') {
            buf_ += next;
            ++i;
          } else {
            state_ = state::normal;
          }
        }
        break;

      case state::dollar_quote:
        if (c == '$' && line.substr(i, dollar_tag_.size()) == dollar_tag_) {
          buf_ += dollar_tag_;
          i += dollar_tag_.size();
          state_ = state::normal;
        } else {
          buf_ += c;
          ++i;
        }
        break;

      case state::block_comment:
        if (c == '/' && next == '*') {
          ++comment_depth_;
          buf_ += "/*";
          i += 2;
        } else if (c == '*' && next == '/') {
          buf_ += "*/";
          i += 2;
          if (--comment_depth_ == 0) state_ = state::normal;
        } else {
          buf_ += c;
          ++i;
        }
        break;
    }
  }
  if (!buf_.empty()) buf_ += '\n';
}

void statement_splitter::finish_statement(std::vector<piece>& out) {
  if (has_content_) {
    std::string text(trim(buf_));
    out.push_back({false, std::move(text)});
  }
  buf_.clear();
  has_content_ = false;
  paren_depth_ = 0;
}

std::string statement_splitter::take_buffer() {
  std::string text = has_content_ ? std::string(trim(buf_)) : std::string();
  reset();
  return text;
}

void statement_splitter::reset() {
  buf_.clear();
  state_ = state::normal;
  dollar_tag_.clear();
  comment_depth_ = 0;
  paren_depth_ = 0;
  has_content_ = false;
}

char statement_splitter::prompt_state() const {
  switch (state_) {
    case state::single_quote:
    case state::escape_quote:
      return '\'';
    case state::double_quote:
      return '"';
    case state::dollar_quote:
      return '$';
    case state::block_comment:
      return '*';
    case state::normal:
      break;
  }
  if (paren_depth_ > 0) return '(';
  return buf_.empty() ? '=' : '-';
}

// -------------------------------------------------------------------------------------------------
// error position
// -------------------------------------------------------------------------------------------------

std::string error_position_lines(std::string_view sql, int position) {
  if (position <= 0) return "";
  // Characters (UTF-8 code points) with their byte offsets.
  std::vector<size_t> starts;
  for (size_t i = 0; i < sql.size(); ++i) {
    if ((static_cast<unsigned char>(sql[i]) & 0xc0) != 0x80) starts.push_back(i);
  }
  const size_t clen = starts.size();
  auto char_at = [&](size_t ci) { return sql[starts[ci]]; };
  size_t loc = std::min(size_t(position - 1), clen);

  // The line holding the error.
  size_t line_no = 1, ibeg = 0, iend = clen;
  for (size_t i = 0; i < clen; ++i) {
    if (char_at(i) != '\n') continue;
    if (i < loc) {
      ++line_no;
      ibeg = i + 1;
    } else {
      iend = i;
      break;
    }
  }
  if (iend > ibeg && char_at(iend - 1) == '\r') --iend;
  if (loc > iend) loc = iend;

  // Long lines are cut to about 60 characters, keeping the error visible (as libpq does).
  constexpr size_t display_size = 60, min_right_cut = 10;
  bool beg_trunc = false, end_trunc = false;
  if (iend - ibeg > display_size) {
    if (ibeg + display_size >= loc + min_right_cut) {
      iend = ibeg + display_size;
      end_trunc = true;
    } else {
      if (loc + min_right_cut < iend) {
        iend = loc + min_right_cut;
        end_trunc = true;
      }
      while (iend - ibeg > display_size) ++ibeg;
      beg_trunc = true;
    }
  }

  std::string text;
  size_t byte_beg = ibeg < clen ? starts[ibeg] : sql.size();
  size_t byte_end = iend < clen ? starts[iend] : sql.size();
  for (size_t b = byte_beg; b < byte_end; ++b) text += sql[b] == '\t' ? ' ' : sql[b];

  std::string prefix = "LINE " + std::to_string(line_no) + ": " + (beg_trunc ? "..." : "");
  std::string out = prefix + text + (end_trunc ? "..." : "") + "\n";
  out.append(prefix.size() + (loc - ibeg), ' ');
  out += "^\n";
  return out;
}

// -------------------------------------------------------------------------------------------------
// shell
// -------------------------------------------------------------------------------------------------

shell::shell(shell_options opts, std::ostream& out, std::ostream& err) : opts_(opts), out_(out), err_(err) {
  if (opts_.on_error_stop) vars_["ON_ERROR_STOP"] = "on";
}

shell::~shell() {
  conn_.reset();
  db_.reset();
}

bool shell::open() {
  std::string why;
  try {
    db_ = database::open();
    if (db_) conn_ = db_->connect();
  } catch (const std::exception& e) {
    why = e.what();
  } catch (...) {
    why = "unknown error";
  }
  if (!conn_) {
    err_ << "db001-shell: error: cannot open the database" << (why.empty() ? "" : ": " + why) << "\n";
    return false;
  }
  return true;
}

void shell::error_line(const std::string& text) {
  out_.flush();
  err_ << location_ << text << "\n";
  err_.flush();
}

void shell::note_error() {
  had_error_ = true;
  auto it = vars_.find("ON_ERROR_STOP");
  if (it != vars_.end() && parse_bool(it->second).value_or(false)) stopped_ = true;
}

void shell::run_command(std::string_view text) {
  statement_splitter splitter;
  auto* saved = current_;
  current_ = &splitter;
  size_t b = 0;
  while (b <= text.size() && !done()) {
    size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    process_line(splitter, text.substr(b, e - b));
    b = e + 1;
  }
  if (!done()) finish_input(splitter);
  current_ = saved;
}

void shell::run_script(std::istream& in, const std::string& name) {
  statement_splitter splitter;
  auto* saved = current_;
  std::string saved_location = location_;
  std::string saved_file = current_file_;
  current_file_ = name;
  current_ = &splitter;
  std::string line;
  int line_no = 0;
  while (!done() && std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    location_ = name.empty() ? "" : "db001-shell:" + name + ":" + std::to_string(line_no) + ": ";
    process_line(splitter, line);
  }
  if (!done()) finish_input(splitter);
  current_ = saved;
  location_ = saved_location;
  current_file_ = saved_file;
}

bool shell::run_file(const std::string& path) {
  if (path == "-") {
    run_script(std::cin, "<stdin>");
    return true;
  }
  std::ifstream in(path);
  if (!in) {
    int e = errno;
    error_line((location_.empty() ? "db001-shell: error: " : "error: ") + path + ": " + std::strerror(e));
    note_error();
    return false;
  }
  run_script(in, path);
  return true;
}

void shell::process_line(statement_splitter& splitter, std::string_view line) {
  if (opts_.echo_all) out_ << line << "\n";
  std::vector<statement_splitter::piece> pieces;
  splitter.feed(line, pieces);
  for (const auto& p : pieces) {
    if (done()) break;
    if (p.meta) {
      execute_meta(p.text);
    } else {
      execute_sql(p.text);
    }
  }
  out_.flush();
}

void shell::finish_input(statement_splitter& splitter) {
  if (splitter.pending()) execute_sql(splitter.take_buffer());
}

bool shell::execute_sql(const std::string& sql) {
  last_query_ = sql;
  auto start = std::chrono::steady_clock::now();
  result r;
  std::string exception;
  try {
    r = conn_->execute(sql);
  } catch (const std::exception& e) {
    exception = e.what();
  } catch (...) {
    exception = "unknown exception";
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  bool ok = false;
  if (!exception.empty()) {
    error_line("ERROR:  internal error (exception escaped the engine): " + exception);
  } else if (!r.ok()) {
    print_notices(r);
    print_error(r, sql);
  } else {
    try {
      print_notices(r);
      print_result(r);
      ok = true;
    } catch (const std::exception& e) {
      error_line(std::string("ERROR:  internal error while printing the result: ") + e.what());
    }
  }
  if (timing_) out_ << format_timing(ms);
  out_.flush();
  if (!ok) note_error();
  return ok;
}

void shell::print_notices(const result& r) {
  // The engine gives "message" (a NOTICE) or "LEVEL:message"; psql prints "LEVEL:  message".
  for (const auto& n : r.notices()) {
    std::string level = "NOTICE", text = n;
    size_t colon = n.find(':');
    if (colon != std::string::npos && colon > 0 &&
        std::all_of(n.begin(), n.begin() + long(colon), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      level = n.substr(0, colon);
      text = std::string(trim(std::string_view(n).substr(colon + 1)));
    }
    error_line(level + ":  " + text);
  }
}

void shell::print_error(const result& r, const std::string& sql) {
  std::string verbosity = vars_.count("VERBOSITY") ? to_lower(vars_["VERBOSITY"]) : "default";
  std::string msg = "ERROR:  ";
  if (verbosity == "verbose" || verbosity == "sqlstate") msg += r.sqlstate() + ": ";
  msg += r.error_message();
  error_line(msg);
  if (verbosity != "terse") {
    if (r.error_position() > 0) err_ << error_position_lines(sql, r.error_position());
    if (!r.error_detail().empty()) err_ << "DETAIL:  " << r.error_detail() << "\n";
  }
  err_.flush();
}

void shell::print_table(const table& t) {
  if (expanded_auto_) {
    std::string aligned = format_aligned(t);
    // The widest line is the header (or, with a title, the line after it).
    size_t first = aligned.find('\n');
    std::string_view header = std::string_view(aligned).substr(0, first);
    if (!t.title.empty())
      header = std::string_view(aligned).substr(first + 1, aligned.find('\n', first + 1) - first - 1);
    int cols = terminal_columns();
    if (cols > 0 && display_width(header) > size_t(cols) && t.headers.size() > 1) {
      out_ << format_expanded(t);
    } else {
      out_ << aligned;
    }
    return;
  }
  out_ << (opts_.expanded ? format_expanded(t) : format_aligned(t));
}

void shell::print_result(const result& r) {
  const std::string& tag = r.command_tag();
  size_t cols = r.column_count();
  if (cols == 0) {
    if (!opts_.quiet && !tag.empty()) out_ << tag << "\n";
    return;
  }
  table t;
  for (size_t c = 0; c < cols; ++c) {
    t.headers.push_back(r.column_name(c));
    t.aligns.push_back(r.column_type(c).is_number() ? align::right : align::left);
  }
  size_t rows = r.row_count();
  t.rows.reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    std::vector<std::string> row;
    row.reserve(cols);
    for (size_t c = 0; c < cols; ++c) row.push_back(r.is_null(i, c) ? null_display_ : r.text(i, c));
    t.rows.push_back(std::move(row));
  }
  print_table(t);
  // As psql: INSERT/UPDATE/DELETE ... RETURNING also show their command tag.
  if (!opts_.quiet && (starts_with(tag, "INSERT") || starts_with(tag, "UPDATE") || starts_with(tag, "DELETE") ||
                       starts_with(tag, "MERGE"))) {
    out_ << tag << "\n";
  }
}

bool shell::catalog_query(const std::string& sql, result& out, bool report) {
  try {
    out = conn_->execute(sql);
  } catch (const std::exception& e) {
    if (report) error_line(std::string("ERROR:  internal error (exception escaped the engine): ") + e.what());
    return false;
  } catch (...) {
    if (report) error_line("ERROR:  internal error (exception escaped the engine)");
    return false;
  }
  if (!out.ok()) {
    if (report) print_error(out, sql);
    return false;
  }
  return true;
}

namespace {

struct relation {
  std::string schema, name, type, table;
};

}  // namespace

bool shell::list_relations(const std::string& pattern, bool tables, bool views, bool indexes) {
  object_name pat = parse_object_name(pattern);
  auto matches = [&](const std::string& name) {
    if (pattern.empty()) return true;
    return pat.wildcard ? glob_match(pat.name, name) : pat.name == name;
  };
  if (!pat.schema.empty() && pat.schema != "public") {
    error_line(pattern.empty() ? "Did not find any relations."
                               : "Did not find any relation named \"" + pattern + "\".");
    return false;
  }
  std::vector<relation> rels;
  result r;
  if (tables || views) {
    if (!catalog_query("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public'", r))
      return false;
    for (size_t i = 0; i < r.row_count(); ++i) {
      std::string name = r.text(i, 0);
      std::string type = r.column_count() > 1 && r.text(i, 1) == "VIEW" ? "view" : "table";
      if ((type == "view" ? views : tables) && matches(name)) rels.push_back({"public", name, type, ""});
    }
  }
  if (indexes) {
    if (!catalog_query("SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public'", r)) return false;
    for (size_t i = 0; i < r.row_count(); ++i) {
      std::string name = r.text(i, 0);
      if (matches(name)) rels.push_back({"public", name, "index", r.column_count() > 1 ? r.text(i, 1) : ""});
    }
  }
  if (rels.empty()) {
    error_line(pattern.empty() ? "Did not find any relations."
                               : "Did not find any relation named \"" + pattern + "\".");
    return true;
  }
  std::sort(rels.begin(), rels.end(), [](const relation& a, const relation& b) {
    return std::tie(a.schema, a.name) < std::tie(b.schema, b.name);
  });
  table t;
  t.title = "List of relations";
  t.headers = {"Schema", "Name", "Type", "Owner"};
  if (indexes && !tables && !views) t.headers.push_back("Table");
  for (const auto& rel : rels) {
    std::vector<std::string> row = {rel.schema, rel.name, rel.type, "db001"};
    if (t.headers.size() == 5) row.push_back(rel.table);
    t.rows.push_back(std::move(row));
  }
  print_table(t);
  return true;
}

bool shell::describe_relation(const std::string& schema, const std::string& name, const std::string& type) {
  // information_schema.columns; the length/precision columns give "character varying(10)" and
  // "numeric(10,2)" as psql shows them, and are left out if the engine lacks them.
  result cols;
  bool detailed = catalog_query(
      "SELECT column_name, data_type, is_nullable, column_default, character_maximum_length, numeric_precision, "
      "numeric_scale FROM information_schema.columns WHERE table_name = " +
          quote_literal(name) + " ORDER BY ordinal_position",
      cols, false);
  if (!detailed &&
      !catalog_query("SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
                     "WHERE table_name = " +
                         quote_literal(name) + " ORDER BY ordinal_position",
                     cols))
    return false;

  table t;
  t.title = std::string(type == "view" ? "View" : "Table") + " \"" + schema + "." + name + "\"";
  t.headers = {"Column", "Type", "Collation", "Nullable", "Default"};
  t.row_count_footer = false;
  for (size_t i = 0; i < cols.row_count(); ++i) {
    std::string data_type = cols.text(i, 1);
    if (detailed && cols.column_count() >= 7) {
      if ((data_type == "character varying" || data_type == "character") && !cols.is_null(i, 4)) {
        data_type += "(" + cols.text(i, 4) + ")";
      } else if (data_type == "numeric" && !cols.is_null(i, 5)) {
        data_type += "(" + cols.text(i, 5) + "," + (cols.is_null(i, 6) ? "0" : cols.text(i, 6)) + ")";
      }
    }
    std::string nullable = cols.column_count() > 2 && cols.text(i, 2) == "NO" ? "not null" : "";
    std::string def = cols.column_count() > 3 && !cols.is_null(i, 3) ? cols.text(i, 3) : "";
    t.rows.push_back({cols.text(i, 0), data_type, "", nullable, def});
  }

  bool ok = true;
  if (type != "view") {
    result idx;
    if (catalog_query("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = " + quote_literal(name), idx)) {
      struct index_line {
        int rank;  ///< 0 primary key, 1 unique, 2 other (psql's order)
        std::string name, text;
      };
      std::vector<index_line> lines;
      for (size_t i = 0; i < idx.row_count(); ++i) {
        std::string iname = idx.text(i, 0);
        std::string def = idx.column_count() > 1 ? idx.text(i, 1) : "";
        bool unique = starts_with(def, "CREATE UNIQUE INDEX");
        size_t using_pos = def.find(" USING ");
        std::string method = using_pos == std::string::npos ? def : def.substr(using_pos + 7);
        // pg_indexes does not say whether an index backs a constraint; PostgreSQL's default
        // constraint index names (<table>_pkey, <table>_<cols>_key) tell it.
        int rank = unique ? (ends_with(iname, "_pkey") ? 0 : 1) : 2;
        std::string kind = rank == 0   ? "PRIMARY KEY, "
                           : rank == 1 ? (ends_with(iname, "_key") ? "UNIQUE CONSTRAINT, " : "UNIQUE, ")
                                       : "";
        lines.push_back({rank, iname, "    \"" + iname + "\" " + kind + method});
      }
      std::sort(lines.begin(), lines.end(), [](const index_line& a, const index_line& b) {
        return std::tie(a.rank, a.name) < std::tie(b.rank, b.name);
      });
      if (!lines.empty()) {
        t.footers.push_back("Indexes:");
        for (auto& l : lines) t.footers.push_back(std::move(l.text));
      }
    } else {
      ok = false;
    }
  }
  print_table(t);
  return ok;
}

bool shell::describe(const std::vector<std::string>& args, const std::string& cmd) {
  std::string base = cmd;
  while (!base.empty() && (base.back() == '+' || base.back() == 'S')) base.pop_back();  // \d+, \dS: same output
  bool tables = base == "d" || base == "dt", views = base == "d" || base == "dv", indexes = base == "di";
  if (base != "d" && base != "dt" && base != "dv" && base != "di") {
    error_line("invalid command \\" + cmd);
    error_line("Try \\? for help.");
    return false;
  }
  if (args.empty() || base != "d") return list_relations(args.empty() ? "" : args[0], tables, views, indexes);

  object_name pat = parse_object_name(args[0]);
  result r;
  if (!catalog_query("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public'", r))
    return false;
  std::vector<relation> found;
  if (pat.schema.empty() || pat.schema == "public") {
    for (size_t i = 0; i < r.row_count(); ++i) {
      std::string name = r.text(i, 0);
      if (pat.wildcard ? glob_match(pat.name, name) : pat.name == name) {
        found.push_back({"public", name, r.column_count() > 1 && r.text(i, 1) == "VIEW" ? "view" : "table", ""});
      }
    }
  }
  if (found.empty()) {
    error_line("Did not find any relation named \"" + args[0] + "\".");
    return false;
  }
  std::sort(found.begin(), found.end(), [](const relation& a, const relation& b) { return a.name < b.name; });
  bool ok = true;
  for (const auto& rel : found) ok = describe_relation(rel.schema, rel.name, rel.type) && ok;
  return ok;
}

void shell::print_help() {
  out_ << "General\n"
          "  \\q                     quit db001-shell\n"
          "  \\? or \\help            show this list of commands\n"
          "  \\conninfo              show what the shell is connected to\n"
          "\n"
          "Query buffer\n"
          "  \\g                     execute the query buffer (or, if empty, the previous query)\n"
          "  \\p                     show the contents of the query buffer\n"
          "  \\r                     reset (clear) the query buffer\n"
          "\n"
          "Input/Output\n"
          "  \\echo [TEXT]           write text to standard output\n"
          "  \\i FILE                execute commands from file\n"
          "  \\ir FILE               as \\i, but relative to the location of the current script\n"
          "\n"
          "Informational\n"
          "  \\d                     list tables and views\n"
          "  \\d NAME                describe table or view (NAME may use * and ? wildcards)\n"
          "  \\dt [PATTERN]          list tables\n"
          "  \\dv [PATTERN]          list views\n"
          "  \\di [PATTERN]          list indexes\n"
          "\n"
          "Formatting\n"
          "  \\pset null [STRING]    set the string printed in place of a null value\n"
          "  \\pset expanded [on|off|auto]  same as \\x\n"
          "  \\timing [on|off]       toggle timing of commands (prints \"Time: ... ms\")\n"
          "  \\x [on|off|auto]       toggle expanded output\n"
          "\n"
          "Variables\n"
          "  \\set [NAME [VALUE]]    set internal variable, or list all if no parameters\n"
          "                         VERBOSITY default|verbose|terse   (verbose shows the SQLSTATE)\n"
          "                         ON_ERROR_STOP on|off              (stop a script at the first error)\n"
          "  \\unset NAME            unset (delete) internal variable\n"
          "\n"
          "SQL statements end with ';'. Enter \"help\" for a short introduction.\n";
}

bool shell::execute_meta(const std::string& line) {
  // "\cmd args..."; the command name ends at a blank.
  size_t e = 1;
  while (e < line.size() && !is_space(line[e])) ++e;
  std::string cmd = line.substr(1, e - 1);
  std::vector<std::string> args = split_meta_args(std::string_view(line).substr(e));
  auto status = [&](const std::string& s) {
    if (!opts_.quiet) out_ << s << "\n";
  };
  auto fail = [&](const std::string& msg) {
    error_line(msg);
    note_error();
    return false;
  };
  auto toggle = [&](bool current, const char* what, bool& result) {
    if (args.empty()) {
      result = !current;
      return true;
    }
    auto b = parse_bool(args[0]);
    if (!b) {
      error_line(std::string("\\") + cmd + ": unrecognized value \"" + args[0] + "\" for \"" + what +
                 "\": Boolean expected");
      note_error();
      return false;
    }
    result = *b;
    return true;
  };

  if (cmd == "q" || cmd == "quit") {
    quit_ = true;
    return true;
  }
  if (cmd == "?" || cmd == "help" || cmd == "h") {
    print_help();
    return true;
  }
  if (cmd == "timing") {
    bool v;
    if (!toggle(timing_, "timing", v)) return false;
    timing_ = v;
    status(timing_ ? "Timing is on." : "Timing is off.");
    return true;
  }
  if (cmd == "x" || (cmd == "pset" && !args.empty() && (args[0] == "expanded" || args[0] == "x"))) {
    if (cmd == "pset") args.erase(args.begin());
    if (!args.empty() && to_lower(args[0]) == "auto") {
      expanded_auto_ = true;
      opts_.expanded = false;
      status("Expanded display is used automatically.");
      return true;
    }
    bool v;
    if (!toggle(opts_.expanded || expanded_auto_, "expanded", v)) return false;
    expanded_auto_ = false;
    opts_.expanded = v;
    status(v ? "Expanded display is on." : "Expanded display is off.");
    return true;
  }
  if (cmd == "pset") {
    if (args.empty()) return fail("\\pset: missing required argument");
    if (args[0] == "null") {
      null_display_ = args.size() > 1 ? args[1] : "";
      status("Null display is \"" + null_display_ + "\".");
      return true;
    }
    return fail("\\pset: unknown option: " + args[0]);
  }
  if (cmd == "set") {
    if (args.empty()) {
      for (const auto& [k, v] : vars_) out_ << k << " = '" << v << "'\n";
      return true;
    }
    std::string value;
    for (size_t i = 1; i < args.size(); ++i) value += args[i];
    vars_[args[0]] = value;
    return true;
  }
  if (cmd == "unset") {
    if (args.empty()) return fail("\\unset: missing required argument");
    vars_.erase(args[0]);
    return true;
  }
  if (cmd == "echo") {
    std::string text;
    for (size_t i = 0; i < args.size(); ++i) text += (i ? " " : "") + args[i];
    out_ << text << "\n";
    return true;
  }
  if (cmd == "r" || cmd == "reset") {
    if (current_) current_->reset();
    status("Query buffer reset (cleared).");
    return true;
  }
  if (cmd == "p" || cmd == "print") {
    std::string buf = current_ ? std::string(trim(current_->buffer())) : "";
    if (buf.empty()) buf = last_query_;
    out_ << (buf.empty() ? "Query buffer is empty." : buf) << "\n";
    return true;
  }
  if (cmd == "g") {
    std::string sql = current_ ? current_->take_buffer() : "";
    if (sql.empty()) sql = last_query_;
    if (sql.empty()) return true;
    return execute_sql(sql);
  }
  if (cmd == "i" || cmd == "include" || cmd == "ir" || cmd == "include_relative") {
    if (args.empty()) return fail("\\" + cmd + ": missing required argument");
    if (include_depth_ >= 32) return fail("\\" + cmd + ": too many nested includes");
    std::string path = args[0];
    if ((cmd == "ir" || cmd == "include_relative") && !path.empty() && path[0] != '/') {
      // Relative to the directory of the script being read.
      if (!current_file_.empty() && current_file_ != "<stdin>") {
        std::filesystem::path dir = std::filesystem::path(current_file_).parent_path();
        if (!dir.empty()) path = (dir / path).string();
      }
    }
    ++include_depth_;
    bool ok = run_file(path);
    --include_depth_;
    return ok;
  }
  if (cmd == "conninfo") {
    out_ << "You are connected to an embedded in-memory DB-001 database.\n";
    return true;
  }
  if (!cmd.empty() && cmd[0] == 'd') {
    bool ok = describe(args, cmd);
    if (!ok) note_error();
    return ok;
  }
  return fail("invalid command \\" + cmd + "\nTry \\? for help.");
}

std::string shell::prompt(const statement_splitter& splitter) const {
  std::string p = "db001";
  p += splitter.prompt_state();
  if (conn_->failed()) {
    p += '!';
  } else if (conn_->in_transaction()) {
    p += '*';
  }
  return p + "> ";
}

int shell::run_interactive() {
  if (!opts_.quiet) out_ << "db001-shell (DB-001, in-memory database)\nType \"help\" for help.\n\n";
  out_.flush();

  std::string history_path;
  if (const char* home = std::getenv("HOME"); home && *home) history_path = std::string(home) + "/.db001_history";
  using_history();
  if (!history_path.empty()) read_history(history_path.c_str());
  rl_readline_name = "db001";
  rl_catch_signals = 0;  // Ctrl-C is handled by on_sigint while reading

  statement_splitter splitter;
  current_ = &splitter;
  while (!done()) {
    std::string p = prompt(splitter);
    std::string idle = "db001=" + std::string(conn_->failed() ? "!" : conn_->in_transaction() ? "*" : "") + "> ";
    std::snprintf(g_idle_prompt, sizeof g_idle_prompt, "%s", idle.c_str());

    struct sigaction sa {
    }, old{};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old);
    char* raw = readline(p.c_str());
    sigaction(SIGINT, &old, nullptr);

    if (g_interrupted) {  // Ctrl-C: forget the statement being typed
      g_interrupted = 0;
      splitter.reset();
    }
    if (!raw) {  // Ctrl-D
      out_ << "\\q\n";
      break;
    }
    std::string line(raw);
    std::free(raw);
    std::string_view t = trim(line);
    if (!t.empty()) {
      HIST_ENTRY* last = history_length > 0 ? history_get(history_base + history_length - 1) : nullptr;
      if (!last || line != last->line) add_history(line.c_str());
    }
    if (!splitter.pending() && splitter.buffer().empty()) {
      if (t == "help") {
        out_ << "You are using db001-shell, the command-line interface to DB-001.\n"
                "Type:  \\? for help with db001-shell commands\n"
                "       \\g or terminate with semicolon to execute query\n"
                "       \\q to quit\n";
        continue;
      }
      if (t == "quit" || t == "exit") break;
    }
    process_line(splitter, line);
    stopped_ = false;  // ON_ERROR_STOP ends scripts (\i), not the interactive session
  }
  current_ = nullptr;
  if (!history_path.empty()) {
    write_history(history_path.c_str());
    history_truncate_file(history_path.c_str(), 1000);
  }
  out_.flush();
  return 0;
}

}  // namespace db001::shell
