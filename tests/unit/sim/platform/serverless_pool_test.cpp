#include "sim/platform/serverless_pool.hpp"

#include <gtest/gtest.h>

#include "unit/sim/platform/test_time.hpp"

namespace sluice::sim {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::secs;
using testing::t0;

DurationSampler fixed(double seconds) {
  return [d = secs(seconds)] { return d; };
}

ServerlessGrant granted(const ServerlessAcquire& a) {
  EXPECT_TRUE(std::holds_alternative<ServerlessGrant>(a));
  return std::get<ServerlessGrant>(a);
}

// A pool without prices unless a test sets them, so that each cost test shows its own terms.
ServerlessConfig unpriced(ServerlessConfig c) {
  c.price_per_request = c.price_per_gb_second = c.price_per_vcpu_second = 0;
  return c;
}

TEST(ServerlessPoolTest, PresetsCarryThePlatformsDocumentedBehaviour) {
  const ServerlessConfig lambda = lambda_like(fixed(0.2));
  EXPECT_EQ(lambda.concurrency, 1);
  EXPECT_EQ(lambda.overflow, ServerlessOverflow::throttle);
  EXPECT_EQ(lambda.billing_granularity, 1ms);
  EXPECT_EQ(lambda.billing, ServerlessBilling::per_request);
  EXPECT_TRUE(lambda.bill_cold_start);
  const ServerlessConfig run = cloud_run_like(fixed(1));
  EXPECT_EQ(run.concurrency, 80);
  EXPECT_EQ(run.overflow, ServerlessOverflow::queue);
  EXPECT_EQ(run.queue_timeout, 10s);
  EXPECT_EQ(run.billing_granularity, 100ms);
  EXPECT_EQ(run.billing, ServerlessBilling::per_instance_busy);
  EXPECT_EQ(run.warm_billing, WarmBilling::while_idle);
  ServerlessConfig bad = run;
  bad.cold_start = nullptr;
  EXPECT_THROW(ServerlessPool(bad, t0), std::invalid_argument);
  bad = run;
  bad.min_instances = 200;
  EXPECT_THROW(ServerlessPool(bad, t0), std::invalid_argument);
}

// Lambda-like (concurrency 1): the first request cold-starts; once it ends, the next one reuses
// the warm instance; two at once need two instances.
TEST(ServerlessPoolTest, ColdStartOnlyWhenNoWarmSlotIsFree) {
  ServerlessPool pool(unpriced(lambda_like(fixed(0.5))), t0);
  const auto first = granted(pool.acquire(t0));
  EXPECT_TRUE(first.cold_start);
  EXPECT_EQ(first.ready_at, at(0.5));
  pool.release(first.request, at(1));
  const auto second = granted(pool.acquire(at(2)));
  EXPECT_FALSE(second.cold_start);
  EXPECT_EQ(second.instance, first.instance);
  EXPECT_EQ(second.ready_at, at(2));
  const auto third = granted(pool.acquire(at(2.1)));  // the warm one is busy
  EXPECT_TRUE(third.cold_start);
  EXPECT_NE(third.instance, first.instance);
  const auto c = pool.counters(at(3));
  EXPECT_EQ(c.cold_starts, 2u);
  EXPECT_EQ(c.requests, 3u);
  EXPECT_EQ(c.instances, 2);
  EXPECT_EQ(c.in_flight, 2);
}

// Cloud Run-like (concurrency 80): 80 requests share one instance, the 81st starts another.
TEST(ServerlessPoolTest, ConcurrencyPerInstanceFillsBeforeAColdStart) {
  ServerlessConfig c = unpriced(cloud_run_like(fixed(1)));
  c.min_instances = 1;
  ServerlessPool pool(c, t0);
  for (int i = 0; i < 80; ++i) {
    const auto g = granted(pool.acquire(at(1)));
    ASSERT_FALSE(g.cold_start) << i;
    ASSERT_EQ(g.ready_at, at(1));
  }
  EXPECT_TRUE(granted(pool.acquire(at(1))).cold_start);
  EXPECT_EQ(pool.counters(at(1)).cold_starts, 1u);
}

// A request that finds a starting instance with a free slot waits for that start instead of
// starting another instance.
TEST(ServerlessPoolTest, JoinsAnInstanceThatIsStillStarting) {
  ServerlessConfig c = unpriced(cloud_run_like(fixed(2)));
  c.concurrency = 2;
  ServerlessPool pool(c, t0);
  const auto a = granted(pool.acquire(t0));
  const auto b = granted(pool.acquire(at(0.5)));
  EXPECT_TRUE(a.cold_start);
  EXPECT_FALSE(b.cold_start);
  EXPECT_EQ(b.instance, a.instance);
  EXPECT_EQ(b.ready_at, at(2));
  EXPECT_TRUE(granted(pool.acquire(at(0.6))).cold_start);  // no slot left
}

// Lambda-like: beyond max_instances a request is refused at once.
TEST(ServerlessPoolTest, ThrottlesBeyondMaxInstances) {
  ServerlessConfig c = unpriced(lambda_like(fixed(0.1)));
  c.max_instances = 2;
  ServerlessPool pool(c, t0);
  const auto a = granted(pool.acquire(t0));
  granted(pool.acquire(t0));
  EXPECT_TRUE(std::holds_alternative<ServerlessThrottled>(pool.acquire(at(0.2))));
  EXPECT_EQ(pool.counters(at(0.2)).throttles, 1u);
  pool.release(a.request, at(0.3));
  EXPECT_FALSE(granted(pool.acquire(at(0.4))).cold_start);
}

// Cloud Run-like: beyond max_instances a request queues; a freed slot goes to the oldest queued
// request; past the timeout a queued request is refused; a full queue refuses at once.
TEST(ServerlessPoolTest, QueuesBeyondMaxInstancesUntilTheTimeout) {
  ServerlessConfig c = unpriced(cloud_run_like(fixed(0.1)));
  c.concurrency = 1;
  c.max_instances = 1;
  c.queue_limit = 2;
  ServerlessPool pool(c, t0);
  const auto a = granted(pool.acquire(t0));
  const auto q1 = std::get<ServerlessQueued>(pool.acquire(at(1)));
  const auto q2 = std::get<ServerlessQueued>(pool.acquire(at(2)));
  EXPECT_EQ(q1.deadline, at(11));
  EXPECT_TRUE(std::holds_alternative<ServerlessThrottled>(pool.acquire(at(3))));
  EXPECT_EQ(pool.next_deadline(), at(11));

  const auto next = pool.release(a.request, at(5));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->request, q1.request);
  EXPECT_EQ(next->instance, a.instance);
  EXPECT_EQ(next->ready_at, at(5));

