#pragma once

#include <cstddef>
#include <optional>

#include "rag/document_filter.hpp"
#include "rag/embedder.hpp"
#include "rag/index_registry.hpp"
#include "rag/retriever.hpp"
#include "store/store.hpp"

namespace sluice::ops {
class HistogramFamily;
class DegradedMode;
}  // namespace sluice::ops

namespace sluice::rag {

struct SearchServiceOptions {
  std::size_t max_top_k = 100;  // larger requests are cut to it
  int rrf_k = 60;
  // Candidates each mode contributes to a fusion, per requested hit (at least kMinFusionPool).
  std::size_t fusion_over_fetch = 4;
  ops::HistogramFamily* duration = nullptr;  // rag_retrieval_duration_seconds{mode}, optional
  // While it is on (sustained overload), searches run bm25 only and return at most
  // degraded_top_k hits. Optional.
  const ops::DegradedMode* degraded = nullptr;
  std::size_t degraded_top_k = 3;
};

// The Retriever over the registry's indexes: BM25 and, when the collection has an embedding
// model, dense retrieval through `embedder`, fused by RRF or a linear combination, filtered on
// the catalog's document metadata. Only the final hits' text is read from the store (on the
// blocking pool). A hybrid search whose query embedding fails falls back to BM25 (its `modes`
// say so); an explicit dense search fails with the embedder's error.
class SearchService final : public Retriever {
 public:
  static constexpr std::size_t kMinFusionPool = 50;

  // `embedder` null: no embeddings API is configured, so every collection searches with bm25.
  SearchService(IndexRegistry& registry, store::Store& store, Embedder* embedder,
                SearchServiceOptions options = {});

  boost::asio::awaitable<Result<SearchResult>> search(const SearchRequest& request) override;
  Result<int64_t> index_version(const std::string& collection) override;
  Result<store::Collection> collection(const std::string& collection) override;

 private:
  // What one search asks of the indexes.
  struct Candidates {
    const DocumentFilter& filter;
    std::size_t top_k = 10;
    bool lexical = true;
    const std::vector<float>* vector = nullptr;  // dense runs when set
    FusionMethod fusion = FusionMethod::rrf;
    float alpha = 0.5f;
    std::vector<std::string> terms;  // sorted, deduplicated
  };

  // The collection's indexes, when `scope` sees it.
  boost::asio::awaitable<Result<std::shared_ptr<const CollectionIndex>>> find(
      const store::TenantScope& scope, const std::string& collection);
  // The query's vector; nullopt when a hybrid search falls back to bm25.
  boost::asio::awaitable<Result<std::optional<std::vector<float>>>> embed_query(
      const CollectionIndex& index, SearchMode mode, const std::string& query);
  // Ranks and describes the hits (modes, index version) under the index's read lock.
  void rank(const CollectionIndex& index, const Candidates& query, SearchResult& result) const;
  // Reads the hits' text from the store and cuts their snippets; drops hits deleted meanwhile.
  boost::asio::awaitable<Status> attach_text(const CollectionIndex& index,
                                             const std::vector<std::string>& terms,
                                             std::vector<SearchHit>& hits);

  IndexRegistry& registry_;
  store::Store& store_;
  Embedder* embedder_;
  SearchServiceOptions options_;
};

// The mode a request runs: its own, or hybrid when the collection has an embedding model (and an
// embedder is available) and bm25 otherwise. Dense or hybrid asked of a collection without an
// embedding model: invalid_request (param "mode"); with one but no embedder: unavailable.
Result<SearchMode> resolve_mode(const SearchRequest& request, const CollectionIndex& index,
                                bool embedder_available);

std::string_view to_string(SearchMode mode);

}  // namespace sluice::rag
