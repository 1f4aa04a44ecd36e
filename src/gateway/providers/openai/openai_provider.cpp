#include "gateway/providers/openai/openai_provider.hpp"

#include <boost/json.hpp>

#include "core/json_validate.hpp"
#include "gateway/providers/azure/azure_wire.hpp"
#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/stream_relay.hpp"
#include "gateway/providers/upstream_failure.hpp"
#include "gateway/providers/upstream_models.hpp"

namespace sluice::gateway {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

awaitable<Result<std::vector<std::string>>> no_models() { co_return std::vector<std::string>{}; }

// An OpenAI-compatible stream is already in the client's format: chunks pass through as they
// are; the gateway only reads usage and errors, and counts content to estimate usage when the
// upstream reports none.
class OpenAiStream final : public StreamTranslation {
 public:
  OpenAiStream(const ChatRequest& request, std::string_view provider)
      : request_(request), provider_(provider) {}

  std::optional<AttemptResult> on_event(const SseEvent& event,
                                        std::vector<std::string_view>& chunks) override {
    if (event.data == "[DONE]") {
      done_ = true;
      return std::nullopt;
    }
    const ChunkInfo info = inspect_chunk(event.data, usage_);
    if (!info.is_json) return std::nullopt;  // not JSON: nothing a client could use
    if (info.is_error) return http_failure(500, event.data, {}, {}, provider_);
    if (info.usage_only && !request_.include_usage) return std::nullopt;  // we asked, not them
    content_bytes_ += info.content_bytes;
    chunks.push_back(event.data);
    return std::nullopt;
  }

  bool done() const override { return done_; }

  std::optional<AttemptResult> finish() override {
    if (done_ || usage_.reported) return std::nullopt;
    return AttemptResult::failure(
        core::AttemptOutcome::protocol,
        make_error(Errc::bad_gateway,
                   "upstream " + std::string(provider_) + " ended the stream before [DONE]"));
  }

  void account(Usage& usage) const override {
    usage = usage_;
    if (usage.reported) return;
    usage.prompt_tokens = estimate_request_prompt_tokens(*request_.body);
    usage.completion_tokens = estimate_tokens_from_bytes(content_bytes_);
    usage.estimated = true;
  }

 private:
  const ChatRequest& request_;
  std::string_view provider_;
  Usage usage_;
  std::size_t content_bytes_ = 0;
  bool done_ = false;
};

// `body` as `request`'s, in its pieces: views, so `body` must outlive the call's start().
void attach(http::UpstreamRequest& request, const OutgoingBody& body) {
  const auto pieces = body.pieces();
  request.body = pieces[0];
  request.body_rest = {pieces[1], pieces[2]};
}

}  // namespace

OpenAiProvider::OpenAiProvider(const core::ProviderConfig& config, http::UpstreamEndpoint endpoint)
    : name_(config.name),
      endpoint_(std::move(endpoint)),
      timeouts_(upstream_timeouts(config)),
      forward_mock_headers_(config.forward_mock_headers),
      azure_(config.type == "azure"),
      api_version_(config.api_version.empty() ? core::kDefaultAzureApiVersion : config.api_version),
      rules_(config.param_rules, config.builtin_param_rules) {
  fixed_headers_ = "Content-Type: application/json\r\n";
  if (!config.api_key.empty())
    fixed_headers_ += azure_ ? "api-key: " + config.api_key + "\r\n"
                             : "Authorization: Bearer " + config.api_key + "\r\n";
  fixed_headers_ += header_lines(config.headers);
  body_options_.rules = &rules_;
  body_options_.set_model = !azure_;
}

