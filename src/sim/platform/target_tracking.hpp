#pragma once
// An Amazon ECS service's target tracking scaling policy (Application Auto Scaling), with time as
// an input: the engine feeds one CloudWatch datapoint per period (the metric's average over that
// minute) and applies the returned desired count.
//
// How it decides, and where each rule comes from:
// - Application Auto Scaling manages two CloudWatch alarms per policy. AlarmHigh fires when the
//   metric is above the target for 3 consecutive 1-minute datapoints; AlarmLow when it is below
//   90 % of the target for 15 consecutive datapoints. The datapoint counts are not in the user
//   guide; they are those of the alarms the service creates, as users report them
//   (aws/containers-roadmap#1208: "period for alarm rule is always 1 minute and 3 out of 3
//   datapoints for scale out rule and 15 out of 15 for scale in"; likewise
//   aws-samples/amazon-aurora-labs-for-mysql#3). The 90 % is the user guide's "a threshold that
//   is far enough below the target value (usually more than 10% lower)" (Application Auto Scaling
//   User Guide, "How target tracking scaling works"). All four figures are configurable.
// - Auto Scaling alarm actions run again every period while the alarm stays in ALARM (CloudWatch
//   User Guide, "Alarm actions": "Except for Auto Scaling actions, the actions happen only on
//   state transitions"), so a sustained breach is re-evaluated each minute.
// - Capacity: desired = ceil(current x metric / target), for scale-out and scale-in alike. Both
//   round the capacity up, which is the user guide's conservative rounding: "adding 1.5
//   instances" becomes two, "removing 1.5 instances" becomes one (EC2 Auto Scaling User Guide,
//   target tracking considerations). Scale-in is further held back by the lower threshold, the
//   15 datapoints and the cooldown.
// - Cooldowns (defaults 300 s for ECS services; TargetTrackingScalingPolicyConfiguration):
//   scale-in is blocked until the scale-in cooldown ends, but a scale-out during it happens at
//   once and ends it. During the scale-out cooldown another scale-out happens only if it is
//   larger: the capacity the last scale-out added counts as already there. The simulator reads
//   that as: during the cooldown the proposal is computed on the capacity from before that
//   scale-out (the capacity the metric still reflects) and applied only if it exceeds the
//   current desired count.
// - min/max capacity clamp every result; DisableScaleIn removes the scale-in half.
// Not modelled: several policies on one scalable target, missing datapoints (INSUFFICIENT_DATA).

#include <chrono>
#include <deque>
#include <string>

#include "sim/platform/time.hpp"

namespace sluice::sim {

struct TargetTrackingConfig {
  double target_value = 0;  // TargetValue, in the metric's unit
  int min_capacity = 1;
  int max_capacity = 10;
  std::chrono::seconds scale_out_cooldown{300};
  std::chrono::seconds scale_in_cooldown{300};
  bool disable_scale_in = false;
  // The managed alarms (see above).
  std::chrono::seconds period{60};
  int scale_out_datapoints = 3;
  int scale_in_datapoints = 15;
  double scale_in_threshold = 0.9;  // AlarmLow's threshold, as a fraction of the target
};

struct TargetTrackingDecision {
  enum class Action { none, scale_out, scale_in };
  Action action = Action::none;
  int current_capacity = 0;
  int desired_capacity = 0;
  bool alarm_high = false;  // AlarmHigh in ALARM after this datapoint
  bool alarm_low = false;   // AlarmLow in ALARM (always false with disable_scale_in)
  // Why nothing changed while an alarm fired: "scale-in cooldown", "scale-out cooldown",
  // "at max capacity", "at min capacity", "within capacity"; empty otherwise.
  std::string held_by;
};

class TargetTrackingPolicy {
 public:
  // Throws std::invalid_argument unless target_value > 0, 0 <= min <= max and the datapoint
  // counts are at least 1.
  explicit TargetTrackingPolicy(TargetTrackingConfig config);

  // One datapoint at `now` (the end of its period): `metric` is the metric's average over the
  // period, `current_capacity` the service's desired count. Calls come once per period, in time
  // order.
  TargetTrackingDecision on_datapoint(Time now, double metric, int current_capacity);

  std::chrono::seconds period() const { return config_.period; }
  const TargetTrackingConfig& config() const { return config_; }

 private:
  int proposal(int capacity, double metric) const;

  TargetTrackingConfig config_;
  std::deque<double> datapoints_;  // the newest last, as many as the longer alarm needs
  bool scaled_out_ = false;        // a scale-out happened (its cooldown may be running)
  Time scale_out_cooldown_until_{};
  int capacity_before_scale_out_ = 0;
  bool scaled_in_ = false;
  Time scale_in_cooldown_until_{};
};

}  // namespace sluice::sim
