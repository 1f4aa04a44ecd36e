#pragma once
// The Kubernetes HorizontalPodAutoscaler controller (autoscaling/v2) for one scale target, with
// time as an input: the engine calls sync() every sync_period() (15 s by default) with the pods it
// runs, and applies the returned replica count.
//
// What it follows, from k8s.io/kubernetes pkg/controller/podautoscaler/horizontal.go
// (reconcileAutoscaler) and replica_calculator.go:
// - currentReplicas is the scale's spec.replicas. 0 disables scaling; above maxReplicas it is set
//   to maxReplicas, below minReplicas to minReplicas, without looking at metrics.
// - Each metric proposes ceil(readyPods x current / target), within the tolerance (10 %) no change,
//   with the conservative pass for pods that are missing samples or not yet ready (see
//   hpa_replica_calculator.hpp). The largest proposal wins; if some metrics fail and the others
//   would scale down, nothing changes; if all fail, nothing changes.
// - Without spec.behavior (normalizeDesiredReplicas): the highest recommendation of the last
//   downscale-stabilization window (300 s) is taken, then clamped to [min, max] and to at most
//   max(2 x current, 4).
// - With spec.behavior (normalizeDesiredReplicasWithBehaviors, defaults filled in): the
//   recommendation is kept between the lowest of the scale-up window and the highest of the
//   scale-down window, then limited by the policies (Pods / Percent per period, counting the
//   replicas already added or removed within each period; selectPolicy Max, Min or Disabled) and
//   by [min, max].
// Recommendations and scale events are kept only as long as a window or period can still see them.
// Not modelled: object and external metric sources, scale to zero (the HPAScaleToZero gate).

#include <string>
#include <vector>

#include "sim/platform/hpa_config.hpp"
#include "sim/platform/hpa_replica_calculator.hpp"
#include "sim/platform/time.hpp"

namespace sluice::sim {

struct HpaDecision {
  int current_replicas = 0;
  int desired_replicas = 0;  // what the controller writes to spec.replicas
  // The largest metric proposal, before stabilization and limits; -1 when none was computed.
  int metric_replicas = -1;
  std::vector<HpaMetricProposal> proposals;  // one per metric, in spec order
  // The controller's condition reason for the outcome: DesiredWithinRange, ScaleDownStabilized,
  // ScaleUpStabilized, ScaleUpLimit, ScaleDownLimit, TooManyReplicas, TooFewReplicas,
  // AboveMaxReplicas, BelowMinReplicas, ScalingDisabled or FailedGetMetrics.
  std::string reason;
  bool rescaled() const { return desired_replicas != current_replicas; }
};

class HorizontalPodAutoscaler {
 public:
  // The config must name at least one metric and have 1 <= min_replicas <= max_replicas
  // (the API server's validation); anything else throws std::invalid_argument.
  explicit HorizontalPodAutoscaler(HpaConfig config);

  // One reconciliation at `now`: `current_replicas` is the scale target's spec.replicas and `pods`
  // the pods its selector lists (starting, running and terminating ones). Calls must come in
  // non-decreasing time order.
  HpaDecision sync(Time now, int current_replicas, const std::vector<HpaPod>& pods);

  std::chrono::seconds sync_period() const { return config_.sync_period; }
  const HpaConfig& config() const { return config_; }

 private:
  struct Recommendation {
    int replicas;
    Time at;
  };
  struct ScaleEvent {
    int change;  // replicas added (scale-up list) or removed (scale-down list), positive
    Time at;
  };
  struct Normalized {
    int replicas;
    std::string reason;
  };

  Normalized normalize(Time now, int current, int proposed);
  Normalized normalize_with_behavior(Time now, int current, int proposed);
  void store_scale_event(Time now, int previous, int desired);
  int replicas_changed_within(const std::vector<ScaleEvent>& events, std::chrono::seconds period,
                              Time now) const;
  int scale_up_limit(Time now, int current) const;
  int scale_down_limit(Time now, int current) const;

  HpaConfig config_;
  HpaScalingRules up_;    // resolved behavior.scaleUp (used only when config_.behavior is set)
  HpaScalingRules down_;  // resolved behavior.scaleDown
  HpaTolerances tolerances_;
  bool seen_ = false;  // recordInitialRecommendation ran
  std::vector<Recommendation> recommendations_;
  std::vector<ScaleEvent> up_events_;
  std::vector<ScaleEvent> down_events_;
};

}  // namespace sluice::sim
