#include "gateway/providers/openai/openai_provider.hpp"

#include <boost/json.hpp>

#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/sse_parser.hpp"
#include "gateway/providers/upstream_models.hpp"
#include "gateway/providers/upstream_result.hpp"

namespace sluice::gateway {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

awaitable<AttemptResult> read_http_failure(http::UpstreamCall& call, std::string_view provider) {
  auto body = co_await call.read_all(1 << 20);
  co_return upstream_http_failure(call.status(), body ? std::move(*body) : std::string(),
                                  call.header("retry-after"), call.header("retry-after-ms"),
                                  provider);
}

}  // namespace

OpenAiProvider::OpenAiProvider(const core::ProviderConfig& config, http::UpstreamEndpoint endpoint)
    : name_(config.name), endpoint_(std::move(endpoint)), timeouts_(upstream_timeouts(config)) {
  fixed_headers_ = "Content-Type: application/json\r\n";
  if (!config.api_key.empty()) fixed_headers_ += "Authorization: Bearer " + config.api_key + "\r\n";
}

http::UpstreamRequest OpenAiProvider::make_request(std::string target, std::string_view body,
                                                   const core::TraceContext* trace,
                                                   std::string_view request_id, bool stream) const {
  http::UpstreamRequest request;
  request.target = endpoint_.base_path + target;
  request.body = body;
  request.headers.reserve(fixed_headers_.size() + 160);
  request.headers = fixed_headers_;
  request.headers += stream ? "Accept: text/event-stream\r\n" : "Accept: application/json\r\n";
  if (trace) {
    request.headers += "traceparent: ";
    request.headers += trace->traceparent();
    request.headers += "\r\n";
  }
  if (!request_id.empty()) {
    request.headers += "x-request-id: ";
    request.headers += request_id;
    request.headers += "\r\n";
  }
  return request;
}

// Not a coroutine: each path gets a frame with only what it needs, and a stream, whose frame
// lives as long as it does, carries nothing of the request-sending step.
awaitable<AttemptResult> OpenAiProvider::chat(const ChatRequest& request,
                                              std::string_view upstream_model, ChunkSink* sink) {
  if (request.stream && sink) return chat_stream(request, upstream_model, *sink);
  return chat_json(request, upstream_model);
}

awaitable<AttemptResult> OpenAiProvider::open(http::UpstreamCall& call, const ChatRequest& request,
                                              std::string_view upstream_model) {
  const std::string rewritten = upstream_chat_body(request, upstream_model);
  const std::string_view body = rewritten.empty() ? request.raw_body : std::string_view(rewritten);
  if (auto started = co_await call.start(endpoint_,
                                         make_request("/chat/completions", body, request.trace,
                                                      request.request_id, request.stream),
                                         timeouts_);
      !started.ok())
    co_return transport_failure(call, started.error());
  if (call.status() != 200) co_return co_await read_http_failure(call, name_);
  AttemptResult opened;
  opened.ok = true;
  co_return opened;
}

awaitable<AttemptResult> OpenAiProvider::chat_json(const ChatRequest& request,
                                                   std::string_view upstream_model) {
  http::UpstreamCall call;
  AttemptResult result = co_await open(call, request, upstream_model);
  if (!result.ok) co_return result;
  auto response = co_await call.read_all(kMaxUpstreamBody);
  if (!response) co_return transport_failure(call, response.error());
  if (!inspect_response(*response, *request.body, result.usage))
    co_return AttemptResult::failure(
        make_error(Errc::bad_gateway, "upstream " + name_ + " sent a response that is not JSON"),
        true);
  result.body = std::move(*response);
  co_return result;
}

awaitable<AttemptResult> OpenAiProvider::chat_stream(const ChatRequest& request,
                                                     std::string_view upstream_model,
                                                     ChunkSink& sink) {
  http::UpstreamCall call;
  AttemptResult result = co_await open(call, request, upstream_model);
  if (!result.ok) co_return result;
  result.ok = false;
  SseParser parser;
  std::vector<SseEvent> events;
  std::size_t streamed_content = 0;
  bool done = false;
  while (!done) {
    auto piece = co_await call.read_some();
    if (!piece) {
      result.fail_stream(transport_failure(call, piece.error()), sink.started());
      co_return result;
    }
    if (piece->empty()) break;  // upstream ended the body
    events.clear();
    parser.feed(*piece, events);
    for (const SseEvent& event : events) {
      if (event.data == "[DONE]") {
        done = true;
        break;
      }
      const ChunkInfo info = inspect_chunk(event.data, result.usage);
      if (!info.is_json) continue;  // not JSON: nothing a client could use
      if (info.is_error) {
        result.fail_stream(upstream_http_failure(500, event.data, {}, {}, name_), sink.started());
        co_return result;
      }
      if (info.usage_only && !request.include_usage) continue;  // we asked for it, not the client
      streamed_content += info.content_bytes;
      if (!result.first_token_seen) {
        result.first_token_seen = true;
        result.first_token_at = std::chrono::steady_clock::now();
      }
      if (!co_await sink.send(event.data)) {  // the client went away: stop paying for tokens
        call.abandon();
        result.fail_stream(AttemptResult::client_disconnected(), true);
        co_return result;
      }
    }
  }
  if (!done && !result.usage.reported) {
    result.fail_stream(
        AttemptResult::failure(
            make_error(Errc::bad_gateway, "upstream " + name_ + " ended the stream early"), true),
        sink.started());
    co_return result;
  }
  if (!result.usage.reported) {
    result.usage.prompt_tokens = estimate_request_prompt_tokens(*request.body);
    result.usage.completion_tokens = estimate_tokens_from_bytes(streamed_content);
    result.usage.estimated = true;
  }
  result.ok = true;
  co_return result;
}

awaitable<AttemptResult> OpenAiProvider::embeddings(const EmbeddingsRequest& request,
                                                    std::string_view upstream_model) {
  const std::string rewritten = upstream_embeddings_body(request, upstream_model);
  const std::string_view body = rewritten.empty() ? request.raw_body : std::string_view(rewritten);
  http::UpstreamCall call;
  if (auto started = co_await call.start(
          endpoint_, make_request("/embeddings", body, request.trace, request.request_id, false),
          timeouts_);
      !started.ok())
    co_return transport_failure(call, started.error());
  if (call.status() != 200) co_return co_await read_http_failure(call, name_);
  auto response = co_await call.read_all(kMaxUpstreamBody);
  if (!response) co_return transport_failure(call, response.error());
  AttemptResult result;
  read_trailing_usage(*response, result.usage);
  result.ok = true;
  result.body = std::move(*response);
  co_return result;
}

awaitable<Result<std::vector<std::string>>> OpenAiProvider::list_models() {
  return fetch_model_ids(endpoint_, make_request("/models", {}, nullptr, {}, false), timeouts_,
                         name_);
}

}  // namespace sluice::gateway
