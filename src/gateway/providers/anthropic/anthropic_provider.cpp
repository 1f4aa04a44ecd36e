#include "gateway/providers/anthropic/anthropic_provider.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "gateway/providers/anthropic/anthropic_passthrough.hpp"
#include "gateway/providers/anthropic/anthropic_translate.hpp"
#include "gateway/providers/openai/openai_provider.hpp"
#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/stream_relay.hpp"
#include "gateway/providers/upstream_failure.hpp"
#include "gateway/providers/upstream_models.hpp"

namespace sluice::gateway {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::string_view kApiVersion = "2023-06-01";
// {"input_tokens": N} and whatever fields Anthropic adds beside it: far below this.
constexpr std::size_t kMaxCountTokensBody = 64 << 10;

std::string anthropic_target(std::string_view base_path, std::string_view resource) {
  std::string target(base_path);
  if (!base_path.ends_with("/v1")) target += "/v1";
  target += resource;
  return target;
}

// Anthropic's events become OpenAI chunks through the translator.
class AnthropicStream final : public StreamTranslation {
 public:
  AnthropicStream(std::string upstream_model, bool include_usage)
      : translator_(std::move(upstream_model), include_usage, core::unix_seconds()) {}

  std::optional<AttemptResult> on_event(const SseEvent& event,
                                        std::vector<std::string_view>& chunks) override {
    auto translated = translator_.on_event(event.event, event.data);
    if (!translated)
      return AttemptResult::failure(core::AttemptOutcome::upstream_5xx, translated.error());
    last_ = std::move(*translated);
    for (const std::string& chunk : last_) chunks.push_back(chunk);
    return std::nullopt;
  }

  bool done() const override { return translator_.done(); }

  std::optional<AttemptResult> finish() override {
    if (translator_.done()) return std::nullopt;
    return AttemptResult::failure(
        core::AttemptOutcome::protocol,
        make_error(Errc::bad_gateway, "upstream ended the stream before message_stop"));
  }

  // Anthropic reports input tokens at the start and output tokens as it goes.
  void account(Usage& usage) const override { usage = translator_.usage().to_usage(); }

 private:
  AnthropicStreamTranslator translator_;
  std::vector<std::string> last_;  // the chunks of the last event, viewed by the relay
};

}  // namespace

std::string anthropic_messages_target(std::string_view base_path) {
  return anthropic_target(base_path, "/messages");
}

std::string anthropic_count_tokens_target(std::string_view base_path) {
  return anthropic_target(base_path, "/messages/count_tokens");
}

std::string anthropic_models_target(std::string_view base_path) {
  // One page of the largest size the API allows: far more models than Anthropic offers.
  return anthropic_target(base_path, "/models?limit=1000");
}

AnthropicProvider::AnthropicProvider(const core::ProviderConfig& config,
                                     http::UpstreamEndpoint endpoint)
    : name_(config.name),
      endpoint_(std::move(endpoint)),
      timeouts_(upstream_timeouts(config)),
      api_key_(config.api_key),
      forward_mock_headers_(config.forward_mock_headers),
      extra_headers_(header_lines(config.headers)),
      rules_(config.param_rules, /*builtin=*/false) {}

awaitable<AttemptResult> AnthropicProvider::open(http::UpstreamCall& call, std::string target,
                                                 std::string_view body, std::string headers,
                                                 const ChatRequest& request) {
  http::UpstreamRequest upstream;
  upstream.target = std::move(target);
  upstream.body = body;
  upstream.headers = std::move(headers);
  upstream.headers += "Content-Type: application/json\r\n";
  upstream.headers += provider_headers();
  if (request.trace) upstream.headers += "traceparent: " + request.trace->traceparent() + "\r\n";
  if (forward_mock_headers_) upstream.headers += request.forward_headers;
  if (auto started =
          co_await call.start(endpoint_, upstream, timeouts_for(timeouts_, request.limits));
      !started.ok())
    co_return transport_failure(call, started.error());
  // Sent on to clients, in a header and the access log: only an id's characters.
  std::string request_id;
  if (const std::string_view id = call.header("request-id"); core::is_valid_request_id(id))
    request_id = id;
  if (call.status() != 200) {
    auto error_body = co_await call.read_all(1 << 20);
    const std::string text = error_body ? std::move(*error_body) : std::string();
    AttemptResult failure =
        http_failure(call.status(), openai_error_from_anthropic(text, call.status()),
                     call.header("retry-after"), call.header("retry-after-ms"), name_);
    failure.error = error_from_anthropic(text, call.status());
    failure.upstream_request_id = std::move(request_id);
    co_return failure;
  }
  AttemptResult opened;
  opened.upstream_request_id = std::move(request_id);
  co_return opened;
}

