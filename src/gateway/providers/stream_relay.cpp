#include "gateway/providers/stream_relay.hpp"

#include "gateway/providers/openai/openai_wire.hpp"
#include "gateway/providers/upstream_failure.hpp"

namespace sluice::gateway {

namespace {

// The failure branches are plain functions: their temporaries (an AttemptResult, an Error, the
// message) would otherwise each take a slot in the relay's frame, held for the whole stream.

void fail_transport(AttemptResult& result, const http::UpstreamCall& call, const Error& error) {
  result.fail_stream(transport_failure(call, error));
}

void fail_oversized_event(AttemptResult& result, http::UpstreamCall& call) {
  call.abandon();
  result.fail_stream(AttemptResult::failure(
      core::AttemptOutcome::protocol,
      make_error(Errc::bad_gateway, "upstream sent a server-sent event over " +
                                        std::to_string(SseParser::kDefaultMaxEventBytes) +
                                        " bytes")));
}

void fail_client_gone(AttemptResult& result, http::UpstreamCall& call) {
  call.abandon();
  result.fail_stream(
      AttemptResult::failure(core::AttemptOutcome::client_gone,
                             make_error(Errc::invalid_request, "client disconnected mid-stream")));
}

// Translates one event into `chunks`; false (with `result` failed) when it ends the attempt.
bool translate(StreamTranslation& translation, const SseEvent& event,
               std::vector<std::string_view>& chunks, AttemptResult& result,
               http::UpstreamCall& call) {
  chunks.clear();
  auto failure = translation.on_event(event, chunks);
  if (!failure) return true;
  call.abandon();
  result.fail_stream(std::move(*failure));
  return false;
}

void note_chunk(AttemptResult& result, const StreamTranslation& translation,
                std::string_view chunk) {
  if (result.finish_reason.empty())
    result.finish_reason = std::string(translation.finish_reason_of(chunk));
  if (!result.first_token_seen) {
    result.first_token_seen = true;
    result.first_token_at = std::chrono::steady_clock::now();
  }
}

void finish_body(StreamTranslation& translation, AttemptResult& result) {
  if (auto failure = translation.finish())
    result.fail_stream(std::move(*failure));
  else
    result.outcome = core::AttemptOutcome::success;
}

}  // namespace

std::string_view StreamTranslation::finish_reason_of(std::string_view piece) const {
  return finish_reason_in(piece);
}

// One frame for the whole stream (it lives as long as the stream does), with one exit that
// accounts the usage so far, whichever way the stream ended. The result is the caller's: an
// awaitable<AttemptResult> would hold a second one in this frame.
boost::asio::awaitable<void> relay_stream(http::UpstreamCall& call, StreamTranslation& translation,
                                          ChunkSink& sink, AttemptResult& result) {
  SseParser parser;
  std::vector<SseEvent> events;
  std::vector<std::string_view> chunks;
  // What the response head told (the upstream's request id) stays; the rest is the stream's.
  std::string upstream_request_id = std::move(result.upstream_request_id);
  result = AttemptResult{};
  result.upstream_request_id = std::move(upstream_request_id);
  bool failed = false;
  while (!failed && !translation.done()) {
    auto piece = co_await call.read_some();
    if (!piece) {
      fail_transport(result, call, piece.error());
      failed = true;
      break;
    }
    if (piece->empty()) break;  // the upstream ended the body
    parser.feed(*piece, events);
    if (parser.overflowed()) {
      fail_oversized_event(result, call);
      failed = true;
      break;
    }
    for (const SseEvent& event : events) {
      if (!translate(translation, event, chunks, result, call)) {
        failed = true;
        break;
      }
      for (std::string_view chunk : chunks) {
        note_chunk(result, translation, chunk);
        if (!co_await translation.deliver(sink, chunk)) {  // the client went away: stop paying
          fail_client_gone(result, call);
          failed = true;
          break;
        }
      }
      if (failed || translation.done()) break;
    }
    events.clear();  // frees their text before the wait for the next bytes
  }
  if (!failed) finish_body(translation, result);
  translation.account(result.usage);
}

}  // namespace sluice::gateway
