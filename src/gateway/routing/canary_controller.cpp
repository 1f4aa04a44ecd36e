#include "gateway/routing/canary_controller.hpp"

#include <algorithm>

#include "core/fnv1a.hpp"

namespace sluice::gateway {
namespace {

// splitmix64's finalizer: FNV-1a's low bits alone split similar keys poorly.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

// The top 53 bits as a double in [0, 1): the same in every build, unlike the standard
// distributions.
double unit_interval(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

}  // namespace

std::string_view to_string(CanaryVersion version) {
  return version == CanaryVersion::candidate ? "candidate" : "baseline";
}

std::string_view to_string(CanaryMetric metric) {
  switch (metric) {
    case CanaryMetric::error_rate:
      return "error_rate";
    case CanaryMetric::p99_latency:
      return "p99_latency";
    case CanaryMetric::ttft_p99:
      return "ttft_p99";
  }
  return "error_rate";
}

std::optional<CanaryMetric> parse_canary_metric(std::string_view name) {
  if (name == "error_rate") return CanaryMetric::error_rate;
  if (name == "p99_latency") return CanaryMetric::p99_latency;
  if (name == "ttft_p99") return CanaryMetric::ttft_p99;
  return std::nullopt;
}

CanaryController::CanaryController(std::string alias, std::string candidate, double weight,
                                   std::optional<CanaryRule> rule)
    : alias_(std::move(alias)),
      candidate_(std::move(candidate)),
      configured_weight_(weight),
      rule_(rule),
      salt_(core::fnv1a(alias_ + '\0')),
      weight_(weight),
      baseline_(rule ? rule->window : std::chrono::minutes(5),
                rule && rule->metric != CanaryMetric::error_rate),
      candidate_window_(rule ? rule->window : std::chrono::minutes(5),
                        rule && rule->metric != CanaryMetric::error_rate) {}

double CanaryController::position_of(std::string_view key) const {
  return unit_interval(mix(core::fnv1a(key, salt_)));
}

CanaryVersion CanaryController::pick(std::string_view key, Rng& rng) const {
  const double weight = this->weight();
  if (weight <= 0) return CanaryVersion::baseline;
  if (weight >= 1) return CanaryVersion::candidate;
  const double position = key.empty() ? unit_interval(rng()) : position_of(key);
  return position < weight ? CanaryVersion::candidate : CanaryVersion::baseline;
}

std::optional<double> CanaryController::value_of(const CanaryReading& reading) const {
  if (rule_->metric == CanaryMetric::error_rate) {
    if (reading.requests < rule_->min_requests) return std::nullopt;
    return reading.error_rate();
  }
  if (reading.samples < rule_->min_requests) return std::nullopt;
  return reading.p99;
}

bool CanaryController::breaks_rule(Clock::time_point now, CanaryRollback& rollback) {
  const std::optional<double> candidate = value_of(candidate_window_.read(now));
  if (!candidate || !(*candidate > rule_->threshold)) return false;
  const std::optional<double> baseline = value_of(baseline_.read(now));
  if (baseline && !(*candidate > *baseline)) return false;
  rollback.reason = std::string(to_string(rule_->metric));
  rollback.at = now;
  rollback.candidate_value = candidate;
  rollback.baseline_value = baseline;
  return true;
}

std::optional<CanaryRollback> CanaryController::record(CanaryVersion version,
                                                       const CanarySample& sample,
                                                       Clock::time_point now) {
  std::optional<double> latency;
  if (rule_ && !sample.failed) {
    if (rule_->metric == CanaryMetric::p99_latency) latency = sample.latency;
    if (rule_->metric == CanaryMetric::ttft_p99) latency = sample.ttft;
  }
  std::lock_guard lock(mu_);
  if (version == CanaryVersion::baseline) {
    baseline_.record(now, sample.failed, latency);
    return std::nullopt;
  }
  // Requests sent before a rollback still end after it: they are kept, but decide nothing.
  candidate_window_.record(now, sample.failed, latency);
  if (rollback_ || !rule_) return std::nullopt;
  CanaryRollback rollback;
  if (!breaks_rule(now, rollback)) return std::nullopt;
  rollback_ = rollback;
  weight_.store(0, std::memory_order_relaxed);
  return rollback;
}

std::optional<CanaryRollback> CanaryController::roll_back(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (rollback_) return std::nullopt;
  rollback_ = CanaryRollback{"manual", now, std::nullopt, std::nullopt};
  weight_.store(0, std::memory_order_relaxed);
  return rollback_;
}

bool CanaryController::resume() {
  std::lock_guard lock(mu_);
  if (!rollback_) return false;
  rollback_.reset();
  baseline_.clear();
  candidate_window_.clear();
  weight_.store(configured_weight_, std::memory_order_relaxed);
  return true;
}

CanaryStatus CanaryController::status(Clock::time_point now) {
  std::lock_guard lock(mu_);
  CanaryStatus status;
  status.alias = alias_;
  status.candidate = candidate_;
  status.configured_weight = configured_weight_;
  status.weight = weight();
  status.rule = rule_;
  status.rollback = rollback_;
  status.baseline = baseline_.read(now);
  status.candidate_reading = candidate_window_.read(now);
  return status;
}

CanaryRouter::CanaryRouter(const std::vector<core::ModelAliasConfig>& models) {
  for (const core::ModelAliasConfig& m : models) {
    const core::CanaryConfig& c = m.canary;
    if (c.alias.empty()) continue;
    std::optional<CanaryRule> rule;
    if (const auto metric = parse_canary_metric(c.rollback.metric)) {
      rule = CanaryRule{*metric, core::canary_threshold(c.rollback).value_or(0), c.rollback.window,
                        static_cast<std::uint64_t>(std::max(1, c.rollback.min_requests))};
    }
    controllers_.emplace(m.alias,
                         std::make_unique<CanaryController>(m.alias, c.alias, c.weight, rule));
  }
}

CanaryController* CanaryRouter::find(std::string_view alias) const {
  if (controllers_.empty()) return nullptr;
  const auto it = controllers_.find(alias);
  return it == controllers_.end() ? nullptr : it->second.get();
}

std::vector<CanaryController*> CanaryRouter::all() const {
  std::vector<CanaryController*> out;
  for (const auto& [alias, controller] : controllers_) out.push_back(controller.get());
  return out;
}

}  // namespace sluice::gateway
