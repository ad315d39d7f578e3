/// db001-shell: a psql-like command-line shell over an embedded, in-memory DB-001 database.
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "shell.h"

namespace {

void usage(std::ostream& o) {
  o << "db001-shell is an interactive SQL shell over an embedded, in-memory DB-001 database.\n"
       "\n"
       "Usage:\n"
       "  db001-shell [OPTION]...\n"
       "\n"
       "Options:\n"
       "  -c, --command=COMMAND    run one command string (SQL statements or a backslash command); may repeat\n"
       "  -f, --file=FILE          run the commands in FILE (\"-\" = standard input); may repeat\n"
       "  -v, --set=NAME=VALUE     set a variable, e.g. -v ON_ERROR_STOP=1 or -v VERBOSITY=verbose\n"
       "      --on-error-stop      stop at the first failing statement (same as -v ON_ERROR_STOP=1)\n"
       "  -a, --echo-all           echo every input line (with -q, output matches pg_regress's psql -a -q)\n"
       "  -q, --quiet              no banner and no command tags (\"CREATE TABLE\", \"INSERT 0 1\")\n"
       "  -x, --expanded           expanded table output (as \\x)\n"
       "  -X, --no-psqlrc          accepted for psql compatibility (there is no startup file)\n"
       "      --help               show this help and exit\n"
       "\n"
       "-c and -f run in the order given, then the shell exits. Without them, commands are read from\n"
       "standard input: interactively (GNU readline, history in ~/.db001_history) when it is a terminal,\n"
       "otherwise as a script. Statements end with ';'; a line that starts with '\\' is a meta-command\n"
       "(\\? lists them).\n"
       "\n"
       "Errors: every statement is run even after an error (as psql does by default), unless\n"
       "ON_ERROR_STOP is set. Exit status: 0 if every statement and meta-command succeeded, 1 if any\n"
       "failed (or a -f file could not be read), 2 if the database could not be opened or the\n"
       "command line is wrong. Interactive sessions exit with 0.\n";
}

struct action {
  bool is_file;
  std::string text;
};

/// Matches "-c VALUE", "-cVALUE", "--command VALUE" or "--command=VALUE"; advances i.
bool take_option(int argc, char** argv, int& i, const char* short_name, const char* long_name, std::string& out,
                 bool& error) {
  std::string arg = argv[i];
  std::string s = short_name ? short_name : "";
  std::string l = long_name;
  if (!s.empty() && arg == s) {
  } else if (!s.empty() && arg.size() > 2 && arg.compare(0, 2, s) == 0 && arg[1] != '-') {
    out = arg.substr(2);
    return true;
  } else if (arg == l) {
  } else if (arg.compare(0, l.size() + 1, l + "=") == 0) {
    out = arg.substr(l.size() + 1);
    return true;
  } else {
    return false;
  }
  if (i + 1 >= argc) {
    std::cerr << "db001-shell: option " << arg << " needs an argument\n";
    error = true;
    return true;
  }
  out = argv[++i];
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  db001::shell::shell_options opts;
  std::vector<action> actions;
  std::vector<std::pair<std::string, std::string>> vars;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string v;
    bool error = false;
    if (arg == "--help" || arg == "-?") {
      usage(std::cout);
      return 0;
    } else if (take_option(argc, argv, i, "-c", "--command", v, error)) {
      if (error) return 2;
      actions.push_back({false, v});
    } else if (take_option(argc, argv, i, "-f", "--file", v, error)) {
      if (error) return 2;
      actions.push_back({true, v});
    } else if (take_option(argc, argv, i, "-v", "--set", v, error) ||
               take_option(argc, argv, i, nullptr, "--variable", v, error)) {
      if (error) return 2;
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "db001-shell: -v needs NAME=VALUE, got '" << v << "'\n";
        return 2;
      }
      vars.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else if (arg == "--on-error-stop") {
      opts.on_error_stop = true;
    } else if (arg == "-a" || arg == "--echo-all") {
      opts.echo_all = true;
    } else if (arg == "-q" || arg == "--quiet") {
      opts.quiet = true;
    } else if (arg == "-x" || arg == "--expanded") {
      opts.expanded = true;
    } else if (arg == "-X" || arg == "--no-psqlrc") {
    } else {
      std::cerr << "db001-shell: unknown option '" << arg << "'\nTry \"db001-shell --help\" for more information.\n";
      return 2;
    }
  }

  db001::shell::shell sh(opts, std::cout, std::cerr);
  if (!sh.open()) return 2;
  for (const auto& [name, value] : vars) {
    std::string quoted;
    for (char c : value) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    sh.execute_meta("\\set " + name + " '" + quoted + "'");
  }

  if (!actions.empty()) {
    for (const auto& a : actions) {
      if (sh.done()) break;
      if (a.is_file) {
        if (!sh.run_file(a.text)) return 1;
      } else {
        sh.run_command(a.text);
      }
    }
    return sh.had_error() ? 1 : 0;
  }
  if (isatty(STDIN_FILENO)) return sh.run_interactive();
  sh.run_script(std::cin, "");
  return sh.had_error() ? 1 : 0;
}
