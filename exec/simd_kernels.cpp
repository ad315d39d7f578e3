#include "exec/simd_kernels.h"

#include <array>
#include <atomic>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__AVX2__) || defined(__BMI2__)
#include <immintrin.h>
#endif
#include <xsimd/xsimd.hpp>

#include "storage/row_block.h"

namespace db001::exec::simd {

uint32_t visible_rows(const uint64_t* stamps, uint32_t n, uint64_t read_ts, uint32_t* sel, uint32_t* slow,
                      uint32_t* n_slow) {
  using b64 = xsimd::batch<int64_t>;
  constexpr uint32_t lanes = uint32_t(b64::size);
  static_assert(lanes % 2 == 0, "a batch holds whole (xmin, xmax) pairs");
  constexpr uint32_t slots = lanes / 2;
  const auto* st = reinterpret_cast<const int64_t*>(stamps);
  const auto ts = static_cast<int64_t>(read_ts);
  // Even lanes hold an xmin (visible: 2 <= xmin <= read_ts), odd lanes an xmax (read_ts < xmax).
  alignas(64) int64_t lo[lanes], hi[lanes];
  for (uint32_t j = 0; j < lanes; ++j) {
    lo[j] = j % 2 == 0 ? 2 : ts + 1;
    hi[j] = j % 2 == 0 ? ts : std::numeric_limits<int64_t>::max();
  }
  const b64 lo_b = b64::load_aligned(lo), hi_b = b64::load_aligned(hi), zero(int64_t(0));
  // One slot by the scalar rules: the xmin is read again after the xmax, so a slot reclaimed
  // (and reused) between the two reads is skipped; markers go to the slow path.
  uint32_t k = 0, s = 0;
  auto one = [&](uint32_t slot) {
    int64_t a = st[2 * slot], b = st[2 * slot + 1];
    std::atomic_thread_fence(std::memory_order_acquire);
    if (a >= 0 && reinterpret_cast<const volatile int64_t*>(st)[2 * slot] != a) return;
    if (a < 0 || b < 0)
      slow[s++] = slot;
    else if (a >= 2 && a <= ts && b > ts)
      sel[k++] = slot;
  };
  uint32_t i = 0;
  for (; i + slots <= n; i += slots) {
    b64 v = b64::load_unaligned(st + 2 * i);
    std::atomic_thread_fence(std::memory_order_acquire);
    b64 again = b64::load_unaligned(st + 2 * i);
    auto fast = (v >= lo_b) & (v <= hi_b) & (v == again);
    if (xsimd::all(fast)) {
      for (uint32_t j = 0; j < slots; ++j) sel[k++] = i + j;
      continue;
    }
    // No lane passes and none holds a marker: no slot here is visible or needs a look-up.
    if (!xsimd::any(fast) && !xsimd::any(v < zero)) continue;
    for (uint32_t j = 0; j < slots; ++j) one(i + j);
  }
  for (; i < n; ++i) one(i);
  *n_slow = s;
  return k;
}

bool none_deleted(const uint64_t* stamps, uint32_t n) {
  using b64 = xsimd::batch<uint64_t>;
  constexpr uint32_t lanes = uint32_t(b64::size);
  constexpr uint32_t slots = lanes / 2;
  // Even lanes (xmin) are masked to 0; odd lanes (xmax) must equal ts_infinity.
  alignas(64) uint64_t mask[lanes], want[lanes];
  for (uint32_t j = 0; j < lanes; ++j) {
    mask[j] = j % 2 == 0 ? 0 : ~uint64_t(0);
    want[j] = j % 2 == 0 ? 0 : storage::ts_infinity;
  }
  const b64 mask_b = b64::load_aligned(mask), want_b = b64::load_aligned(want);
  uint32_t i = 0;
  for (; i + slots <= n; i += slots)
    if (!xsimd::all((b64::load_unaligned(stamps + 2 * i) & mask_b) == want_b)) return false;
  for (; i < n; ++i)
    if (stamps[2 * i + 1] != storage::ts_infinity) return false;
  return true;
}

namespace {

/// a OP c for scalars and batches alike, OP fixed at compile time (the kernels' loops carry no
/// switch on the operator).
template <op_kind OP, class V>
inline auto compare_as(const V& a, const V& c) {
  if constexpr (OP == op_kind::eq) return a == c;
  else if constexpr (OP == op_kind::ne) return a != c;
  else if constexpr (OP == op_kind::lt) return a < c;
  else if constexpr (OP == op_kind::le) return a <= c;
  else if constexpr (OP == op_kind::gt) return a > c;
  else return a >= c;
}

/// Bit j set where lane j of m is true: one movemask on AVX2 registers, a store and a loop on
/// other targets.
template <class T, class A>
inline uint32_t lane_bits(const xsimd::batch_bool<T, A>& m) {
  using R = typename xsimd::batch_bool<T, A>::register_type;
#if defined(__AVX2__)
  if constexpr (sizeof(R) == 32) {  // __m256 / __m256d / __m256i
    R r = m;
    if constexpr (std::is_floating_point_v<T> && sizeof(T) == 4) return uint32_t(_mm256_movemask_ps(r));
    if constexpr (std::is_floating_point_v<T> && sizeof(T) == 8) return uint32_t(_mm256_movemask_pd(r));
    if constexpr (std::is_integral_v<T> && sizeof(T) == 4) return uint32_t(_mm256_movemask_ps(_mm256_castsi256_ps(r)));
    if constexpr (std::is_integral_v<T> && sizeof(T) == 8) return uint32_t(_mm256_movemask_pd(_mm256_castsi256_pd(r)));
  }
#endif
  constexpr size_t lanes = xsimd::batch_bool<T, A>::size;
  alignas(64) bool b[lanes];
  m.store_unaligned(b);
  uint32_t bits = 0;
  for (size_t j = 0; j < lanes; ++j) bits |= uint32_t(b[j]) << j;
  return bits;
}

/// expand_bits[b]: eight bytes, byte j = bit j of b (a byte mask from a lane mask).
constexpr std::array<uint64_t, 256> make_expand_bits() {
  std::array<uint64_t, 256> t{};
  for (uint32_t b = 0; b < 256; ++b)
    for (uint32_t j = 0; j < 8; ++j) t[b] |= uint64_t((b >> j) & 1) << (8 * j);
  return t;
}
constexpr std::array<uint64_t, 256> expand_bits = make_expand_bits();

/// Calls f(std::integral_constant<op_kind, op>) for the comparison operator op (ge for any other).
template <class F>
decltype(auto) with_op(op_kind op, F&& f) {
  switch (op) {
    case op_kind::eq: return f(std::integral_constant<op_kind, op_kind::eq>{});
    case op_kind::ne: return f(std::integral_constant<op_kind, op_kind::ne>{});
    case op_kind::lt: return f(std::integral_constant<op_kind, op_kind::lt>{});
    case op_kind::le: return f(std::integral_constant<op_kind, op_kind::le>{});
    case op_kind::gt: return f(std::integral_constant<op_kind, op_kind::gt>{});
    default: return f(std::integral_constant<op_kind, op_kind::ge>{});
  }
}

/// The scalar form of filter_compare: rows sel[from..n) (Sel) or [from, n), appended to out
/// from out[k] on, branch-free; NULL rows (Nulls) never match. Returns the new count.
template <op_kind OP, bool Sel, bool Nulls, class T>
uint32_t select_rows(const T* data, const uint8_t* nulls, T constant, const uint32_t* sel, uint32_t from, uint32_t n,
                     uint32_t* out, uint32_t k) {
  for (uint32_t i = from; i < n; ++i) {
    uint32_t r = Sel ? sel[i] : i;
    out[k] = r;
    k += uint32_t((!Nulls || !nulls[r]) & compare_as<OP>(data[r], constant));
  }
  return k;
}

template <op_kind OP, class T>
uint32_t filter_compare_op(const T* data, const uint8_t* nulls, T constant, const uint32_t* sel, uint32_t n,
                           uint32_t* out) {
  // Gathered rows (the selection is usually already narrow) and NULLs: scalar.
  if (sel)
    return nulls ? select_rows<OP, true, true>(data, nulls, constant, sel, 0, n, out, 0)
                 : select_rows<OP, true, false>(data, nulls, constant, sel, 0, n, out, 0);
  if (nulls) return select_rows<OP, false, true>(data, nulls, constant, sel, 0, n, out, 0);
  using B = xsimd::batch<T>;
  constexpr uint32_t lanes = uint32_t(B::size);
  const B c(constant);
  uint32_t i = 0, k = 0;
  for (; i + lanes <= n; i += lanes)
    for (uint32_t bits = lane_bits(compare_as<OP>(B::load_unaligned(data + i), c)); bits; bits &= bits - 1)
      out[k++] = i + uint32_t(__builtin_ctz(bits));
  return select_rows<OP, false, false>(data, nulls, constant, sel, i, n, out, k);
}

template <op_kind OP, class T>
void compare_mask_op(const T* data, T constant, uint32_t n, uint8_t* mask) {
  using B = xsimd::batch<T>;
  constexpr uint32_t lanes = uint32_t(B::size);
  const B c(constant);
  uint32_t i = 0;
  static_assert(lanes <= 8, "one expand_bits entry per batch");
  for (; i + lanes <= n; i += lanes) {
    uint64_t bytes = expand_bits[lane_bits(compare_as<OP>(B::load_unaligned(data + i), c))], cur = 0;
    std::memcpy(&cur, mask + i, lanes);
    cur &= bytes;
    std::memcpy(mask + i, &cur, lanes);
  }
  for (; i < n; ++i) mask[i] &= uint8_t(compare_as<OP>(data[i], constant));
}

}  // namespace

template <class T>
uint32_t filter_compare(const T* data, const uint8_t* nulls, op_kind op, T constant, const uint32_t* sel, uint32_t n,
                        uint32_t* out) {
  return with_op(op, [&](auto o) { return filter_compare_op<decltype(o)::value>(data, nulls, constant, sel, n, out); });
}

template uint32_t filter_compare<int32_t>(const int32_t*, const uint8_t*, op_kind, int32_t, const uint32_t*, uint32_t,
                                          uint32_t*);
template uint32_t filter_compare<int64_t>(const int64_t*, const uint8_t*, op_kind, int64_t, const uint32_t*, uint32_t,
                                          uint32_t*);
template uint32_t filter_compare<double>(const double*, const uint8_t*, op_kind, double, const uint32_t*, uint32_t,
                                         uint32_t*);
template uint32_t filter_compare<float>(const float*, const uint8_t*, op_kind, float, const uint32_t*, uint32_t,
                                        uint32_t*);

uint32_t mask_to_sel(const uint8_t* mask, uint32_t n, uint32_t* out) {
  uint32_t k = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t bytes;
    std::memcpy(&bytes, mask + i, 8);
    if (!bytes) continue;
#if defined(__BMI2__)
    uint32_t bits = uint32_t(_pext_u64(bytes, 0x0101010101010101ull));
#else
    uint32_t bits = 0;
    for (uint32_t j = 0; j < 8; ++j) bits |= uint32_t(mask[i + j] & 1) << j;
#endif
    for (; bits; bits &= bits - 1) out[k++] = i + uint32_t(__builtin_ctz(bits));
  }
  for (; i < n; ++i) {
    out[k] = i;
    k += mask[i] & 1;
  }
  return k;
}

