// A /v1/messages request passed through to an Anthropic upstream: the body untouched but for its
// model, the client's anthropic-* headers, the answer relayed unchanged and its usage read. Pure
// functions first, then the provider against a loopback upstream that records what it received.
#include "gateway/providers/anthropic/anthropic_passthrough.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <thread>

#include "core/config.hpp"
#include "gateway/providers/anthropic/anthropic_provider.hpp"

namespace sluice::gateway {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::ip::tcp;

// A request as a client sends it: odd spacing, numbers and escapes a re-serialisation would
// rewrite, a thinking block with its signature, cache_control, a server tool.
constexpr std::string_view kClientBody =
    R"({ "model" : "claude-alias", "max_tokens":1024, "temperature":1.0,)"
    R"( "thinking":{"type":"enabled","budget_tokens":512},)"
    R"( "system":[{"type":"text","text":"Caf\u00e9 rules","cache_control":{"type":"ephemeral"}}],)"
    R"( "tools":[{"type":"web_search_20250305","name":"web_search","max_uses":2}],)"
    R"( "messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":[)"
    R"({"type":"thinking","thinking":"Let me think.","signature":"EqQBCkYIARgCKkA+/="},)"
    R"({"type":"text","text":"Hello"}]},{"role":"user","content":"More"}]})";

struct Fixture {
  Fixture(std::string_view raw = kClientBody) : raw_body(raw), body(json::parse(raw).as_object()) {
    request.body = &body;
    request.raw_body = raw_body;
    request.chat.model = std::string(body.at("model").as_string());
  }
  std::string raw_body;
  json::object body;
  MessagesRequest request;
};

TEST(AnthropicPassthroughTest, BodyGoesAsIsWhenTheModelIsTheUpstreamOne) {
  Fixture f;
  EXPECT_EQ(messages_upstream_body(f.request, "claude-alias"), "") << "the client's bytes as is";
}

TEST(AnthropicPassthroughTest, OnlyTheModelIsRewritten) {
  Fixture f;
  const std::string sent = messages_upstream_body(f.request, "claude-sonnet-4-5");
  std::string expected(kClientBody);
  expected.replace(expected.find(R"("claude-alias")"), 14, R"("claude-sonnet-4-5")");
  EXPECT_EQ(sent, expected) << "every other byte (1.0, \\u00e9, the signature) as the client sent";
}

TEST(AnthropicPassthroughTest, AmbiguousModelMembersAreRebuiltFromTheParsedBody) {
  Fixture f(R"({"model":"claude-alias","max_tokens":5,"mod\u0065l":"claude-alias","messages":[]})");
  const std::string sent = messages_upstream_body(f.request, "claude-upstream");
  const json::object parsed = json::parse(sent).as_object();
  EXPECT_EQ(parsed.at("model").as_string(), "claude-upstream");
  EXPECT_EQ(sent.find("claude-alias"), std::string::npos) << sent;
}

TEST(AnthropicPassthroughTest, ClientsAnthropicHeadersElseTheDefault) {
  EXPECT_EQ(anthropic_dialect_headers("2023-06-01", "interleaved-thinking-2025-05-14,files-api",
                                      "2023-01-01"),
            "anthropic-version: 2023-06-01\r\n"
            "anthropic-beta: interleaved-thinking-2025-05-14,files-api\r\n");
  EXPECT_EQ(anthropic_dialect_headers({}, {}, "2023-06-01"), "anthropic-version: 2023-06-01\r\n");
}

TEST(AnthropicPassthroughTest, UsageOfAJsonAnswerWithItsCacheParts) {
  const auto answer = read_messages_answer(
      R"({"id":"msg_1","type":"message","role":"assistant","content":[],"stop_reason":"max_tokens",)"
      R"("usage":{"input_tokens":10,"cache_creation_input_tokens":200,"cache_read_input_tokens":3000,)"
      R"("output_tokens":42}})");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->usage.prompt_tokens, 3210) << "every input token";
  EXPECT_EQ(answer->usage.cached_tokens, 3000);
  EXPECT_EQ(answer->usage.cache_write_tokens, 200);
  EXPECT_EQ(answer->usage.completion_tokens, 42);
  EXPECT_TRUE(answer->usage.reported);
  EXPECT_EQ(answer->finish_reason, "length");
  EXPECT_FALSE(read_messages_answer(R"({"type":"error","error":{"type":"api_error"}})"));
  EXPECT_FALSE(read_messages_answer("{\"type\":\"message\""));
}

