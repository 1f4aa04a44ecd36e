#include "gateway/providers/upstream_models.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace sluice::gateway {
namespace json = boost::json;

namespace {

bool acceptable_id(std::string_view id) {
  return !id.empty() && id.size() <= kMaxModelIdLength &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

Result<std::vector<std::string>> parse_model_ids(std::string_view body) {
  json::error_code ec;
  const json::value parsed = json::parse(body, ec);
  const json::array* data = nullptr;
  if (!ec && parsed.is_object())
    if (const auto* d = parsed.as_object().if_contains("data")) data = d->if_array();
  if (!data)
    return make_error(Errc::bad_gateway, "the model list is not a JSON object with a data array");
  std::vector<std::string> ids;
  for (const json::value& entry : *data) {
    if (ids.size() >= kMaxUpstreamModels) break;
    const json::object* model = entry.if_object();
    const json::value* id = model ? model->if_contains("id") : nullptr;
    if (!id || !id->is_string() || !acceptable_id(id->get_string())) continue;
    ids.emplace_back(id->get_string());
  }
  return ids;
}

boost::asio::awaitable<Result<std::vector<std::string>>> fetch_model_ids(
    const http::UpstreamEndpoint& endpoint, http::UpstreamRequest request,
    const http::UpstreamTimeouts& timeouts, std::string_view provider) {
  request.method = "GET";
  request.body = {};
  // Not pooled: by the next refresh the upstream has long closed it, and a chat request that
  // picked the stale connection up would pay a transparent resend.
  request.headers += "Connection: close\r\n";
  // A list is small and optional: a stalled upstream must not hold the fetch for the minutes a
  // long completion may take.
  http::UpstreamTimeouts bounded = timeouts;
  bounded.first_byte = std::min(bounded.first_byte, kModelListTimeout);
  bounded.total = std::min(bounded.total, kModelListTimeout);
  http::UpstreamCall call;
  if (auto started = co_await call.start(endpoint, request, bounded); !started.ok())
    co_return started.error();
  if (call.status() != 200) {
    call.abandon();  // the error body is of no use here
    co_return make_error(Errc::bad_gateway, "provider " + std::string(provider) +
                                                " answered its model list with status " +
                                                std::to_string(call.status()));
  }
  auto body = co_await call.read_all(kMaxModelListBytes);
  if (!body) co_return body.error();
  auto ids = parse_model_ids(*body);
  if (!ids)
    co_return make_error(Errc::bad_gateway,
                         "provider " + std::string(provider) + ": " + ids.error().message);
  co_return ids;
}

}  // namespace sluice::gateway
