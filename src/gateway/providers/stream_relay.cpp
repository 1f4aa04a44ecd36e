#include "gateway/providers/stream_relay.hpp"

#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/upstream_failure.hpp"

namespace sluice::gateway {

// One frame for the whole stream (it lives as long as the stream does): every exit accounts the
// usage so far itself instead of a wrapper coroutine doing it.
boost::asio::awaitable<AttemptResult> relay_stream(http::UpstreamCall& call,
                                                   StreamTranslation& translation,
                                                   ChunkSink& sink) {
  SseParser parser;
  std::vector<SseEvent> events;
  std::vector<std::string_view> chunks;
  AttemptResult result;
  while (!translation.done()) {
    auto piece = co_await call.read_some();
    if (!piece) {
      result.fail_stream(transport_failure(call, piece.error()));
      translation.account(result.usage);
      co_return result;
    }
    if (piece->empty()) break;  // the upstream ended the body
    events.clear();
    parser.feed(*piece, events);
    if (parser.overflowed()) {
      call.abandon();
      result.fail_stream(AttemptResult::failure(
          core::AttemptOutcome::protocol,
          make_error(Errc::bad_gateway, "upstream sent a server-sent event over " +
                                            std::to_string(SseParser::kDefaultMaxEventBytes) +
                                            " bytes")));
      translation.account(result.usage);
      co_return result;
    }
    for (const SseEvent& event : events) {
      chunks.clear();
      if (auto failure = translation.on_event(event, chunks)) {
        call.abandon();
        result.fail_stream(std::move(*failure));
        translation.account(result.usage);
        co_return result;
      }
      for (std::string_view chunk : chunks) {
        if (result.finish_reason.empty())
          result.finish_reason = std::string(finish_reason_in(chunk));
        if (!result.first_token_seen) {
          result.first_token_seen = true;
          result.first_token_at = std::chrono::steady_clock::now();
        }
        if (!co_await sink.send(chunk)) {  // the client went away: stop paying for tokens
          call.abandon();
          result.fail_stream(AttemptResult::failure(
              core::AttemptOutcome::client_gone,
              make_error(Errc::invalid_request, "client disconnected mid-stream")));
          translation.account(result.usage);
          co_return result;
        }
      }
      if (translation.done()) break;
    }
  }
  if (auto failure = translation.finish()) {
    result.fail_stream(std::move(*failure));
    translation.account(result.usage);
    co_return result;
  }
  result.outcome = core::AttemptOutcome::success;
  translation.account(result.usage);
  co_return result;
}

}  // namespace sluice::gateway
