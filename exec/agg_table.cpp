#include "exec/agg_table.h"

#include <algorithm>
#include <cstring>

#include "exec/evaluate.h"
#include "exec/numeric_kernels.h"
#include "exec/value_ops.h"
#include "storage/cast.h"
#include "storage/error.h"
#include "storage/index.h"

namespace db001::exec {

namespace {

/// Appends the normalized key of v's row to key.
void encode_row(std::string& key, const vector& v, uint32_t row) {
  storage::index::encode(key, v.type, v.data + size_t(row) * phys_size(v.type.physical()), v.is_null(row));
}

int128_t load_int(const vector& v, uint32_t r) {
  switch (v.type.physical()) {
    case phys::u8: return v.as<uint8_t>()[r];
    case phys::i16: return v.as<int16_t>()[r];
    case phys::i32: return v.as<int32_t>()[r];
    case phys::i64: return v.as<int64_t>()[r];
    case phys::i128: return v.as<int128_t>()[r];
    default: return 0;
  }
}

}  // namespace

agg_table::agg_table(const aggregate_node& p) : p_(p) {
  std::vector<int> cols;
  bool subquery = false;
  auto note = [&](const expr& e) {
    if (e.kind == expr_kind::column) cols.push_back(e.index);
    subquery = subquery || e.kind == expr_kind::subquery;
  };
  for (auto& g : p_.groups) expr_walk(*g, note);
  for (auto& a : p_.aggs) {
    if (a.arg) expr_walk(*a.arg, note);
    if (a.separator) expr_walk(*a.separator, note);
  }
  std::sort(cols.begin(), cols.end());
  cols.erase(std::unique(cols.begin(), cols.end()), cols.end());
  if (!subquery && !cols.empty()) compact_columns_ = std::move(cols);
  if (p_.groups.empty()) {
    // No GROUP BY: exactly one group, present even for empty input.
    keys_.emplace_back();
    index_.emplace("", 0);
    group_values_.emplace_back();
    states_.resize(p_.aggs.size());
  }
}

bool agg_table::pack_keys(const std::vector<vector>& gv, uint32_t n, std::vector<uint64_t>& out) const {
  // Each column takes a NULL bit plus its value bits; strings up to 3 bytes take 2 length
  // bits + 24 data bits. The packing is injective per column layout, so equal packed keys
  // are equal group keys.
  unsigned bits = 0;
  for (auto& v : gv) {
    switch (v.type.physical()) {
      case phys::u8: bits += 9; break;
      case phys::i16: bits += 17; break;
      case phys::i32: bits += 33; break;
      case phys::str: {
        const string_t* s = v.as<string_t>();
        for (uint32_t i = 0; i < n; ++i)
          if (s[i].size() > 3) return false;
        bits += 27;
        break;
      }
      default: return false;
    }
  }
  if (bits > 64) return false;
  out.assign(n, 0);
  for (auto& v : gv) {
    visit_phys(v.type.physical(), [&](auto tag) {
      using T = decltype(tag);
      const T* x = v.as<T>();
      for (uint32_t i = 0; i < n; ++i) {
        uint64_t cell;
        unsigned w;
        if constexpr (std::is_same_v<T, string_t>) {
          // Up to 3 bytes: inline, starting at the prefix (a fixed 4-byte load, then masked).
          uint32_t b = 0, len = x[i].size();
          std::memcpy(&b, x[i].prefix, 4);
          b &= (uint32_t(1) << (8 * len)) - 1;
          cell = (uint64_t(len) << 24) | b;
          w = 26;
        } else if constexpr (std::is_integral_v<T> && sizeof(T) <= 4) {
          cell = uint64_t(std::make_unsigned_t<T>(x[i]));
          w = sizeof(T) * 8;
        } else {
          cell = 0;
          w = 0;
        }
        bool null = v.is_null(i);
        out[i] = (out[i] << (w + 1)) | (null ? 1 : (cell << 1));
      }
    });
  }
  return true;
}

uint32_t agg_table::group_of(const std::string& key, const std::vector<vector>& gv, uint32_t row) {
  // Few groups (typical of analytics: flags, statuses): a linear scan beats hashing.
  if (keys_.size() <= 16) {
    for (size_t g = 0; g < keys_.size(); ++g)
      if (keys_[g] == key) return uint32_t(g);
  }
  auto [it, fresh] = index_.try_emplace(key, uint32_t(group_values_.size()));
  if (fresh) {
    keys_.push_back(key);
    std::vector<value> vals;
    vals.reserve(gv.size());
    for (auto& v : gv) vals.push_back(get_value(v, row));
    group_values_.push_back(std::move(vals));
    states_.resize(states_.size() + p_.aggs.size());
  }
  return it->second;
}

void agg_table::update(state& s, const agg_spec& a, const vector& v, uint32_t r, const vector* sep) {
  if (a.fn == agg_fn::count_star) {
    ++s.count;
    return;
  }
  if (v.is_null(r)) return;
  if (a.distinct) {
    std::string k;
    encode_row(k, v, r);
    if (!s.seen) s.seen = std::make_unique<std::unordered_set<std::string>>();
    if (!s.seen->insert(std::move(k)).second) return;
  }
  const sql_type& t = v.type;
  switch (a.fn) {
    case agg_fn::count: ++s.count; break;
    case agg_fn::sum:
    case agg_fn::avg:
      ++s.count;
      if (t.is_float()) {
        s.fsum += t.physical() == phys::f32 ? double(v.as<float>()[r]) : v.as<double>()[r];
      } else {
        int128_t x = load_int(v, r);
        if (__builtin_add_overflow(s.isum, x, &s.isum)) numeric_overflow();
      }
      break;
    case agg_fn::min:
    case agg_fn::max: {
      value x = get_value(v, r);
      if (s.count == 0) {
        s.best = std::move(x);
      } else {
        int c = compare_values(x, s.best);
        if (a.fn == agg_fn::min ? c < 0 : c > 0) s.best = std::move(x);
      }
      ++s.count;
      break;
    }
    case agg_fn::bool_and:
    case agg_fn::bool_or: {
      bool b = v.as<uint8_t>()[r] != 0;
      s.flag = s.count == 0 ? b : (a.fn == agg_fn::bool_and ? (s.flag && b) : (s.flag || b));
      ++s.count;
      break;
    }
    case agg_fn::string_agg:
      if (s.count > 0 && sep && !sep->is_null(r)) s.text.append(sep->as<string_t>()[r].view());
      s.text.append(v.as<string_t>()[r].view());
      ++s.count;
      break;
    case agg_fn::count_star: break;
  }
}

namespace {

/// Folds a non-DISTINCT count/sum/avg over rows 0..n of v into states[gid[i] * stride + a]
/// with one loop per physical type (no per-row dispatch). Returns false for other shapes.
template <class State>
bool fast_update(agg_fn fn, const vector& v, const uint32_t* gid, uint32_t n, State* states, size_t stride) {
  const uint8_t* nulls = v.nulls;
  if (fn == agg_fn::count) {
    for (uint32_t i = 0; i < n; ++i) states[gid[i] * stride].count += !(nulls && nulls[i]);
    return true;
  }
  if (fn != agg_fn::sum && fn != agg_fn::avg) return false;
  return visit_phys(v.type.physical(), [&](auto tag) -> bool {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, string_t> || std::is_same_v<T, uint8_t>) {
      return false;
    } else {
      const T* x = v.as<T>();
      for (uint32_t i = 0; i < n; ++i) {
        if (nulls && nulls[i]) continue;
        auto& s = states[gid[i] * stride];
        if constexpr (std::is_floating_point_v<T>) {
          s.fsum += double(x[i]);
        } else {
          if (__builtin_add_overflow(s.isum, int128_t(x[i]), &s.isum)) numeric_overflow();
        }
        ++s.count;
      }
      return true;
    }
  });
}

}  // namespace

