// Providers from the environment, the dev-only mock, and the warning that says it is serving.

#include "core/provider_discovery.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "config_fixture.hpp"

namespace sluice::core {
namespace {

using Env = std::map<std::string, std::string>;
using ProviderDiscoveryTest = testing::ConfigFileTest;
using testing::contains;
using testing::describe;
using testing::error_at;

Config discovered(const Env& env, Profile profile = Profile::dev) {
  Config config;
  config.profile = profile;
  discover_providers(config, env);
  return config;
}

TEST(ProviderDiscovery, DevWithNothingServesTheMockUnderItsOwnAlias) {
  const Config c = discovered({});
  ASSERT_EQ(c.gateway.providers.size(), 1u);
  EXPECT_EQ(c.gateway.providers[0].type, "mock");
  EXPECT_EQ(c.gateway.providers[0].name, "mock");
  ASSERT_EQ(c.gateway.models.size(), 1u);
  EXPECT_EQ(c.gateway.models[0].alias, "mock");
  EXPECT_EQ(c.gateway.models[0].deployments[0].provider, "mock");
  EXPECT_EQ(c.gateway.default_provider, "mock");
}

TEST(ProviderDiscovery, StagingAndProdNeverGetTheMock) {
  for (Profile profile : {Profile::staging, Profile::prod}) {
    const Config c = discovered({}, profile);
    EXPECT_TRUE(c.gateway.providers.empty()) << to_string(profile);
    EXPECT_TRUE(c.gateway.models.empty()) << to_string(profile);
    EXPECT_EQ(c.gateway.default_provider, "");
  }
}

TEST(ProviderDiscovery, OpenAiBaseUrlWithoutKeyIsAKeylessProvider) {
  const Config c = discovered({{"OPENAI_BASE_URL", "http://127.0.0.1:8000/v1"}}, Profile::prod);
  ASSERT_EQ(c.gateway.providers.size(), 1u);
  const ProviderConfig& p = c.gateway.providers[0];
  EXPECT_EQ(p.name, "openai");
  EXPECT_EQ(p.type, "openai");
  EXPECT_EQ(p.base_url, "http://127.0.0.1:8000/v1");
  EXPECT_EQ(p.api_key, "");
  EXPECT_TRUE(c.secret_sources.empty());
  EXPECT_TRUE(c.gateway.models.empty()) << "no mock alias next to a real provider";
  EXPECT_EQ(c.gateway.default_provider, "openai");
}

TEST(ProviderDiscovery, OpenAiKeyUsesTheOfficialUrlAndRecordsWhereTheKeyCameFrom) {
  const Config c = discovered({{"OPENAI_API_KEY", "sk-1"}});
  ASSERT_EQ(c.gateway.providers.size(), 1u);
  EXPECT_EQ(c.gateway.providers[0].base_url, "https://api.openai.com/v1");
  EXPECT_EQ(c.gateway.providers[0].api_key, "sk-1");
  const auto source = c.secret_sources.find("gateway.providers.0.api_key");
  ASSERT_NE(source, c.secret_sources.end());
  EXPECT_EQ(source->second.kind, SecretSource::Kind::env_var);
  EXPECT_EQ(source->second.ref, "OPENAI_API_KEY");
}

TEST(ProviderDiscovery, AnthropicBaseUrlIsHonouredWithOrWithoutKey) {
  const Config keyless = discovered({{"ANTHROPIC_BASE_URL", "http://127.0.0.1:9/"}});
  ASSERT_EQ(keyless.gateway.providers.size(), 1u);
  EXPECT_EQ(keyless.gateway.providers[0].type, "anthropic");
  EXPECT_EQ(keyless.gateway.providers[0].base_url, "http://127.0.0.1:9/");
  EXPECT_EQ(keyless.gateway.providers[0].api_key, "");

  const Config keyed =
      discovered({{"ANTHROPIC_API_KEY", "sk-ant"}, {"ANTHROPIC_BASE_URL", "http://proxy:1"}});
  ASSERT_EQ(keyed.gateway.providers.size(), 1u);
  EXPECT_EQ(keyed.gateway.providers[0].base_url, "http://proxy:1");
  EXPECT_EQ(keyed.gateway.providers[0].api_key, "sk-ant");

  const Config official = discovered({{"ANTHROPIC_API_KEY", "sk-ant"}});
  EXPECT_EQ(official.gateway.providers[0].base_url, "https://api.anthropic.com");
}

TEST(ProviderDiscovery, GroqGeminiAndOllamaUseTheirOpenAiCompatibleEndpoints) {
  const Config c =
      discovered({{"GROQ_API_KEY", "gsk"}, {"GEMINI_API_KEY", "gem"}, {"OLLAMA_HOST", "gpu-box"}});
  ASSERT_EQ(c.gateway.providers.size(), 3u);
  EXPECT_EQ(c.gateway.providers[0].name, "groq");
  EXPECT_EQ(c.gateway.providers[0].base_url, "https://api.groq.com/openai/v1");
  EXPECT_EQ(c.gateway.providers[1].name, "gemini");
  EXPECT_EQ(c.gateway.providers[1].base_url,
            "https://generativelanguage.googleapis.com/v1beta/openai");
  EXPECT_EQ(c.gateway.providers[1].api_key, "gem");
  EXPECT_EQ(c.gateway.providers[2].name, "ollama");
  EXPECT_EQ(c.gateway.providers[2].base_url, "http://gpu-box:11434/v1");
  EXPECT_EQ(c.gateway.providers[2].api_key, "");
  for (const ProviderConfig& p : c.gateway.providers) EXPECT_EQ(p.type, "openai") << p.name;
  EXPECT_EQ(c.gateway.default_provider, "groq");
  EXPECT_EQ(c.secret_sources.at("gateway.providers.1.api_key").ref, "GEMINI_API_KEY");
}

TEST(ProviderDiscovery, AzureFromTheVariablesTheOfficialSdkReads) {
  const Config c = discovered({{"AZURE_OPENAI_API_KEY", "az-key"},
                               {"AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com/"},
                               {"OPENAI_API_VERSION", "2025-04-01-preview"}});
  ASSERT_EQ(c.gateway.providers.size(), 1u);
  const ProviderConfig& p = c.gateway.providers[0];
  EXPECT_EQ(p.name, "azure");
  EXPECT_EQ(p.type, "azure");
  EXPECT_EQ(p.base_url, "https://res.openai.azure.com/");
  EXPECT_EQ(p.api_key, "az-key");
  EXPECT_EQ(p.api_version, "2025-04-01-preview");
  EXPECT_EQ(c.secret_sources.at("gateway.providers.0.api_key").ref, "AZURE_OPENAI_API_KEY");
  EXPECT_EQ(c.gateway.default_provider, "azure");
  // Without OPENAI_API_VERSION the provider's default applies.
  EXPECT_EQ(discovered({{"AZURE_OPENAI_API_KEY", "k"}, {"AZURE_OPENAI_ENDPOINT", "https://r"}})
                .gateway.providers.at(0)
                .api_version,
            "");
}

TEST(ProviderDiscovery, AzureComesAfterOpenAiAndAnthropic) {
  const Config c = discovered({{"AZURE_OPENAI_API_KEY", "k"},
                               {"AZURE_OPENAI_ENDPOINT", "https://r"},
                               {"ANTHROPIC_API_KEY", "a"},
                               {"OPENAI_API_KEY", "o"}});
  ASSERT_EQ(c.gateway.providers.size(), 3u);
  EXPECT_EQ(c.gateway.providers[0].name, "openai");
  EXPECT_EQ(c.gateway.providers[1].name, "anthropic");
  EXPECT_EQ(c.gateway.providers[2].name, "azure");
}

TEST(ProviderDiscovery, OpenAiOrganizationAndProjectBecomeHeaders) {
  const Config c = discovered(
      {{"OPENAI_API_KEY", "sk"}, {"OPENAI_ORG_ID", "org-1"}, {"OPENAI_PROJECT_ID", "proj_2"}});
  const ProviderConfig& p = c.gateway.providers.at(0);
  EXPECT_EQ(p.headers.at("OpenAI-Organization"), "org-1");
  EXPECT_EQ(p.headers.at("OpenAI-Project"), "proj_2");
  EXPECT_EQ(c.secret_sources.at("gateway.providers.0.headers.OpenAI-Organization").ref,
            "OPENAI_ORG_ID");
  // Only the OpenAI provider: Groq and the others have no such headers.
  const Config groq = discovered({{"GROQ_API_KEY", "g"}, {"OPENAI_ORG_ID", "org-1"}});
  EXPECT_TRUE(groq.gateway.providers.at(0).headers.empty());
}

TEST(ProviderDiscovery, OllamaHostForms) {
  const std::pair<const char*, const char*> cases[] = {
      {"127.0.0.1:11500", "http://127.0.0.1:11500/v1"},
      {"http://ollama:11434/", "http://ollama:11434/v1"},
      {"https://ollama.example", "https://ollama.example:11434/v1"},
      {"[::1]", "http://[::1]:11434/v1"},
      {"[::1]:8080", "http://[::1]:8080/v1"}};
  for (const auto& [host, url] : cases)
    EXPECT_EQ(discovered({{"OLLAMA_HOST", host}}).gateway.providers.at(0).base_url, url) << host;
}

TEST(ProviderDiscovery, TheFileWinsOverTheEnvironment) {
  Config c;
  c.gateway.providers.push_back(ProviderConfig{.name = "mine", .base_url = "http://x/v1"});
  discover_providers(c, {{"OPENAI_API_KEY", "sk"}, {"OLLAMA_HOST", "h"}});
  ASSERT_EQ(c.gateway.providers.size(), 1u);
  EXPECT_EQ(c.gateway.providers[0].name, "mine");
}

TEST(ProviderDiscovery, WarningOnlyWhenAMockServes) {
  EXPECT_EQ(fake_answers_warning(discovered({{"OPENAI_BASE_URL", "http://h/v1"}}).gateway), "");
  const std::string alone = fake_answers_warning(discovered({}).gateway);
  EXPECT_TRUE(contains(alone, "serving fake answers from the built-in mock provider")) << alone;
  EXPECT_TRUE(contains(alone, "OPENAI_BASE_URL")) << alone;
  EXPECT_TRUE(contains(alone, "gateway.providers")) << alone;
  EXPECT_EQ(alone.find('\n'), std::string::npos) << "one line";

  GatewayConfig mixed = discovered({{"OPENAI_API_KEY", "sk"}}).gateway;
  mixed.providers.push_back(ProviderConfig{.name = "fake", .type = "mock"});
  EXPECT_TRUE(contains(fake_answers_warning(mixed), "'fake'")) << fake_answers_warning(mixed);
}

// ----- through the loader --------------------------------------------------------------------

TEST_F(ProviderDiscoveryTest, StagingAndProdRefuseToStartWithoutARealProvider) {
  for (const char* profile : {"staging", "prod"}) {
    auto r = load("", {{"SLUICE_ENV", profile}, {"SLUICE_AUTH__API_KEYS__0__KEY", "k"}});
    EXPECT_ERROR_AT(r, "gateway.providers", "refuses to start without a real provider");
    EXPECT_ERROR_AT(r, "gateway.providers", "OPENAI_BASE_URL");
    EXPECT_ERROR_AT(r, "gateway.providers", "api_key: ${OPENAI_API_KEY}");
  }
  auto only_mock =
      load("gateway:\n  providers:\n    - {name: m, type: mock}\n", {{"SLUICE_ENV", "staging"}});
  EXPECT_ERROR_AT(only_mock, "gateway.providers", "fake answers");
}

TEST_F(ProviderDiscoveryTest, ProdStartsWithAKeylessProviderFromTheEnvironment) {
  auto r = load("", {{"SLUICE_ENV", "prod"},
                     {"SLUICE_AUTH__API_KEYS__0__KEY", "k"},
                     {"OPENAI_BASE_URL", "http://127.0.0.1:8000/v1"}});
  ASSERT_LOADS(r);
  EXPECT_EQ(r->gateway.providers.at(0).base_url, "http://127.0.0.1:8000/v1");
}

TEST_F(ProviderDiscoveryTest, ErrorsNameTheVariableAValueCameFrom) {
  auto r = load("", {{"OPENAI_BASE_URL", "localhost:8000/v1"}});
  EXPECT_ERROR_AT(r, "gateway.providers.0.base_url", "(from env OPENAI_BASE_URL)");
  auto anthropic = load("", {{"ANTHROPIC_BASE_URL", "api.example"}});
  EXPECT_ERROR_AT(anthropic, "gateway.providers.0.base_url", "(from env ANTHROPIC_BASE_URL)");
}

TEST_F(ProviderDiscoveryTest, AzureKeyWithoutEndpointSaysWhichVariableIsMissing) {
  auto r = load("", {{"AZURE_OPENAI_API_KEY", "k"}});
  EXPECT_ERROR_AT(r, "gateway.providers.0.base_url",
                  "(from env AZURE_OPENAI_API_KEY without AZURE_OPENAI_ENDPOINT)");
}

TEST_F(ProviderDiscoveryTest, DiscoveredHeadersPrintAsTheirVariablesAndLoadBack) {
  const std::map<std::string, std::string> env = {{"OPENAI_API_KEY", "sk-env"},
                                                  {"OPENAI_ORG_ID", "org-env-value"}};
  auto first = load("", env);
  ASSERT_LOADS(first);
  const std::string text = render_effective_config(*first);
  EXPECT_TRUE(contains(text, "OpenAI-Organization: ${OPENAI_ORG_ID}")) << text;
  EXPECT_FALSE(contains(text, "org-env-value")) << text;
  auto second = load(text, env);
  ASSERT_LOADS(second);
  EXPECT_TRUE(*first == *second) << text;
}

TEST_F(ProviderDiscoveryTest, DiscoveredHeaderValuesAreValidated) {
  auto r = load("", {{"OPENAI_API_KEY", "sk"}, {"OPENAI_PROJECT_ID", "p\nX-Evil: 1"}});
  EXPECT_ERROR_AT(r, "gateway.providers.0.headers.OpenAI-Project",
                  "line break or control character");
}

TEST_F(ProviderDiscoveryTest, DevWithAnExplicitMockKeepsItAndAddsNothing) {
  auto r =
      load("gateway:\n  providers:\n    - {name: fake, type: mock}\n", {{"OPENAI_API_KEY", "sk"}});
  ASSERT_LOADS(r);
  ASSERT_EQ(r->gateway.providers.size(), 1u);
  EXPECT_EQ(r->gateway.providers[0].name, "fake");
}

}  // namespace
}  // namespace sluice::core
