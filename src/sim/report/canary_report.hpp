#pragma once
// The canary releases of a run (gateway.models[].canary): each canary's rule and, per replica,
// when its controller rolled the candidate back. Each replica's controller judges the traffic it
// served, as each server instance does, so the replicas roll back one by one.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sim/model/simulation.hpp"

namespace sluice::sim {

struct CanaryRollbackEvent {
  std::size_t replica = 0;
  double at = 0;  // seconds since the start
  std::string reason;
  std::optional<double> candidate_value;  // the rule's metric then
  std::optional<double> baseline_value;   // the baseline's, when it had min_requests
};

struct CanaryRun {
  std::string alias;
  std::string candidate;
  double weight = 0;   // configured
  std::string metric;  // empty: no rollback rule
  double threshold = 0;
  double window = 0;  // seconds
  std::uint64_t min_requests = 0;
  std::vector<CanaryRollbackEvent> rollbacks;  // by time
  // The first and the last replica's rollback: from then on, respectively until then, some
  // replica still sent requests to the candidate.
  std::optional<double> first_rollback() const;
  std::optional<double> last_rollback() const;
};

// Read from every replica that ever served, after the run.
std::vector<CanaryRun> collect_canaries(const Simulation& simulation);

}  // namespace sluice::sim
