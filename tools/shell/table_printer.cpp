#include "table_printer.h"

#include <algorithm>

namespace db001::shell {

namespace {

std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> lines;
  size_t b = 0;
  while (true) {
    size_t e = s.find('\n', b);
    if (e == std::string_view::npos) {
      lines.push_back(s.substr(b));
      return lines;
    }
    lines.push_back(s.substr(b, e - b));
    b = e + 1;
  }
}

void pad(std::string& out, size_t n) { out.append(n, ' '); }

align align_of(const table& t, size_t col) { return col < t.aligns.size() ? t.aligns[col] : align::left; }

const std::string& cell_of(const table& t, size_t row, size_t col) {
  static const std::string empty;
  const auto& r = t.rows[row];
  return col < r.size() ? r[col] : empty;
}

void append_footers(std::string& out, const table& t) {
  if (!t.footers.empty()) {
    for (const auto& f : t.footers) out += f + "\n";
  } else if (t.row_count_footer) {
    out += row_count_text(t.rows.size()) + "\n";
  }
}

}  // namespace

size_t display_width(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  }
  return n;
}

std::string row_count_text(size_t rows) { return rows == 1 ? "(1 row)" : "(" + std::to_string(rows) + " rows)"; }

std::string format_aligned(const table& t) {
  const size_t ncols = t.headers.size();
  std::vector<size_t> widths(ncols);
  for (size_t c = 0; c < ncols; ++c) widths[c] = display_width(t.headers[c]);
  for (size_t r = 0; r < t.rows.size(); ++r) {
    for (size_t c = 0; c < ncols; ++c) {
      for (auto line : split_lines(cell_of(t, r, c))) widths[c] = std::max(widths[c], display_width(line));
    }
  }

  std::string out;
  if (!t.title.empty()) {
    size_t total = ncols == 0 ? 0 : ncols * 3 - 1;
    for (size_t w : widths) total += w;
    size_t tw = display_width(t.title);
    if (tw < total) pad(out, (total - tw) / 2);
    out += t.title + "\n";
  }

  // Header: names centered (the extra space goes to the right), every column followed by a space.
  if (ncols > 0) {
    for (size_t c = 0; c < ncols; ++c) {
      size_t spare = widths[c] - display_width(t.headers[c]);
      out += ' ';
      pad(out, spare / 2);
      out += t.headers[c];
      pad(out, (spare + 1) / 2);
      out += ' ';
      if (c + 1 < ncols) out += '|';
    }
    out += '\n';
  }
  out += '-';
  for (size_t c = 0; c < ncols; ++c) {
    out.append(widths[c], '-');
    if (c + 1 < ncols) out += "-+-";
  }
  out += "-\n";

  // Rows: a cell with newlines spans several output lines, each continued line marked with '+'.
  if (ncols > 0) {
    std::vector<std::vector<std::string_view>> cells(ncols);
    for (size_t r = 0; r < t.rows.size(); ++r) {
      size_t height = 1;
      for (size_t c = 0; c < ncols; ++c) {
        cells[c] = split_lines(cell_of(t, r, c));
        height = std::max(height, cells[c].size());
      }
      for (size_t k = 0; k < height; ++k) {
        for (size_t c = 0; c < ncols; ++c) {
          bool last = c + 1 == ncols;
          bool has = k < cells[c].size();
          bool more = k + 1 < cells[c].size();
          out += ' ';
          if (has) {
            size_t w = display_width(cells[c][k]);
            if (align_of(t, c) == align::right) {
              pad(out, widths[c] - w);
              out += cells[c][k];
            } else {
              out += cells[c][k];
              if (!last || more) pad(out, widths[c] - w);
            }
          } else if (!last) {
            pad(out, widths[c]);
          }
          if (more) {
            out += '+';
          } else if (!last) {
            out += ' ';
          }
          if (!last) out += '|';
        }
        out += '\n';
      }
    }
  }

  append_footers(out, t);
  out += '\n';
  return out;
}

std::string format_expanded(const table& t) {
  std::string out;
  if (!t.title.empty()) out += t.title + "\n";
  if (t.rows.empty() || t.headers.empty()) {
    append_footers(out, t);
    out += '\n';
    return out;
  }
  const size_t ncols = t.headers.size();
  size_t hwidth = 0, dwidth = 0;
  bool multiline = false;
  for (const auto& h : t.headers) hwidth = std::max(hwidth, display_width(h));
  for (size_t r = 0; r < t.rows.size(); ++r) {
    for (size_t c = 0; c < ncols; ++c) {
      auto lines = split_lines(cell_of(t, r, c));
      if (lines.size() > 1) multiline = true;
      for (auto line : lines) dwidth = std::max(dwidth, display_width(line));
    }
  }
  // The data width grows so that the "-[ RECORD n ]" line fits.
  size_t spacer = multiline ? 4 : 3;
  size_t record_width = std::to_string(t.rows.size()).size() + 12;
  size_t width = std::max(hwidth + spacer + dwidth, record_width);
  dwidth = width - hwidth - spacer;

  for (size_t r = 0; r < t.rows.size(); ++r) {
    std::string label = "[ RECORD " + std::to_string(r + 1) + " ]";
    out += '-';
    out += label;
    long used = long(label.size()) + 1;
    for (long i = used; i < long(hwidth); ++i) out += '-';
    used -= long(hwidth);
    if (used-- <= 0) out += '-';
    if (used-- <= 0) out += '+';
    if (used-- <= 0) out += '-';
    if (used < 0) used = 0;
    for (long i = used; i < long(dwidth); ++i) out += '-';
    out += '\n';

    for (size_t c = 0; c < ncols; ++c) {
      auto lines = split_lines(cell_of(t, r, c));
      for (size_t k = 0; k < lines.size(); ++k) {
        if (k == 0) {
          out += t.headers[c];
          pad(out, hwidth - display_width(t.headers[c]));
          out += ' ';
        } else {
          pad(out, hwidth + 1);
        }
        out += "| ";
        out += lines[k];
        if (k + 1 < lines.size()) {
          pad(out, dwidth - display_width(lines[k]));
          out += '+';
        }
        out += '\n';
      }
    }
  }
  if (!t.footers.empty()) {
    out += '\n';
    for (const auto& f : t.footers) out += f + "\n";
  }
  out += '\n';
  return out;
}

}  // namespace db001::shell
