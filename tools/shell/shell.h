#pragma once
/// db001-shell: a psql-like interactive shell over an embedded DB-001 database.
///
/// Input is split into SQL statements (ended by ';' outside quotes, comments, dollar quotes and
/// parentheses) and backslash meta-commands; each statement is executed on its own and its
/// result printed in psql's aligned format (or its expanded format after `\x`). Errors print as
/// psql does ("ERROR:  message", then "LINE n: ..." and a caret when the error has a position).
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "table_printer.h"

namespace db001 {
class database;
class connection;
class result;
}  // namespace db001

namespace db001::shell {

/// Splits input lines into SQL statements and backslash meta-commands, as psql's lexer does:
/// ';' ends a statement unless inside '...', E'...', "...", $tag$...$tag$, /* */ (nested),
/// a -- comment, or parentheses; a '\' outside those starts a meta-command that runs to the
/// end of the line. Leading blanks and -- comments before a statement are dropped.
class statement_splitter {
 public:
  struct piece {
    bool meta = false;  ///< a backslash command (text starts with '\')
    std::string text;   ///< a statement without its ';', or the meta-command line
  };

  /// Feeds one input line (without its newline); appends what it completes to `out`.
  void feed(std::string_view line, std::vector<piece>& out);
  /// True when a statement has begun (the buffer holds more than blanks and comments).
  bool pending() const { return has_content_; }
  /// The buffered (unterminated) statement text.
  const std::string& buffer() const { return buf_; }
  /// Returns the buffered statement and clears the buffer (for \g and the end of the input).
  std::string take_buffer();
  /// Forgets the buffered text and all lexer state.
  void reset();
  /// psql's %R prompt character: '=' idle, '-' inside a statement, '\'' / '"' / '$' inside a
  /// literal, '*' inside a comment, '(' inside parentheses.
  char prompt_state() const;

 private:
  enum class state { normal, single_quote, escape_quote, double_quote, dollar_quote, block_comment };
  void finish_statement(std::vector<piece>& out);

  std::string buf_;
  state state_ = state::normal;
  std::string dollar_tag_;
  int comment_depth_ = 0;
  int paren_depth_ = 0;
  bool has_content_ = false;
};

/// Settings from the command line.
struct shell_options {
  bool echo_all = false;       ///< -a: print every input line as it is read (like psql -a)
  bool quiet = false;          ///< -q: no banner, no command tags
  bool on_error_stop = false;  ///< stop at the first failing statement
  bool expanded = false;       ///< -x: start in expanded display mode
};

/// One shell session: a fresh in-memory database and one connection.
class shell {
 public:
  shell(shell_options opts, std::ostream& out, std::ostream& err);
  ~shell();

  /// Opens the database; prints the reason and returns false on failure.
  bool open();

  /// Runs the text of a -c argument (SQL statements and/or one meta-command).
  void run_command(std::string_view text);
  /// Runs a script; `name` appears in error messages as "db001-shell:NAME:LINE: " unless empty
  /// (stdin gives no prefix, as psql does).
  void run_script(std::istream& in, const std::string& name);
  /// Runs a script file (-f or \i); false when it cannot be opened.
  bool run_file(const std::string& path);
  /// The readline loop; returns the exit status.
  int run_interactive();

  /// True after any failed statement or meta-command.
  bool had_error() const { return had_error_; }
  /// True after \q (or an error with ON_ERROR_STOP).
  bool done() const { return quit_ || stopped_; }

  /// Executes one SQL statement and prints its result; false on error.
  bool execute_sql(const std::string& sql);
  /// Executes one backslash command line (starting with '\').
  bool execute_meta(const std::string& line);

 private:
  void process_line(statement_splitter& splitter, std::string_view line);
  void finish_input(statement_splitter& splitter);
  void note_error();
  void print_result(const result& r);
  void print_error(const result& r, const std::string& sql);
  void print_notices(const result& r);
  void print_table(const table& t);
  void error_line(const std::string& text);
  bool describe(const std::vector<std::string>& args, const std::string& cmd);
  bool list_relations(const std::string& pattern, bool tables, bool views, bool indexes);
  bool describe_relation(const std::string& schema, const std::string& name, const std::string& type);
  bool catalog_query(const std::string& sql, result& out, bool report = true);
  std::string prompt(const statement_splitter& splitter) const;
  void print_help();

  shell_options opts_;
  std::ostream& out_;
  std::ostream& err_;
  std::unique_ptr<database> db_;
  std::unique_ptr<connection> conn_;
  bool timing_ = false;
  bool expanded_auto_ = false;  ///< \x auto: expanded only when the table is wider than the terminal
  std::string null_display_;
  std::map<std::string, std::string> vars_;
  std::string location_;      ///< "db001-shell:FILE:LINE: " while running a file, else ""
  std::string current_file_;  ///< the script being read ("" for -c and interactive input)
  std::string last_query_;
  statement_splitter* current_ = nullptr;  ///< the splitter of the input being read (for \g, \r, \p)
  int include_depth_ = 0;
  bool had_error_ = false;
  bool quit_ = false;
  bool stopped_ = false;
};

/// psql's "LINE n: ..." and caret lines for an error at 1-based character `position` of `sql`
/// (lines longer than 60 characters are cut with "..." around the error). Empty when position is 0.
std::string error_position_lines(std::string_view sql, int position);

}  // namespace db001::shell
