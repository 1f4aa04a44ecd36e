#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rag/lexical_index.hpp"
#include "rag/vector_index.hpp"

namespace sluice::rag {

struct FusedHit {
  int64_t chunk_id = 0;
  float score = 0;
  int lexical_rank = 0;  // 1-based position in the lexical list; 0 when absent from it
  int dense_rank = 0;    // likewise in the dense list
  bool operator==(const FusedHit&) const = default;
};

// Reciprocal rank fusion: score = sum over the lists holding the chunk of 1 / (k + rank).
// Input lists are ranked best first. Output: best first, ties by chunk id, at most top_k.
std::vector<FusedHit> fuse_rrf(const std::vector<LexicalHit>& lexical,
                               const std::vector<VectorHit>& dense, int k, std::size_t top_k);

// Normalized linear combination: each list's scores are min-max scaled to [0, 1] (a list whose
// scores are all equal scales to 1), then score = alpha * dense + (1 - alpha) * lexical, a chunk
// absent from a list taking 0 there. alpha = 0 is lexical only, 1 dense only.
std::vector<FusedHit> fuse_linear(const std::vector<LexicalHit>& lexical,
                                  const std::vector<VectorHit>& dense, float alpha,
                                  std::size_t top_k);

}  // namespace sluice::rag
