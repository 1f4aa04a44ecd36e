#include "cmd/api_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <optional>

#include "http/upstream_client.hpp"

namespace sluice::cmd {

namespace {
constexpr std::size_t kMaxResponseBytes = 64 << 20;
}

struct ApiClient::Impl {
  // One event loop for the client's whole life: pooled connections belong to it.
  boost::asio::io_context io;
  http::UpstreamEndpoint endpoint;
  std::string headers;  // Authorization and User-Agent lines
};

Result<ApiClient> ApiClient::create(std::string_view base_url, std::string api_key) {
  auto endpoint = http::UpstreamEndpoint::parse(base_url);
  if (!endpoint) return endpoint.error();
  auto impl = std::make_unique<Impl>();
  impl->endpoint = std::move(*endpoint);
  impl->headers = "User-Agent: sluice-cli\r\n";
  if (!api_key.empty()) impl->headers += "Authorization: Bearer " + api_key + "\r\n";
  return ApiClient(std::move(impl));
}

ApiClient::ApiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiClient::ApiClient(ApiClient&&) noexcept = default;
ApiClient::~ApiClient() {
  if (impl_) http::close_pooled_connections();  // they belong to impl_->io, which goes now
}

Result<ApiResponse> ApiClient::request(std::string_view method, std::string_view path,
                                       std::string_view content_type, std::string_view body) {
  http::UpstreamRequest request;
  request.method = method;
  request.target = impl_->endpoint.base_path + std::string(path);
  request.headers = impl_->headers;
  if (!content_type.empty())
    request.headers += "Content-Type: " + std::string(content_type) + "\r\n";
  request.body = body;
  http::UpstreamTimeouts timeouts;
  timeouts.first_byte = std::chrono::minutes(5);  // an answer from a slow model
  timeouts.total = std::chrono::minutes(10);

  std::optional<Result<ApiResponse>> out;
  auto exchange = [&]() -> boost::asio::awaitable<void> {
    http::UpstreamCall call;
    if (Status started = co_await call.start(impl_->endpoint, request, timeouts); !started) {
      out.emplace(started.error());
      co_return;
    }
    auto text = co_await call.read_all(kMaxResponseBytes);
    if (!text)
      out.emplace(text.error());
    else
      out.emplace(ApiResponse{call.status(), std::move(*text)});
  };
  impl_->io.restart();
  auto done = boost::asio::co_spawn(impl_->io, exchange(), boost::asio::use_future);
  impl_->io.run();
  done.get();  // rethrows what the exchange threw
  return std::move(*out);
}

std::string default_server_url(std::string_view flag) {
  if (!flag.empty()) return std::string(flag);
  if (const char* env = std::getenv("SLUICE_URL"); env && *env) return env;
  return "http://127.0.0.1:8080";
}

std::string default_api_key(std::string_view flag) {
  if (!flag.empty()) return std::string(flag);
  if (const char* env = std::getenv("SLUICE_API_KEY"); env && *env) return env;
  return {};
}

std::string error_message(const ApiResponse& response) {
  boost::system::error_code ec;
  const auto parsed = boost::json::parse(response.body, ec);
  if (!ec && parsed.is_object())
    if (const auto* error = parsed.get_object().if_contains("error"); error && error->is_object())
      if (const auto* message = error->get_object().if_contains("message");
          message && message->is_string())
        return std::string(message->get_string());
  return response.body;
}

}  // namespace sluice::cmd
