#include "auth/key_registry.hpp"

#include <algorithm>
#include <mutex>

#include "core/json_text.hpp"

namespace sluice::auth {

uint8_t permissions_of(const std::vector<std::string>& roles) {
  uint8_t bits = 0;
  for (const std::string& role : roles) {
    if (role == "admin") bits |= static_cast<uint8_t>(core::Permission::admin);
    if (role == "ingest" || role == "user") bits |= static_cast<uint8_t>(core::Permission::ingest);
    if (role == "query" || role == "user") bits |= static_cast<uint8_t>(core::Permission::query);
  }
  return bits;
}

std::shared_ptr<const core::Principal> principal_of(const store::ApiKey& key) {
  auto principal = std::make_shared<core::Principal>();
  principal->key_id = key.id;
  principal->name = key.name.empty() ? key.id : key.name;
  principal->team = key.team;
  principal->tenant = core::tenant_of(key.team, "key:", key.id);
  principal->permissions = permissions_of(key.roles);
  principal->models = key.models;
  principal->collections = key.collections;
  principal->daily_budget_micro_usd = key.daily_budget_micro_usd;
  principal->monthly_budget_micro_usd = key.monthly_budget_micro_usd;
  principal->requests_per_minute = key.requests_per_minute;
  principal->tokens_per_minute = key.tokens_per_minute;
  principal->priority = core::parse_priority(key.priority).value_or(core::Priority::normal);
  principal->log_field = ",\"key_name\":";
  core::append_json_string(principal->log_field, principal->name);
  principal->log_field += ",\"key_id\":";
  core::append_json_string(principal->log_field, key.id);
  return principal;
}

KeyRegistry::Match KeyRegistry::find(const Digest& digest, int64_t now_ms) const {
  std::shared_lock lock(mutex_);
  const auto found = by_digest_.find(digest);
  if (found == by_digest_.end()) return {};
  const Entry& entry = found->second;
  if (entry.valid_until_ms != 0 && now_ms >= entry.valid_until_ms)
    return Match{nullptr, entry.valid_until_ms};
  return Match{entry.principal, 0};
}

void KeyRegistry::forget_digests(Held& held) {
  for (const Digest& digest : held.digests) by_digest_.erase(digest);
  held.digests.clear();
}

bool KeyRegistry::apply(const store::ApiKey& key) {
  std::unique_lock lock(mutex_);
  ever_held_.store(true, std::memory_order_release);
  auto [it, inserted] = by_id_.try_emplace(key.id);
  Held& held = it->second;
  if (!inserted && held.change_seq >= key.change_seq) return true;
  const bool was_active = !inserted && !held.revoked;
  const bool active = key.revoked_at_ms == 0;
  if (active && !was_active && active_ >= max_keys_) {
    if (inserted) by_id_.erase(it);
    return false;
  }
  forget_digests(held);
  held.change_seq = key.change_seq;
  held.revoked = !active;
  if (active && !was_active) ++active_;
  if (!active && was_active) --active_;
  if (!active) {
    revoked_ids_.push_back(key.id);
    drop_settled_revocations();
    return true;
  }
  const auto principal = principal_of(key);
  Digest digest;
  if (from_hex(key.secret_hash, digest)) {
    by_digest_[digest] = Entry{principal, key.expires_at_ms};
    held.digests.push_back(digest);
  }
  if (!key.previous_hash.empty() && from_hex(key.previous_hash, digest)) {
    int64_t until = key.previous_valid_until_ms;
    if (key.expires_at_ms != 0) until = std::min(until, key.expires_at_ms);
    by_digest_[digest] = Entry{principal, until};
    held.digests.push_back(digest);
  }
  return true;
}

// A revoked key is remembered so that an older version read later cannot bring it back, but only
// until the follower has read past its revocation: the follower reads each key's latest version.
void KeyRegistry::drop_settled_revocations() {
  std::erase_if(revoked_ids_, [this](const std::string& id) {
    const auto held = by_id_.find(id);
    if (held == by_id_.end() || !held->second.revoked) return true;
    if (held->second.change_seq > followed_seq_) return false;
    by_id_.erase(held);
    return true;
  });
}

int64_t KeyRegistry::followed_seq() const {
  std::shared_lock lock(mutex_);
  return followed_seq_;
}

void KeyRegistry::set_followed_seq(int64_t seq) {
  std::unique_lock lock(mutex_);
  followed_seq_ = std::max(followed_seq_, seq);
  drop_settled_revocations();
}

std::size_t KeyRegistry::size() const {
  std::shared_lock lock(mutex_);
  return active_;
}

}  // namespace sluice::auth