void agg_table::consume(const batch& in, exec_ctx& ctx) {
  if (in.count == 0) return;
  if (!in.sel || compact_columns_.empty()) return consume_rows(in, ctx);
  // Q1 reads l_extendedprice in four aggregates: gather it once, not four times.
  batch dense;
  dense.size = dense.count = in.count;
  dense.cols.resize(in.cols.size());
  for (int c : compact_columns_) dense.cols[size_t(c)] = gather(in.cols[size_t(c)], in.sel, in.count);
  consume_rows(dense, ctx);
}

void agg_table::consume_rows(const batch& in, exec_ctx& ctx) {
  uint32_t n = in.count;
  std::vector<vector> gv;
  gv.reserve(p_.groups.size());
  for (auto& g : p_.groups) gv.push_back(evaluate(*g, in, ctx));
  std::vector<vector> av(p_.aggs.size()), sv(p_.aggs.size());
  for (size_t a = 0; a < p_.aggs.size(); ++a) {
    if (p_.aggs[a].arg) av[a] = evaluate(*p_.aggs[a].arg, in, ctx);
    if (p_.aggs[a].separator) sv[a] = evaluate(*p_.aggs[a].separator, in, ctx);
  }
  std::vector<uint32_t> gid(n, 0);
  if (!p_.groups.empty()) {
    std::vector<uint64_t> packed;
    std::string key;
    if (pack_keys(gv, n, packed)) {
      // Small keys packed into 64 bits: most rows find their group without building a key.
      for (uint32_t i = 0; i < n; ++i) {
        if (uint32_t g = packed_groups_.find(packed[i]); g != packed_key_map::none) {
          gid[i] = g;
          continue;
        }
        key.clear();
        for (auto& v : gv) encode_row(key, v, i);
        gid[i] = group_of(key, gv, i);
        packed_groups_.insert(packed[i], gid[i]);
      }
    } else {
      for (uint32_t i = 0; i < n; ++i) {
        key.clear();
        for (auto& v : gv) encode_row(key, v, i);
        gid[i] = group_of(key, gv, i);
      }
    }
  }
  size_t na = p_.aggs.size();
  for (size_t a = 0; a < na; ++a) {
    const agg_spec& spec = p_.aggs[a];
    const vector* sep = spec.separator ? &sv[a] : nullptr;
    if (p_.groups.empty() && spec.fn == agg_fn::count_star) {
      states_[a].count += n;
      continue;
    }
    if (spec.fn == agg_fn::count_star) {
      for (uint32_t i = 0; i < n; ++i) ++states_[size_t(gid[i]) * na + a].count;
      continue;
    }
    if (!spec.distinct && fast_update(spec.fn, av[a], gid.data(), n, states_.data() + a, na)) continue;
    for (uint32_t i = 0; i < n; ++i) update(states_[size_t(gid[i]) * na + a], spec, av[a], i, sep);
  }
}

