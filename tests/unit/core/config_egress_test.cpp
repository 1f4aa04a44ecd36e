// The egress_proxy section: the standard variables as defaults (lower case first), the keys and
// a provider's override winning over them, each upstream's route, and errors naming the key or
// the variable without showing a password.

#include <gtest/gtest.h>

#include "config_fixture.hpp"
#include "core/config.hpp"
#include "core/egress_route.hpp"

namespace sluice::core {
namespace {

using ConfigEgressTest = testing::ConfigFileTest;
using testing::contains;
using testing::describe;
using testing::error_at;

constexpr const char* kProviders = R"(
gateway:
  providers:
    - { name: cloud, type: openai, base_url: "https://api.example.com/v1", api_key: k }
    - { name: local, type: openai, base_url: "http://10.1.2.3:11434/v1" }
    - { name: wiki, type: openai, base_url: "https://llm.corp.example/v1", api_key: k }
)";

std::string proxy_of(const EgressRoute& route) {
  return route.proxy ? route.proxy->authority() : "direct";
}

TEST_F(ConfigEgressTest, NothingSetMeansDirect) {
  auto r = load(kProviders);
  ASSERT_LOADS(r);
  for (const ProviderConfig& p : r->gateway.providers) {
    EXPECT_FALSE(p.egress.proxy) << p.name;
    EXPECT_EQ(p.egress.decided_by, kNoEgressProxy);
  }
}

TEST_F(ConfigEgressTest, VariablesRouteEachSchemeAndNoProxyExempts) {
  auto r = load(kProviders, {{"HTTPS_PROXY", "http://secure-proxy:3128"},
                             {"HTTP_PROXY", "plain-proxy:8080"},
                             {"NO_PROXY", ".corp.example"}});
  ASSERT_LOADS(r);
  const auto& p = r->gateway.providers;
  EXPECT_EQ(proxy_of(p[0].egress), "secure-proxy:3128");
  EXPECT_EQ(p[0].egress.decided_by, "HTTPS_PROXY");
  EXPECT_EQ(proxy_of(p[1].egress), "plain-proxy:8080");
  EXPECT_EQ(p[1].egress.decided_by, "HTTP_PROXY");
  EXPECT_EQ(proxy_of(p[2].egress), "direct");
  EXPECT_EQ(p[2].egress.decided_by, "NO_PROXY entry .corp.example");
}

TEST_F(ConfigEgressTest, LowerCaseVariablesWin) {
  auto r = load(kProviders, {{"HTTPS_PROXY", "http://upper:1"},
                             {"https_proxy", "http://lower:2"},
                             {"NO_PROXY", "api.example.com"},
                             {"no_proxy", "other.test"}});
  ASSERT_LOADS(r);
  EXPECT_EQ(proxy_of(r->gateway.providers[0].egress), "lower:2");
  EXPECT_EQ(r->gateway.providers[0].egress.decided_by, "https_proxy");
}

TEST_F(ConfigEgressTest, KeysWinOverTheVariables) {
  auto r = load(std::string(kProviders) + R"(
egress_proxy:
  url: http://corp-proxy:3128
  no_proxy: [10.0.0.0/8]
)",
                {{"HTTPS_PROXY", "http://env-proxy:1"}, {"NO_PROXY", "api.example.com"}});
  ASSERT_LOADS(r);
  const auto& p = r->gateway.providers;
  EXPECT_EQ(proxy_of(p[0].egress), "corp-proxy:3128");
  EXPECT_EQ(p[0].egress.decided_by, "egress_proxy.url");
  EXPECT_EQ(proxy_of(p[1].egress), "direct");  // 10.1.2.3 is in the key's range
  EXPECT_EQ(p[1].egress.decided_by, "egress_proxy.no_proxy entry 10.0.0.0/8");
  EXPECT_EQ(proxy_of(p[2].egress), "corp-proxy:3128");
}

