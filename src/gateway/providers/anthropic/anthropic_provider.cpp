#include "gateway/providers/anthropic/anthropic_provider.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "gateway/providers/anthropic/anthropic_translate.hpp"
#include "gateway/providers/openai/openai_provider.hpp"
#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/sse_parser.hpp"
#include "gateway/providers/upstream_models.hpp"
#include "gateway/providers/upstream_result.hpp"
#include "gateway/routing/retry_policy.hpp"

namespace sluice::gateway {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::string_view kApiVersion = "2023-06-01";

std::string anthropic_target(std::string_view base_path, std::string_view resource) {
  std::string target(base_path);
  if (!base_path.ends_with("/v1")) target += "/v1";
  target += resource;
  return target;
}

}  // namespace

std::string anthropic_messages_target(std::string_view base_path) {
  return anthropic_target(base_path, "/messages");
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
      api_key_(config.api_key) {}

awaitable<AttemptResult> AnthropicProvider::chat(const ChatRequest& request,
                                                 std::string_view upstream_model, ChunkSink* sink) {
  auto body = anthropic_request_from_openai(*request.body, upstream_model);
  if (!body) co_return AttemptResult::failure(body.error(), false);
  http::UpstreamRequest upstream;
  upstream.target = anthropic_messages_target(endpoint_.base_path);
  upstream.body = *body;
  upstream.headers = "Content-Type: application/json\r\n" + auth_headers();
  if (request.trace) upstream.headers += "traceparent: " + request.trace->traceparent() + "\r\n";
  http::UpstreamCall call;
  if (auto started = co_await call.start(endpoint_, upstream, timeouts_); !started.ok())
    co_return transport_failure(call, started.error());
  if (call.status() != 200) {
    auto error_body = co_await call.read_all(1 << 20);
    const std::string text = error_body ? std::move(*error_body) : std::string();
    AttemptResult failure =
        upstream_http_failure(call.status(), openai_error_from_anthropic(text, call.status()),
                              call.header("retry-after"), {}, name_);
    failure.error = error_from_anthropic(text, call.status());
    co_return failure;
  }
  if (request.stream && sink) co_return co_await relay_stream(call, request, upstream_model, *sink);

  auto response = co_await call.read_all(kMaxUpstreamBody);
  if (!response) co_return transport_failure(call, response.error());
  auto translated = openai_response_from_anthropic(*response, upstream_model, core::unix_seconds());
  if (!translated)
    co_return AttemptResult::failure(make_error(Errc::bad_gateway, translated.error().message),
                                     true);
  AttemptResult result;
  json::error_code ec;
  auto parsed = json::parse(*translated, ec);
  if (!ec && parsed.is_object()) read_usage(parsed.as_object(), result.usage);
  result.ok = true;
  result.body = std::move(*translated);
  co_return result;
}

awaitable<AttemptResult> AnthropicProvider::relay_stream(http::UpstreamCall& call,
                                                         const ChatRequest& request,
                                                         std::string_view upstream_model,
                                                         ChunkSink& sink) {
  // Chunks name the model as the non-streaming answer does (and as OpenAI-compatible upstreams
  // do): the deployment's model, not the alias the client asked for.
  AnthropicStreamTranslator translator(std::string(upstream_model), request.include_usage,
                                       core::unix_seconds());
  SseParser parser;
  std::vector<SseEvent> events;
  AttemptResult result;
  while (!translator.done()) {
    auto piece = co_await call.read_some();
    if (!piece) {
      result.fail_stream(transport_failure(call, piece.error()), sink.started());
      co_return result;
    }
    if (piece->empty()) break;
    events.clear();
    parser.feed(*piece, events);
    for (const SseEvent& event : events) {
      auto chunks = translator.on_event(event.event, event.data);
      if (!chunks) {
        result.fail_stream(AttemptResult::failure(chunks.error(), true), sink.started());
        co_return result;
      }
      for (const std::string& chunk : *chunks) {
        if (!result.first_token_seen) {
          result.first_token_seen = true;
          result.first_token_at = std::chrono::steady_clock::now();
        }
        if (!co_await sink.send(chunk)) {
          call.abandon();
          result.fail_stream(AttemptResult::client_disconnected(), true);
          co_return result;
        }
      }
    }
  }
  if (!translator.done())
    co_return AttemptResult::failure(
        make_error(Errc::bad_gateway, "upstream " + name_ + " ended the stream early"),
        !sink.started());
  result.usage.prompt_tokens = translator.prompt_tokens();
  result.usage.completion_tokens = translator.completion_tokens();
  result.usage.cached_tokens = translator.usage().cache_read_input_tokens;
  result.usage.reported = true;
  result.ok = true;
  co_return result;
}

awaitable<AttemptResult> AnthropicProvider::embeddings(const EmbeddingsRequest&, std::string_view) {
  co_return AttemptResult::failure(
      make_error(Errc::invalid_request, "provider " + name_ + " (anthropic) offers no embeddings",
                 "model", "model_not_supported"),
      false);
}

std::string AnthropicProvider::auth_headers() const {
  return "x-api-key: " + api_key_ + "\r\nanthropic-version: " + std::string(kApiVersion) + "\r\n";
}

awaitable<Result<std::vector<std::string>>> AnthropicProvider::list_models() {
  http::UpstreamRequest request;
  request.target = anthropic_models_target(endpoint_.base_path);
  request.headers = "Accept: application/json\r\n" + auth_headers();
  return fetch_model_ids(endpoint_, std::move(request), timeouts_, name_);
}

}  // namespace sluice::gateway
