// Upstream providers placed in regions (providers.N.region): a replica's attempts cross the
// network between its region and the provider's (region_latency) each way, on the gateway's
// timers; the key's checks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/report/report_json.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

using testing::errors_of;
using testing::has_error;
using testing::joined;
using testing::scenario_of;

// The upstream: 100 ms to the first token, then 10 ms for each of the 49 more tokens.
constexpr double kTtft = 0.100;
constexpr double kPerToken = 0.010;
constexpr int kTokens = 50;
constexpr double kUpstream = kTtft + kPerToken * (kTokens - 1);

// One alias `chat` on provider `primary`, one attempt a request (no retries, no breaker), its
// upstream placed by `provider_keys` (e.g. "    region: far\n"), the gateway provider's entry
// extended by `timeouts` (e.g. ", first_byte_timeout: 150ms"), the alias' entry by `alias_keys`
// (e.g. "      timeout: 610ms\n"), and `topology` (top-level keys) appended.
std::string scenario_text(const std::string& provider_keys, const std::string& topology,
                          const std::string& timeouts = "", const std::string& alias_keys = "") {
  return "duration: 60s\n"
         "seed: 7\n"
         "traffic:\n"
         "  rate: 10\n"
         "  mix:\n"
         "    - model: chat\n"
         "      prompt_tokens: {dist: constant, value: 100}\n"
         "      completion_tokens: {dist: constant, value: " +
         std::to_string(kTokens) +
         "}\n"
         "providers:\n"
         "  - provider: primary\n"
         "    ttft: {dist: constant, value: 100ms}\n"
         "    per_token: {dist: constant, value: 10ms}\n" +
         provider_keys +
         "gateway:\n"
         "  retry: {max_attempts: 1}\n"
         "  circuit_breaker: {failure_threshold: 1000}\n"
         "  providers:\n"
         "    - {name: primary, type: openai, base_url: https://primary.example/v1" +
         timeouts +
         "}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      deployments: [{provider: primary, model: big}]\n" +
         alias_keys + topology;
}

// The gateway's replicas in `home`; `far` has no replicas and no clients, only the provider.
std::string home_and_far(double one_way_ms, const std::string& extra_links = "") {
  return "regions:\n"
         "  - {name: home, replicas: 2}\n"
         "  - {name: far, replicas: 0, clients: 0}\n"
         "region_latency:\n"
         "  - {from: home, to: far, one_way: {dist: constant, value: " +
         std::to_string(static_cast<int>(one_way_ms)) + "ms}}\n" + extra_links;
}

struct Observed {
  explicit Observed(ScenarioConfig config) : scenario(std::move(config)), simulation(scenario) {
    simulation.on_request([this](const RequestRecord& r) { records.push_back(r); });
    simulation.run();
  }
  ScenarioConfig scenario;
  Simulation simulation;
  std::vector<RequestRecord> records;
};

ScenarioConfig streamed(const std::string& text) {
  ScenarioConfig s = scenario_of(text);
  if (!s.traffic.mix.empty()) s.traffic.mix[0].stream = true;
  return s;
}

TEST(ProviderRegionsTest, AProviderInAnotherRegionAddsOneRoundTripToFirstTokenAndLatency) {
  constexpr double kOneWayMs = 40;
  const double round_trip = 2 * kOneWayMs / 1000;
  Observed run(streamed(scenario_text("    region: far\n", home_and_far(kOneWayMs))));
  ASSERT_GT(run.records.size(), 500u);  // 10 a second for 60 s
  for (const RequestRecord& r : run.records) {
    ASSERT_EQ(r.cause, Cause::none);
    ASSERT_TRUE(r.ttft);
    EXPECT_NEAR(*r.ttft, kTtft + round_trip, 1e-6);
    EXPECT_NEAR(r.latency(), kUpstream + round_trip, 1e-6);
  }
  // rtt: one draw, half each way; the reverse pair's entry serves too.
  constexpr double kRttMs = 70;
  Observed rtt(
      streamed(scenario_text("    region: far\n",
                             "regions:\n"
                             "  - {name: home, replicas: 2}\n"
                             "  - {name: far, replicas: 0, clients: 0}\n"
                             "region_latency:\n"
                             "  - {from: far, to: home, rtt: {dist: constant, value: 70ms}}\n")));
  ASSERT_FALSE(rtt.records.empty());
  for (const RequestRecord& r : rtt.records) {
    ASSERT_EQ(r.cause, Cause::none);
    EXPECT_NEAR(*r.ttft, kTtft + kRttMs / 1000, 1e-6);
    EXPECT_NEAR(r.latency(), kUpstream + kRttMs / 1000, 1e-6);
  }
}

