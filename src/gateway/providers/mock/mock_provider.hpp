#pragma once

#include "gateway/providers/provider.hpp"

namespace sluice::gateway {

// In-process provider with deterministic answers (the dev default when no provider is
// configured): configurable latency, error rate and status, and chunk count.
class MockProvider final : public Provider {
 public:
  explicit MockProvider(const core::ProviderConfig& config) : config_(config) {}

  const std::string& name() const override { return config_.name; }
  boost::asio::awaitable<AttemptResult> chat(const ChatRequest& request,
                                             std::string_view upstream_model,
                                             ChunkSink* sink) override;
  boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest& request,
                                                   std::string_view upstream_model) override;
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override;
  // Moderations and rerank, answered as mock-upstream answers them (mock_moderation.hpp,
  // mock_rerank.hpp).
  // Images and audio are passed through, which an in-process mock cannot do; it has no tokenizer
  // to count with either (count_tokens is estimated for it).
  bool serves(Endpoint endpoint) const override {
    return endpoint == Endpoint::moderations || endpoint == Endpoint::rerank;
  }
  boost::asio::awaitable<AttemptResult> call(const EndpointRequest& request,
                                             std::string_view upstream_model) override;

 private:
  // Waits the configured latency; returns a failure when the error dice say so.
  boost::asio::awaitable<std::optional<AttemptResult>> latency_and_faults(
      const RequestLimits& limits);

  core::ProviderConfig config_;
};

}  // namespace sluice::gateway
