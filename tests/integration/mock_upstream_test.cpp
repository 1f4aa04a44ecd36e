// `sluice mock-upstream` against the real binary: OpenAI shapes, SSE framing, and each fault
// (errors with Retry-After, connection resets, stalled streams) from flags, headers and
// /mock/config, plus the /mock/stats counters.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "support/mock_fixture.hpp"
#include "support/server_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kChat =
    R"({"model":"gpt-test","messages":[{"role":"user","content":"Hello mock"}]})";
constexpr std::string_view kStreamChat =
    R"({"model":"gpt-test","stream":true,"stream_options":{"include_usage":true},)"
    R"("messages":[{"role":"user","content":"Hello mock"}]})";
constexpr std::string_view kEmbeddings = R"({"model":"embed-test","input":["a","b"]})";
constexpr std::string_view kMessages =
    R"({"model":"claude-test","max_tokens":64,"messages":[{"role":"user","content":"Hello mock"}]})";
constexpr std::string_view kStreamMessages =
    R"({"model":"claude-test","max_tokens":64,"stream":true,)"
    R"("messages":[{"role":"user","content":"Hello mock"}]})";
constexpr std::string_view kAnthropicHeaders = "x-api-key: k\r\nanthropic-version: 2023-06-01\r\n";
constexpr std::string_view kModeration = R"({"input":["calm words","an unsafe one"]})";
constexpr std::string_view kRerank =
    R"({"model":"rerank-test","query":"red apples","documents":["green pears","red apples"]})";

std::optional<HttpResponse> post(int port, std::string_view target, std::string_view body,
                                 std::string_view headers = {}) {
  return http_request(port, "POST", target, body, headers);
}

// A bare socket, for reading a response that never ends.
class RawSocket {
 public:
  explicit RawSocket(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool send(std::string_view bytes) {
    return fd_ >= 0 && ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                           static_cast<ssize_t>(bytes.size());
  }
  // Everything that arrives until `quiet` passes with nothing new; `closed` on EOF or reset.
  std::string read_until_quiet(std::chrono::milliseconds quiet) {
    std::string out;
    char buf[16384];
    for (;;) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(quiet.count())) != 1) return out;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed = true;
        return out;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  bool closed = false;

 private:
  int fd_;
};

std::string request_bytes(std::string_view target, std::string_view body,
                          std::string_view headers = {}) {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n" + std::string(headers) +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

TEST(MockUpstreamTest, NonStreamingChatInOpenAiShape) {
  auto mock = start_mock_upstream();
  auto r = post(mock->port(), "/v1/chat/completions", kChat);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_TRUE(r->body.starts_with(R"({"id":"chatcmpl-)")) << r->body;
  for (const char* part :
       {R"("object":"chat.completion")", R"("model":"gpt-test")",
        R"("message":{"role":"assistant","content":"Mock reply to: Hello mock.)",
        R"("refusal":null)", R"("logprobs":null,"finish_reason":"stop")", R"("prompt_tokens":7,)",
        R"("prompt_tokens_details":{"cached_tokens":0})", R"("system_fingerprint":)"})
    EXPECT_TRUE(contains(r->body, part)) << part << " in " << r->body;
}

TEST(MockUpstreamTest, StreamingSseFramingEndsWithDone) {
  auto mock = start_mock_upstream({"--chunks", "4"});
  auto r = post(mock->port(), "/v1/chat/completions", kStreamChat);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "text/event-stream");
  EXPECT_EQ(r->header("transfer-encoding"), "chunked");
  // Role chunk, 4 deltas, finish chunk, usage chunk, [DONE]: each "data: ...\n\n".
  std::vector<std::string> events;
  for (std::size_t at = 0; at < r->body.size();) {
    const auto end = r->body.find("\n\n", at);
    ASSERT_NE(end, std::string::npos) << "unterminated event in " << r->body;
    events.push_back(r->body.substr(at, end - at));
    at = end + 2;
  }
  ASSERT_EQ(events.size(), 8u) << r->body;
  for (const auto& event : events) EXPECT_TRUE(event.starts_with("data: ")) << event;
  EXPECT_TRUE(contains(events[0], R"("delta":{"role":"assistant","content":""})"));
  EXPECT_TRUE(contains(events[5], R"("finish_reason":"stop")"));
  EXPECT_TRUE(contains(events[6], R"("choices":[],"usage":{"prompt_tokens":7,)")) << events[6];
  EXPECT_EQ(events[7], "data: [DONE]");

  // Per-request chunk count.
  auto three = post(mock->port(), "/v1/chat/completions", kStreamChat, "x-mock-chunks: 3\r\n");
  ASSERT_TRUE(three);
  EXPECT_EQ(count(three->body, "data: "), 1u + 3u + 1u + 1u + 1u);
}

