#include "api/json_body.hpp"

#include <boost/json/parse.hpp>

#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace json = boost::json;

namespace {
bool parse_into(std::string_view body, ParsedBody& out) {
  json::error_code ec;
  json::value value = json::parse(body, ec, json::storage_ptr(&out.arena));
  if (ec || !value.is_object()) return false;
  out.object = std::move(value.as_object());
  return true;
}
}  // namespace

boost::asio::awaitable<bool> parse_object_body(http::Exchange& exchange, ParsedBody& out) {
  const std::string_view body = exchange.request.body;
  const bool parsed = body.size() > kParseOnPoolBytes
                          ? co_await ops::run_blocking([&] { return parse_into(body, out); })
                          : parse_into(body, out);
  if (!parsed) {
    exchange.response.set_error(make_error(
        Errc::invalid_request,
        "We could not parse the JSON body of your request. The API expects a JSON object."));
    co_return false;
  }
  co_return true;
}

}  // namespace sluice::api
