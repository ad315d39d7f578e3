#include "slt_runner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unordered_map>

#include "db001/db001.h"
#include "wire_client.h"

namespace db001::slt {

namespace {

/// Values shown per expected/actual block in a failure report.
constexpr size_t shown_values = 40;
/// Longest SQL text kept in a failure report.
constexpr size_t shown_sql = 2000;

int128_t pow10_i128(int n) {
  int128_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

/// A NUMERIC's unscaled value truncated toward zero to an integer (saturating to int64).
int64_t numeric_to_int(int128_t unscaled, int scale) {
  int128_t v = unscaled;
  if (scale > 38) return 0;
  if (scale > 0) v /= pow10_i128(scale);  // C++ division truncates toward zero
  if (v > int128_t(std::numeric_limits<int64_t>::max())) return std::numeric_limits<int64_t>::max();
  if (v < int128_t(std::numeric_limits<int64_t>::min())) return std::numeric_limits<int64_t>::min();
  return int64_t(v);
}

double numeric_to_double(int128_t unscaled, int scale) {
  if (scale <= 0) return double(unscaled);
  if (scale > 38) return 0;
  int128_t p = pow10_i128(scale);
  return double(unscaled / p) + double(unscaled % p) / double(p);
}

std::string shorten(std::string s, size_t max) {
  if (s.size() <= max) return s;
  s.resize(max);
  return s + "...";
}

/// Up to `shown_values` values one per line, plus a "... (N more)" line.
std::string join_values(const std::vector<std::string>& values) {
  std::string out;
  size_t n = std::min(values.size(), shown_values);
  for (size_t i = 0; i < n; ++i) {
    if (i) out += '\n';
    out += values[i];
  }
  if (values.size() > n) out += "\n... (" + std::to_string(values.size() - n) + " more)";
  return out;
}

std::string indent(const std::string& s, const char* prefix) {
  std::string out = prefix;
  for (char c : s) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out;
}

const char* kind_name(record_kind k) {
  switch (k) {
    case record_kind::statement_ok:
      return "statement ok";
    case record_kind::statement_error:
      return "statement error";
    case record_kind::statement_maybe:
      return "statement maybe";
    case record_kind::mode:
      return "mode";
    case record_kind::query:
      return "query";
    case record_kind::hash_threshold:
      return "hash-threshold";
    case record_kind::halt:
      return "halt";
    case record_kind::malformed:
      return "malformed";
  }
  return "?";
}

/// "ERROR <sqlstate>: <message> (DETAIL: <detail>)".
std::string error_text(const pg_outcome& r) {
  std::string s = "ERROR " + r.sqlstate + ": " + r.message;
  if (!r.detail.empty()) s += " (DETAIL: " + r.detail + ")";
  return s;
}

/// An in-process result as the typed values the wire mode produces too.
pg_outcome outcome_of(const result& res) {
  pg_outcome o;
  o.ok = res.ok();
  if (!o.ok) {
    o.sqlstate = res.sqlstate();
    o.message = res.error_message();
    o.detail = res.error_detail();
    return o;
  }
  o.columns = res.column_count();
  size_t rows = res.row_count();
  o.cells.reserve(rows * o.columns);
  for (size_t i = 0; i < rows; ++i)
    for (size_t c = 0; c < o.columns; ++c) o.cells.push_back(res.get(i, c));
  return o;
}

}  // namespace

std::string render_value(const value& v, char type) {
  if (v.is_null()) return "NULL";
  const sql_type& t = v.type();
  switch (type) {
    case 'I':
      switch (t.id) {
        case type_id::boolean:
          return format_int(v.as_bool() ? 1 : 0);
        case type_id::int16:
        case type_id::int32:
        case type_id::int64:
          return format_int(v.as_int());
        case type_id::float32:
        case type_id::float64:
          return format_int(truncate_to_int(v.as_float()));
        case type_id::numeric:
          return format_int(numeric_to_int(v.as_numeric(), t.scale));
        case type_id::text:
        case type_id::varchar:
        case type_id::unknown:
          return format_int(leading_int(v.as_string()));
        default:
          return format_int(leading_int(v.to_string()));
      }
    case 'R':
      switch (t.id) {
        case type_id::boolean:
          return format_real(v.as_bool() ? 1.0 : 0.0);
        case type_id::int16:
        case type_id::int32:
        case type_id::int64:
          return format_real(double(v.as_int()));
        case type_id::float32:
        case type_id::float64:
          return format_real(v.as_float());
        case type_id::numeric:
          return format_real(numeric_to_double(v.as_numeric(), t.scale));
        case type_id::text:
        case type_id::varchar:
        case type_id::unknown:
          return format_real(leading_real(v.as_string()));
        default:
          return format_real(leading_real(v.to_string()));
      }
    default:
      switch (t.id) {
        case type_id::text:
        case type_id::varchar:
        case type_id::unknown:
          return format_text(v.as_string());
        default:
          return format_text(v.to_string());  // PostgreSQL's text output (bpchar keeps its padding)
      }
  }
}

std::vector<std::string> collect_test_files(const std::vector<std::string>& paths, std::vector<std::string>& missing) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (fs::recursive_directory_iterator it(p, fs::directory_options::follow_directory_symlink, ec), end;
           !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".test" && it->is_regular_file(ec)) found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      files.push_back(p);
    } else {
      missing.push_back(p);
    }
  }
  return files;
}

