#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "rag/chunk_filter.hpp"
#include "rag/shared_lock.hpp"

namespace hnswlib {
template <typename T>
class HierarchicalNSW;
class InnerProductSpace;
}  // namespace hnswlib

namespace sluice::rag {

// Defaults measured on text embeddings (bench/rag.sh 1 1: the PostgreSQL manual's 10k chunks, 384
// dimensions): recall@10 against exact search 0.966-0.971 over runs, with 1.6 times the queries
// per second of M 16 / ef_construction 200 / ef_search 128 (0.989) and 0.55 of its insertion
// cost (0.4 ms a vector; insertion is most of what embeddings add to ingestion). M 16 needs
// ef_search 96 for the same recall, at a lower rate. Random vectors, whose neighbours mean
// nothing, would need far more.
struct VectorIndexOptions {
  std::size_t m = 24;                   // graph degree
  std::size_t ef_construction = 100;    // candidate list while inserting
  std::size_t ef_search = 80;           // candidate list while searching (at least top_k)
  std::size_t initial_capacity = 1024;  // doubles whenever full
};

struct VectorHit {
  int64_t chunk_id = 0;
  float score = 0;  // cosine similarity, in [-1, 1]
};

// Approximate nearest neighbours by cosine similarity (HNSW, hnswlib): vectors are normalized on
// the way in, so inner product is cosine. Removal marks a vector deleted (hnswlib keeps it in
// the graph for navigation); adding the chunk again revives and updates it.
// Filters: hnswlib 0.6 has no filtered search, so a filtered search widens its candidate list
// until enough candidates pass, and scans the filtered vectors exactly when the filter is so
// selective that the graph would not find them.
// Threads: searches run concurrently under a shared lock; add and remove hold the exclusive lock
// for one insertion (about a millisecond; writer-preferring), growth of the capacity included.
class VectorIndex {
 public:
  explicit VectorIndex(std::size_t dimension, VectorIndexOptions options = {});
  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  // Throws std::invalid_argument when the vector's size is not the dimension.
  void add(int64_t chunk_id, std::span<const float> vector);
  // False when the chunk is not in the index.
  bool remove(int64_t chunk_id);
  // The `top_k` most similar live chunks that pass `filter`, most similar first (ties by chunk id).
  std::vector<VectorHit> search(std::span<const float> query, std::size_t top_k,
                                const ChunkFilter* filter = nullptr) const;

  // The candidate list of later searches (at least their top_k); saved with the graph's options.
  void set_ef_search(std::size_t ef_search);

  std::size_t dimension() const { return dimension_; }
  const VectorIndexOptions& options() const { return options_; }
  std::size_t size() const;  // live vectors
  std::size_t memory_bytes() const;

  // hnswlib's own file format (its API writes and reads paths only). Saving returns the number
  // of live vectors written.
  Result<uint64_t> save_graph(const std::string& path) const;
  Status load_graph(const std::string& path);

 private:
  std::vector<float> normalized(std::span<const float> vector) const;
  std::vector<VectorHit> exact_search(const float* query, std::size_t top_k,
                                      const ChunkFilter& filter) const;

  std::size_t dimension_;
  VectorIndexOptions options_;
  std::unique_ptr<hnswlib::InnerProductSpace> space_;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph_;
  std::size_t live_ = 0;
  mutable WriterPreferringSharedMutex lock_;
};

}  // namespace sluice::rag
