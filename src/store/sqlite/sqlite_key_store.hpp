#pragma once

#include "store/key_store.hpp"
#include "store/sqlite/context.hpp"

namespace sluice::store::sqlite {

class SqliteKeyStore final : public KeyStore {
 public:
  explicit SqliteKeyStore(Context& context) : context_(context) {}

  Result<ApiKey> create(ApiKey key) override;
  Result<ApiKey> get(const std::string& id) override;
  Result<Page<ApiKey>> list(const std::string& cursor, int limit) override;
  Result<ApiKey> update(ApiKey key) override;
  Result<std::vector<ApiKey>> changed_since(int64_t seq, int limit) override;

 private:
  Context& context_;
};

}  // namespace sluice::store::sqlite
