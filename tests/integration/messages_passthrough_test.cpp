// POST /v1/messages passed through to an Anthropic provider (mock-upstream's Messages side),
// through the real binary: a relayed stream still honours the client's deadline (the events so
// far, then an Anthropic error event) and frees its upstream call when the client leaves; a token
// count passed through honours it too.
#include "support/mock_fixture.hpp"
#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kStreamMessage =
    R"({"model":"claude-model","max_tokens":100,"stream":true,)"
    R"("messages":[{"role":"user","content":"hello"}]})";

std::string anthropic_yaml(int upstream_port) {
  return "gateway:\n"
         "  providers:\n"
         "    - { name: claude, type: anthropic, base_url: \"http://127.0.0.1:" +
         std::to_string(upstream_port) +
         "\", api_key: test-key }\n"
         "  models:\n"
         "    - { alias: claude-model, deployments: [ { provider: claude, model: claude-up } ] }\n";
}

struct Gateway {
  explicit Gateway(std::vector<std::string> mock_flags) {
    mock = start_mock_upstream(std::move(mock_flags));
    config = std::make_unique<TempFile>(anthropic_yaml(mock->port()));
    sluice = start_server({{"SLUICE_LOG__ACCESS_LOG", "true"}}, {"--config", config->path()});
  }
  std::unique_ptr<SluiceProcess> mock;
  std::unique_ptr<TempFile> config;
  std::unique_ptr<SluiceProcess> sluice;
};

std::string messages_request(std::string_view body, std::string_view extra_headers = {}) {
  return "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
         "anthropic-version: 2023-06-01\r\n" +
         std::string(extra_headers) + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
}

TEST(MessagesPassthroughTest, DeadlineEndsARelayedStreamWithAnAnthropicErrorEvent) {
  // An event every 100 ms: the deadline falls mid-stream.
  Gateway g({"--chunks", "50", "--chunk-interval-ms", "100"});
  HttpConnection client(g.sluice->port());
  ASSERT_TRUE(client.send_raw(messages_request(kStreamMessage, "x-sluice-timeout-ms: 500\r\n")));
  auto response = client.read_response(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  const std::string& body = response->body;
  const auto start = body.find("event: message_start\n");
  const auto ping = body.find("event: ping\n");
  const auto error = body.find("event: error\n");
  ASSERT_NE(start, std::string::npos) << body;
  ASSERT_NE(ping, std::string::npos) << body;
  ASSERT_NE(error, std::string::npos) << body;
  EXPECT_LT(start, ping);
  EXPECT_LT(ping, error) << "the relayed events first, as the upstream sent them";
  EXPECT_NE(body.find(R"("type":"timeout_error")", error), std::string::npos) << body;
  EXPECT_EQ(body.find("message_stop"), std::string::npos);
  EXPECT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "cancelled") == 1; }, 3s))
      << "the upstream call outlived the deadline";
  EXPECT_TRUE(eventually([&] {
    return g.sluice->output().find(R"("outcome":"cancelled")") != std::string::npos;
  })) << g.sluice->output();
}

TEST(MessagesPassthroughTest, AClientThatLeavesMidStreamCancelsTheUpstreamCall) {
  Gateway g({"--chunks", "50", "--chunk-interval-ms", "100"});
  {
    HttpConnection client(g.sluice->port());
    ASSERT_TRUE(client.send_raw(messages_request(kStreamMessage)));
    ASSERT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "stream") == 1; }));
  }  // the client hangs up mid-stream
  EXPECT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "cancelled") == 1; }, 3s))
      << "the upstream call outlived its client";
  EXPECT_TRUE(eventually([&] {
    const std::string out = g.sluice->output();
    return out.find(R"("route":"/v1/messages")") != std::string::npos &&
           out.find(R"("outcome":"client_gone")") != std::string::npos;
  })) << g.sluice->output();
}

TEST(MessagesPassthroughTest, UpstreamErrorsKeepAnthropicsShapeAndStatus) {
  Gateway g({"--error-rate", "1", "--error-status", "529"});
  auto response = http_request(
      g.sluice->port(), "POST", "/v1/messages",
      R"({"model":"claude-model","max_tokens":10,"messages":[{"role":"user","content":"x"}]})",
      "Content-Type: application/json\r\nanthropic-version: 2023-06-01\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 529) << response->body;
  EXPECT_NE(response->body.find(R"("type":"overloaded_error")"), std::string::npos)
      << response->body;
  EXPECT_EQ(response->header("request-id"), response->header("x-request-id"));
  EXPECT_TRUE(response->header("anthropic-request-id").starts_with("req_"))
      << "the upstream's id for its refusal";
}

TEST(MessagesPassthroughTest, ATokenCountHonoursTheDeadlineAndFreesTheUpstreamCall) {
  Gateway g({"--latency-ms", "5000"});  // every answer takes 5 s
  const std::string_view count =
      R"({"model":"claude-model","messages":[{"role":"user","content":"count me"}]})";
  auto response = http_request(g.sluice->port(), "POST", "/v1/messages/count_tokens", count,
                               "Content-Type: application/json\r\nanthropic-version: 2023-06-01\r\n"
                               "x-sluice-timeout-ms: 300\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 504) << response->body;
  EXPECT_NE(response->body.find(R"("type":"timeout_error")"), std::string::npos) << response->body;
  EXPECT_EQ(response->header("request-id"), response->header("x-request-id"));
  EXPECT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "cancelled") == 1; }, 3s))
      << "the upstream call outlived the deadline";
  EXPECT_EQ(mock_stat(g.mock->port(), "count_tokens"), 1);
  EXPECT_TRUE(eventually([&] {
    const std::string out = g.sluice->output();
    return out.find(R"("route":"/v1/messages/count_tokens")") != std::string::npos &&
           out.find(R"("outcome":"cancelled")") != std::string::npos;
  })) << g.sluice->output();
}

}  // namespace
}  // namespace sluice::testing
