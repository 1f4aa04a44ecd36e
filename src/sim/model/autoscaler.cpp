#include "sim/model/autoscaler.hpp"

#include <cmath>

#include "sim/engine/engine.hpp"
#include "sim/scenario/hpa_behavior_config.hpp"

namespace sluice::sim {
namespace {

std::chrono::seconds whole_seconds(core::Seconds s) {
  return std::chrono::seconds(std::llround(s.count()));
}

HpaConfig hpa_config(const AutoscalingConfig& a, int min, int max) {
  HpaConfig config;
  config.min_replicas = min;
  config.max_replicas = max;
  HpaMetricSpec metric;
  metric.name = a.metric;
  metric.target_value = a.target;
  if (a.metric == "cpu") {
    // Samples are percent of the admission slots, each replica "requesting" 100 of them.
    metric.target = HpaMetricSpec::Target::resource_utilization;
    metric.pod_request = 100;
  }
  config.metrics = {metric};
  config.tolerance = a.tolerance;
  config.downscale_stabilization = whole_seconds(a.scale_down_stabilization);
  config.sync_period = whole_seconds(a.sync_period);
  config.behavior = to_hpa_behavior(a.behavior);
  return config;
}

TargetTrackingConfig tracking_config(const AutoscalingConfig& a, int min, int max) {
  TargetTrackingConfig config;
  config.target_value = a.target;
  config.min_capacity = min;
  config.max_capacity = max;
  config.scale_out_cooldown = whole_seconds(a.scale_out_cooldown);
  config.scale_in_cooldown = whole_seconds(a.scale_in_cooldown);
  config.period = whole_seconds(a.period);
  config.disable_scale_in = a.disable_scale_in;
  return config;
}

}  // namespace

Autoscaler::Autoscaler(const AutoscalingConfig& config, int min, int max) {
  if (config.policy == "hpa") {
    hpa_ = std::make_unique<HorizontalPodAutoscaler>(hpa_config(config, min, max));
    period_ = config.sync_period.count();
  } else {
    tracking_ = std::make_unique<TargetTrackingPolicy>(tracking_config(config, min, max));
    period_ = config.period.count();
  }
}

Autoscaler::~Autoscaler() = default;

std::optional<ScaleEvent> Autoscaler::evaluate(Time now, const ReplicaProvisioner& members,
                                               const std::function<double(ReplicaId)>& metric_of) {
  const int current = members.desired();
  if (hpa_) {
    const auto pods = members.hpa_pods(
        [&](ReplicaId id) { return std::vector<std::optional<double>>{metric_of(id)}; });
    const HpaDecision d = hpa_->sync(now, current, pods);
    if (!d.rescaled()) return std::nullopt;
    return ScaleEvent{seconds_since_start(now), current, d.desired_replicas, d.reason};
  }
  const std::vector<ReplicaId> ready = members.ready_ids();
  if (ready.empty()) return std::nullopt;
  double sum = 0;
  for (ReplicaId id : ready) sum += metric_of(id);
  const double mean = sum / static_cast<double>(ready.size());
  const TargetTrackingDecision d = tracking_->on_datapoint(now, mean, current);
  if (d.action == TargetTrackingDecision::Action::none || d.desired_capacity == current)
    return std::nullopt;
  return ScaleEvent{
      seconds_since_start(now), current, d.desired_capacity,
      d.action == TargetTrackingDecision::Action::scale_out ? "AlarmHigh" : "AlarmLow"};
}

}  // namespace sluice::sim
