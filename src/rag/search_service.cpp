#include "rag/search_service.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_set>

#include "ops/blocking_pool.hpp"
#include "ops/logger.hpp"
#include "ops/metrics.hpp"
#include "rag/document_filter.hpp"
#include "rag/fusion.hpp"
#include "rag/snippet.hpp"

namespace sluice::rag {
namespace {

using boost::asio::awaitable;

std::vector<FusedHit> ranked(const std::vector<LexicalHit>& lexical, std::size_t top_k) {
  std::vector<FusedHit> out;
  for (std::size_t i = 0; i < lexical.size() && i < top_k; ++i)
    out.push_back({lexical[i].chunk_id, lexical[i].score, static_cast<int>(i + 1), 0});
  return out;
}

std::vector<FusedHit> ranked(const std::vector<VectorHit>& dense, std::size_t top_k) {
  std::vector<FusedHit> out;
  for (std::size_t i = 0; i < dense.size() && i < top_k; ++i)
    out.push_back({dense[i].chunk_id, dense[i].score, 0, static_cast<int>(i + 1)});
  return out;
}

// The ranked hits' metadata, read while the index is locked.
std::vector<SearchHit> describe(const CollectionIndex& index, const std::vector<FusedHit>& fused) {
  std::vector<SearchHit> hits;
  hits.reserve(fused.size());
  for (const FusedHit& f : fused) {
    const ChunkInfo* chunk = index.chunk(f.chunk_id);
    if (!chunk) continue;
    SearchHit hit;
    hit.chunk_id = f.chunk_id;
    hit.document_id = chunk->document->id;
    hit.external_id = chunk->document->external_id;
    hit.title = chunk->document->title;
    hit.heading_path = chunk->heading_path;
    hit.page = chunk->page;
    hit.ordinal = chunk->ordinal;
    hit.score = f.score;
    hit.lexical_rank = f.lexical_rank;
    hit.dense_rank = f.dense_rank;
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace

std::string_view to_string(SearchMode mode) {
  switch (mode) {
    case SearchMode::bm25:
      return "bm25";
    case SearchMode::dense:
      return "dense";
    case SearchMode::hybrid:
      return "hybrid";
  }
  return "bm25";
}

Result<SearchMode> resolve_mode(const SearchRequest& request, const CollectionIndex& index) {
  if (!request.mode) return index.has_embedding_model() ? SearchMode::hybrid : SearchMode::bm25;
  if (*request.mode != SearchMode::bm25 && !index.has_embedding_model())
    return make_error(Errc::invalid_request,
                      "mode '" + std::string(to_string(*request.mode)) + "' needs dense " +
                          "retrieval, which is off for collection '" + index.collection().name +
                          "': it has no embedding model; use mode 'bm25'",
                      "mode", "dense_retrieval_off");
  return *request.mode;
}

SearchService::SearchService(IndexRegistry& registry, store::Store& store, Embedder* embedder,
                             SearchServiceOptions options)
    : registry_(registry), store_(store), embedder_(embedder), options_(options) {}

Result<int64_t> SearchService::index_version(const std::string& collection) {
  auto index = registry_.find(collection);
  if (!index) return index.error();
  return (*index)->version();
}

awaitable<Result<std::shared_ptr<const CollectionIndex>>> SearchService::find(
    const std::string& collection) {
  auto index = registry_.find(collection);
  if (index || index.error().code != Errc::not_found) co_return index;
  // Created since the registry last looked: ask it to pick the collection up.
  auto stored = co_await ops::run_blocking([&] { return store_.collections().get(collection); });
  if (!stored) co_return index;
  registry_.notify(stored->id);
  co_return make_error(Errc::unavailable,
                       "collection '" + collection + "' is loading its indexes; retry shortly",
                       "collection", "collection_loading");
}

awaitable<Result<SearchResult>> SearchService::search(const SearchRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  auto found = co_await find(request.collection);
  if (!found) co_return found.error();
  const std::shared_ptr<const CollectionIndex> index = *std::move(found);
  auto mode = resolve_mode(request, *index);
  if (!mode) co_return mode.error();
  const std::size_t top_k = std::clamp<std::size_t>(request.top_k, 1, options_.max_top_k);

  std::vector<std::string> terms = index->tokenizer().terms(request.query);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());

  bool run_lexical = *mode != SearchMode::dense;
  bool run_dense = *mode != SearchMode::bm25;
  std::vector<float> query_vector;
  if (run_dense) {
    auto embedded = embedder_
                        ? co_await embedder_->embed(index->collection().embedding_model,
                                                    std::span<const std::string>(&request.query, 1))
                        : Result<std::vector<std::vector<float>>>(
                              make_error(Errc::unavailable, "no embedder is configured"));
    if (embedded && embedded->size() == 1) {
      query_vector = std::move((*embedded)[0]);
    } else if (*mode == SearchMode::dense) {
      co_return embedded ? make_error(Errc::bad_gateway, "the embedder returned no vector")
                         : embedded.error();
    } else {
      ops::logger().warn("query embedding failed; searching with bm25 only",
                         {{"collection", index->collection().id},
                          {"error", embedded ? "no vector" : embedded.error().message}});
      run_dense = false;
    }
  }

  auto filter = DocumentFilter::compile(request.filters);
  if (!filter) co_return filter.error();
  SearchResult result;
  result.collection_id = index->collection().id;
  {
    auto lock = index->read_lock();
    result.index_version = index->version();
    ChunkFilter chunk_filter = [&](int64_t chunk_id) {
      const ChunkInfo* chunk = index->chunk(chunk_id);
      return chunk && filter->matches(*chunk->document);
    };
    const ChunkFilter* passes = filter->empty() ? nullptr : &chunk_filter;
    const bool fused = run_lexical && run_dense;
    const std::size_t pool =
        fused ? std::max(top_k * options_.fusion_over_fetch, kMinFusionPool) : top_k;
    std::vector<LexicalHit> lexical;
    std::vector<VectorHit> dense;
    if (run_lexical) {
      if (!terms.empty()) lexical = index->lexical().search(terms, pool, passes);
      result.modes.emplace_back("bm25");
    }
    if (run_dense) {
      const VectorIndex* vectors = index->vectors();
      if (vectors && vectors->dimension() == query_vector.size())
        dense = vectors->search(query_vector, pool, passes);
      result.modes.emplace_back("dense");
    }
    std::vector<FusedHit> ranking;
    if (fused)
      ranking = request.fusion == FusionMethod::rrf
                    ? fuse_rrf(lexical, dense, options_.rrf_k, top_k)
                    : fuse_linear(lexical, dense, request.alpha, top_k);
    else
      ranking = run_lexical ? ranked(lexical, top_k) : ranked(dense, top_k);
    result.hits = describe(*index, ranking);
  }

  if (!result.hits.empty()) {
    std::vector<int64_t> ids;
    for (const SearchHit& hit : result.hits) ids.push_back(hit.chunk_id);
    auto chunks = co_await ops::run_blocking([&] { return store_.documents().get_chunks(ids); });
    if (!chunks) co_return chunks.error();
    const std::unordered_set<std::string> query_terms(terms.begin(), terms.end());
    std::size_t next = 0;
    std::vector<SearchHit> kept;
    for (SearchHit& hit : result.hits) {
      // get_chunks keeps the order and skips chunks deleted since the search.
      if (next >= chunks->size() || (*chunks)[next].id != hit.chunk_id) continue;
      hit.text = std::move((*chunks)[next++].text);
      hit.snippet = best_snippet(hit.text, index->tokenizer(), query_terms);
      kept.push_back(std::move(hit));
    }
    result.hits = std::move(kept);
  }
  if (options_.duration) {
    const std::string_view label =
        run_lexical && run_dense ? "hybrid" : (run_dense ? "dense" : "bm25");
    options_.duration->observe(
        {label}, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  co_return result;
}

}  // namespace sluice::rag
