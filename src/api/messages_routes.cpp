#include "api/messages_routes.hpp"

#include <boost/json.hpp>
#include <optional>
#include <vector>

#include "api/gateway_outcome.hpp"
#include "api/model_call.hpp"
#include "api/sse_sink.hpp"
#include "core/ids.hpp"
#include "core/json_read.hpp"
#include "core/strings.hpp"
#include "gateway/ingress/messages_translate.hpp"
#include "gateway/providers/request_validation.hpp"
#include "gateway/token_estimate.hpp"
#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

// Anthropic's name for a request's id, which its SDKs read (`_request_id`, APIError.requestID):
// Sluice's own, as in x-request-id, so that what a client quotes finds the access-log line.
constexpr std::string_view kRequestIdHeader = "request-id";
// The id an Anthropic upstream gave the attempt that answered (or failed last), which Anthropic's
// support can look up; the access log keeps it as upstream_request_id.
constexpr std::string_view kUpstreamRequestIdHeader = "anthropic-request-id";
// Whether a token count is the upstream's (`upstream`) or Sluice's estimate (`estimate`).
constexpr std::string_view kTokenCountHeader = "x-sluice-token-count";

// The request ids of a response that succeeded (errors get request-id from
// anthropic_error_shape, whoever set them).
void add_request_ids(http::Response& response, std::string_view request_id,
                     std::string_view upstream_request_id) {
  response.add_header(std::string(kRequestIdHeader), std::string(request_id));
  if (!upstream_request_id.empty())
    response.add_header(std::string(kUpstreamRequestIdHeader), std::string(upstream_request_id));
}

// A failed call answered before any byte was streamed: set_failure(), and the id the upstream
// gave its refusal.
void set_messages_failure(http::Exchange& exchange, const gateway::Outcome& outcome) {
  set_failure(exchange, outcome);
  if (!outcome.upstream_request_id.empty() && can_tell_client(outcome))
    exchange.response.add_header(std::string(kUpstreamRequestIdHeader),
                                 outcome.upstream_request_id);
}

// Streams the answer as Messages events: the upstream's own, relayed as they come, when the
// deployment speaks Messages; else translated from the chat chunks the gateway relays.
class MessagesSink final : public gateway::MessagesStreamSink {
 public:
  MessagesSink(http::Exchange& exchange, std::string message_id, std::string model,
               long long input_estimate, gateway::GatewayMetrics& metrics)
      : exchange_(exchange),
        writer_(exchange, &metrics),
        translator_(std::move(message_id), std::move(model), input_estimate) {}

  void on_attempt(std::string_view deployment) override {
    writer_.set_deployment(deployment);
    upstream_request_id_.clear();  // a new attempt, which may have an id of its own, or none
  }
  void on_upstream_request_id(std::string_view id) override { upstream_request_id_.assign(id); }
  void on_canary(std::string_view version) override { writer_.set_canary(version); }
  void on_token_limit(const gateway::TokenLimitReport& report) override {
    writer_.set_token_limit(report);
  }
  bool started() const override { return writer_.started(); }

  awaitable<bool> send(std::string_view chunk_json) override {
    translator_.feed(chunk_json, events_);
    co_return co_await flush();
  }
  // Not a coroutine: an event costs the writer's frame only.
  awaitable<bool> send_event(std::string_view type, std::string_view data) override {
    passed_through_ = true;
    if (type == "error") error_sent_ = true;
    if (data.find('\n') == std::string_view::npos) return write(type, data);
    return send_lines(type, data);
  }
  // Usage counted by the gateway stands in when the upstream reported none. A relayed stream
  // has already had its end.
  awaitable<void> finish(const gateway::Usage& usage) {
    if (passed_through_) co_return;
    translator_.finish(usage, events_);
    co_await flush();
  }
  awaitable<void> fail(const Error& error) {
    if (!passed_through_) {
      translator_.fail(error, events_);
      co_await flush();
      co_return;
    }
    if (error_sent_) co_return;  // the upstream's own error event went out
    error_sent_ = true;
    const gateway::AnthropicError rendered = gateway::anthropic_error(error);
    co_await write("error", rendered.body);
  }

