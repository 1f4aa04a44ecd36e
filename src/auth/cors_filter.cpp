#include "auth/cors_filter.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace sluice::auth {
namespace {

using core::iequals;

constexpr std::string_view kAllowOrigin = "Access-Control-Allow-Origin";
constexpr std::string_view kAllowMethods = "GET, POST, DELETE, OPTIONS";
// Without this a page cannot read these headers from a cross-origin response: the ids that lead
// to the access-log line (both SDKs' spellings), where and how the call was served, and what the
// SDKs' retry logic and a client's own pacing read.
constexpr std::string_view kExposeHeaders =
    "x-request-id, request-id, anthropic-request-id, x-sluice-deployment, x-sluice-canary, "
    "x-sluice-degraded, "
    "x-sluice-budget-downgrade, x-sluice-token-count, retry-after, x-should-retry, "
    "x-ratelimit-limit-requests, x-ratelimit-limit-tokens, x-ratelimit-remaining-requests, "
    "x-ratelimit-remaining-tokens, x-ratelimit-reset-requests, x-ratelimit-reset-tokens";

bool has_header(const http::Response& response, std::string_view name,
                std::string_view value = {}) {
  return std::any_of(response.headers.begin(), response.headers.end(), [&](const auto& header) {
    return iequals(header.first, name) && (value.empty() || header.second == value);
  });
}

// The filter's counters, in FilterStats order.
namespace result {
enum : std::size_t { no_origin, allowed, other_origin, preflight, origin_not_allowed };
}  // namespace result
std::vector<std::string> result_names() {
  return {"no_origin", "allowed", "other_origin", "preflight", "origin_not_allowed"};
}

}  // namespace

CorsFilter::CorsFilter(const core::CorsConfig& config)
    : SyncFilter("cors", result_names()),
      credentials_(config.allow_credentials),
      max_age_(std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(config.max_age).count())) {
  for (const std::string& origin : config.allow_origins) {
    if (origin == "*")
      any_origin_ = true;
    else
      origins_.push_back(origin);
  }
  vary_ = !any_origin_ || credentials_;
}

bool CorsFilter::allowed(std::string_view origin) const {
  if (any_origin_) {
    // Echoing "null" (sandboxed frames, file: pages) with credentials would hand them the
    // user's cookies-backed session; a plain "*" is harmless.
    return !(credentials_ && origin == "null");
  }
  return std::any_of(origins_.begin(), origins_.end(),
                     [&](const std::string& allowed) { return iequals(allowed, origin); });
}

void CorsFilter::add_headers(http::Response& response, std::string_view origin) const {
  // Browsers compare the echoed origin byte for byte with their own, so echo the request's.
  response.add_header(std::string(kAllowOrigin),
                      any_origin_ && !credentials_ ? "*" : std::string(origin));
  if (credentials_) response.add_header("Access-Control-Allow-Credentials", "true");
}

http::FilterResult CorsFilter::decide(http::Exchange& exchange) {
  using http::FilterResult;
  const http::Request& request = exchange.request;
  http::Response& response = exchange.response;
  // Even responses without CORS headers depend on Origin: a cache must not hand one of them to
  // an allowed origin.
  if (vary_) response.add_header("Vary", "Origin");
  const std::string_view origin = request.header("origin");
  if (origin.empty()) {
    count(result::no_origin);
    return FilterResult::next;
  }
  const bool ok = allowed(origin);

  // Answered here for every path, whether a route exists or not: a preflight must not map them.
  if (request.is_cors_preflight()) {
    if (!ok) {
      count(result::origin_not_allowed);
      response.set_error(make_error(Errc::forbidden,
                                    "CORS: origin '" + std::string(origin) + "' is not allowed", {},
                                    "cors_origin_not_allowed"));
      return FilterResult::responded;
    }
    count(result::preflight);
    response.status = 204;
    response.content_type.clear();
    response.body.clear();
    add_headers(response, origin);
    response.add_header("Access-Control-Allow-Methods", std::string(kAllowMethods));
    // Echoing what the browser asks for is what a list of SDK headers (x-stainless-*, openai-*,
    // anthropic-*) would allow anyway, and keeps new client headers working.
    if (const std::string_view headers = request.header("access-control-request-headers");
        !headers.empty())
      response.add_header("Access-Control-Allow-Headers", std::string(headers));
    response.add_header("Access-Control-Max-Age", max_age_);
    return FilterResult::responded;
  }
  if (ok) {
    count(result::allowed);
    add_headers(response, origin);
    response.add_header("Access-Control-Expose-Headers", std::string(kExposeHeaders));
  } else {
    count(result::other_origin);
  }
  return FilterResult::next;
}

void CorsFilter::on_response(http::Exchange& exchange) {
  http::Response& response = exchange.response;
  if (vary_ && !has_header(response, "Vary", "Origin")) response.add_header("Vary", "Origin");
  const std::string_view origin = exchange.request.header("origin");
  if (origin.empty() || has_header(response, kAllowOrigin) || !allowed(origin)) return;
  add_headers(response, origin);
  response.add_header("Access-Control-Expose-Headers", std::string(kExposeHeaders));
}

std::unique_ptr<CorsFilter> make_cors_filter(const core::CorsConfig& cors) {
  if (cors.allow_origins.empty()) return nullptr;
  return std::make_unique<CorsFilter>(cors);
}

}  // namespace sluice::auth
