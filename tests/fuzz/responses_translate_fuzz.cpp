// The Responses API edge: a client's request translated to chat (references resolved through a
// store holding one earlier response), the chat answer translated back (the input read as a
// chat.completion, and line by line as a stream of chunks), and what the store would keep. Every
// result is JSON; a translated request is one a chat upstream can read.

#include <boost/json.hpp>

#include "fuzz_support.hpp"
#include "gateway/responses/responses_translate.hpp"

namespace {

using namespace sluice;
using namespace sluice::gateway;
namespace json = boost::json;
using sluice::fuzz::is_json;

// One stored exchange, so that item_reference and previous_response_id resolve to something.
ResponseStore& store() {
  static ResponseStore* const instance = [] {
    auto* s = new ResponseStore(1 << 20, 16);
    StoredResponse earlier;
    earlier.input = R"([{"role":"user","content":"What is the weather?"}])";
    earlier.output = {
        {"msg_seed", R"({"role":"assistant","content":"Let me check."})"},
        {"fc_seed_1", R"({"role":"assistant","content":null,"tool_calls":[{"id":"call_1",)"
                      R"("type":"function","function":{"name":"weather","arguments":"{}"}}]})"}};
    s->put("resp_seed", std::move(earlier));
    return s;
  }();
  return *instance;
}

void check_events(const std::vector<ResponsesEvent>& events) {
  for (const ResponsesEvent& event : events) {
    FUZZ_CHECK(!event.type.empty());
    FUZZ_CHECK(is_json(event.data));
  }
}

void translate_stream(std::string_view chunks, const json::object* request) {
  ResponsesStreamTranslator translator("resp_fuzz", 1700000000, "alias", request);
  std::vector<ResponsesEvent> events;
  while (!chunks.empty()) {
    const std::size_t end = chunks.find('\n');
    translator.feed(chunks.substr(0, end), events);
    chunks.remove_prefix(end == std::string_view::npos ? chunks.size() : end + 1);
  }
  translator.finish(Usage{}, events);
  check_events(events);
  FUZZ_CHECK(is_json(json::serialize(translator.output_items())));
  translator.fail(make_error(Errc::bad_gateway, "cut"), events);
  check_events(events);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = sluice::fuzz::text(data, size);
  boost::system::error_code ec;
  const json::value parsed = json::parse(input, ec);
  const json::object* request = !ec && parsed.is_object() ? &parsed.as_object() : nullptr;

  if (request) {
    store_requested(*request);
    if (auto chat = chat_request_from_responses(*request, &store())) {
      const json::value* messages = chat->if_contains("messages");
      FUZZ_CHECK(messages && messages->is_array());
      FUZZ_CHECK(is_json(json::serialize(*chat)));
      if (auto response = response_from_chat(R"({"choices":[{"message":{"content":"ok"},)"
                                             R"("finish_reason":"stop"}]})",
                                             "resp_fuzz", 1700000000, request)) {
        const StoredResponse kept = stored_response(*request, *chat, *response);
        FUZZ_CHECK(is_json(kept.input));
        FUZZ_CHECK(is_json(kept.object));
        FUZZ_CHECK(is_json(kept.input_items));
        for (const StoredItem& item : kept.output) FUZZ_CHECK(is_json(item.chat_message));
      }
    }
  }
  if (auto response = responses_json_from_chat(input, "resp_fuzz", 1700000000, request))
    FUZZ_CHECK(is_json(*response));
  translate_stream(input, request);
  return 0;
}
