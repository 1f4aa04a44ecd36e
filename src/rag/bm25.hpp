#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

namespace sluice::rag::bm25 {

// Okapi BM25 as Lucene computes it. Every score the lexical index returns, and every bound it
// prunes with, comes from these two functions, so an exhaustive scorer that calls them agrees
// with the index bit for bit.
inline constexpr double k1 = 1.2;
inline constexpr double b = 0.75;

// Lucene's idf: always positive. `df` counts postings not yet compacted away, so it is clamped to
// the live document count `n`.
inline double idf(uint64_t n, uint64_t df) {
  const double d = static_cast<double>(std::min(df, n));
  return std::log(1.0 + (static_cast<double>(n) - d + 0.5) / (d + 0.5));
}

// BM25's length normalization k1 * (1 - b + b * doc_len / avg_doc_len), with the division by
// the average length done once per query rather than once per posting.
class LengthNorm {
 public:
  explicit LengthNorm(double avg_doc_len)
      : base_(k1 * (1.0 - b)), per_unit_(avg_doc_len > 0 ? k1 * b / avg_doc_len : 0.0) {}
  double operator()(double doc_len) const { return base_ + per_unit_ * doc_len; }

 private:
  double base_;
  double per_unit_;
};

// One term's contribution given the document's length norm: increasing in `tf` and decreasing
// in the norm (so in the length), which upper bounds rely on.
inline double term_score(double idf, double tf, double norm) {
  return idf * (tf * (k1 + 1.0)) / (tf + norm);
}

inline double term_score(double idf, double tf, double doc_len, double avg_doc_len) {
  return term_score(idf, tf, LengthNorm(avg_doc_len)(doc_len));
}

// A document's score sums its terms' contributions in fixed point, units of 2^-32: integer
// addition does not depend on the order, so a search may add a document's terms in whatever
// order its pruning reaches them and still agree bit for bit with any other scorer.
using ScoreSum = int64_t;
inline constexpr double kScoreUnitsPerPoint = 4294967296.0;  // 2^32

// `contribution` (>= 0 and < 2^19) in units, rounded to nearest: adding 2^52 leaves the integer
// in the low mantissa bits. Plain double arithmetic, so it vectorizes where a conversion
// instruction to int64 would not (SSE2 has none).
inline ScoreSum to_units(double contribution) {
  constexpr double kShift = 4503599627370496.0;  // 2^52
  return std::bit_cast<int64_t>(contribution * kScoreUnitsPerPoint + kShift) -
         std::bit_cast<int64_t>(kShift);
}

inline double to_points(ScoreSum sum) { return static_cast<double>(sum) / kScoreUnitsPerPoint; }

}  // namespace sluice::rag::bm25