void agg_table::combine(state& into, state& from, const agg_spec& a) {
  if (a.distinct && from.seen) {
    // DISTINCT aggregates are merged by replaying the other side's distinct keys is not
    // possible for values (only keys are kept); parallel plans never use DISTINCT.
    DB001_ASSERT(!"combine of DISTINCT aggregate");
  }
  if (from.count == 0) return;
  switch (a.fn) {
    case agg_fn::count_star:
    case agg_fn::count: into.count += from.count; return;
    case agg_fn::sum:
    case agg_fn::avg:
      into.fsum += from.fsum;
      if (__builtin_add_overflow(into.isum, from.isum, &into.isum)) numeric_overflow();
      into.count += from.count;
      return;
    case agg_fn::min:
    case agg_fn::max:
      if (into.count == 0 ||
          (a.fn == agg_fn::min ? compare_values(from.best, into.best) < 0 : compare_values(from.best, into.best) > 0))
        into.best = std::move(from.best);
      into.count += from.count;
      return;
    case agg_fn::bool_and:
    case agg_fn::bool_or:
      into.flag = into.count == 0 ? from.flag
                                  : (a.fn == agg_fn::bool_and ? (into.flag && from.flag) : (into.flag || from.flag));
      into.count += from.count;
      return;
    case agg_fn::string_agg: DB001_ASSERT(!"combine of string_agg"); return;
  }
}

