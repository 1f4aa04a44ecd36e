#pragma once
// What the routes of other dialects (Anthropic Messages, legacy Completions, Responses) do alike
// around a model call they translate to chat: admit it, then describe the translated request to
// the gateway.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "api/json_body.hpp"
#include "gateway/budget_guard.hpp"
#include "gateway/gateway_service.hpp"
#include "http/exchange.hpp"

namespace sluice::api {

// What differs between the model calls admit_model_call() admits.
struct ModelCallOptions {
  bool answers = true;  // the call produces completion tokens (false: moderations, rerank)
  bool spends = true;   // the call costs something: budgets apply (false: token counting)
  // The model of a body that names none (written into the request's body too); empty: none.
  std::string_view default_model = {};
};

// The body parsed into `body`, its model allowed to the key, its estimated cost admitted against
// the budgets (held in `hold` until the call has ended; a downgrade rewrites the body's model;
// none for a call that spends nothing), and the x-sluice-timeout-ms header valid. False after
// answering the refusal.
boost::asio::awaitable<bool> admit_model_call(http::Exchange& exchange,
                                              gateway::GatewayService& service, ParsedBody& body,
                                              gateway::SpendHold& hold,
                                              ModelCallOptions options = {});

// The gateway's request for `chat`, a translated chat request whose JSON text is `chat_body`
// (providers send it as is when they change nothing): streamed when it says so (with usage), with
// the exchange's trace, request id, deadline and cancellation, and its x-mock-* header lines,
// kept in `mock_headers`. `chat`, `chat_body` and `mock_headers` must outlive the request.
gateway::ChatRequest translated_chat_request(http::Exchange& exchange,
                                             const gateway::GatewayService& service,
                                             const boost::json::object& chat,
                                             std::string_view chat_body, std::string& mock_headers);

}  // namespace sluice::api