TEST(AnthropicPassthroughTest, OneHourCacheWritesOfAJsonAnswer) {
  const auto answer = read_messages_answer(
      R"({"type":"message","content":[],"usage":{"input_tokens":10,)"
      R"("cache_creation_input_tokens":200,"cache_read_input_tokens":0,"output_tokens":4,)"
      R"("cache_creation":{"ephemeral_5m_input_tokens":50,"ephemeral_1h_input_tokens":150}}})");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->usage.prompt_tokens, 210);
  EXPECT_EQ(answer->usage.cache_write_tokens, 200);
  EXPECT_EQ(answer->usage.cache_write_1h_tokens, 150);
}

TEST(AnthropicPassthroughTest, ATokenCountIsAWholeNonNegativeInputTokens) {
  EXPECT_EQ(read_token_count(R"({"input_tokens":2095})"), 2095);
  EXPECT_EQ(read_token_count(R"({"input_tokens":0,"context_management":{}})"), 0);
  EXPECT_FALSE(read_token_count(R"({"input_tokens":-1})"));
  EXPECT_FALSE(read_token_count(R"({"input_tokens":1.5})"));
  EXPECT_FALSE(read_token_count(R"({"input_tokens":"12"})"));
  EXPECT_FALSE(read_token_count(R"({"type":"error","error":{"type":"api_error"}})"));
  EXPECT_FALSE(read_token_count("[1]"));
}

// Records what a relay delivers.
class RecordingSink final : public MessagesStreamSink {
 public:
  void on_attempt(std::string_view) override {}
  void on_upstream_request_id(std::string_view id) override {
    upstream_ids.emplace_back(id);
    events_before_id = events.size();
  }
  bool started() const override { return !events.empty() || !chunks.empty(); }
  boost::asio::awaitable<bool> send(std::string_view chunk) override {
    chunks.emplace_back(chunk);
    co_return true;
  }
  boost::asio::awaitable<bool> send_event(std::string_view type, std::string_view data) override {
    events.emplace_back(std::string(type), std::string(data));
    co_return true;
  }
  std::vector<std::pair<std::string, std::string>> events;
  std::vector<std::string> chunks;
  std::vector<std::string> upstream_ids;
  std::size_t events_before_id = 0;
};

const std::vector<SseEvent> kStream = {
    {"message_start",
     R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant",)"
     R"("model":"claude-upstream","content":[],"stop_reason":null,"usage":{"input_tokens":12,)"
     R"("cache_creation_input_tokens":0,"cache_read_input_tokens":900,"output_tokens":1}}})"},
    {"content_block_start",
     R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})"},
    {"ping", R"({"type": "ping"})"},
    {"content_block_delta",
     R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hm."}})"},
    {"content_block_delta",
     R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQB=="}})"},
    {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
    {"future_event_type", R"({"type":"future_event_type","anything":[1,2]})"},
    {"message_delta",
     R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},)"
     R"("usage":{"output_tokens":57}})"},
    {"message_stop", R"({"type":"message_stop"})"},
};

// Drives `relay` as relay_stream does, minus the socket: each event through on_event, its
// pieces delivered. Returns the failure on_event or finish() reported, if any.
std::optional<AttemptResult> drive(MessagesEventRelay& relay, RecordingSink& sink,
                                   const std::vector<SseEvent>& events) {
  std::optional<AttemptResult> failure;
  asio::io_context io;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        std::vector<std::string_view> pieces;
        for (const SseEvent& event : events) {
          pieces.clear();
          failure = relay.on_event(event, pieces);
          if (failure) co_return;
          for (std::string_view piece : pieces) co_await relay.deliver(sink, piece);
          if (relay.done()) break;
        }
        failure = relay.finish();
      },
      asio::detached);
  io.run();
  return failure;
}

TEST(MessagesEventRelayTest, EveryEventGoesOnUnchangedAndUsageIsRead) {
  RecordingSink sink;
  MessagesEventRelay relay(sink);
  EXPECT_FALSE(drive(relay, sink, kStream));
  ASSERT_EQ(sink.events.size(), kStream.size()) << "ping and unknown event types included";
  for (std::size_t i = 0; i < kStream.size(); ++i) {
    EXPECT_EQ(sink.events[i].first, kStream[i].event);
    EXPECT_EQ(sink.events[i].second, kStream[i].data) << "byte for byte";
  }
  EXPECT_TRUE(sink.chunks.empty()) << "nothing translated";
  EXPECT_TRUE(relay.done());
  Usage usage;
  relay.account(usage);
  EXPECT_EQ(usage.prompt_tokens, 912);
  EXPECT_EQ(usage.cached_tokens, 900);
  EXPECT_EQ(usage.completion_tokens, 57) << "message_delta's cumulative count";
  EXPECT_EQ(relay.finish_reason_of({}), "stop");
}

