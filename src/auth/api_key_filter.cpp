#include "auth/api_key_filter.hpp"

#include <openssl/crypto.h>
#include <strings.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "auth/address_key.hpp"
#include "auth/route_permissions.hpp"
#include "core/clock.hpp"
#include "core/json_text.hpp"
#include "ops/blocking_pool.hpp"

namespace sluice::auth {
namespace {

// OpenAI's wording and shape for these cases, so that SDKs show their usual messages.
constexpr std::string_view kMissingKey =
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
constexpr std::string_view kIncorrectKey = "Incorrect API key provided.";
constexpr std::string_view kExpiredKey = "This API key has expired.";
constexpr std::string_view kInvalidToken = "Invalid bearer token.";
constexpr std::string_view kExpiredToken = "This bearer token has expired.";
// A refused request's path is audited up to this long: a stranger's junk stays small.
constexpr std::size_t kMaxAuditedPath = 256;

// The filter's counters, in FilterStats order.
namespace result {
enum : std::size_t {
  allowed,
  not_required,
  preflight,
  missing_key,
  invalid_key,
  admin_required,
  read_only,
  expired_key,
  permission_denied,
  auth_off,
  invalid_jwt,
  expired_jwt,
  jwt_busy,
  failures_limited
};
}  // namespace result
std::vector<std::string> result_names() {
  return {"allowed",        "not_required", "preflight",   "missing_key",       "invalid_key",
          "admin_required", "read_only",    "expired_key", "permission_denied", "auth_off",
          "invalid_jwt",    "expired_jwt",  "jwt_busy",    "failures_limited"};
}

std::shared_ptr<const core::Principal> config_principal(const core::ApiKeyConfig& key,
                                                        std::size_t index) {
  auto principal = std::make_shared<core::Principal>();
  // Unnamed keys are logged by their config position, never by any part of the key.
  principal->name = key.name.empty() ? "api_keys." + std::to_string(index) : key.name;
  principal->team = key.team;
  principal->tenant = key.team;
  principal->read_only = key.role == "readonly";
  if (!principal->read_only) principal->permissions = permissions_of({key.role});
  principal->requests_per_minute = key.requests_per_minute;
  principal->tokens_per_minute = key.tokens_per_minute;
  principal->log_field = ",\"key_name\":";
  core::append_json_string(principal->log_field, principal->name);
  return principal;
}

// The key from `Authorization: Bearer <key>` (scheme case-insensitive, RFC 9110), else from
// `x-api-key`; empty when neither carries one.
std::string_view presented_key(const http::Request& request) {
  std::string_view authorization = request.header("authorization");
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() > kScheme.size() &&
      strncasecmp(authorization.data(), kScheme.data(), kScheme.size()) == 0) {
    authorization.remove_prefix(kScheme.size());
    while (!authorization.empty() && authorization.front() == ' ') authorization.remove_prefix(1);
    while (!authorization.empty() && authorization.back() == ' ') authorization.remove_suffix(1);
    if (!authorization.empty()) return authorization;
  }
  return request.header("x-api-key");
}

// OpenAI answers the 401 cases with type invalid_request_error (not our Errc mapping's
// authentication_error), and clients match on it.
void reject_unauthenticated(http::Exchange& exchange, std::string_view message,
                            std::string_view code, std::string_view log_reason) {
  std::string body = "{\"error\":{\"message\":";
  core::append_json_string(body, message);
  body += ",\"type\":\"invalid_request_error\",\"param\":null,\"code\":";
  if (code.empty())
    body += "null";
  else
    core::append_json_string(body, code);
  body += "}}";
  exchange.response.set_json(401, std::move(body));
  exchange.response.add_header("WWW-Authenticate", "Bearer");
  exchange.log_fields += ",\"auth_error\":\"";
  exchange.log_fields += log_reason;
  exchange.log_fields += '"';
}

}  // namespace

bool requires_api_key(std::string_view path) {
  return path == "/v1" || path.starts_with("/v1/") || path == "/query";
}

ApiKeyFilter::ApiKeyFilter(const std::vector<core::ApiKeyConfig>& keys, KeyRegistry* registry,
                           std::function<int64_t()> now_ms)
    : Filter("api_key", result_names()),
      registry_(registry),
      now_ms_(now_ms ? std::move(now_ms) : core::unix_milliseconds) {
  keys_.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ConfigKey key;
    if (!digest_of(keys[i].key, key.digest)) throw std::runtime_error("SHA-256 is unavailable");
    key.principal = config_principal(keys[i], i);
    keys_.push_back(std::move(key));
  }
}

// Compares the digest with every config key's, without stopping at a match: the time taken
// depends on neither the key nor which entry it matches.
const ApiKeyFilter::ConfigKey* ApiKeyFilter::find_config_key(const Digest& digest) const {
  const ConfigKey* found = nullptr;
  for (const ConfigKey& key : keys_) {
    const bool equal = CRYPTO_memcmp(key.digest.data(), digest.data(), digest.size()) == 0;
    found = equal ? &key : found;
  }
  return found;
}

