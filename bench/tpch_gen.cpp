#include "tpch_gen.h"

#include <cmath>
#include <cstdio>

namespace db001::bench::tpch {

namespace {

// TPC-H 3.0.1 clause 4.2.2.10 word lists (the text pool grammar's terminals).
const char* const nouns[] = {
    "foxes",     "ideas",       "theodolites", "pinto beans", "instructions", "dependencies", "excuses",
    "platelets", "asymptotes",  "courts",      "dolphins",    "multipliers",  "sauternes",    "warthogs",
    "frets",     "dinos",       "attainments", "somas",       "Tiresias",     "patterns",     "forges",
    "braids",    "hockey players", "frays",    "warhorses",   "dugouts",      "notornis",     "epitaphs",
    "pearls",    "tithes",      "waters",      "orbits",      "gifts",        "sheaves",      "depths",
    "sentiments", "decoys",     "realms",      "pains",       "grouches",     "escapades"};
const char* const verbs[] = {"sleep",  "wake",   "are",    "cajole",  "haggle", "nag",    "use",     "boost",
                             "affix",  "detect", "integrate", "maintain", "nod", "was",   "lose",    "sublate",
                             "solve",  "thrash", "promise", "engage", "hinder", "print",  "x-ray",   "breach",
                             "eat",    "grow",   "impress", "mold",   "poach",  "serve",  "run",     "dazzle",
                             "snooze", "doze",   "unwind", "kindle",  "play",   "hang",   "believe", "doubt"};
const char* const adjectives[] = {"furious", "sly",     "careful", "blithe",   "quick",     "fluffy",   "slow",
                                  "quiet",   "ruthless", "thin",   "close",    "dogged",    "daring",   "brave",
                                  "stealthy", "permanent", "enticing", "idle", "busy",      "regular",  "final",
                                  "ironic",  "even",    "bold",    "silent"};
const char* const adverbs[] = {"sometimes", "always",     "never",    "furiously", "slyly",     "carefully",
                               "blithely",  "quickly",    "fluffily", "slowly",    "quietly",   "ruthlessly",
                               "thinly",    "closely",    "doggedly", "daringly",  "bravely",   "stealthily",
                               "permanently", "enticingly", "idly",   "busily",    "regularly", "finally",
                               "ironically", "evenly",    "boldly",   "silently"};
const char* const prepositions[] = {
    "about",   "above",  "according to", "across", "after",   "against", "along",      "alongside of",
    "among",   "around", "at",           "atop",   "before",  "behind",  "beneath",    "beside",
    "besides", "between", "beyond",      "by",     "despite", "during",  "except",     "for",
    "from",    "in place of", "inside",  "instead of", "into", "near",   "of",         "on",
    "outside", "over",   "past",         "since",  "through", "throughout", "to",      "toward",
    "under",   "until",  "up",           "upon",   "without", "with",    "within"};
const char* const auxiliaries[] = {"do",          "may",           "might",         "shall",         "will",
                                   "would",       "can",           "could",         "should",        "ought to",
                                   "must",        "will have to",  "shall have to", "could have to", "should have to",
                                   "must have to", "need to",      "try to"};
const char* const terminators[] = {".", ";", ":", "?", "!", "--"};

template <class T, size_t N>
constexpr size_t count_of(T (&)[N]) {
  return N;
}

constexpr uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

constexpr size_t pool_bytes = 1u << 20;  // dbgen uses 300 MB; 1 MB keeps substrings varied enough

}  // namespace

const char* const ship_instructs[4] = {"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"};
const char* const ship_modes[7] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};

