#pragma once
// A serverless platform's instance pool (Lambda-like, Cloud Run-like) with time as an input: the
// engine asks for a slot when a request arrives, gives it back when the request ends, and reads
// the cost accrued so far. No clock, no randomness of its own: cold starts come from the
// caller's sampler.
//
// Placement: a ready instance with a free slot serves at once; failing that, an instance still
// starting with a free slot takes the request, which waits for that start to finish; failing
// that, a new instance is started (a cold start) if fewer than max_instances exist; failing
// that, the request is throttled or queued (ServerlessConfig::overflow). Among candidates the
// busiest instance is preferred, so that spare instances go idle and expire. min_instances are
// warm from the pool's start and never expire; others expire after idle_expiry without requests.
//
// Billing (cost_until): request fees when a request gets a slot; compute per the billing mode,
// each billed duration rounded up to the granularity when it ends (a request, or a busy period),
// the part still running counted as elapsed so far; the warm cost of min_instances per
// warm_billing.

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <variant>
#include <vector>

#include "sim/platform/serverless_config.hpp"
#include "sim/platform/time.hpp"

namespace sluice::sim {

using InstanceId = std::uint64_t;
using RequestId = std::uint64_t;

// A slot on an instance: the request may run from ready_at (now, or when a cold start ends).
struct ServerlessGrant {
  RequestId request = 0;
  InstanceId instance = 0;
  Time ready_at{};
  bool cold_start = false;  // this request started a new instance
};
// Waiting for a slot until `deadline` (queue overflow only); release() or expire_queue() ends it.
struct ServerlessQueued {
  RequestId request = 0;
  Time deadline{};
};
// Refused: every instance busy and max_instances running (and the queue full, when queuing).
struct ServerlessThrottled {};

using ServerlessAcquire = std::variant<ServerlessGrant, ServerlessQueued, ServerlessThrottled>;

struct ServerlessCounters {
  std::uint64_t requests = 0;     // requests that got a slot
  std::uint64_t cold_starts = 0;  // instances started for a request (min_instances excluded)
  std::uint64_t throttles = 0;    // refused at once, or timed out in the queue
  std::uint64_t queued = 0;       // requests that had to wait in the queue
  double instance_seconds = 0;    // lifetime of every instance, cold starts included
  int instances = 0;              // alive now
  int peak_instances = 0;
  int in_flight = 0;  // requests holding a slot now
};

struct ServerlessCost {
  double requests = 0;         // per-request fees
  double compute = 0;          // billed duration (active)
  double warm = 0;             // min_instances kept warm
  double compute_seconds = 0;  // the billed duration itself, seconds
  double total() const { return requests + compute + warm; }
};

// An instance that expire_idle removed, and when its idle time ran out.
struct ServerlessExpiry {
  InstanceId instance = 0;
  Time gone_at{};
};

class ServerlessPool {
 public:
  // Throws std::invalid_argument for a config that cannot run (no cold-start sampler,
  // concurrency < 1, min_instances > max_instances, ...).
  ServerlessPool(ServerlessConfig config, Time start);

  // A slot for a request arriving at `now`.
  ServerlessAcquire acquire(Time now);

  // The request ended (or was abandoned) at `now`, freeing its slot. If a queued request can take
  // the slot, it is granted at once and returned, for the engine to start. Unknown ids (already
  // released, or still queued: see cancel) change nothing.
  std::optional<ServerlessGrant> release(RequestId request, Time now);

  // A queued request gave up (its client left): it leaves the queue without being throttled.
  bool cancel(RequestId request);

  // Queued requests whose deadline has passed by `now` are refused (counted as throttles).
  std::vector<RequestId> expire_queue(Time now);

  // Instances idle for idle_expiry by `now` are removed, keeping min_instances; returns how many.
  int expire_idle(Time now);
  // The same, naming each instance removed, the longest idle first.
  std::vector<ServerlessExpiry> expire_idle_instances(Time now);

  // The earliest queue deadline or idle expiry still to come, for the engine's next timer.
  std::optional<Time> next_deadline() const;

  // Cost accrued up to `now` (not before the last call that changed the pool).
  ServerlessCost cost_until(Time now) const;
  ServerlessCounters counters(Time now) const;

  const ServerlessConfig& config() const { return config_; }

 private:
  struct Instance {
    InstanceId id;
    Time created_at;
    Time ready_at;
    int in_flight = 0;
    Time idle_since{};  // meaningful while in_flight == 0
    Time busy_from{};   // per_instance_busy: start of the current busy period
    bool cold = false;  // started for a request (not one of the warm minimum)
    bool billed_once = false;
  };
  struct Running {
    InstanceId instance;
    Time billed_from;  // per_request: where this request's billed duration starts
  };

  ServerlessGrant place(RequestId request, Time now);
  Instance* find_slot(Time now);
  void occupy(Instance& instance, Time now);
  void set_busy_instances(int busy, Time now);
  double active_price_per_second() const;
  double warm_price_per_second() const;

  ServerlessConfig config_;
  Time start_;
  InstanceId next_instance_ = 1;
  RequestId next_request_ = 1;
  std::vector<Instance> instances_;
  std::unordered_map<RequestId, Running> running_;
  std::deque<ServerlessQueued> queue_;

  ServerlessCounters counters_;
  double retired_instance_seconds_ = 0;  // of expired instances
  double request_fees_ = 0;
  double compute_seconds_billed_ = 0;  // closed billed durations, seconds
  // while_idle warm billing: the warm-but-idle instance time, integrated at each change of the
  // number of busy instances.
  int busy_instances_ = 0;
  Time busy_changed_at_;
  double idle_warm_seconds_ = 0;
};

}  // namespace sluice::sim
