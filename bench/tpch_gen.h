#pragma once
/// A deterministic TPC-H `lineitem` generator (no dbgen, no downloads), following the
/// column definitions and value distributions of TPC-H 3.0.1 clause 4.2.3:
///
///   orders: O_ORDERKEY sparse (dbgen's mk_sparse: 8 of every 32 keys used),
///           O_ORDERDATE uniform in [1992-01-01, 1998-12-31 - 151 days], 1..7 lines each
///   L_PARTKEY      uniform [1, SF*200000]
///   L_SUPPKEY      (p + i*(S/4 + (p-1)/S)) % S + 1, i uniform [0,3], S = SF*10000
///   L_LINENUMBER   1..lines of the order
///   L_QUANTITY     uniform [1, 50]
///   L_EXTENDEDPRICE L_QUANTITY * P_RETAILPRICE(partkey),
///                  P_RETAILPRICE = (90000 + ((p/10) mod 20001) + 100*(p mod 1000)) / 100
///   L_DISCOUNT     uniform [0.00, 0.10];  L_TAX uniform [0.00, 0.08]
///   L_SHIPDATE     O_ORDERDATE + [1, 121];  L_COMMITDATE O_ORDERDATE + [30, 90]
///   L_RECEIPTDATE  L_SHIPDATE + [1, 30]
///   L_RETURNFLAG   'R' or 'A' (uniform) if L_RECEIPTDATE <= 1995-06-17, else 'N'
///   L_LINESTATUS   'O' if L_SHIPDATE > 1995-06-17, else 'F'
///   L_SHIPINSTRUCT uniform over {DELIVER IN PERSON, COLLECT COD, NONE, TAKE BACK RETURN}
///   L_SHIPMODE     uniform over {REG AIR, AIR, RAIL, SHIP, TRUCK, MAIL, FOB}
///   L_COMMENT      a substring of length [10, 43] of a pseudo-text pool built from the
///                  spec's word lists (clause 4.2.2.10), as dbgen takes it from its text pool
///
/// The row count is fixed to dbgen's: 6,001,215 * SF rows (rounded; SF 1 = 6,001,215); orders
/// are generated until that many lines exist (the last order is cut short). Our random
/// stream is not dbgen's, so individual values differ from dbgen's tables, but the
/// distributions (and so Q1/Q6 selectivities: Q1 ~98.6 %, Q6 ~1.9 % of rows) match.
///
/// Not thread-safe; make one generator per thread. Two generators with the same scale
/// factor produce the same rows in the same order.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace db001::bench::tpch {

/// Days since 2000-01-01 (PostgreSQL's DATE epoch) of a civil date.
int32_t days_from_civil(int y, int m, int d);
/// "YYYY-MM-DD" of days since 2000-01-01.
std::string format_date(int32_t days);

extern const char* const ship_instructs[4];
extern const char* const ship_modes[7];

struct lineitem_row {
  int32_t orderkey, partkey, suppkey, linenumber;
  int64_t quantity, extendedprice, discount, tax;  ///< DECIMAL(15,2) as hundredths
  char returnflag, linestatus;
  int32_t shipdate, commitdate, receiptdate;  ///< days since 2000-01-01
  uint8_t shipinstruct, shipmode;              ///< indexes into ship_instructs / ship_modes
  std::string_view comment;                    ///< points into the generator's text pool
};

class lineitem_generator {
 public:
  explicit lineitem_generator(double sf);
  /// Total rows this generator produces.
  uint64_t total_rows() const { return total_; }
  /// Produces the next row; false when all rows were produced.
  bool next(lineitem_row& r);
  /// "YYYY-MM-DD" of a date produced by this generator (cached, no allocation).
  std::string_view date_text(int32_t days) const;

 private:
  uint64_t rand();
  int64_t uniform(int64_t lo, int64_t hi);  ///< inclusive
  void start_order();

  double sf_;
  uint64_t total_, produced_ = 0;
  uint64_t state_;
  int64_t parts_, suppliers_;
  // the current order
  uint64_t order_index_ = 0;
  int32_t orderkey_ = 0, orderdate_ = 0;
  int lines_ = 0, line_ = 0;
  std::string pool_;
  int32_t first_day_, last_day_;
  std::vector<std::string> date_texts_;  ///< indexed by days - first_day_
};

}  // namespace db001::bench::tpch
