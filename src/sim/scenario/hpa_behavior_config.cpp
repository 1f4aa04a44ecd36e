#include "sim/scenario/hpa_behavior_config.hpp"

#include <cmath>
#include <cstdio>

namespace sluice::sim {
namespace {

using core::detail::Reporter;
using Given = std::map<std::string, std::string>;

// autoscaling/v1 validation: MaxStabilizationWindowSeconds and MaxPeriodSeconds.
constexpr double kMaxWindowSeconds = 3600;
constexpr double kMaxPeriodSeconds = 1800;

std::string seconds_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gs", v);
  return buf;
}

bool whole(double seconds) { return seconds == std::floor(seconds); }

void validate_policy(const ScalingPolicyConfig& p, const std::string& path, Reporter& report) {
  if (p.type != "pods" && p.type != "percent")
    report.add(path + ".type", p.type.empty() ? "must be given" : "unknown type '" + p.type + "'",
               "use pods (a number of replicas per period) or percent (of the replicas at the "
               "period's start)");
  if (p.value <= 0)
    report.add(path + ".value", "must be greater than 0, got " + std::to_string(p.value),
               "e.g. 4 (pods) or 100 (percent)");
  const double period = p.period.count();
  if (!(period >= 1 && period <= kMaxPeriodSeconds) || !whole(period))
    report.add(path + ".period",
               "must be a whole number of seconds from 1s to 30m, got " + seconds_text(period),
               "Kubernetes' periodSeconds, e.g. 60s");
}

// One direction's rules at `path` (….behavior.scale_up or ….behavior.scale_down).
void validate_rules(const ScalingRulesConfig& r, const std::string& path, const Given& given,
                    Reporter& report) {
  // A negative duration is the binder's to report (the window then keeps its "unset" value).
  const double window = r.stabilization_window.count();
  if (given.contains(path + ".stabilization_window") && window >= 0 &&
      (window > kMaxWindowSeconds || !whole(window)))
    report.add(path + ".stabilization_window",
               "must be a whole number of seconds from 0s to 1h, got " + seconds_text(window),
               "Kubernetes' stabilizationWindowSeconds, e.g. 300s");
  if (given.contains(path + ".select_policy") && r.select_policy != "max" &&
      r.select_policy != "min" && r.select_policy != "disabled")
    report.add(path + ".select_policy", "unknown select policy '" + r.select_policy + "'",
               "use max (the policy that allows the largest change), min (the smallest) or "
               "disabled (no scaling in this direction)");
  if (given.contains(path + ".policies") && r.policies.empty() && r.select_policy != "disabled")
    report.add(path + ".policies", "must list at least one policy",
               "e.g. [{type: pods, value: 4, period: 60s}], or leave it out for Kubernetes' "
               "default");
  for (std::size_t i = 0; i < r.policies.size(); ++i)
    validate_policy(r.policies[i], path + ".policies." + std::to_string(i), report);
  if (given.contains(path + ".tolerance") && !(r.tolerance >= 0 && r.tolerance < 1))
    report.add(path + ".tolerance", "must be at least 0 and below 1", "e.g. 0.05");
}

std::chrono::seconds whole_seconds(core::Seconds s) {
  return std::chrono::seconds(std::llround(s.count()));
}

HpaScalingRules to_rules(const ScalingRulesConfig& r) {
  HpaScalingRules rules;
  if (r.stabilization_window.count() >= 0)
    rules.stabilization_window = whole_seconds(r.stabilization_window);
  if (r.select_policy == "max") rules.select_policy = HpaSelectPolicy::max;
  if (r.select_policy == "min") rules.select_policy = HpaSelectPolicy::min;
  if (r.select_policy == "disabled") rules.select_policy = HpaSelectPolicy::disabled;
  if (!r.policies.empty()) {
    rules.policies.emplace();
    for (const ScalingPolicyConfig& p : r.policies)
      rules.policies->push_back(
          {p.type == "percent" ? HpaScalingPolicy::Type::percent : HpaScalingPolicy::Type::pods,
           p.value, whole_seconds(p.period)});
  }
  if (r.tolerance >= 0) rules.tolerance = r.tolerance;
  return rules;
}

}  // namespace

void validate_hpa_behavior(const AutoscalingConfig& a, const std::string& path, const Given& given,
                           Reporter& report) {
  const std::string behavior = path + ".behavior";
  bool any = false;
  for (const auto& [key, value] : given) any = any || key.rfind(behavior + ".", 0) == 0;
  if (!any) return;
  if (a.policy != "hpa") {
    report.add(behavior, "applies to policy hpa only", "remove it, or use policy: hpa");
    return;
  }
  validate_rules(a.behavior.scale_up, behavior + ".scale_up", given, report);
  validate_rules(a.behavior.scale_down, behavior + ".scale_down", given, report);
}

std::optional<HpaBehavior> to_hpa_behavior(const HpaBehaviorConfig& b) {
  if (!b.given()) return std::nullopt;
  return HpaBehavior{to_rules(b.scale_up), to_rules(b.scale_down)};
}

}  // namespace sluice::sim
