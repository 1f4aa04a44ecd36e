#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "rag/chunk_filter.hpp"
#include "rag/shared_lock.hpp"

namespace sluice::rag {

struct LexicalData;

// A chunk's terms, already tokenized, by field. Title and heading-path terms count more (BM25F
// style): each occurrence adds its field weight to the term frequency and to the document length
// (body 1, heading path 1.5, title 2), so a short title match beats the same word deep in a body.
struct FieldTerms {
  std::vector<std::string> body;
  std::vector<std::string> title;
  std::vector<std::string> heading;
};

struct LexicalHit {
  int64_t chunk_id = 0;
  float score = 0;
  bool operator==(const LexicalHit&) const = default;
};

// An in-memory BM25 index (k1 = 1.2, b = 0.75, Lucene's idf) over chunks.
//
// Ranking: score descending, then chunk id ascending, so results are deterministic. Query terms
// are deduplicated; a chunk's score sums its terms' contributions (bm25::ScoreSum).
// Statistics: N and the average length count live chunks exactly; a term's document frequency
// still counts removed chunks until compaction (as Lucene's does until a merge), clamped to N.
// Removed chunks never appear in results.
// Pruning: MaxScore over block-max bounds returns exactly the exhaustive top k among chunks that
// pass the filter and are live.
// Threads: searches run concurrently under a shared lock. add and remove_document hold the
// exclusive lock for microseconds per chunk (writer-preferring, so searches cannot starve them).
// Compaction builds the new index next to the old one without blocking searches and holds the
// exclusive lock only to swap it in; other writers wait for it.
class LexicalIndex {
 public:
  LexicalIndex();
  ~LexicalIndex();
  LexicalIndex(const LexicalIndex&) = delete;
  LexicalIndex& operator=(const LexicalIndex&) = delete;

  // Adds a chunk of `document_id`; adding a chunk id that document already has replaces it.
  void add(int64_t chunk_id, std::string_view document_id, const FieldTerms& terms);
  // Removes every chunk of the document; returns how many. Compacts once more than a quarter of
  // the internal ids are dead.
  std::size_t remove_document(std::string_view document_id);
  // The best `top_k` live chunks for the terms that pass `filter` (when given).
  std::vector<LexicalHit> search(const std::vector<std::string>& query_terms, std::size_t top_k,
                                 const ChunkFilter* filter = nullptr) const;
  // Drops removed chunks from every posting list and renumbers internal ids.
  void compact();

  std::size_t chunk_count() const;  // live chunks
  std::size_t term_count() const;
  std::size_t memory_bytes() const;

  // For snapshots: runs `visit` on the data while no writer can change it (searches go on).
  void read_data(const std::function<void(const LexicalData&)>& visit) const;
  // Replaces the whole content (snapshot load).
  void replace_data(std::unique_ptr<LexicalData> data);

 private:
  std::unique_ptr<LexicalData> data_;
  mutable WriterPreferringSharedMutex lock_;  // guards data_ against readers
  mutable std::mutex writer_;                 // one writer (add, remove, compact) at a time
};

}  // namespace sluice::rag