http::UpstreamRequest OpenAiProvider::make_request(std::string_view resource,
                                                   std::string_view upstream_model,
                                                   std::string_view body,
                                                   const core::TraceContext* trace,
                                                   std::string_view request_id, bool stream) const {
  http::UpstreamRequest request;
  request.target = azure_
                       ? azure_target(endpoint_.base_path, upstream_model, resource, api_version_)
                       : endpoint_.base_path + std::string(resource);
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

awaitable<AttemptResult> OpenAiProvider::read_http_failure(http::UpstreamCall& call) const {
  auto body = co_await call.read_all(1 << 20);
  AttemptResult failure =
      http_failure(call.status(), body ? std::move(*body) : std::string(),
                   call.header("retry-after"), call.header("retry-after-ms"), name_);
  if (azure_) adapt_azure_failure(failure, call.status());
  co_return failure;
}

awaitable<AttemptResult> OpenAiProvider::open(http::UpstreamCall& call, const ChatRequest& request,
                                              std::string_view upstream_model) {
  const OutgoingBody body = upstream_chat_body(request, upstream_model, body_options_);
  http::UpstreamRequest upstream = make_request("/chat/completions", upstream_model, {},
                                                request.trace, request.request_id, request.stream);
  attach(upstream, body);
  if (forward_mock_headers_) upstream.headers += request.forward_headers;
  if (auto started =
          co_await call.start(endpoint_, upstream, timeouts_for(timeouts_, request.limits));
      !started.ok())
    co_return transport_failure(call, started.error());
  if (call.status() != 200) co_return co_await read_http_failure(call);
  co_return AttemptResult{};
}

awaitable<AttemptResult> OpenAiProvider::chat_json(const ChatRequest& request,
                                                   std::string_view upstream_model) {
  http::UpstreamCall call;
  AttemptResult result = co_await open(call, request, upstream_model);
  if (!result.ok()) co_return result;
  auto response = co_await call.read_all(kMaxUpstreamBody);
  if (!response) co_return transport_failure(call, response.error());
  if (!inspect_response(*response, *request.body, result.usage))
    co_return AttemptResult::failure(
        core::AttemptOutcome::protocol,
        make_error(Errc::bad_gateway,
                   "upstream " + name_ + " sent a response that is not complete JSON"));
  result.finish_reason = std::string(finish_reason_in(*response));
  result.body = std::move(*response);
  co_return result;
}

awaitable<AttemptResult> OpenAiProvider::chat_stream(const ChatRequest& request,
                                                     std::string_view upstream_model,
                                                     ChunkSink& sink) {
  http::UpstreamCall call;
  AttemptResult result = co_await open(call, request, upstream_model);
  if (result.ok()) {
    OpenAiStream translation(request, name_);
    co_await relay_stream(call, translation, sink, result);
  }
  co_return result;
}

awaitable<AttemptResult> OpenAiProvider::embeddings(const EmbeddingsRequest& request,
                                                    std::string_view upstream_model) {
  const OutgoingBody body = upstream_embeddings_body(request, upstream_model, body_options_);
  http::UpstreamRequest upstream =
      make_request("/embeddings", upstream_model, {}, request.trace, request.request_id, false);
  attach(upstream, body);
  http::UpstreamCall call;
  if (auto started =
          co_await call.start(endpoint_, upstream, timeouts_for(timeouts_, request.limits));
      !started.ok())
    co_return transport_failure(call, started.error());
  if (call.status() != 200) co_return co_await read_http_failure(call);
  auto response = co_await call.read_all(kMaxUpstreamBody);
  if (!response) co_return transport_failure(call, response.error());
  if (!core::is_complete_json(*response))
    co_return AttemptResult::failure(
        core::AttemptOutcome::protocol,
        make_error(Errc::bad_gateway,
                   "upstream " + name_ + " sent a response that is not complete JSON"));
  AttemptResult result;
  read_trailing_usage(*response, result.usage);
  result.body = std::move(*response);
  co_return result;
}

awaitable<AttemptResult> OpenAiProvider::call(const EndpointRequest& request,
                                              std::string_view upstream_model) {
  const std::string rewritten =
      upstream_body_for_model(*request.body, request.model, upstream_model);
  const std::string_view body = rewritten.empty() ? request.raw_body : std::string_view(rewritten);
  const std::string_view target = request.endpoint == Endpoint::rerank ? "/rerank" : "/moderations";
  http::UpstreamRequest upstream =
      make_request(target, upstream_model, body, request.trace, request.request_id, false);
  if (forward_mock_headers_) upstream.headers += request.forward_headers;
  http::UpstreamCall exchange;
  if (auto started =
          co_await exchange.start(endpoint_, upstream, timeouts_for(timeouts_, request.limits));
      !started.ok())
    co_return transport_failure(exchange, started.error());
  if (exchange.status() != 200) co_return co_await read_http_failure(exchange);
  auto response = co_await exchange.read_all(kMaxUpstreamBody);
  if (!response) co_return transport_failure(exchange, response.error());
  AttemptResult result;
  result.body = std::move(*response);
  co_return result;
}

awaitable<Result<std::vector<std::string>>> OpenAiProvider::list_models() {
  // Azure's inference API lists the resource's base models, not its deployments (that is the
  // management API's business): its deployments are the names aliases and requests give.
  if (azure_) return no_models();
  return fetch_model_ids(endpoint_, make_request("/models", {}, {}, nullptr, {}, false), timeouts_,
                         name_);
}

}  // namespace sluice::gateway