/// Per-file state.
struct runner::context {
  std::string path;
  std::unique_ptr<database> db;  // declared before conn: the connection is destroyed first
  std::unique_ptr<connection> conn;
  int hash_threshold = 0;
  bool skipping = false;                                                ///< between "mode skip" and "mode unskip"
  std::unordered_map<std::string, std::pair<std::string, int>> labels;  ///< label -> (hash line, line)
};

runner::runner(runner_options opts, std::ostream& out) : opts_(std::move(opts)), out_(out) {
  if (!opts_.pg_conninfo.empty()) oracle_ = std::make_unique<wire_client>(opts_.pg_conninfo);
  if (!opts_.connect.empty()) wire_ = std::make_unique<wire_client>(opts_.connect);
}

bool runner::postgres_agrees(const record& r, const pg_outcome& res, const std::vector<std::string>* values,
                             const pg_outcome* known, failure& f) {
  if (!oracle_) return false;
  pg_outcome pg = known ? *known : oracle_->run(r.sql);
  bool agrees = false;
  if (!res.ok || !pg.ok) {
    agrees = !res.ok && !pg.ok && res.sqlstate == pg.sqlstate;
  } else if (r.kind == record_kind::query) {
    if (values && pg.columns == r.types.size()) {
      std::vector<std::string> theirs;
      for (size_t i = 0; i < pg.cells.size(); ++i) theirs.push_back(render_value(pg.cells[i], r.types[i % pg.columns]));
      sort_values(theirs, pg.columns, r.sort);
      agrees = theirs == *values;
    }
  } else {
    agrees = true;  // a statement both engines ran (the file expected an error: SQLite's)
  }
  if (!agrees) f.message += pg.ok ? "  [PostgreSQL: ok]" : "  [PostgreSQL: " + pg.sqlstate + " " + pg.message + "]";
  return agrees;
}

runner::~runner() = default;

void runner::fail(file_stats& stats, failure f) {
  ++stats.failed;
  if (opts_.verbose || f.kind == "file") {  // a file that could not run at all is always reported
    out_ << "FAIL " << stats.path << ":" << f.line << ": " << f.kind << ": " << f.message << "\n";
    if (!f.sql.empty()) out_ << indent(f.sql, "    ") << "\n";
    if (!f.expected.empty() || !f.actual.empty()) {
      out_ << "  expected:\n" << indent(f.expected.empty() ? "(no rows)" : f.expected, "    ") << "\n";
      out_ << "  actual:\n" << indent(f.actual.empty() ? "(no rows)" : f.actual, "    ") << "\n";
    }
    out_.flush();
  }
  if (opts_.stop_on_fail) stop_ = true;
  if (stats.failures.size() < opts_.json_failures_per_file) {
    f.sql = shorten(std::move(f.sql), shown_sql);
    stats.failures.push_back(std::move(f));
  }
}

