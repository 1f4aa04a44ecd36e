#pragma once
// Reads the gateway's counters back from a replica's real metric registry (its text
// exposition): the report's retries, fallbacks, breaker openings and per-deployment attempts are
// what GatewayService itself counted, not a second bookkeeping of the simulator's.

#include <functional>
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

// Calls `sample` for each sample line of `exposition`: its metric name, its label set as written
// (`{a="x",b="y"}`, empty without labels) and its value. Comments and blank lines are skipped.
void for_each_sample(std::string_view exposition,
                     const std::function<void(std::string_view name, std::string_view labels,
                                              double value)>& sample);
// The value of label `name` in a sample's label set (label values the gateway uses carry no
// quotes or backslashes); empty when the set has no such label.
std::string_view label_value(std::string_view labels, std::string_view name);

}  // namespace sluice::sim
