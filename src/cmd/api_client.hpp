#pragma once
// The CLI's client of a running server (`sluice ingest`, `sluice query`): blocking calls made
// with the server's own upstream HTTP client (http/upstream_client: keep-alive, TLS, timeouts)
// on a private event loop.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace sluice::cmd {

struct ApiResponse {
  int status = 0;
  std::string body;
};

class ApiClient {
 public:
  // `base_url` like http://127.0.0.1:8080 (https works too); `api_key` empty = no Authorization.
  static Result<ApiClient> create(std::string_view base_url, std::string api_key);
  ApiClient(ApiClient&&) noexcept;
  ~ApiClient();

  // One request; `path` starts with '/'. Errors are transport failures (connect, reset,
  // timeout), not HTTP statuses.
  Result<ApiResponse> request(std::string_view method, std::string_view path,
                              std::string_view content_type = {}, std::string_view body = {});

 private:
  struct Impl;
  explicit ApiClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The base URL for CLI clients: --url, else $SLUICE_URL, else http://127.0.0.1:8080.
std::string default_server_url(std::string_view flag);
// The key: --key, else $SLUICE_API_KEY, else none.
std::string default_api_key(std::string_view flag);

// An error body's message ({"error":{"message"}}), else the body itself.
std::string error_message(const ApiResponse& response);

}  // namespace sluice::cmd
