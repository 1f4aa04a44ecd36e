#include "api/json_body.hpp"

#include "core/json_bounded_parse.hpp"
#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace json = boost::json;

namespace {

// The 400 for a refused body, in the words a client can act on.
Error refusal_error(const core::JsonRefusal& refusal, std::size_t max_values) {
  using Reason = core::JsonRefusal::Reason;
  switch (refusal.reason) {
    case Reason::too_deep:
      return make_error(Errc::invalid_request,
                        "The JSON body of your request nests deeper than " +
                            std::to_string(kMaxJsonDepth) + " levels, the most this API accepts.",
                        {}, "invalid_json");
    case Reason::too_many_values:
      return make_error(Errc::invalid_request,
                        "The JSON body of your request holds more than " +
                            std::to_string(max_values) +
                            " values, the most this server accepts (raise "
                            "server.max_json_values).",
                        {}, "invalid_json");
    case Reason::number_out_of_range: {
      const std::string where =
          refusal.path.empty() ? std::string("a number") : "'" + refusal.path + "'";
      return make_error(Errc::invalid_request,
                        "Invalid value for " + where +
                            ": the number is out of range (JSON numbers here must be within "
                            "±1.7976931348623157e308).",
                        refusal.path, "invalid_value");
    }
    case Reason::syntax:
      break;
  }
  return make_error(Errc::invalid_request,
                    "We could not parse the JSON body of your request (" + refusal.detail +
                        "). The API expects a JSON object in UTF-8.",
                    {}, "invalid_json");
}

// Why a body is refused; nullopt when it parsed into an object.
std::optional<Error> parse_into(std::string_view body, std::size_t max_values, ParsedBody& out) {
  json::value value(json::storage_ptr(&out.arena));
  const core::JsonBounds bounds{.max_depth = kMaxJsonDepth, .max_values = max_values};
  if (auto refused = core::parse_json_bounded(body, bounds, value))
    return refusal_error(*refused, max_values);
  if (!value.is_object())
    return make_error(Errc::invalid_request,
                      "The API expects a JSON object as the body of your request.", {},
                      "invalid_json");
  out.object = std::move(value.as_object());
  return std::nullopt;
}

}  // namespace

boost::asio::awaitable<bool> parse_object_body(http::Exchange& exchange, ParsedBody& out) {
  const std::string_view body = exchange.request.body;
  const std::size_t max_values = exchange.max_json_values;
  std::optional<Error> refused;
  // Not a conditional expression: GCC 12 destroys a co_await's temporary twice in one.
  if (body.size() > kParseOnPoolBytes)
    refused = co_await ops::run_blocking([&] { return parse_into(body, max_values, out); });
  else
    refused = parse_into(body, max_values, out);
  if (refused) {
    exchange.response.set_error(*refused);
    co_return false;
  }
  co_return true;
}

}  // namespace sluice::api