TEST(ProviderRegionsTest, AProviderInTheReplicasRegionOrWithoutOneAddsNoNetworkUnlessGivenOne) {
  for (const std::string& keys : {std::string("    region: home\n"), std::string()}) {
    Observed run(streamed(scenario_text(keys, home_and_far(40))));
    ASSERT_FALSE(run.records.empty());
    for (const RequestRecord& r : run.records) {
      ASSERT_EQ(r.cause, Cause::none);
      EXPECT_NEAR(*r.ttft, kTtft, 1e-6) << keys;
      EXPECT_NEAR(r.latency(), kUpstream, 1e-6) << keys;
    }
  }
  // An entry from home to home is the network inside the region: the clients' way to their
  // replicas takes it, and so does the replicas' way to a provider there.
  constexpr double kInsideMs = 2;
  const double inside = kInsideMs / 1000;
  Observed run(streamed(scenario_text(
      "    region: home\n",
      home_and_far(40, "  - {from: home, to: home, one_way: {dist: constant, value: 2ms}}\n"))));
  ASSERT_FALSE(run.records.empty());
  for (const RequestRecord& r : run.records) {
    ASSERT_EQ(r.cause, Cause::none);
    EXPECT_NEAR(*r.ttft, kTtft + 2 * inside + 2 * inside, 1e-6);
    EXPECT_NEAR(r.latency(), kUpstream + 2 * inside + 2 * inside, 1e-6);
  }
}

// East's clients are served in east until its outage; then in west, whose replicas reach the
// provider in east over the same link the clients crossed: both round trips apply. A region's
// outage takes down its replicas, not the provider placed there (a provider fails by its own
// outages).
TEST(ProviderRegionsTest, FailoverToAnotherRegionChangesWhichRoundTripApplies) {
  constexpr double kOneWayMs = 50;
  const double round_trip = 2 * kOneWayMs / 1000;
  const std::string topology =
      "regions:\n"
      "  - {name: east, replicas: 1, outages: [{from: 20s, to: 60s}]}\n"
      "  - {name: west, replicas: 1, clients: 0}\n"
      "region_latency:\n"
      "  - {from: east, to: west, one_way: {dist: constant, value: 50ms}}\n"
      "failover: {interval: 2s, unhealthy_threshold: 1}\n";
  for (const std::string provider_region : {"east", "west"}) {
    Observed run(streamed(scenario_text("    region: " + provider_region + "\n", topology)));
    std::size_t in_east = 0;
    std::size_t in_west = 0;
    for (const RequestRecord& r : run.records) {
      if (r.cause != Cause::none) {
        EXPECT_EQ(r.cause, Cause::region_down);
        continue;
      }
      const bool served_in_west = r.region == 1;
      const double client_trip = served_in_west ? round_trip : 0;  // east's clients to west
      const bool provider_away = (served_in_west ? "west" : "east") != provider_region;
      const double provider_trip = provider_away ? round_trip : 0;
      EXPECT_NEAR(*r.ttft, kTtft + client_trip + provider_trip, 1e-6) << provider_region;
      EXPECT_NEAR(r.latency(), kUpstream + client_trip + provider_trip, 1e-6) << provider_region;
      ++(served_in_west ? in_west : in_east);
    }
    EXPECT_GT(in_east, 150u) << provider_region;  // 20 s at 10 a second
    EXPECT_GT(in_west, 300u) << provider_region;  // most of the 40 s after the move
  }
}

// The gateway's first-byte timer runs from the attempt's send: a round trip that takes the first
// byte past it times the attempt out, at exactly the timeout; a shorter one does not.
TEST(ProviderRegionsTest, ARoundTripThatTakesTheFirstBytePastTheTimeoutTimesTheAttemptOut) {
  constexpr double kTimeout = 0.150;
  constexpr double kLongWayMs = 40;
  constexpr double kShortWayMs = 20;
  ASSERT_GT(kTtft + 2 * kLongWayMs / 1000, kTimeout);
  ASSERT_LE(kTtft + 2 * kShortWayMs / 1000, kTimeout);
  const std::string timeouts = ", first_byte_timeout: 150ms";
  Observed slow(streamed(scenario_text("    region: far\n", home_and_far(kLongWayMs), timeouts)));
  ASSERT_GT(slow.records.size(), 500u);
  for (const RequestRecord& r : slow.records) {
    ASSERT_EQ(r.cause, Cause::timeout);
    EXPECT_NEAR(r.end - r.arrival, kTimeout, 1e-6);
  }
  Observed fast(streamed(scenario_text("    region: far\n", home_and_far(kShortWayMs), timeouts)));
  ASSERT_GT(fast.records.size(), 500u);
  for (const RequestRecord& r : fast.records) {
    ASSERT_EQ(r.cause, Cause::none);
    EXPECT_NEAR(*r.ttft, kTtft + 2 * kShortWayMs / 1000, 1e-6);
  }
  // Not streamed, the first byte is the whole answer's: 0.59 s + 40 ms, past a 600 ms timeout.
  const std::string whole = ", first_byte_timeout: 600ms";
  ASSERT_GT(kUpstream + 2 * kShortWayMs / 1000, 0.600);
  Observed unstreamed(
      scenario_of(scenario_text("    region: far\n", home_and_far(kShortWayMs), whole)));
  ASSERT_FALSE(unstreamed.records.empty());
  for (const RequestRecord& r : unstreamed.records) {
    ASSERT_EQ(r.cause, Cause::timeout);
    EXPECT_NEAR(r.end - r.arrival, 0.600, 1e-6);
  }
}