TEST_F(ConfigEgressTest, NoneIgnoresTheVariablesAndAnEmptyListLeavesNoProxyInEffect) {
  auto none = load(std::string(kProviders) + "egress_proxy: {url: none}\n",
                   {{"HTTPS_PROXY", "http://env-proxy:1"}});
  ASSERT_LOADS(none);
  EXPECT_EQ(proxy_of(none->gateway.providers[0].egress), "direct");
  EXPECT_EQ(none->gateway.providers[0].egress.decided_by, "egress_proxy.url: none");

  // As the printed configuration shows an unset key: it must load back to the same routes.
  auto empty = load(std::string(kProviders) + "egress_proxy: {url: \"\", no_proxy: []}\n",
                    {{"HTTPS_PROXY", "http://env-proxy:1"}, {"NO_PROXY", "api.example.com"}});
  ASSERT_LOADS(empty);
  EXPECT_EQ(proxy_of(empty->gateway.providers[0].egress), "direct");
  EXPECT_EQ(proxy_of(empty->gateway.providers[2].egress), "env-proxy:1");
}

TEST_F(ConfigEgressTest, ThePrintedConfigurationLoadsBackEqual) {
  const std::map<std::string, std::string> env = {{"HTTPS_PROXY", "http://env-proxy:1"},
                                                  {"NO_PROXY", ".corp.example"}};
  for (const std::string& section :
       {std::string(),
        std::string("egress_proxy: {url: \"http://p:3128\", no_proxy: [a.test]}\n")}) {
    // Without inline secrets, which print as <redacted>.
    auto first = load(R"(
gateway:
  providers:
    - { name: cloud, type: openai, base_url: "https://api.example.com/v1" }
    - { name: wiki, type: openai, base_url: "https://llm.corp.example/v1" }
)" + section,
                      env);
    ASSERT_LOADS(first);
    auto second = load(render_effective_config(*first), env);
    ASSERT_LOADS(second);
    EXPECT_TRUE(*first == *second) << render_effective_config(*first);
  }
}

TEST_F(ConfigEgressTest, AProvidersOwnSettingWinsOverEverything) {
  auto r = load(R"(
egress_proxy: {url: "http://corp-proxy:3128", no_proxy: ["*"]}
gateway:
  providers:
    - { name: a, type: openai, base_url: "https://a.test/v1", egress_proxy: "http://team-proxy:8080" }
    - { name: b, type: openai, base_url: "https://b.test/v1", egress_proxy: none }
)",
                {{"HTTPS_PROXY", "http://env-proxy:1"}});
  ASSERT_LOADS(r);
  const auto& p = r->gateway.providers;
  EXPECT_EQ(proxy_of(p[0].egress), "team-proxy:8080");  // no_proxy does not apply to it
  EXPECT_EQ(p[0].egress.decided_by, "gateway.providers.0.egress_proxy");
  EXPECT_EQ(proxy_of(p[1].egress), "direct");
  EXPECT_EQ(p[1].egress.decided_by, "gateway.providers.1.egress_proxy: none");
}

TEST_F(ConfigEgressTest, PasswordFileJoinsTheUrlsUserAndIsNeverPrinted) {
  const std::string secret = write("proxy-password", "s3cr3t\n");
  auto r = load(std::string(kProviders) +
                "egress_proxy:\n  url: http://svc@corp-proxy:3128\n"
                "  password_file: " +
                secret + "\n");
  ASSERT_LOADS(r);
  const auto& proxy = r->gateway.providers[0].egress.proxy;
  ASSERT_TRUE(proxy);
  EXPECT_EQ(proxy->user, "svc");
  EXPECT_EQ(proxy->password, "s3cr3t");
  const std::string printed = render_effective_config(*r);
  EXPECT_FALSE(contains(printed, "s3cr3t")) << printed;
  EXPECT_TRUE(contains(printed, "password_file: " + secret)) << printed;
}

TEST_F(ConfigEgressTest, APasswordInTheUrlIsRedactedWhenPrinted) {
  auto r = load(std::string(kProviders) + "egress_proxy: {url: \"http://svc:hunter2@p:3128\"}\n");
  ASSERT_LOADS(r);
  EXPECT_EQ(r->gateway.providers[0].egress.proxy->password, "hunter2");
  const std::string printed = render_effective_config(*r);
  EXPECT_FALSE(contains(printed, "hunter2")) << printed;
  EXPECT_TRUE(contains(printed, "http://svc:<redacted>@p:3128")) << printed;
}

TEST_F(ConfigEgressTest, TraceExportsFollowTheSameRules) {
  auto r = load("tracing: {endpoint: \"https://otlp.vendor.test\"}\n",
                {{"HTTPS_PROXY", "http://corp-proxy:3128"}});
  ASSERT_LOADS(r);
  EXPECT_EQ(proxy_of(r->tracing.egress), "corp-proxy:3128");
  auto exempt = load("tracing: {endpoint: \"http://collector:4318\"}\n",
                     {{"HTTP_PROXY", "http://corp-proxy:3128"}, {"no_proxy", "collector"}});
  ASSERT_LOADS(exempt);
  EXPECT_EQ(proxy_of(exempt->tracing.egress), "direct");
}

