// Scenario files: bound by the server's binder, validated with key-path errors, the embedded
// gateway and admission sections checked by the server's own validation.
#include <gtest/gtest.h>

#include "sim/scenario/scenario_loader.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

using namespace testing;
using namespace std::chrono_literals;

TEST(ScenarioTest, AValidScenarioBindsEverySection) {
  const ScenarioConfig s = scenario_of(
      "duration: 2h\n"
      "seed: 42\n"
      "window: 30s\n"
      "traffic:\n"
      "  phases:\n"
      "    - {duration: 10m, rate: 5}\n"
      "    - {duration: 20m, rate: 50, ramp: linear}\n"
      "  repeat: yes\n"
      "  mix:\n"
      "    - weight: 3\n"
      "      model: chat\n"
      "      stream: yes\n"
      "      priority: high\n"
      "      timeout: 30s\n"
      "      prompt_tokens: {dist: lognormal, median: 800, p99: 6000}\n"
      "      completion_tokens: {dist: uniform, min: 50, max: 400}\n"
      "providers:\n"
      "  - provider: primary\n"
      "    ttft: {dist: lognormal, median: 350ms, p99: 1.5s}\n"
      "    per_token: {dist: exponential, mean: 12.5ms}\n"
      "    concurrency: 64\n"
      "    rate_limit: {requests_per_second: 40, retry_after: 2s}\n"
      "    error_rate: 0.01\n"
      "    reset_rate: 0.002\n"
      "    outages: [{from: 10m, to: 25m, fail_with: connect}]\n"
      "replicas: {count: 3, load_balancer: least_connections}\n"
      "gateway:\n"
      "  providers:\n"
      "    - {name: primary, type: openai, base_url: https://primary.example/v1,\n"
      "       api_key_file: /run/secrets/not-here, first_byte_timeout: 20s}\n"
      "  models:\n"
      "    - alias: chat\n"
      "      deployments: [{provider: primary, model: big}]\n"
      "  retry: {max_attempts: 4}\n"
      "  prices: [{model: big, input_per_million: 2.5, output_per_million: 10}]\n"
      "admission: {max_concurrency: 100, max_queue: 200, max_wait: 2s}\n");
  EXPECT_DOUBLE_EQ(s.duration.count(), 7200);
  EXPECT_EQ(s.seed, 42);
  EXPECT_DOUBLE_EQ(s.window.count(), 30);
  ASSERT_EQ(s.traffic.phases.size(), 2u);
  EXPECT_EQ(s.traffic.phases[1].ramp, "linear");
  EXPECT_TRUE(s.traffic.repeat);
  ASSERT_EQ(s.traffic.mix.size(), 1u);
  EXPECT_TRUE(s.traffic.mix[0].stream);
  EXPECT_EQ(s.traffic.mix[0].timeout, 30s);
  EXPECT_DOUBLE_EQ(s.traffic.mix[0].prompt_tokens.p99, 6000);
  ASSERT_EQ(s.providers.size(), 1u);
  EXPECT_DOUBLE_EQ(s.providers[0].per_token.mean.count(), 0.0125);
  EXPECT_DOUBLE_EQ(s.providers[0].ttft.p99.count(), 1.5);
  EXPECT_EQ(s.providers[0].rate_limit.retry_after, 2s);
  EXPECT_EQ(s.providers[0].outages[0].fail_with, "connect");
  EXPECT_EQ(s.replicas.count, 3);
  // The embedded sections, through the server's own schema and defaults.
  EXPECT_EQ(s.gateway.retry.max_attempts, 4);
  EXPECT_EQ(s.gateway.retry.base_backoff, 100ms);  // the server's default
  EXPECT_EQ(s.gateway.providers[0].first_byte_timeout, 20s);
  EXPECT_DOUBLE_EQ(s.gateway.prices[0].output_per_million, 10);
  EXPECT_EQ(s.admission.max_wait, 2s);
}

