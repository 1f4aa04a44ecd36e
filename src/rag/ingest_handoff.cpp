#include "rag/ingest_handoff.hpp"

#include <iterator>

namespace sluice::rag {
namespace {

std::size_t bytes_of(const store::IngestedVersion& version) {
  const store::Document& doc = version.doc;
  return sizeof version + doc.title.size() + doc.external_id.size() + doc.metadata_json.size() +
         store::held_bytes(version.chunks) + version.chunks.size() * sizeof(store::Chunk);
}

}  // namespace

bool IngestHandoff::offer(const std::string& collection_id, store::IngestedVersion version) {
  const std::size_t bytes = bytes_of(version);
  std::lock_guard lock(mutex_);
  Documents& documents = collections_[collection_id];
  auto it = documents.find(version.doc.id);
  if (it != documents.end()) {
    if (it->second.version.change_seq >= version.change_seq) return false;
    erase(documents, it);
  }
  if (bytes_ + bytes > max_bytes_) {
    if (documents.empty()) collections_.erase(collection_id);
    return false;
  }
  bytes_ += bytes;
  ++versions_;
  const std::string id = version.doc.id;
  documents.emplace(id, Held{std::move(version), bytes});
  return true;
}

std::optional<store::IngestedVersion> IngestHandoff::take(const std::string& collection_id,
                                                          const store::DocumentChange& change) {
  std::lock_guard lock(mutex_);
  auto collection = collections_.find(collection_id);
  if (collection == collections_.end()) return std::nullopt;
  Documents& documents = collection->second;
  auto it = documents.find(change.document_id);
  if (it == documents.end() || it->second.version.change_seq > change.change_seq)
    return std::nullopt;
  std::optional<store::IngestedVersion> taken;
  if (change.kind == store::DocumentChange::Kind::upserted &&
      it->second.version.change_seq == change.change_seq)
    taken = std::move(it->second.version);
  erase(documents, it);
  if (documents.empty()) collections_.erase(collection);
  return taken;
}

void IngestHandoff::forget_through(const std::string& collection_id, int64_t seq) {
  std::lock_guard lock(mutex_);
  auto collection = collections_.find(collection_id);
  if (collection == collections_.end()) return;
  Documents& documents = collection->second;
  for (auto it = documents.begin(); it != documents.end();) {
    auto next = std::next(it);
    if (it->second.version.change_seq <= seq) erase(documents, it);
    it = next;
  }
  if (documents.empty()) collections_.erase(collection);
}

void IngestHandoff::forget_collection(const std::string& collection_id) {
  forget_through(collection_id, INT64_MAX);
}

std::size_t IngestHandoff::held_bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

std::size_t IngestHandoff::held_versions() const {
  std::lock_guard lock(mutex_);
  return versions_;
}

void IngestHandoff::erase(Documents& documents, Documents::iterator it) {
  bytes_ -= it->second.bytes;
  --versions_;
  documents.erase(it);
}

}  // namespace sluice::rag
