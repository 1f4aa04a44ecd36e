#include "sim/platform/hpa_config.hpp"

namespace sluice::sim {

using namespace std::chrono_literals;

// copyHPAScalingRules: every field the spec sets replaces the default.
static HpaScalingRules merge(const HpaScalingRules& given, HpaScalingRules defaults) {
  if (given.stabilization_window) defaults.stabilization_window = given.stabilization_window;
  if (given.select_policy) defaults.select_policy = given.select_policy;
  if (given.policies) defaults.policies = given.policies;
  if (given.tolerance) defaults.tolerance = given.tolerance;
  return defaults;
}

HpaScalingRules resolve_scale_up(const HpaScalingRules& given) {
  HpaScalingRules defaults;
  defaults.stabilization_window = 0s;
  defaults.select_policy = HpaSelectPolicy::max;
  defaults.policies = std::vector<HpaScalingPolicy>{
      {HpaScalingPolicy::Type::pods, 4, 15s},
      {HpaScalingPolicy::Type::percent, 100, 15s},
  };
  return merge(given, std::move(defaults));
}

HpaScalingRules resolve_scale_down(const HpaScalingRules& given,
                                   std::chrono::seconds downscale_stabilization) {
  HpaScalingRules defaults;
  // defaultHPAScaleDownRules leaves the window nil; the controller fills it from its flag
  // (maybeInitScaleDownStabilizationWindow).
  defaults.stabilization_window = downscale_stabilization;
  defaults.select_policy = HpaSelectPolicy::max;
  defaults.policies = std::vector<HpaScalingPolicy>{
      {HpaScalingPolicy::Type::percent, 100, 15s},
  };
  return merge(given, std::move(defaults));
}

}  // namespace sluice::sim
