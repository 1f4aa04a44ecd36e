#pragma once
// One ingest job's work: the stored body of a document version becomes its chunks (with their
// embeddings when the collection has an embedding model) in the store.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "rag/chunker.hpp"
#include "rag/collection_change_listener.hpp"
#include "rag/embedder.hpp"
#include "store/store.hpp"

namespace sluice::rag {

struct IngestOptions {
  ChunkingOptions chunking;
  std::size_t embed_batch = 64;  // texts per embeddings call
};

struct IngestOutcome {
  // superseded: a newer version (or a delete) overtook this one; nothing was written.
  bool superseded = false;
  int64_t bytes = 0;  // the body's size
  int64_t chunks = 0;
  // What was stored, when chunks were: for the change listener once it has committed.
  std::optional<store::IngestedVersion> ingested;
};

// A job's document version made ready to store: its chunks, embedded when the collection has an
// embedding model; none when a newer version (or a delete) overtook it.
struct PreparedIngest {
  bool superseded = false;
  int64_t bytes = 0;  // the body's size
  std::vector<store::Chunk> chunks;
  std::string found_title;  // the title the content gives (not the file name), or empty
  // What holding it costs in memory: the chunks' text and vectors.
  std::size_t held_bytes() const;
};

class IngestPipeline {
 public:
  // `store` and `embedder` must outlive the pipeline; `embedder` may be null while no embedding
  // API is configured: jobs of collections with an embedding model then fail, saying so.
  IngestPipeline(store::Store& store, Embedder* embedder, IngestOptions options,
                 CollectionChangeListener on_change = {});

  // Reads, parses and chunks the job's document version on the blocking pool, embeds the chunks
  // in batches, swaps them in with replace_chunks and tells the change listener. An unprocessable
  // error (the parser refused the document) is permanent; any other error is worth a retry.
  boost::asio::awaitable<Result<IngestOutcome>> run(const store::Job& job);

  // run() in its steps, for a worker that stores several jobs' chunks in one store batch:
  // prepare reads, parses, chunks and embeds; store swaps the chunks in (blocking: on the pool,
  // inside store::Store::batch or not); changed tells the listener once they are committed.
  boost::asio::awaitable<Result<PreparedIngest>> prepare(const store::Job& job);
  Result<IngestOutcome> store(const store::Job& job, PreparedIngest& prepared);
  void changed(const std::string& collection_id, std::vector<store::IngestedVersion> ingested = {});

 private:
  // The collection's embedding model (fixed for its lifetime; ids are never reused), read once.
  Result<std::string> embedding_model(const std::string& collection_id);

  store::Store& store_;
  Embedder* embedder_;
  IngestOptions options_;
  CollectionChangeListener on_change_;
  static constexpr std::size_t kMaxCachedModels = 1024;  // then the cache starts over
  std::mutex models_mutex_;
  std::unordered_map<std::string, std::string> embedding_models_;  // by collection id
};

}  // namespace sluice::rag