TEST(MockUpstreamTest, ErrorRateWith429SendsRetryAfter) {
  auto mock =
      start_mock_upstream({"--error-rate", "1", "--error-status", "429", "--retry-after", "7"});
  for (std::string_view target : {"/v1/chat/completions", "/v1/embeddings"}) {
    auto r = post(mock->port(), target, target.ends_with("embeddings") ? kEmbeddings : kChat);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 429);
    EXPECT_EQ(r->header("retry-after"), "7");
    EXPECT_EQ(r->header("x-ratelimit-remaining-requests"), "");
    EXPECT_TRUE(contains(r->body, R"("type":"rate_limit_error")")) << r->body;
    EXPECT_TRUE(contains(r->body, R"("code":"rate_limit_exceeded")")) << r->body;
  }
  auto models = http_request(mock->port(), "GET", "/v1/models");
  ASSERT_TRUE(models);
  EXPECT_EQ(models->status, 200) << "faults apply to inference calls only";

  // Headers override the flags: a 200 asked for is a 200, another status is that status.
  auto ok = post(mock->port(), "/v1/chat/completions", kChat, "x-mock-status: 200\r\n");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  auto overloaded = post(mock->port(), "/v1/chat/completions", kChat, "x-mock-status: 529\r\n");
  ASSERT_TRUE(overloaded);
  EXPECT_EQ(overloaded->status, 529);
  EXPECT_TRUE(contains(overloaded->body, R"("type":"server_error")"));
}

TEST(MockUpstreamTest, ResetHeaderClosesTheConnectionWithoutAResponse) {
  auto mock = start_mock_upstream();
  HttpConnection connection(mock->port());
  ASSERT_TRUE(
      connection.send_raw(request_bytes("/v1/chat/completions", kChat, "x-mock-reset: 1\r\n")));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(connection.read_response(3s)) << "a response arrived";
  EXPECT_TRUE(connection.wait_closed(100ms));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s) << "closed at once, not timed out";

  // Streaming requests too, and the server keeps serving.
  RawSocket raw(mock->port());
  ASSERT_TRUE(raw.send(request_bytes("/v1/chat/completions", kStreamChat, "x-mock-reset: 1\r\n")));
  EXPECT_EQ(raw.read_until_quiet(2s), "");
  EXPECT_TRUE(raw.closed);
  auto after = post(mock->port(), "/v1/chat/completions", kChat);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST(MockUpstreamTest, StallAfterChunksLeavesTheStreamOpen) {
  auto mock = start_mock_upstream({"--stall-after-chunks", "3"});
  RawSocket raw(mock->port());
  ASSERT_TRUE(raw.send(request_bytes("/v1/chat/completions", kStreamChat)));
  const std::string received = raw.read_until_quiet(700ms);
  EXPECT_FALSE(raw.closed);
  EXPECT_TRUE(received.starts_with("HTTP/1.1 200")) << received;
  EXPECT_EQ(count(received, "data: "), 3u) << received;
  EXPECT_FALSE(contains(received, "[DONE]"));
  EXPECT_FALSE(contains(received, "\r\n0\r\n\r\n")) << "the chunked body must not end";

  // The header form; and a drain does not wait for stalled streams.
  RawSocket by_header(mock->port());
  ASSERT_TRUE(by_header.send(
      request_bytes("/v1/chat/completions", kStreamChat, "x-mock-stall-after-chunks: 1\r\n")));
  EXPECT_EQ(count(by_header.read_until_quiet(500ms), "data: "), 1u);
  mock->signal(SIGTERM);
  auto code = mock->wait_exit(3s);
  ASSERT_TRUE(code) << mock->output();
  EXPECT_EQ(*code, 0);
  by_header.read_until_quiet(1s);
  EXPECT_TRUE(by_header.closed);
}

