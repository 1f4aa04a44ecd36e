// A canary release through the real binary: alias "chat" on one mock-upstream, its candidate
// "chat-v2" on another, which starts failing and is rolled back by the gateway.
#include <set>

#include "support/mock_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

std::string canary_config(int baseline_port, int candidate_port) {
  return "gateway:\n"
         "  providers:\n"
         "    - {name: base, type: openai, base_url: \"http://127.0.0.1:" +
         std::to_string(baseline_port) +
         "/v1\", api_key: test}\n"
         "    - {name: cand, type: openai, base_url: \"http://127.0.0.1:" +
         std::to_string(candidate_port) +
         "/v1\", api_key: test}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      deployments: [{provider: base, model: gpt-old}]\n"
         "      canary:\n"
         "        alias: chat-v2\n"
         "        weight: 0.5\n"
         "        rollback: {metric: error_rate, threshold: 0.2, window: 1m, min_requests: 10}\n"
         "    - alias: chat-v2\n"
         "      deployments: [{provider: cand, model: gpt-new}]\n"
         "  retry: {max_attempts: 1}\n";
}

std::optional<HttpResponse> chat(int port, const std::string& headers = {}) {
  return http_request(port, "POST", "/v1/chat/completions",
                      R"({"model":"chat","messages":[{"role":"user","content":"hi"}]})",
                      "Content-Type: application/json\r\n" + headers);
}

// The value of the first sample of `series` (name and labels) on /metrics; -1 when absent.
double metric(int port, const std::string& series) {
  auto r = http_request(port, "GET", "/metrics");
  if (!r) return -1;
  const auto at = r->body.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::atof(r->body.c_str() + at + series.size() + 2);
}

TEST(CanaryTest, AFailingCandidateIsRolledBackAndTheBaselineServesEverything) {
  auto baseline = start_mock_upstream();
  auto candidate = start_mock_upstream();
  TempFile config(canary_config(baseline->port(), candidate->port()));
  auto server = start_server({}, {"--config", config.path()});
  const int port = server->port();

  // Healthy: both versions serve, each response says which; a key sticks to one version.
  std::set<std::string> versions;
  for (int i = 0; i < 20; ++i) {
    auto r = chat(port, "x-sluice-canary-key: user-" + std::to_string(i) + "\r\n");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const std::string version = r->header("x-sluice-canary");
    EXPECT_EQ(r->header("x-sluice-deployment"),
              version == "candidate" ? "cand/gpt-new" : "base/gpt-old");
    versions.insert(version);
  }
  EXPECT_EQ(versions, (std::set<std::string>{"baseline", "candidate"}));
  const std::string pinned =
      chat(port, "x-sluice-canary-key: user-7\r\n")->header("x-sluice-canary");
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(chat(port, "x-sluice-canary-key: user-7\r\n")->header("x-sluice-canary"), pinned);
  EXPECT_EQ(metric(port, R"(sluice_canary_weight{alias="chat"})"), 0.5);

  // The candidate breaks: every request to it fails, until the controller takes it out.
  auto broke =
      http_request(candidate->port(), "POST", "/mock/config",
                   R"({"error_rate":1,"error_status":500})", "Content-Type: application/json\r\n");
  ASSERT_TRUE(broke && broke->status == 200);
  int failed = 0;
  int sent = 0;
  const bool rolled_back = eventually(
      [&] {
        auto r = chat(port);
        ++sent;
        if (r && r->status != 200) {
          ++failed;
          EXPECT_EQ(r->header("x-sluice-canary"), "candidate");
        }
        return metric(port, R"(sluice_canary_rollbacks_total{alias="chat",reason="error_rate"})") ==
               1;
      },
      30s);
  ASSERT_TRUE(rolled_back) << "after " << sent << " requests, " << failed << " failed\n"
                           << server->output();
  // Over 20% of at least min_requests (10) candidate requests failed: 3 or more.
  EXPECT_GE(failed, 3);
  EXPECT_EQ(metric(port, R"(sluice_canary_weight{alias="chat"})"), 0);
  EXPECT_TRUE(contains(server->output(), "canary rolled back")) << server->output();
  // The access log names each request's version (its lines are written every 250 ms).
  EXPECT_TRUE(eventually([&] { return contains(server->output(), R"("canary":"candidate")"); }));
  EXPECT_TRUE(contains(server->output(), R"("canary":"baseline")"));

  // From now on the baseline serves every request, keyed or not.
  const long long candidate_calls = mock_stat(candidate->port(), "chat");
  for (int i = 0; i < 30; ++i) {
    auto r = chat(port, i % 2 ? "x-sluice-canary-key: user-" + std::to_string(i) + "\r\n" : "");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("x-sluice-canary"), "baseline");
  }
  EXPECT_EQ(mock_stat(candidate->port(), "chat"), candidate_calls);

  // The admin API shows it, and an admin can put the candidate back once it is fixed.
  auto listed = http_request(port, "GET", "/v1/admin/canaries");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_TRUE(contains(listed->body, R"("state":"rolled_back")")) << listed->body;
  EXPECT_TRUE(contains(listed->body, R"("reason":"error_rate")")) << listed->body;
  auto fixed = http_request(candidate->port(), "DELETE", "/mock/config");
  ASSERT_TRUE(fixed && fixed->status == 200);
  auto resumed = http_request(port, "POST", "/v1/admin/canaries/chat/resume");
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->status, 200) << resumed->body;
  EXPECT_TRUE(contains(resumed->body, R"("state":"active")")) << resumed->body;
  EXPECT_EQ(metric(port, R"(sluice_canary_weight{alias="chat"})"), 0.5);
  EXPECT_TRUE(eventually([&] { return chat(port)->header("x-sluice-canary") == "candidate"; }));
  auto unknown = http_request(port, "POST", "/v1/admin/canaries/nope/rollback");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_TRUE(contains(unknown->body, "aliases with one: chat")) << unknown->body;
}

TEST(CanaryTest, CheckNamesTheKeyOfABadCanary) {
  TempFile config(
      "gateway:\n  providers:\n    - {name: m, type: mock}\n  models:\n"
      "    - alias: chat\n      deployments: [{provider: m, model: a}]\n"
      "      canary: {alias: chat-v3, weight: 0.1}\n"
      "    - alias: chat-v2\n      deployments: [{provider: m, model: b}]\n");
  auto r = run_sluice({"check", "--config", config.path(), "--listen", "127.0.0.1:0"},
                      {{"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "gateway.models.0.canary.alias: 'chat-v3' is not a configured "
                       "model alias"))
      << r.output;
}

}  // namespace
}  // namespace sluice::testing
