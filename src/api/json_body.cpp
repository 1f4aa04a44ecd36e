#include "api/json_body.hpp"

#include <boost/json/parse.hpp>

namespace sluice::api {
namespace json = boost::json;

bool parse_object_body(http::Exchange& exchange, ParsedBody& out) {
  json::error_code ec;
  json::value value = json::parse(exchange.request.body, ec, json::storage_ptr(&out.arena));
  if (ec || !value.is_object()) {
    exchange.response.set_error(make_error(
        Errc::invalid_request,
        "We could not parse the JSON body of your request. The API expects a JSON object."));
    return false;
  }
  out.object = std::move(value.as_object());
  return true;
}

}  // namespace sluice::api
