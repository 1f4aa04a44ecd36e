#include "sim/platform/target_tracking.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sluice::sim {

TargetTrackingPolicy::TargetTrackingPolicy(TargetTrackingConfig config)
    : config_(std::move(config)) {
  if (!(config_.target_value > 0)) throw std::invalid_argument("target_value must be > 0");
  if (config_.min_capacity < 0 || config_.max_capacity < config_.min_capacity) {
    throw std::invalid_argument("target tracking needs 0 <= min_capacity <= max_capacity");
  }
  if (config_.scale_out_datapoints < 1 || config_.scale_in_datapoints < 1) {
    throw std::invalid_argument("the alarms need at least one datapoint");
  }
}

int TargetTrackingPolicy::proposal(int capacity, double metric) const {
  // Capacity is a whole number: a tiny float error must not add a task (60/50 x 5 is 6, not 7).
  const double exact = static_cast<double>(capacity) * metric / config_.target_value;
  return static_cast<int>(std::ceil(exact - 1e-9));
}

TargetTrackingDecision TargetTrackingPolicy::on_datapoint(Time now, double metric,
                                                          int current_capacity) {
  const std::size_t keep =
      static_cast<std::size_t>(std::max(config_.scale_out_datapoints, config_.scale_in_datapoints));
  datapoints_.push_back(metric);
  while (datapoints_.size() > keep) datapoints_.pop_front();

  auto last_n_all = [&](int n, auto&& breaching) {
    if (datapoints_.size() < static_cast<std::size_t>(n)) return false;
    return std::all_of(datapoints_.end() - n, datapoints_.end(), breaching);
  };
  TargetTrackingDecision d;
  d.current_capacity = current_capacity;
  d.desired_capacity = current_capacity;
  d.alarm_high =
      last_n_all(config_.scale_out_datapoints, [&](double v) { return v > config_.target_value; });
  const double low = config_.target_value * config_.scale_in_threshold;
  d.alarm_low = !config_.disable_scale_in &&
                last_n_all(config_.scale_in_datapoints, [&](double v) { return v < low; });

  if (d.alarm_high) {
    const bool in_cooldown = scaled_out_ && now < scale_out_cooldown_until_;
    const int base = in_cooldown ? capacity_before_scale_out_ : current_capacity;
    const int desired = std::min(proposal(base, metric), config_.max_capacity);
    if (desired <= current_capacity) {
      d.held_by = current_capacity >= config_.max_capacity ? "at max capacity"
                  : in_cooldown                            ? "scale-out cooldown"
                                                           : "within capacity";
      return d;
    }
    d.action = TargetTrackingDecision::Action::scale_out;
    d.desired_capacity = desired;
    if (!in_cooldown) capacity_before_scale_out_ = current_capacity;
    scaled_out_ = true;
    scale_out_cooldown_until_ = now + config_.scale_out_cooldown;
    scaled_in_ = false;  // a scale-out ends a running scale-in cooldown
    return d;
  }
  if (d.alarm_low) {
    if (scaled_in_ && now < scale_in_cooldown_until_) {
      d.held_by = "scale-in cooldown";
      return d;
    }
    const int desired = std::max(proposal(current_capacity, metric), config_.min_capacity);
    if (desired >= current_capacity) {
      d.held_by = current_capacity <= config_.min_capacity ? "at min capacity" : "within capacity";
      return d;
    }
    d.action = TargetTrackingDecision::Action::scale_in;
    d.desired_capacity = desired;
    scaled_in_ = true;
    scale_in_cooldown_until_ = now + config_.scale_in_cooldown;
  }
  return d;
}

}  // namespace sluice::sim
