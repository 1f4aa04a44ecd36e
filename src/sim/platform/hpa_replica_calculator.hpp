#pragma once
// One metric's replica proposal, as the HPA controller's ReplicaCalculator computes it
// (pkg/controller/podautoscaler/replica_calculator.go: GetResourceReplicas and
// calcPlainMetricReplicas; metrics/utilization.go for the ratios):
//
//   desired = ceil(readyPods x currentValue / targetValue)
//
// with no change while the ratio is within the tolerance, and the conservative second pass when
// pods are missing samples or not yet ready.

#include <optional>
#include <string>
#include <vector>

#include "sim/platform/hpa_config.hpp"
#include "sim/platform/time.hpp"

namespace sluice::sim {

// A pod of the scale target as the controller lists it at a sync.
//
// The simulator's choice for a replica that is starting: it is `pending` for its whole start-up
// (scheduled, image pulled, process warming up, not yet routable), so the controller sets it aside
// for every metric type, and on a scale-up counts it as using nothing (groupPods treats Pending
// pods as unready). A replica being removed is `terminating` (a deletion timestamp): ignored.
struct HpaPod {
  enum class Phase { pending, running, terminating };
  Phase phase = Phase::running;
  bool ready = true;   // the Ready condition, for running pods
  Time started_at{};   // status.startTime
  Time ready_since{};  // last transition of the Ready condition
  // One sample per HpaConfig::metrics entry, in the same order; nullopt: no sample for this pod
  // (a "missing" pod). Utilization metrics take the pod's usage in the unit of pod_request.
  std::vector<std::optional<double>> samples;
};

// isWithin: no change while (1 - scale_down) <= ratio <= (1 + scale_up).
struct HpaTolerances {
  double scale_down = 0.1;
  double scale_up = 0.1;
  bool within(double ratio) const { return 1.0 - scale_down <= ratio && ratio <= 1.0 + scale_up; }
};

struct HpaMetricProposal {
  int replicas = 0;        // the proposal; meaningful only when error is empty
  double current = 0;      // the metric as reported in the HPA status: whole percent, or the mean
  double usage_ratio = 0;  // current / target, before the conservative second pass
  std::string error;       // why no proposal could be made (no pods, no samples from ready pods)
  bool ok() const { return error.empty(); }
};

// The proposal of metric `index` of `config.metrics` at a sync at `now`. `current_replicas` is the
// scale's spec.replicas (returned unchanged when the change would be within tolerance).
HpaMetricProposal propose_replicas(const HpaConfig& config, std::size_t index, int current_replicas,
                                   const std::vector<HpaPod>& pods, const HpaTolerances& tolerances,
                                   Time now);

}  // namespace sluice::sim
