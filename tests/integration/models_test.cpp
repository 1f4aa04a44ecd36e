// /v1/models and /v1/models/{id} against `sluice mock-upstream`: upstream lists fetched from each
// provider (discovered from the environment or configured), ids with '/', and 404s.
#include <thread>

#include "support/server_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<SluiceProcess> start_mock(const std::string& models) {
  auto process = std::make_unique<SluiceProcess>(
      std::vector<std::string>{"mock-upstream", "--listen", "127.0.0.1:0", "--models", models});
  if (process->wait_listening() == 0)
    ADD_FAILURE() << "mock-upstream did not start; output:\n" << process->output();
  return process;
}

std::string base_url(const SluiceProcess& mock) {
  return "http://127.0.0.1:" + std::to_string(mock.port()) + "/v1";
}

// The model list once it names `id` (the first fetch runs in the background after start).
std::string models_once_listed(const SluiceProcess& server, std::string_view id) {
  const std::string needle = "\"id\":\"" + std::string(id) + "\"";
  std::string body;
  for (int i = 0; i < 500; ++i) {
    auto r = http_request(server.port(), "GET", "/v1/models");
    if (r && r->status == 200) body = r->body;
    if (contains(body, needle)) break;
    std::this_thread::sleep_for(10ms);
  }
  return body;
}

int status_of(const SluiceProcess& server, std::string_view target) {
  auto r = http_request(server.port(), "GET", target);
  return r ? r->status : 0;
}

TEST(ModelsTest, ProvidersFromTheEnvironmentListTheirUpstreamModels) {
  auto mock = start_mock("gpt-4o,meta-llama/llama-3");
  auto server = start_server({{"OPENAI_BASE_URL", base_url(*mock)}, {"OPENAI_API_KEY", "sk-test"}});
  const std::string models = models_once_listed(*server, "openai/gpt-4o");
  EXPECT_TRUE(contains(models, R"({"id":"openai/gpt-4o","object":"model","created":0,)"
                               R"("owned_by":"openai"})"))
      << models;
  EXPECT_TRUE(contains(models, R"("id":"gpt-4o")")) << models;  // the default provider's, bare
  EXPECT_TRUE(contains(models, R"("id":"openai/meta-llama/llama-3")")) << models;

  auto one = http_request(server->port(), "GET", "/v1/models/openai/gpt-4o");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200);
  EXPECT_EQ(one->body,
            R"({"id":"openai/gpt-4o","object":"model","created":0,"owned_by":"openai"})");
  EXPECT_EQ(status_of(*server, "/v1/models/gpt-4o"), 200);
  EXPECT_EQ(status_of(*server, "/v1/models/openai/meta-llama/llama-3"), 200);
  auto encoded = http_request(server->port(), "GET", "/v1/models/openai%2Fmeta-llama%2Fllama-3");
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->status, 200);
  EXPECT_TRUE(contains(encoded->body, R"("id":"openai/meta-llama/llama-3")")) << encoded->body;

  auto chat = http_request(server->port(), "POST", "/v1/chat/completions",
                           R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})",
                           "Content-Type: application/json\r\n");
  ASSERT_TRUE(chat);
  EXPECT_EQ(chat->status, 200) << chat->body;
  EXPECT_EQ(chat->header("x-sluice-deployment"), "openai/gpt-4o");
}

TEST(ModelsTest, WithoutADefaultProviderOnlyWhatRoutesIsFound) {
  auto mock = start_mock("listed-model");
  const std::string url = base_url(*mock);
  TempFile config("gateway:\n  providers:\n    - {name: up, type: openai, base_url: '" + url +
                  "'}\n    - {name: claude, type: anthropic, api_key: k, base_url: '" + url +
                  "'}\n  models:\n    - alias: fast\n      deployments:\n"
                  "        - {provider: up, model: listed-model}\n");
  auto server = start_server({}, {"--config", config.path()});
  const std::string models = models_once_listed(*server, "up/listed-model");
  EXPECT_TRUE(contains(models, R"({"id":"fast","object":"model","created":0,"owned_by":"sluice"})"))
      << models;
  EXPECT_FALSE(contains(models, R"("id":"listed-model")")) << models;  // bare: default only
  // Anthropic's list (GET /v1/models with its headers), from the same fake upstream.
  EXPECT_TRUE(contains(models_once_listed(*server, "claude/listed-model"),
                       R"({"id":"claude/listed-model","object":"model","created":0,)"
                       R"("owned_by":"claude"})"));
  EXPECT_EQ(status_of(*server, "/v1/models/fast"), 200);
  EXPECT_EQ(status_of(*server, "/v1/models/up/listed-model"), 200);
  EXPECT_EQ(status_of(*server, "/v1/models/up/not-listed"), 200);  // a known provider routes
  EXPECT_EQ(status_of(*server, "/v1/models/listed-model"), 200);   // in an upstream list
  auto missing = http_request(server->port(), "GET", "/v1/models/not-listed");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(contains(missing->body, "model_not_found")) << missing->body;
  EXPECT_EQ(status_of(*server, "/v1/models/nobody/model"), 404);
}

TEST(ModelsTest, AnUnreachableUpstreamListIsNotFatal) {
  auto mock = start_mock("m");
  const std::string url = base_url(*mock);
  mock.reset();  // its port now refuses connections
  auto server = start_server({{"OPENAI_BASE_URL", url},
                              {"OPENAI_API_KEY", "sk-test"},
                              {"SLUICE_GATEWAY__MODELS_REFRESH", "20ms"}});
  std::string output;
  for (int i = 0; i < 500 && !contains(output, "cannot fetch the upstream model list"); ++i) {
    std::this_thread::sleep_for(10ms);
    output = server->output();
  }
  EXPECT_TRUE(contains(output, R"("provider":"openai")")) << output;
  EXPECT_EQ(status_of(*server, "/livez"), 200);
  EXPECT_EQ(status_of(*server, "/v1/models"), 200);
}

}  // namespace
}  // namespace sluice::testing