void runner::run_record(context& ctx, const record& r, file_stats& stats) {
  failure f;
  f.line = r.line;
  f.kind = kind_name(r.kind);
  f.sql = r.sql;

  pg_outcome res;
  std::string exception;
  // Statements change state: the oracle replays every one of them.
  std::unique_ptr<pg_outcome> pg;
  if (oracle_ && r.kind != record_kind::query) pg = std::make_unique<pg_outcome>(oracle_->run(r.sql));
  auto judged = [&](const std::vector<std::string>* values) {
    if (!postgres_agrees(r, res, values, pg.get(), f)) return false;
    ++stats.passed;
    ++stats.pg_judged;
    return true;
  };
  try {
    res = wire_ ? wire_->run(r.sql) : outcome_of(ctx.conn->execute(r.sql));
  } catch (const std::exception& e) {
    exception = std::string("exception escaped connection::execute: ") + e.what();
  } catch (...) {
    exception = "unknown exception escaped connection::execute";
  }
  if (!exception.empty()) {
    f.message = exception;
    fail(stats, std::move(f));
    return;
  }

  try {
    if (r.kind == record_kind::statement_ok) {
      if (res.ok) {
        ++stats.passed;
      } else {
        f.sqlstate = res.sqlstate;
        f.message = error_text(res);
        if (!judged(nullptr)) fail(stats, std::move(f));
      }
      return;
    }
    if (r.kind == record_kind::statement_error || r.kind == record_kind::statement_maybe) {
      if (res.ok) {
        if (r.kind == record_kind::statement_maybe) {
          ++stats.passed;
        } else {
          f.message = "statement succeeded but an error was expected";
          if (!judged(nullptr)) fail(stats, std::move(f));
        }
        return;
      }
      std::string want;  // DuckDB's dialect: the expected message after "----"
      for (const auto& line : r.expected) want += (want.empty() ? "" : "\n") + line;
      bool bad_pattern = false;
      if (error_matches(want, res.sqlstate, res.message, &bad_pattern)) {
        ++stats.passed;
      } else {
        f.sqlstate = res.sqlstate;
        f.message = bad_pattern ? "invalid regular expression in the expected error" : "unexpected error message";
        f.expected = want;
        f.actual = error_text(res);
        fail(stats, std::move(f));
      }
      return;
    }

    // A query.
    if (!res.ok) {
      f.sqlstate = res.sqlstate;
      f.message = error_text(res);
      f.expected = join_values(r.expected);
      f.actual = "(error)";
      if (!judged(nullptr)) fail(stats, std::move(f));
      return;
    }
    size_t cols = res.columns;
    if (cols != r.types.size()) {
      f.message =
          "expected " + std::to_string(r.types.size()) + " column(s) (" + r.types + "), got " + std::to_string(cols);
      fail(stats, std::move(f));
      return;
    }
    std::vector<std::string> values;
    values.reserve(res.cells.size());
    for (size_t i = 0; i < res.cells.size(); ++i) values.push_back(render_value(res.cells[i], r.types[i % cols]));
    sort_values(values, cols, r.sort);

    if (!results_match(values, r.types, r.sort, r.expected)) {
      if (judged(&values)) return;
      f.message = "wrong result";
      f.expected = join_values(r.expected);
      bool hashed = (r.expected.size() == 1 && parse_hash_line(r.expected[0])) ||
                    (ctx.hash_threshold > 0 && values.size() > size_t(ctx.hash_threshold));
      f.actual =
          hashed ? hash_line(values.size(), hash_values(values)) + "\n" + join_values(values) : join_values(values);
      if (values.empty()) f.actual = "(no rows)";
      fail(stats, std::move(f));
      return;
    }
    if (!r.label.empty()) {
      std::string h = hash_line(values.size(), hash_values(values));
      auto [it, inserted] = ctx.labels.try_emplace(r.label, h, r.line);
      if (!inserted && it->second.first != h) {
        f.message = "result differs from the query with the same label '" + r.label + "' at line " +
                    std::to_string(it->second.second);
        f.expected = it->second.first;
        f.actual = h;
        fail(stats, std::move(f));
        return;
      }
    }
    ++stats.passed;
  } catch (const std::exception& e) {
    f.message = std::string("exception while reading the result: ") + e.what();
    fail(stats, std::move(f));
  } catch (...) {
    f.message = "unknown exception while reading the result";
    fail(stats, std::move(f));
  }
}