TEST(MessagesEventRelayTest, AnErrorEventMidStreamIsRelayedThenFailsTheAttempt) {
  RecordingSink sink;
  MessagesEventRelay relay(sink);
  const std::vector<SseEvent> events = {
      kStream[0],
      kStream[1],
      {"error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"},
      kStream[5]};
  const auto failure = drive(relay, sink, events);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->outcome, core::AttemptOutcome::upstream_5xx);
  EXPECT_EQ(failure->error.message, "Overloaded");
  ASSERT_EQ(sink.events.size(), 3u) << "nothing read after the error";
  EXPECT_EQ(sink.events[2].first, "error");
  EXPECT_EQ(sink.events[2].second, events[2].data);
  Usage usage;
  relay.account(usage);
  EXPECT_EQ(usage.prompt_tokens, 912) << "what the stream used before it broke";
}

TEST(MessagesEventRelayTest, AnErrorBeforeAnyEventIsNotRelayedSoItCanBeRetried) {
  RecordingSink sink;
  MessagesEventRelay relay(sink);
  const auto failure = drive(
      relay, sink,
      {{"error", R"({"type":"error","error":{"type":"rate_limit_error","message":"Slow down"}})"}});
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->outcome, core::AttemptOutcome::rate_limited);
  EXPECT_TRUE(sink.events.empty());
}

TEST(MessagesEventRelayTest, AStreamWithoutMessageStopIsIncomplete) {
  RecordingSink sink;
  MessagesEventRelay relay(sink);
  const auto failure = drive(relay, sink, {kStream[0], kStream[1]});
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->outcome, core::AttemptOutcome::protocol);
}

// One connection to 127.0.0.1 answered with `response` after recording the request.
class OneShotUpstream {
 public:
  explicit OneShotUpstream(std::string response)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this, response = std::move(response)] {
      boost::system::error_code ec;
      tcp::socket socket = acceptor_.accept(ec);
      if (ec) return;
      const std::size_t head =
          asio::read_until(socket, asio::dynamic_buffer(received_), "\r\n\r\n", ec);
      if (ec) return;
      std::size_t length = 0;
      for (std::string_view key : {"Content-Length: ", "content-length: "})
        if (const auto at = received_.find(key); at < head)
          length = std::stoul(received_.substr(at + key.size()));
      if (received_.size() < head + length)
        asio::read(socket, asio::dynamic_buffer(received_),
                   asio::transfer_exactly(head + length - received_.size()), ec);
      head_ = received_.substr(0, head);
      body_ = received_.substr(head, length);
      asio::write(socket, asio::buffer(response), ec);
    });
  }
  ~OneShotUpstream() { thread_.join(); }
  std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  // Valid once the exchange is over (the provider read the answer).
  const std::string& head() const { return head_; }
  const std::string& body() const { return body_; }

 private:
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::string received_, head_, body_;
  std::thread thread_;
};

std::string http_response(std::string_view content_type, std::string_view body,
                          std::string_view headers = {}, std::string_view status = "200 OK") {
  return "HTTP/1.1 " + std::string(status) + "\r\nContent-Type: " + std::string(content_type) +
         "\r\n" + std::string(headers) +
         "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

// Runs `call` (a provider call) against an Anthropic provider of `base_url` to its end.
template <class Call>
AttemptResult with_provider(const std::string& base_url, Call call) {
  core::ProviderConfig config;
  config.name = "claude";
  config.type = "anthropic";
  config.api_key = "sk-provider";
  AnthropicProvider provider(config, *http::UpstreamEndpoint::parse(base_url));
  AttemptResult result;
  asio::io_context io;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { result = co_await call(provider); }, asio::detached);
  io.run();
  http::close_pooled_connections();
  return result;
}

AttemptResult call_provider(const std::string& base_url, const MessagesRequest& request,
                            MessagesStreamSink* sink) {
  return with_provider(base_url, [&](AnthropicProvider& provider) {
    return provider.messages(request, "claude-upstream", sink);
  });
}

AttemptResult count_tokens(const std::string& base_url, const MessagesRequest& request) {
  return with_provider(base_url, [&](AnthropicProvider& provider) {
    return provider.count_tokens(request, "claude-upstream");
  });
}