TEST(MockUpstreamTest, ConfigChangesBehaviourAtRuntime) {
  auto mock = start_mock_upstream();
  const int port = mock->port();
  auto set = post(port, "/mock/config", R"({"error_rate":1,"error_status":503})");
  ASSERT_TRUE(set);
  EXPECT_EQ(set->status, 200);
  EXPECT_TRUE(contains(set->body, R"("error_status":503)")) << set->body;
  auto failed = post(port, "/v1/chat/completions", kChat);
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 503);
  EXPECT_TRUE(contains(failed->body, R"({"error":{"message":)"));

  // Each config changes only the knobs it names: errors stay on.
  auto merged = post(port, "/mock/config", R"({"latency_ms":300})");
  ASSERT_TRUE(merged);
  EXPECT_TRUE(contains(merged->body, R"("latency_ms":300,)")) << merged->body;
  EXPECT_TRUE(contains(merged->body, R"("error_status":503)")) << merged->body;
  auto slow_failure = post(port, "/v1/chat/completions", kChat);
  ASSERT_TRUE(slow_failure);
  EXPECT_EQ(slow_failure->status, 503);

  ASSERT_TRUE(post(port, "/mock/config", R"({"error_rate":0})"));
  const auto started = std::chrono::steady_clock::now();
  auto slow = post(port, "/v1/chat/completions", kChat);
  ASSERT_TRUE(slow);
  EXPECT_EQ(slow->status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 290ms);

  ASSERT_TRUE(post(port, "/mock/config", R"({"reset_rate":1})"));
  HttpConnection reset(port);
  ASSERT_TRUE(reset.send_raw(request_bytes("/v1/chat/completions", kChat)));
  EXPECT_FALSE(reset.read_response(2s));

  auto bad = post(port, "/mock/config", R"({"error_rate":2})");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  auto unknown = post(port, "/mock/config", R"({"latency":5})");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_TRUE(contains(unknown->body, "latency")) << unknown->body;

  auto restored = http_request(port, "DELETE", "/mock/config");  // back to the flags' settings
  ASSERT_TRUE(restored);
  EXPECT_EQ(restored->status, 200);
  auto current = http_request(port, "GET", "/mock/config");
  ASSERT_TRUE(current);
  EXPECT_TRUE(contains(current->body, R"("latency_ms":0,)")) << current->body;
  auto fine = post(port, "/v1/chat/completions", kChat);
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
}

TEST(MockUpstreamTest, StatsCountRequestsAndFaults) {
  auto mock = start_mock_upstream();
  const int port = mock->port();
  ASSERT_TRUE(post(port, "/v1/chat/completions", kChat));
  ASSERT_TRUE(post(port, "/v1/chat/completions", kChat));
  ASSERT_TRUE(post(port, "/v1/chat/completions", kStreamChat));
  ASSERT_TRUE(post(port, "/v1/embeddings", kEmbeddings));
  ASSERT_TRUE(post(port, "/v1/chat/completions", kChat, "x-mock-status: 500\r\n"));
  EXPECT_FALSE(post(port, "/v1/chat/completions", kChat, "x-mock-reset: 1\r\n"));
  ASSERT_TRUE(post(port, "/v1/messages", kStreamMessages, kAnthropicHeaders));
  ASSERT_TRUE(post(port, "/v1/moderations", kModeration));
  ASSERT_TRUE(post(port, "/v1/rerank", kRerank));
  auto stats = http_request(port, "GET", "/mock/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->body,
            R"({"requests":9,"chat":5,"stream":2,"embeddings":1,"messages":1,"errors":1,)"
            R"("resets":1,"cancelled":0,"moderations":1,"rerank":1,"count_tokens":0})");

  auto reset = post(port, "/mock/stats/reset", "");
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->status, 200);
  stats = http_request(port, "GET", "/mock/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->body,
            R"({"requests":0,"chat":0,"stream":0,"embeddings":0,"messages":0,"errors":0,)"
            R"("resets":0,"cancelled":0,"moderations":0,"rerank":0,"count_tokens":0})");
}

