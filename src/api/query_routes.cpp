#include "api/query_routes.hpp"

#include <boost/json.hpp>

#include "api/answer_exchange.hpp"
#include "api/budget_gate.hpp"
#include "api/gateway_outcome.hpp"
#include "api/json_body.hpp"
#include "api/sse_sink.hpp"
#include "core/json_read.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// /v1/query's event stream (see query_routes.hpp).
class QueryStream final : public rag::AnswerStream {
 public:
  QueryStream(http::Exchange& exchange, gateway::GatewayMetrics& metrics)
      : writer_(exchange, &metrics), request_id_(exchange.request_id) {}

  void on_attempt(std::string_view deployment) override { writer_.set_deployment(deployment); }
  void on_token_limit(const gateway::TokenLimitReport& report) override {
    writer_.set_token_limit(report);
  }
  bool started() const override { return writer_.started(); }
  void set_head(const rag::Answer& head) override {
    json::object event = answer_json(head, request_id_, {});
    event.erase("answer");
    event.erase("usage");
    event.erase("cached");
    head_ = json::serialize(event);
  }
  awaitable<bool> text(std::string_view piece) override {
    if (!co_await send_head()) co_return false;
    const std::string event = json::serialize(json::object{{"delta", piece}});
    co_return co_await writer_.write("delta", event);
  }
  awaitable<void> finish(const json::object& response) {
    if (!co_await send_head()) co_return;
    const std::string done = json::serialize(response);
    if (!co_await writer_.write("done", done)) co_return;
    co_await writer_.write({}, "[DONE]");
  }
  awaitable<void> fail(const Error& error) {
    const std::string body = render_error_body(error);
    co_await writer_.write("error", body);
  }

 private:
  awaitable<bool> send_head() {
    if (head_sent_) co_return true;
    head_sent_ = true;
    co_return co_await writer_.write("citations", head_);
  }

  SseWriter writer_;
  std::string_view request_id_;
  std::string head_ = "{}";
  bool head_sent_ = false;
};

awaitable<void> query(rag::Answerer& answerer, gateway::GatewayService& service,
                      http::Exchange& exchange) {
  ParsedBody parsed;
  if (!co_await parse_object_body(exchange, parsed)) co_return;
  if (auto bad = invalid_timeout_header(exchange)) {
    exchange.response.set_error(*bad);
    co_return;
  }
  if (auto refused = model_refused(exchange, core::string_field(parsed.object, "model"))) {
    exchange.response.set_error(*refused);
    co_return;
  }
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!admit_spend(exchange, service.budget_guard(), parsed.object, spend_hold)) co_return;
  auto request = parse_query_request(parsed.object);
  auto stream = optional_bool(parsed.object, "stream");
  if (!request || !stream) {
    exchange.response.set_error(!request ? request.error() : stream.error());
    co_return;
  }
  std::string mock_headers;
  const std::string model = request->model.empty() ? answerer.default_model() : request->model;
  bind_to_exchange(exchange, service, model, *request, mock_headers);

  QueryStream events(exchange, service.metrics());
  rag::AnswerOutcome outcome = co_await answerer.answer(*request, *stream ? &events : nullptr);
  log_answer(exchange, outcome);
  if (!outcome.ok()) {
    if (events.started())
      co_await events.fail(*outcome.error);
    else
      set_answer_failure(exchange, outcome);
    add_answer_limit_headers(exchange, outcome);
    co_return;
  }
  json::object response = answer_json(outcome.answer, exchange.request_id, outcome.session_id);
  if (*stream)
    co_await events.finish(response);
  else
    exchange.response.set_json(200, json::serialize(response));
  add_answer_limit_headers(exchange, outcome);
}

}  // namespace

void register_query_routes(http::Router& router, rag::Answerer& answerer,
                           gateway::GatewayService& service) {
  for (const char* path : {"/v1/query", "/query"})
    router.add("POST", path, [&answerer, &service](http::Exchange& exchange) {
      return query(answerer, service, exchange);
    });
}

}  // namespace sluice::api
