#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/audit_log.hpp"
#include "auth/jwt_verifier.hpp"
#include "auth/key_registry.hpp"
#include "auth/limiter.hpp"
#include "auth/secret_digest.hpp"
#include "core/config.hpp"
#include "http/server.hpp"

namespace sluice::auth {

// True for the API surface that needs a key: everything under /v1 and the RAG alias /query.
// Probes and metrics stay open so orchestrators can reach them without secrets.
bool requires_api_key(std::string_view path);

// Authenticates /v1 and /query requests by `Authorization: Bearer <key>` or `x-api-key: <key>`
// against the config file's keys and the store's virtual keys (a KeyRegistry), then enforces
// permissions (route_permissions): /v1/admin needs admin, other writes ingest or query, and the
// config file's readonly keys may only read. Answers 401/403 in OpenAI's error shape itself; on
// success puts the key's principal on the exchange and `,"key_name":...` in the log fields.
// Only SHA-256 digests of the keys are kept; config keys are compared in constant time.
// With a JwtVerifier set, a bearer credential shaped like a JWT is verified as one (its claims
// give the principal); a refused token gets the same 401 shape as an unknown key.
// Authentication is off while there is no config key, no JWT verifier and no virtual key has
// ever existed. Counts each request under one result: allowed, not_required, preflight,
// missing_key, invalid_key, admin_required, read_only, expired_key, permission_denied, auth_off,
// invalid_jwt, expired_jwt, jwt_busy.
// A JWT not seen before needs a signature check (milliseconds of public-key work): that runs on
// the blocking pool, at most kMaxPendingJwtChecks at once, so that a flood of fresh tokens can
// stall neither an event loop nor the callers it serves; beyond, 503 `overloaded` with
// Retry-After (counted as jwt_busy). Everything else is decided at once.
class ApiKeyFilter final : public http::Filter {
 public:
  // `registry` may be null (config keys only); it must outlive the filter. `now_ms` is the clock
  // keys expire by (milliseconds since the Unix epoch); empty = the system clock.
  ApiKeyFilter(const std::vector<core::ApiKeyConfig>& keys, KeyRegistry* registry,
               std::function<int64_t()> now_ms = {});

  static constexpr int kMaxPendingJwtChecks = 64;

  std::optional<http::FilterResult> on_request_now(http::Exchange& exchange) override {
    return decide(exchange, nullptr);
  }
  boost::asio::awaitable<http::FilterResult> on_request(http::Exchange& exchange) override;
  // Audits the admin API's changes (every /v1/admin method but GET and HEAD) with their status.
  void on_response(http::Exchange& exchange) override;

  // Where refused requests and admin changes are recorded; null (the default) = nowhere. Set
  // before serving; `audit` must outlive the filter.
  void set_audit(AuditLog* audit) { audit_ = audit; }
  // Verifies bearer JWTs; null (the default) = none accepted. Set before serving; `jwt` must
  // outlive the filter.
  void set_jwt_verifier(JwtVerifier* jwt) { jwt_ = jwt; }
  // Failed attempts (missing, wrong, expired keys and refused JWTs) per client address, beyond
  // `rate`, get 429 with Retry-After instead of 401, and are not audited: guessing keys and
  // filling the audit log are both bounded. Null (the default) = no limit. Set before serving;
  // `limiter` must outlive the filter.
  void set_failure_limit(Limiter* limiter, Rate rate) {
    failure_limiter_ = limiter;
    failure_rate_ = rate;
  }

 private:
  using JwtVerdict = Result<JwtIdentity, JwtFault>;
  // The decision, with `verified` the verdict of the presented JWT's signature check once it
  // ran; nullopt when that check is still to run.
  std::optional<http::FilterResult> decide(http::Exchange& exchange, const JwtVerdict* verified);
  // Records a refusal (`reason` as the result) when an audit log is set.
  void audit_refusal(const http::Exchange& exchange, std::string_view reason) const;
  struct ConfigKey {
    Digest digest;
    std::shared_ptr<const core::Principal> principal;
  };
  const ConfigKey* find_config_key(const Digest& digest) const;
  // True after answering 429 when the client address has used up its failed attempts.
  bool failures_exhausted(http::Exchange& exchange);
  // Answers 401 for a refused JWT, counted, logged with its fault and audited.
  void refuse_jwt(http::Exchange& exchange, JwtFault fault);

  std::vector<ConfigKey> keys_;
  KeyRegistry* registry_;
  std::function<int64_t()> now_ms_;
  AuditLog* audit_ = nullptr;
  JwtVerifier* jwt_ = nullptr;
  std::atomic<int> pending_jwt_checks_{0};
  Limiter* failure_limiter_ = nullptr;
  Rate failure_rate_;
};

// The filter for `auth`, `registry` (null: no store) and `jwt` (null: no JWTs). Adds
// `auth.admin_key` as an admin key named "admin_key", and wipes the plaintext keys from `auth`
// once hashed, so that only digests stay in the process's memory.
std::unique_ptr<ApiKeyFilter> make_api_key_filter(core::AuthConfig& auth, KeyRegistry* registry,
                                                  JwtVerifier* jwt = nullptr);

}  // namespace sluice::auth
