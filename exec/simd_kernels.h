#pragma once
/// SIMD (xsimd) batch kernels of the executor: MVCC visibility of a row block, comparison
/// of a column with a constant narrowing a selection, and sums. Each kernel computes a lane
/// mask, skips lanes groups whose mask is zero, writes matches into output sized in
/// advance, and finishes the tail in scalar code. Declared here without xsimd types so the
/// header stays light; implemented in simd_kernels.cpp.
#include <cstdint>

#include "exec/expr.h"

namespace db001::exec::simd {

/// Rows [0, n) of a block whose stamps make them visible at read_ts without looking up any
/// transaction: 2 <= xmin <= read_ts < xmax < 2^63 (stamps read as signed: markers are
/// negative). `stamps` holds (xmin, xmax) pairs slot by slot (row_block::stamp_pairs).
/// Writes their slot numbers to `sel` (ascending) and returns the count; slots carrying a
/// transaction marker in xmin or xmax go to `slow` (count in *n_slow) for the full check.
uint32_t visible_rows(const uint64_t* stamps, uint32_t n, uint64_t read_ts, uint32_t* sel, uint32_t* slow,
                      uint32_t* n_slow);

/// Whether every slot of [0, n) has xmax == ts_infinity (no row deleted or being deleted).
bool none_deleted(const uint64_t* stamps, uint32_t n);

/// Narrows a selection: keeps rows r of sel[0..n) (or 0..n when sel is null) where
/// data[r] op constant holds and the row is not NULL (nulls may be null). Returns the count
/// written to out (out may equal sel).
template <class T>
uint32_t filter_compare(const T* data, const uint8_t* nulls, op_kind op, T constant, const uint32_t* sel, uint32_t n,
                        uint32_t* out);

/// mask[i] &= (data[i] op constant) for i in [0, n) (a dense column; NULL rows are masked by
/// the caller).
template <class T>
void compare_mask(const T* data, op_kind op, T constant, uint32_t n, uint8_t* mask);

/// Writes the rows i of [0, n) with mask[i] == 1 (a 0/1 byte mask) to out, ascending; returns the count.
uint32_t mask_to_sel(const uint8_t* mask, uint32_t n, uint32_t* out);

/// Sum of data[r] over sel[0..n) (or 0..n), skipping NULL rows; returns the count of summed rows.
int64_t sum_i64(const int64_t* data, const uint8_t* nulls, const uint32_t* sel, uint32_t n, __int128* sum);
double sum_f64(const double* data, const uint8_t* nulls, const uint32_t* sel, uint32_t n, int64_t* count);

}  // namespace db001::exec::simd
