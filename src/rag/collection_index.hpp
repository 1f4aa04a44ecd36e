#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "rag/lexical_data.hpp"
#include "rag/lexical_index.hpp"
#include "rag/shared_lock.hpp"
#include "rag/tokenizer.hpp"
#include "rag/vector_index.hpp"
#include "store/records.hpp"

namespace sluice::rag {

// What filters and hit rendering need of a document, kept beside the indexes so that a search
// makes no store call until it fetches the final hits' text.
struct DocumentInfo {
  std::string id;
  std::string external_id;
  std::string title;
  std::vector<std::string> tags;
  std::string metadata_json;
  boost::json::object metadata;  // metadata_json parsed once, at index time
  std::vector<int64_t> chunk_ids;
};

struct ChunkInfo {
  const DocumentInfo* document = nullptr;  // owned by the same index
  int ordinal = 0;
  int page = 0;
  std::string heading_path;
};

// Per-document and per-chunk metadata of one collection.
struct CollectionCatalog {
  StringMap<std::unique_ptr<DocumentInfo>> documents;
  std::unordered_map<int64_t, ChunkInfo> chunks;
};

// One collection's searchable state: its BM25 index, its HNSW index (when the collection has an
// embedding model and its chunks carry embeddings) and its catalog. Index terms: the body from
// the chunk text, the title from the document's title, the heading from its heading path, all
// through the collection language's Tokenizer.
//
// Threads: one writer at a time (the registry's loader or follower). A document's update is
// atomic for readers: writers hold the exclusive lock while they swap a document's chunks, and
// readers hold `read_lock()` for everything they look up, so a search never sees a document half
// replaced or a chunk without its metadata.
class CollectionIndex {
 public:
  // invalid_request when the collection's language has no tokenizer.
  static Result<std::unique_ptr<CollectionIndex>> create(const store::Collection& collection);
  // From snapshot parts; `vectors` may be null.
  CollectionIndex(const store::Collection& collection, Tokenizer tokenizer,
                  std::unique_ptr<LexicalIndex> lexical, std::unique_ptr<VectorIndex> vectors,
                  CollectionCatalog catalog);
  ~CollectionIndex();

  // Fixed for the collection's lifetime: id, name, language, embedding model.
  const store::Collection& collection() const { return collection_; }
  const Tokenizer& tokenizer() const { return tokenizer_; }
  bool has_embedding_model() const { return !collection_.embedding_model.empty(); }

  // The collection's change sequence these indexes reflect.
  int64_t version() const { return version_.load(std::memory_order_acquire); }
  void set_version(int64_t version) { version_.store(version, std::memory_order_release); }
  std::size_t chunk_count() const { return chunk_count_.load(std::memory_order_relaxed); }

  // Writers.
  // Replaces the document's metadata and chunks (none: only its metadata is kept).
  void upsert_document(const store::Document& document, const std::vector<store::Chunk>& chunks);
  void remove_document(const std::string& document_id);
  // For a rebuild, which pages chunks apart from their documents: the document's metadata
  // first, then each chunk. add_chunk is false (and adds nothing) when the document is unknown.
  void put_document(const store::Document& document);
  bool add_chunk(const store::Chunk& chunk);
  // Chunks whose embedding was left out of the vector index (wrong dimension).
  std::size_t skipped_embeddings() const { return skipped_embeddings_; }

  // Readers: everything below is valid while the returned lock is held.
  std::shared_lock<WriterPreferringSharedMutex> read_lock() const {
    return std::shared_lock(lock_);
  }
  const LexicalIndex& lexical() const { return *lexical_; }
  const VectorIndex* vectors() const { return vectors_.get(); }  // null: no embeddings yet
  const CollectionCatalog& catalog() const { return catalog_; }
  const ChunkInfo* chunk(int64_t chunk_id) const;

 private:
  explicit CollectionIndex(const store::Collection& collection, Tokenizer tokenizer);
  DocumentInfo& document_info(const store::Document& document);
  FieldTerms terms_of(const DocumentInfo& document, const store::Chunk& chunk) const;
  void insert_chunk(DocumentInfo& document, const store::Chunk& chunk, const FieldTerms& terms);
  void erase_chunks(DocumentInfo& document);

  store::Collection collection_;
  Tokenizer tokenizer_;
  std::unique_ptr<LexicalIndex> lexical_;
  std::unique_ptr<VectorIndex> vectors_;
  CollectionCatalog catalog_;
  std::atomic<int64_t> version_{0};
  std::atomic<std::size_t> chunk_count_{0};
  std::size_t skipped_embeddings_ = 0;
  mutable WriterPreferringSharedMutex lock_;
};

}  // namespace sluice::rag
