#include "api/model_call.hpp"

#include <boost/json/serialize.hpp>

#include "api/budget_gate.hpp"
#include "api/gateway_outcome.hpp"
#include "core/json_read.hpp"

namespace sluice::api {

boost::asio::awaitable<bool> admit_model_call(http::Exchange& exchange,
                                              gateway::GatewayService& service, ParsedBody& body,
                                              gateway::SpendHold& hold, ModelCallOptions options) {
  if (!co_await parse_object_body(exchange, body)) co_return false;
  if (const boost::json::value* model = body.object.if_contains("model");
      !options.default_model.empty() && (!model || model->is_null())) {
    body.object["model"] = options.default_model;
    exchange.request.body = boost::json::serialize(body.object);  // what providers may send as is
  }
  if (auto refused = model_refused(exchange, core::string_field(body.object, "model"))) {
    exchange.response.set_error(*refused);
    co_return false;
  }
  if (options.spends &&
      !admit_spend(exchange, service.budget_guard(), body.object, hold, options.answers))
    co_return false;
  if (auto bad = invalid_timeout_header(exchange)) {
    exchange.response.set_error(*bad);
    co_return false;
  }
  co_return true;
}

gateway::ChatRequest translated_chat_request(http::Exchange& exchange,
                                             const gateway::GatewayService& service,
                                             const boost::json::object& chat,
                                             std::string_view chat_body,
                                             std::string& mock_headers) {
  gateway::ChatRequest request;
  request.body = &chat;
  request.raw_body = chat_body;
  request.model = std::string(core::string_field(chat, "model"));
  const boost::json::value* stream = chat.if_contains("stream");
  request.stream = stream && stream->is_bool() && stream->get_bool();
  request.include_usage = request.stream;
  request.trace = &exchange.trace;
  request.request_id = exchange.request_id;
  mock_headers = mock_header_lines(exchange.request);
  request.forward_headers = mock_headers;
  request.canary_key = exchange.request.header(kCanaryKeyHeader);
  request.limits = request_limits(exchange, service, request.model);
  return request;
}

}  // namespace sluice::api
