#include "rag/collection_index.hpp"

#include <boost/json/parse.hpp>

namespace sluice::rag {
namespace {

boost::json::object parse_metadata(const std::string& text) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(text, error);
  if (error || !value.is_object()) return {};
  return std::move(value.as_object());
}

}  // namespace

Result<std::unique_ptr<CollectionIndex>> CollectionIndex::create(
    const store::Collection& collection) {
  auto tokenizer = Tokenizer::create(collection.language);
  if (!tokenizer) return tokenizer.error();
  return std::unique_ptr<CollectionIndex>(new CollectionIndex(collection, *std::move(tokenizer)));
}

CollectionIndex::CollectionIndex(const store::Collection& collection, Tokenizer tokenizer)
    : collection_(collection),
      tokenizer_(std::move(tokenizer)),
      lexical_(std::make_unique<LexicalIndex>()) {}

CollectionIndex::CollectionIndex(const store::Collection& collection, Tokenizer tokenizer,
                                 std::unique_ptr<LexicalIndex> lexical,
                                 std::unique_ptr<VectorIndex> vectors, CollectionCatalog catalog)
    : collection_(collection),
      tokenizer_(std::move(tokenizer)),
      lexical_(std::move(lexical)),
      vectors_(std::move(vectors)),
      catalog_(std::move(catalog)),
      chunk_count_(catalog_.chunks.size()) {}

CollectionIndex::~CollectionIndex() = default;

const ChunkInfo* CollectionIndex::chunk(int64_t chunk_id) const {
  auto it = catalog_.chunks.find(chunk_id);
  return it == catalog_.chunks.end() ? nullptr : &it->second;
}

DocumentInfo& CollectionIndex::document_info(const store::Document& document) {
  auto& slot = catalog_.documents[document.id];
  if (!slot) slot = std::make_unique<DocumentInfo>();
  DocumentInfo& info = *slot;
  info.id = document.id;
  info.external_id = document.external_id;
  info.title = document.title;
  info.tags = document.tags;
  if (info.metadata_json != document.metadata_json) {
    info.metadata_json = document.metadata_json;
    info.metadata = parse_metadata(document.metadata_json);
  }
  return info;
}

FieldTerms CollectionIndex::terms_of(const DocumentInfo& document,
                                     const store::Chunk& chunk) const {
  FieldTerms terms;
  terms.body = tokenizer_.terms(chunk.text);
  terms.title = tokenizer_.terms(document.title);
  terms.heading = tokenizer_.terms(chunk.heading_path);
  return terms;
}

void CollectionIndex::add_vectors(std::span<const store::Chunk> chunks) {
  if (!has_embedding_model()) return;
  for (const store::Chunk& chunk : chunks) {
    if (chunk.embedding.empty()) continue;
    if (!vectors_) {
      std::unique_lock lock(lock_);  // readers see the pointer change
      vectors_ = std::make_unique<VectorIndex>(chunk.embedding.size());
    }
    if (chunk.embedding.size() == vectors_->dimension())
      vectors_->add(chunk.id, chunk.embedding);
    else
      ++skipped_embeddings_;
  }
}

void CollectionIndex::insert_chunk(DocumentInfo& document, const store::Chunk& chunk,
                                   const FieldTerms& terms) {
  lexical_->add(chunk.id, document.id, terms);
  auto [it, inserted] = catalog_.chunks.insert_or_assign(
      chunk.id, ChunkInfo{&document, chunk.ordinal, chunk.page, chunk.heading_path});
  if (inserted) {
    document.chunk_ids.push_back(chunk.id);
    chunk_count_.fetch_add(1, std::memory_order_relaxed);
  }
}

void CollectionIndex::erase_chunks(DocumentInfo& document,
                                   const std::unordered_set<int64_t>& keep_vectors) {
  lexical_->remove_document(document.id);
  for (int64_t id : document.chunk_ids) {
    if (vectors_ && !keep_vectors.contains(id)) vectors_->remove(id);
    catalog_.chunks.erase(id);
  }
  chunk_count_.fetch_sub(document.chunk_ids.size(), std::memory_order_relaxed);
  document.chunk_ids.clear();
}

void CollectionIndex::upsert_document(const store::Document& document,
                                      const std::vector<store::Chunk>& chunks) {
  // Tokenize before taking the lock: searches wait only for the swap itself. The title once.
  const std::vector<std::string> title = tokenizer_.terms(document.title);
  std::vector<FieldTerms> terms(chunks.size());
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    terms[i].body = tokenizer_.terms(chunks[i].text);
    terms[i].title = title;
    terms[i].heading = tokenizer_.terms(chunks[i].heading_path);
  }

  // Vectors go in first, outside the lock: an HNSW insertion takes about a millisecond, which
  // searches would otherwise wait for. Readers skip vectors the catalog does not know yet.
  add_vectors(chunks);
  std::unordered_set<int64_t> kept;
  for (const store::Chunk& chunk : chunks) kept.insert(chunk.id);

  std::unique_lock lock(lock_);
  DocumentInfo& info = document_info(document);
  erase_chunks(info, kept);
  for (std::size_t i = 0; i < chunks.size(); ++i) insert_chunk(info, chunks[i], terms[i]);
}

void CollectionIndex::remove_document(const std::string& document_id) {
  std::unique_lock lock(lock_);
  auto it = catalog_.documents.find(document_id);
  if (it == catalog_.documents.end()) return;
  erase_chunks(*it->second, {});
  catalog_.documents.erase(it);
}

void CollectionIndex::put_document(const store::Document& document) {
  std::unique_lock lock(lock_);
  document_info(document);
}

bool CollectionIndex::add_chunk(const store::Chunk& chunk) {
  DocumentInfo* info = nullptr;
  {
    std::shared_lock lock(lock_);
    auto it = catalog_.documents.find(chunk.document_id);
    if (it == catalog_.documents.end()) return false;
    info = it->second.get();
  }
  const FieldTerms terms = terms_of(*info, chunk);  // only this writer changes `info`
  add_vectors(std::span(&chunk, 1));
  std::unique_lock lock(lock_);
  insert_chunk(*info, chunk, terms);
  return true;
}

}  // namespace sluice::rag
