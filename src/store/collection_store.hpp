#pragma once

#include <optional>
#include <string>

#include "core/result.hpp"
#include "store/records.hpp"

namespace sluice::store {

// The answer for a collection not found by id or key: it names the name, never the tenant.
inline Error collection_not_found(std::string_view id_or_key) {
  return make_error(
      Errc::not_found,
      "collection '" + std::string(collection_name_of(id_or_key)) + "' does not exist",
      "collection", "collection_not_found");
}

// Collections: named sets of documents with their language and embedding model.
class CollectionStore {
 public:
  virtual ~CollectionStore() = default;

  // A new, empty collection of `tenant`; conflict when `tenant` has one named `name`.
  virtual Result<Collection> create(const std::string& name, const std::string& language,
                                    const std::string& embedding_model,
                                    const std::string& tenant = "") = 0;
  // By id (col_..., in any tenant) or by key (collection_key: a name within its tenant);
  // not_found otherwise.
  virtual Result<Collection> get(const std::string& id_or_key) = 0;
  // Oldest first: `tenant`'s collections, or every tenant's when nullopt.
  virtual Result<Page<Collection>> list(const std::string& cursor, int limit,
                                        const std::optional<std::string>& tenant = {}) = 0;
  // Removes the collection (by id or key) with its documents, chunks, jobs and sessions.
  virtual Status remove(const std::string& id_or_key) = 0;
};

}  // namespace sluice::store
