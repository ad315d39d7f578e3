#pragma once
/// The state of a hash aggregation: groups by their normalized key (storage::index::encode)
/// and per group the running state of every aggregate. A sink in the DuckDB sense:
/// consume() per input batch (thread-local instance), merge() instances of several
/// workers, finalize() once into output batches.
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "exec/batch.h"
#include "exec/context.h"
#include "exec/packed_key_map.h"
#include "exec/plan.h"

namespace db001::exec {

class agg_table {
 public:
  explicit agg_table(const aggregate_node& p);
  agg_table(agg_table&&) = default;

  /// Folds the selected rows of `in` (the aggregate's input) into the groups.
  void consume(const batch& in, exec_ctx& ctx);
  /// Folds another table (same plan) into this one.
  void merge(agg_table&& other);
  /// The output rows: group values then aggregate results, in batches.
  std::vector<batch> finalize();
  size_t group_count() const { return group_values_.size(); }

 private:
  struct state {
    int64_t count = 0;
    int128_t isum = 0;
    double fsum = 0;
    value best;
    bool flag = false;  ///< bool_and/bool_or accumulator
    std::string text;   ///< string_agg accumulator
    std::unique_ptr<std::unordered_set<std::string>> seen;  ///< DISTINCT keys
  };
  uint32_t group_of(const std::string& key, const std::vector<vector>& gv, uint32_t row);
  /// Packs the group keys of rows 0..n into 64-bit values when every key column is small.
  bool pack_keys(const std::vector<vector>& gv, uint32_t n, std::vector<uint64_t>& out) const;
  /// Folds the rows of `in` (no selection, or one the expressions read through).
  void consume_rows(const batch& in, exec_ctx& ctx);
  void update(state& s, const agg_spec& a, const vector& v, uint32_t row, const vector* sep);
  void combine(state& into, state& from, const agg_spec& a);
  value result(const state& s, const agg_spec& a) const;

  const aggregate_node& p_;
  /// Input columns the group and aggregate expressions read, when a selected batch may be
  /// compacted to them once (no subquery in the expressions) instead of every column
  /// reference gathering its rows again; empty otherwise.
  std::vector<int> compact_columns_;
  std::unordered_map<std::string, uint32_t> index_;
  packed_key_map packed_groups_;  ///< packed key -> group (a cache of index_)
  std::vector<std::string> keys_;
  std::vector<std::vector<value>> group_values_;
  std::vector<state> states_;  ///< group * aggs.size() + a
};

}  // namespace db001::exec