void agg_table::merge(agg_table&& other) {
  size_t na = p_.aggs.size();
  for (size_t g = 0; g < other.keys_.size(); ++g) {
    auto [it, fresh] = index_.try_emplace(other.keys_[g], uint32_t(group_values_.size()));
    if (fresh) {
      keys_.push_back(other.keys_[g]);
      group_values_.push_back(std::move(other.group_values_[g]));
      states_.resize(states_.size() + na);
    }
    for (size_t a = 0; a < na; ++a) combine(states_[size_t(it->second) * na + a], other.states_[g * na + a], p_.aggs[a]);
  }
}

value agg_table::result(const state& s, const agg_spec& a) const {
  const sql_type& t = a.type;
  switch (a.fn) {
    case agg_fn::count_star:
    case agg_fn::count: return value::int64(s.count);
    default: break;
  }
  if (s.count == 0) return value::null(t);
  switch (a.fn) {
    case agg_fn::sum: {
      const sql_type& at = a.arg->type;
      if (t.is_float()) return value::make_float(t, s.fsum);
      if (t.is_numeric()) {
        int128_t v = rescale128(s.isum, at.is_numeric() ? at.scale : 0, t.scale);
        if (!numeric_fits(v)) numeric_overflow();
        return value::numeric(v, t);
      }
      if (s.isum > INT64_MAX || s.isum < INT64_MIN)
        throw db_error(sqlstate::numeric_value_out_of_range, "bigint out of range");
      return value::make_int(t, int64_t(s.isum));
    }
    case agg_fn::avg: {
      const sql_type& at = a.arg->type;
      if (t.is_float()) return value::make_float(t, (at.is_float() ? s.fsum : double(s.isum)) / double(s.count));
      int from = at.is_numeric() ? at.scale : 0;
      // sum / count at the result scale, rounded half away from zero.
      int128_t num = rescale128(s.isum, from, t.scale);
      int128_t q = num / s.count, rem = num % s.count;
      if (rem < 0) rem = -rem;
      if (rem * 2 >= s.count) q += num < 0 ? -1 : 1;
      return value::numeric(q, t);
    }
    case agg_fn::min:
    case agg_fn::max: return s.best;
    case agg_fn::bool_and:
    case agg_fn::bool_or: return value::boolean(s.flag);
    case agg_fn::string_agg: return value::text(s.text, t);
    default: return value::null(t);
  }
}

std::vector<batch> agg_table::finalize() {
  std::vector<batch> out;
  size_t groups = group_values_.size(), na = p_.aggs.size();
  for (size_t start = 0; start < groups; start += batch_rows) {
    uint32_t n = uint32_t(std::min<size_t>(batch_rows, groups - start));
    batch b;
    b.size = b.count = n;
    for (size_t c = 0; c < p_.groups.size(); ++c) {
      vector_writer w(p_.types[c], n);
      for (uint32_t i = 0; i < n; ++i) write_value(w, p_.types[c], i, group_values_[start + i][c]);
      b.cols.push_back(w.finish(true));
    }
    for (size_t a = 0; a < na; ++a) {
      const sql_type& t = p_.aggs[a].type;
      vector_writer w(t, n);
      for (uint32_t i = 0; i < n; ++i) {
        value v = result(states_[(start + i) * na + a], p_.aggs[a]);
        if (!v.is_null() && !(v.type() == t)) v = cast_value(v, t, cast_kind::explicit_);
        write_value(w, t, i, v);
      }
      b.cols.push_back(w.finish(true));
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace db001::exec