TEST(MockUpstreamTest, ModerationsAndRerankAnswerDeterministically) {
  auto mock = start_mock_upstream();
  const int port = mock->port();
  auto moderation = post(port, "/v1/moderations", kModeration);
  ASSERT_TRUE(moderation);
  ASSERT_EQ(moderation->status, 200) << moderation->body;
  EXPECT_TRUE(contains(moderation->body, R"("model":"omni-moderation-latest")"))
      << moderation->body;
  EXPECT_TRUE(contains(moderation->body, R"("flagged":false)")) << moderation->body;
  EXPECT_TRUE(contains(moderation->body, R"("flagged":true)")) << moderation->body;
  auto again = post(port, "/v1/moderations", kModeration);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, moderation->body);

  auto ranked = post(port, "/v1/rerank", kRerank);
  ASSERT_TRUE(ranked);
  ASSERT_EQ(ranked->status, 200) << ranked->body;
  EXPECT_TRUE(
      contains(ranked->body,
               R"("results":[{"index":1,"relevance_score":1E0,"document":{"text":"red apples"}})"))
      << ranked->body;

  for (const auto& [target, body] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/moderations", R"({"input":[]})"},
           {"/v1/rerank", R"({"model":"r","query":"q","documents":[]})"}}) {
    auto refused = post(port, target, body);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << target << ": " << refused->body;
    EXPECT_TRUE(contains(refused->body, R"("type":"invalid_request_error")")) << refused->body;
  }
}

// Split "event: x\ndata: {...}\n\n" events into (name, data) pairs.
std::vector<std::pair<std::string, std::string>> sse_events(const std::string& body) {
  std::vector<std::pair<std::string, std::string>> events;
  for (std::size_t at = 0; at < body.size();) {
    const auto end = body.find("\n\n", at);
    if (end == std::string::npos) break;
    const std::string event = body.substr(at, end - at);
    const auto newline = event.find('\n');
    if (event.starts_with("event: ") && newline != std::string::npos &&
        event.compare(newline + 1, 6, "data: ") == 0)
      events.emplace_back(event.substr(7, newline - 7), event.substr(newline + 7));
    else
      events.emplace_back("", event);
    at = end + 2;
  }
  return events;
}