TEST_F(ConfigEgressTest, BadKeysAreReportedByPathWithoutThePassword) {
  auto r = load(std::string(kProviders) + R"(
egress_proxy:
  url: "https://svc:hunter2@corp-proxy:3128"
  no_proxy: [good.test, "10.*"]
)");
  EXPECT_ERROR_AT(r, "egress_proxy.url", "TLS to the proxy");
  EXPECT_ERROR_AT(r, "egress_proxy.no_proxy.1", "'10.*'");
  EXPECT_FALSE(contains(describe(r.error()), "hunter2")) << describe(r.error());
}

TEST_F(ConfigEgressTest, BadVariablesAreReportedByName) {
  auto r = load(kProviders, {{"https_proxy", "socks5://user:hunter2@p:1080"},
                             {"HTTP_PROXY", "http://p:0"},
                             {"NO_PROXY", "ok.test,<local>"}});
  EXPECT_ERROR_AT(r, "https_proxy", "SOCKS");
  EXPECT_ERROR_AT(r, "HTTP_PROXY", "port");
  EXPECT_ERROR_AT(r, "NO_PROXY", "'<local>'");
  EXPECT_FALSE(contains(describe(r.error()), "hunter2")) << describe(r.error());
}

TEST_F(ConfigEgressTest, AProviderOverrideIsChecked) {
  auto r = load(R"(
gateway:
  providers:
    - { name: a, type: openai, base_url: "https://a.test/v1", egress_proxy: "http://proxy:99999" }
)");
  EXPECT_ERROR_AT(r, "gateway.providers.0.egress_proxy", "port");
}

TEST_F(ConfigEgressTest, AKeySpellsItsSchemeSoThatItsPasswordIsRedactedWhenPrinted) {
  auto r = load(std::string(kProviders) + "egress_proxy: {url: \"u:hunter2@proxy:3128\"}\n");
  EXPECT_ERROR_AT(r, "egress_proxy.url", "has no scheme");
  EXPECT_FALSE(contains(describe(r.error()), "hunter2")) << describe(r.error());
  auto variable = load(kProviders, {{"HTTPS_PROXY", "u:hunter2@proxy:3128"}});
  ASSERT_LOADS(variable);
  EXPECT_EQ(variable->gateway.providers[0].egress.proxy->password, "hunter2");
}

TEST_F(ConfigEgressTest, PasswordNeedsAProxyWithAUserAndNoOtherPassword) {
  auto no_proxy = load("egress_proxy: {password: x}\n");
  EXPECT_ERROR_AT(no_proxy, "egress_proxy.password", "no egress proxy");
  auto no_user = load("egress_proxy: {password: x}\n", {{"HTTPS_PROXY", "http://p:3128"}});
  EXPECT_ERROR_AT(no_user, "HTTPS_PROXY", "no user name");
  auto both = load("egress_proxy: {url: \"http://u:y@p:3128\", password: x}\n");
  EXPECT_ERROR_AT(both, "egress_proxy.password", "carries a password too");
}

TEST_F(ConfigEgressTest, EnvironmentOverrideOfTheKeyWorks) {
  auto r = load(kProviders, {{"SLUICE_EGRESS_PROXY__URL", "http://from-sluice-env:3128"},
                             {"SLUICE_EGRESS_PROXY__NO_PROXY", "api.example.com, .corp.example"},
                             {"HTTPS_PROXY", "http://ignored:1"}});
  ASSERT_LOADS(r);
  EXPECT_EQ(proxy_of(r->gateway.providers[0].egress), "direct");
  EXPECT_EQ(proxy_of(r->gateway.providers[1].egress), "from-sluice-env:3128");
}

TEST(EgressRouteTest, RedactsWhateverIsBeforeTheLastAt) {
  EXPECT_EQ(redact_proxy_text("http://u:p@h:1"), "http://<redacted>@h:1");
  EXPECT_EQ(redact_proxy_text("u:p@h:1"), "<redacted>@h:1");
  EXPECT_EQ(redact_proxy_text("h:1"), "h:1");
}

}  // namespace
}  // namespace sluice::core
