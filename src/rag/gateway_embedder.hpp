#pragma once

#include <cstddef>

#include "rag/embedder.hpp"

namespace sluice::gateway {
class GatewayService;
}

namespace sluice::rag {

// Embeds through the gateway's own routing (aliases, retries, fallbacks, breakers, metrics), so a
// collection's embedding model is any model the gateway serves: OpenAI, Ollama, vLLM, TEI or the
// mock. Texts go in batches of at most kBatchSize; every vector must have the same dimension.
// Errors carry the gateway's message.
class GatewayEmbedder final : public Embedder {
 public:
  static constexpr std::size_t kBatchSize = 64;

  explicit GatewayEmbedder(gateway::GatewayService& gateway) : gateway_(gateway) {}

  boost::asio::awaitable<Result<std::vector<std::vector<float>>>> embed(
      std::string_view model, std::span<const std::string> texts) override;

 private:
  gateway::GatewayService& gateway_;
};

// The vectors of an OpenAI embeddings response, ordered by their `index`: bad_gateway when it
// is malformed, holds another number of vectors than `expected`, or mixes dimensions.
Result<std::vector<std::vector<float>>> parse_embeddings_response(std::string_view body,
                                                                  std::size_t expected);

}  // namespace sluice::rag
