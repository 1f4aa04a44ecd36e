#pragma once
// Turns texts into vectors with a collection's embedding model. Ingestion embeds chunks in
// batches; search embeds the query. The production implementation calls the gateway's
// embeddings route (any OpenAI-compatible embeddings API); tests use fakes.

#include <boost/asio/awaitable.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace sluice::rag {

class Embedder {
 public:
  virtual ~Embedder() = default;
  // One vector per text, in order, all of the same dimension. Fails as a whole (the caller
  // retries or fails the job): a partial batch is never returned.
  virtual boost::asio::awaitable<Result<std::vector<std::vector<float>>>> embed(
      std::string_view model, std::span<const std::string> texts) = 0;
};

}  // namespace sluice::rag