TEST(AnthropicProviderPassthroughTest, SendsTheClientsBodyAndHeadersAndRelaysTheAnswer) {
  constexpr std::string_view kAnswer =
      R"({"id":"msg_9","type":"message","role":"assistant","model":"claude-upstream","content":[)"
      R"({"type":"thinking","thinking":"Hm.","signature":"EqQB=="},)"
      R"({"type":"text","text":"Hi","citations":[{"type":"char_location","cited_text":"x"}]}],)"
      R"("stop_reason":"end_turn","stop_sequence":null,)"
      R"("usage":{"input_tokens":5,"cache_creation_input_tokens":7,"cache_read_input_tokens":0,"output_tokens":3}})";
  OneShotUpstream upstream(http_response("application/json", kAnswer));
  Fixture f;
  f.request.anthropic_version = "2023-06-01";
  f.request.anthropic_beta = "context-1m-2025-08-07";
  const AttemptResult result = call_provider(upstream.base_url(), f.request, nullptr);
  ASSERT_TRUE(result.ok()) << result.error.message;
  EXPECT_TRUE(result.passed_through);
  EXPECT_EQ(result.body, kAnswer) << "the answer unchanged";
  EXPECT_EQ(result.usage.prompt_tokens, 12);
  EXPECT_EQ(result.usage.cache_write_tokens, 7);
  EXPECT_EQ(result.usage.completion_tokens, 3);
  EXPECT_EQ(result.finish_reason, "stop");

  std::string expected(kClientBody);
  expected.replace(expected.find(R"("claude-alias")"), 14, R"("claude-upstream")");
  EXPECT_EQ(upstream.body(), expected);
  const std::string& head = upstream.head();
  EXPECT_TRUE(head.starts_with("POST /v1/messages HTTP/1.1\r\n")) << head;
  EXPECT_NE(head.find("anthropic-version: 2023-06-01\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("anthropic-beta: context-1m-2025-08-07\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("x-api-key: sk-provider\r\n"), std::string::npos) << "the provider's key";
}

TEST(AnthropicProviderPassthroughTest, WithoutClientHeadersTheProvidersVersionAndNoBeta) {
  OneShotUpstream upstream(http_response(
      "application/json",
      R"({"type":"message","content":[],"usage":{"input_tokens":1,"output_tokens":1}})"));
  Fixture f;
  ASSERT_TRUE(call_provider(upstream.base_url(), f.request, nullptr).ok());
  EXPECT_NE(upstream.head().find("anthropic-version: 2023-06-01\r\n"), std::string::npos);
  EXPECT_EQ(upstream.head().find("anthropic-beta"), std::string::npos);
}

TEST(AnthropicProviderPassthroughTest, StreamsTheUpstreamsEventsOneByOne) {
  std::string stream;
  for (const SseEvent& event : kStream)
    stream += "event: " + event.event + "\ndata: " + event.data + "\n\n";
  OneShotUpstream upstream(http_response("text/event-stream", stream));
  Fixture f;
  f.request.chat.stream = true;
  RecordingSink sink;
  const AttemptResult result = call_provider(upstream.base_url(), f.request, &sink);
  ASSERT_TRUE(result.ok()) << result.error.message;
  EXPECT_TRUE(result.passed_through);
  ASSERT_EQ(sink.events.size(), kStream.size());
  for (std::size_t i = 0; i < kStream.size(); ++i) {
    EXPECT_EQ(sink.events[i].first, kStream[i].event);
    EXPECT_EQ(sink.events[i].second, kStream[i].data);
  }
  EXPECT_EQ(result.usage.prompt_tokens, 912);
  EXPECT_EQ(result.usage.completion_tokens, 57);
  EXPECT_NE(upstream.head().find("Accept: text/event-stream\r\n"), std::string::npos);
}

TEST(AnthropicProviderPassthroughTest, TheUpstreamsRequestIdIsKept) {
  OneShotUpstream upstream(http_response(
      "application/json",
      R"({"type":"message","content":[],"usage":{"input_tokens":1,"output_tokens":1}})",
      "request-id: req_011CSHoEeqs5C35K2UUqR7Fy\r\n"));
  Fixture f;
  const AttemptResult result = call_provider(upstream.base_url(), f.request, nullptr);
  ASSERT_TRUE(result.ok()) << result.error.message;
  EXPECT_EQ(result.upstream_request_id, "req_011CSHoEeqs5C35K2UUqR7Fy");

  // One that is not an id's characters goes nowhere (it would be sent on in a header).
  OneShotUpstream odd(http_response(
      "application/json",
      R"({"type":"message","content":[],"usage":{"input_tokens":1,"output_tokens":1}})",
      "request-id: req 1; <b>\r\n"));
  EXPECT_EQ(call_provider(odd.base_url(), f.request, nullptr).upstream_request_id, "");
}

TEST(AnthropicProviderPassthroughTest, AStreamTellsItsSinkTheRequestIdBeforeAnyEvent) {
  std::string stream;
  for (const SseEvent& event : kStream)
    stream += "event: " + event.event + "\ndata: " + event.data + "\n\n";
  OneShotUpstream upstream(
      http_response("text/event-stream", stream, "request-id: req_stream1\r\n"));
  Fixture f;
  f.request.chat.stream = true;
  RecordingSink sink;
  const AttemptResult result = call_provider(upstream.base_url(), f.request, &sink);
  ASSERT_TRUE(result.ok()) << result.error.message;
  EXPECT_EQ(sink.upstream_ids, std::vector<std::string>{"req_stream1"});
  EXPECT_EQ(sink.events_before_id, 0u) << "in time for the stream's head";
  EXPECT_EQ(result.upstream_request_id, "req_stream1") << "kept through the relay";
}

TEST(AnthropicProviderPassthroughTest, AFailureKeepsTheRequestIdAndTheUpstreamsRetryAfter) {
  OneShotUpstream upstream(http_response(
      "application/json",
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})",
      "request-id: req_busy\r\nretry-after: 7\r\nretry-after-ms: 6500\r\n", "529 Overloaded"));
  Fixture f;
  const AttemptResult result = call_provider(upstream.base_url(), f.request, nullptr);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.outcome, core::AttemptOutcome::upstream_5xx);
  EXPECT_EQ(result.error.code, Errc::unavailable);
  EXPECT_EQ(result.upstream_request_id, "req_busy");
  ASSERT_TRUE(result.retry_after);
  EXPECT_EQ(result.retry_after->count(), 6500) << "retry-after-ms is the finer of the two";
}

