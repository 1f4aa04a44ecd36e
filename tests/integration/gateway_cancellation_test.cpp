// Deadlines and cancellation through the real binary in front of `sluice mock-upstream`: a client
// that leaves frees its upstream call at once, a request's deadline answers 504, and the drain
// grace ends open streams with an error event and an access-log line.
#include <signal.h>

#include "support/mock_fixture.hpp"
#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kChat =
    R"({"model":"test-model","messages":[{"role":"user","content":"hello"}]})";
constexpr std::string_view kStreamChat =
    R"({"model":"test-model","stream":true,"messages":[{"role":"user","content":"hello"}]})";

bool metric_at_least(int port, std::string_view series, double wanted) {
  auto metrics = http_request(port, "GET", "/metrics");
  if (!metrics) return false;
  const auto at = metrics->body.find(std::string(series) + " ");
  return at != std::string::npos &&
         std::stod(metrics->body.substr(at + series.size() + 1)) >= wanted;
}

struct Gateway {
  std::unique_ptr<SluiceProcess> mock;
  std::unique_ptr<TempFile> config;
  std::unique_ptr<SluiceProcess> sluice;
};

Gateway start_gateway(std::vector<std::string> mock_flags, const std::string& extra = {},
                      Env env = {}) {
  Gateway g;
  g.mock = start_mock_upstream(std::move(mock_flags));
  g.config = std::make_unique<TempFile>(gateway_yaml(g.mock->port(), extra));
  g.sluice = start_server(std::move(env), {"--config", g.config->path()});
  return g;
}

TEST(GatewayCancellationTest, ClientThatLeavesCancelsTheUpstreamCall) {
  auto g = start_gateway({"--latency-ms", "10000"});
  {
    HttpConnection client(g.sluice->port());
    ASSERT_TRUE(client.send_raw(chat_request(kChat)));
    ASSERT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "chat") == 1; }));
  }  // the client hangs up while the upstream "thinks"
  EXPECT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "cancelled") == 1; }, 3s))
      << "the upstream call outlived its client";
  EXPECT_TRUE(eventually([&] {
    return metric_at_least(
        g.sluice->port(),
        R"(sluice_upstream_requests_total{deployment="up/upstream-model",outcome="client_gone"})",
        1);
  }));
  // The access line records it as nginx does (499), with the outcome.
  EXPECT_TRUE(eventually([&] {
    const std::string out = g.sluice->output();
    return out.find(R"("status":499)") != std::string::npos &&
           out.find(R"("outcome":"client_gone")") != std::string::npos;
  })) << g.sluice->output();
}

// A client that closes its end is gone, as nginx treats it: the upstream call is cancelled and
// nothing is written back (no bodiless 499 on the wire), only logged.
TEST(GatewayCancellationTest, HalfClosedClientGetsNothingAndFreesTheUpstream) {
  auto g = start_gateway({"--latency-ms", "10000"});
  HttpConnection client(g.sluice->port());
  ASSERT_TRUE(client.send_raw(chat_request(kChat)));
  ASSERT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "chat") == 1; }));
  client.half_close();
  EXPECT_TRUE(client.wait_closed(3s)) << "the server wrote something or kept the connection";
  EXPECT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "cancelled") == 1; }, 3s));
}

// Clients that vanish at every moment of their upstream call (connecting, sending, waiting,
// reading): each cancellation must free the call without touching what an operation still uses.
TEST(GatewayCancellationTest, ManyClientsVanishingMidCallLeaveTheServerServing) {
  auto g = start_gateway({});
  for (int round = 0; round < 80; ++round) {
    std::vector<std::unique_ptr<HttpConnection>> clients;
    for (int i = 0; i < 32; ++i) {
      clients.push_back(std::make_unique<HttpConnection>(g.sluice->port()));
      clients.back()->send_raw(chat_request(kChat));
    }
  }  // each round's clients close as soon as they sent
  auto live = http_request(g.sluice->port(), "GET", "/livez");
  ASSERT_TRUE(live) << g.sluice->output();
  EXPECT_EQ(live->status, 200);
  auto chat = http_request(g.sluice->port(), "POST", "/v1/chat/completions", kChat,
                           "Content-Type: application/json\r\n");
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->status, 200);
  EXPECT_FALSE(g.sluice->wait_exit(0ms)) << g.sluice->output();
}

