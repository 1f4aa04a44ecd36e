#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "http/server.hpp"

namespace sluice::auth {

// CORS for browser clients. Requests from an allowed Origin get Access-Control-Allow-Origin (and
// credentials and exposed headers); preflights (OPTIONS + Access-Control-Request-Method) are
// answered here: 204 for an allowed origin, 403 in OpenAI's error shape for any other. Requests
// from other origins proceed without CORS headers, and the browser keeps the response from the
// page. Install it before authentication: preflights carry no credentials, and a 401 needs the
// CORS headers for the page to read it. Counts each request under one result: no_origin,
// allowed, other_origin (served without CORS headers), preflight, origin_not_allowed.
class CorsFilter final : public http::SyncFilter {
 public:
  explicit CorsFilter(const core::CorsConfig& config);

  http::FilterResult decide(http::Exchange& exchange) override;
  // Restores the headers if the handler replaced the whole response (e.g. the 500 path).
  void on_response(http::Exchange& exchange) override;

 private:
  bool allowed(std::string_view origin) const;
  void add_headers(http::Response& response, std::string_view origin) const;

  std::vector<std::string> origins_;  // lowercase, as the loader validated them
  bool any_origin_ = false;
  bool credentials_ = false;
  // Responses differ by Origin (anything but a plain "*"): caches must key on it.
  bool vary_ = false;
  std::string max_age_;  // seconds, as text
};

// The filter for `cors`, or null when no origins are allowed (CORS off).
std::unique_ptr<CorsFilter> make_cors_filter(const core::CorsConfig& cors);

}  // namespace sluice::auth
