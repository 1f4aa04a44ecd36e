#pragma once
// The one loop every HTTP provider relays a streamed answer with: read upstream bytes, parse
// server-sent events, translate each into OpenAI chunks, send them to the client, and read the
// next bytes only after the client took the last ones (so a slow client slows the upstream
// instead of filling memory).

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "gateway/providers/sse_parser.hpp"
#include "gateway/types.hpp"
#include "http/upstream_client.hpp"

namespace sluice::gateway {

// What a provider makes of its upstream's events.
class StreamTranslation {
 public:
  virtual ~StreamTranslation() = default;
  // Appends the OpenAI chunk payloads `event` becomes to `chunks` (views valid until the next
  // call). A returned failure ends the attempt.
  virtual std::optional<AttemptResult> on_event(const SseEvent& event,
                                                std::vector<std::string_view>& chunks) = 0;
  // The upstream said the answer is complete: the relay reads no further.
  virtual bool done() const = 0;
  // After the body: a failure when the stream is incomplete.
  virtual std::optional<AttemptResult> finish() = 0;
  // The usage so far, reported or estimated (marked so): a stream cut midway still paid for the
  // tokens its client received.
  virtual void account(Usage& usage) const = 0;

  // Sends one piece on_event produced to the client; false once the client is gone. By default
  // a piece is a chat chunk for `sink`; a translation that passes the upstream's own events
  // through sends them its own way.
  virtual boost::asio::awaitable<bool> deliver(ChunkSink& sink, std::string_view piece) {
    return sink.send(piece);
  }
  // The finish_reason a delivered piece tells, empty when none: by default a chat chunk's.
  virtual std::string_view finish_reason_of(std::string_view piece) const;
};

// Relays the body of `call` (whose 200 head was read) through `translation` into `sink`, and
// sets `result` to how the attempt ended (keeping its upstream_request_id). A client that stops
// taking chunks ends the attempt as client_gone and abandons the upstream connection; a transport
// failure keeps the outcome the upstream client recorded.
boost::asio::awaitable<void> relay_stream(http::UpstreamCall& call, StreamTranslation& translation,
                                          ChunkSink& sink, AttemptResult& result);

}  // namespace sluice::gateway
