#include "api/json_body.hpp"

#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>

#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace json = boost::json;

namespace {

// Why a body is refused, in the words of the 400; empty when it parsed into an object.
std::string parse_into(std::string_view body, ParsedBody& out) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  json::error_code ec;
  json::value value = json::parse(body, ec, json::storage_ptr(&out.arena), options);
  if (ec == json::error::too_deep)
    return "The JSON body of your request nests deeper than " + std::to_string(kMaxJsonDepth) +
           " levels, the most this API accepts.";
  if (ec)
    return "We could not parse the JSON body of your request (" + ec.message() +
           "). The API expects a JSON object in UTF-8.";
  if (!value.is_object()) return "The API expects a JSON object as the body of your request.";
  out.object = std::move(value.as_object());
  return {};
}

}  // namespace

boost::asio::awaitable<bool> parse_object_body(http::Exchange& exchange, ParsedBody& out) {
  const std::string_view body = exchange.request.body;
  std::string refused;
  // Not a conditional expression: GCC 12 destroys a co_await's temporary twice in one.
  if (body.size() > kParseOnPoolBytes)
    refused = co_await ops::run_blocking([&] { return parse_into(body, out); });
  else
    refused = parse_into(body, out);
  if (!refused.empty()) {
    exchange.response.set_error(
        make_error(Errc::invalid_request, std::move(refused), {}, "invalid_json"));
    co_return false;
  }
  co_return true;
}

}  // namespace sluice::api