TEST(GatewayCancellationTest, ClientDeadlineAnswers504AndFreesTheUpstream) {
  auto g = start_gateway({"--latency-ms", "10000"});
  const auto begin = std::chrono::steady_clock::now();
  auto response = http_request(g.sluice->port(), "POST", "/v1/chat/completions", kChat,
                               "Content-Type: application/json\r\nx-sluice-timeout-ms: 300\r\n");
  ASSERT_TRUE(response);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 5s);
  EXPECT_EQ(response->status, 504) << response->body;
  EXPECT_NE(response->body.find("deadline_exceeded"), std::string::npos) << response->body;
  EXPECT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "cancelled") == 1; }, 3s));
  // Our own deadline is not the upstream's fault: its circuit and failure counts stay clean.
  auto metrics = http_request(g.sluice->port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(R"(outcome="cancelled"} 1)"), std::string::npos) << metrics->body;
  EXPECT_EQ(metrics->body.find(R"(outcome="timeout")"), std::string::npos);
}

TEST(GatewayCancellationTest, AliasTimeoutBoundsRetriesAndBackoff) {
  // Every attempt fails fast and retries are generous; the alias' 700 ms deadline ends it.
  auto mock =
      start_mock_upstream({"--error-rate", "1", "--error-status", "503", "--retry-after", "1"});
  TempFile config(gateway_yaml(mock->port(),
                               "      timeout: 700ms\n"
                               "  retry:\n    max_attempts: 10\n    budget: 60s\n"));
  auto sluice = start_server({}, {"--config", config.path()});
  const auto begin = std::chrono::steady_clock::now();
  auto response = http_request(sluice->port(), "POST", "/v1/chat/completions", kChat,
                               "Content-Type: application/json\r\n");
  ASSERT_TRUE(response);
  const auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_LT(took, 3s);
  EXPECT_EQ(response->status, 503) << response->body;  // the last upstream answer, relayed
  EXPECT_LT(mock_stat(mock->port(), "chat"), 10);
}

TEST(GatewayCancellationTest, MalformedTimeoutHeaderIs400) {
  auto g = start_gateway({});
  auto response = http_request(g.sluice->port(), "POST", "/v1/chat/completions", kChat,
                               "Content-Type: application/json\r\nx-sluice-timeout-ms: soon\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_NE(response->body.find("x-sluice-timeout-ms"), std::string::npos);
  auto twice = http_request(
      g.sluice->port(), "POST", "/v1/chat/completions", kChat,
      "Content-Type: application/json\r\nx-sluice-timeout-ms: 5000\r\nX-Sluice-Timeout-Ms: 10\r\n");
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->status, 400);
  EXPECT_NE(twice->body.find("must appear once, not 2 times"), std::string::npos) << twice->body;
}

TEST(GatewayCancellationTest, GraceExpiryEndsOpenStreamsWithAnErrorEventAndALogLine) {
  // The stream stalls after two chunks; the grace is short, so the drain must cut it.
  auto g = start_gateway({"--stall-after-chunks", "2"}, {},
                         {{"SLUICE_SHUTDOWN__DRAIN_DELAY", "0s"},
                          {"SLUICE_SHUTDOWN__GRACE", "300ms"},
                          {"SLUICE_LOG__ACCESS_LOG", "true"}});
  HttpConnection client(g.sluice->port());
  ASSERT_TRUE(client.send_raw(chat_request(kStreamChat)));
  ASSERT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "stream") == 1; }));
  g.sluice->signal(SIGTERM);
  auto response = client.read_response(5s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_NE(response->body.find("data: {\"error\":"), std::string::npos) << response->body;
  EXPECT_NE(response->body.find("shutting_down"), std::string::npos) << response->body;
  EXPECT_EQ(g.sluice->wait_exit(5s), 0);
  const std::string out = g.sluice->output();
  EXPECT_NE(out.find(R"("route":"/v1/chat/completions")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("outcome":"cancelled")"), std::string::npos) << out;
}

}  // namespace
}  // namespace sluice::testing
