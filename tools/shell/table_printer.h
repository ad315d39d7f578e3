#pragma once
/// psql-style rendering of a result table (psql's "aligned" format with border 1, and its
/// expanded `\x` format), independent of the engine so it can be unit tested.
///
///     Title
///  a  |  b
/// ----+-----
///   1 | one
/// (1 row)
///
/// Column names are centered, right-aligned columns (numbers) are padded on the left, the last
/// left-aligned column is not padded, and a blank line follows the footer. Widths count UTF-8
/// characters (code points), not bytes. A cell with newlines spans several lines, marked with
/// '+' at the right edge as psql does.
#include <string>
#include <string_view>
#include <vector>

namespace db001::shell {

enum class align { left, right };

/// A table to print: headers, one alignment per column, rows of cell texts.
struct table {
  std::string title;  ///< printed centered above the table ("" = none)
  std::vector<std::string> headers;
  std::vector<align> aligns;                   ///< per column; missing entries are left-aligned
  std::vector<std::vector<std::string>> rows;  ///< each row has headers.size() cells (NULL = "")
  std::vector<std::string> footers;            ///< lines printed after the rows, instead of the row count
  bool row_count_footer = true;                ///< "(N rows)" when `footers` is empty
};

/// Display width of UTF-8 text: the number of code points (continuation bytes are not counted).
size_t display_width(std::string_view s);

/// "(1 row)" / "(N rows)".
std::string row_count_text(size_t rows);

/// psql's aligned format (\pset format aligned, border 1), ending with a blank line.
std::string format_aligned(const table& t);

/// psql's expanded format (\x): one "-[ RECORD n ]" block per row, ending with a blank line.
std::string format_expanded(const table& t);

}  // namespace db001::shell