awaitable<AttemptResult> AnthropicProvider::chat(const ChatRequest& request,
                                                 std::string_view upstream_model, ChunkSink* sink) {
  Result<std::string> body = std::string();
  if (rules_.changes(upstream_model, *request.body)) {
    json::object edited = *request.body;
    rules_.apply(upstream_model, edited);
    body = anthropic_request_from_openai(edited, upstream_model);
  } else {
    body = anthropic_request_from_openai(*request.body, upstream_model);
  }
  if (!body) co_return AttemptResult::failure(core::AttemptOutcome::rejected, body.error());
  http::UpstreamCall call;
  AttemptResult opened = co_await open(call, anthropic_messages_target(endpoint_.base_path), *body,
                                       anthropic_dialect_headers({}, {}, kApiVersion), request);
  if (!opened.ok()) co_return opened;
  if (request.stream && sink) {
    // Chunks name the model as the non-streaming answer does (and as OpenAI-compatible upstreams
    // do): the deployment's model, not the alias the client asked for.
    AnthropicStream translation(std::string(upstream_model), request.include_usage);
    co_await relay_stream(call, translation, *sink, opened);
    co_return opened;
  }

  auto response = co_await call.read_all(kMaxUpstreamBody);
  if (!response) co_return transport_failure(call, response.error());
  auto translated = openai_response_from_anthropic(*response, upstream_model, core::unix_seconds());
  if (!translated)
    co_return AttemptResult::failure(core::AttemptOutcome::protocol,
                                     make_error(Errc::bad_gateway, translated.error().message));
  // Anthropic's own usage, not the translation's: OpenAI's has no place for 1-hour cache writes.
  if (auto answer = read_messages_answer(*response)) opened.usage = answer->usage;
  opened.finish_reason = std::string(finish_reason_in(*translated));
  opened.body = std::move(*translated);
  co_return opened;
}

// Not a coroutine: a stream's frame, held as long as the stream, carries nothing of the JSON path.
awaitable<AttemptResult> AnthropicProvider::messages(const MessagesRequest& request,
                                                     std::string_view upstream_model,
                                                     MessagesStreamSink* sink) {
  if (request.chat.stream && sink) return messages_stream(request, upstream_model, *sink);
  return messages_json(request, upstream_model);
}

awaitable<AttemptResult> AnthropicProvider::open_messages(http::UpstreamCall& call,
                                                          const MessagesRequest& request,
                                                          std::string_view upstream_model,
                                                          std::string target) {
  const std::string rewritten = messages_upstream_body(request, upstream_model);
  const std::string_view body = rewritten.empty() ? request.raw_body : std::string_view(rewritten);
  std::string headers =
      anthropic_dialect_headers(request.anthropic_version, request.anthropic_beta, kApiVersion);
  headers += request.chat.stream ? "Accept: text/event-stream\r\n" : "Accept: application/json\r\n";
  co_return co_await open(call, std::move(target), body, std::move(headers), request.chat);
}

awaitable<AttemptResult> AnthropicProvider::messages_json(const MessagesRequest& request,
                                                          std::string_view upstream_model) {
  http::UpstreamCall call;
  AttemptResult result = co_await open_messages(call, request, upstream_model,
                                                anthropic_messages_target(endpoint_.base_path));
  if (!result.ok()) co_return result;
  auto response = co_await call.read_all(kMaxUpstreamBody);
  if (!response) co_return transport_failure(call, response.error());
  auto answer = read_messages_answer(*response);
  if (!answer)
    co_return AttemptResult::failure(
        core::AttemptOutcome::protocol,
        make_error(Errc::bad_gateway,
                   "upstream " + name_ + " sent a response that is not a message"));
  result.usage = answer->usage;
  result.finish_reason = std::move(answer->finish_reason);
  result.body = std::move(*response);
  result.passed_through = true;
  co_return result;
}

awaitable<AttemptResult> AnthropicProvider::messages_stream(const MessagesRequest& request,
                                                            std::string_view upstream_model,
                                                            MessagesStreamSink& sink) {
  http::UpstreamCall call;
  AttemptResult result = co_await open_messages(call, request, upstream_model,
                                                anthropic_messages_target(endpoint_.base_path));
  if (result.ok()) {
    if (!result.upstream_request_id.empty())
      sink.on_upstream_request_id(result.upstream_request_id);
    MessagesEventRelay relay(sink);
    co_await relay_stream(call, relay, sink, result);
    result.passed_through = true;
  }
  co_return result;
}

awaitable<AttemptResult> AnthropicProvider::count_tokens(const MessagesRequest& request,
                                                         std::string_view upstream_model) {
  http::UpstreamCall call;
  AttemptResult result = co_await open_messages(call, request, upstream_model,
                                                anthropic_count_tokens_target(endpoint_.base_path));
  if (!result.ok()) co_return result;
  auto response = co_await call.read_all(kMaxCountTokensBody);
  if (!response) co_return transport_failure(call, response.error());
  if (!read_token_count(*response))
    co_return AttemptResult::failure(
        core::AttemptOutcome::protocol,
        make_error(Errc::bad_gateway,
                   "upstream " + name_ + " answered count_tokens without a whole input_tokens"));
  result.body = std::move(*response);
  result.passed_through = true;
  co_return result;
}

awaitable<AttemptResult> AnthropicProvider::embeddings(const EmbeddingsRequest&, std::string_view) {
  co_return AttemptResult::failure(
      core::AttemptOutcome::rejected,
      make_error(Errc::invalid_request, "provider " + name_ + " (anthropic) offers no embeddings",
                 "model", "model_not_supported"));
}

std::string AnthropicProvider::provider_headers() const {
  std::string lines =
      api_key_.empty() ? std::string() : "x-api-key: " + api_key_ + "\r\n";  // else keyless
  lines += extra_headers_;
  return lines;
}

awaitable<Result<std::vector<std::string>>> AnthropicProvider::list_models() {
  http::UpstreamRequest request;
  request.target = anthropic_models_target(endpoint_.base_path);
  request.headers = "Accept: application/json\r\n" +
                    anthropic_dialect_headers({}, {}, kApiVersion) + provider_headers();
  return fetch_model_ids(endpoint_, std::move(request), timeouts_, name_);
}

}  // namespace sluice::gateway
