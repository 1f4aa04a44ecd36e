#include "rag/ingest_pipeline.hpp"

#include <algorithm>
#include <optional>

#include "ops/blocking_pool.hpp"
#include "rag/parsers/document_parser.hpp"

namespace sluice::rag {
namespace {

// The document version parsed and chunked, with the model to embed its chunks with (if any).
struct Parsed {
  PreparedIngest prepared;
  std::string embedding_model;
};

Result<Parsed> parse_and_chunk(store::Store& store, const store::Job& job,
                               const ChunkingOptions& chunking,
                               const std::function<Result<std::string>()>& embedding_model) {
  Parsed out;
  PreparedIngest& prepared = out.prepared;
  auto body = store.documents().body(job.document_id);
  if (!body) {
    if (body.error().code != Errc::not_found) return body.error();
    prepared.superseded = true;  // deleted since the upload
    return out;
  }
  if (body->version != job.document_version) {
    prepared.superseded = true;
    return out;
  }
  auto model = embedding_model();
  if (!model) return model.error();
  out.embedding_model = *std::move(model);
  prepared.bytes = static_cast<int64_t>(body->bytes.size());
  auto parsed = parse_document(body->bytes, body->media_type, body->source_name);
  if (!parsed) return parsed.error();
  if (!parsed->title_from_file_name) prepared.found_title = parsed->title;
  std::vector<TextChunk> pieces = chunk_document(*parsed, chunking);
  if (pieces.empty()) return make_error(Errc::unprocessable, "the document has no text to index");
  prepared.chunks.reserve(pieces.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    store::Chunk chunk;
    chunk.ordinal = static_cast<int>(i);
    chunk.text = std::move(pieces[i].text);
    chunk.heading_path = std::move(pieces[i].heading_path);
    chunk.page = pieces[i].page;
    chunk.token_count = pieces[i].token_count;
    prepared.chunks.push_back(std::move(chunk));
  }
  return out;
}

}  // namespace

std::size_t PreparedIngest::held_bytes() const { return store::held_bytes(chunks); }

IngestPipeline::IngestPipeline(store::Store& store, Embedder* embedder, IngestOptions options,
                               CollectionChangeListener on_change)
    : store_(store), embedder_(embedder), options_(options), on_change_(std::move(on_change)) {
  options_.embed_batch = std::max<std::size_t>(1, options_.embed_batch);
}

boost::asio::awaitable<Result<IngestOutcome>> IngestPipeline::run(const store::Job& job) {
  auto prepared = co_await prepare(job);
  if (!prepared) co_return prepared.error();
  auto outcome = co_await ops::run_blocking([&] { return store(job, *prepared); });
  if (outcome && !outcome->superseded) {
    std::vector<store::IngestedVersion> ingested;
    if (outcome->ingested) ingested.push_back(*std::move(outcome->ingested));
    outcome->ingested.reset();
    changed(job.collection_id, std::move(ingested));
  }
  co_return outcome;
}

boost::asio::awaitable<Result<PreparedIngest>> IngestPipeline::prepare(const store::Job& job) {
  auto parsed = co_await ops::run_blocking([this, &job] {
    return parse_and_chunk(store_, job, options_.chunking,
                           [&] { return embedding_model(job.collection_id); });
  });
  if (!parsed) co_return parsed.error();
  PreparedIngest& prepared = parsed->prepared;
  if (prepared.superseded || parsed->embedding_model.empty()) co_return std::move(prepared);

  if (embedder_ == nullptr)
    co_return make_error(Errc::unavailable,
                         "the collection's embedding model '" + parsed->embedding_model +
                             "' needs an embeddings API, and none is configured");
  std::vector<store::Chunk>& chunks = prepared.chunks;
  std::vector<std::string> texts;
  for (std::size_t first = 0; first < chunks.size(); first += options_.embed_batch) {
    const std::size_t end = std::min(chunks.size(), first + options_.embed_batch);
    texts.clear();
    for (std::size_t i = first; i < end; ++i) texts.push_back(chunks[i].text);
    auto vectors = co_await embedder_->embed(parsed->embedding_model, texts);
    if (!vectors) co_return vectors.error();
    if (vectors->size() != texts.size())
      co_return make_error(Errc::bad_gateway,
                           "the embeddings API returned " + std::to_string(vectors->size()) +
                               " vectors for " + std::to_string(texts.size()) + " texts");
    for (std::size_t i = first; i < end; ++i)
      chunks[i].embedding = std::move((*vectors)[i - first]);
  }
  co_return std::move(prepared);
}

Result<IngestOutcome> IngestPipeline::store(const store::Job& job, PreparedIngest& prepared) {
  IngestOutcome outcome{prepared.superseded, prepared.bytes, 0, std::nullopt};
  if (prepared.superseded) return outcome;
  outcome.chunks = static_cast<int64_t>(prepared.chunks.size());
  auto stored = store_.documents().replace_chunks(job.document_id, job.document_version,
                                                  std::move(prepared.chunks), prepared.found_title);
  if (!stored) {
    // A newer version or a delete won the race: this version's chunks must not be stored.
    if (stored.error().code == Errc::conflict || stored.error().code == Errc::not_found) {
      outcome.superseded = true;
      outcome.chunks = 0;
      return outcome;
    }
    return stored.error();
  }
  outcome.ingested = *std::move(stored);
  return outcome;
}

Result<std::string> IngestPipeline::embedding_model(const std::string& collection_id) {
  {
    std::lock_guard lock(models_mutex_);
    if (auto it = embedding_models_.find(collection_id); it != embedding_models_.end())
      return it->second;
  }
  auto collection = store_.collections().get(collection_id);
  if (!collection) return collection.error();
  std::lock_guard lock(models_mutex_);
  if (embedding_models_.size() >= kMaxCachedModels) embedding_models_.clear();
  embedding_models_.emplace(collection_id, collection->embedding_model);
  return collection->embedding_model;
}

void IngestPipeline::changed(const std::string& collection_id,
                             std::vector<store::IngestedVersion> ingested) {
  if (on_change_) on_change_(collection_id, std::move(ingested));
}

}  // namespace sluice::rag
