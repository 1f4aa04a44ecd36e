// What a provider adds to its upstream requests: type azure and its api_version, the headers map
// (bound by the schema's map support: ${VAR}, *_file, env overrides, printing), and param_rules.

#include <gtest/gtest.h>

#include <string>

#include "config_fixture.hpp"
#include "core/config.hpp"

namespace sluice::core {
namespace {

using ConfigProviderRequestsTest = testing::ConfigFileTest;
using testing::contains;
using testing::describe;
using testing::error_at;

// One OpenAI provider; `extra` is appended to its entry (indented by six spaces).
std::string provider_with(const std::string& extra, const std::string& type = "openai") {
  return "gateway:\n  providers:\n    - name: up\n      type: " + type +
         "\n      base_url: https://api.example.com/v1\n" + extra;
}

TEST_F(ConfigProviderRequestsTest, AzureProviderLoadsWithItsApiVersion) {
  auto r =
      load(provider_with("      api_key: k\n      api_version: 2025-04-01-preview\n", "azure"));
  ASSERT_LOADS(r);
  EXPECT_EQ(r->gateway.providers[0].type, "azure");
  EXPECT_EQ(r->gateway.providers[0].api_version, "2025-04-01-preview");
}

TEST_F(ConfigProviderRequestsTest, AzureNeedsItsEndpoint) {
  auto r = load("gateway:\n  providers:\n    - {name: az, type: azure, api_key: k}\n");
  EXPECT_ERROR_AT(r, "gateway.providers.0.base_url", "is required for type azure");
  EXPECT_TRUE(
      contains(error_at(r.error(), "gateway.providers.0.base_url")->fix, "AZURE_OPENAI_ENDPOINT"));
}

TEST_F(ConfigProviderRequestsTest, ApiVersionIsOnlyForAzureAndMustBeUrlSafe) {
  auto r1 = load(provider_with("      api_version: 2024-10-21\n"));
  EXPECT_ERROR_AT(r1, "gateway.providers.0.api_version", "only for type azure");
  auto r2 = load(provider_with("      api_version: \"2024 10&x=1\"\n", "azure"));
  EXPECT_ERROR_AT(r2, "gateway.providers.0.api_version", "is not an API version");
}

TEST_F(ConfigProviderRequestsTest, HeadersBindAsAMapWithInterpolation) {
  auto r = load(provider_with("      headers:\n"
                              "        OpenAI-Organization: ${ORG}\n"
                              "        OpenAI-Project: proj_1\n"),
                {{"ORG", "org-42"}});
  ASSERT_LOADS(r);
  const auto& headers = r->gateway.providers[0].headers;
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers.at("OpenAI-Organization"), "org-42");
  EXPECT_EQ(headers.at("OpenAI-Project"), "proj_1");
}

TEST_F(ConfigProviderRequestsTest, HeaderValueFromAFile) {
  const std::string token = write("token", "gw-secret-token\n");
  auto r = load(provider_with("      headers:\n        X-Gateway-Token_file: " + token + "\n"));
  ASSERT_LOADS(r);
  EXPECT_EQ(r->gateway.providers[0].headers.at("X-Gateway-Token"), "gw-secret-token");
}

TEST_F(ConfigProviderRequestsTest, HeaderFileErrorsNameTheKey) {
  auto missing = load(provider_with("      headers:\n        X-Token_file: /no/such/file\n"));
  EXPECT_ERROR_AT(missing, "gateway.providers.0.headers.X-Token_file", "cannot read secret file");
  const std::string token = write("token", "t");
  auto both = load(
      provider_with("      headers:\n        X-Token: a\n        X-Token_file: " + token + "\n"));
  EXPECT_ERROR_AT(both, "gateway.providers.0.headers.X-Token", "given twice");
}

TEST_F(ConfigProviderRequestsTest, HeadersMustBeAMappingOfStrings) {
  auto r3 = load(provider_with("      headers: [a, b]\n"));
  EXPECT_ERROR_AT(r3, "gateway.providers.0.headers",
                  "expected a mapping of names to values, got a list");
  auto r4 = load(provider_with("      headers:\n        X-List: [1, 2]\n"));
  EXPECT_ERROR_AT(r4, "gateway.providers.0.headers.X-List", "expected a string, got a list");
}

TEST_F(ConfigProviderRequestsTest, FramingHopByHopAndOwnHeadersAreRefusedByName) {
  for (const char* name : {"Host", "Content-Length", "Transfer-Encoding", "Connection",
                           "Keep-Alive", "TE", "Upgrade"}) {
    auto r = load(provider_with("      headers:\n        " + std::string(name) + ": x\n"));
    EXPECT_ERROR_AT(r, "gateway.providers.0.headers." + std::string(name), "hop-by-hop");
  }
  for (const char* name : {"content-type", "Accept", "traceparent", "X-Request-Id"}) {
    auto r = load(provider_with("      headers:\n        " + std::string(name) + ": x\n"));
    EXPECT_ERROR_AT(r, "gateway.providers.0.headers." + std::string(name), "set on every request");
  }
}

TEST_F(ConfigProviderRequestsTest, TheAuthHeaderOfAKeyedProviderIsRefused) {
  auto loaded1 =
      load(provider_with("      api_key: k\n      headers:\n        Authorization: Bearer x\n"));
  EXPECT_ERROR_AT(loaded1, "gateway.providers.0.headers.Authorization",
                  "beside the one api_key sets");
  auto loaded2 =
      load(provider_with("      api_key: k\n      headers:\n        api-key: x\n", "azure"));
  EXPECT_ERROR_AT(loaded2, "gateway.providers.0.headers.api-key", "beside the one api_key sets");
  auto loaded3 =
      load(provider_with("      headers:\n        anthropic-version: 2023-01-01\n", "anthropic"));
  EXPECT_ERROR_AT(loaded3, "gateway.providers.0.headers.anthropic-version", "set on every request");
  // Keyless, a provider may authenticate with a header of its own (a static bearer token).
  auto keyless = load(provider_with("      headers:\n        Authorization: Bearer t\n", "azure"));
  ASSERT_LOADS(keyless);
}

TEST_F(ConfigProviderRequestsTest, HeaderNamesAndValuesMustMakeOneHeaderLine) {
  auto r5 = load(provider_with("      headers:\n        \"Bad Name\": x\n"));
  EXPECT_ERROR_AT(r5, "gateway.providers.0.headers.Bad Name", "is not a header name");
  auto r =
      load(provider_with("      headers:\n        X-Injected: ${V}\n"), {{"V", "a\r\nX-Evil: 1"}});
  EXPECT_ERROR_AT(r, "gateway.providers.0.headers.X-Injected", "line break");
  EXPECT_FALSE(contains(describe(r.error()), "X-Evil")) << "the value must not be echoed";
  auto r6 = load(provider_with("      headers:\n        X-Empty: \"\"\n"));
  EXPECT_ERROR_AT(r6, "gateway.providers.0.headers.X-Empty", "is empty");
}

TEST_F(ConfigProviderRequestsTest, TheMockSendsNoRequestsToAddTo) {
  auto r = load(
      "gateway:\n  providers:\n    - name: m\n      type: mock\n"
      "      headers: {X-A: b}\n      param_rules: [{models: '*', drop: [temperature]}]\n");
  EXPECT_ERROR_AT(r, "gateway.providers.0.headers", "type mock sends no requests");
  EXPECT_ERROR_AT(r, "gateway.providers.0.param_rules", "type mock sends no requests");
}

TEST_F(ConfigProviderRequestsTest, AHeaderEntryIsOverridableFromTheEnvironment) {
  auto r = load(provider_with("      headers:\n        OpenAI-Project: p1\n"),
                {{"SLUICE_GATEWAY__PROVIDERS__0__HEADERS__X-TEAM", "blue"}});
  ASSERT_LOADS(r);
  const auto& headers = r->gateway.providers[0].headers;
  EXPECT_EQ(headers.at("OpenAI-Project"), "p1");
  EXPECT_EQ(headers.at("x-team"), "blue");  // env names are lower-cased; header names are not
                                            // case-sensitive
}

TEST_F(ConfigProviderRequestsTest, UnknownKeysBesideAMapAreStillReported) {
  auto r = load(provider_with("      header:\n        X-A: b\n"));
  EXPECT_ERROR_AT(r, "gateway.providers.0.header", "unknown key");
  auto env = load(provider_with(""), {{"SLUICE_GATEWAY__PROVIDERS__0__HEADRES__X", "1"}});
  EXPECT_ERROR_AT(env, "SLUICE_GATEWAY__PROVIDERS__0__HEADRES__X", "unknown key");
}

TEST_F(ConfigProviderRequestsTest, PrinterShowsWhereHeaderValuesCameFromNeverTheValues) {
  const std::string token = write("token", "file-header-value");
  auto r = load(provider_with("      headers:\n"
                              "        X-From-Env: ${H}\n"
                              "        X-From-File_file: " +
                              token +
                              "\n"
                              "        X-Inline: inline-header-value\n"),
                {{"H", "env-header-value"}});
  ASSERT_LOADS(r);
  const std::string text = render_effective_config(*r);
  EXPECT_TRUE(contains(text, "X-From-Env: ${H}")) << text;
  EXPECT_TRUE(contains(text, "X-From-File_file: " + token)) << text;
  EXPECT_TRUE(contains(text, "X-Inline: <redacted>")) << text;
  for (const char* value : {"env-header-value", "file-header-value", "inline-header-value"})
    EXPECT_FALSE(contains(text, value)) << text;
}

TEST_F(ConfigProviderRequestsTest, InlineHeaderValuesAreAllowedInProd) {
  // Organization and project ids are identifiers, not credentials.
  auto r = load(provider_with("      api_key: ${K}\n      headers: {OpenAI-Organization: org-1}\n"),
                {{"SLUICE_ENV", "prod"}, {"K", "k"}, {"SLUICE_AUTH__ADMIN_KEY", "a"}});
  ASSERT_LOADS(r);
}

TEST_F(ConfigProviderRequestsTest, ParamRulesLoad) {
  auto r = load(provider_with(R"(      param_rules:
        - models: "prod-reasoning*"
          drop: [temperature, top_p]
          rename: {max_tokens: max_completion_tokens}
      builtin_param_rules: false
)"));
  ASSERT_LOADS(r);
  const ProviderConfig& p = r->gateway.providers[0];
  ASSERT_EQ(p.param_rules.size(), 1u);
  EXPECT_EQ(p.param_rules[0].models, "prod-reasoning*");
  EXPECT_EQ(p.param_rules[0].drop, (std::vector<std::string>{"temperature", "top_p"}));
  EXPECT_EQ(p.param_rules[0].rename.at("max_tokens"), "max_completion_tokens");
  EXPECT_FALSE(p.builtin_param_rules);
  // The rename map is a plain map: printed as is, and loads back equal.
  const std::string text = render_effective_config(*r);
  EXPECT_TRUE(contains(text, "max_tokens: max_completion_tokens")) << text;
  auto again = load(text);
  ASSERT_LOADS(again);
  EXPECT_TRUE(*again == *r) << text;
}

TEST_F(ConfigProviderRequestsTest, ParamRuleErrorsNameTheirKeys) {
  auto r = load(provider_with(R"(      param_rules:
        - drop: [temperature]
        - models: x
        - models: y
          drop: [messages, ""]
          rename: {max_tokens: max_tokens, stream: s}
)"));
  EXPECT_ERROR_AT(r, "gateway.providers.0.param_rules.0.models", "must not be empty");
  EXPECT_ERROR_AT(r, "gateway.providers.0.param_rules.1", "changes nothing");
  EXPECT_ERROR_AT(r, "gateway.providers.0.param_rules.2.drop.0", "the gateway needs it");
  EXPECT_ERROR_AT(r, "gateway.providers.0.param_rules.2.drop.1", "must not be empty");
  EXPECT_ERROR_AT(r, "gateway.providers.0.param_rules.2.rename.max_tokens", "to itself");
  EXPECT_ERROR_AT(r, "gateway.providers.0.param_rules.2.rename.stream", "the gateway needs it");
}

TEST_F(ConfigProviderRequestsTest, CacheWritePriceLoadsAndMustNotBeNegative) {
  auto ok = load(
      "gateway:\n  prices:\n    - {model: m, input_per_million: 3, "
      "cache_write_per_million: 3.75}\n");
  ASSERT_LOADS(ok);
  EXPECT_DOUBLE_EQ(ok->gateway.prices[0].cache_write_per_million, 3.75);
  auto r7 = load("gateway:\n  prices:\n    - {model: m, cache_write_per_million: -1}\n");
  EXPECT_ERROR_AT(r7, "gateway.prices.0.cache_write_per_million", "must not be negative");
  auto hour = load("gateway:\n  prices:\n    - {model: m, cache_write_1h_per_million: 6}\n");
  ASSERT_LOADS(hour);
  EXPECT_DOUBLE_EQ(hour->gateway.prices[0].cache_write_1h_per_million, 6);
  auto r8 = load("gateway:\n  prices:\n    - {model: m, cache_write_1h_per_million: -1}\n");
  EXPECT_ERROR_AT(r8, "gateway.prices.0.cache_write_1h_per_million", "must not be negative");
}

}  // namespace
}  // namespace sluice::core
