#include "sim/platform/horizontal_pod_autoscaler.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <stdexcept>

namespace sluice::sim {

namespace {

std::chrono::seconds longest_period(const HpaScalingRules& rules) {
  std::chrono::seconds longest{0};
  for (const HpaScalingPolicy& p : *rules.policies) longest = std::max(longest, p.period);
  return longest;
}

// The API server's validation of HPAScalingRules: a window of at most an hour, at least one
// policy unless the direction is disabled, positive values, periods of 1 to 1800 s.
void validate_rules(const HpaScalingRules& rules) {
  const auto window = *rules.stabilization_window;
  if (window < std::chrono::seconds{0} || window > std::chrono::hours{1}) {
    throw std::invalid_argument("stabilizationWindowSeconds must be within 0..3600");
  }
  if (*rules.select_policy != HpaSelectPolicy::disabled && rules.policies->empty()) {
    throw std::invalid_argument("scaling rules need at least one policy");
  }
  for (const HpaScalingPolicy& p : *rules.policies) {
    if (p.value <= 0) throw std::invalid_argument("a scaling policy's value must be > 0");
    if (p.period <= std::chrono::seconds{0} || p.period > std::chrono::seconds{1800}) {
      throw std::invalid_argument("a scaling policy's periodSeconds must be within 1..1800");
    }
  }
}

}  // namespace

HorizontalPodAutoscaler::HorizontalPodAutoscaler(HpaConfig config) : config_(std::move(config)) {
  if (config_.metrics.empty()) throw std::invalid_argument("an HPA needs at least one metric");
  if (config_.min_replicas < 1 || config_.max_replicas < config_.min_replicas) {
    throw std::invalid_argument("an HPA needs 1 <= minReplicas <= maxReplicas");
  }
  for (const HpaMetricSpec& m : config_.metrics) {
    if (!(m.target_value > 0))
      throw std::invalid_argument("metric " + m.name + ": target must be > 0");
  }
  tolerances_ = {config_.tolerance, config_.tolerance};
  if (config_.behavior) {
    up_ = resolve_scale_up(config_.behavior->scale_up);
    down_ = resolve_scale_down(config_.behavior->scale_down, config_.downscale_stabilization);
    validate_rules(up_);
    validate_rules(down_);
    // tolerancesForHpa: per-direction tolerances from the behavior, when set.
    if (config_.behavior->scale_up.tolerance) tolerances_.scale_up = *up_.tolerance;
    if (config_.behavior->scale_down.tolerance) tolerances_.scale_down = *down_.tolerance;
  }
}

HpaDecision HorizontalPodAutoscaler::sync(Time now, int current, const std::vector<HpaPod>& pods) {
  HpaDecision d;
  d.current_replicas = current;
  d.desired_replicas = current;
  if (!seen_) {  // recordInitialRecommendation
    recommendations_.push_back({current, now});
    seen_ = true;
  }

  if (current == 0) {
    d.reason = "ScalingDisabled";
    return d;
  }
  if (current > config_.max_replicas || current < config_.min_replicas) {
    d.desired_replicas =
        current > config_.max_replicas ? config_.max_replicas : config_.min_replicas;
    d.reason = current > config_.max_replicas ? "AboveMaxReplicas" : "BelowMinReplicas";
    store_scale_event(now, current, d.desired_replicas);
    return d;
  }

  // computeReplicasForMetrics: the largest proposal of the metrics that could be computed.
  int invalid = 0;
  int proposed = 0;
  for (std::size_t i = 0; i < config_.metrics.size(); ++i) {
    d.proposals.push_back(propose_replicas(config_, i, current, pods, tolerances_, now));
    const HpaMetricProposal& p = d.proposals.back();
    if (!p.ok()) {
      ++invalid;
      continue;
    }
    if (proposed == 0 || p.replicas > proposed) proposed = p.replicas;
  }
  if (invalid >= static_cast<int>(config_.metrics.size()) || (invalid > 0 && proposed < current)) {
    d.reason = "FailedGetMetrics";
    return d;
  }
  d.metric_replicas = proposed;

  const Normalized n = config_.behavior ? normalize_with_behavior(now, current, proposed)
                                        : normalize(now, current, proposed);
  d.desired_replicas = n.replicas;
  d.reason = n.reason;
  if (d.rescaled()) store_scale_event(now, current, d.desired_replicas);
  return d;
}

HorizontalPodAutoscaler::Normalized HorizontalPodAutoscaler::normalize(Time now, int current,
                                                                       int proposed) {
  // stabilizeRecommendation: the highest recommendation not older than the window (a sample
  // exactly at the cutoff still counts); then the new one is recorded.
  const Time cutoff = now - config_.downscale_stabilization;
  std::erase_if(recommendations_, [&](const Recommendation& r) { return r.at < cutoff; });
  int stabilized = proposed;
  for (const Recommendation& r : recommendations_) stabilized = std::max(stabilized, r.replicas);
  recommendations_.push_back({proposed, now});

  // convertDesiredReplicasWithRules: [min, min(max, max(2 x current, 4))].
  const int scale_up_limit = std::max(2 * current, 4);
  const int maximum = std::min(config_.max_replicas, scale_up_limit);
  if (stabilized < config_.min_replicas) return {config_.min_replicas, "TooFewReplicas"};
  if (stabilized > maximum) {
    return {maximum, config_.max_replicas > scale_up_limit ? "ScaleUpLimit" : "TooManyReplicas"};
  }
  if (stabilized != proposed) return {stabilized, "ScaleDownStabilized"};
  return {stabilized, "DesiredWithinRange"};
}

HorizontalPodAutoscaler::Normalized HorizontalPodAutoscaler::normalize_with_behavior(Time now,
                                                                                     int current,
                                                                                     int proposed) {
  // stabilizeRecommendationWithBehaviors: recommendations newer than each window bound the
  // change: the lowest of the scale-up window caps a rise, the highest of the scale-down window
  // floors a fall (samples exactly at a cutoff no longer count).
  const Time up_cutoff = now - *up_.stabilization_window;
  const Time down_cutoff = now - *down_.stabilization_window;
  int up_recommendation = proposed;
  int down_recommendation = proposed;
  for (const Recommendation& r : recommendations_) {
    if (r.at > up_cutoff) up_recommendation = std::min(up_recommendation, r.replicas);
    if (r.at > down_cutoff) down_recommendation = std::max(down_recommendation, r.replicas);
  }
  int stabilized = current;
  if (stabilized < up_recommendation) stabilized = up_recommendation;
  if (stabilized > down_recommendation) stabilized = down_recommendation;
  std::erase_if(recommendations_,
                [&](const Recommendation& r) { return r.at < up_cutoff && r.at < down_cutoff; });
  recommendations_.push_back({proposed, now});

  // convertDesiredReplicasWithBehaviorRate.
  if (stabilized > current) {
    const int limit = std::max(scale_up_limit(now, current), current);
    const int maximum = std::min(config_.max_replicas, limit);
    if (stabilized > maximum) {
      return {maximum, config_.max_replicas > limit ? "ScaleUpLimit" : "TooManyReplicas"};
    }
  } else if (stabilized < current) {
    const int limit = std::min(scale_down_limit(now, current), current);
    const int minimum = std::max(config_.min_replicas, limit);
    if (stabilized < minimum) {
      return {minimum, config_.min_replicas < limit ? "ScaleDownLimit" : "TooFewReplicas"};
    }
  }
  if (stabilized != proposed) {
    return {stabilized, proposed >= current ? "ScaleUpStabilized" : "ScaleDownStabilized"};
  }
  return {stabilized, "DesiredWithinRange"};
}

int HorizontalPodAutoscaler::replicas_changed_within(const std::vector<ScaleEvent>& events,
                                                     std::chrono::seconds period, Time now) const {
  const Time cutoff = now - period;
  int replicas = 0;
  for (const ScaleEvent& e : events) {
    if (e.at > cutoff) replicas += e.change;
  }
  return replicas;
}

// calculateScaleUpLimitWithScalingRules: each policy allows growth from the replica count at the
// start of its period; Max takes the most permissive policy, Min the least.
int HorizontalPodAutoscaler::scale_up_limit(Time now, int current) const {
  if (*up_.select_policy == HpaSelectPolicy::disabled) return current;
  const bool min_change = *up_.select_policy == HpaSelectPolicy::min;
  int result = min_change ? INT_MAX : INT_MIN;
  for (const HpaScalingPolicy& p : *up_.policies) {
    const int period_start = current - replicas_changed_within(up_events_, p.period, now) +
                             replicas_changed_within(down_events_, p.period, now);
    const int proposed =
        p.type == HpaScalingPolicy::Type::pods
            ? period_start + p.value
            // rounded up, or a small percentage of few pods would never add one
            : static_cast<int>(std::ceil(period_start * (1 + static_cast<double>(p.value) / 100)));
    result = min_change ? std::min(result, proposed) : std::max(result, proposed);
  }
  return result;
}

// calculateScaleDownLimitWithBehaviors: Max takes the lowest floor (the largest change).
int HorizontalPodAutoscaler::scale_down_limit(Time now, int current) const {
  if (*down_.select_policy == HpaSelectPolicy::disabled) return current;
  const bool min_change = *down_.select_policy == HpaSelectPolicy::min;
  int result = min_change ? INT_MIN : INT_MAX;
  for (const HpaScalingPolicy& p : *down_.policies) {
    const int period_start = current - replicas_changed_within(up_events_, p.period, now) +
                             replicas_changed_within(down_events_, p.period, now);
    const int proposed =
        p.type == HpaScalingPolicy::Type::pods
            ? period_start - p.value
            : static_cast<int>(period_start * (1 - static_cast<double>(p.value) / 100));
    result = min_change ? std::max(result, proposed) : std::min(result, proposed);
  }
  return result;
}

// storeScaleEvent: only with a behavior; events older than the direction's longest policy period
// can no longer count and are dropped.
void HorizontalPodAutoscaler::store_scale_event(Time now, int previous, int desired) {
  if (!config_.behavior || desired == previous) return;
  const bool up = desired > previous;
  std::vector<ScaleEvent>& events = up ? up_events_ : down_events_;
  const Time cutoff = now - longest_period(up ? up_ : down_);
  std::erase_if(events, [&](const ScaleEvent& e) { return e.at < cutoff; });
  events.push_back({up ? desired - previous : previous - desired, now});
}

}  // namespace sluice::sim
