#include "rag/fusion.hpp"

#include <algorithm>
#include <functional>
#include <unordered_map>

namespace sluice::rag {
namespace {

// Collects both lists by chunk; `contribution(rank, score, list)` adds each list's share.
class Fusion {
 public:
  template <class Hit>
  void add_list(const std::vector<Hit>& hits, bool dense,
                const std::function<double(std::size_t rank, float score)>& contribution) {
    for (std::size_t i = 0; i < hits.size(); ++i) {
      auto [it, inserted] = index_.try_emplace(hits[i].chunk_id, fused_.size());
      if (inserted) {
        fused_.push_back(FusedHit{hits[i].chunk_id, 0, 0, 0});
        scores_.push_back(0);
      }
      FusedHit& hit = fused_[it->second];
      int& rank = dense ? hit.dense_rank : hit.lexical_rank;
      if (rank != 0) continue;  // a chunk listed twice counts once, at its best rank
      rank = static_cast<int>(i) + 1;
      scores_[it->second] += contribution(i + 1, hits[i].score);
    }
  }

  std::vector<FusedHit> ranked(std::size_t top_k) {
    for (std::size_t i = 0; i < fused_.size(); ++i)
      fused_[i].score = static_cast<float>(scores_[i]);
    const auto before = [](const FusedHit& a, const FusedHit& b) {
      return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
    };
    const std::size_t keep = std::min(top_k, fused_.size());
    std::partial_sort(fused_.begin(), fused_.begin() + keep, fused_.end(), before);
    fused_.resize(keep);
    return std::move(fused_);
  }

 private:
  std::unordered_map<int64_t, std::size_t> index_;
  std::vector<FusedHit> fused_;
  std::vector<double> scores_;
};

template <class Hit>
std::function<double(std::size_t, float)> min_max_scaled(const std::vector<Hit>& hits,
                                                         double weight) {
  float low = 0, high = 0;
  if (!hits.empty()) {
    const auto [min, max] = std::minmax_element(
        hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.score < b.score; });
    low = min->score;
    high = max->score;
  }
  return [low, high, weight](std::size_t, float score) {
    const double scaled = high > low ? (static_cast<double>(score) - low) / (high - low) : 1.0;
    return weight * scaled;
  };
}

}  // namespace

std::vector<FusedHit> fuse_rrf(const std::vector<LexicalHit>& lexical,
                               const std::vector<VectorHit>& dense, int k, std::size_t top_k) {
  const auto reciprocal = [k](std::size_t rank, float) {
    return 1.0 / (k + static_cast<double>(rank));
  };
  Fusion fusion;
  fusion.add_list(lexical, false, reciprocal);
  fusion.add_list(dense, true, reciprocal);
  return fusion.ranked(top_k);
}

std::vector<FusedHit> fuse_linear(const std::vector<LexicalHit>& lexical,
                                  const std::vector<VectorHit>& dense, float alpha,
                                  std::size_t top_k) {
  Fusion fusion;
  fusion.add_list(lexical, false, min_max_scaled(lexical, 1.0 - alpha));
  fusion.add_list(dense, true, min_max_scaled(dense, alpha));
  return fusion.ranked(top_k);
}

}  // namespace sluice::rag
