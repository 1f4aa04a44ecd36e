#include "rag/search_service.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "ops/blocking_pool.hpp"
#include "ops/degraded_mode.hpp"
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

Result<SearchMode> resolve_mode(const SearchRequest& request, const CollectionIndex& index,
                                bool embedder_available) {
  const bool dense_possible = index.has_embedding_model() && embedder_available;
  if (!request.mode) return dense_possible ? SearchMode::hybrid : SearchMode::bm25;
  if (*request.mode == SearchMode::bm25 || dense_possible) return *request.mode;
  const std::string mode(to_string(*request.mode));
  if (!index.has_embedding_model())
    return make_error(Errc::invalid_request,
                      "mode '" + mode + "' needs dense retrieval, which is off for collection '" +
                          index.collection().name + "': it has no embedding model; use mode 'bm25'",
                      "mode", "dense_retrieval_off");
  return make_error(Errc::unavailable,
                    "mode '" + mode + "' needs embeddings, and no embeddings API is configured " +
                        "(gateway.providers); use mode 'bm25'",
                    "mode", "embeddings_unavailable");
}

SearchService::SearchService(IndexRegistry& registry, store::Store& store, Embedder* embedder,
                             SearchServiceOptions options)
    : registry_(registry), store_(store), embedder_(embedder), options_(options) {}

Result<int64_t> SearchService::index_version(const std::string& collection) {
  auto index = registry_.find(collection);
  if (!index) return index.error();
  return (*index)->version();
}

Result<store::Collection> SearchService::collection(const std::string& collection) {
  auto index = registry_.find(collection);
  if (!index) return index.error();
  return (*index)->collection();
}

awaitable<Result<std::shared_ptr<const CollectionIndex>>> SearchService::find(
    const store::TenantScope& scope, const std::string& collection) {
  const std::string key = scope.key(collection);
  auto index = registry_.find(key);
  if (index) {
    auto seen = store::visible(scope, (*index)->collection(), collection);
    if (!seen) co_return seen.error();
    co_return index;
  }
  // Loading, failed, or created since the registry last looked: the store says whether this
  // tenant may know of it at all, before any of that is told.
  auto stored = co_await ops::run_blocking([&] { return store_.collections().get(key); });
  stored = store::visible(scope, std::move(stored), collection);
  if (!stored) co_return stored.error();
  if (index.error().code != Errc::not_found) co_return index;
  // Ask the registry to pick the new collection up.
  registry_.notify(stored->id);
  co_return make_error(Errc::unavailable,
                       "collection '" + collection + "' is loading its indexes; retry shortly",
                       "collection", "collection_loading");
}

awaitable<Result<std::optional<std::vector<float>>>> SearchService::embed_query(
    const CollectionIndex& index, SearchMode mode, const std::string& query) {
  // resolve_mode ran dense only with an embedder. No co_await inside a conditional expression:
  // GCC 12 miscompiles its coroutine frame.
  Result<std::vector<std::vector<float>>> embedded = co_await embedder_->embed(
      index.collection().embedding_model, std::span<const std::string>(&query, 1));
  if (embedded && embedded->size() == 1) co_return std::optional(std::move((*embedded)[0]));
  if (mode == SearchMode::dense)
    co_return embedded ? make_error(Errc::bad_gateway, "the embedder returned no vector")
                       : embedded.error();
  ops::logger().warn("query embedding failed; searching with bm25 only",
                     {{"collection", index.collection().id},
                      {"error", embedded ? "no vector" : embedded.error().message}});
  co_return std::optional<std::vector<float>>();
}

