#pragma once

#include <algorithm>
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

}  // namespace sluice::rag::bm25
