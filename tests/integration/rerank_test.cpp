// POST /v1/rerank against the real binary and mock-upstream: ranking through an alias, the
// document bound and other 400s before any upstream call, and a provider type without the
// endpoint never sent it.
#include <boost/json.hpp>

#include "support/mock_fixture.hpp"

namespace sluice::testing {
namespace {
namespace json = boost::json;

std::optional<HttpResponse> post(int port, std::string_view body) {
  return http_request(port, "POST", "/v1/rerank", body, "Content-Type: application/json\r\n");
}

TEST(RerankTest, DocumentsComeBackRankedThroughTheAlias) {
  auto mock = start_mock_upstream({});
  TempFile config(gateway_yaml(mock->port()));
  auto server = start_server({}, {"--config", config.path()});
  auto answer = post(server->port(), R"({"model":"test-model","query":"capital of France",
      "documents":["Berlin is a city",{"text":"Paris is the capital of France"},
                   "The capital of Italy","Lyon, France"],"top_n":3})");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(answer->header("x-sluice-deployment"), "up/upstream-model");
  const json::value body = json::parse(answer->body);
  EXPECT_EQ(body.at("model"), "test-model");
  EXPECT_TRUE(body.at("id").as_string().starts_with("rerank-"));
  const json::array& results = body.at("results").as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].at("index"), 1);
  EXPECT_EQ(results[0].at("relevance_score"), 1.0);
  EXPECT_EQ(results[0].at("document").at("text"), "Paris is the capital of France");
  EXPECT_EQ(results[1].at("index"), 2);
  EXPECT_EQ(results[2].at("index"), 3);
  EXPECT_GT(body.at("usage").at("total_tokens").as_int64(), 0);
  EXPECT_EQ(mock_stat(mock->port(), "rerank"), 1);

  auto bare = post(server->port(), R"({"model":"test-model","query":"q",
      "documents":["a q","b"],"return_documents":false})");
  ASSERT_TRUE(bare);
  ASSERT_EQ(bare->status, 200) << bare->body;
  const json::value plain = json::parse(bare->body);
  EXPECT_EQ(plain.at("results").as_array().size(), 2u);
  EXPECT_FALSE(plain.at("results").at(0).as_object().contains("document"));

  auto metrics = http_request(server->port(), "GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(R"(gen_ai_operation_name="rerank")"), std::string::npos);
}

TEST(RerankTest, BadRequestsAre400sThatNoUpstreamSees) {
  auto mock = start_mock_upstream({});
  TempFile config(gateway_yaml(mock->port()));
  auto server =
      start_server({{"SLUICE_GATEWAY__RERANK__MAX_DOCUMENTS", "3"}}, {"--config", config.path()});
  for (const auto& [body, param] : std::vector<std::pair<std::string, std::string>>{
           {R"({"model":"test-model","query":"q","documents":[]})", "documents"},
           {R"({"model":"test-model","query":"q","documents":["a","b","c","d"]})", "documents"},
           {R"({"model":"test-model","query":"q","documents":["a"],"top_n":0})", "top_n"},
           {R"({"model":"test-model","documents":["a"]})", "query"},
           {R"({"query":"q","documents":["a"]})", "model"}}) {
    auto answer = post(server->port(), body);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 400) << body << ": " << answer->body;
    EXPECT_EQ(std::string(json::parse(answer->body).at("error").at("param").as_string()), param)
        << answer->body;
    if (body.find(R"("d")") != std::string::npos)
      EXPECT_NE(answer->body.find("gateway.rerank.max_documents"), std::string::npos)
          << answer->body;
  }
  EXPECT_EQ(mock_stat(mock->port(), "rerank"), 0);
}

TEST(RerankTest, AnAnthropicModelIsNeverSentARerank) {
  auto mock = start_mock_upstream({});
  TempFile config(
      "gateway:\n"
      "  providers:\n"
      "    - { name: claude, type: anthropic, base_url: \"http://127.0.0.1:" +
      std::to_string(mock->port()) +
      "\", api_key: k }\n"
      "  models:\n"
      "    - { alias: sonnet, deployments: [ { provider: claude, model: claude-sonnet } ] }\n");
  auto server = start_server({}, {"--config", config.path()});
  auto answer = post(server->port(), R"({"model":"sonnet","query":"q","documents":["a"]})");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400) << answer->body;
  EXPECT_EQ(json::parse(answer->body).at("error").at("code"), "unsupported_endpoint");
  EXPECT_EQ(mock_stat(mock->port(), "rerank"), 0);
}

}  // namespace
}  // namespace sluice::testing