void SearchService::rank(const CollectionIndex& index, const Candidates& query,
                         SearchResult& result) const {
  auto lock = index.read_lock();
  result.index_version = index.version();
  const ChunkFilter chunk_filter = [&](int64_t chunk_id) {
    const ChunkInfo* chunk = index.chunk(chunk_id);
    return chunk && query.filter.matches(*chunk->document);
  };
  const ChunkFilter* passes = query.filter.empty() ? nullptr : &chunk_filter;
  const bool lexical_runs = query.lexical, dense_runs = query.vector != nullptr;
  const bool fused = lexical_runs && dense_runs;
  const std::size_t pool =
      fused ? std::max(query.top_k * options_.fusion_over_fetch, kMinFusionPool) : query.top_k;
  std::vector<LexicalHit> lexical;
  std::vector<VectorHit> dense;
  if (lexical_runs) {
    if (!query.terms.empty()) lexical = index.lexical().search(query.terms, pool, passes);
    result.modes.emplace_back("bm25");
  }
  if (dense_runs) {
    const VectorIndex* vectors = index.vectors();
    if (vectors && vectors->dimension() == query.vector->size())
      dense = vectors->search(*query.vector, pool, &chunk_filter);  // see CollectionIndex
    result.modes.emplace_back("dense");
  }
  std::vector<FusedHit> ranking;
  if (fused)
    ranking = query.fusion == FusionMethod::rrf
                  ? fuse_rrf(lexical, dense, options_.rrf_k, query.top_k)
                  : fuse_linear(lexical, dense, query.alpha, query.top_k);
  else
    ranking = lexical_runs ? ranked(lexical, query.top_k) : ranked(dense, query.top_k);
  result.hits = describe(index, ranking);
}

awaitable<Status> SearchService::attach_text(const CollectionIndex& index,
                                             const std::vector<std::string>& terms,
                                             std::vector<SearchHit>& hits) {
  if (hits.empty()) co_return Status{};
  std::vector<int64_t> ids;
  for (const SearchHit& hit : hits) ids.push_back(hit.chunk_id);
  auto chunks = co_await ops::run_blocking([&] { return store_.documents().get_chunks(ids); });
  if (!chunks) co_return chunks.error();
  SnippetMaker snippets(index.tokenizer(), terms);
  std::size_t next = 0;
  std::vector<SearchHit> kept;
  for (SearchHit& hit : hits) {
    // get_chunks keeps the order and skips chunks deleted since the search.
    if (next >= chunks->size() || (*chunks)[next].id != hit.chunk_id) continue;
    hit.text = std::move((*chunks)[next++].text);
    hit.snippet = snippets.best(hit.text);
    kept.push_back(std::move(hit));
  }
  hits = std::move(kept);
  co_return Status{};
}

awaitable<Result<SearchResult>> SearchService::search(const SearchRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  auto found = co_await find(request.scope, request.collection);
  if (!found) co_return found.error();
  const std::shared_ptr<const CollectionIndex> index = *std::move(found);
  auto mode = resolve_mode(request, *index, embedder_ != nullptr);
  if (!mode) co_return mode.error();
  auto filter = DocumentFilter::compile(request.filters);
  if (!filter) co_return filter.error();
  // Degraded: no embedding call, fewer passages to read and answer from (`modes` says bm25).
  std::size_t top_k_limit = options_.max_top_k;
  const bool degraded = options_.degraded && options_.degraded->on();
  if (degraded) {
    mode = SearchMode::bm25;
    top_k_limit = std::min(top_k_limit, std::max<std::size_t>(options_.degraded_top_k, 1));
  }

  Candidates query{.filter = *filter,
                   .top_k = std::clamp<std::size_t>(request.top_k, 1, top_k_limit),
                   .lexical = *mode != SearchMode::dense,
                   .fusion = request.fusion,
                   .alpha = request.alpha};
  query.terms = index->tokenizer().terms(request.query);
  std::sort(query.terms.begin(), query.terms.end());
  query.terms.erase(std::unique(query.terms.begin(), query.terms.end()), query.terms.end());
  std::optional<std::vector<float>> vector;
  if (*mode != SearchMode::bm25) {
    auto embedded = co_await embed_query(*index, *mode, request.query);
    if (!embedded) co_return embedded.error();
    vector = *std::move(embedded);
    if (vector) query.vector = &*vector;
  }

  SearchResult result;
  result.collection_id = index->collection().id;
  result.degraded = degraded;
  rank(*index, query, result);
  if (Status attached = co_await attach_text(*index, query.terms, result.hits); !attached)
    co_return attached.error();
  if (options_.duration) {
    const std::string_view label =
        query.lexical && query.vector ? "hybrid" : (query.vector ? "dense" : "bm25");
    options_.duration->observe(
        {label}, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  co_return result;
}

}  // namespace sluice::rag