file_stats runner::run_file(const std::string& path) {
  auto start = std::chrono::steady_clock::now();
  file_stats stats;
  stats.path = path;

  context ctx;
  ctx.path = path;
  std::ifstream in(path, std::ios::binary);
  if (oracle_ && !oracle_->start_file()) {
    fail(stats, failure{0, "file", "", "", "", "", "cannot use the PostgreSQL oracle: " + oracle_->error()});
  } else if (!in) {
    fail(stats, failure{0, "file", "", "", "", "", "cannot open " + path});
  } else {
    std::string open_error;
    bool opened = false;
    if (wire_) {
      opened = wire_->start_file();
      if (!opened) open_error = "through " + opts_.connect + ": " + wire_->error();
    } else {
      try {
        ctx.db = database::open();
        if (ctx.db) ctx.conn = ctx.db->connect();
      } catch (const std::exception& e) {
        open_error = e.what();
      } catch (...) {
        open_error = "unknown exception";
      }
      opened = ctx.conn != nullptr;
    }
    if (!opened) {
      fail(stats, failure{0, "file", "", "", "", "", "cannot open a database: " + open_error});
    } else {
      script_parser parser(in);
      record r;
      while (!stop_) {
        bool more = false;
        try {
          more = parser.next(r);
        } catch (const std::exception& e) {  // e.g. std::bad_alloc on an absurd line
          fail(stats, failure{parser.line(), "file", "", "", "", "", std::string("cannot read: ") + e.what()});
        }
        if (!more) break;
        if (r.kind == record_kind::halt) {
          if (r.skip) continue;
          stats.halted_at = r.line;
          if (opts_.verbose) out_ << "HALT " << path << ":" << r.line << "\n";
          break;
        }
        if (r.kind == record_kind::hash_threshold) {
          if (!r.skip) ctx.hash_threshold = r.threshold;
          continue;
        }
        if (r.kind == record_kind::mode) {  // DuckDB's "mode skip" ... "mode unskip"
          if (!r.skip && r.mode == "skip") ctx.skipping = true;
          if (!r.skip && r.mode == "unskip") ctx.skipping = false;
          continue;
        }
        if (r.skip || ctx.skipping) {
          ++stats.skipped;
          continue;
        }
        if (r.kind == record_kind::malformed) {
          fail(stats, failure{r.line, "malformed", "", "", "", "", r.error});
          continue;
        }
        run_record(ctx, r, stats);
      }
      stats.stopped = stop_;
    }
  }
  try {
    ctx.conn.reset();
    ctx.db.reset();
    if (wire_) wire_->end_file();
  } catch (...) {
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out_ << path << ": " << stats.passed << " passed, " << stats.failed << " failed, " << stats.skipped << " skipped";
  if (oracle_) out_ << " (" << stats.pg_judged << " judged by PostgreSQL)";
  out_ << "\n";
  out_.flush();
  return stats;
}

void runner::write_json_file(const file_stats& s) {
  if (!json_) return;
  std::ostream& j = *json_;
  j << (json_first_ ? "\n" : ",\n");
  json_first_ = false;
  j << "    {\"path\": \"" << json_escape(s.path) << "\", \"passed\": " << s.passed << ", \"failed\": " << s.failed
    << ", \"skipped\": " << s.skipped << ", \"halted_at\": " << s.halted_at
    << ", \"stopped\": " << (s.stopped ? "true" : "false") << ", \"seconds\": " << s.seconds << ", \"failures\": [";
  for (size_t i = 0; i < s.failures.size(); ++i) {
    const failure& f = s.failures[i];
    j << (i ? ",\n" : "\n") << "      {\"line\": " << f.line << ", \"kind\": \"" << json_escape(f.kind)
      << "\", \"sql\": \"" << json_escape(f.sql) << "\", \"expected\": \"" << json_escape(f.expected)
      << "\", \"actual\": \"" << json_escape(f.actual) << "\", \"sqlstate\": \"" << json_escape(f.sqlstate)
      << "\", \"message\": \"" << json_escape(f.message) << "\"}";
  }
  j << (s.failures.empty() ? "]}" : "\n    ]}");
  j.flush();
}

int runner::run(const std::vector<std::string>& files, std::ostream& err) {
  if (!opts_.json_path.empty()) {
    auto f = std::make_unique<std::ofstream>(opts_.json_path, std::ios::binary | std::ios::trunc);
    if (!*f) {
      err << "db001-slt: cannot write " << opts_.json_path << "\n";
      return 2;
    }
    json_ = std::move(f);
    *json_ << "{\n  \"files\": [";
    json_->flush();
  }

  file_stats total;
  size_t file_count = 0;
  for (const auto& path : files) {
    if (stop_) break;
    file_stats s = run_file(path);
    ++file_count;
    total.passed += s.passed;
    total.failed += s.failed;
    total.skipped += s.skipped;
    total.pg_judged += s.pg_judged;
    total.seconds += s.seconds;
    write_json_file(s);
  }

  uint64_t run = total.passed + total.failed;
  double rate = run ? 100.0 * double(total.passed) / double(run) : 0.0;
  if (json_) {
    *json_ << "\n  ],\n  \"totals\": {\"files\": " << file_count << ", \"passed\": " << total.passed
           << ", \"failed\": " << total.failed << ", \"skipped\": " << total.skipped << ", \"pass_rate\": " << rate
           << ", \"seconds\": " << total.seconds << ", \"stopped\": " << (stop_ ? "true" : "false") << "}\n}\n";
    json_->flush();
    json_.reset();
  }
  if (stop_) out_ << "stopped at the first failure (--stop-on-fail)\n";
  if (oracle_)
    out_ << total.pg_judged << " of the passed records differ from the file but match PostgreSQL 15\n";
  out_ << total.passed << " passed, " << total.failed << " failed, " << total.skipped << " skipped\n";
  out_.flush();

  if (opts_.min_pass_rate >= 0 && (rate < opts_.min_pass_rate || (run == 0 && opts_.min_pass_rate > 0))) {
    char buf[256];
    if (run == 0) {
      std::snprintf(buf, sizeof buf,
                    "db001-slt: no statement or query was run (%llu skipped), so --min-pass-rate %.2f is not met\n",
                    static_cast<unsigned long long>(total.skipped), opts_.min_pass_rate);
    } else {
      std::snprintf(buf, sizeof buf,
                    "db001-slt: pass rate %.2f%% (%llu of %llu records) is below the required %.2f%% "
                    "(--min-pass-rate)\n",
                    rate, static_cast<unsigned long long>(total.passed), static_cast<unsigned long long>(run),
                    opts_.min_pass_rate);
    }
    err << buf;
    err.flush();
    return 1;
  }
  return 0;
}

}  // namespace db001::slt
