#pragma once
// The HorizontalPodAutoscaler's spec (autoscaling/v2) and the controller-manager flags it depends
// on, with Kubernetes' own defaults. Sources: k8s.io/kubernetes pkg/apis/autoscaling/v2/defaults.go
// (behavior defaults), pkg/controller/podautoscaler (controller), and the "Horizontal Pod
// Autoscaling" concept page (kubernetes.io/docs/concepts/workloads/autoscaling/).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sluice::sim {

// One entry of spec.metrics. Two target types cover what the simulator scales on:
// - resource_utilization: `type: Resource` with `target.type: Utilization`: the pods' summed usage
//   over their summed requests, in whole percent (CPU);
// - average_value: `type: Pods` (or Resource with `target.type: AverageValue`): the mean of a
//   per-pod value (in-flight requests, queue depth, tokens/min, cost/min).
struct HpaMetricSpec {
  enum class Target { resource_utilization, average_value };
  std::string name;  // for reasons and reports only
  Target target = Target::average_value;
  // resource_utilization: target utilization in percent (averageUtilization); average_value: the
  // target per-pod value (averageValue), in the same unit as the pods' samples.
  double target_value = 0;
  // resource_utilization only: each pod's request of the resource, in the unit of its samples.
  double pod_request = 0;
  // Whether the readiness rules for CPU apply (the controller applies them to the `cpu` resource
  // only): a pod still in its initialization period whose sample may predate its readiness is set
  // aside. True by default for resource_utilization.
  std::optional<bool> cpu_readiness_rules{};
};

// spec.behavior.scaleUp / scaleDown.policies[]
struct HpaScalingPolicy {
  enum class Type { pods, percent };
  Type type = Type::pods;
  int value = 0;
  std::chrono::seconds period{15};  // periodSeconds (1..1800)
};

enum class HpaSelectPolicy { max, min, disabled };

// spec.behavior.scaleUp / scaleDown. Unset fields take the defaults of
// GenerateHPAScaleUpRules / GenerateHPAScaleDownRules (see resolve_* below).
struct HpaScalingRules {
  std::optional<std::chrono::seconds> stabilization_window;
  std::optional<HpaSelectPolicy> select_policy;
  std::optional<std::vector<HpaScalingPolicy>> policies;
  std::optional<double> tolerance;  // HPAConfigurableTolerance (beta in 1.34)
};

struct HpaBehavior {
  HpaScalingRules scale_up;
  HpaScalingRules scale_down;
};

struct HpaConfig {
  int min_replicas = 1;  // spec.minReplicas (defaulted to 1)
  int max_replicas = 10;
  std::vector<HpaMetricSpec> metrics;
  // spec.behavior. Absent: the controller takes its older path (normalizeDesiredReplicas): the
  // downscale stabilization window below, and at most max(2 x current, 4) replicas per sync.
  // Present (even empty): normalizeDesiredReplicasWithBehaviors with every unset field defaulted.
  std::optional<HpaBehavior> behavior;

  // kube-controller-manager flags.
  double tolerance = 0.1;                               // --horizontal-pod-autoscaler-tolerance
  std::chrono::seconds downscale_stabilization{300};    // ...-downscale-stabilization
  std::chrono::seconds sync_period{15};                 // ...-sync-period
  std::chrono::seconds cpu_initialization_period{300};  // ...-cpu-initialization-period
  std::chrono::seconds initial_readiness_delay{30};     // ...-initial-readiness-delay
  // The window of a CPU sample as metrics-server reports it (its --metric-resolution, 15 s by
  // default): a sample is trusted only if it was taken one window after the pod became ready.
  std::chrono::seconds resource_metric_window{15};
};

// The scale-up rules with Kubernetes' defaults filled in: no stabilization, select Max over
// {4 pods per 15 s, 100 % per 15 s}.
HpaScalingRules resolve_scale_up(const HpaScalingRules& given);

// The scale-down rules with defaults filled in: stabilization = the controller's downscale window
// (300 s by default), select Max over {100 % per 15 s}.
HpaScalingRules resolve_scale_down(const HpaScalingRules& given,
                                   std::chrono::seconds downscale_stabilization);

}  // namespace sluice::sim
