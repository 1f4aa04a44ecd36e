// The shipped backlog example's headline numbers, from first principles: each expected value is
// worked out here from the scenario's own parameters, never copied from a run.
#include <gtest/gtest.h>

#include "sim/scenario/distribution_spec.hpp"
#include "sim_support.hpp"

namespace sluice::sim {
namespace {

TEST(BacklogSheddingExampleTest, ThroughputHoldsAtCapacityAndTheQueueShedsTheExcess) {
  auto loaded = load_scenario(SLUICE_SOURCE_DIR "/examples/simulate/backlog-shedding.yaml");
  ASSERT_TRUE(loaded) << core::to_string(loaded.error().at(0));
  const ScenarioConfig scenario = *loaded;
  // The parameters: one replica whose admission gate is the only bottleneck, a fixed service time.
  ASSERT_EQ(scenario.replicas.count, 1);
  ASSERT_EQ(scenario.traffic.arrivals, "uniform");
  ASSERT_EQ(scenario.traffic.phases.size(), 3u);
  const UpstreamConfig& upstream = scenario.providers.at(0);
  ASSERT_EQ(upstream.per_token.dist, "constant");
  ASSERT_EQ(upstream.concurrency, 0) << "the upstream itself serves any number";
  const double concurrency = scenario.admission.max_concurrency;
  const double queue = scenario.admission.max_queue;
  const double max_wait = std::chrono::duration<double>(scenario.admission.max_wait).count();
  const double completion = to_distribution(scenario.traffic.mix.at(0).completion_tokens).mean();
  const double service = to_distribution(upstream.ttft).mean() +
                         to_distribution(upstream.per_token).mean() * (completion - 1);
  const double capacity = concurrency / service;  // requests a second
  const double base = scenario.traffic.phases[0].rate;
  const double burst = scenario.traffic.phases[1].rate;
  const double burst_from = scenario.traffic.phases[0].duration.count();
  const double burst_for = scenario.traffic.phases[1].duration.count();
  const double burst_to = burst_from + burst_for;
  ASSERT_EQ(scenario.traffic.phases[2].rate, base);
  double weights = 0;
  double normal_weight = 0;
  for (const MixEntryConfig& m : scenario.traffic.mix) {
    weights += m.weight;
    if (m.priority == "normal") normal_weight += m.weight;
  }
  const double normal_share = normal_weight / weights;
  // The regime the example is about: under capacity, then over it, with normal-priority traffic
  // alone still under it.
  ASSERT_LT(base, capacity);
  ASSERT_GT(burst, capacity);
  ASSERT_LT(normal_share * burst, capacity);

  struct Seen {
    double arrival;
    double queue_wait;
    Cause cause;
    bool normal;
  };
  std::vector<Seen> seen;
  Simulation simulation(scenario);
  simulation.on_request([&](const RequestRecord& r) {
    seen.push_back(
        {r.arrival, r.queue_wait, r.cause, scenario.traffic.mix[r.mix].priority == "normal"});
  });
  const RunStats& stats = simulation.run();
  const SeriesStats& t = stats.totals();

  // Throughput: every window inside the burst, from one service time after it starts (the slots
  // still finish the work admitted before it), completes capacity x window requests. Evenly
  // spaced arrivals and a fixed service time leave only the window's edges uncertain: 1%.
  const double window = scenario.window.count();
  std::size_t full_windows = 0;
  for (std::size_t w = 0; w < stats.windows().size(); ++w) {
    const double start = static_cast<double>(w) * window;
    if (start < burst_from + service || start + window > burst_to) continue;
    ++full_windows;
    EXPECT_NEAR(static_cast<double>(stats.windows()[w].completed), capacity * window,
                0.01 * capacity * window)
        << "window " << w;
  }
  EXPECT_GT(full_windows, 0u);

  // Refused: the burst brings (burst - capacity) a second more than the slots serve; the queue
  // keeps `queue` of them (full at the burst's end), the rest are refused. Within one
  // concurrency's worth: the slots fill during the burst's first moments, and the backlog's head
  // may still time out as the burst ends.
  const auto count = [&](Cause c) {
    return static_cast<double>(t.causes[static_cast<std::size_t>(c)]);
  };
  const double refused = count(Cause::shed) + count(Cause::queue_timeout);
  EXPECT_NEAR(refused, (burst - capacity) * burst_for - queue, concurrency);
  EXPECT_GT(count(Cause::shed), 0) << "the full queue sheds";
  EXPECT_GT(count(Cause::queue_timeout), 0) << "low-priority waiters time out";
  EXPECT_EQ(static_cast<double>(t.failed()), refused) << "nothing else fails";

  // Who is refused and when: only low priority (normal traffic alone fits), only from the burst
  // on; no one waits longer than max_wait; nothing waits before the burst, and the backlog left at
  // its end drains at (capacity - base) a second: gone queue / (capacity - base) seconds later.
  double last_waiting_arrival = 0;
  std::uint64_t refused_normal = 0;
  std::uint64_t early = 0;
  for (const Seen& s : seen) {
    if (s.cause != Cause::none && s.normal) ++refused_normal;
    if ((s.cause != Cause::none || s.queue_wait > 0) && s.arrival < burst_from) ++early;
    if (s.queue_wait > 0) last_waiting_arrival = std::max(last_waiting_arrival, s.arrival);
  }
  EXPECT_EQ(refused_normal, 0u);
  EXPECT_EQ(early, 0u);
  EXPECT_LE(t.queue_wait.max(), max_wait + 1e-9);
  const double drained_by = burst_to + queue / (capacity - base);
  EXPECT_GT(last_waiting_arrival, burst_to);
  EXPECT_NEAR(last_waiting_arrival, drained_by, service);
}

}  // namespace
}  // namespace sluice::sim