 private:
  // Every event goes out here: the first with the head's request ids. Not a coroutine.
  awaitable<bool> write(std::string_view type, std::string_view data) {
    if (!writer_.started())
      add_request_ids(exchange_.response, exchange_.request_id, upstream_request_id_);
    return writer_.write(type, data);
  }
  // Each line of a multi-line data field on a data: line of its own, as the upstream framed it.
  awaitable<bool> send_lines(std::string_view type, std::string_view data) {
    std::string lines;
    for (const char c : data) {
      if (c == '\n')
        lines += "\ndata: ";
      else
        lines += c;
    }
    co_return co_await write(type, lines);
  }
  awaitable<bool> flush() {
    bool ok = true;
    for (const auto& event : events_)
      if (ok) ok = co_await write(event.type, event.data);
    events_.clear();
    co_return ok;
  }

  http::Exchange& exchange_;
  SseWriter writer_;
  std::string upstream_request_id_;  // of the attempt under way, when its upstream gave one
  gateway::MessagesStreamTranslator translator_;
  std::vector<gateway::MessagesEvent> events_;  // reused for every chunk
  bool passed_through_ = false;  // the upstream's events are relayed, not translated chunks
  bool error_sent_ = false;
};

// Errors of these routes, whoever set them (filters, body parsing, the gateway), in Anthropic's
// shape; overload is 529 as at Anthropic. With request-id, which Anthropic's SDKs put in their
// errors.
void anthropic_error_shape(http::Response& response, std::string_view request_id) {
  if (response.status < 400) return;
  response.add_header(std::string(kRequestIdHeader), std::string(request_id));
  if (response.content_type != "application/json") return;
  auto rendered = gateway::anthropic_error_from_openai(response.status, response.body, request_id);
  response.status = rendered.status;
  response.body = std::move(rendered.body);
}

// The request translated and checked into `chat` (allocated as `chat` is), or why it cannot be.
Status chat_of(const json::object& body, json::object& chat) {
  auto translated = gateway::chat_request_from_messages(body, chat.storage());
  if (!translated) return translated.error();
  if (auto valid = gateway::validate_chat_request(*translated); !valid.ok()) return valid.error();
  chat = std::move(*translated);
  return {};
}

// A Messages request in chat's form, for deployments that need it, in an arena of its own: a
// request of many blocks is as many nodes, which the arena frees at once.
struct ChatForm {
  json::monotonic_resource arena;
  json::object chat{json::storage_ptr(&arena)};
  std::string body;  // `chat` serialized: what providers send when they change nothing
  Status status;     // why the request cannot be said in chat, when it cannot
  long long input_estimate = 0;
};

void translate(const json::object& request, std::size_t request_bytes, ChatForm& out) {
  out.status = chat_of(request, out.chat);
  if (out.status.ok()) {
    out.body = json::serialize(out.chat);
    out.input_estimate = gateway::estimate_message_tokens(out.chat);
  } else {
    out.input_estimate = gateway::estimate_tokens_from_bytes(request_bytes);
  }
}

// The value of every `name` header, comma-joined as HTTP allows (the SDKs send anthropic-beta
// once, with its flags comma-separated, but a client may repeat it).
std::string joined_header(const http::Request& request, std::string_view name) {
  std::string value;
  for (const auto& [header, text] : request.headers) {
    if (!core::iequals(header, name)) continue;
    if (!value.empty()) value += ',';
    value += text;
  }
  return value;
}

// A request without a model the gateway could route.
std::optional<Error> modelless(const json::object& body) {
  const json::value* model = body.if_contains("model");
  if (!model || !model->is_string() || model->get_string().empty())
    return make_error(Errc::invalid_request, "model: Field required", "model");
  return std::nullopt;
}

