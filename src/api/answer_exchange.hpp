#pragma once
// What the answer routes (/v1/query, /query, rag/<collection> chats) share: reading a question
// from a request, binding it to the exchange, rendering and logging its answer or failure.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "gateway/gateway_service.hpp"
#include "http/exchange.hpp"
#include "rag/answerer.hpp"

namespace sluice::api {

// /v1/query's body: question (required), collection, session_id, top_k, model, filters. A
// wrong type is a 400 naming the field.
Result<rag::AnswerRequest> parse_query_request(const boost::json::object& body);

// An optional boolean member (`stream`); a 400 naming it when it is not one.
Result<bool> optional_bool(const boost::json::object& body, std::string_view name);

// Fills the request's model-call context from the exchange: request id, trace, deadline,
// cancellation, caller and forwarded mock headers (kept in `mock_headers`, which must outlive it).
void bind_to_exchange(http::Exchange& exchange, gateway::GatewayService& service,
                      std::string_view model, rag::AnswerRequest& request,
                      std::string& mock_headers);

// {"prompt_tokens","completion_tokens","total_tokens"}.
boost::json::object usage_json(const rag::AnswerUsage& usage);

// /v1/query's response: {answer, citations, cached, usage, model, request_id, template_version,
// modes, collection, session_id (when there is one)}.
boost::json::object answer_json(const rag::Answer& answer, std::string_view request_id,
                                std::string_view session_id);

// The access log fields of an answer: template version, collection, cached, and the model call's
// fields (tokens, deployment, outcome) when a model was called.
void log_answer(http::Exchange& exchange, const rag::AnswerOutcome& outcome);

// Answers a failed question before any byte was streamed: the model's relayed error when the
// model failed, else ours; Retry-After while a collection loads.
void set_answer_failure(http::Exchange& exchange, const rag::AnswerOutcome& outcome);
// OpenAI's x-ratelimit-*-tokens headers of the answer's model call, when a token limit applied.
void add_answer_limit_headers(http::Exchange& exchange, const rag::AnswerOutcome& outcome);

}  // namespace sluice::api
