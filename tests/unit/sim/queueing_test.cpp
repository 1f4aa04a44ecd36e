// Queueing theory against the simulator, with the production AdmissionGate as the queue and the
// simulated upstream as the servers: admission.max_concurrency = c servers, admission.max_queue
// the waiting room, max_wait long enough never to end a wait; the upstream's time to first token
// is the service time (one output token, no per-token time), so a request holds its admission
// slot exactly for its service. The wait measured is the time from arrival to admission. Closed
// forms are computed here; a warm-up (the first 2% of the run) is left out; each check states the
// batch-means standard error of its estimate, so that the 2% tolerance is several errors wide.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "sim_support.hpp"

namespace sluice::sim {
namespace {

struct Queue {
  int servers = 1;
  int waiting_room = 1'000'000;
  double arrival_rate = 1;
  std::string service;  // the upstream's ttft distribution
  double duration = 0;  // seconds of arrivals
};

std::string scenario_yaml(const Queue& q) {
  char head[256];
  std::snprintf(head, sizeof head, "duration: %.0fs\nseed: 11\ntraffic:\n  rate: %.6f\n",
                q.duration, q.arrival_rate);
  return std::string(head) +
         "  mix:\n"
         "    - model: q\n"
         "      prompt_tokens: {dist: constant, value: 0}\n"
         "      completion_tokens: {dist: constant, value: 1}\n"
         "providers:\n"
         "  - provider: server\n"
         "    ttft: " +
         q.service +
         "\n"
         "    per_token: {dist: constant, value: 0}\n"
         "gateway:\n"
         "  providers: [{name: server, type: mock, first_byte_timeout: 1h, total_timeout: 1h}]\n"
         "  models: [{alias: q, deployments: [{provider: server, model: s}]}]\n"
         "  request_timeout: 1h\n"
         "admission:\n"
         "  max_concurrency: " +
         std::to_string(q.servers) + "\n  max_queue: " + std::to_string(q.waiting_room) +
         "\n  max_wait: 1d\n";
}

// What the run measured after the warm-up.
struct Measured {
  std::size_t arrivals = 0;
  std::size_t waited = 0;   // admitted after queueing
  std::size_t refused = 0;  // shed: the waiting room was full
  double wait_sum = 0;
  // Batch means of the wait, for its standard error.
  std::vector<double> batch_wait_means;
  std::vector<double> batch_waited_shares;
  std::vector<double> batch_refused_shares;