  EXPECT_TRUE(pool.expire_queue(at(11.9)).empty());
  EXPECT_EQ(pool.expire_queue(at(12)), (std::vector<RequestId>{q2.request}));
  // Nothing is left to dispatch.
  EXPECT_FALSE(pool.release(next->request, at(13)).has_value());
  const auto counters = pool.counters(at(13));
  EXPECT_EQ(counters.queued, 2u);
  EXPECT_EQ(counters.throttles, 2u);  // one refused at once, one timed out
  EXPECT_EQ(counters.requests, 2u);
}

TEST(ServerlessPoolTest, CancelledQueuedRequestsAreNotThrottles) {
  ServerlessConfig c = unpriced(cloud_run_like(fixed(0.1)));
  c.concurrency = 1;
  c.max_instances = 1;
  ServerlessPool pool(c, t0);
  granted(pool.acquire(t0));
  const auto q = std::get<ServerlessQueued>(pool.acquire(at(1)));
  EXPECT_TRUE(pool.cancel(q.request));
  EXPECT_FALSE(pool.cancel(q.request));
  EXPECT_TRUE(pool.expire_queue(at(60)).empty());
  EXPECT_EQ(pool.counters(at(60)).throttles, 0u);
}

// Idle instances expire idle_expiry after their last request; min_instances never do.
TEST(ServerlessPoolTest, IdleInstancesExpireButTheMinimumStaysWarm) {
  ServerlessConfig c = unpriced(lambda_like(fixed(0.5)));
  c.min_instances = 1;
  c.idle_expiry = 600s;
  ServerlessPool pool(c, t0);
  const auto warm = granted(pool.acquire(t0));
  EXPECT_FALSE(warm.cold_start);  // the minimum is warm from the start
  const auto cold = granted(pool.acquire(t0));
  EXPECT_TRUE(cold.cold_start);
  pool.release(warm.request, at(1));
  pool.release(cold.request, at(2));
  EXPECT_EQ(pool.next_deadline(), at(601));
  EXPECT_EQ(pool.expire_idle(at(601.5)), 1);
  EXPECT_EQ(pool.counters(at(700)).instances, 1);
  EXPECT_EQ(pool.expire_idle(at(10000)), 0);
  EXPECT_FALSE(pool.next_deadline().has_value());
  // Instance-seconds: the minimum for 700 s, the cold one from 0 s until it expired at 601 s.
  EXPECT_NEAR(pool.counters(at(700)).instance_seconds, 700 + 601, 1e-6);
  // A request after the expiry needs a cold start again only beyond the warm minimum.
  EXPECT_FALSE(granted(pool.acquire(at(800))).cold_start);
  EXPECT_TRUE(granted(pool.acquire(at(800))).cold_start);
}

