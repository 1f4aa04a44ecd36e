#pragma once

#include "store/audit_store.hpp"
#include "store/sqlite/context.hpp"

namespace sluice::store::sqlite {

class SqliteAuditStore final : public AuditStore {
 public:
  explicit SqliteAuditStore(Context& context) : context_(context) {}

  Status append(const std::vector<AuditEvent>& events) override;
  Result<Page<AuditEvent>> list(const AuditFilter& filter, const std::string& cursor,
                                int limit) override;
  Result<int> prune(int64_t before_ms, int limit) override;

 private:
  Context& context_;
};

}  // namespace sluice::store::sqlite
