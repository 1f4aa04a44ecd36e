#pragma once

#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/param_rules.hpp"
#include "gateway/providers/provider.hpp"
#include "http/upstream_client.hpp"

namespace sluice::gateway {

// Any OpenAI-compatible API (OpenAI, Groq, Gemini's OpenAI endpoint, Together, Mistral, DeepSeek,
// vLLM, Ollama, llama.cpp server), and Azure OpenAI (type azure: deployment URLs, api-key,
// api-version; azure_wire.hpp): requests go out nearly untouched and streams are relayed event
// by event, reading the next upstream bytes only after the client took the last ones.
class OpenAiProvider final : public Provider {
 public:
  OpenAiProvider(const core::ProviderConfig& config, http::UpstreamEndpoint endpoint);

  const std::string& name() const override { return name_; }
  const ParamRules* param_rules() const override { return &rules_; }
  boost::asio::awaitable<AttemptResult> chat(const ChatRequest& request,
                                             std::string_view upstream_model,
                                             ChunkSink* sink) override;
  boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest& request,
                                                   std::string_view upstream_model) override;
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override;
  // Moderations ({base_url}/moderations, OpenAI's) and rerank ({base_url}/rerank: Jina, vLLM,
  // Cohere's v2 API and other servers of that shape; OpenAI itself has none, and answers 404).
  // Azure's deployment API has neither moderations nor rerank. Token counting is Anthropic's.
  bool serves(Endpoint endpoint) const override {
    return !azure_ && endpoint != Endpoint::count_tokens;
  }
  boost::asio::awaitable<AttemptResult> call(const EndpointRequest& request,
                                             std::string_view upstream_model) override;
  // Images and audio (openai_media.cpp).
  boost::asio::awaitable<AttemptResult> media(const MediaRequest& request,
                                              std::string_view upstream_model,
                                              MediaSink& sink) override;

 private:
  // `resource`: the path after the base ("/chat/completions"); `upstream_model`: the deployment
  // (Azure names it in the URL).
  http::UpstreamRequest make_request(std::string_view resource, std::string_view upstream_model,
                                     std::string_view body, const core::TraceContext* trace,
                                     std::string_view request_id, bool stream) const;
  // An upstream error status: the attempt's failure, from the body the upstream sent.
  boost::asio::awaitable<AttemptResult> read_http_failure(http::UpstreamCall& call) const;
  // Sends the request and reads the response head; ok when the upstream answered 200.
  boost::asio::awaitable<AttemptResult> open(http::UpstreamCall& call, const ChatRequest& request,
                                             std::string_view upstream_model);
  boost::asio::awaitable<AttemptResult> chat_json(const ChatRequest& request,
                                                  std::string_view upstream_model);
  boost::asio::awaitable<AttemptResult> chat_stream(const ChatRequest& request,
                                                    std::string_view upstream_model,
                                                    ChunkSink& sink);

  std::string name_;
  http::UpstreamEndpoint endpoint_;
  http::UpstreamTimeouts timeouts_;
  // Content-Type, (unless keyless) Authorization or Azure's api-key, and the configured headers.
  std::string fixed_headers_;
  bool forward_mock_headers_;  // config forward_mock_headers: pass the client's x-mock-* on
  const bool azure_;
  const std::string api_version_;  // azure only
  ParamRules rules_;
  BodyOptions body_options_;  // points at rules_
};

// Upstream bodies larger than this are refused rather than buffered.
inline constexpr std::size_t kMaxUpstreamBody = 64 * 1024 * 1024;

}  // namespace sluice::gateway
