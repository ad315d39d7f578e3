#pragma once
/// Row writes shared by the INSERT, UPDATE and DELETE operators: constraint checks
/// (NOT NULL, unique), writing a row version into a table slot, publishing it under the
/// transaction's marker, index maintenance, and the write-set bookkeeping.
#include <memory>

#include "exec/batch.h"
#include "exec/context.h"
#include "storage/table.h"

namespace db001::exec {

/// The cells of one new row, in table column order, already of the column types.
class row_cells {
 public:
  virtual ~row_cells() = default;
  virtual bool is_null(size_t col) const = 0;
  /// Writes the (non-NULL) cell of column col into slot rid of t.
  virtual void store(storage::table& t, storage::row_id rid, size_t col) const = 0;
};

/// Writes `cells` as a new version in tbl, visible to the transaction's later commands.
/// Checks NOT NULL and unique indexes (23502 / 23505). Returns the new row id.
storage::row_id insert_row(exec_ctx& ctx, const std::shared_ptr<storage::table>& tbl, const row_cells& cells);

/// insert_row for row r of `cols` (one vector per table column).
storage::row_id insert_version(exec_ctx& ctx, const std::shared_ptr<storage::table>& tbl,
                               const std::vector<vector>& cols, uint32_t r);

/// Stores boxed non-NULL x (already of the column's type) into slot rid, column col of t.
void store_value(storage::table& t, storage::row_id rid, size_t col, const value& x);

/// A one-row batch holding every column of version rid (in table order) plus the row id
/// as the last column (BIGINT): the layout UPDATE/DELETE plans evaluate against.
batch version_batch(const storage::table& tbl, storage::row_id rid);

}  // namespace db001::exec
