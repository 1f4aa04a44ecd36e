#pragma once
// Reads the gateway's counters back from a replica's real metric registry (its text
// exposition): the report's retries, fallbacks, breaker openings and per-deployment attempts are
// what GatewayService itself counted, not a second bookkeeping of the simulator's.

#include <map>
#include <string>
#include <string_view>

#include "sim/report/run_stats.hpp"

namespace sluice::sim {

struct RegistryCounters {
  GatewayCounters gateway;
  std::map<std::string, DeploymentCounters> deployments;

  void add(const RegistryCounters& other);
  // What moved since `before` (counters only grow).
  GatewayCounters since(const RegistryCounters& before) const;
};

// The counters in `exposition` (Prometheus text format, as ops::Registry::render writes it).
RegistryCounters read_counters(std::string_view exposition);

}  // namespace sluice::sim