TEST(ScenarioTest, UnknownKeysSuggestTheClosestOne) {
  const auto errors =
      errors_of(minimal_scenario("  rate: 10\n  arivals: uniform\n", "replica: {count: 2}\n"));
  EXPECT_TRUE(has_error(errors, "traffic.arivals: unknown key")) << joined(errors);
  EXPECT_NE(joined(errors).find("did you mean traffic.arrivals?"), std::string::npos)
      << joined(errors);
  EXPECT_TRUE(has_error(errors, "replica: unknown key")) << joined(errors);
  EXPECT_NE(joined(errors).find("did you mean replicas?"), std::string::npos);
}

TEST(ScenarioTest, BadValuesNameTheirKeyPath) {
  const auto errors = errors_of(
      "duration: soon\n"
      "traffic:\n"
      "  phases:\n"
      "    - {duration: 1m, rate: 5}\n"
      "    - {duration: 1m, rate: 5, ramp: sideways}\n"
      "    - {duration: 1m, rate: -3}\n"
      "  mix:\n"
      "    - model: chatt\n"
      "      priority: urgent\n"
      "      prompt_tokens: {dist: constant, value: 10, mean: 3}\n"
      "      completion_tokens: {dist: gaussian}\n"
      "providers:\n"
      "  - provider: primary\n"
      "    ttft: {dist: lognormal, median: 2s, p99: 1s}\n"
      "    error_rate: 1.5\n"
      "    outages: [{from: 20m, to: 10m, fail_with: meteor}]\n"
      "  - provider: secondary\n"
      "    ttft: {dist: constant, value: 1s}\n"
      "    per_token: {dist: constant, value: 1ms}\n"
      "replicas: {count: 0, load_balancer: random}\n"
      "gateway:\n"
      "  providers:\n"
      "    - {name: primary, type: openai, base_url: https://primary.example/v1}\n"
      "    - {name: backup, type: openai, base_url: https://backup.example/v1}\n"
      "  models:\n"
      "    - alias: chat\n"
      "      deployments: [{provider: primary, model: big}, {provider: backup, model: small}]\n"
      "  retry: {max_attempts: 0}\n"
      "admission: {max_wait: 0s}\n");
  const std::string all = joined(errors);
  for (const char* expected : {
           "duration: expected a duration",
           "traffic.phases.1.ramp: unknown ramp 'sideways'",
           "traffic.phases.2.rate: must not be negative, got -3",
           "traffic.mix.0.model: 'chatt' is not an alias of gateway.models",
           "traffic.mix.0.priority: unknown priority 'urgent'",
           "traffic.mix.0.prompt_tokens.mean: is not a parameter of a constant distribution",
           "traffic.mix.0.completion_tokens.dist: unknown distribution 'gaussian'",
           "providers.0.ttft.p99: must be greater than median (2s), got 1s",
           "providers.0.per_token: must be given",
           "providers.0.error_rate: must be between 0 and 1, got 1.5",
           "providers.0.outages.0.to: must be later than from",
           "providers.0.outages.0.fail_with: unknown failure 'meteor'",
           "providers.1.provider: 'secondary' is not a provider of gateway.providers",
           "replicas.count: must be between 1 and 1000, got 0",
           "replicas.load_balancer: unknown load balancer 'random'",
           "gateway.models.0.deployments.1: no entry of providers simulates backup/small",
           // The server's own checks of the embedded sections.
           "gateway.retry.max_attempts: must be between 1 and 10, got 0",
           "admission.max_wait: must be greater than 0",
       })
    EXPECT_TRUE(has_error(errors, expected)) << "missing: " << expected << "\nin:\n" << all;
}

