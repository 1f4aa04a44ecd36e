// What reaches the upstream, proven by what `sluice mock-upstream` recorded (and refuses): Azure
// OpenAI's deployment URLs, api-key and api-version; a provider's extra headers; parameter rules
// for reasoning models; and cached tokens priced, metered and logged as the upstream reported.
#include <boost/json.hpp>
#include <cmath>

#include "support/mock_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

namespace json = boost::json;

// The requests mock-upstream recorded (started with --record-requests), oldest first.
json::array recorded(const SluiceProcess& mock) {
  auto r = http_request(mock.port(), "GET", "/mock/requests");
  if (!r || r->status != 200) return {};
  return json::parse(r->body).at("requests").as_array();
}

// The last recorded request whose target starts with `prefix`; null when none.
json::object last_to(const SluiceProcess& mock, std::string_view prefix) {
  json::object found;
  for (json::value& r : recorded(mock))
    if (r.at("target").as_string().starts_with(prefix)) found = std::move(r.as_object());
  return found;
}

std::string header_of(const json::object& request, const char* name) {
  if (request.empty()) return "<no request>";
  const json::object& headers = request.at("headers").as_object();
  const json::value* v = headers.if_contains(name);
  return v ? std::string(v->as_string()) : "<absent>";
}

json::object body_of(const json::object& request) {
  return json::parse(request.at("body").as_string()).as_object();
}

// The value of the series `name{labels}` (labels as rendered) in /metrics; -1 when absent.
double metric(int port, const std::string& series) {
  auto m = http_request(port, "GET", "/metrics");
  if (!m) return -1;
  const std::string prefix = series + " ";
  for (std::size_t at = 0; (at = m->body.find(prefix, at)) != std::string::npos; ++at)
    if (at == 0 || m->body[at - 1] == '\n') return std::stod(m->body.substr(at + prefix.size()));
  return -1;
}

// The access-log line of the last request to `route`, parsed; waits for it (lines are written
// just after the response).
json::object access_line(const SluiceProcess& server, std::string_view route) {
  const std::string needle = "\"route\":\"" + std::string(route) + "\"";
  json::object found;
  eventually([&] {
    const std::string out = server.output();
    for (std::size_t end = out.size(), start; end > 0; end = start) {
      start = out.rfind('\n', end - 1);
      start = start == std::string::npos ? 0 : start + 1;
      const std::string line = out.substr(start, end - start);
      if (line.starts_with('{') && contains(line, needle) && contains(line, "\"status\"")) {
        found = json::parse(line).as_object();
        return true;
      }
      if (start == 0) break;
      --start;
    }
    return false;
  });
  return found;
}

std::string url(const SluiceProcess& mock, std::string_view path = "") {
  return "http://127.0.0.1:" + std::to_string(mock.port()) + std::string(path);
}

// ----- Azure OpenAI ---------------------------------------------------------------------------

class AzureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mock_ = start_mock_upstream({"--record-requests", "32"});
    config_ = std::make_unique<TempFile>(
        "gateway:\n"
        "  providers:\n"
        "    - name: az\n"
        "      type: azure\n"
        "      base_url: " +
        url(*mock_) +
        "\n"
        "      api_key: az-secret-key\n"
        "      api_version: 2024-10-21\n"
        "      forward_mock_headers: true\n"
        "      headers: {x-ms-client-request-id: sluice-test}\n"
        "  models:\n"
        "    - alias: chat\n"
        "      deployments: [{provider: az, model: gpt4o-prod}]\n"
        "    - alias: thinker\n"
        "      deployments: [{provider: az, model: o4-mini}]\n"
        "    - alias: embed\n"
        "      deployments: [{provider: az, model: text-embedding-3-small}]\n"
        "  retry: {max_attempts: 3, base_backoff: 1ms, max_backoff: 2ms}\n");
    server_ = start_server({}, {"--config", config_->path()});
  }

  std::unique_ptr<SluiceProcess> mock_;
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<SluiceProcess> server_;
};

TEST_F(AzureTest, ChatGoesToTheDeploymentUrlWithApiKeyAndApiVersion) {
  const std::string body = R"({"model":"chat","messages":[{"role":"user","content":"Hi"}]})";
  auto r = http_request(server_->port(), "POST", "/v1/chat/completions", body);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->header("x-sluice-deployment"), "az/gpt4o-prod");
  const json::value answer = json::parse(r->body);
  EXPECT_EQ(answer.at("model"), "gpt4o-prod");
  EXPECT_EQ(answer.at("choices").at(0).at("content_filter_results").at("hate").at("severity"),
            "safe")
      << "Azure's additions reach the client";

  const json::object sent = last_to(*mock_, "/openai/");
  EXPECT_EQ(sent.at("target"),
            "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21");
  EXPECT_EQ(header_of(sent, "api-key"), "az-secret-key");
  EXPECT_EQ(header_of(sent, "authorization"), "<absent>");
  EXPECT_EQ(header_of(sent, "x-ms-client-request-id"), "sluice-test");
  // Azure takes the model from the URL: the client's bytes went out untouched.
  EXPECT_EQ(sent.at("body").as_string(), body);
}

