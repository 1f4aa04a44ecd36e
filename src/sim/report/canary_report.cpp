#include "sim/report/canary_report.hpp"

#include <algorithm>

namespace sluice::sim {

std::optional<double> CanaryRun::first_rollback() const {
  if (rollbacks.empty()) return std::nullopt;
  return rollbacks.front().at;
}

std::optional<double> CanaryRun::last_rollback() const {
  if (rollbacks.empty()) return std::nullopt;
  return rollbacks.back().at;
}

std::vector<CanaryRun> collect_canaries(const Simulation& simulation) {
  std::vector<CanaryRun> runs;
  for (std::size_t i = 0; i < simulation.replica_count(); ++i) {
    const std::vector<gateway::CanaryStatus> statuses = simulation.replica(i).canary_statuses();
    if (runs.empty()) {
      for (const gateway::CanaryStatus& s : statuses) {
        CanaryRun run;
        run.alias = s.alias;
        run.candidate = s.candidate;
        run.weight = s.configured_weight;
        if (s.rule) {
          run.metric = std::string(gateway::to_string(s.rule->metric));
          run.threshold = s.rule->threshold;
          run.window = std::chrono::duration<double>(s.rule->window).count();
          run.min_requests = s.rule->min_requests;
        }
        runs.push_back(std::move(run));
      }
    }
    // Every replica is built from the same gateway section: its canaries in the same order.
    for (std::size_t c = 0; c < statuses.size() && c < runs.size(); ++c) {
      const auto& rollback = statuses[c].rollback;
      if (!rollback) continue;
      runs[c].rollbacks.push_back({i, seconds_since_start(rollback->at), rollback->reason,
                                   rollback->candidate_value, rollback->baseline_value});
    }
  }
  for (CanaryRun& run : runs)
    std::stable_sort(run.rollbacks.begin(), run.rollbacks.end(),
                     [](const auto& a, const auto& b) { return a.at < b.at; });
  return runs;
}

}  // namespace sluice::sim
