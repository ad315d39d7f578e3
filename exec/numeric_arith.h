#pragma once
/// Vectorized NUMERIC arithmetic (+ - * / %) for the executor: PostgreSQL's exact rules
/// (storage/numeric.h), with loops free of per-row checks when the batch's largest
/// magnitudes prove that no result can overflow (TPC-H Q1's l_extendedprice * (1 -
/// l_discount) * (1 + l_tax): every value fits 64 bits).
#include <cstdint>

#include "exec/batch.h"
#include "exec/expr.h"

namespace db001::exec {

/// Element i of a NUMERIC vector (int64 or int128 cells) as int128.
inline int128_t load_numeric(const vector& v, uint32_t i) {
  return v.type.physical() == phys::i64 ? int128_t(v.as<int64_t>()[i]) : v.as<int128_t>()[i];
}

/// One side of a NUMERIC operation: a vector's cells, or one constant for every row.
struct numeric_operand {
  const vector* v = nullptr;  ///< nullptr: `constant`
  int128_t constant = 0;      ///< unscaled, at `scale`
  int scale = 0;
  int128_t at(uint32_t i) const { return v ? load_numeric(*v, i) : constant; }
};

/// r[i] = a op b at scale `rscale` for rows 0..n. Rows whose nulls[i] is set (nulls may be
/// nullptr) get an unspecified value; their cells must hold zeros or valid numerics.
/// Throws 22003 when a result exceeds NUMERIC's range, 22012 on division by zero.
void numeric_arith(op_kind op, const numeric_operand& a, const numeric_operand& b, int128_t* r,
                   const uint8_t* nulls, uint32_t n, int rscale);

}  // namespace db001::exec