// What the gateway needs of a Messages request whatever answers it: its model, and whether it
// streams. Other problems are the translation's (for deployments that need chat) or the
// upstream's to find.
std::optional<Error> unroutable(const json::object& body) {
  if (auto refused = modelless(body)) return refused;
  const json::value* stream = body.if_contains("stream");
  if (stream && !stream->is_null() && !stream->is_bool())
    return make_error(Errc::invalid_request, "stream: Input should be a boolean", "stream");
  return std::nullopt;
}

// The anthropic-* headers go upstream as header lines: a line break in one would add lines of
// the client's choosing.
std::optional<Error> unsendable_header(std::string_view name, std::string_view value) {
  if (value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos)
    return std::nullopt;
  return make_error(Errc::invalid_request, std::string(name) + ": must not contain line breaks",
                    std::string(name), "invalid_header");
}

std::optional<Error> unsendable_headers(const gateway::MessagesRequest& request) {
  if (auto bad = unsendable_header("anthropic-version", request.anthropic_version)) return bad;
  return unsendable_header("anthropic-beta", request.anthropic_beta);
}

// The client's anthropic-version and anthropic-beta (`beta` keeps the joined value) into
// `request`; false after answering a value that cannot be sent on.
bool take_dialect_headers(http::Exchange& exchange, gateway::MessagesRequest& request,
                          std::string& beta) {
  request.anthropic_version = exchange.request.header("anthropic-version");
  beta = joined_header(exchange.request, "anthropic-beta");
  request.anthropic_beta = beta;
  if (auto bad = unsendable_headers(request)) {
    exchange.response.set_error(*bad);
    return false;
  }
  return true;
}

awaitable<void> create_message(gateway::GatewayService& service, http::Exchange& exchange) {
  ParsedBody parsed;              // lives in the coroutine frame: no allocation of its own
  gateway::SpendHold spend_hold;  // until the call has ended
  if (!co_await admit_model_call(exchange, service, parsed, spend_hold)) co_return;
  if (auto refused = unroutable(parsed.object)) {
    exchange.response.set_error(*refused);
    co_return;
  }
  gateway::MessagesRequest request;
  request.body = &parsed.object;
  request.raw_body = exchange.request.body;
  std::string beta;
  if (!take_dialect_headers(exchange, request, beta)) co_return;
  // The chat form, for deployments that need it; what chat cannot say still reaches those that
  // speak Messages. Large requests are translated on the blocking pool, as they were parsed.
  ChatForm form;
  if (request.raw_body.size() > kParseOnPoolBytes)
    co_await ops::run_blocking([&] { translate(parsed.object, request.raw_body.size(), form); });
  else
    translate(parsed.object, request.raw_body.size(), form);
  const bool translated = form.status.ok();
  std::string mock_headers;
  request.chat = translated_chat_request(exchange, service, translated ? form.chat : parsed.object,
                                         translated ? form.body : request.raw_body, mock_headers);
  if (!translated) {
    request.chat.body = nullptr;
    request.chat_error = form.status.error();
  }

  const std::string message_id = "msg_" + core::random_hex(12);
  MessagesSink sink(exchange, message_id, request.chat.model, form.input_estimate,
                    service.metrics());
  gateway::Outcome outcome = co_await service.messages(request, &sink, caller_of(exchange));
  log_outcome(exchange, request.chat.model, outcome);
  if (!outcome.ok) {
    if (!sink.started())
      set_messages_failure(exchange, outcome);
    else if (can_tell_client(outcome))
      co_await sink.fail(outcome.error);
    co_return;
  }
  if (request.chat.stream) {
    co_await sink.finish(outcome.usage);
    co_return;
  }
  if (outcome.passed_through) {
    exchange.response.set_json(200, std::move(outcome.body));
  } else {
    auto message =
        gateway::message_from_chat(outcome.body, message_id, request.chat.model, &outcome.usage);
    if (!message) {
      exchange.response.set_error(message.error());
      co_return;
    }
    exchange.response.set_json(200, std::move(*message));
  }
  add_served_by(exchange.response, outcome);
  add_token_limit_headers(exchange.response, outcome.token_limit);
  add_request_ids(exchange.response, exchange.request_id, outcome.upstream_request_id);
}

