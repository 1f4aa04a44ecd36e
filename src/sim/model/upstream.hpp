#pragma once
// One simulated upstream service: a provider's deployments (or one model of them), shared by
// every replica, as the real service is shared by every gateway instance in front of it. It
// answers attempts with the scenario's latencies and faults, on the virtual clock, and holds what
// the real one enforces across all of its clients: its concurrency and its request rate.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "gateway/types.hpp"
#include "sim/engine/engine.hpp"
#include "sim/engine/random.hpp"
#include "sim/model/region_link.hpp"
#include "sim/model/request_plan.hpp"
#include "sim/scenario/distribution.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

class Upstream {
 public:
  // `timeouts`: the gateway provider's entry, whose connect/first-byte/idle/total timeouts the
  // gateway's HTTP client would apply to each attempt. `topology`: the scenario's regions, for an
  // upstream placed in one (config.region).
  Upstream(Engine& engine, const UpstreamConfig& config, const core::ProviderConfig& timeouts,
           const TopologyConfig& topology, std::uint64_t seed);

  // One attempt, as the gateway's HTTP client sees it: the failure it meets, or the answer
  // (streamed into `sink` when given: a first chunk at the first token, the last at the end).
  // `from_region`: the calling replica's region; an upstream placed in a region is reached over
  // the network between the two (region_latency), each way, on the gateway's timers.
  boost::asio::awaitable<gateway::AttemptResult> attempt(
      const RequestPlan& plan, gateway::RequestLimits limits, gateway::ChunkSink* sink,
      std::optional<std::size_t> from_region = std::nullopt);

  // Answers its next attempt as `answer` says (traffic.replay.answers): the n-th call gives the
  // n-th answer; attempts past the replayed ones follow the distributions.
  void replay(const ReplayedAnswer& answer) { replayed_.push_back(answer); }

  const std::string& provider() const { return provider_; }
  std::int64_t in_flight() const { return in_flight_; }

 private:
  struct Waiter {
    explicit Waiter(Engine& engine) : alarm(engine) {}
    Alarm alarm;
    bool granted = false;
  };
  class Slot;

  // A failure of `outcome`, after error_latency (cut to a timeout by `give_up`), reaching the
  // gateway `back` later (give_up is the upstream's last moment to answer in time).
  boost::asio::awaitable<gateway::AttemptResult> fail_after_latency(
      core::AttemptOutcome outcome, Time give_up, const gateway::RequestLimits& limits,
      Clock::duration back);
  // Waits for a concurrency slot until `give_up`; false when none came.
  boost::asio::awaitable<bool> acquire(Time give_up);
  void release();
  bool take_rate_token(Time now);
  gateway::AttemptResult failure(core::AttemptOutcome outcome) const;
  gateway::AttemptResult timed_out(const gateway::RequestLimits& limits) const;
  gateway::AttemptResult replayed_failure(const ReplayedAnswer& answer) const;
  boost::asio::awaitable<void> wait_until(Time at);
  // An attempt answered as a replayed log says.
  boost::asio::awaitable<gateway::AttemptResult> replayed_attempt(const ReplayedAnswer& answer,
                                                                  const RequestPlan& plan,
                                                                  gateway::RequestLimits limits,
                                                                  gateway::ChunkSink* sink);

  Engine& engine_;
  const std::string provider_;
  Distribution ttft_;
  Distribution per_token_;
  Distribution error_latency_;
  const int concurrency_;
  const double rate_per_second_;
  const double burst_;
  const std::chrono::milliseconds retry_after_;
  const double error_rate_;
  const double reset_rate_;
  std::vector<OutageConfig> outages_;
  const Clock::duration first_byte_timeout_;
  const Clock::duration idle_timeout_;
  const Clock::duration total_timeout_;
  Random random_;
  // Placed in a region: the network from each region's replicas (index: the region); empty when
  // not placed.
  std::vector<RegionLink> links_;

  std::int64_t in_flight_ = 0;
  std::deque<Waiter*> queue_;  // attempts waiting for a concurrency slot, first come first served
  double tokens_;              // the rate limit's bucket
  Time refilled_at_ = kStart;
  std::vector<ReplayedAnswer> replayed_;
  std::size_t next_replayed_ = 0;
};

}  // namespace sluice::sim
