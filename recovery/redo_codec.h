#pragma once
/// The content of a commit record (logical redo by row id). The WAL layer (recovery/wal_*)
/// frames and checksums it; this file says what the payload means.
///
/// Payload (little endian):
///   u64 commit ts | u64 commit wall-clock time (unix microseconds)   <- 16-byte prefix, written
///                                                                      as 0 by encode_commit and
///                                                                      patched at commit
///   u8 format (1) | u8 flags (bit 0: a catalog image follows)
///   [u32 length | catalog image]                                    (recovery/catalog_image.h)
///   changes, in write-set order:
///     u8 'I' | u32 table oid | u64 row id | u32 length | row   (insert)
///     u8 'D' | u32 table oid | u64 row id                      (delete)
///   u8 'E' | u32 number of changes                             (end: detects truncation)
///   row: ceil(columns / 8) bytes NULL bitmap (bit set = NULL), then each non-NULL column in
///        order: fixed types as their physical bytes (1, 2, 4, 8 or 16), strings as u32 length
///        + bytes.
/// An UPDATE is a delete of the old version and an insert of the new one, as stored.
#include <cstdint>
#include <string>
#include <string_view>

#include "recovery/catalog_image.h"
#include "storage/catalog.h"
#include "txn/transaction.h"

namespace db001::recovery {

inline constexpr size_t commit_prefix_size = 16;
inline constexpr uint8_t commit_format = 1;
inline constexpr uint8_t commit_flag_catalog = 1;
inline constexpr char change_insert = 'I';
inline constexpr char change_delete = 'D';
inline constexpr char change_end = 'E';

/// Appends the commit-record payload of t: the prefix (zeros), the catalog image if t did DDL,
/// and t's changes. Reads the inserted rows' values from the row blocks.
/// REQUIRES: t has not been committed or aborted yet (its rows are still there), its owner
/// calls this (the write set is not thread-safe).
void encode_commit(std::string& out, const txn::transaction& t, const storage::catalog& cat);
/// Writes the commit ts and wall-clock time into the first 16 bytes of a payload.
void patch_commit_prefix(char* payload, uint64_t commit_ts, uint64_t unix_micros);

struct commit_header {
  uint64_t commit_ts = 0, unix_micros = 0;
};
/// The prefix of a payload; throws recovery_error if it is shorter than 18 bytes or of an
/// unknown format.
commit_header peek_commit(std::string_view payload);

/// Appends one row's values in the row format above (used by encode_commit; exposed for tests
/// and benchmarks).
void encode_row(std::string& out, const storage::table& tbl, storage::row_id rid);

}  // namespace db001::recovery
