#pragma once

#include <string>

#include "core/result.hpp"
#include "store/records.hpp"

namespace sluice::store {

// Collections: named sets of documents with their language and embedding model.
class CollectionStore {
 public:
  virtual ~CollectionStore() = default;

  // A new, empty collection; conflict when `name` is taken.
  virtual Result<Collection> create(const std::string& name, const std::string& language,
                                    const std::string& embedding_model) = 0;
  // By id (col_...) or by name; not_found otherwise.
  virtual Result<Collection> get(const std::string& id_or_name) = 0;
  // Oldest first.
  virtual Result<Page<Collection>> list(const std::string& cursor, int limit) = 0;
  // Removes the collection (by id or name) with its documents, chunks, jobs and sessions.
  virtual Status remove(const std::string& id_or_name) = 0;
};

}  // namespace sluice::store
