// POST /v1/moderations against the real binary and mock-upstream: the default model, routing with
// fallbacks, validation before any upstream call, and a provider type without the endpoint never
// sent it.
#include <boost/json.hpp>

#include "support/mock_fixture.hpp"

namespace sluice::testing {
namespace {
namespace json = boost::json;

std::optional<HttpResponse> post(int port, std::string_view target, std::string_view body) {
  return http_request(port, "POST", target, body, "Content-Type: application/json\r\n");
}

// The access log line of the request with id `request_id`, once written.
std::string log_line(const SluiceProcess& server, const std::string& request_id) {
  std::string line;
  eventually([&] {
    const std::string out = server.output();
    const auto at = out.find("\"request_id\":\"" + request_id + "\"");
    if (at == std::string::npos || out.find("\"status\":", at) == std::string::npos) return false;
    const auto start = out.rfind('\n', at) + 1;
    line = out.substr(start, out.find('\n', at) - start);
    return true;
  });
  return line;
}

TEST(ModerationsTest, TheDefaultModelGoesToTheDefaultProviderAndTheMarkerIsFlagged) {
  auto mock = start_mock_upstream({});
  TempFile config(gateway_yaml(mock->port(), "  default_provider: up\n"));
  auto server = start_server({}, {"--config", config.path()});
  auto answer = http_request(server->port(), "POST", "/v1/moderations",
                             R"({"input":["a calm sentence","something unsafe"]})",
                             "Content-Type: application/json\r\nX-Request-Id: mod-1\r\n");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(answer->header("x-sluice-deployment"), "up/omni-moderation-latest");
  const json::value body = json::parse(answer->body);
  EXPECT_EQ(body.at("model"), "omni-moderation-latest");
  const json::array& results = body.at("results").as_array();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].at("flagged"), false);
  EXPECT_EQ(results[1].at("flagged"), true);
  EXPECT_EQ(results[1].at("categories").at("violence"), true);
  EXPECT_EQ(mock_stat(mock->port(), "moderations"), 1);

  const std::string line = log_line(*server, "mod-1");
  EXPECT_NE(line.find(R"("route":"/v1/moderations")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("model":"omni-moderation-latest")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("deployment":"up/omni-moderation-latest")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("outcome":"success")"), std::string::npos) << line;
  auto metrics = http_request(server->port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  // A name the upstream does not list is counted under its provider's wildcard.
  EXPECT_NE(metrics->body.find(
                R"(sluice_upstream_requests_total{deployment="up/*",outcome="success"} 1)"),
            std::string::npos);
  EXPECT_NE(metrics->body.find(R"(gen_ai_operation_name="moderations")"), std::string::npos);
}

TEST(ModerationsTest, AFailingDeploymentFallsBackToTheNext) {
  auto broken = start_mock_upstream({"--error-rate", "1", "--error-status", "503"});
  auto healthy = start_mock_upstream({});
  TempFile config(
      "gateway:\n"
      "  providers:\n"
      "    - { name: broken, type: openai, base_url: \"http://127.0.0.1:" +
      std::to_string(broken->port()) +
      "/v1\", api_key: k }\n"
      "    - { name: healthy, type: openai, base_url: \"http://127.0.0.1:" +
      std::to_string(healthy->port()) +
      "/v1\", api_key: k }\n"
      "  models:\n"
      "    - alias: guard\n"
      "      deployments:\n"
      "        - { provider: broken, model: omni-moderation-latest, priority: 0 }\n"
      "        - { provider: healthy, model: omni-moderation-latest, priority: 1 }\n");
  auto server = start_server({}, {"--config", config.path()});
  auto answer = post(server->port(), "/v1/moderations", R"({"model":"guard","input":"hello"})");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(answer->header("x-sluice-deployment"), "healthy/omni-moderation-latest");
  EXPECT_EQ(mock_stat(broken->port(), "moderations"), 1);
  EXPECT_EQ(mock_stat(healthy->port(), "moderations"), 1);
}

TEST(ModerationsTest, MalformedInputIsA400ThatNoUpstreamSees) {
  auto mock = start_mock_upstream({});
  TempFile config(gateway_yaml(mock->port(), "  default_provider: up\n"));
  auto server = start_server({}, {"--config", config.path()});
  for (const auto& [body, param] : std::vector<std::pair<std::string, std::string>>{
           {R"({"model":"test-model"})", "input"},
           {R"({"input":[]})", "input"},
           {R"({"input":["ok",3]})", "input[1]"},
           {R"({"input":[{"type":"video"}]})", "input[0].type"}}) {
    auto answer = post(server->port(), "/v1/moderations", body);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 400) << body << ": " << answer->body;
    EXPECT_EQ(std::string(json::parse(answer->body).at("error").at("param").as_string()), param)
        << answer->body;
  }
  EXPECT_EQ(mock_stat(mock->port(), "moderations"), 0);
}

TEST(ModerationsTest, AnAnthropicModelIsNeverSentModeration) {
  auto mock = start_mock_upstream({});
  TempFile config(
      "gateway:\n"
      "  providers:\n"
      "    - { name: claude, type: anthropic, base_url: \"http://127.0.0.1:" +
      std::to_string(mock->port()) +
      "\", api_key: k }\n"
      "  models:\n"
      "    - { alias: sonnet, deployments: [ { provider: claude, model: claude-sonnet } ] }\n"
      "  default_provider: claude\n");
  auto server = start_server({}, {"--config", config.path()});
  for (std::string_view body : {R"({"model":"sonnet","input":"hi"})", R"({"input":"hi"})"}) {
    auto answer = post(server->port(), "/v1/moderations", body);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 400) << answer->body;
    const json::value error = json::parse(answer->body).at("error");
    EXPECT_EQ(error.at("code"), "unsupported_endpoint") << answer->body;
    EXPECT_EQ(error.at("param"), "model");
    EXPECT_NE(std::string(error.at("message").as_string()).find("/v1/moderations"),
              std::string::npos);
  }
  EXPECT_EQ(mock_stat(mock->port(), "moderations"), 0) << "nothing reached the upstream";
}

}  // namespace
}  // namespace sluice::testing