  double mean_wait() const { return wait_sum / static_cast<double>(arrivals - refused); }
  double wait_probability() const {
    return static_cast<double>(waited) / static_cast<double>(arrivals - refused);
  }
  double blocking() const { return static_cast<double>(refused) / static_cast<double>(arrivals); }
};

double standard_error(const std::vector<double>& batches) {
  double mean = 0;
  for (double b : batches) mean += b;
  mean /= static_cast<double>(batches.size());
  double var = 0;
  for (double b : batches) var += (b - mean) * (b - mean);
  var /= static_cast<double>(batches.size() - 1);
  return std::sqrt(var / static_cast<double>(batches.size()));
}

Measured run(const Queue& q) {
  Simulation simulation(testing::scenario_of(scenario_yaml(q)));
  const double warm_up = q.duration * 0.02;
  constexpr int kBatches = 30;
  const double batch_length = (q.duration - warm_up) / kBatches;
  Measured m;
  std::vector<double> sums(kBatches, 0), counts(kBatches, 0), waited(kBatches, 0),
      refused(kBatches, 0), arrivals(kBatches, 0);
  simulation.on_request([&](const RequestRecord& r) {
    if (r.arrival < warm_up) return;
    const auto b = std::min<std::size_t>(
        kBatches - 1, static_cast<std::size_t>((r.arrival - warm_up) / batch_length));
    ++m.arrivals;
    ++arrivals[b];
    EXPECT_TRUE(r.cause == Cause::none || r.cause == Cause::shed) << to_string(r.cause);
    if (!r.admitted) {
      ++m.refused;
      ++refused[b];
      return;
    }
    m.wait_sum += r.queue_wait;
    m.waited += r.queue_wait > 0 ? 1 : 0;
    sums[b] += r.queue_wait;
    waited[b] += r.queue_wait > 0 ? 1 : 0;
    ++counts[b];
  });
  simulation.run();
  for (int b = 0; b < kBatches; ++b) {
    m.batch_wait_means.push_back(counts[b] > 0 ? sums[b] / counts[b] : 0);
    m.batch_waited_shares.push_back(counts[b] > 0 ? waited[b] / counts[b] : 0);
    m.batch_refused_shares.push_back(arrivals[b] > 0 ? refused[b] / arrivals[b] : 0);
  }
  return m;
}

double factorial(int n) { return n <= 1 ? 1 : n * factorial(n - 1); }

void expect_within(double measured, double expected, double standard_error, double tolerance,
                   const char* what) {
  const double error = (measured - expected) / expected;
  std::printf(
      "[ queueing ] %s: measured %.6f, theory %.6f, error %+.3f%% (standard error %.3f%%)\n", what,
      measured, expected, 100 * error, 100 * standard_error / expected);
  EXPECT_LT(std::abs(error), tolerance) << what;
  // The tolerance must be wide against the noise, or a pass would be luck.
  EXPECT_LT(3 * standard_error / expected, tolerance) << what << ": run more requests";
}

// M/M/c: Poisson arrivals, exponential service, c servers, unbounded queue. Erlang C gives the
// probability of waiting and the mean wait.
TEST(QueueingTest, MMcMatchesErlangC) {
  Queue q;
  q.servers = 3;
  q.arrival_rate = 1.8;  // per-server load 0.6
  q.service = "{dist: exponential, mean: 1s}";
  q.duration = 1'100'000;
  const double a = q.arrival_rate * 1.0;
  double below = 0;
  for (int k = 0; k < q.servers; ++k) below += std::pow(a, k) / factorial(k);
  const double top = std::pow(a, q.servers) / factorial(q.servers) * q.servers / (q.servers - a);
  const double erlang_c = top / (below + top);
  const double mean_wait = erlang_c / (q.servers * 1.0 - q.arrival_rate);

  const Measured m = run(q);
  ASSERT_GT(m.arrivals, 1'900'000u);
  EXPECT_EQ(m.refused, 0u);
  expect_within(m.wait_probability(), erlang_c, standard_error(m.batch_waited_shares), 0.02,
                "M/M/3 P(wait)");
  expect_within(m.mean_wait(), mean_wait, standard_error(m.batch_wait_means), 0.02,
                "M/M/3 mean wait");
}

// M/M/c/K: the waiting room holds K - c; an arrival that finds it full is shed. Its blocking
// probability is the stationary probability of K in the system.
TEST(QueueingTest, MMcKMatchesItsBlockingProbability) {
  Queue q;
  q.servers = 2;
  q.waiting_room = 3;  // K = 5
  q.arrival_rate = 2.0;
  q.service = "{dist: exponential, mean: 1s}";
  q.duration = 250'000;
  const int k_max = q.servers + q.waiting_room;
  const double a = q.arrival_rate * 1.0;
  std::vector<double> p(k_max + 1);
  double total = 0;
  for (int n = 0; n <= k_max; ++n) {
    p[n] = n <= q.servers
               ? std::pow(a, n) / factorial(n)
               : std::pow(a, n) / (factorial(q.servers) * std::pow(q.servers, n - q.servers));
    total += p[n];
  }
  const double blocking = p[k_max] / total;

  const Measured m = run(q);
  ASSERT_GT(m.arrivals, 480'000u);
  expect_within(m.blocking(), blocking, standard_error(m.batch_refused_shares), 0.02,
                "M/M/2/5 blocking");
}

// M/G/1: one server, a general service time. Pollaczek-Khinchine: the mean wait is
// lambda E[S^2] / (2 (1 - rho)).
TEST(QueueingTest, MG1MatchesPollaczekKhinchine) {
  Queue q;
  q.servers = 1;
  q.arrival_rate = 0.6;
  q.service = "{dist: uniform, min: 0.25s, max: 1.75s}";  // mean 1, E[S^2] = 1.1875
  q.duration = 800'000;
  const Distribution service = Distribution::uniform(0.25, 1.75);
  const double rho = q.arrival_rate * service.mean();
  const double mean_wait = q.arrival_rate * service.second_moment() / (2 * (1 - rho));

  const Measured m = run(q);
  ASSERT_GT(m.arrivals, 470'000u);
  expect_within(m.mean_wait(), mean_wait, standard_error(m.batch_wait_means), 0.02,
                "M/G/1 mean wait");
  // And the probability of waiting is rho, whatever the service distribution.
  expect_within(m.wait_probability(), rho, standard_error(m.batch_waited_shares), 0.02,
                "M/G/1 P(wait)");
}

}  // namespace
}  // namespace sluice::sim