TEST_F(AzureTest, StreamingWorksAsOpenAis) {
  auto r = http_request(
      server_->port(), "POST", "/v1/chat/completions",
      R"({"model":"chat","stream":true,"messages":[{"role":"user","content":"Stream this"}]})",
      "x-mock-chunks: 4\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_TRUE(r->header("content-type").starts_with("text/event-stream"));
  EXPECT_TRUE(contains(r->body, "prompt_filter_results")) << "Azure's first chunk is relayed";
  EXPECT_TRUE(contains(r->body, R"("content":"Mock reply)")) << r->body;
  EXPECT_TRUE(contains(r->body, "data: [DONE]")) << r->body;
  EXPECT_FALSE(contains(r->body, R"("usage":{)")) << "usage was asked for by the gateway only";
  const json::object sent = last_to(*mock_, "/openai/");
  EXPECT_EQ(body_of(sent).at("stream_options").at("include_usage"), true);
  const json::object line = access_line(*server_, "/v1/chat/completions");
  EXPECT_GT(line.at("prompt_tokens").to_number<long long>(), 0);
  EXPECT_FALSE(line.contains("usage_estimated")) << "Azure reported usage in the stream";
}

TEST_F(AzureTest, EmbeddingsGoToTheDeploymentToo) {
  auto r = http_request(server_->port(), "POST", "/v1/embeddings",
                        R"({"model":"embed","input":"hello"})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json::object sent = last_to(*mock_, "/openai/");
  EXPECT_EQ(sent.at("target"),
            "/openai/deployments/text-embedding-3-small/embeddings?api-version=2024-10-21");
  EXPECT_EQ(header_of(sent, "api-key"), "az-secret-key");
}

TEST_F(AzureTest, AContentFilteredPromptIsTheClientsErrorAndIsNotRetried) {
  ASSERT_TRUE(http_request(mock_->port(), "POST", "/mock/stats/reset"));
  auto r = http_request(server_->port(), "POST", "/v1/chat/completions",
                        R"({"model":"chat","messages":[{"role":"user","content":"bad"}]})",
                        "x-mock-content-filter: 1\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 400) << r->body;
  const json::object error = json::parse(r->body).at("error").as_object();
  EXPECT_EQ(error.at("code"), "content_filter");
  EXPECT_EQ(error.at("type"), "invalid_request_error");
  EXPECT_EQ(error.at("param"), "prompt");
  EXPECT_EQ(error.at("innererror").at("code"), "ResponsibleAIPolicyViolation");
  EXPECT_EQ(mock_stat(mock_->port(), "chat"), 1) << "one attempt: a 400 is not retried";
  const json::object line = access_line(*server_, "/v1/chat/completions");
  EXPECT_EQ(line.at("outcome"), "upstream_4xx");
  EXPECT_EQ(
      metric(
          server_->port(),
          R"(sluice_upstream_requests_total{deployment="az/gpt4o-prod",outcome="upstream_4xx"})"),
      1);
}

TEST_F(AzureTest, ReasoningDeploymentsGetTheBuiltInRules) {
  // The mock refuses max_tokens and temperature for o4-mini, as Azure and OpenAI do.
  auto r = http_request(
      server_->port(), "POST", "/v1/chat/completions",
      R"({"model":"thinker","max_tokens":50,"temperature":0.2,"messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json::object sent = body_of(last_to(*mock_, "/openai/deployments/o4-mini/"));
  EXPECT_EQ(sent.at("max_completion_tokens"), 50);
  EXPECT_FALSE(sent.contains("max_tokens"));
  EXPECT_FALSE(sent.contains("temperature"));
  EXPECT_EQ(sent.at("model"), "thinker") << "Azure bodies keep the client's model";
  EXPECT_EQ(
      metric(
          server_->port(),
          R"(sluice_param_rule_edits_total{provider="az",param="temperature",action="dropped"})"),
      1);
  EXPECT_EQ(
      metric(server_->port(),
             R"(sluice_param_rule_edits_total{provider="az",param="max_tokens",action="renamed"})"),
      1);
}

TEST(AzureKeyTest, AWrongSetupIsAzuresOwnErrorRelayed) {
  auto mock = start_mock_upstream({});
  // Keyless: mock-upstream, as Azure, refuses without api-key.
  auto server = start_server({{"AZURE_OPENAI_ENDPOINT", url(*mock)}});
  auto r = http_request(server->port(), "POST", "/v1/chat/completions",
                        R"({"model":"my-deployment","messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401) << r->body;
  EXPECT_EQ(r->header("x-sluice-deployment"), "azure/my-deployment");
  const json::object error = json::parse(r->body).at("error").as_object();
  EXPECT_EQ(error.at("type"), "authentication_error");
  EXPECT_TRUE(contains(std::string(error.at("message").as_string()), "Access denied"));
}

TEST(AzureKeyTest, DiscoveredFromTheEnvironment) {
  auto mock = start_mock_upstream({"--record-requests", "4"});
  auto server = start_server({{"AZURE_OPENAI_ENDPOINT", url(*mock, "/")},
                              {"AZURE_OPENAI_API_KEY", "env-az-key"},
                              {"OPENAI_API_VERSION", "2025-04-01-preview"}});
  auto r = http_request(server->port(), "POST", "/v1/chat/completions",
                        R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json::object sent = last_to(*mock, "/openai/");
  EXPECT_EQ(sent.at("target"),
            "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2025-04-01-preview");
  EXPECT_EQ(header_of(sent, "api-key"), "env-az-key");
}

// ----- extra headers and parameter rules on an OpenAI-compatible provider ---------------------

TEST(ProviderHeadersTest, ConfiguredAndFileHeadersReachTheUpstream) {
  auto mock = start_mock_upstream({"--record-requests", "8"});
  TempFile token("team-token-from-file\n", ".txt");
  TempFile config(
      "gateway:\n"
      "  providers:\n"
      "    - name: up\n"
      "      type: openai\n"
      "      base_url: " +
      url(*mock, "/v1") +
      "\n"
      "      api_key: test-key\n"
      "      headers:\n"
      "        OpenAI-Organization: ${ORG}\n"
      "        OpenAI-Project: proj_abc\n"
      "        X-Team-Token_file: " +
      token.path() +
      "\n"
      "  models:\n"
      "    - {alias: test-model, deployments: [{provider: up, model: m}]}\n");
  auto server = start_server({{"ORG", "org-from-env"}}, {"--config", config.path()});
  auto r = http_request(server->port(), "POST", "/v1/chat/completions",
                        R"({"model":"test-model","messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json::object sent = last_to(*mock, "/v1/chat/completions");
  EXPECT_EQ(header_of(sent, "openai-organization"), "org-from-env");
  EXPECT_EQ(header_of(sent, "openai-project"), "proj_abc");
  EXPECT_EQ(header_of(sent, "x-team-token"), "team-token-from-file");
  EXPECT_EQ(header_of(sent, "authorization"), "Bearer test-key");
  // The model list is fetched with them too.
  EXPECT_TRUE(eventually(
      [&] { return header_of(last_to(*mock, "/v1/models"), "openai-project") == "proj_abc"; }));
}

TEST(ProviderHeadersTest, OpenAiOrgAndProjectFromTheEnvironment) {
  auto mock = start_mock_upstream({"--record-requests", "8"});
  auto server = start_server({{"OPENAI_BASE_URL", url(*mock, "/v1")},
                              {"OPENAI_API_KEY", "sk-env"},
                              {"OPENAI_ORG_ID", "org-env"},
                              {"OPENAI_PROJECT_ID", "proj_env"}});
  auto r = http_request(server->port(), "POST", "/v1/chat/completions",
                        R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json::object sent = last_to(*mock, "/v1/chat/completions");
  EXPECT_EQ(header_of(sent, "openai-organization"), "org-env");
  EXPECT_EQ(header_of(sent, "openai-project"), "proj_env");
}

TEST(ProviderHeadersTest, AFramingHeaderIsRefusedAtStart) {
  auto mock = start_mock_upstream({});
  TempFile config("gateway:\n  providers:\n    - {name: up, type: openai, base_url: \"" +
                  url(*mock, "/v1") + "\", headers: {Content-Length: '5'}}\n");
  auto r = run_sluice({"check", "--config", config.path(), "--listen", "127.0.0.1:0"},
                      {{"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "gateway.providers.0.headers.Content-Length")) << r.output;
}

class ParamRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mock_ = start_mock_upstream({"--record-requests", "16"});
    config_ = std::make_unique<TempFile>(
        "gateway:\n"
        "  providers:\n"
        "    - name: up\n"
        "      type: openai\n"
        "      base_url: " +
        url(*mock_, "/v1") +
        "\n"
        "      param_rules:\n"
        "        - {models: 'house-*', drop: [seed], rename: {user: safety_identifier}}\n"
        "  models:\n"
        "    - {alias: reasoner, deployments: [{provider: up, model: o3-mini}]}\n"
        "    - {alias: house, deployments: [{provider: up, model: house-model}]}\n");
    server_ = start_server({}, {"--config", config_->path()});
  }

  std::unique_ptr<SluiceProcess> mock_;
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<SluiceProcess> server_;
};

TEST_F(ParamRulesTest, ReasoningModelsGetWhatTheyAccept) {
  for (const bool stream : {false, true}) {
    auto r =
        http_request(server_->port(), "POST", "/v1/chat/completions",
                     std::string(R"({"model":"reasoner","stream":)") + (stream ? "true" : "false") +
                         R"(,"max_tokens":64,"temperature":0.5,"top_p":0.9,"presence_penalty":0.1,)"
                         R"("messages":[{"role":"user","content":"Think"}]})");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const json::object sent = body_of(last_to(*mock_, "/v1/chat/completions"));
    EXPECT_EQ(sent.at("max_completion_tokens"), 64) << stream;
    for (const char* dropped : {"max_tokens", "temperature", "top_p", "presence_penalty"})
      EXPECT_FALSE(sent.contains(dropped)) << dropped;
    EXPECT_EQ(sent.at("model"), "o3-mini");
  }
  EXPECT_EQ(
      metric(server_->port(),
             R"(sluice_param_rule_edits_total{provider="up",param="top_p",action="dropped"})"),
      2);
}

TEST_F(ParamRulesTest, ConfiguredRulesMatchTheirModelsOnly) {
  auto r = http_request(
      server_->port(), "POST", "/v1/chat/completions",
      R"({"model":"house","seed":3,"user":"u-1","temperature":0.5,"messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json::object sent = body_of(last_to(*mock_, "/v1/chat/completions"));
  EXPECT_FALSE(sent.contains("seed"));
  EXPECT_EQ(sent.at("safety_identifier"), "u-1");
  EXPECT_EQ(sent.at("temperature"), 0.5) << "not a reasoning model: sampling kept";
}

TEST_F(ParamRulesTest, ARequestNoRuleTouchesGoesOutAsTheClientsBytes) {
  // Model named as the upstream knows it, not streamed: nothing to change, so no re-serialising
  // (the spacing and member order below would not survive it).
  const std::string body =
      R"({ "messages": [{"role":"user","content":"Hi"}],  "model" : "up/house-model", "n": 1 })";
  auto r = http_request(server_->port(), "POST", "/v1/chat/completions", body);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(last_to(*mock_, "/v1/chat/completions").at("body").as_string(), body)
      << "provider/model names are renamed for the upstream";
  const std::string exact =
      R"({ "messages": [{"role":"user","content":"Hi"}],  "model" : "house-model", "n": 1 })";
  TempFile config("gateway:\n  providers:\n    - {name: up, type: openai, base_url: \"" +
                  url(*mock_, "/v1") + "\"}\n  default_provider: up\n");
  auto plain = start_server({}, {"--config", config.path()});
  auto again = http_request(plain->port(), "POST", "/v1/chat/completions", exact);
  ASSERT_TRUE(again);
  ASSERT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(last_to(*mock_, "/v1/chat/completions").at("body").as_string(), exact);
}

// ----- cached tokens: priced, metered, logged, and shown to the client ------------------------

TEST(CachedTokensTest, OpenAiCachedTokensArePricedAtTheCachedPrice) {
  auto mock = start_mock_upstream({"--record-requests", "4"});
  TempFile config(gateway_yaml(mock->port(),
                               "  prices:\n"
                               "    - {model: upstream-model, input_per_million: 2,"
                               " cached_input_per_million: 0.5, output_per_million: 8}\n"));
  auto server = start_server({}, {"--config", config.path()});
  // mock-upstream reports 1,000 more prompt tokens, read from the cache.
  ASSERT_TRUE(http_request(mock->port(), "POST", "/mock/config", R"({"cached_tokens":1000})"));
  auto r = http_request(server->port(), "POST", "/v1/chat/completions",
                        R"({"model":"test-model","messages":[{"role":"user","content":"Hi"}]})");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json::object usage = json::parse(r->body).at("usage").as_object();
  const long long prompt = usage.at("prompt_tokens").to_number<long long>();
  const long long completion = usage.at("completion_tokens").to_number<long long>();
  EXPECT_EQ(usage.at("prompt_tokens_details").at("cached_tokens"), 1000) << "relayed as sent";
  ASSERT_GT(prompt, 1000);
  // (prompt - 1,000) x $2 + 1,000 x $0.50 + completion x $8, per million tokens.
  const double expected = ((prompt - 1000) * 2.0 + 1000 * 0.5 + completion * 8.0) / 1e6;
  const json::object line = access_line(*server, "/v1/chat/completions");
  EXPECT_NEAR(line.at("cost_usd").to_number<double>(), expected, 1e-12);
  EXPECT_EQ(line.at("cached_tokens"), 1000);
  EXPECT_FALSE(line.contains("cache_write_tokens"));
  EXPECT_EQ(metric(server->port(),
                   R"(sluice_tokens_total{alias="test-model",key="",type="cached_input"})"),
            1000);
  EXPECT_EQ(
      metric(server->port(), R"(sluice_tokens_total{alias="test-model",key="",type="input"})"),
      prompt - 1000);
  EXPECT_NEAR(metric(server->port(),
                     R"(sluice_cost_usd_total{model="upstream-model",alias="test-model",key=""})"),
              expected, 1e-12);
}

TEST(CachedTokensTest, AnthropicCacheReadsAndWritesArePricedApartAndReportedToClients) {
  auto mock = start_mock_upstream({});
  TempFile config(
      "gateway:\n  providers:\n"
      "    - {name: claude, type: anthropic, api_key: sk-ant, forward_mock_headers: true, "
      "base_url: \"" +
      url(*mock) +
      "\"}\n"
      "  models:\n    - {alias: sonnet, deployments: [{provider: claude, model: "
      "claude-sonnet-4}]}\n");
  auto server = start_server({}, {"--config", config.path()});
  const std::string cache_headers =
      "x-mock-cached-tokens: 20000\r\nx-mock-cache-write-tokens: 4000\r\n";
  auto r = http_request(server->port(), "POST", "/v1/chat/completions",
                        R"({"model":"sonnet","messages":[{"role":"user","content":"Hi"}]})",
                        cache_headers);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json::object usage = json::parse(r->body).at("usage").as_object();
  const long long prompt = usage.at("prompt_tokens").to_number<long long>();
  const long long completion = usage.at("completion_tokens").to_number<long long>();
  const long long uncached = prompt - 24000;
  ASSERT_GT(uncached, 0);
  EXPECT_EQ(usage.at("prompt_tokens_details").at("cached_tokens"), 20000);
  EXPECT_EQ(usage.at("prompt_tokens_details").at("cache_write_tokens"), 4000);
  // claude-sonnet-4's built-in prices: $3 input, $0.30 cache reads, $3.75 cache writes, $15
  // output per million tokens.
  const double expected = (uncached * 3.0 + 20000 * 0.30 + 4000 * 3.75 + completion * 15.0) / 1e6;
  const json::object line = access_line(*server, "/v1/chat/completions");
  EXPECT_NEAR(line.at("cost_usd").to_number<double>(), expected, 1e-12);
  EXPECT_EQ(line.at("cached_tokens"), 20000);
  EXPECT_EQ(line.at("cache_write_tokens"), 4000);
  EXPECT_EQ(
      metric(server->port(), R"(sluice_tokens_total{alias="sonnet",key="",type="cache_write"})"),
      4000);
  EXPECT_EQ(
      metric(server->port(), R"(sluice_tokens_total{alias="sonnet",key="",type="cached_input"})"),
      20000);

  // Anthropic's own clients see Anthropic's fields, streamed or not.
  for (const bool stream : {false, true}) {
    auto messages = http_request(server->port(), "POST", "/v1/messages",
                                 std::string(R"({"model":"sonnet","max_tokens":64,"stream":)") +
                                     (stream ? "true" : "false") +
                                     R"(,"messages":[{"role":"user","content":"Hi"}]})",
                                 cache_headers + "anthropic-version: 2023-06-01\r\n");
    ASSERT_TRUE(messages);
    ASSERT_EQ(messages->status, 200) << messages->body;
    EXPECT_TRUE(contains(messages->body, R"("cache_creation_input_tokens":4000)"))
        << messages->body;
    EXPECT_TRUE(contains(messages->body, R"("cache_read_input_tokens":20000)")) << messages->body;
    EXPECT_TRUE(contains(messages->body, R"("input_tokens":)" + std::to_string(uncached)))
        << messages->body;
  }
}

}  // namespace
}  // namespace sluice::testing
