// Anthropic's wire formats, translated to and from OpenAI's. The input is read both as an event
// stream (SSE, as the upstream streams) and as one JSON body (a Messages response, an error, or
// an OpenAI request to translate): every chunk and body produced is JSON, usage stays in range,
// and nothing follows message_stop.

#include <boost/json.hpp>

#include "fuzz_support.hpp"
#include "gateway/providers/anthropic/anthropic_translate.hpp"
#include "gateway/providers/sse_parser.hpp"
#include "gateway/token_count.hpp"

namespace {

using namespace sluice::gateway;
using sluice::fuzz::is_json;

void check(const AnthropicUsage& usage) {
  for (const long long count : {usage.input_tokens, usage.cache_read_input_tokens,
                                usage.cache_creation_input_tokens, usage.output_tokens})
    FUZZ_CHECK(count >= 0 && count <= kMaxTokenCount);
}

void translate_stream(std::string_view stream) {
  SseParser parser;
  std::vector<SseEvent> events;
  parser.feed(stream, events);
  AnthropicStreamTranslator translator("alias", /*include_usage=*/true, 1700000000);
  for (const SseEvent& event : events) {
    const bool was_done = translator.done();
    auto chunks = translator.on_event(event.event, event.data);
    if (!chunks) break;  // the provider ends the client's stream here
    if (was_done) FUZZ_CHECK(chunks->empty());
    for (const std::string& chunk : *chunks) FUZZ_CHECK(is_json(chunk));
    check(translator.usage());
  }
}

void translate_bodies(std::string_view body) {
  if (auto response = openai_response_from_anthropic(body, "alias", 1700000000))
    FUZZ_CHECK(is_json(*response));
  for (const int status : {200, 400, 429, 500, 529}) {
    error_from_anthropic(body, status);
    FUZZ_CHECK(is_json(openai_error_from_anthropic(body, status)));
  }
  boost::system::error_code ec;
  const boost::json::value request = boost::json::parse(body, ec);
  if (ec || !request.is_object()) return;
  if (auto translated = anthropic_request_from_openai(request.as_object(), "claude-x"))
    FUZZ_CHECK(is_json(*translated));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = sluice::fuzz::text(data, size);
  translate_stream(input);
  translate_bodies(input);
  return 0;
}