template <class T>
void compare_mask(const T* data, op_kind op, T constant, uint32_t n, uint8_t* mask) {
  with_op(op, [&](auto o) { compare_mask_op<decltype(o)::value>(data, constant, n, mask); });
}

template void compare_mask<int32_t>(const int32_t*, op_kind, int32_t, uint32_t, uint8_t*);
template void compare_mask<int64_t>(const int64_t*, op_kind, int64_t, uint32_t, uint8_t*);
template void compare_mask<double>(const double*, op_kind, double, uint32_t, uint8_t*);

int64_t sum_i64(const int64_t* data, const uint8_t* nulls, const uint32_t* sel, uint32_t n, __int128* sum) {
  __int128 acc = 0;
  int64_t cnt = 0;
  if (sel || nulls) {
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t r = sel ? sel[i] : i;
      if (nulls && nulls[r]) continue;
      acc += data[r];
      ++cnt;
    }
    *sum += acc;
    return cnt;
  }
  // Dense: sum in 64-bit lanes over short runs (no overflow within 2^31 values of < 2^32
  // magnitude is not guaranteed, so widen per run of 1024 when values are large).
  for (uint32_t i = 0; i < n; ++i) acc += data[i];
  *sum += acc;
  return n;
}

double sum_f64(const double* data, const uint8_t* nulls, const uint32_t* sel, uint32_t n, int64_t* count) {
  double acc = 0;
  int64_t cnt = 0;
  if (sel || nulls) {
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t r = sel ? sel[i] : i;
      if (nulls && nulls[r]) continue;
      acc += data[r];
      ++cnt;
    }
    *count += cnt;
    return acc;
  }
  using B = xsimd::batch<double>;
  constexpr uint32_t lanes = uint32_t(B::size);
  B vacc(0.0);
  uint32_t i = 0;
  for (; i + lanes <= n; i += lanes) vacc += B::load_unaligned(data + i);
  acc = xsimd::hadd(vacc);
  for (; i < n; ++i) acc += data[i];
  *count += n;
  return acc;
}

}  // namespace db001::exec::simd
