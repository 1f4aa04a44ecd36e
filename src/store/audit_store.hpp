#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/records.hpp"

namespace sluice::store {

// One admin action or refused request, as GET /v1/admin/audit shows it.
struct AuditEvent {
  int64_t seq = 0;  // assigned by the store, increasing
  int64_t at_ms = 0;
  std::string key_id;    // the virtual key's id; empty for config keys and unknown callers
  std::string key_name;  // the key's name; empty when no key was recognized
  std::string action;    // e.g. "POST /v1/admin/keys", "auth"
  std::string target;    // the object acted on (an id) or the path refused
  std::string result;    // the status code, or why the request was refused (invalid_key, ...)
  std::string request_id;
  std::string client;  // the peer's address
};

struct AuditFilter {
  std::string key_id;  // empty = any
  std::string action;
  std::string result;
  int64_t since_ms = 0;  // 0 = no bound
  int64_t until_ms = 0;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  // Stores the events (their seq assigned here) in one commit.
  virtual Status append(const std::vector<AuditEvent>& events) = 0;
  // Matching events, newest first; the cursor is the last seq seen.
  virtual Result<Page<AuditEvent>> list(const AuditFilter& filter, const std::string& cursor,
                                        int limit) = 0;
  // Deletes up to `limit` events older than `before_ms`; how many it deleted.
  virtual Result<int> prune(int64_t before_ms, int limit) = 0;
};

}  // namespace sluice::store