TEST(MockUpstreamTest, AnthropicMessagesApi) {
  auto mock = start_mock_upstream({"--chunks", "3"});
  const int port = mock->port();
  auto r = post(port, "/v1/messages", kMessages, kAnthropicHeaders);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "application/json");
  EXPECT_TRUE(r->body.starts_with(R"({"id":"msg_)")) << r->body;
  for (const char* part : {R"("type":"message","role":"assistant","model":"claude-test",)",
                           R"("content":[{"type":"text","text":"Mock reply to: Hello mock.)",
                           R"("stop_reason":"end_turn","stop_sequence":null,)",
                           R"("usage":{"input_tokens":7,"output_tokens":)",
                           R"("cache_read_input_tokens":0,"cache_creation_input_tokens":0,)",
                           R"("cache_creation":{"ephemeral_5m_input_tokens":0,)"})
    EXPECT_TRUE(contains(r->body, part)) << part << " in " << r->body;
  // Anthropic's own request id, and its account's rate limits, on every answer.
  EXPECT_TRUE(r->header("request-id").starts_with("req_")) << r->header("request-id");
  EXPECT_EQ(r->header("anthropic-ratelimit-requests-limit"), "4000");

  auto streamed = post(port, "/v1/messages", kStreamMessages, kAnthropicHeaders);
  ASSERT_TRUE(streamed);
  EXPECT_EQ(streamed->status, 200);
  EXPECT_EQ(streamed->header("content-type"), "text/event-stream");
  const auto events = sse_events(streamed->body);
  std::vector<std::string> names;
  for (const auto& [name, data] : events) {
    names.push_back(name);
    EXPECT_TRUE(contains(data, R"({"type":")" + name + '"')) << data;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"message_start", "content_block_start", "ping",
                                             "content_block_delta", "content_block_delta",
                                             "content_block_delta", "content_block_stop",
                                             "message_delta", "message_stop"}))
      << streamed->body;
  EXPECT_TRUE(contains(events[3].second, R"("delta":{"type":"text_delta","text":"Mock reply to)"));
  EXPECT_TRUE(contains(events[7].second, R"({"stop_reason":"end_turn","stop_sequence":null})"));

  // The official SDKs may authenticate with a bearer token instead of x-api-key.
  auto bearer = post(port, "/v1/messages", kMessages,
                     "authorization: Bearer sdk-key\r\nanthropic-version: 2023-06-01\r\n");
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->status, 200) << bearer->body;

  // Anthropic's checks, and its error shape.
  auto no_key = post(port, "/v1/messages", kMessages, "anthropic-version: 2023-06-01\r\n");
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->status, 401);
  EXPECT_EQ(no_key->body, R"({"type":"error","error":{"type":"authentication_error",)"
                          R"("message":"x-api-key header is required"}})");
  auto no_version = post(port, "/v1/messages", kMessages, "x-api-key: k\r\n");
  ASSERT_TRUE(no_version);
  EXPECT_EQ(no_version->status, 400);
  EXPECT_TRUE(contains(no_version->body, "anthropic-version: header is required"));
  auto no_max =
      post(port, "/v1/messages", R"({"model":"m","messages":[{"role":"user","content":"x"}]})",
           kAnthropicHeaders);
  ASSERT_TRUE(no_max);
  EXPECT_EQ(no_max->status, 400);
  EXPECT_EQ(no_max->body, R"({"type":"error","error":{"type":"invalid_request_error",)"
                          R"("message":"max_tokens: Field required"}})");
  auto twice = post(port, "/v1/messages",
                    R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"a"},)"
                    R"({"role":"user","content":"b"}]})",
                    kAnthropicHeaders);
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 400);
  EXPECT_TRUE(contains(twice->body, "roles must alternate")) << twice->body;

  // The fault knobs speak Anthropic here: 529 is overloaded_error, 429 keeps Retry-After.
  std::string headers(kAnthropicHeaders);
  auto overloaded = post(port, "/v1/messages", kMessages, headers + "x-mock-status: 529\r\n");
  ASSERT_TRUE(overloaded);
  EXPECT_EQ(overloaded->status, 529);
  EXPECT_TRUE(contains(overloaded->body, R"({"type":"error","error":{"type":"overloaded_error",)"))
      << overloaded->body;
  EXPECT_EQ(overloaded->header("retry-after"), "1") << "the --retry-after default";
  EXPECT_TRUE(overloaded->header("request-id").starts_with("req_")) << "errors have one too";
  auto limited = post(port, "/v1/messages", kMessages,
                      headers + "x-mock-status: 429\r\nx-mock-retry-after: 3\r\n");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->header("retry-after"), "3");
  EXPECT_TRUE(contains(limited->body, R"("type":"rate_limit_error")")) << limited->body;
  auto bad_knob = post(port, "/v1/messages", kMessages, headers + "x-mock-chunks: 0\r\n");
  ASSERT_TRUE(bad_knob);
  EXPECT_EQ(bad_knob->status, 400);
  EXPECT_TRUE(bad_knob->body.starts_with(R"({"type":"error",)")) << bad_knob->body;

  // A stall counts Anthropic's events too.
  RawSocket raw(port);
  ASSERT_TRUE(raw.send(request_bytes("/v1/messages", kStreamMessages,
                                     headers + "x-mock-stall-after-chunks: 2\r\n")));
  const std::string received = raw.read_until_quiet(500ms);
  EXPECT_FALSE(raw.closed);
  EXPECT_EQ(count(received, "event: "), 2u) << received;

  auto stats = http_request(port, "GET", "/mock/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->body,
            R"({"requests":11,"chat":0,"stream":2,"embeddings":0,"messages":11,"errors":7,)"
            R"("resets":0,"cancelled":0,"moderations":0,"rerank":0,"count_tokens":0})");
}

