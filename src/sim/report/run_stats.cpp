#include "sim/report/run_stats.hpp"

#include <cmath>

namespace sluice::sim {

void SeriesStats::add(const RequestRecord& r) {
  ++finished;
  ++causes[static_cast<std::size_t>(r.cause)];
  if (r.cause == Cause::none) {
    ++completed;
    latency.add(r.latency());
    if (r.ttft) ttft.add(*r.ttft);
  }
  queue_wait.add(r.queue_wait);
  if (r.queue_wait > 0) ++queued;
  attempts += static_cast<std::uint64_t>(r.attempts);
  cost_usd += r.cost_usd;
  prompt_tokens += r.prompt_tokens;
  completion_tokens += r.completion_tokens;
  if (!r.canary.empty()) {
    const bool candidate = r.canary == "candidate";
    const bool failed = r.cause != Cause::none;
    canary.add(candidate, failed);
    canary_by_alias[r.canary_alias].add(candidate, failed);
  }
}

void CanaryCounts::add(bool candidate_served, bool failed) {
  ++(candidate_served ? candidate : baseline);
  if (failed) ++(candidate_served ? candidate_failed : baseline_failed);
}

const CanaryCounts& SeriesStats::canary_of(std::string_view alias) const {
  static const CanaryCounts kNone;
  const auto it = canary_by_alias.find(alias);
  return it == canary_by_alias.end() ? kNone : it->second;
}

double DeploymentCounters::attempts() const {
  double total = 0;
  for (const auto& [outcome, count] : outcomes) total += count;
  return total;
}

SeriesStats& RunStats::window_at(double t) {
  const auto index = static_cast<std::size_t>(std::max(0.0, std::floor(t / window_)));
  if (index >= windows_.size()) windows_.resize(index + 1);
  return windows_[index];
}

void RunStats::finished(const RequestRecord& record) {
  window_at(record.end).add(record);
  totals_.add(record);
}

void RunStats::set_window_counters(std::size_t index, const GatewayCounters& counters) {
  if (index >= windows_.size()) windows_.resize(index + 1);
  windows_[index].gateway = counters;
}

void RunStats::set_totals(const GatewayCounters& counters,
                          std::map<std::string, DeploymentCounters> deployments) {
  totals_.gateway = counters;
  deployments_ = std::move(deployments);
}

}  // namespace sluice::sim