std::optional<http::FilterResult> ApiKeyFilter::decide(http::Exchange& exchange,
                                                       const JwtVerdict* verified) {
  using http::FilterResult;
  const http::Request& request = exchange.request;
  // Judge both the route template and the raw path: whichever says "protected" wins, so that a
  // path the router maps oddly cannot slip past, and an unknown /v1 path gets 401, not a 404
  // that would tell a stranger which routes exist.
  const std::string_view route = exchange.route;
  if (!requires_api_key(route) && !requires_api_key(request.path)) {
    count(result::not_required);
    return FilterResult::next;
  }
  // Browsers send CORS preflights without credentials; CORS (or, with CORS off, the server)
  // answers them the same way for every path.
  if (request.is_cors_preflight()) {
    count(result::preflight);
    return FilterResult::next;
  }
  if (keys_.empty() && jwt_ == nullptr && (registry_ == nullptr || !registry_->ever_held())) {
    count(result::auth_off);
    return FilterResult::next;
  }

  const std::string_view presented = presented_key(request);
  if (presented.empty()) {
    if (failures_exhausted(exchange)) return FilterResult::responded;
    count(result::missing_key);
    reject_unauthenticated(exchange, kMissingKey, {}, "missing_key");
    audit_refusal(exchange, "missing_key");
    return FilterResult::responded;
  }
  Digest digest;
  if (!digest_of(presented, digest)) throw std::runtime_error("SHA-256 is unavailable");
  std::shared_ptr<const core::Principal> principal;
  if (const ConfigKey* key = find_config_key(digest)) principal = key->principal;
  if (!principal && jwt_ && looks_like_jwt(presented)) {
    std::optional<JwtVerdict> known;
    if (!verified) {
      known = jwt_->verify_without_signature(presented, digest);
      if (!known) {  // on_request checks the signature off the event loop
        OPENSSL_cleanse(digest.data(), digest.size());
        return std::nullopt;
      }
      verified = &*known;
    }
    if (!*verified) {
      OPENSSL_cleanse(digest.data(), digest.size());
      if (failures_exhausted(exchange)) return FilterResult::responded;
      refuse_jwt(exchange, verified->error());
      return FilterResult::responded;
    }
    principal = (*verified)->principal;
  }
  if (!principal && registry_) {
    KeyRegistry::Match match = registry_->find(digest, now_ms_());
    if (match.expired_at_ms > 0) {
      OPENSSL_cleanse(digest.data(), digest.size());
      if (failures_exhausted(exchange)) return FilterResult::responded;
      count(result::expired_key);
      reject_unauthenticated(exchange, kExpiredKey, "invalid_api_key", "expired_key");
      audit_refusal(exchange, "expired_key");
      return FilterResult::responded;
    }
    principal = std::move(match.principal);
  }
  OPENSSL_cleanse(digest.data(), digest.size());
  if (!principal) {
    if (failures_exhausted(exchange)) return FilterResult::responded;
    count(result::invalid_key);
    reject_unauthenticated(exchange, kIncorrectKey, "invalid_api_key", "invalid_key");
    audit_refusal(exchange, "invalid_key");
    return FilterResult::responded;
  }
  exchange.log_fields += principal->log_field;
  exchange.api_key_name = principal->name;
  exchange.principal = std::move(principal);
  const core::Principal& who = *exchange.principal;

  if (!who.has(core::Permission::admin) && (is_admin_path(route) || is_admin_path(request.path))) {
    count(result::admin_required);
    exchange.response.set_error(
        make_error(Errc::forbidden, "this endpoint requires an admin API key"));
    audit_refusal(exchange, "admin_required");
    return FilterResult::responded;
  }
  const bool reading = request.method == "GET" || request.method == "HEAD";
  if (who.read_only && !reading) {
    count(result::read_only);
    exchange.response.set_error(make_error(Errc::forbidden, "this API key is read-only"));
    audit_refusal(exchange, "read_only");
    return FilterResult::responded;
  }
  const auto needed =
      required_permission(request.method, route == "unmatched" ? request.path : route);
  if (needed && !who.has(*needed)) {
    count(result::permission_denied);
    exchange.response.set_error(
        make_error(Errc::forbidden, "this endpoint requires an API key with the '" +
                                        std::string(permission_name(*needed)) + "' role"));
    audit_refusal(exchange, "permission_denied");
    return FilterResult::responded;
  }
  count(result::allowed);
  return FilterResult::next;
}

