#pragma once

#include <cstddef>

#include "rag/embedder.hpp"
#include "rag/index_registry.hpp"
#include "rag/retriever.hpp"
#include "store/store.hpp"

namespace sluice::ops {
class HistogramFamily;
}

namespace sluice::rag {

struct SearchServiceOptions {
  std::size_t max_top_k = 100;  // larger requests are cut to it
  int rrf_k = 60;
  // Candidates each mode contributes to a fusion, per requested hit (at least kMinFusionPool).
  std::size_t fusion_over_fetch = 4;
  ops::HistogramFamily* duration = nullptr;  // rag_retrieval_duration_seconds{mode}, optional
};

// The Retriever over the registry's indexes: BM25 and, when the collection has an embedding
// model, dense retrieval through `embedder`, fused by RRF or a linear combination, filtered on
// the catalog's document metadata. Only the final hits' text is read from the store (on the
// blocking pool). A hybrid search whose query embedding fails falls back to BM25 (its `modes`
// say so); an explicit dense search fails with the embedder's error.
class SearchService final : public Retriever {
 public:
  static constexpr std::size_t kMinFusionPool = 50;

  // `embedder` may be null when no collection has an embedding model.
  SearchService(IndexRegistry& registry, store::Store& store, Embedder* embedder,
                SearchServiceOptions options = {});

  boost::asio::awaitable<Result<SearchResult>> search(const SearchRequest& request) override;
  Result<int64_t> index_version(const std::string& collection) override;

 private:
  boost::asio::awaitable<Result<std::shared_ptr<const CollectionIndex>>> find(
      const std::string& collection);

  IndexRegistry& registry_;
  store::Store& store_;
  Embedder* embedder_;
  SearchServiceOptions options_;
};

// The mode a request runs: its own, or hybrid when the collection has an embedding model and
// bm25 otherwise; invalid_request (param "mode") for dense or hybrid without one.
Result<SearchMode> resolve_mode(const SearchRequest& request, const CollectionIndex& index);

std::string_view to_string(SearchMode mode);

}  // namespace sluice::rag
