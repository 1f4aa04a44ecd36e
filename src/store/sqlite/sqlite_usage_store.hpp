#pragma once

#include "store/sqlite/context.hpp"
#include "store/usage_store.hpp"

namespace sluice::store::sqlite {

class SqliteUsageStore final : public UsageStore {
 public:
  explicit SqliteUsageStore(Context& context) : context_(context) {}

  Status add(const std::vector<UsageRow>& rows) override;
  Result<std::vector<UsageRow>> for_key(const std::string& key_id, const std::string& from,
                                        const std::string& to) override;
  Result<std::vector<KeySpend>> spend(const std::string& day) override;

 private:
  Context& context_;
};

}  // namespace sluice::store::sqlite