int32_t days_from_civil(int y, int m, int d) {
  // Howard Hinnant's days_from_civil, shifted to the 2000-01-01 epoch.
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = unsigned((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return int32_t(era * 146097 + int(doe) - 719468 - 10957);
}

std::string format_date(int32_t days) {
  int64_t z = int64_t(days) + 10957 + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = unsigned(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = int64_t(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(y), m, d);
  return buf;
}

lineitem_generator::lineitem_generator(double sf) : sf_(sf), state_(0x7c4d'0001'5eed'0001ull) {
  total_ = uint64_t(std::llround(6001215.0 * sf));
  if (total_ == 0) total_ = 1;
  parts_ = std::max<int64_t>(1, std::llround(200000.0 * sf));
  suppliers_ = std::max<int64_t>(1, std::llround(10000.0 * sf));
  first_day_ = days_from_civil(1992, 1, 1);
  last_day_ = days_from_civil(1999, 1, 1) + 160;
  for (int32_t d = first_day_; d <= last_day_; ++d) date_texts_.push_back(format_date(d));

  // Text pool: sentences from a simplified version of the spec's grammar (4.2.2.10).
  uint64_t s = 0x7e47'9001ull;
  auto pick = [&](auto& list) -> const char* { return list[splitmix(s) % count_of(list)]; };
  pool_.reserve(pool_bytes + 256);
  while (pool_.size() < pool_bytes) {
    // noun phrase
    if (splitmix(s) % 2) pool_ += std::string(pick(adjectives)) + " ";
    pool_ += pick(nouns);
    pool_ += " ";
    // verb phrase
    uint64_t v = splitmix(s) % 4;
    if (v == 1) pool_ += std::string(pick(auxiliaries)) + " ";
    pool_ += pick(verbs);
    if (v >= 2) pool_ += std::string(" ") + pick(adverbs);
    // optional prepositional phrase
    if (splitmix(s) % 2) pool_ += std::string(" ") + pick(prepositions) + " the " + pick(nouns);
    pool_ += pick(terminators);
    pool_ += " ";
  }
}

uint64_t lineitem_generator::rand() { return splitmix(state_); }

int64_t lineitem_generator::uniform(int64_t lo, int64_t hi) {
  return lo + int64_t(rand() % uint64_t(hi - lo + 1));
}

void lineitem_generator::start_order() {
  ++order_index_;
  uint64_t i = order_index_;
  orderkey_ = int32_t(((i >> 3) << 5) | (i & 7));  // dbgen mk_sparse(i): SPARSE_BITS 2, SPARSE_KEEP 3
  orderdate_ = int32_t(uniform(days_from_civil(1992, 1, 1), days_from_civil(1998, 12, 31) - 151));
  lines_ = int(uniform(1, 7));
  line_ = 0;
}

bool lineitem_generator::next(lineitem_row& r) {
  if (produced_ >= total_) return false;
  if (line_ >= lines_) start_order();
  ++line_;
  ++produced_;
  static const int32_t current_date = days_from_civil(1995, 6, 17);
  r.orderkey = orderkey_;
  r.linenumber = line_;
  int64_t p = uniform(1, parts_);
  r.partkey = int32_t(p);
  int64_t S = suppliers_;
  int64_t i = uniform(0, 3);
  r.suppkey = int32_t((p + i * (S / 4 + (p - 1) / S)) % S + 1);
  r.quantity = uniform(1, 50) * 100;
  int64_t retail_cents = 90000 + ((p / 10) % 20001) + 100 * (p % 1000);
  r.extendedprice = (r.quantity / 100) * retail_cents;
  r.discount = uniform(0, 10);
  r.tax = uniform(0, 8);
  r.shipdate = orderdate_ + int32_t(uniform(1, 121));
  r.commitdate = orderdate_ + int32_t(uniform(30, 90));
  r.receiptdate = r.shipdate + int32_t(uniform(1, 30));
  r.returnflag = r.receiptdate <= current_date ? (uniform(0, 1) ? 'R' : 'A') : 'N';
  r.linestatus = r.shipdate > current_date ? 'O' : 'F';
  r.shipinstruct = uint8_t(uniform(0, 3));
  r.shipmode = uint8_t(uniform(0, 6));
  size_t len = size_t(uniform(10, 43));
  size_t off = size_t(rand() % (pool_.size() - len));
  r.comment = std::string_view(pool_).substr(off, len);
  return true;
}

std::string_view lineitem_generator::date_text(int32_t days) const {
  return date_texts_.at(size_t(days - first_day_));
}

}  // namespace db001::bench::tpch
