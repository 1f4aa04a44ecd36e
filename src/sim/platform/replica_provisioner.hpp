#pragma once
// The replicas of an always-on deployment between the autoscaler's decision and the router:
// a replica asked for is pending until its start-up delay (drawn from the caller's sampler) has
// passed, then ready (routable), and a replica taken away drains (no new requests) until the
// engine reports it idle or its grace period ends. Time is an input; the engine calls advance()
// at next_transition() and routes only to ready replicas.
//
// Which replicas go on a scale-down: pending ones first (the newest first), then ready ones (the
// most recently ready first), as a ReplicaSet prefers deleting unready and younger pods
// (k8s.io/kubernetes pkg/controller/controller_utils.go, ActivePods ordering).

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/platform/hpa_replica_calculator.hpp"
#include "sim/platform/time.hpp"

namespace sluice::sim {

using ReplicaId = std::uint64_t;

struct ProvisionedReplica {
  enum class State { pending, ready, draining };
  ReplicaId id = 0;
  State state = State::pending;
  Time created_at{};
  Time ready_at{};         // when it became (pending: will become) ready
  Time drain_deadline{};   // draining: when it is gone at the latest
  bool was_ready = false;  // draining: whether it had become ready before
};

// What advance() or set_desired() changed, for the engine to start or stop real replicas.
struct ReplicaTransition {
  enum class Kind { became_ready, draining, removed };
  Kind kind;
  ReplicaId id;
  Time at;
};

class ReplicaProvisioner {
 public:
  // `startup_delay` draws each new replica's time from request to ready; `drain_grace` bounds
  // draining (Kubernetes' terminationGracePeriodSeconds is 30 s by default). `initial_ready`
  // replicas exist and are ready at `start`.
  ReplicaProvisioner(DurationSampler startup_delay, Duration drain_grace, int initial_ready,
                     Time start);

  // Makes `desired` the number of pending plus ready replicas at `now`: adds pending replicas, or
  // drains the surplus. Returns the replicas that started draining. Settles due transitions first.
  std::vector<ReplicaTransition> set_desired(int desired, Time now);

  // Applies the transitions due by `now`, in time order: pending -> ready, draining -> removed
  // at the grace deadline.
  std::vector<ReplicaTransition> advance(Time now);

  // The engine saw a draining replica finish its last request: it is removed now. False if `id` is
  // not draining.
  bool drained(ReplicaId id);

  // The earliest pending transition (a replica becoming ready, a drain deadline), if any.
  std::optional<Time> next_transition() const;

  int desired() const { return pending() + ready(); }
  int pending() const { return count(ProvisionedReplica::State::pending); }
  int ready() const { return count(ProvisionedReplica::State::ready); }
  int draining() const { return count(ProvisionedReplica::State::draining); }
  // Every replica that exists (pending, ready or draining): what an always-on platform bills.
  int provisioned() const { return static_cast<int>(replicas_.size()); }

  const std::vector<ProvisionedReplica>& replicas() const { return replicas_; }
  std::vector<ReplicaId> ready_ids() const;

  // The replicas as the HPA lists them: pending ones Pending, ready ones Running and Ready,
  // draining ones terminating. `samples(id)` gives each running replica's metric samples.
  template <class SampleFn>
  std::vector<HpaPod> hpa_pods(SampleFn&& samples) const {
    std::vector<HpaPod> pods;
    pods.reserve(replicas_.size());
    for (const ProvisionedReplica& r : replicas_) {
      HpaPod p;
      p.started_at = r.created_at;
      p.ready_since = r.ready_at;
      p.phase = r.state == ProvisionedReplica::State::pending    ? HpaPod::Phase::pending
                : r.state == ProvisionedReplica::State::draining ? HpaPod::Phase::terminating
                                                                 : HpaPod::Phase::running;
      p.ready = r.state == ProvisionedReplica::State::ready;
      if (p.phase == HpaPod::Phase::running) p.samples = samples(r.id);
      pods.push_back(std::move(p));
    }
    return pods;
  }

 private:
  int count(ProvisionedReplica::State state) const;

  DurationSampler startup_delay_;
  Duration drain_grace_;
  ReplicaId next_id_ = 1;
  std::vector<ProvisionedReplica> replicas_;  // in creation order
};

}  // namespace sluice::sim
