/// function_scan: the rows of a set-returning function in FROM. Consumes nothing; produces
/// generate_series' integers (int4 or int8 as planned) or unnest's text elements, a batch
/// at a time. Arguments are evaluated on the first call.
#include "exec/evaluate.h"
#include "exec/functions.h"
#include "exec/operators/operators.h"
#include "storage/error.h"

namespace db001::exec {

namespace {

class function_scan_op final : public physical_operator {
 public:
  explicit function_scan_op(const function_scan_node& p) : p_(p) {}

  bool next(exec_ctx& ctx, batch& out) override {
    if (!started_) start(ctx);
    if (done_) return false;
    ctx.check_cancel();
    const sql_type t = p_.types[0];
    vector_writer w(t, batch_rows);
    uint32_t n = 0;
    if (p_.fn == "unnest") {
      for (; n < batch_rows && pos_ < elems_.size(); ++n, ++pos_) {
        if (!elems_[pos_])
          w.set_null(n);
        else
          write_value(w, t, n, value::text(*elems_[pos_]));
      }
      done_ = pos_ >= elems_.size();
    } else {
      for (; n < batch_rows; ++n) {
        if ((step_ > 0 && cur_ > stop_) || (step_ < 0 && cur_ < stop_)) {
          done_ = true;
          break;
        }
        write_value(w, t, n, t.id == type_id::int64 ? value::int64(cur_) : value::int32(int32_t(cur_)));
        if (__builtin_add_overflow(cur_, step_, &cur_)) {
          ++n;
          done_ = true;
          break;
        }
      }
    }
    if (n == 0) return false;
    out.reset();
    out.size = out.count = n;
    out.cols.push_back(w.finish(true));
    return true;
  }

 private:
  void start(exec_ctx& ctx) {
    started_ = true;
    batch one;
    one.size = one.count = 1;
    std::vector<value> args;
    for (auto& a : p_.args) args.push_back(get_value(evaluate(*a, one, ctx), 0));
    for (auto& a : args)
      if (a.is_null()) done_ = true;  // strict: NULL arguments give no rows
    if (done_) return;
    if (p_.fn == "unnest") {
      elems_ = parse_text_array(args[0].as_string());
      return;
    }
    cur_ = args[0].as_int();
    stop_ = args[1].as_int();
    step_ = args.size() > 2 ? args[2].as_int() : 1;
    if (step_ == 0) throw db_error(sqlstate::invalid_parameter_value, "step size cannot equal zero");
  }

  const function_scan_node& p_;
  bool started_ = false, done_ = false;
  int64_t cur_ = 0, stop_ = 0, step_ = 1;
  std::vector<std::optional<std::string>> elems_;
  size_t pos_ = 0;
};

}  // namespace

operator_ptr make_function_scan(const function_scan_node& p, exec_ctx&) {
  return std::make_unique<function_scan_op>(p);
}

}  // namespace db001::exec