boost::asio::awaitable<http::FilterResult> ApiKeyFilter::on_request(http::Exchange& exchange) {
  // Reached only when decide() needs a JWT's signature checked.
  if (pending_jwt_checks_.fetch_add(1, std::memory_order_relaxed) >= kMaxPendingJwtChecks) {
    pending_jwt_checks_.fetch_sub(1, std::memory_order_relaxed);
    count(result::jwt_busy);
    exchange.response.set_error(
        make_error(Errc::unavailable, "too many new bearer tokens to verify at once; retry shortly",
                   {}, "overloaded"));
    exchange.response.add_header("Retry-After", "1");
    co_return http::FilterResult::responded;
  }
  struct Release {
    std::atomic<int>& pending;
    ~Release() { pending.fetch_sub(1, std::memory_order_relaxed); }
  } release{pending_jwt_checks_};
  const std::string_view token = presented_key(exchange.request);
  JwtVerdict verdict = co_await ops::run_blocking([this, token] { return jwt_->verify(token); });
  const std::optional<http::FilterResult> decided = decide(exchange, &verdict);
  co_return decided.value_or(http::FilterResult::responded);
}

bool ApiKeyFilter::failures_exhausted(http::Exchange& exchange) {
  if (!failure_limiter_) return false;
  const LimitCheck check{address_key(exchange.client_address, "auth-failures:"), failure_rate_, 1};
  LimitState state;
  const int64_t now_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(exchange.started.time_since_epoch())
          .count();
  if (failure_limiter_->acquire(std::span(&check, 1), std::span(&state, 1), now_ns)) return false;
  count(result::failures_limited);
  const int64_t seconds =
      std::max<int64_t>(1, (state.retry_after_ns + 999'999'999) / 1'000'000'000);
  exchange.response.set_error(
      make_error(Errc::rate_limited,
                 "too many failed authentication attempts from this address; retry after " +
                     std::to_string(seconds) + " s",
                 {}, "rate_limit_exceeded"));
  exchange.response.add_header("Retry-After", std::to_string(seconds));
  exchange.log_fields += ",\"auth_error\":\"failures_limited\"";
  return true;  // not audited: the address's first failures are, these would only fill the log
}

void ApiKeyFilter::refuse_jwt(http::Exchange& exchange, JwtFault fault) {
  const bool expired = fault == JwtFault::expired;
  const std::string_view reason = expired ? "expired_jwt" : "invalid_jwt";
  count(expired ? result::expired_jwt : result::invalid_jwt);
  // Which check failed stays in the log: the client learns only what it can act on.
  reject_unauthenticated(exchange, expired ? kExpiredToken : kInvalidToken, "invalid_api_key",
                         reason);
  exchange.log_fields += ",\"jwt_error\":\"";
  exchange.log_fields += to_string(fault);
  exchange.log_fields += '"';
  audit_refusal(exchange, reason);
}

namespace {

// The audit's view of a request: who (the key, when one was recognized), from where, which.
store::AuditEvent audit_event(const http::Exchange& exchange) {
  store::AuditEvent event;
  if (exchange.principal) {
    event.key_id = exchange.principal->key_id;
    event.key_name = exchange.principal->name;
  }
  event.request_id = exchange.request_id;
  event.client = std::string(exchange.client_address);
  // The route template (bounded), never the raw path, which a stranger may fill with junk.
  event.action =
      std::string(exchange.request.method.substr(0, 16)) + " " + std::string(exchange.route);
  return event;
}

}  // namespace

void ApiKeyFilter::audit_refusal(const http::Exchange& exchange, std::string_view reason) const {
  if (!audit_) return;
  store::AuditEvent event = audit_event(exchange);
  event.target = std::string(exchange.request.path.substr(0, kMaxAuditedPath));
  event.result = std::string(reason);
  audit_->record(std::move(event));
}

void ApiKeyFilter::on_response(http::Exchange& exchange) {
  const http::Request& request = exchange.request;
  if (!audit_ || request.method == "GET" || request.method == "HEAD") return;
  if (!is_admin_path(exchange.route) && !is_admin_path(request.path)) return;
  store::AuditEvent event = audit_event(exchange);
  event.target = std::string(request.param("id"));
  event.result = std::to_string(exchange.response.status);
  audit_->record(std::move(event));
}

std::unique_ptr<ApiKeyFilter> make_api_key_filter(core::AuthConfig& auth, KeyRegistry* registry,
                                                  JwtVerifier* jwt) {
  if (!auth.admin_key.empty()) {
    auth.api_keys.push_back(core::ApiKeyConfig{"admin_key", auth.admin_key, "admin", {}});
    OPENSSL_cleanse(auth.admin_key.data(), auth.admin_key.size());
    auth.admin_key.clear();
  }
  if (auth.api_keys.empty() && registry == nullptr && jwt == nullptr) return nullptr;
  auto filter = std::make_unique<ApiKeyFilter>(auth.api_keys, registry);
  filter->set_jwt_verifier(jwt);
  for (core::ApiKeyConfig& key : auth.api_keys) {
    OPENSSL_cleanse(key.key.data(), key.key.size());
    key.key.clear();
  }
  return filter;
}

}  // namespace sluice::auth
