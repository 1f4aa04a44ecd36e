#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
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
  // Whether the upstream speaks Anthropic's Messages API: a POST /v1/messages request then goes
  // to messages(), passed through, instead of chat() translated.
  virtual bool speaks_messages() const { return false; }
  // Sends `request` as the client wrote it but for its model (upstream_model). Non-streaming:
  // result.body is the upstream's Messages response (passed_through). Streaming: the upstream's
  // events go to `sink` one by one, unchanged. Only called when speaks_messages().
  virtual boost::asio::awaitable<AttemptResult> messages(const MessagesRequest& request,
                                                         std::string_view upstream_model,
                                                         MessagesStreamSink* sink);
  virtual boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest& request,
                                                           std::string_view upstream_model) = 0;
  // The upstream's own model ids (its models endpoint), bounded as parse_model_ids() bounds them.
  virtual boost::asio::awaitable<Result<std::vector<std::string>>> list_models() = 0;
};

// Builds the provider for a validated config entry.
Result<std::unique_ptr<Provider>> make_provider(const core::ProviderConfig& config);

}  // namespace sluice::gateway
