#pragma once

#include <vector>

#include "store/audit_store.hpp"

namespace sluice::auth::testing {

// An AuditStore in memory, for tests of what gets audited.
class MemoryAuditStore final : public store::AuditStore {
 public:
  bool fail = false;
  std::vector<store::AuditEvent> events;
  int commits = 0;

  Status append(const std::vector<store::AuditEvent>& batch) override {
    if (fail) return make_error(Errc::unavailable, "database is locked");
    ++commits;
    events.insert(events.end(), batch.begin(), batch.end());
    return Status::success();
  }
  Result<store::Page<store::AuditEvent>> list(const store::AuditFilter&, const std::string&,
                                              int) override {
    return store::Page<store::AuditEvent>{};
  }
  Result<int> prune(int64_t before_ms, int limit) override {
    int deleted = 0;
    std::erase_if(events, [&](const store::AuditEvent& e) {
      return e.at_ms < before_ms && deleted < limit && ++deleted;
    });
    ++prunes;
    return deleted;
  }
  int prunes = 0;
};

}  // namespace sluice::auth::testing
