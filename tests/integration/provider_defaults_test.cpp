// Which provider answers: the built-in mock only in dev with nothing configured (and then it
// says so), providers from the environment (keyless ones included) otherwise; and x-mock-*
// headers reach mock-upstream through the gateway only for providers that opt in.
#include <string>

#include "support/server_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

constexpr std::string_view kChat =
    R"({"model":"mock","messages":[{"role":"user","content":"Hello"}]})";

// A chat for provider "up" of gateway_to().
constexpr std::string_view kUpChat =
    R"({"model":"up/m","messages":[{"role":"user","content":"Hello"}]})";

std::string base_url(const SluiceProcess& upstream, std::string_view path = "/v1") {
  return "http://127.0.0.1:" + std::to_string(upstream.port()) + std::string(path);
}

// mock-upstream's counter `name` from GET /mock/stats.
std::string stat(const SluiceProcess& mock, std::string_view name) {
  auto stats = http_request(mock.port(), "GET", "/mock/stats");
  if (!stats) return "?";
  const std::string key = "\"" + std::string(name) + "\":";
  const auto at = stats->body.find(key);
  if (at == std::string::npos) return "?";
  return stats->body.substr(at + key.size(), stats->body.find_first_of(",}", at) - at - key.size());
}

TEST(ProviderDefaultsTest, DevWithNoProviderServesTheMockAndSaysSo) {
  auto server = start_server();
  auto models = http_request(server->port(), "GET", "/v1/models");
  ASSERT_TRUE(models);
  EXPECT_TRUE(contains(models->body, R"("id":"mock")")) << models->body;
  auto chat = http_request(server->port(), "POST", "/v1/chat/completions", kChat);
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->status, 200) << chat->body;
  EXPECT_TRUE(chat->header("x-sluice-deployment").starts_with("mock/"))
      << chat->header("x-sluice-deployment");
  const std::string out = server->output();
  EXPECT_EQ(count(out, "serving fake answers from the built-in mock provider"), 1u) << out;
  EXPECT_TRUE(contains(out, R"("level":"warn")")) << out;
}

TEST(ProviderDefaultsTest, ProdWithNoProviderRefusesToStart) {
  auto r = run_sluice({"serve", "--listen", "127.0.0.1:0"},
                      {{"SLUICE_ENV", "prod"},
                       {"SLUICE_AUTH__API_KEYS__0__KEY", "k"},
                       {"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "prod refuses to start without a real provider")) << r.output;
  EXPECT_TRUE(contains(r.output, "OPENAI_BASE_URL")) << r.output;
}

TEST(ProviderDefaultsTest, KeylessOpenAiBaseUrlRoutesThere) {
  auto upstream = start_mock_upstream();
  auto server = start_server({{"OPENAI_BASE_URL", base_url(*upstream)},
                              {"SLUICE_ENV", "staging"},
                              {"SLUICE_AUTH__ADMIN_KEY", "sk-staging"}});
  auto chat = http_request(server->port(), "POST", "/v1/chat/completions",
                           R"({"model":"llama-3","messages":[{"role":"user","content":"Hi"}]})",
                           "Authorization: Bearer sk-staging\r\n");
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->status, 200) << chat->body;
  EXPECT_EQ(chat->header("x-sluice-deployment"), "openai/llama-3");
  EXPECT_EQ(stat(*upstream, "chat"), "1");
  EXPECT_FALSE(contains(server->output(), "fake answers")) << server->output();
}

TEST(ProviderDefaultsTest, AnthropicBaseUrlIsHonoured) {
  auto upstream = start_mock_upstream();
  auto server = start_server(
      {{"ANTHROPIC_BASE_URL", base_url(*upstream, "")}, {"ANTHROPIC_API_KEY", "sk-ant-test"}});
  auto chat = http_request(server->port(), "POST", "/v1/chat/completions",
                           R"({"model":"claude-x","messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->status, 200) << chat->body;
  EXPECT_EQ(chat->header("x-sluice-deployment"), "anthropic/claude-x");
  EXPECT_EQ(stat(*upstream, "messages"), "1");
}

// A gateway in front of `upstream`, with x-mock-* forwarding on or off, and no retries.
std::unique_ptr<SluiceProcess> gateway_to(const SluiceProcess& upstream, std::string_view type,
                                          bool forward) {
  const std::string url = type == "openai" ? base_url(upstream) : base_url(upstream, "");
  TempFile config(
      "gateway:\n  retry: {max_attempts: 1}\n  providers:\n"
      "    - {name: up, type: " +
      std::string(type) + ", base_url: \"" + url +
      "\", api_key: k, forward_mock_headers: " + (forward ? "true" : "false") + "}\n");
  return start_server({}, {"--config", config.path()});
}

TEST(ProviderDefaultsTest, MockHeadersReachTheUpstreamOnlyWhenTheProviderOptsIn) {
  for (const char* type : {"openai", "anthropic"}) {
    auto upstream = start_mock_upstream();
    auto forwarding = gateway_to(*upstream, type, true);
    auto failed = http_request(forwarding->port(), "POST", "/v1/chat/completions", kUpChat,
                               "x-mock-status: 503\r\nX-Mock-Retry-After: 4\r\n");
    ASSERT_TRUE(failed);
    EXPECT_NE(failed->status, 200) << type << ": " << failed->body;
    EXPECT_EQ(stat(*upstream, "errors"), "1") << type;

    auto plain = gateway_to(*upstream, type, false);
    auto fine = http_request(plain->port(), "POST", "/v1/chat/completions", kUpChat,
                             "x-mock-status: 503\r\n");
    ASSERT_TRUE(fine);
    EXPECT_EQ(fine->status, 200) << type << ": " << fine->body;
    EXPECT_EQ(stat(*upstream, "errors"), "1") << type << ": nothing more was injected";
  }
}

}  // namespace
}  // namespace sluice::testing
