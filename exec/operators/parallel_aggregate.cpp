/// parallel_aggregate: a hash aggregate whose input pipeline (filter/project over a
/// seq_scan) runs as a oneTBB flow graph: an input_node hands out morsels of row blocks,
/// a function_node (one task per morsel, up to parallel_workers at once) runs the pipeline
/// and folds its batches into a thread-local agg_table (sink); after wait_for_all() the
/// local tables are combined and finalized once.
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/task_arena.h>

#include <atomic>
#include <exception>
#include <mutex>

#include "exec/agg_table.h"
#include "exec/operators/operators.h"
#include "exec/parallel.h"
#include "storage/error.h"

namespace db001::exec {

namespace {

const seq_scan_node* scan_of(const plan_node& p) {
  const plan_node* cur = &p;
  while (cur->kind == plan_kind::filter || cur->kind == plan_kind::project) cur = cur->children[0].get();
  return cur->kind == plan_kind::seq_scan ? static_cast<const seq_scan_node*>(cur) : nullptr;
}

bool has_subquery(const expr_ptr& e) {
  bool found = false;
  if (e) expr_walk(*e, [&](const expr& x) { found |= x.kind == expr_kind::subquery; });
  return found;
}

bool chain_has_subquery(const plan_node& p) {
  const plan_node* cur = &p;
  for (;;) {
    if (cur->kind == plan_kind::filter && has_subquery(static_cast<const filter_node*>(cur)->predicate)) return true;
    if (cur->kind == plan_kind::project)
      for (auto& e : static_cast<const project_node*>(cur)->exprs)
        if (has_subquery(e)) return true;
    if (cur->kind == plan_kind::seq_scan) return has_subquery(static_cast<const seq_scan_node*>(cur)->filter);
    cur = cur->children[0].get();
  }
}

constexpr uint32_t morsel_blocks = 16;

class parallel_aggregate final : public physical_operator {
 public:
  parallel_aggregate(const aggregate_node& p, const seq_scan_node& scan) : p_(p), scan_(scan) {}

  bool next(exec_ctx& ctx, batch& out) override {
    if (!done_) run(ctx);
    if (pos_ >= results_.size()) return false;
    out = std::move(results_[pos_++]);
    return true;
  }

 private:
  void run(exec_ctx& ctx) {
    done_ = true;
    uint32_t blocks = scan_.tbl->block_count();
    uint32_t morsels = (blocks + morsel_blocks - 1) / morsel_blocks;
    std::atomic<uint32_t> next_morsel{0};
    struct local_state {
      std::unique_ptr<agg_table> table;
      exec_ctx ctx;
    };
    oneapi::tbb::enumerable_thread_specific<local_state> locals;
    std::mutex error_mutex;
    std::exception_ptr error;
    std::atomic<bool> failed{false};

    oneapi::tbb::task_arena arena(std::max(1, ctx.settings.parallel_workers));
    arena.execute([&] {
      oneapi::tbb::flow::graph g;
      oneapi::tbb::flow::input_node<uint32_t> source(g, [&](oneapi::tbb::flow_control& fc) -> uint32_t {
        uint32_t m = next_morsel.fetch_add(1);
        if (m >= morsels || failed.load()) {
          fc.stop();
          return 0;
        }
        return m;
      });
      oneapi::tbb::flow::function_node<uint32_t> worker(
          g, oneapi::tbb::flow::unlimited, [&](uint32_t m) {
            if (failed.load()) return;
            try {
              auto& local = locals.local();
              if (!local.table) {
                local.table = std::make_unique<agg_table>(p_);
                local.ctx.tm = ctx.tm;
                local.ctx.txn = ctx.txn;
                local.ctx.snap = ctx.snap;
                local.ctx.cat = ctx.cat;
                local.ctx.params = ctx.params;
                local.ctx.settings = ctx.settings;
                local.ctx.cancel = ctx.cancel;
              }
              uint32_t begin = m * morsel_blocks;
              auto pipeline = make_morsel_pipeline(*p_.children[0], local.ctx, begin, begin + morsel_blocks);
              batch b;
              while (pipeline->next(local.ctx, b)) local.table->consume(b, local.ctx);
            } catch (...) {
              std::lock_guard lock(error_mutex);
              if (!error) error = std::current_exception();
              failed.store(true);
            }
          });
      oneapi::tbb::flow::make_edge(source, worker);
      source.activate();
      g.wait_for_all();
    });
    if (error) std::rethrow_exception(error);
    agg_table total(p_);
    for (auto& local : locals)
      if (local.table) total.merge(std::move(*local.table));
    results_ = total.finalize();
  }

  const aggregate_node& p_;
  const seq_scan_node& scan_;
  bool done_ = false;
  std::vector<batch> results_;
  size_t pos_ = 0;
};

}  // namespace

bool parallel_eligible(const aggregate_node& agg, const exec_ctx& ctx) {
  if (ctx.settings.parallel_workers <= 1) return false;
  const seq_scan_node* scan = scan_of(*agg.children[0]);
  if (!scan) return false;
  if (size_t(scan->tbl->block_count()) * storage::block_rows < ctx.settings.parallel_threshold_rows) return false;
  for (auto& a : agg.aggs)
    if (a.distinct || a.fn == agg_fn::string_agg || has_subquery(a.arg)) return false;
  for (auto& g : agg.groups)
    if (has_subquery(g)) return false;
  return !chain_has_subquery(*agg.children[0]);
}

operator_ptr make_morsel_pipeline(const plan_node& plan, exec_ctx& ctx, uint32_t begin, uint32_t end) {
  switch (plan.kind) {
    case plan_kind::seq_scan: return make_seq_scan(static_cast<const seq_scan_node&>(plan), ctx, begin, end);
    case plan_kind::filter:
      return make_filter(static_cast<const filter_node&>(plan), make_morsel_pipeline(*plan.children[0], ctx, begin, end));
    case plan_kind::project:
      return make_project(static_cast<const project_node&>(plan),
                          make_morsel_pipeline(*plan.children[0], ctx, begin, end));
    default: throw db_error(sqlstate::internal_error, "not a morsel pipeline");
  }
}

operator_ptr make_parallel_aggregate(const aggregate_node& p, exec_ctx& ctx) {
  return std::make_unique<parallel_aggregate>(p, *scan_of(*p.children[0]));
}

}  // namespace db001::exec
