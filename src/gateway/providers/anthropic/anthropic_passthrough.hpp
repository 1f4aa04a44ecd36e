#pragma once

// A POST /v1/messages request passed through to an Anthropic upstream: the client's body with
// only its model rewritten, the client's anthropic-version and anthropic-beta headers, and the
// answer relayed unchanged while the gateway reads its usage. Functions over text and events:
// the provider owns the socket.

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/providers/anthropic/anthropic_translate.hpp"
#include "gateway/providers/stream_relay.hpp"
#include "gateway/types.hpp"

namespace sluice::gateway {

// The body to send for `request` to `upstream_model`: empty when its bytes can go as they are
// (the model is already that one), else those bytes with the top-level model's value replaced,
// or, when that member cannot be located unambiguously (core::top_level_member), the parsed body
// re-serialised with the model set.
std::string messages_upstream_body(const MessagesRequest& request, std::string_view upstream_model);

// The anthropic-version line (the client's, else `default_version`) and the anthropic-beta line
// (the client's, when it sent one), each "name: value\r\n".
std::string anthropic_dialect_headers(std::string_view client_version, std::string_view client_beta,
                                      std::string_view default_version);

// What the gateway reads of a non-streaming Messages response, which it relays unchanged.
struct MessagesAnswer {
  Usage usage;
  std::string finish_reason;  // chat's name for its stop_reason, for the access log
};
// Nullopt when `body` is not a JSON object of type "message".
std::optional<MessagesAnswer> read_messages_answer(std::string_view body);

// The input_tokens of a count_tokens answer ({"input_tokens": N}); nullopt when `body` is not a
// JSON object with a whole, non-negative input_tokens.
std::optional<long long> read_token_count(std::string_view body);

// Relays an upstream's Messages events to a MessagesStreamSink one by one, each as it came
// (ping and error events too), reading usage from message_start and message_delta and ending at
// message_stop. An error event before any other fails the attempt unrelayed, so that it may be
// retried elsewhere; one after them is relayed, then fails the attempt. One per stream.
class MessagesEventRelay final : public StreamTranslation {
 public:
  explicit MessagesEventRelay(MessagesStreamSink& sink) : sink_(sink) {}

  std::optional<AttemptResult> on_event(const SseEvent& event,
                                        std::vector<std::string_view>& chunks) override;
  bool done() const override { return done_; }
  std::optional<AttemptResult> finish() override;
  void account(Usage& usage) const override;
  boost::asio::awaitable<bool> deliver(ChunkSink& sink, std::string_view piece) override;
  std::string_view finish_reason_of(std::string_view piece) const override;

 private:
  MessagesStreamSink& sink_;
  std::string_view type_;  // of the event being delivered (a view into it)
  AnthropicUsage usage_;
  bool usage_seen_ = false;
  bool relayed_ = false;  // an event went to the client
  bool done_ = false;
  std::string finish_reason_;  // once message_delta told its stop_reason
  bool finish_told_ = false;
  std::optional<Error> upstream_error_;  // an error event that was relayed
};

}  // namespace sluice::gateway