TEST(MockUpstreamTest, AnthropicCountTokens) {
  auto mock = start_mock_upstream({});
  const int port = mock->port();
  auto counted =
      post(port, "/v1/messages/count_tokens",
           R"({"model":"claude-test","messages":[{"role":"user","content":"Hello mock"}]})",
           kAnthropicHeaders);
  ASSERT_TRUE(counted);
  EXPECT_EQ(counted->status, 200) << counted->body;
  // What /v1/messages reports as input_tokens for the same conversation (7, above).
  EXPECT_EQ(counted->body, R"({"input_tokens":7})");
  EXPECT_TRUE(counted->header("request-id").starts_with("req_"));
  auto longer = post(port, "/v1/messages/count_tokens",
                     R"({"model":"claude-test","system":"Be brief, always.",)"
                     R"("messages":[{"role":"user","content":"Hello mock"}]})",
                     kAnthropicHeaders);
  ASSERT_TRUE(longer);
  // 10 + 17 bytes: 7 tokens, and 4 a message (the system prompt counts as one).
  EXPECT_EQ(longer->body, R"({"input_tokens":15})");

  auto no_messages =
      post(port, "/v1/messages/count_tokens", R"({"model":"claude-test"})", kAnthropicHeaders);
  ASSERT_TRUE(no_messages);
  EXPECT_EQ(no_messages->status, 400);
  EXPECT_EQ(no_messages->body, R"({"type":"error","error":{"type":"invalid_request_error",)"
                               R"("message":"messages: Field required"}})");
  auto no_key = post(port, "/v1/messages/count_tokens", kMessages, "anthropic-version: 1\r\n");
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->status, 401);
  auto overloaded = post(port, "/v1/messages/count_tokens", kMessages,
                         std::string(kAnthropicHeaders) + "x-mock-status: 529\r\n");
  ASSERT_TRUE(overloaded);
  EXPECT_EQ(overloaded->status, 529);
  EXPECT_TRUE(contains(overloaded->body, R"("type":"overloaded_error")")) << overloaded->body;
  auto stats = http_request(port, "GET", "/mock/stats");
  ASSERT_TRUE(stats);
  EXPECT_TRUE(contains(stats->body, R"("messages":0,)")) << stats->body;
  EXPECT_TRUE(contains(stats->body, R"("count_tokens":5})")) << stats->body;
}

TEST(MockUpstreamTest, EmbeddingsModelsLivezAndValidation) {
  auto mock = start_mock_upstream({"--models", "alpha, beta"});
  const int port = mock->port();
  auto embeddings = post(port, "/v1/embeddings", R"({"model":"e","input":"hi","dimensions":4})");
  ASSERT_TRUE(embeddings);
  EXPECT_EQ(embeddings->status, 200);
  EXPECT_TRUE(embeddings->body.starts_with(R"({"object":"list","data":[{"object":"embedding",)"))
      << embeddings->body;
  EXPECT_TRUE(contains(embeddings->body, R"("usage":{"prompt_tokens":1,"total_tokens":1})"));

  auto models = http_request(port, "GET", "/v1/models");
  ASSERT_TRUE(models);
  EXPECT_TRUE(contains(models->body, R"({"id":"alpha","object":"model")")) << models->body;
  EXPECT_TRUE(contains(models->body, R"({"id":"beta","object":"model")"));

  auto live = http_request(port, "GET", "/livez");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);

  auto invalid = post(port, "/v1/chat/completions", R"({"model":"m","messages":[]})");
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->status, 400);
  EXPECT_TRUE(contains(invalid->body, R"("param":"messages")")) << invalid->body;
  auto not_json = post(port, "/v1/chat/completions", "{nope");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
}

TEST(MockUpstreamTest, LatencyHeaderDelaysTheResponse) {
  auto mock = start_mock_upstream();
  const auto started = std::chrono::steady_clock::now();
  auto r = post(mock->port(), "/v1/chat/completions", kChat, "x-mock-latency-ms: 250\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 240ms);
  auto bad = post(mock->port(), "/v1/chat/completions", kChat, "x-mock-latency-ms: soon\r\n");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST(MockUpstreamTest, BadFlagsExitTwo) {
  EXPECT_EQ(run_sluice({"mock-upstream", "--error-rate", "1.5"}).exit_code, 2);
  EXPECT_EQ(run_sluice({"mock-upstream", "--bogus"}).exit_code, 2);
  EXPECT_EQ(run_sluice({"mock-upstream", "--error-status", "200"}).exit_code, 2);
  EXPECT_EQ(run_sluice({"mock-upstream", "--chunks"}).exit_code, 2);
  auto help = run_sluice({"mock-upstream", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.output, "--stall-after-chunks"));
}

}  // namespace
}  // namespace sluice::testing
