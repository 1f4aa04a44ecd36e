// The shipped server / serverless / hybrid examples (examples/simulate/platform-*.yaml): the
// same day of traffic on three platforms, their headline numbers worked out from the scenarios'
// own parameters and closed forms, each tolerance stated where it is checked.

#include <gtest/gtest.h>

#include <cmath>

#include "sim/scenario/distribution_spec.hpp"
#include "sim_support.hpp"
#include "store/lease_renewal_policy.hpp"

namespace sluice::sim {
namespace {

ScenarioConfig example(const std::string& name) {
  auto loaded = load_scenario(SLUICE_SOURCE_DIR "/examples/simulate/platform-" + name + ".yaml");
  if (!loaded) {
    ADD_FAILURE() << core::to_string(loaded.error().at(0));
    return {};
  }
  return *loaded;
}

// The traffic's rate at `t`: its step phases, the last one holding.
double rate_at(const TrafficConfig& traffic, double t) {
  double start = 0;
  for (const PhaseConfig& p : traffic.phases) {
    if (t < start + p.duration.count()) return p.rate;
    start += p.duration.count();
  }
  return traffic.phases.back().rate;
}

// The expected number of arrivals: the integral of the rate over the duration.
double expected_requests(const ScenarioConfig& s) {
  double total = 0;
  double start = 0;
  for (const PhaseConfig& p : s.traffic.phases) {
    total += p.rate * std::min(p.duration.count(), s.duration.count() - start);
    start += p.duration.count();
  }
  return total;
}

double weight_share(const ScenarioConfig& s, std::size_t entry) {
  double total = 0;
  for (const MixEntryConfig& m : s.traffic.mix) total += m.weight;
  return s.traffic.mix[entry].weight / total;
}

// A request's time at the upstream: ttft + per_token x (completion tokens - 1), per_token drawn
// once per attempt; the first two moments (the tokens' rounding to whole numbers ignored).
struct Moments {
  double mean = 0;
  double second = 0;
  double cs2() const { return second / (mean * mean) - 1; }
};
Moments service(const ScenarioConfig& s, const MixEntryConfig& m) {
  const Distribution ttft = to_distribution(s.providers.at(0).ttft);
  const Distribution per_token = to_distribution(s.providers.at(0).per_token);
  const Distribution tokens = to_distribution(m.completion_tokens);
  const double rest = tokens.mean() - 1;
  const double rest2 = tokens.second_moment() - 2 * tokens.mean() + 1;
  return {ttft.mean() + per_token.mean() * rest, ttft.second_moment() +
                                                     2 * ttft.mean() * per_token.mean() * rest +
                                                     per_token.second_moment() * rest2};
}

// The chance that a call for mix entry `m` lasts longer than `x` seconds: ttft + per_token x
// (tokens - 1), the tokens exponential (P(tokens - 1 > r) = exp(-(r + 1) / mean)), the ttft and
// the per-token time integrated over their quantiles (the midpoints of 400 and 200 slices of
// equal probability).
double service_longer_than(const ScenarioConfig& s, const MixEntryConfig& m, double x) {
  const Distribution ttft = to_distribution(s.providers.at(0).ttft);
  const Distribution per_token = to_distribution(s.providers.at(0).per_token);
  const double tokens = to_distribution(m.completion_tokens).mean();
  constexpr int kTtft = 400;
  constexpr int kPerToken = 200;
  double p = 0;
  for (int i = 0; i < kTtft; ++i) {
    const double first = ttft.quantile((i + 0.5) / kTtft);
    for (int j = 0; j < kPerToken; ++j) {
      const double rest = (x - first) / per_token.quantile((j + 0.5) / kPerToken);
      p += rest < 0 ? 1 : std::exp(-(rest + 1) / tokens);
    }
  }
  return p / (kTtft * kPerToken);
}

// Over the whole mix, weighted.
double mean_service(const ScenarioConfig& s) {
  double mean = 0;
  for (std::size_t i = 0; i < s.traffic.mix.size(); ++i)
    mean += weight_share(s, i) * service(s, s.traffic.mix[i]).mean;
  return mean;
}

// The upstream cost of the expected traffic: the mix's mean tokens at the price list's prices.
double expected_token_cost(const ScenarioConfig& s) {
  const core::PriceConfig& price = s.gateway.prices.at(0);
  double per_request = 0;
  for (std::size_t i = 0; i < s.traffic.mix.size(); ++i) {
    const MixEntryConfig& m = s.traffic.mix[i];
    per_request += weight_share(s, i) *
                   (to_distribution(m.prompt_tokens).mean() * price.input_per_million +
                    to_distribution(m.completion_tokens).mean() * price.output_per_million) /
                   1e6;
  }
  return expected_requests(s) * per_request;
}

// Erlang C: the probability that an arrival waits in M/M/c with offered load a (< c).
double erlang_c(int c, double a) {
  double term = 1;
  double sum = 1;
  for (int k = 1; k < c; ++k) {
    term *= a / k;
    sum += term;
  }
  const double last = term * a / c * c / (c - a);
  return last / (sum + last);
}

bool same_spec(const CountDistributionSpec& a, const CountDistributionSpec& b) {
  return a.dist == b.dist && a.value == b.value && a.mean == b.mean && a.min == b.min &&
         a.max == b.max && a.median == b.median && a.p99 == b.p99;
}
bool same_spec(const TimeDistributionSpec& a, const TimeDistributionSpec& b) {
  return a.dist == b.dist && a.value.count() == b.value.count() &&
         a.mean.count() == b.mean.count() && a.min.count() == b.min.count() &&
         a.max.count() == b.max.count() && a.median.count() == b.median.count() &&
         a.p99.count() == b.p99.count();
}

TEST(PlatformExamplesTest, TheThreeFilesHoldTheSameTraffic) {
  const ScenarioConfig server = example("server");
  for (const std::string name : {"serverless", "hybrid"}) {
    const ScenarioConfig other = example(name);
    EXPECT_EQ(other.duration.count(), server.duration.count()) << name;
    EXPECT_EQ(other.seed, server.seed) << name;
    ASSERT_EQ(other.traffic.phases.size(), server.traffic.phases.size()) << name;
    for (std::size_t i = 0; i < server.traffic.phases.size(); ++i) {
      EXPECT_EQ(other.traffic.phases[i].rate, server.traffic.phases[i].rate) << name;
      EXPECT_EQ(other.traffic.phases[i].duration.count(), server.traffic.phases[i].duration.count())
          << name;
    }
    ASSERT_EQ(other.traffic.mix.size(), server.traffic.mix.size()) << name;
    for (std::size_t i = 0; i < server.traffic.mix.size(); ++i) {
      const MixEntryConfig& a = server.traffic.mix[i];
      const MixEntryConfig& b = other.traffic.mix[i];
      EXPECT_EQ(a.weight, b.weight) << name;
      EXPECT_EQ(a.model, b.model) << name;
      EXPECT_EQ(a.stream, b.stream) << name;
      EXPECT_EQ(a.priority, b.priority) << name;
      EXPECT_TRUE(same_spec(a.prompt_tokens, b.prompt_tokens)) << name;
      EXPECT_TRUE(same_spec(a.completion_tokens, b.completion_tokens)) << name;
      // Only the hybrid platform sends the summaries through its queue.
      EXPECT_EQ(b.async, name == "hybrid" && i == 1) << name;
    }
    ASSERT_EQ(other.providers.size(), 1u);
    EXPECT_TRUE(same_spec(other.providers[0].ttft, server.providers[0].ttft)) << name;
    EXPECT_TRUE(same_spec(other.providers[0].per_token, server.providers[0].per_token)) << name;
    EXPECT_EQ(other.gateway.prices.at(0).input_per_million,
              server.gateway.prices.at(0).input_per_million);
    EXPECT_EQ(other.admission.max_concurrency, server.admission.max_concurrency);
  }
}

// What all three share: every request answered, the same tokens at the same prices.
void expect_the_days_traffic(const ScenarioConfig& s, const Simulation& simulation) {
  const SeriesStats& t = simulation.stats().totals();
  EXPECT_EQ(t.failed(), 0u);
  // Poisson arrivals: the count within 4 standard deviations (sqrt of the expected count).
  const double expected = expected_requests(s);
  const double requests =
      static_cast<double>(t.requests) +
      (simulation.async_workers()
           ? static_cast<double>(simulation.async_workers()->stats().jobs) -
                 static_cast<double>(simulation.async_workers()->stats().attempts)
           : 0);
  EXPECT_NEAR(requests, expected, 4 * std::sqrt(expected));
  // Token cost: within 3% (sampling: about 0.7%, the lognormal prompts' spread over 57,000
  // requests and the count's).
  EXPECT_NEAR(t.cost_usd, expected_token_cost(s), 0.03 * expected_token_cost(s));
}

TEST(PlatformExamplesTest, ServerBillsItsReplicasAllDay) {
  const ScenarioConfig s = example("server");
  Simulation simulation(s);
  simulation.run();
  expect_the_days_traffic(s, simulation);
  const FleetStats& fleet = simulation.fleet().stats();
  const double hours = s.duration.count() / 3600;
  // A fixed fleet: replica-hours x price, exactly.
  EXPECT_NEAR(fleet.replica_hours, s.platform.replicas.min * hours, 1e-9);
  EXPECT_NEAR(fleet.cost_usd, s.platform.replicas.min * hours * s.platform.price_per_replica_hour,
              1e-9);
  EXPECT_TRUE(fleet.scale_events.empty());
  EXPECT_NEAR(simulation.platform_cost_usd(), 4.80, 1e-9);
}

TEST(PlatformExamplesTest, ServerlessColdStartsAtNightAndBillsBusyTime) {
  const ScenarioConfig s = example("serverless");
  Simulation simulation(s);
  simulation.run();
  expect_the_days_traffic(s, simulation);
  const ServerlessStats& pool = simulation.serverless()->stats();
  const ServerlessPlatformConfig& c = s.platform.serverless;
  const double service_mean = mean_service(s);
  // One instance carries the day: about rate x mean service time in flight (11), far below its
  // 80 slots; nothing is refused.
  EXPECT_EQ(pool.peak_instances, 1);
  EXPECT_EQ(pool.throttled, 0u);
  // A request starts an instance when none is alive: when no request ended in the idle expiry
  // before it came. With Poisson arrivals at rate l(t), the expected count of cold starts is
  // the integral of l(t) exp(-L(t - T, t)) dt, L the rate's integral and T the idle expiry plus
  // a request's mean time (the instance idles from a request's end), the window cut at 0 (no
  // instance before the first request). A count of rare events: within 3.5 standard deviations
  // (the square root of the expected count).
  const double window = c.idle_expiry.count() + service_mean;
  const double duration = s.duration.count();
  std::vector<double> integral(static_cast<std::size_t>(duration) + 1, 0);  // L(0, t), 1 s steps
  for (std::size_t i = 1; i < integral.size(); ++i)
    integral[i] = integral[i - 1] + rate_at(s.traffic, static_cast<double>(i) - 0.5);
  double cold = 0;
  for (std::size_t i = 0; i + 1 < integral.size(); ++i) {
    const auto from = static_cast<std::size_t>(std::max(0.0, static_cast<double>(i) - window));
    cold += rate_at(s.traffic, static_cast<double>(i) + 0.5) *
            std::exp(-(integral[i] - integral[from]));
  }
  EXPECT_NEAR(static_cast<double>(pool.cold_starts_total), cold, 3.5 * std::sqrt(cold))
      << "expected " << cold;
  EXPECT_GT(cold, 15);  // the night's quiet hours make them: about 40% of the night's requests
  EXPECT_GE(pool.cold_start_requests, pool.cold_starts_total);
  // Their added latency is the cold start's: its mean within 3.5 standard errors of a mean of
  // that many draws.
  const Distribution start = to_distribution(c.cold_start);
  const double n = static_cast<double>(pool.cold_start_wait.count());
  const double sd = std::sqrt(start.second_moment() - start.mean() * start.mean());
  EXPECT_NEAR(pool.cold_start_wait.mean(), start.mean(), 3.5 * sd / std::sqrt(n));
  // Cloud Run bills the instance's busy time: with Poisson arrivals an M/G/infinity system is
  // empty with probability exp(-rate x mean time), so each phase of length D is busy for
  // D (1 - exp(-rate x mean time)); the day is busy throughout, the night for about 0.5%.
  // Within 1% (the count's and the night's sampling, and the 100 ms rounding of each busy
  // period, about 0.05 s each).
  double busy = 0;
  for (const PhaseConfig& p : s.traffic.phases)
    busy += p.duration.count() * (1 - std::exp(-p.rate * service_mean));
  EXPECT_NEAR(pool.cost.compute_seconds, busy, 0.01 * busy);
  // Cost = invocations x the request price + busy seconds x the vCPU and memory prices.
  const double per_second = c.vcpu * c.price_per_vcpu_second + c.memory_gb * c.price_per_gb_second;
  EXPECT_NEAR(pool.cost.total(),
              static_cast<double>(pool.invocations) * c.price_per_request +
                  pool.cost.compute_seconds * per_second,
              1e-9);
  const double expected_cost = expected_requests(s) * c.price_per_request + busy * per_second;
  EXPECT_NEAR(pool.cost.total(), expected_cost, 0.015 * expected_cost);
  EXPECT_LT(pool.cost.total(), 0.2 * 4.80) << "far below the server file's always-on $4.80";
  EXPECT_EQ(pool.cost.warm, 0);
}

TEST(PlatformExamplesTest, HybridQueuesTheSummariesForItsWorkers) {
  const ScenarioConfig s = example("hybrid");
  Simulation simulation(s);
  simulation.run();
  expect_the_days_traffic(s, simulation);
  const AsyncStats& a = simulation.async_workers()->stats();
  const WorkerPoolConfig& w = s.platform.workers;
  // One request in four is a job: their count within 4 standard deviations of a binomial share.
  const double expected_jobs = expected_requests(s) * weight_share(s, 1);
  EXPECT_NEAR(static_cast<double>(a.jobs), expected_jobs, 4 * std::sqrt(expected_jobs));
  EXPECT_EQ(a.done, a.jobs);
  EXPECT_EQ(a.dead_letters + a.retries + a.expired_leases + a.lost_answers, 0u);
  EXPECT_EQ(a.attempts, a.jobs);
  // The workers renew a summary's lease every third of the 60 s lease while its call runs, as the
  // ingest workers do: a call longer than k x 20 s is renewed k times, so the renewals are
  // jobs x sum over k of P(call > 20 k) (about 0.016 a job: the tail of the exponential's 1,300
  // tokens and more), within 4 standard deviations of a Poisson count (seeds 1 to 5: 189 to 262,
  // against 233 expected). None is taken over, however long.
  ASSERT_EQ(s.traffic.mix[1].completion_tokens.dist, "exponential");
  const double period = std::chrono::duration<double>(
                            store::LeaseRenewalPolicy{.lease = s.platform.queue.lease}.period())
                            .count();
  double renewals_per_job = 0;
  for (int k = 1; k <= 10; ++k)
    renewals_per_job += service_longer_than(s, s.traffic.mix[1], k * period);
  const double renewals = renewals_per_job * static_cast<double>(a.jobs);
  EXPECT_NEAR(static_cast<double>(a.lease_renewals), renewals, 4 * std::sqrt(renewals));
  // Through the working day the workers are an M/G/c queue: c = 4 workers, Poisson arrivals at
  // the day's rate x the summaries' share, service the upstream's time for a summary. Mean wait
  // by Allen and Cunneen: Erlang C / (c mu - lambda) x (1 + cs^2) / 2. At night the workers are
  // idle and a job does not wait. Within 30%: a day's mean wait varies by about 11% from seed to
  // seed (seeds 1 to 7: 0.93 s to 1.29 s), and the approximation's own error at this load and
  // cs^2 (0.85) is a few percent.
  const Moments job = service(s, s.traffic.mix[1]);
  const double day_rate = s.traffic.phases[1].rate * weight_share(s, 1);
  const int c = w.replicas.min * w.concurrency;
  const double load = day_rate * job.mean;
  ASSERT_LT(load, c);
  const double day_wait = erlang_c(c, load) / (c / job.mean - day_rate) * (1 + job.cs2()) / 2;
  const double day_jobs = day_rate * s.traffic.phases[1].duration.count();
  const double wait = day_wait * day_jobs / expected_jobs;
  EXPECT_NEAR(a.queue_wait.mean(), wait, 0.3 * wait) << "Allen-Cunneen: " << wait;
  // Enqueued to done: the wait plus the service time, whose mean is within 3% (about 1% sampling
  // over 14,000 jobs, the tokens' rounding).
  EXPECT_NEAR(a.latency.mean() - a.queue_wait.mean(), job.mean, 0.03 * job.mean);
  // The API tier never sees more summaries at once than there are worker slots.
  EXPECT_EQ(a.peak_workers, c);
  for (const LevelWindow& workers : a.workers) EXPECT_EQ(workers.min, c);
  EXPECT_GT(a.peak_depth, 0);
  // Always-on replicas and workers: replica-hours and worker-hours x their prices, exactly.
  const double hours = s.duration.count() / 3600;
  EXPECT_NEAR(a.worker_hours, c * hours, 1e-9);
  EXPECT_NEAR(a.cost_usd, w.replicas.min * hours * w.price_per_worker_hour, 1e-9);
  EXPECT_NEAR(simulation.platform_cost_usd(), 4.80 + 3.84, 1e-9);
}

}  // namespace
}  // namespace sluice::sim
