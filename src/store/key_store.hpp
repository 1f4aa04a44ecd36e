#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/records.hpp"

namespace sluice::store {

// Virtual API keys. Every write gives the key the next change_seq over all keys, so that each
// replica's in-memory key table follows the store by reading what changed past its own.
class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Stores `key` (its id, times and change_seq are assigned here) and returns it; conflict when
  // its secret_hash is already some key's.
  virtual Result<ApiKey> create(ApiKey key) = 0;
  virtual Result<ApiKey> get(const std::string& id) = 0;
  // In creation order; revoked keys included.
  virtual Result<Page<ApiKey>> list(const std::string& cursor, int limit) = 0;
  // Replaces every field of the key with `key.id` but its id and created_at_ms; not_found if it
  // does not exist, conflict if its new secret_hash is another key's.
  virtual Result<ApiKey> update(ApiKey key) = 0;
  // Keys written after change_seq `seq`, in write order, at most `limit` (clamped to
  // kMaxPageLimit).
  virtual Result<std::vector<ApiKey>> changed_since(int64_t seq, int limit) = 0;
};

}  // namespace sluice::store
