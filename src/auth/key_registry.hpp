#pragma once
// The virtual keys that can authenticate, held in memory by their secrets' digests: every
// request's lookup is one hash probe under a shared lock, never a store read. Fed by the key
// follower (the store's change log, so keys written on any replica) and by this replica's own
// admin writes at once.

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/secret_digest.hpp"
#include "core/principal.hpp"
#include "store/records.hpp"

namespace sluice::auth {

// A virtual key's principal: roles become permissions, its name the log field.
std::shared_ptr<const core::Principal> principal_of(const store::ApiKey& key);
// The permission bits of role names (admin, ingest, query; user = ingest and query); unknown
// names add nothing.
uint8_t permissions_of(const std::vector<std::string>& roles);

class KeyRegistry {
 public:
  explicit KeyRegistry(std::size_t max_keys) : max_keys_(max_keys) {}

  struct Match {
    std::shared_ptr<const core::Principal> principal;  // null: no such key (or revoked)
    int64_t expired_at_ms = 0;                         // > 0: the key matched but has expired
  };
  Match find(const Digest& digest, int64_t now_ms) const;

  // Takes in one key's latest version. A version older than the one held is ignored (the
  // follower may read a key that a local write has already replaced). False when the key is new
  // and max_keys keys are held already: it is left out.
  bool apply(const store::ApiKey& key);

  // The change_seq up to which the store's log has been read in order (local writes do not move
  // it: a write of another replica with a lower seq may still be unread).
  int64_t followed_seq() const;
  void set_followed_seq(int64_t seq);

  std::size_t size() const;  // keys that can authenticate (not revoked)
  // Whether any virtual key, even one revoked since, has ever been seen: from then on
  // authentication stays on, so that revoking the last key never opens the server.
  bool ever_held() const { return ever_held_.load(std::memory_order_acquire); }
  std::size_t max_keys() const { return max_keys_; }

 private:
  struct Held {
    int64_t change_seq = 0;
    bool revoked = false;
    std::vector<Digest> digests;  // current, then previous while it overlaps
  };
  struct Entry {
    std::shared_ptr<const core::Principal> principal;
    int64_t valid_until_ms = 0;  // 0 = no end
  };
  void forget_digests(Held& held);
  void drop_settled_revocations();

  const std::size_t max_keys_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Held> by_id_;
  std::unordered_map<Digest, Entry, DigestHash> by_digest_;
  std::vector<std::string> revoked_ids_;  // held only until the follower has read past them
  std::size_t active_ = 0;
  int64_t followed_seq_ = 0;
  std::atomic<bool> ever_held_{false};
};

}  // namespace sluice::auth
