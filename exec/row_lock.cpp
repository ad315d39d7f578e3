#include "exec/row_lock.h"

#include "exec/dml.h"
#include "exec/evaluate.h"
#include "storage/error.h"

namespace db001::exec {

std::optional<storage::row_id> lock_row(exec_ctx& ctx, storage::table& tbl, storage::row_id rid, const expr* recheck) {
  for (;;) {
    auto& blk = tbl.block_of(rid);
    uint32_t slot = storage::rid_slot(rid);
    switch (ctx.tm->lock_version(*ctx.txn, blk, slot)) {
      case txn::lock_outcome::locked: return rid;
      case txn::lock_outcome::already_ours: return std::nullopt;
      case txn::lock_outcome::updated: break;
    }
    if (ctx.txn->level != txn::isolation::read_committed)
      throw db_error(sqlstate::serialization_failure, "could not serialize access due to concurrent update");
    // READ COMMITTED: the newest version, if the row still exists.
    storage::row_id next = blk.next_version(slot);
    if (next == storage::no_version) return std::nullopt;  // deleted
    rid = next;
    if (recheck) {
      batch b = version_batch(tbl, rid);
      uint32_t sel;
      if (evaluate_filter(*recheck, b, ctx, &sel) == 0) return std::nullopt;
    }
  }
}

}  // namespace db001::exec
