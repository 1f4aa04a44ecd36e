#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "rag/bm25.hpp"
#include "rag/lexical_index.hpp"

namespace sluice::rag::testing {

inline std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

inline FieldTerms body(const std::string& text) { return FieldTerms{words(text), {}, {}}; }

// A corpus kept beside an index, scored exhaustively with the same BM25 functions.
struct ReferenceChunk {
  int64_t chunk_id;
  std::string document;
  std::map<std::string, double> tf;  // weighted: body 1, heading 1.5, title 2
  double length = 0;                 // weighted likewise
  bool live = true;
};

class ReferenceCorpus {
 public:
  void add(LexicalIndex& index, int64_t chunk_id, const std::string& document, FieldTerms terms) {
    index.add(chunk_id, document, terms);
    ReferenceChunk chunk{chunk_id, document};
    for (const auto& [field, weight] : {std::pair{&terms.body, 1.0}, std::pair{&terms.heading, 1.5},
                                        std::pair{&terms.title, 2.0}}) {
      for (const auto& t : *field) chunk.tf[t] += weight;
      chunk.length += weight * static_cast<double>(field->size());
    }
    for (const auto& [term, tf] : chunk.tf) ++df_[term];
    chunks_.push_back(std::move(chunk));
  }
  void remove(LexicalIndex& index, const std::string& document) {
    index.remove_document(document);
    for (auto& chunk : chunks_)
      if (chunk.document == document) chunk.live = false;
  }
  // After compaction the document frequencies no longer count removed chunks.
  void forget_removed() {
    std::erase_if(chunks_, [](const ReferenceChunk& c) { return !c.live; });
    df_.clear();
    for (const auto& chunk : chunks_)
      for (const auto& [term, tf] : chunk.tf) ++df_[term];
  }

  std::vector<LexicalHit> search(const std::vector<std::string>& query, std::size_t top_k,
                                 const ChunkFilter* filter = nullptr) const {
    std::vector<std::string> distinct;
    for (const auto& term : query)
      if (std::find(distinct.begin(), distinct.end(), term) == distinct.end())
        distinct.push_back(term);
    uint64_t live = 0;
    double total_length = 0;
    for (const auto& chunk : chunks_) {
      if (!chunk.live) continue;
      ++live;
      total_length += chunk.length;
    }
    std::vector<LexicalHit> hits;
    if (live == 0) return hits;
    const bm25::LengthNorm norm(total_length / live);
    for (const auto& chunk : chunks_) {
      if (!chunk.live || (filter && !(*filter)(chunk.chunk_id))) continue;
      bm25::ScoreSum score = 0;
      bool matched = false;
      for (const auto& term : distinct) {
        const auto tf = chunk.tf.find(term);
        if (tf == chunk.tf.end()) continue;
        matched = true;
        score += bm25::to_units(
            bm25::term_score(bm25::idf(live, df_.at(term)), tf->second, norm(chunk.length)));
      }
      if (matched)
        hits.push_back(LexicalHit{chunk.chunk_id, static_cast<float>(bm25::to_points(score))});
    }
    std::sort(hits.begin(), hits.end(), [](const LexicalHit& a, const LexicalHit& b) {
      return a.score != b.score ? a.score > b.score : a.chunk_id < b.chunk_id;
    });
    if (hits.size() > top_k) hits.resize(top_k);
    return hits;
  }

  const std::vector<ReferenceChunk>& chunks() const { return chunks_; }

 private:
  std::vector<ReferenceChunk> chunks_;
  std::map<std::string, uint64_t> df_;  // counts removed chunks until forget_removed()
};

// Terms drawn with Zipf-like frequencies (rank r with weight 1 / r), as in natural text.
class ZipfTerms {
 public:
  ZipfTerms(std::size_t vocabulary, uint32_t seed) : rng_(seed) {
    std::vector<double> weights(vocabulary);
    for (std::size_t r = 0; r < vocabulary; ++r) weights[r] = 1.0 / static_cast<double>(r + 1);
    dist_ = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
  }
  std::string next() { return "t" + std::to_string(dist_(rng_)); }
  std::vector<std::string> next(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(next());
    return out;
  }
  std::mt19937& rng() { return rng_; }

 private:
  std::mt19937 rng_;
  std::discrete_distribution<std::size_t> dist_;
};

}  // namespace sluice::rag::testing