TEST(ScenarioTest, AProviderSlashModelNameNeedsASimulatedUpstream) {
  std::string yaml = minimal_scenario();
  yaml.replace(yaml.find("  - provider: primary\n"), 22, "  - provider: primary\n    model: big\n");
  yaml.replace(yaml.find("    - model: chat\n"), 18, "    - model: primary/small\n");
  const auto errors = errors_of(yaml);
  EXPECT_TRUE(
      has_error(errors, "traffic.mix.0.model: no entry of providers simulates primary/small"))
      << joined(errors);
  yaml.replace(yaml.find("primary/small"), 13, "primary/big");
  EXPECT_TRUE(errors_of(yaml).empty()) << joined(errors_of(yaml));
}

TEST(ScenarioTest, ATrafficWithoutRateOrPhasesOrMixIsRefused) {
  const auto errors = errors_of(
      "traffic: {}\n"
      "providers: [{provider: p, ttft: {dist: constant, value: 1s}, per_token: {dist: constant, "
      "value: 1ms}}]\n"
      "gateway: {providers: [{name: p, type: mock}], models: [{alias: m, deployments: "
      "[{provider: p, model: x}]}]}\n");
  EXPECT_TRUE(has_error(errors, "traffic: has neither a rate nor phases")) << joined(errors);
  EXPECT_TRUE(has_error(errors, "traffic.mix: must list at least one kind of request"))
      << joined(errors);
}

TEST(ScenarioTest, FlagsWinOverTheFileAndAreCheckedAsItIs) {
  const ScenarioConfig s = scenario_of(minimal_scenario(), {.seed = "9", .duration = "10m"});
  EXPECT_EQ(s.seed, 9);
  EXPECT_DOUBLE_EQ(s.duration.count(), 600);
  const auto errors = errors_of(minimal_scenario(), {.seed = "-1", .duration = "later"});
  EXPECT_TRUE(has_error(errors, "seed: must not be negative")) << joined(errors);
  EXPECT_TRUE(has_error(errors, "duration: expected a duration")) << joined(errors);
  EXPECT_NE(joined(errors).find("from --duration"), std::string::npos) << joined(errors);
}

ScenarioFlags load_of(const char* load) {
  ScenarioFlags flags;
  flags.load = load;
  return flags;
}

TEST(ScenarioTest, LoadMultipliesEveryRate) {
  const ScenarioConfig constant = scenario_of(minimal_scenario("  rate: 8\n"), load_of("2.5"));
  EXPECT_DOUBLE_EQ(constant.traffic.rate, 20);
  const ScenarioConfig phases =
      scenario_of(minimal_scenario("  phases:\n    - {duration: 1m, rate: 30}\n"
                                   "    - {duration: 1m, rate: 90, ramp: linear}\n"),
                  load_of("0.5"));
  ASSERT_EQ(phases.traffic.phases.size(), 2u);
  EXPECT_DOUBLE_EQ(phases.traffic.phases[0].rate, 15);
  EXPECT_DOUBLE_EQ(phases.traffic.phases[1].rate, 45);
  EXPECT_DOUBLE_EQ(phases.traffic.phases[1].duration.count(), 60);  // times stay
  for (const char* bad : {"0", "-1", "double", "inf"}) {
    const auto errors = errors_of(minimal_scenario(), load_of(bad));
    EXPECT_TRUE(has_error(errors, "--load: must be a number greater than 0")) << joined(errors);
  }
}

TEST(ScenarioTest, VariablesAreInterpolatedFromTheEnvironment) {
  const std::string yaml = minimal_scenario("  rate: ${RATE:-5}\n");
  auto parsed = parse_scenario(yaml, "test.yaml", {}, {{"RATE", "75"}});
  ASSERT_TRUE(parsed) << joined(errors_of(yaml));
  EXPECT_DOUBLE_EQ(parsed->traffic.rate, 75);
  EXPECT_DOUBLE_EQ(scenario_of(yaml).traffic.rate, 5);
}

TEST(ScenarioTest, AMissingFileIsAnErrorNamingIt) {
  auto loaded = load_scenario("/nonexistent/scenario.yaml");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().at(0).path, "/nonexistent/scenario.yaml");
}

}  // namespace
}  // namespace sluice::sim