// The request's deadline (the alias' timeout) runs from its arrival: the round trip to the
// provider counts toward it.
TEST(ProviderRegionsTest, ARoundTripThatTakesTheAnswerPastTheRequestsDeadlineEndsItThen) {
  constexpr double kDeadline = 0.610;
  constexpr double kOneWayMs = 20;
  ASSERT_LT(kUpstream, kDeadline);
  ASSERT_GT(kUpstream + 2 * kOneWayMs / 1000, kDeadline);
  const std::string alias = "      timeout: 610ms\n";
  Observed far(scenario_of(scenario_text("    region: far\n", home_and_far(kOneWayMs), "", alias)));
  ASSERT_GT(far.records.size(), 500u);
  for (const RequestRecord& r : far.records) {
    ASSERT_EQ(r.cause, Cause::deadline);
    EXPECT_NEAR(r.end - r.arrival, kDeadline, 1e-6);
  }
  Observed home(scenario_of(scenario_text("", home_and_far(kOneWayMs), "", alias)));
  ASSERT_GT(home.records.size(), 500u);
  for (const RequestRecord& r : home.records) {
    ASSERT_EQ(r.cause, Cause::none);
    EXPECT_NEAR(r.latency(), kUpstream, 1e-6);
  }
}

TEST(ProviderRegionsTest, TheSameScenarioAndSeedGiveTheSameReport) {
  const std::string text = scenario_text(
      "    region: far\n",
      "regions:\n"
      "  - {name: home, replicas: 2}\n"
      "  - {name: far, replicas: 1, clients: 0.5}\n"
      "region_latency:\n"
      "  - {from: home, to: far, one_way: {dist: lognormal, median: 40ms, p99: 90ms}}\n");
  const ScenarioConfig s = scenario_of(text);
  Simulation first(s);
  first.run();
  Simulation second(s);
  second.run();
  const std::string report = render_report_json(first, "test.yaml");
  EXPECT_EQ(render_report_json(second, "test.yaml"), report);
  // The draws matter: the same scenario with the provider at home reports otherwise.
  Simulation home(scenario_of(text.substr(0, text.find("    region: far\n")) +
                              text.substr(text.find("    region: far\n") + 16)));
  home.run();
  EXPECT_NE(render_report_json(home, "test.yaml"), report);
}

TEST(ProviderRegionsTest, TheRegionKeyIsCheckedWithItsPath) {
  auto errors = errors_of(scenario_text("    region: fra\n", home_and_far(40)));
  EXPECT_TRUE(has_error(errors, "providers.0.region: 'fra' is not a region")) << joined(errors);
  EXPECT_NE(joined(errors).find("did you mean far?"), std::string::npos) << joined(errors);
  errors = errors_of(scenario_text("    region: far\n", ""));
  EXPECT_TRUE(has_error(errors, "providers.0.region: is given without regions")) << joined(errors);
  errors = errors_of(scenario_text("    region: far\n",
                                   "regions:\n"
                                   "  - {name: home, replicas: 2}\n"
                                   "  - {name: far, replicas: 0, clients: 0}\n"));
  EXPECT_TRUE(has_error(errors, "providers.0.region: no network from home to far"))
      << joined(errors);
  EXPECT_EQ(errors.size(), 1u) << joined(errors);
  errors = errors_of(scenario_text("    regoin: far\n", home_and_far(40)));
  EXPECT_NE(joined(errors).find("did you mean providers.0.region?"), std::string::npos)
      << joined(errors);
}

}  // namespace
}  // namespace sluice::sim
