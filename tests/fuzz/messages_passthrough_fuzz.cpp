// A client's Messages request passed through with its model rewritten in place: whatever object a
// parser accepted, the body sent upstream parses to the same members but for `model`, which is
// the deployment's, exactly once. And upstream bytes read as a Messages answer, or as a stream's
// events (one per line: "name data"), never break the relay's accounting.

#include <boost/json.hpp>

#include "fuzz_support.hpp"
#include "gateway/providers/anthropic/anthropic_passthrough.hpp"

namespace {

using namespace sluice;
using namespace sluice::gateway;
namespace json = boost::json;

constexpr std::string_view kUpstreamModel = "claude-\"upstream\"";

void check_rewrite(std::string_view input, const json::object& client) {
  MessagesRequest request;
  request.body = &client;
  request.raw_body = input;
  const std::string rewritten = messages_upstream_body(request, kUpstreamModel);
  const std::string_view sent = rewritten.empty() ? input : std::string_view(rewritten);
  boost::system::error_code ec;
  const json::value parsed = json::parse(sent, ec);
  FUZZ_CHECK(!ec && parsed.is_object());
  const json::object& upstream = parsed.get_object();
  const json::value* model = upstream.if_contains("model");
  FUZZ_CHECK(model && model->is_string() && model->get_string() == kUpstreamModel);
  FUZZ_CHECK(upstream.size() == client.size() + (client.contains("model") ? 0 : 1));
  for (const auto& member : client)
    if (member.key() != "model") FUZZ_CHECK(upstream.at(member.key()) == member.value());
  if (rewritten.empty()) FUZZ_CHECK(client.at("model").get_string() == kUpstreamModel);
}

// Feeds the relay without a socket or a sink: what it reads must not depend on either.
class NoSink final : public MessagesStreamSink {
 public:
  void on_attempt(std::string_view) override {}
  bool started() const override { return false; }
  boost::asio::awaitable<bool> send(std::string_view) override { co_return true; }
  boost::asio::awaitable<bool> send_event(std::string_view, std::string_view) override {
    co_return true;
  }
};

void relay_lines(std::string_view input) {
  NoSink sink;
  MessagesEventRelay relay(sink);
  std::vector<std::string_view> pieces;
  bool failed = false;
  while (!input.empty() && !failed && !relay.done()) {
    const std::size_t end = input.find('\n');
    const std::string_view line = input.substr(0, end);
    const std::size_t space = line.find(' ');
    SseEvent event{std::string(line.substr(0, space)), space == std::string_view::npos
                                                           ? std::string()
                                                           : std::string(line.substr(space + 1))};
    pieces.clear();
    failed = relay.on_event(event, pieces).has_value();
    FUZZ_CHECK(failed ? pieces.empty() : pieces.size() == 1);
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
  }
  if (!failed) relay.finish();
  Usage usage;
  relay.account(usage);
  FUZZ_CHECK(usage.prompt_tokens >= usage.cached_tokens + usage.cache_write_tokens);
  FUZZ_CHECK(usage.completion_tokens >= 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = sluice::fuzz::text(data, size);
  boost::system::error_code ec;
  const json::value parsed = json::parse(input, ec);
  if (!ec && parsed.is_object()) check_rewrite(input, parsed.get_object());
  if (const auto answer = read_messages_answer(input))
    FUZZ_CHECK(answer->usage.prompt_tokens >= answer->usage.cached_tokens);
  relay_lines(input);
  return 0;
}
