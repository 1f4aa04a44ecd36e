#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "gateway/media_call.hpp"
#include "gateway/types.hpp"

namespace sluice::gateway {

// One upstream API (OpenAI-compatible, Anthropic, or the in-process mock). Providers are shared
// by every event loop: implementations keep no per-request state in members.
class Provider {
 public:
  virtual ~Provider() = default;
  virtual const std::string& name() const = 0;

  // Non-streaming: fills result.body. Streaming: pushes chunks into `sink`; a failure before the
  // sink started may be retried elsewhere, one after it ends the client's stream.
  virtual boost::asio::awaitable<AttemptResult> chat(const ChatRequest& request,
                                                     std::string_view upstream_model,
                                                     ChunkSink* sink) = 0;
  virtual boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest& request,
                                                           std::string_view upstream_model) = 0;
  // The upstream's own model ids (its models endpoint), bounded as parse_model_ids() bounds them.
  virtual boost::asio::awaitable<Result<std::vector<std::string>>> list_models() = 0;
  // Images and audio, passed through with the model renamed and the answer relayed into `sink`
  // as it arrives. By default a provider serves none: `rejected`, naming the endpoint.
  virtual boost::asio::awaitable<AttemptResult> media(const MediaRequest& request,
                                                      std::string_view upstream_model,
                                                      MediaSink& sink);
};

// Builds the provider for a validated config entry.
Result<std::unique_ptr<Provider>> make_provider(const core::ProviderConfig& config);

}  // namespace sluice::gateway
