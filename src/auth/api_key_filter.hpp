#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "http/server.hpp"

namespace sluice::auth {

enum class Role { admin, user, readonly };

// True for the API surface that needs a key: everything under /v1 and the RAG alias /query.
// Probes and metrics stay open so orchestrators can reach them without secrets.
bool requires_api_key(std::string_view path);

// Authenticates /v1 and /query requests by `Authorization: Bearer <key>` or `x-api-key: <key>`,
// then enforces roles: readonly keys may only read (GET/HEAD), /v1/admin needs admin. Answers
// 401/403 in OpenAI's error shape itself; on success records the key's name in the exchange
// and appends `,"key_name":...` to the log fields. Only SHA-256 digests of the keys are kept,
// compared in constant time. Counts each request under one result: allowed, not_required,
// preflight, missing_key, invalid_key, admin_required, read_only.
class ApiKeyFilter final : public http::SyncFilter {
 public:
  explicit ApiKeyFilter(const std::vector<core::ApiKeyConfig>& keys);

  http::FilterResult decide(http::Exchange& exchange) override;

 private:
  using Digest = std::array<unsigned char, 32>;
  struct Key {
    Digest digest;
    Role role;
    std::string name;       // as configured, or "api_keys.<index>"
    std::string log_field;  // pre-rendered `,"key_name":"..."`
  };
  const Key* find(std::string_view presented) const;

  std::vector<Key> keys_;
};

// The filter for `auth`, or null when no keys are configured (authentication off). Wipes the
// plaintext keys from `auth` once hashed, so that only digests stay in the process's memory.
std::unique_ptr<ApiKeyFilter> make_api_key_filter(core::AuthConfig& auth);

}  // namespace sluice::auth
