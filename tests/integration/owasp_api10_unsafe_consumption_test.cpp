// OWASP API Security Top 10 (2023), API10 Unsafe Consumption of APIs: what an upstream provider
// answers is not trusted. Malformed, deeply nested, oversized or HTML answers end in a clean,
// bounded 502 in OpenAI's shape that carries none of the upstream's text, and the gateway keeps
// serving.
#include "support/canned_server.hpp"
#include "support/rag_client.hpp"
#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

constexpr std::string_view kChat =
    R"({"model":"test-model","messages":[{"role":"user","content":"hi"}]})";

std::string nested(std::size_t depth) {
  return "{\"choices\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
}

class OwaspApi10UnsafeConsumptionOfApis : public ::testing::Test {
 protected:
  // One upstream per behaviour, each a provider of its own alias.
  static std::string provider_yaml(const std::map<std::string, int>& ports) {
    std::string providers = "gateway:\n  retry:\n    max_attempts: 1\n  providers:\n";
    std::string models = "  models:\n";
    for (const auto& [name, port] : ports) {
      providers +=
          "    - name: " + name +
          "\n      type: openai\n      base_url: http://127.0.0.1:" + std::to_string(port) +
          "/v1\n      api_key: test-key\n";
      models += "    - alias: " + name + "\n      deployments:\n        - provider: " + name +
                "\n          model: m\n";
    }
    return providers + models;
  }
  static std::string chat_for(const std::string& alias) {
    std::string body(kChat);
    body.replace(body.find("test-model"), 10, alias);
    return body;
  }
};

TEST_F(OwaspApi10UnsafeConsumptionOfApis, MalformedNestedHugeOrHtmlAnswersEndInACleanBoundedError) {
  const auto json_200 = [](const std::string& body) {
    return CannedServer::response(200, "application/json", body);
  };
  CannedServer malformed({{"/v1/chat/completions", json_200("{\"choices\":[{\"message\":")}});
  // Malformed in the middle, though framed by Content-Length and ending in a usage object.
  CannedServer malformed_with_usage(
      {{"/v1/chat/completions", json_200("{\"choices\":[[[ not json \"usage\":{\"prompt_tokens\":1,"
                                         "\"completion_tokens\":1,\"total_tokens\":2}}")}});
  CannedServer not_json({{"/v1/chat/completions", json_200("Traceback (most recent call last)")}});
  CannedServer deep({{"/v1/chat/completions", json_200(nested(100'000))}});
  // Over the 64 MiB the gateway buffers of one answer.
  CannedServer huge(
      {{"/v1/chat/completions", json_200("{\"x\":\"" + std::string(65u << 20, 'a') + "\"}")}});
  CannedServer html_error(
      {{"/v1/chat/completions",
        CannedServer::response(500, "text/html",
                               "<html><pre>Traceback: secret_internal_path.py line 3</pre>")}});
  TempFile config(provider_yaml({{"malformed", malformed.port()},
                                 {"usagetail", malformed_with_usage.port()},
                                 {"notjson", not_json.port()},
                                 {"deep", deep.port()},
                                 {"huge", huge.port()},
                                 {"htmlerror", html_error.port()}}));
  auto server = start_server({{"SLUICE_SHUTDOWN__DRAIN_DELAY", "0s"}}, {"--config", config.path()});
  const int port = server->port();

  for (const char* alias : {"malformed", "usagetail", "notjson", "deep", "huge", "htmlerror"}) {
    const JsonResponse answer = call(port, "POST", "/v1/chat/completions", chat_for(alias));
    // An upstream error status is relayed as it is, in the gateway's words; every answer the
    // gateway cannot use is its own 502.
    EXPECT_EQ(answer.status, std::string_view(alias) == "htmlerror" ? 500 : 502)
        << alias << ": " << answer.raw.substr(0, 300);
    ASSERT_TRUE(answer.body.contains("error")) << alias << ": " << answer.raw.substr(0, 300);
    const auto& error = answer.body.at("error").as_object();
    EXPECT_TRUE(error.at("message").is_string()) << alias;
    EXPECT_LT(answer.raw.size(), 2048u) << alias << ": the upstream's answer leaked through";
    EXPECT_EQ(answer.raw.find("Traceback"), std::string::npos) << alias << ": " << answer.raw;
    EXPECT_EQ(answer.raw.find("secret_internal_path"), std::string::npos) << alias;
  }
  auto alive = http_request(port, "GET", "/livez");
  ASSERT_TRUE(alive);
  EXPECT_EQ(alive->status, 200);
}

}  // namespace
}  // namespace sluice::testing
