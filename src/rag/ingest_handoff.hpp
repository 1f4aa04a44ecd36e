#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "store/document_store.hpp"

namespace sluice::rag {

// Document versions an ingest in this process has just committed, held for the index follower
// so that it applies them from memory instead of reading them back from the store.
//
// An entry stands for exactly what the store holds for its document at its change_seq: a
// collection's change_seq values are each given to one committed transaction, and every later
// change to a document's indexed fields or chunks gives it a new one. So an entry is used only
// for a change that names its document at its change_seq; a change at a later seq makes it stale
// (dropped), and anything not held is read from the store as before. Offer only what has
// committed. Bounded: past max_bytes, offers are refused (their changes are read back).
// Thread-safe.
class IngestHandoff {
 public:
  explicit IngestHandoff(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Holds `version` of a document of `collection_id`, replacing an older one of that document;
  // false (nothing held) when it would exceed max_bytes.
  bool offer(const std::string& collection_id, store::IngestedVersion version);
  // The held version for `change` when it is that change (same document, same change_seq); a
  // held version older than the change is dropped, a newer one kept for its own change.
  std::optional<store::IngestedVersion> take(const std::string& collection_id,
                                             const store::DocumentChange& change);
  // Drops the collection's versions at or below `seq` (its index is past them).
  void forget_through(const std::string& collection_id, int64_t seq);
  void forget_collection(const std::string& collection_id);

  std::size_t held_bytes() const;
  std::size_t held_versions() const;

 private:
  struct Held {
    store::IngestedVersion version;
    std::size_t bytes = 0;
  };
  using Documents = std::unordered_map<std::string, Held>;  // by document id

  void erase(Documents& documents, Documents::iterator it);

  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Documents> collections_;
  std::size_t bytes_ = 0;
  std::size_t versions_ = 0;
};

}  // namespace sluice::rag
