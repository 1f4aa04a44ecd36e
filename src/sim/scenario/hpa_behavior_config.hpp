#pragma once
// platform.autoscaling.behavior (policy hpa): Kubernetes' spec.behavior in the scenario's
// spelling, checked as the API server checks HPAScalingRules (each error naming its key path) and
// turned into the controller's HpaBehavior, unset keys left for its defaults.

#include <map>
#include <optional>
#include <string>

#include "core/config_validate.hpp"
#include "sim/platform/hpa_config.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

// Reports the behavior keys under `path` (an `autoscaling` section) that Kubernetes would refuse:
// a window outside 0..1h, an unknown select policy, no policy while scaling is not disabled, a
// policy of unknown type, a value not above 0, a period outside 1..1800 s, a tolerance outside
// [0, 1); and a behavior given to a policy other than hpa. `given`: the key paths the file set.
void validate_hpa_behavior(const AutoscalingConfig& a, const std::string& path,
                           const std::map<std::string, std::string>& given,
                           core::detail::Reporter& report);

// The controller's spec.behavior for a validated section; nullopt when no behavior key is set
// (the controller's older path).
std::optional<HpaBehavior> to_hpa_behavior(const HpaBehaviorConfig& b);

}  // namespace sluice::sim
