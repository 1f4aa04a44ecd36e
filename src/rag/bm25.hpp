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

// One term's contribution: increasing in `tf`, decreasing in `doc_len` (which upper bounds rely
// on).
inline double term_score(double idf, double tf, double doc_len, double avg_doc_len) {
  const double norm = k1 * (1.0 - b + b * doc_len / avg_doc_len);
  return idf * (tf * (k1 + 1.0)) / (tf + norm);
}

}  // namespace sluice::rag::bm25
