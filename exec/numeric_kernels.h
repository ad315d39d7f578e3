#pragma once
/// Inline entry points the vectorized NUMERIC kernels use, over the scalar library in
/// storage/numeric.h: the common case (equal scales) stays inline in the loops.
#include "storage/numeric.h"

namespace db001::exec {

inline int128_t pow10_128(int n) { return numeric_pow10(n); }
[[noreturn]] inline void numeric_overflow() { throw_numeric_overflow(); }
/// v at scale `from` brought to scale `to` (rounding half away from zero when reducing,
/// 22003 when the result exceeds 38 digits).
inline int128_t rescale128(int128_t v, int from, int to) { return from == to ? v : numeric_rescale(v, from, to); }
inline bool numeric_fits(int128_t v) { return numeric_in_range(v); }

}  // namespace db001::exec