// Sluice's estimate (about 4 bytes a token, as the gateway counts usage an upstream did not
// report), for a model none of whose deployments can count: the same request may cost a little
// more or less at the upstream that answers it. A large body is translated and counted on the
// blocking pool, as it was parsed, its chat form built and freed there.
awaitable<void> answer_estimate(http::Exchange& exchange, json::object& body) {
  append_log_string(exchange.log_fields, "model", core::string_field(body, "model"));
  append_log_string(exchange.log_fields, "token_count", "estimate");
  if (!body.contains("max_tokens")) body["max_tokens"] = 1;  // counting needs none
  Status translated;
  long long tokens = 0;
  auto count = [&] {
    json::object chat;
    translated = chat_of(body, chat);
    if (translated.ok()) tokens = gateway::estimate_message_tokens(chat);
  };
  if (exchange.request.body.size() > kParseOnPoolBytes)
    co_await ops::run_blocking(count);
  else
    count();
  if (!translated.ok()) {
    exchange.response.set_error(translated.error());
    co_return;
  }
  exchange.response.set_json(200, json::serialize(json::object{{"input_tokens", tokens}}));
  exchange.response.add_header(std::string(kTokenCountHeader), "estimate");
  add_request_ids(exchange.response, exchange.request_id, {});
}

// Counted by an Anthropic deployment of the model when it has one (its tokenizer's count, the
// request passed through as create_message() passes it), else estimated. Admitted as other model
// calls are, but for budgets: counting costs nothing.
awaitable<void> count_tokens(gateway::GatewayService& service, http::Exchange& exchange) {
  ParsedBody parsed;
  gateway::SpendHold no_spend;
  if (!co_await admit_model_call(exchange, service, parsed, no_spend, {.spends = false})) co_return;
  if (auto refused = modelless(parsed.object)) {
    exchange.response.set_error(*refused);
    co_return;
  }
  gateway::MessagesRequest request;
  request.body = &parsed.object;
  request.raw_body = exchange.request.body;
  std::string beta;
  if (!take_dialect_headers(exchange, request, beta)) co_return;
  std::string mock_headers;
  request.chat =
      translated_chat_request(exchange, service, parsed.object, request.raw_body, mock_headers);
  request.chat.stream = request.chat.include_usage = false;  // a count is never streamed
  gateway::Outcome outcome = co_await service.count_tokens(request, caller_of(exchange));
  if (outcome.unserved) {
    co_await answer_estimate(exchange, parsed.object);
    co_return;
  }
  log_outcome(exchange, request.chat.model, outcome);
  if (!outcome.ok) {
    set_messages_failure(exchange, outcome);
    co_return;
  }
  exchange.response.set_json(200, std::move(outcome.body));
  exchange.response.add_header("x-sluice-deployment", outcome.deployment);
  exchange.response.add_header(std::string(kTokenCountHeader), "upstream");
  add_request_ids(exchange.response, exchange.request_id, outcome.upstream_request_id);
}

}  // namespace

void register_messages_routes(http::Router& router, gateway::GatewayService& service) {
  const http::RouteOptions options{.model_route = true, .rewrite_error = anthropic_error_shape};
  router.add(
      "POST", "/v1/messages",
      [&service](http::Exchange& exchange) { return create_message(service, exchange); }, options);
  router.add(
      "POST", "/v1/messages/count_tokens",
      [&service](http::Exchange& exchange) { return count_tokens(service, exchange); }, options);
}

}  // namespace sluice::api
