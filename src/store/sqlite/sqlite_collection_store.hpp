#pragma once

#include "store/collection_store.hpp"
#include "store/sqlite/context.hpp"

namespace sluice::store::sqlite {

class SqliteCollectionStore final : public CollectionStore {
 public:
  explicit SqliteCollectionStore(Context& context) : context_(context) {}

  Result<Collection> create(const std::string& name, const std::string& language,
                            const std::string& embedding_model, const std::string& tenant) override;
  Result<Collection> get(const std::string& id_or_key) override;
  Result<Page<Collection>> list(const std::string& cursor, int limit,
                                const std::optional<std::string>& tenant) override;
  Status remove(const std::string& id_or_key) override;

 private:
  Context& context_;
};

}  // namespace sluice::store::sqlite
