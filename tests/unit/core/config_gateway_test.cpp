// Validation of the gateway section: every problem names its key path and a fix.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config_fixture.hpp"
#include "core/config.hpp"

namespace sluice::core {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

using ConfigGatewayTest = testing::ConfigFileTest;
using testing::contains;
using testing::describe;
using testing::error_at;

// Every error must come with a fix.
#define EXPECT_ALL_HAVE_FIXES(result)                                                          \
  do {                                                                                         \
    ASSERT_FALSE((result).ok());                                                               \
    for (const ConfigError& e : (result).error()) EXPECT_FALSE(e.fix.empty()) << to_string(e); \
  } while (0)

// Two providers and two aliases; each test appends or replaces one piece.
const std::string kProviders = R"(
gateway:
  providers:
    - name: openai
      type: openai
      base_url: https://api.openai.com/v1
    - name: local
      type: mock
)";

const std::string kModels = R"(
  models:
    - alias: fast
      deployments:
        - {provider: openai, model: gpt-4o-mini}
    - alias: smart
      deployments:
        - {provider: openai, model: gpt-4o}
)";

// ----- a valid configuration -----------------------------------------------------------------

TEST_F(ConfigGatewayTest, FullValidGatewayLoads) {
  auto r = load(R"(
gateway:
  providers:
    - name: openai
      type: openai
      base_url: https://api.openai.com/v1
      connect_timeout: 2s
    - name: claude
      type: anthropic
      base_url: http://localhost:9000/v1
    - name: local
      type: mock
      mock_error_rate: 1
      mock_error_status: 429
      mock_chunks: 1
  models:
    - alias: fast
      strategy: least_outstanding
      deployments:
        - {provider: openai, model: gpt-4o-mini, weight: 0}
        - {provider: local, model: mock-1, priority: 1}
      fallbacks: [smart]
    - alias: smart
      strategy: lowest_latency
      deployments:
        - {provider: claude, model: claude-sonnet-4}
      fallbacks: [fast]
  prices:
    - {model: mock-1, input_per_million: 0, output_per_million: 0}
    - {model: gpt-4o-mini, input_per_million: 0.15, output_per_million: 0.6}
  retry: {max_attempts: 10, base_backoff: 2s, max_backoff: 2s, budget: 0}
  circuit_breaker: {failure_threshold: 1, cooldown: 1ms, half_open_requests: 1}
  default_provider: openai
)");
  ASSERT_LOADS(r);
  const GatewayConfig& g = r->gateway;
  ASSERT_EQ(g.providers.size(), 3u);
  EXPECT_EQ(g.providers[0].connect_timeout, milliseconds{2'000});
  ASSERT_EQ(g.models.size(), 2u);
  EXPECT_EQ(g.models[0].deployments[1].priority, 1);
  EXPECT_EQ(g.models[1].fallbacks, std::vector<std::string>{"fast"});
  EXPECT_EQ(g.retry.budget, milliseconds{0});
  EXPECT_EQ(g.default_provider, "openai");
}

TEST_F(ConfigGatewayTest, DefaultsAreValid) {
  auto r = load(kProviders + kModels);
  ASSERT_LOADS(r);
}

// ----- providers -----------------------------------------------------------------------------

TEST_F(ConfigGatewayTest, ProviderNameMustNotBeEmpty) {
  auto r = load(R"(
gateway:
  providers:
    - type: mock
)");
  EXPECT_ERROR_AT(r, "gateway.providers.0.name", "must not be empty");
  EXPECT_ALL_HAVE_FIXES(r);
}

TEST_F(ConfigGatewayTest, ProviderNamesMustBeUnique) {
  auto r = load(R"(
gateway:
  providers:
    - {name: a, type: mock}
    - {name: b, type: mock}
    - {name: a, type: mock}
)");
  EXPECT_ERROR_AT(r, "gateway.providers.2.name", "also the name of gateway.providers.0");
  EXPECT_EQ(error_at(r.error(), "gateway.providers.0.name"), nullptr);
  EXPECT_ALL_HAVE_FIXES(r);
}

TEST_F(ConfigGatewayTest, ProviderNameCannotContainSlash) {
  auto r = load(R"(
gateway:
  providers:
    - {name: openai/eu, type: mock}
)");
  EXPECT_ERROR_AT(r, "gateway.providers.0.name", "contains '/'");
}

TEST_F(ConfigGatewayTest, ProviderTypeMustBeKnown) {
  auto r = load(R"(
gateway:
  providers:
    - {name: g, type: gemini, base_url: https://example.com}
)");
  EXPECT_ERROR_AT(r, "gateway.providers.0.type", "unknown provider type 'gemini'");
  EXPECT_ERROR_AT(r, "gateway.providers.0.type", "use openai (any OpenAI-compatible API)");
}

TEST_F(ConfigGatewayTest, BaseUrlIsRequiredForRemoteProviders) {
  auto r = load(R"(
gateway:
  providers:
    - {name: o, type: openai}
    - {name: a, type: anthropic}
    - {name: m, type: mock}
)");
  EXPECT_ERROR_AT(r, "gateway.providers.0.base_url", "is required for type openai");
  EXPECT_ERROR_AT(r, "gateway.providers.0.base_url", "https://api.openai.com/v1");
  EXPECT_ERROR_AT(r, "gateway.providers.1.base_url", "is required for type anthropic");
  EXPECT_EQ(error_at(r.error(), "gateway.providers.2.base_url"), nullptr);
}

TEST_F(ConfigGatewayTest, BaseUrlMustBeHttp) {
  auto r = load(R"(
gateway:
  providers:
    - {name: o, type: openai, base_url: api.openai.com/v1}
    - {name: a, type: anthropic, base_url: "ftp://x"}
    - {name: p, type: openai, base_url: "http://localhost:8000/v1"}
)");
  EXPECT_ERROR_AT(r, "gateway.providers.0.base_url", "must start with http:// or https://");
  EXPECT_ERROR_AT(r, "gateway.providers.1.base_url", "'ftp://x'");
  EXPECT_EQ(error_at(r.error(), "gateway.providers.2.base_url"), nullptr);
}

TEST_F(ConfigGatewayTest, ProviderTimeoutsMustBePositive) {
  auto r = load(R"(
gateway:
  providers:
    - name: m
      type: mock
      connect_timeout: 0s
      first_byte_timeout: 0
      idle_timeout: 0ms
      total_timeout: 0s
)");
  for (const char* key :
       {"connect_timeout", "first_byte_timeout", "idle_timeout", "total_timeout"}) {
    EXPECT_ERROR_AT(r, std::string("gateway.providers.0.") + key, "must be greater than 0");
  }
  EXPECT_ALL_HAVE_FIXES(r);
}

TEST_F(ConfigGatewayTest, MockErrorRateIsAProbability) {
  auto r = load(R"(
gateway:
  providers:
    - {name: a, type: mock, mock_error_rate: 1.5}
    - {name: b, type: mock, mock_error_rate: -0.1}
    - {name: c, type: mock, mock_error_rate: 0}
)");
  EXPECT_ERROR_AT(r, "gateway.providers.0.mock_error_rate", "between 0 and 1, got 1.5");
  EXPECT_ERROR_AT(r, "gateway.providers.1.mock_error_rate", "got -0.1");
  EXPECT_EQ(error_at(r.error(), "gateway.providers.2.mock_error_rate"), nullptr);
}

TEST_F(ConfigGatewayTest, MockErrorStatusIsAnErrorStatus) {
  auto r = load(R"(
gateway:
  providers:
    - {name: a, type: mock, mock_error_status: 399}
    - {name: b, type: mock, mock_error_status: 600}
    - {name: c, type: mock, mock_error_status: 400}
    - {name: d, type: mock, mock_error_status: 599}
)");
  EXPECT_ERROR_AT(r, "gateway.providers.0.mock_error_status", "between 400 and 599, got 399");
  EXPECT_ERROR_AT(r, "gateway.providers.1.mock_error_status", "got 600");
  EXPECT_EQ(r.error().size(), 2u) << describe(r.error());
}

TEST_F(ConfigGatewayTest, MockChunksAtLeastOne) {
  auto r = load(R"(
gateway:
  providers:
    - {name: a, type: mock, mock_chunks: 0}
)");
  EXPECT_ERROR_AT(r, "gateway.providers.0.mock_chunks", "must be at least 1, got 0");
}

// ----- model aliases -------------------------------------------------------------------------

TEST_F(ConfigGatewayTest, AliasMustNotBeEmpty) {
  auto r = load(kProviders + R"(
  models:
    - deployments: [{provider: openai, model: gpt-4o}]
)");
  EXPECT_ERROR_AT(r, "gateway.models.0.alias", "must not be empty");
  EXPECT_ALL_HAVE_FIXES(r);
}

TEST_F(ConfigGatewayTest, AliasesMustBeUnique) {
  auto r = load(kProviders + R"(
  models:
    - {alias: x, deployments: [{provider: openai, model: a}]}
    - {alias: x, deployments: [{provider: local, model: b}]}
)");
  EXPECT_ERROR_AT(r, "gateway.models.1.alias", "also the alias of gateway.models.0");
}

TEST_F(ConfigGatewayTest, StrategyMustBeKnown) {
  auto r = load(kProviders + R"(
  models:
    - {alias: x, strategy: round_robin, deployments: [{provider: openai, model: a}]}
)");
  EXPECT_ERROR_AT(r, "gateway.models.0.strategy", "unknown strategy 'round_robin'");
  EXPECT_ERROR_AT(r, "gateway.models.0.strategy",
                  "use weighted, least_outstanding or lowest_latency");
}

TEST_F(ConfigGatewayTest, AliasNeedsADeployment) {
  auto r = load(kProviders + R"(
  models:
    - {alias: x}
    - {alias: y, deployments: []}
)");
  EXPECT_ERROR_AT(r, "gateway.models.0.deployments", "at least one deployment");
  EXPECT_ERROR_AT(r, "gateway.models.1.deployments", "at least one deployment");
}

TEST_F(ConfigGatewayTest, DeploymentProviderMustBeConfigured) {
  auto r = load(kProviders + R"(
  models:
    - alias: x
      deployments:
        - {provider: openai, model: a}
        - {provider: azure, model: b}
        - {model: c}
)");
  EXPECT_EQ(error_at(r.error(), "gateway.models.0.deployments.0.provider"), nullptr);
  EXPECT_ERROR_AT(r, "gateway.models.0.deployments.1.provider",
                  "'azure' is not a configured provider");
  EXPECT_ERROR_AT(r, "gateway.models.0.deployments.1.provider", "use 'openai' or 'local'");
  EXPECT_ERROR_AT(r, "gateway.models.0.deployments.2.provider", "must not be empty");
}

TEST_F(ConfigGatewayTest, DeploymentModelMustNotBeEmpty) {
  auto r = load(kProviders + R"(
  models:
    - {alias: x, deployments: [{provider: openai}]}
)");
  EXPECT_ERROR_AT(r, "gateway.models.0.deployments.0.model", "must not be empty");
}

TEST_F(ConfigGatewayTest, DeploymentWeightMustNotBeNegative) {
  auto r = load(kProviders + R"(
  models:
    - alias: x
      deployments:
        - {provider: openai, model: a, weight: -1}
        - {provider: openai, model: b, weight: 0}
)");
  EXPECT_ERROR_AT(r, "gateway.models.0.deployments.0.weight", "must not be negative, got -1");
  EXPECT_EQ(error_at(r.error(), "gateway.models.0.deployments.1.weight"), nullptr);
}

TEST_F(ConfigGatewayTest, FallbacksMustNameOtherAliases) {
  auto r = load(kProviders + R"(
  models:
    - alias: fast
      deployments: [{provider: openai, model: a}]
      fallbacks: [smart, fast, nope]
    - alias: smart
      deployments: [{provider: openai, model: b}]
)");
  EXPECT_EQ(error_at(r.error(), "gateway.models.0.fallbacks.0"), nullptr);
  EXPECT_ERROR_AT(r, "gateway.models.0.fallbacks.1", "'fast' is this alias itself");
  EXPECT_ERROR_AT(r, "gateway.models.0.fallbacks.2", "'nope' is not a configured model alias");
  EXPECT_ERROR_AT(r, "gateway.models.0.fallbacks.2", "use 'fast' or 'smart'");
  EXPECT_ALL_HAVE_FIXES(r);
}

// ----- canaries ------------------------------------------------------------------------------

TEST_F(ConfigGatewayTest, CanaryLoads) {
  auto r = load(kProviders + R"(
  models:
    - alias: chat
      deployments: [{provider: openai, model: gpt-4o}]
      canary:
        alias: chat-v2
        weight: 0.1
        rollback: {metric: p99_latency, threshold: 2500ms, window: 10m, min_requests: 20}
    - alias: chat-v2
      deployments: [{provider: openai, model: gpt-4.1}]
)");
  ASSERT_TRUE(r.ok()) << describe(r.error());
  const CanaryConfig& c = r->gateway.models[0].canary;
  EXPECT_EQ(c.alias, "chat-v2");
  EXPECT_DOUBLE_EQ(c.weight, 0.1);
  EXPECT_EQ(c.rollback.metric, "p99_latency");
  EXPECT_EQ(canary_threshold(c.rollback), 2.5);
  EXPECT_EQ(c.rollback.window, milliseconds(600'000));
  EXPECT_EQ(c.rollback.min_requests, 20);
  EXPECT_EQ(r->gateway.models[1].canary, CanaryConfig{}) << "no canary";
}

TEST_F(ConfigGatewayTest, CanaryErrorsNameTheirKeys) {
  auto r = load(kProviders + R"(
  models:
    - alias: a
      deployments: [{provider: openai, model: x}]
      canary: {alias: nope, weight: 1.5, rollback: {metric: error_rate, threshold: 5%}}
    - alias: b
      deployments: [{provider: openai, model: y}]
      canary: {alias: b, rollback: {metric: p50, window: 0s, min_requests: 0}}
    - alias: c
      deployments: [{provider: openai, model: z}]
      canary: {alias: a, rollback: {metric: ttft_p99}}
    - alias: d
      deployments: [{provider: openai, model: w}]
      canary: {weight: 0.2, rollback: {threshold: 0.1}}
)");
  EXPECT_ERROR_AT(r, "gateway.models.0.canary.alias", "'nope' is not a configured model alias");
  EXPECT_ERROR_AT(r, "gateway.models.0.canary.alias", "use 'b', 'c' or 'd'");
  EXPECT_ERROR_AT(r, "gateway.models.0.canary.weight", "must be between 0 and 1, got 1.5");
  EXPECT_ERROR_AT(r, "gateway.models.0.canary.rollback.threshold",
                  "must be a share between 0 and 1 (exclusive), got '5%'");
  EXPECT_ERROR_AT(r, "gateway.models.1.canary.alias", "'b' is this alias itself");
  EXPECT_ERROR_AT(r, "gateway.models.1.canary.rollback.metric", "unknown metric 'p50'");
  EXPECT_ERROR_AT(r, "gateway.models.1.canary.rollback.window", "must be above 0");
  EXPECT_ERROR_AT(r, "gateway.models.1.canary.rollback.min_requests", "must be at least 1, got 0");
  EXPECT_ERROR_AT(r, "gateway.models.2.canary.alias", "'a' has a canary of its own");
  EXPECT_ERROR_AT(r, "gateway.models.2.canary.rollback.threshold",
                  "is required with metric ttft_p99");
  EXPECT_ERROR_AT(r, "gateway.models.3.canary.alias", "must name the candidate alias");
  EXPECT_ERROR_AT(r, "gateway.models.3.canary.rollback.metric", "is required with a threshold");
  EXPECT_ALL_HAVE_FIXES(r);
}

TEST_F(ConfigGatewayTest, CanaryUnknownKeyIsNamedWithTheClosestOne) {
  auto r = load(kProviders + R"(
  models:
    - alias: a
      deployments: [{provider: openai, model: x}]
      canary: {alias: b, weigth: 0.1}
    - alias: b
      deployments: [{provider: openai, model: y}]
)");
  EXPECT_ERROR_AT(r, "gateway.models.0.canary.weigth", "did you mean");
}

// ----- prices --------------------------------------------------------------------------------

TEST_F(ConfigGatewayTest, PriceModelMustNotBeEmptyOrRepeated) {
  auto r = load(R"(
gateway:
  prices:
    - {input_per_million: 1}
    - {model: m, input_per_million: 1}
    - {model: m, input_per_million: 2}
)");
  EXPECT_ERROR_AT(r, "gateway.prices.0.model", "must not be empty");
  EXPECT_ERROR_AT(r, "gateway.prices.2.model", "also priced by gateway.prices.1");
}

TEST_F(ConfigGatewayTest, PricesMustNotBeNegative) {
  auto r = load(R"(
gateway:
  prices:
    - model: m
      input_per_million: -1
      output_per_million: -2.5
      cached_input_per_million: -0.5
)");
  EXPECT_ERROR_AT(r, "gateway.prices.0.input_per_million", "must not be negative, got -1");
  EXPECT_ERROR_AT(r, "gateway.prices.0.output_per_million", "got -2.5");
  EXPECT_ERROR_AT(r, "gateway.prices.0.cached_input_per_million", "got -0.5");
  EXPECT_ALL_HAVE_FIXES(r);
}

// ----- retry, circuit breaker, default provider ----------------------------------------------

TEST_F(ConfigGatewayTest, RetryMaxAttemptsBetweenOneAndTen) {
  auto low = load("gateway:\n  retry: {max_attempts: 0}\n");
  EXPECT_ERROR_AT(low, "gateway.retry.max_attempts", "between 1 and 10, got 0");
  auto high = load("gateway:\n  retry: {max_attempts: 11}\n");
  EXPECT_ERROR_AT(high, "gateway.retry.max_attempts", "got 11");
  ASSERT_LOADS(load("gateway:\n  retry: {max_attempts: 1}\n"));
}

TEST_F(ConfigGatewayTest, RetryBackoffsMustBePositive) {
  auto r = load("gateway:\n  retry: {base_backoff: 0s, max_backoff: 0ms}\n");
  EXPECT_ERROR_AT(r, "gateway.retry.base_backoff", "must be greater than 0");
  EXPECT_ERROR_AT(r, "gateway.retry.max_backoff", "must be greater than 0");
  EXPECT_EQ(r.error().size(), 2u) << describe(r.error());
}

TEST_F(ConfigGatewayTest, RetryBaseBackoffNotAboveMax) {
  auto r = load("gateway:\n  retry: {base_backoff: 3s, max_backoff: 500ms}\n");
  EXPECT_ERROR_AT(r, "gateway.retry.base_backoff",
                  "3s is greater than gateway.retry.max_backoff (500ms)");
}

TEST_F(ConfigGatewayTest, RetryBudgetMayBeZeroButNotNegative) {
  ASSERT_LOADS(load("gateway:\n  retry: {budget: 0s}\n"));
  auto r = load("gateway:\n  retry: {budget: -1s}\n");
  EXPECT_ERROR_AT(r, "gateway.retry.budget", "negative");
}

TEST_F(ConfigGatewayTest, CircuitBreakerBounds) {
  auto r = load(R"(
gateway:
  circuit_breaker: {failure_threshold: 0, cooldown: 0s, half_open_requests: 0}
)");
  EXPECT_ERROR_AT(r, "gateway.circuit_breaker.failure_threshold", "at least 1, got 0");
  EXPECT_ERROR_AT(r, "gateway.circuit_breaker.cooldown", "must be greater than 0");
  EXPECT_ERROR_AT(r, "gateway.circuit_breaker.half_open_requests", "at least 1, got 0");
  EXPECT_ALL_HAVE_FIXES(r);
}

TEST_F(ConfigGatewayTest, DefaultProviderMustBeConfigured) {
  auto r = load(kProviders + "  default_provider: azure\n");
  EXPECT_ERROR_AT(r, "gateway.default_provider", "'azure' is not a configured provider");
  EXPECT_ERROR_AT(r, "gateway.default_provider", "use 'openai' or 'local'");
  ASSERT_LOADS(load(kProviders + "  default_provider: local\n"));
  ASSERT_LOADS(load(kProviders + "  default_provider: \"\"\n"));
}

TEST_F(ConfigGatewayTest, ResponseStoreAndRerankBounds) {
  auto r = load(R"(
gateway:
  response_store: {max_bytes: 512KiB, max_entries: 0}
  rerank: {max_documents: 0}
)");
  EXPECT_ERROR_AT(r, "gateway.response_store.max_bytes", "at least 1MiB");
  EXPECT_ERROR_AT(r, "gateway.response_store.max_entries", "between 1 and 10000000, got 0");
  EXPECT_ERROR_AT(r, "gateway.rerank.max_documents", "between 1 and 100000, got 0");
  EXPECT_ALL_HAVE_FIXES(r);
  auto ok = load(R"(
gateway:
  response_store: {max_bytes: 8MiB, max_entries: 50}
  rerank: {max_documents: 20}
)");
  ASSERT_LOADS(ok);
  EXPECT_EQ(ok->gateway.response_store_max_bytes, std::size_t{8} << 20);
  EXPECT_EQ(ok->gateway.response_store_max_entries, 50);
  EXPECT_EQ(ok->gateway.rerank_max_documents, 20);
  auto env = load("", {{"SLUICE_GATEWAY__RERANK__MAX_DOCUMENTS", "7"}});
  ASSERT_LOADS(env);
  EXPECT_EQ(env->gateway.rerank_max_documents, 7);
}

TEST_F(ConfigGatewayTest, RandomSeedIsANonNegativeIntegerOrDrawnAtStart) {
  auto unset = load("");
  ASSERT_LOADS(unset);
  EXPECT_EQ(unset->gateway.random_seed, GatewayConfig::kNoRandomSeed);
  auto set = load("gateway:\n  random_seed: 6317046107711923\n");
  ASSERT_LOADS(set);
  EXPECT_EQ(set->gateway.random_seed, 6317046107711923);
  auto env = load("", {{"SLUICE_GATEWAY__RANDOM_SEED", "42"}});
  ASSERT_LOADS(env);
  EXPECT_EQ(env->gateway.random_seed, 42);
  auto r = load("gateway:\n  random_seed: -7\n");
  EXPECT_ERROR_AT(r, "gateway.random_seed", "must be a non-negative integer, got -7");
  EXPECT_ALL_HAVE_FIXES(r);
}

// ----- how errors are reported ---------------------------------------------------------------

TEST_F(ConfigGatewayTest, ErrorsNameTheFileLine) {
  auto r = load(kProviders + R"(
  models:
    - alias: x
      strategy: fastest
      deployments: [{provider: openai, model: a}]
)");
  EXPECT_ERROR_AT(r, "gateway.models.0.strategy", "sluice.yaml:12)");
}

TEST_F(ConfigGatewayTest, EnvOverridesAreValidatedToo) {
  auto r = load(kProviders + kModels,
                {{"SLUICE_GATEWAY__MODELS__1__DEPLOYMENTS__0__PROVIDER", "nowhere"}});
  EXPECT_ERROR_AT(r, "gateway.models.1.deployments.0.provider", "'nowhere'");
}

TEST_F(ConfigGatewayTest, AllProblemsAreReportedAtOnce) {
  auto r = load(R"(
gateway:
  providers:
    - {name: "", type: nope}
  models:
    - {alias: x, strategy: nope, fallbacks: [y]}
  prices:
    - {model: m, input_per_million: -1}
  retry: {max_attempts: 0}
  circuit_breaker: {failure_threshold: 0}
  default_provider: nope
)");
  ASSERT_FALSE(r.ok());
  for (const char* path :
       {"gateway.providers.0.name", "gateway.providers.0.type", "gateway.models.0.strategy",
        "gateway.models.0.deployments", "gateway.models.0.fallbacks.0",
        "gateway.prices.0.input_per_million", "gateway.retry.max_attempts",
        "gateway.circuit_breaker.failure_threshold", "gateway.default_provider"}) {
    EXPECT_NE(error_at(r.error(), path), nullptr) << path << " in\n" << describe(r.error());
  }
}

}  // namespace
}  // namespace sluice::core

namespace sluice::core {
namespace {

TEST_F(ConfigGatewayTest, CaFileMustBeReadable) {
  auto missing = load(R"(
gateway:
  providers:
    - {name: private, type: openai, base_url: "https://llm.internal/v1", ca_file: /no/such/ca.pem}
)");
  EXPECT_ERROR_AT(missing, "gateway.providers.0.ca_file", "cannot read '/no/such/ca.pem'");
  const std::string ca = write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  auto present = load(
      "gateway:\n  providers:\n    - {name: private, type: openai, base_url: "
      "\"https://llm.internal/v1\", ca_file: " +
      ca + "}\n");
  ASSERT_LOADS(present);
  EXPECT_EQ(present->gateway.providers[0].ca_file, ca);
}

}  // namespace
}  // namespace sluice::core

namespace sluice::core {
namespace {

// A secret file is read whole into memory: a huge file (or /dev/zero) is refused, not read.
TEST_F(ConfigGatewayTest, SecretFileHasASizeLimit) {
  const std::string key = write("key.txt", "sk-test\n");
  auto small = load(
      "gateway:\n  providers:\n    - {name: p, type: openai, base_url: "
      "\"https://api.example.com/v1\", api_key_file: " +
      key + "}\n");
  ASSERT_LOADS(small);
  EXPECT_EQ(small->gateway.providers[0].api_key, "sk-test");
  auto endless = load(
      "gateway:\n  providers:\n    - {name: p, type: openai, base_url: "
      "\"https://api.example.com/v1\", api_key_file: /dev/zero}\n");
  EXPECT_ERROR_AT(endless, "gateway.providers.0.api_key_file", "is larger than 65536 bytes");
}

}  // namespace
}  // namespace sluice::core
