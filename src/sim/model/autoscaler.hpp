#pragma once
// The autoscaler a platform section names (`autoscaling:` of the API tier, or of a hybrid
// platform's workers): the Kubernetes HPA (autoscaling/v2, with the scenario's behavior when it
// gives one) or ECS target tracking, on one per-member metric, between `min` and `max` members
// that a ReplicaProvisioner holds. The caller samples its members and applies the decisions.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sim/platform/horizontal_pod_autoscaler.hpp"
#include "sim/platform/replica_provisioner.hpp"
#include "sim/platform/target_tracking.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

struct ScaleEvent {
  double at = 0;  // seconds since the start
  int from = 0;   // desired members before
  int to = 0;     // and after
  std::string reason;
};

class Autoscaler {
 public:
  // `config.policy` is hpa or target_tracking (the scenario is validated). Metric `cpu` is a
  // utilization in percent (the HPA's Resource metric, each member requesting 100); any other is
  // an average value per member.
  Autoscaler(const AutoscalingConfig& config, int min, int max);
  ~Autoscaler();

  // Seconds between two evaluations: the HPA's sync period, or target tracking's period.
  double period() const { return period_; }

  // One evaluation at `now` of the members `members` holds. `metric_of(id)` gives a ready
  // member's metric over the period ending now, in the target's unit (the HPA asks every ready
  // member; target tracking takes their mean). The new desired count and its reason (the HPA's
  // condition reason, or AlarmHigh / AlarmLow) when it changes; nullopt otherwise.
  std::optional<ScaleEvent> evaluate(Time now, const ReplicaProvisioner& members,
                                     const std::function<double(ReplicaId)>& metric_of);

 private:
  std::unique_ptr<HorizontalPodAutoscaler> hpa_;
  std::unique_ptr<TargetTrackingPolicy> tracking_;
  double period_ = 0;
};

}  // namespace sluice::sim
