#pragma once

#include "gateway/providers/param_rules.hpp"
#include "gateway/providers/provider.hpp"
#include "http/upstream_client.hpp"

namespace sluice::gateway {

// Anthropic's Messages API behind the OpenAI interface: requests, responses, errors and
// streams are translated both ways; a client's own Messages request passes through.
class AnthropicProvider final : public Provider {
 public:
  AnthropicProvider(const core::ProviderConfig& config, http::UpstreamEndpoint endpoint);

  const std::string& name() const override { return name_; }
  const ParamRules* param_rules() const override { return &rules_; }
  boost::asio::awaitable<AttemptResult> chat(const ChatRequest& request,
                                             std::string_view upstream_model,
                                             ChunkSink* sink) override;
  // A POST /v1/messages request goes to the upstream as the client wrote it.
  bool speaks_messages() const override { return true; }
  boost::asio::awaitable<AttemptResult> messages(const MessagesRequest& request,
                                                 std::string_view upstream_model,
                                                 MessagesStreamSink* sink) override;
  // POST /v1/messages/count_tokens, passed through as messages() passes a request.
  bool serves(Endpoint endpoint) const override { return endpoint == Endpoint::count_tokens; }
  boost::asio::awaitable<AttemptResult> count_tokens(const MessagesRequest& request,
                                                     std::string_view upstream_model) override;
  boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest& request,
                                                   std::string_view upstream_model) override;
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override;

 private:
  // x-api-key and the configured headers' lines (anthropic-version is the dialect's).
  std::string provider_headers() const;
  // Sends `body` to `target` (the Messages endpoint, or its count_tokens) with `headers` (the
  // dialect's lines) and the provider's own, and reads the response head; ok when the upstream
  // answered 200, else the failure, its error translated. Either way with the upstream's
  // request id, when it gave a well-formed one.
  boost::asio::awaitable<AttemptResult> open(http::UpstreamCall& call, std::string target,
                                             std::string_view body, std::string headers,
                                             const ChatRequest& request);
  // The client's Messages request (model renamed, its anthropic-* headers) sent to `target`.
  boost::asio::awaitable<AttemptResult> open_messages(http::UpstreamCall& call,
                                                      const MessagesRequest& request,
                                                      std::string_view upstream_model,
                                                      std::string target);
  boost::asio::awaitable<AttemptResult> messages_json(const MessagesRequest& request,
                                                      std::string_view upstream_model);
  boost::asio::awaitable<AttemptResult> messages_stream(const MessagesRequest& request,
                                                        std::string_view upstream_model,
                                                        MessagesStreamSink& sink);

  std::string name_;
  http::UpstreamEndpoint endpoint_;
  http::UpstreamTimeouts timeouts_;
  std::string api_key_;
  bool forward_mock_headers_;  // config forward_mock_headers: pass the client's x-mock-* on
  std::string extra_headers_;  // config headers, as header lines
  // The configured rules only: the built-in ones are OpenAI's models'. Applied to the client's
  // (OpenAI-shaped) request before it is translated.
  ParamRules rules_;
};

// The Messages API path under a base URL's path: "/v1/messages" appended to it, unless it already
// ends in "/v1" ("https://api.anthropic.com/v1", as OpenAI-style base URLs are written), which
// then takes "/messages" only.
std::string anthropic_messages_target(std::string_view base_path);
// The same for the Models API ("/v1/models").
std::string anthropic_models_target(std::string_view base_path);
// The same for token counting ("/v1/messages/count_tokens").
std::string anthropic_count_tokens_target(std::string_view base_path);

}  // namespace sluice::gateway
