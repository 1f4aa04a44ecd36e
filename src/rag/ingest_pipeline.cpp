#include "rag/ingest_pipeline.hpp"

#include <algorithm>
#include <optional>

#include "ops/blocking_pool.hpp"
#include "rag/parsers/document_parser.hpp"

namespace sluice::rag {
namespace {

// The document version's chunks, ready to store; or nothing when the version is stale.
struct Prepared {
  bool superseded = false;
  std::string embedding_model;
  int64_t bytes = 0;
  std::vector<store::Chunk> chunks;
};

Result<Prepared> prepare(store::Store& store, const store::Job& job,
                         const ChunkingOptions& chunking) {
  Prepared prepared;
  auto document = store.documents().get(job.document_id);
  if (!document) {
    if (document.error().code != Errc::not_found) return document.error();
    prepared.superseded = true;  // deleted since the upload
    return prepared;
  }
  if (document->version != job.document_version) {
    prepared.superseded = true;
    return prepared;
  }
  auto collection = store.collections().get(job.collection_id);
  if (!collection) return collection.error();
  auto body = store.documents().body(job.document_id);
  if (!body) return body.error();
  prepared.embedding_model = collection->embedding_model;
  prepared.bytes = static_cast<int64_t>(body->size());
  auto parsed = parse_document(*body, document->media_type, document->source_name);
  if (!parsed) return parsed.error();
  if (parsed->title.empty()) parsed->title = document->title;
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
  return prepared;
}

}  // namespace

IngestPipeline::IngestPipeline(store::Store& store, Embedder* embedder, IngestOptions options,
                               CollectionChangeListener on_change)
    : store_(store), embedder_(embedder), options_(options), on_change_(std::move(on_change)) {
  options_.embed_batch = std::max<std::size_t>(1, options_.embed_batch);
}

boost::asio::awaitable<Result<IngestOutcome>> IngestPipeline::run(const store::Job& job) {
  auto prepared =
      co_await ops::run_blocking([this, &job] { return prepare(store_, job, options_.chunking); });
  if (!prepared) co_return prepared.error();
  IngestOutcome outcome{prepared->superseded, prepared->bytes, 0};
  if (prepared->superseded) co_return outcome;

  std::vector<store::Chunk>& chunks = prepared->chunks;
  if (!prepared->embedding_model.empty()) {
    if (embedder_ == nullptr)
      co_return make_error(Errc::unavailable,
                           "the collection's embedding model '" + prepared->embedding_model +
                               "' needs an embeddings API, and none is configured");
    std::vector<std::string> texts;
    for (std::size_t first = 0; first < chunks.size(); first += options_.embed_batch) {
      const std::size_t end = std::min(chunks.size(), first + options_.embed_batch);
      texts.clear();
      for (std::size_t i = first; i < end; ++i) texts.push_back(chunks[i].text);
      auto vectors = co_await embedder_->embed(prepared->embedding_model, texts);
      if (!vectors) co_return vectors.error();
      if (vectors->size() != texts.size())
        co_return make_error(Errc::bad_gateway,
                             "the embeddings API returned " + std::to_string(vectors->size()) +
                                 " vectors for " + std::to_string(texts.size()) + " texts");
      for (std::size_t i = first; i < end; ++i)
        chunks[i].embedding = std::move((*vectors)[i - first]);
    }
  }

  outcome.chunks = static_cast<int64_t>(chunks.size());
  const Status stored = co_await ops::run_blocking([this, &job, &chunks] {
    return store_.documents().replace_chunks(job.document_id, job.document_version,
                                             std::move(chunks));
  });
  if (!stored) {
    // A newer version or a delete won the race: this version's chunks must not be stored.
    if (stored.error().code == Errc::conflict || stored.error().code == Errc::not_found) {
      outcome.superseded = true;
      outcome.chunks = 0;
      co_return outcome;
    }
    co_return stored.error();
  }
  if (on_change_) on_change_(job.collection_id);
  co_return outcome;
}

}  // namespace sluice::rag