// AWS News Blog, "New for AWS Lambda – 1ms Billing Granularity": a 27.40 ms invocation bills
// 28 ms; 60 million 28 ms invocations at 1 GB cost $12 in requests and $28 in duration. Here a
// thousandth of it, on a warm instance.
TEST(ServerlessPoolTest, LambdaBlogExampleBillsPerMillisecond) {
  ServerlessConfig c = lambda_like(fixed(0.2), 1.0);
  c.min_instances = 1;
  ServerlessPool pool(c, t0);
  const auto g = granted(pool.acquire(t0));
  pool.release(g.request, t0 + 27400us);
  EXPECT_NEAR(pool.cost_until(at(1)).compute, 0.028 * 0.0000166667, 1e-15);

  ServerlessPool month(c, t0);
  Time now = t0;
  for (int i = 0; i < 60000; ++i) {
    const auto r = granted(month.acquire(now));
    now += 28ms;
    month.release(r.request, now);
  }
  const ServerlessCost cost = month.cost_until(now);
  EXPECT_NEAR(cost.requests, 0.012, 1e-9);
  EXPECT_NEAR(cost.compute, 0.028, 1e-6);
  EXPECT_EQ(month.counters(now).cold_starts, 0u);
}

// Lambda bills the INIT phase (AWS Compute Blog, 2025): a 200 ms cold start before a 28 ms
// invocation bills 228 ms.
TEST(ServerlessPoolTest, ColdStartTimeIsBilledWhenConfigured) {
  ServerlessConfig c = lambda_like(fixed(0.2), 1.0);
  c.price_per_request = 0;
  ServerlessPool pool(c, t0);
  const auto g = granted(pool.acquire(t0));
  pool.release(g.request, g.ready_at + 28ms);
  EXPECT_NEAR(pool.cost_until(at(1)).compute, 0.228 * 0.0000166667, 1e-15);
  c.bill_cold_start = false;
  ServerlessPool unbilled(c, t0);
  const auto h = granted(unbilled.acquire(t0));
  unbilled.release(h.request, h.ready_at + 28ms);
  EXPECT_NEAR(unbilled.cost_until(at(1)).compute, 0.028 * 0.0000166667, 1e-15);
}

// Cloud Run pricing: billable instance time rounded up to 100 ms; concurrent requests share it.
TEST(ServerlessPoolTest, CloudRunBillsBusyInstanceTimeIn100msSteps) {
  ServerlessConfig c = cloud_run_like(fixed(1), 1.0, 0.5);
  c.min_instances = 1;
  c.price_per_request = 0;
  const double per_second = 1.0 * 0.000024 + 0.5 * 0.0000025;
  ServerlessPool pool(c, t0);
  // Two overlapping requests: busy from 0 to 150 ms -> 200 ms billed once.
  const auto a = granted(pool.acquire(t0));
  const auto b = granted(pool.acquire(t0 + 50ms));
  EXPECT_EQ(a.instance, b.instance);
  pool.release(a.request, t0 + 120ms);
  pool.release(b.request, t0 + 150ms);
  EXPECT_NEAR(pool.cost_until(at(1)).compute, 0.2 * per_second, 1e-15);
  // Two separate busy periods of 120 ms each bill 200 ms each.
  const auto d = granted(pool.acquire(at(2)));
  pool.release(d.request, at(2) + 120ms);
  EXPECT_NEAR(pool.cost_until(at(3)).compute, 0.4 * per_second, 1e-15);
}

// Cost read while a request runs counts the time so far, unrounded; rounding comes at the end.
TEST(ServerlessPoolTest, CostUntilCountsRunningRequestsSoFar) {
  ServerlessConfig c = lambda_like(fixed(0.2), 2.0);
  c.min_instances = 1;
  c.price_per_request = 0;
  ServerlessPool pool(c, t0);
  const auto g = granted(pool.acquire(t0));
  EXPECT_NEAR(pool.cost_until(t0 + 500ms).compute, 0.5 * 2.0 * 0.0000166667, 1e-15);
  pool.release(g.request, t0 + 500400us);
  EXPECT_NEAR(pool.cost_until(at(5)).compute, 0.501 * 2.0 * 0.0000166667, 1e-15);
}

// Warm minimum billed all the time (Lambda provisioned concurrency) or only while idle (Cloud
// Run min instances: idle instances = min - active).
TEST(ServerlessPoolTest, WarmMinimumBilling) {
  ServerlessConfig always = unpriced(lambda_like(fixed(0.2), 1.0));
  always.min_instances = 2;
  always.warm_price_per_gb_second = 0.001;
  ServerlessPool a(always, t0);
  EXPECT_NEAR(a.cost_until(at(10)).warm, 2 * 10 * 0.001, 1e-12);

  ServerlessConfig idle = unpriced(cloud_run_like(fixed(1), 1.0, 1.0));
  idle.concurrency = 1;
  idle.min_instances = 2;
  idle.warm_price_per_vcpu_second = 0.01;
  ServerlessPool b(idle, t0);
  const auto r = granted(b.acquire(at(2)));  // one of the two is active from 2 s to 6 s
  b.release(r.request, at(6));
  // Idle warm time over 10 s: 2 x 10 - 4 = 16 instance-seconds.
  EXPECT_NEAR(b.cost_until(at(10)).warm, 16 * 0.01, 1e-12);
}

}  // namespace
}  // namespace sluice::sim
