#pragma once

#include "gateway/providers/provider.hpp"
#include "http/upstream_client.hpp"

namespace sluice::gateway {

// Any OpenAI-compatible API (OpenAI, Groq, Gemini's OpenAI endpoint, Together, Mistral, DeepSeek,
// vLLM, Ollama, llama.cpp server): requests go out nearly untouched and streams are relayed
// event by event, reading the next upstream bytes only after the client took the last ones.
class OpenAiProvider final : public Provider {
 public:
  OpenAiProvider(const core::ProviderConfig& config, http::UpstreamEndpoint endpoint);

  const std::string& name() const override { return name_; }
  boost::asio::awaitable<AttemptResult> chat(const ChatRequest& request,
                                             std::string_view upstream_model,
                                             ChunkSink* sink) override;
  boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest& request,
                                                   std::string_view upstream_model) override;
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override;
  // Images and audio (openai_media.cpp).
  boost::asio::awaitable<AttemptResult> media(const MediaRequest& request,
                                              std::string_view upstream_model,
                                              MediaSink& sink) override;

 private:
  http::UpstreamRequest make_request(std::string target, std::string_view body,
                                     const core::TraceContext* trace, std::string_view request_id,
                                     bool stream) const;
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
  std::string fixed_headers_;  // Content-Type and (unless keyless) Authorization lines
  bool forward_mock_headers_;  // config forward_mock_headers: pass the client's x-mock-* on
};

// Upstream bodies larger than this are refused rather than buffered.
inline constexpr std::size_t kMaxUpstreamBody = 64 * 1024 * 1024;

}  // namespace sluice::gateway
