#include "auth/api_key_filter.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <strings.h>

#include <stdexcept>

#include "core/json_text.hpp"

namespace sluice::auth {
namespace {

// OpenAI's wording and shape for these two cases, so that SDKs show their usual messages.
constexpr std::string_view kMissingKey =
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
constexpr std::string_view kIncorrectKey = "Incorrect API key provided.";

// The filter's counters, in FilterStats order.
namespace result {
enum : std::size_t {
  allowed,
  not_required,
  preflight,
  missing_key,
  invalid_key,
  admin_required,
  read_only
};
}  // namespace result
std::vector<std::string> result_names() {
  return {"allowed",     "not_required",   "preflight", "missing_key",
          "invalid_key", "admin_required", "read_only"};
}

bool has_prefix_path(std::string_view path, std::string_view prefix) {
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

bool is_admin_path(std::string_view path) { return has_prefix_path(path, "/v1/admin"); }

bool sha256(std::string_view data, std::array<unsigned char, 32>& out) {
  unsigned int size = 0;
  return EVP_Digest(data.data(), data.size(), out.data(), &size, EVP_sha256(), nullptr) == 1 &&
         size == out.size();
}

Role parse_role(std::string_view role) {
  if (role == "admin") return Role::admin;
  if (role == "readonly") return Role::readonly;
  return Role::user;  // the loader rejects unknown roles
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

// OpenAI answers both 401 cases with type invalid_request_error (not our Errc mapping's
// authentication_error), and clients match on it.
void reject_unauthenticated(http::Exchange& exchange, std::string_view message,
                            std::string_view code) {
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
  exchange.log_fields +=
      code.empty() ? ",\"auth_error\":\"missing_key\"" : ",\"auth_error\":\"invalid_key\"";
}

}  // namespace

bool requires_api_key(std::string_view path) {
  return has_prefix_path(path, "/v1") || path == "/query";
}

ApiKeyFilter::ApiKeyFilter(const std::vector<core::ApiKeyConfig>& keys)
    : SyncFilter("api_key", result_names()) {
  keys_.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    Key key;
    if (!sha256(keys[i].key, key.digest)) throw std::runtime_error("SHA-256 is unavailable");
    key.role = parse_role(keys[i].role);
    // Unnamed keys are logged by their config position, never by any part of the key.
    key.name = keys[i].name.empty() ? "api_keys." + std::to_string(i) : keys[i].name;
    key.log_field = ",\"key_name\":";
    core::append_json_string(key.log_field, key.name);
    keys_.push_back(std::move(key));
  }
}

// Compares the presented key's digest with every stored digest, without stopping at a match:
// the time taken depends on neither the key nor which entry it matches.
const ApiKeyFilter::Key* ApiKeyFilter::find(std::string_view presented) const {
  Digest digest;
  if (!sha256(presented, digest)) return nullptr;
  const Key* found = nullptr;
  for (const Key& key : keys_) {
    const bool equal = CRYPTO_memcmp(key.digest.data(), digest.data(), digest.size()) == 0;
    found = equal ? &key : found;
  }
  OPENSSL_cleanse(digest.data(), digest.size());
  return found;
}

http::FilterResult ApiKeyFilter::decide(http::Exchange& exchange) {
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

  const std::string_view presented = presented_key(request);
  if (presented.empty()) {
    count(result::missing_key);
    reject_unauthenticated(exchange, kMissingKey, {});
    return FilterResult::responded;
  }
  const Key* key = find(presented);
  if (!key) {
    count(result::invalid_key);
    reject_unauthenticated(exchange, kIncorrectKey, "invalid_api_key");
    return FilterResult::responded;
  }
  exchange.api_key_name = key->name;
  exchange.log_fields += key->log_field;

  if (key->role != Role::admin && (is_admin_path(route) || is_admin_path(request.path))) {
    count(result::admin_required);
    exchange.response.set_error(
        make_error(Errc::forbidden, "this endpoint requires an admin API key"));
    return FilterResult::responded;
  }
  if (key->role == Role::readonly && request.method != "GET" && request.method != "HEAD") {
    count(result::read_only);
    exchange.response.set_error(make_error(Errc::forbidden, "this API key is read-only"));
    return FilterResult::responded;
  }
  count(result::allowed);
  return FilterResult::next;
}

std::unique_ptr<ApiKeyFilter> make_api_key_filter(core::AuthConfig& auth) {
  if (auth.api_keys.empty()) return nullptr;
  auto filter = std::make_unique<ApiKeyFilter>(auth.api_keys);
  for (core::ApiKeyConfig& key : auth.api_keys) {
    OPENSSL_cleanse(key.key.data(), key.key.size());
    key.key.clear();
  }
  return filter;
}

}  // namespace sluice::auth
