// The other client dialects' edge (Anthropic Messages, legacy Completions): a client's request
// translated to chat, and the input read as a chat answer (whole, and line by line as a stream of
// chunks) translated back. Every result is JSON; a translated request is one a chat upstream can
// read.

#include <boost/json.hpp>

#include "fuzz_support.hpp"
#include "gateway/ingress/completions_translate.hpp"
#include "gateway/ingress/messages_translate.hpp"

namespace {

using namespace sluice;
using namespace sluice::gateway;
namespace json = boost::json;
using sluice::fuzz::is_json;

void translate_messages_stream(std::string_view chunks) {
  MessagesStreamTranslator translator("msg_fuzz", "alias", 3);
  std::vector<MessagesEvent> events;
  while (!chunks.empty()) {
    const std::size_t end = chunks.find('\n');
    const std::string_view line = chunks.substr(0, end);
    translator.feed(line, events);
    const std::string chunk = completion_chunk_from_chat(line, "cmpl-fuzz", 1, "alias", true);
    FUZZ_CHECK(chunk.empty() || is_json(chunk));
    chunks.remove_prefix(end == std::string_view::npos ? chunks.size() : end + 1);
  }
  translator.finish(Usage{}, events);
  translator.fail(make_error(Errc::bad_gateway, "cut"), events);
  for (const MessagesEvent& event : events) {
    FUZZ_CHECK(!event.type.empty());
    FUZZ_CHECK(is_json(event.data));
  }
}

void check_chat(const Result<json::object>& chat) {
  if (!chat) {
    FUZZ_CHECK(chat.error().code == Errc::invalid_request);
    return;
  }
  const json::value* messages = chat->if_contains("messages");
  FUZZ_CHECK(messages && messages->is_array());
  FUZZ_CHECK(chat->contains("model") && chat->at("model").is_string());
  FUZZ_CHECK(is_json(json::serialize(*chat)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = sluice::fuzz::text(data, size);
  boost::system::error_code ec;
  const json::value parsed = json::parse(input, ec);
  if (!ec && parsed.is_object()) {
    const auto chat = chat_request_from_messages(parsed.as_object());
    check_chat(chat);
    if (chat) estimate_message_tokens(*chat);
    check_chat(chat_request_from_completions(parsed.as_object()));
  }
  if (auto message = message_from_chat(input, "msg_fuzz", "alias")) FUZZ_CHECK(is_json(*message));
  if (auto text = completion_from_chat(input, "cmpl-fuzz", 1, "alias")) FUZZ_CHECK(is_json(*text));
  const AnthropicError error = anthropic_error_from_openai(500, input);
  FUZZ_CHECK(is_json(error.body));
  translate_messages_stream(input);
  return 0;
}
