#include "api/answer_exchange.hpp"

#include <boost/json.hpp>

#include "api/gateway_outcome.hpp"
#include "api/search_filters.hpp"
#include "api/tenant_access.hpp"

namespace sluice::api {
namespace json = boost::json;

namespace {

Error wrong_type(std::string_view name, std::string_view what) {
  return make_error(Errc::invalid_request,
                    "'" + std::string(name) + "' must be " + std::string(what), std::string(name));
}

// An optional string member: empty when absent or null.
Result<std::string> optional_string(const json::object& body, std::string_view name) {
  const json::value* v = body.if_contains(name);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return wrong_type(name, "a string");
  return std::string(v->get_string());
}

}  // namespace

Result<bool> optional_bool(const json::object& body, std::string_view name) {
  const json::value* v = body.if_contains(name);
  if (!v || v->is_null()) return false;
  if (!v->is_bool()) return wrong_type(name, "a boolean");
  return v->get_bool();
}

Result<rag::AnswerRequest> parse_query_request(const json::object& body) {
  rag::AnswerRequest request;
  const json::value* question = body.if_contains("question");
  if (!question || !question->is_string())
    return make_error(Errc::invalid_request, "'question' is required and must be a string",
                      "question");
  request.question = std::string(question->get_string());
  for (auto [name, field] :
       {std::pair{"collection", &request.collection}, std::pair{"session_id", &request.session_id},
        std::pair{"model", &request.model}}) {
    auto value = optional_string(body, name);
    if (!value) return value.error();
    *field = std::move(*value);
  }
  if (const json::value* top_k = body.if_contains("top_k"); top_k && !top_k->is_null()) {
    if (!top_k->is_int64() && !top_k->is_uint64()) return wrong_type("top_k", "a positive integer");
    const auto n = top_k->to_number<long long>();
    if (n < 1) return wrong_type("top_k", "a positive integer");
    request.top_k = static_cast<std::size_t>(n);
  }
  if (const json::value* filters = body.if_contains("filters")) {
    auto parsed = parse_search_filters(*filters);
    if (!parsed) return parsed.error();
    request.filters = std::move(*parsed);
  }
  return request;
}

void bind_to_exchange(http::Exchange& exchange, gateway::GatewayService& service,
                      std::string_view model, rag::AnswerRequest& request,
                      std::string& mock_headers) {
  request.request_id = exchange.request_id;
  request.trace = &exchange.trace;
  request.limits = request_limits(exchange, service, model);
  request.caller = caller_of(exchange);
  request.scope = scope_of(exchange);
  mock_headers = mock_header_lines(exchange.request);
  request.forward_headers = mock_headers;
}

json::object usage_json(const rag::AnswerUsage& usage) {
  return json::object{{"prompt_tokens", usage.prompt_tokens},
                      {"completion_tokens", usage.completion_tokens},
                      {"total_tokens", usage.prompt_tokens + usage.completion_tokens}};
}

json::object answer_json(const rag::Answer& answer, std::string_view request_id,
                         std::string_view session_id) {
  json::array modes;
  for (const auto& mode : answer.modes) modes.emplace_back(mode);
  json::object out{{"answer", answer.text},
                   {"citations", rag::citations_json(answer.citations)},
                   {"cached", answer.cached},
                   {"usage", usage_json(answer.usage)},
                   {"model", answer.model},
                   {"request_id", request_id},
                   {"template_version", answer.template_version},
                   {"modes", std::move(modes)},
                   {"collection", answer.collection_id}};
  if (!session_id.empty()) out["session_id"] = session_id;
  return out;
}

void log_answer(http::Exchange& exchange, const rag::AnswerOutcome& outcome) {
  std::string& f = exchange.log_fields;
  append_log_string(f, "template_version", rag::kTemplateVersion);
  if (!outcome.answer.collection_id.empty())
    append_log_string(f, "collection", outcome.answer.collection_id);
  if (outcome.answer.cached) f += ",\"cached\":true";
  if (outcome.model_call)
    log_outcome(exchange, outcome.answer.model, *outcome.model_call);
  else if (!outcome.answer.model.empty())
    append_log_string(f, "model", outcome.answer.model);
}

void add_answer_limit_headers(http::Exchange& exchange, const rag::AnswerOutcome& outcome) {
  // A stream's head carried them already (AnswerStream::on_token_limit).
  if (outcome.model_call && !exchange.streaming())
    add_token_limit_headers(exchange.response, outcome.model_call->token_limit);
}

void set_answer_failure(http::Exchange& exchange, const rag::AnswerOutcome& outcome) {
  if (outcome.model_call && !outcome.model_call->ok) {
    set_failure(exchange, *outcome.model_call);
    return;
  }
  exchange.response.set_error(*outcome.error);
  if (outcome.retry_after) {
    const auto seconds = (outcome.retry_after->count() + 999) / 1000;
    exchange.response.add_header("Retry-After", std::to_string(seconds));
  }
}

}  // namespace sluice::api
