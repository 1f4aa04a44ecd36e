// The canary's policy on an injected clock: the split, the rollback rule over its sliding window
// (min_requests, the threshold, the baseline comparison), rolling back once, and resuming.
#include "gateway/routing/canary_controller.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace sluice::gateway {
namespace {

using namespace std::chrono_literals;
using Clock = CanaryController::Clock;

const Clock::time_point kT0 = Clock::time_point{} + 1000h;

CanaryRule error_rule(double threshold = 0.05, std::uint64_t min_requests = 50,
                      Clock::duration window = 5min) {
  return CanaryRule{CanaryMetric::error_rate, threshold, window, min_requests};
}

CanarySample ok(double latency = 0.2, std::optional<double> ttft = std::nullopt) {
  return CanarySample{false, latency, ttft};
}
CanarySample failed() { return CanarySample{true, 0.05, std::nullopt}; }

TEST(CanaryControllerTest, RandomSplitFollowsTheWeight) {
  CanaryController canary("chat", "chat-v2", 0.1, std::nullopt);
  Rng rng(42);
  const std::string_view no_key;
  int candidate = 0;
  const int n = 100'000;
  for (int i = 0; i < n; ++i) candidate += canary.pick(no_key, rng) == CanaryVersion::candidate;
  // Binomial(100000, 0.1): sd 95; 5 sd.
  EXPECT_NEAR(candidate, 10'000, 475);
}

TEST(CanaryControllerTest, KeyedSplitIsStickyProportionalAndGrowsMonotonically) {
  CanaryController at10("chat", "chat-v2", 0.1, std::nullopt);
  CanaryController at30("chat", "chat-v2", 0.3, std::nullopt);
  Rng rng(1);
  int candidate = 0;
  const int n = 50'000;
  for (int i = 0; i < n; ++i) {
    const std::string key = "user-" + std::to_string(i);
    const CanaryVersion v = at10.pick(key, rng);
    for (int again = 0; again < 3; ++again) ASSERT_EQ(at10.pick(key, rng), v) << key;
    candidate += v == CanaryVersion::candidate;
    // A key on the candidate at 10% stays there at 30%.
    if (v == CanaryVersion::candidate) ASSERT_EQ(at30.pick(key, rng), CanaryVersion::candidate);
  }
  EXPECT_NEAR(candidate, 5'000, 5 * std::sqrt(n * 0.1 * 0.9));
  // Another alias splits the same keys independently.
  CanaryController other("embed", "embed-v2", 0.1, std::nullopt);
  int both = 0;
  for (int i = 0; i < n; ++i) {
    const std::string key = "user-" + std::to_string(i);
    both += at10.pick(key, rng) == CanaryVersion::candidate &&
            other.pick(key, rng) == CanaryVersion::candidate;
  }
  EXPECT_NEAR(both, 500, 5 * std::sqrt(n * 0.01 * 0.99));
}

TEST(CanaryControllerTest, WeightsZeroAndOneNeedNoDraw) {
  CanaryController none("chat", "v2", 0, std::nullopt);
  CanaryController all("chat", "v2", 1, std::nullopt);
  Rng rng(7);
  const Rng before = rng;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(none.pick({}, rng), CanaryVersion::baseline);
    EXPECT_EQ(all.pick({}, rng), CanaryVersion::candidate);
  }
  EXPECT_EQ(rng, before);
}

TEST(CanaryControllerTest, NoRollbackWhileHealthy) {
  CanaryController canary("chat", "chat-v2", 0.1, error_rule());
  for (int s = 0; s < 3600; ++s) {
    const auto now = kT0 + std::chrono::seconds(s);
    // 2% failures on both: under the 5% threshold.
    const bool fail = s % 50 == 0;
    EXPECT_FALSE(canary.record(CanaryVersion::candidate, fail ? failed() : ok(), now));
    EXPECT_FALSE(canary.record(CanaryVersion::baseline, fail ? failed() : ok(), now));
  }
  EXPECT_DOUBLE_EQ(canary.weight(), 0.1);
  EXPECT_FALSE(canary.status(kT0 + 3600s).rollback);
}

TEST(CanaryControllerTest, WaitsForMinRequests) {
  CanaryController canary("chat", "chat-v2", 0.1, error_rule(0.05, 50));
  // Every candidate request fails, but only the 50th makes a verdict possible.
  for (int i = 0; i < 49; ++i)
    EXPECT_FALSE(canary.record(CanaryVersion::candidate, failed(), kT0 + std::chrono::seconds(i)));
  const auto rollback = canary.record(CanaryVersion::candidate, failed(), kT0 + 49s);
  ASSERT_TRUE(rollback);
  EXPECT_EQ(rollback->reason, "error_rate");
  EXPECT_EQ(rollback->at, kT0 + 49s);
  EXPECT_DOUBLE_EQ(*rollback->candidate_value, 1.0);
  EXPECT_FALSE(rollback->baseline_value) << "the baseline had no requests";
}

TEST(CanaryControllerTest, RollsBackAboveTheThresholdNotAtIt) {
  // 100 requests in the window, 5 failures: 5% is not above 5%.
  CanaryController canary("chat", "chat-v2", 0.1, error_rule(0.05, 100));
  for (int i = 0; i < 95; ++i) ASSERT_FALSE(canary.record(CanaryVersion::candidate, ok(), kT0));
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(canary.record(CanaryVersion::candidate, failed(), kT0));
  // The 6th failure of 101: 5.9%.
  EXPECT_TRUE(canary.record(CanaryVersion::candidate, failed(), kT0));
}

TEST(CanaryControllerTest, AnswersSlideOutOfTheWindow) {
  // Window 100 s (slices of 10 s), min 10, threshold 20%.
  CanaryController canary("chat", "chat-v2", 0.5, error_rule(0.2, 10, 100s));
  for (int i = 0; i < 90; ++i)
    ASSERT_FALSE(canary.record(CanaryVersion::candidate, ok(), kT0 + 5s));
  for (int i = 0; i < 7; ++i)
    ASSERT_FALSE(canary.record(CanaryVersion::candidate, ok(), kT0 + 50s));
  for (int i = 0; i < 3; ++i)
    ASSERT_FALSE(canary.record(CanaryVersion::candidate, failed(), kT0 + 50s));  // 3 of 100
  ASSERT_FALSE(canary.record(CanaryVersion::candidate, failed(), kT0 + 99s));    // 4 of 101
  EXPECT_EQ(canary.status(kT0 + 99s).candidate_reading.requests, 101u);
  // At 100 s the slice of 0-10 s (the 90 answers) is a window old.
  EXPECT_EQ(canary.status(kT0 + 100s).candidate_reading.requests, 11u);
  const auto rollback = canary.record(CanaryVersion::candidate, failed(), kT0 + 100s);
  ASSERT_TRUE(rollback);  // 5 of 12
  EXPECT_DOUBLE_EQ(*rollback->candidate_value, 5.0 / 12);
}

TEST(CanaryControllerTest, RollsBackOnceAndStaysOut) {
  CanaryController canary("chat", "chat-v2", 0.2, error_rule(0.05, 10));
  Rng rng(3);
  int rollbacks = 0;
  for (int i = 0; i < 100; ++i)
    rollbacks += canary.record(CanaryVersion::candidate, failed(), kT0 + std::chrono::seconds(i))
                     .has_value();
  EXPECT_EQ(rollbacks, 1);
  EXPECT_DOUBLE_EQ(canary.weight(), 0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(canary.pick({}, rng), CanaryVersion::baseline);
  EXPECT_EQ(canary.pick("user-1", rng), CanaryVersion::baseline);
  // Healthy candidate requests still in flight at the rollback change nothing.
  for (int i = 0; i < 1000; ++i) canary.record(CanaryVersion::candidate, ok(), kT0 + 200s);
  EXPECT_DOUBLE_EQ(canary.weight(), 0);
  const CanaryStatus status = canary.status(kT0 + 200s);
  ASSERT_TRUE(status.rollback);
  EXPECT_EQ(status.rollback->at, kT0 + 9s);
  EXPECT_FALSE(canary.roll_back(kT0 + 300s)) << "already out";
}

TEST(CanaryControllerTest, NoRollbackWhenTheBaselineIsAsBad) {
  CanaryController canary("chat", "chat-v2", 0.5, error_rule(0.05, 20));
  // A provider outage under both: half of every version's requests fail.
  for (int i = 0; i < 200; ++i) {
    const auto sample = i % 2 ? failed() : ok();
    EXPECT_FALSE(canary.record(CanaryVersion::baseline, sample, kT0));
    EXPECT_FALSE(canary.record(CanaryVersion::candidate, sample, kT0));
  }
  // The candidate gets worse than the baseline: rolled back, both values reported.
  std::optional<CanaryRollback> rollback;
  for (int i = 0; i < 20 && !rollback; ++i)
    rollback = canary.record(CanaryVersion::candidate, failed(), kT0);
  ASSERT_TRUE(rollback);
  EXPECT_GT(*rollback->candidate_value, 0.5);
  EXPECT_DOUBLE_EQ(*rollback->baseline_value, 0.5);
}

TEST(CanaryControllerTest, LatencyRuleReadsAnsweredRequestsOnly) {
  CanaryController canary("chat", "chat-v2", 0.1,
                          CanaryRule{CanaryMetric::p99_latency, 2.0, std::chrono::minutes(5), 100});
  for (int i = 0; i < 1000; ++i) canary.record(CanaryVersion::baseline, ok(0.5), kT0);
  // Failures are not latency samples: 200 of them decide nothing.
  for (int i = 0; i < 200; ++i)
    EXPECT_FALSE(canary.record(CanaryVersion::candidate, failed(), kT0));
  // 100 answers, 99 fast and 1 at 3 s: the p99 (nearest rank 99) is fast.
  for (int i = 0; i < 99; ++i) EXPECT_FALSE(canary.record(CanaryVersion::candidate, ok(0.5), kT0));
  EXPECT_FALSE(canary.record(CanaryVersion::candidate, ok(3.0), kT0));
  // A second slow answer of 101: rank 100 is slow, 3 s > 2 s and > the baseline's 0.5 s.
  const auto rollback = canary.record(CanaryVersion::candidate, ok(3.0), kT0);
  ASSERT_TRUE(rollback);
  EXPECT_EQ(rollback->reason, "p99_latency");
  EXPECT_NEAR(*rollback->candidate_value, 3.0, 3.0 * 0.045);
  EXPECT_NEAR(*rollback->baseline_value, 0.5, 0.5 * 0.045);
}

TEST(CanaryControllerTest, TtftRuleReadsStreamsFirstTokens) {
  CanaryController canary("chat", "chat-v2", 0.1,
                          CanaryRule{CanaryMetric::ttft_p99, 1.0, std::chrono::minutes(5), 10});
  // Non-streamed answers have no first token: no samples however slow.
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(canary.record(CanaryVersion::candidate, ok(30), kT0));
  for (int i = 0; i < 9; ++i)
    EXPECT_FALSE(canary.record(CanaryVersion::candidate, ok(5, 1.5), kT0));
  const auto rollback = canary.record(CanaryVersion::candidate, ok(5, 1.5), kT0);
  ASSERT_TRUE(rollback);
  EXPECT_EQ(rollback->reason, "ttft_p99");
}

TEST(CanaryControllerTest, ManualRollbackAndResume) {
  CanaryController canary("chat", "chat-v2", 0.25, error_rule(0.05, 10));
  EXPECT_FALSE(canary.resume()) << "nothing to resume";
  const auto manual = canary.roll_back(kT0);
  ASSERT_TRUE(manual);
  EXPECT_EQ(manual->reason, "manual");
  EXPECT_DOUBLE_EQ(canary.weight(), 0);
  // Failures recorded while out (requests in flight) are forgotten on resume.
  for (int i = 0; i < 50; ++i) canary.record(CanaryVersion::candidate, failed(), kT0);
  EXPECT_TRUE(canary.resume());
  EXPECT_DOUBLE_EQ(canary.weight(), 0.25);
  EXPECT_EQ(canary.status(kT0).candidate_reading.requests, 0u);
  // And the rule works again from scratch.
  for (int i = 0; i < 9; ++i) EXPECT_FALSE(canary.record(CanaryVersion::candidate, failed(), kT0));
  EXPECT_TRUE(canary.record(CanaryVersion::candidate, failed(), kT0));
}

TEST(CanaryControllerTest, WithoutARuleOnlyAnAdminRollsBack) {
  CanaryController canary("chat", "chat-v2", 0.5, std::nullopt);
  for (int i = 0; i < 1000; ++i)
    EXPECT_FALSE(canary.record(CanaryVersion::candidate, failed(), kT0));
  EXPECT_DOUBLE_EQ(canary.weight(), 0.5);
  EXPECT_EQ(canary.status(kT0).candidate_reading.failures, 1000u) << "still shown";
}

TEST(CanaryRouterTest, BuildsOneControllerPerCanariedAlias) {
  core::ModelAliasConfig chat;
  chat.alias = "chat";
  chat.canary.alias = "chat-v2";
  chat.canary.weight = 0.1;
  chat.canary.rollback = {"p99_latency", "1500ms", core::Millis{60'000}, 20};
  core::ModelAliasConfig v2;
  v2.alias = "chat-v2";
  const CanaryRouter router({chat, v2});
  EXPECT_EQ(router.find("chat-v2"), nullptr);
  const CanaryController* canary = router.find("chat");
  ASSERT_NE(canary, nullptr);
  EXPECT_EQ(canary->candidate(), "chat-v2");
  EXPECT_DOUBLE_EQ(canary->weight(), 0.1);
  ASSERT_TRUE(canary->rule());
  EXPECT_EQ(canary->rule()->metric, CanaryMetric::p99_latency);
  EXPECT_DOUBLE_EQ(canary->rule()->threshold, 1.5);
  EXPECT_EQ(canary->rule()->window, std::chrono::seconds(60));
  EXPECT_EQ(canary->rule()->min_requests, 20u);
  EXPECT_EQ(router.all().size(), 1u);
}

}  // namespace
}  // namespace sluice::gateway