TEST(AnthropicProviderPassthroughTest, CountTokensPassesTheRequestThroughAndRelaysTheCount) {
  constexpr std::string_view kCountBody =
      R"({"model":"claude-alias","system":"Be brief.",)"
      R"("messages":[{"role":"user","content":"Hi","cache_control":{"type":"ephemeral"}}]})";
  OneShotUpstream upstream(
      http_response("application/json", R"({"input_tokens":23})", "request-id: req_count\r\n"));
  Fixture f(kCountBody);
  f.request.anthropic_version = "2023-06-01";
  f.request.anthropic_beta = "token-counting-2024-11-01";
  const AttemptResult result = count_tokens(upstream.base_url(), f.request);
  ASSERT_TRUE(result.ok()) << result.error.message;
  EXPECT_EQ(result.body, R"({"input_tokens":23})");
  EXPECT_TRUE(result.passed_through);
  EXPECT_FALSE(result.usage.reported) << "counting uses no tokens";
  EXPECT_EQ(result.usage.prompt_tokens, 0);
  EXPECT_EQ(result.upstream_request_id, "req_count");
  std::string expected(kCountBody);
  expected.replace(expected.find(R"("claude-alias")"), 14, R"("claude-upstream")");
  EXPECT_EQ(upstream.body(), expected);
  const std::string& head = upstream.head();
  EXPECT_TRUE(head.starts_with("POST /v1/messages/count_tokens HTTP/1.1\r\n")) << head;
  EXPECT_NE(head.find("anthropic-version: 2023-06-01\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("anthropic-beta: token-counting-2024-11-01\r\n"), std::string::npos);
  EXPECT_NE(head.find("x-api-key: sk-provider\r\n"), std::string::npos);
}

TEST(AnthropicProviderPassthroughTest, ACountWithoutInputTokensIsAProtocolFailure) {
  OneShotUpstream upstream(http_response("application/json", R"({"tokens":23})"));
  Fixture f;
  const AttemptResult result = count_tokens(upstream.base_url(), f.request);
  EXPECT_EQ(result.outcome, core::AttemptOutcome::protocol);
  EXPECT_EQ(result.error.code, Errc::bad_gateway);
}

TEST(AnthropicProviderPassthroughTest, ACountRefusedUpstreamKeepsItsError) {
  OneShotUpstream upstream(http_response(
      "application/json",
      R"({"type":"error","error":{"type":"invalid_request_error","message":"messages: Field required"}})",
      {}, "400 Bad Request"));
  Fixture f;
  const AttemptResult result = count_tokens(upstream.base_url(), f.request);
  EXPECT_EQ(result.outcome, core::AttemptOutcome::upstream_4xx);
  EXPECT_EQ(result.error.code, Errc::invalid_request);
  EXPECT_EQ(result.error.message, "messages: Field required");
  EXPECT_NE(result.upstream_error_body.find("messages: Field required"), std::string::npos)
      << "relayed to the client once retries are done";
}

}  // namespace
}  // namespace sluice::gateway
