#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "gateway/media_call.hpp"
#include "gateway/types.hpp"

namespace sluice::gateway {

class ParamRules;

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
  // Anthropic's POST /v1/messages/count_tokens for `request`, sent as messages() sends it (model
  // renamed, anthropic-* headers); result.body: the upstream's {"input_tokens": N}
  // (passed_through), no usage. Only called when serves(Endpoint::count_tokens); by default a
  // `rejected` failure (nothing is sent).
  virtual boost::asio::awaitable<AttemptResult> count_tokens(const MessagesRequest& request,
                                                             std::string_view upstream_model);
  virtual boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest& request,
                                                           std::string_view upstream_model) = 0;
  // The upstream's own model ids (its models endpoint), bounded as parse_model_ids() bounds them.
  virtual boost::asio::awaitable<Result<std::vector<std::string>>> list_models() = 0;
  // The parameter rules its chat requests go through (for their metrics); null: none.
  virtual const ParamRules* param_rules() const { return nullptr; }

  // Whether the provider has `endpoint` (none by default): requests for it go only to those that
  // do, so call() is never asked of one that has not.
  virtual bool serves(Endpoint endpoint) const { return false; }
  // Sends `request` to its endpoint with `upstream_model`; result.body: the upstream's JSON answer.
  // By default a `rejected` failure (nothing is sent).
  virtual boost::asio::awaitable<AttemptResult> call(const EndpointRequest& request,
                                                     std::string_view upstream_model);
  // Images and audio (the media endpoints it serves), passed through with the model renamed and
  // the answer relayed into `sink` as it arrives. By default a `rejected` failure.
  virtual boost::asio::awaitable<AttemptResult> media(const MediaRequest& request,
                                                      std::string_view upstream_model,
                                                      MediaSink& sink);
};

// Builds the provider for a validated config entry.
Result<std::unique_ptr<Provider>> make_provider(const core::ProviderConfig& config);

// A provider's configured `headers` as request header lines, "Name: value\r\n" each.
std::string header_lines(const std::map<std::string, std::string>& headers);

}  // namespace sluice::gateway
