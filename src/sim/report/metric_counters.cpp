#include "sim/report/metric_counters.hpp"

#include <charconv>

namespace sluice::sim {
namespace {

// The value of label `name` in a sample's label set `{a="x",b="y"}` (label values the gateway
// uses carry no quotes or backslashes).
std::string_view label(std::string_view labels, std::string_view name) {
  std::string key(name);
  key += "=\"";
  const auto at = labels.find(key);
  if (at == std::string_view::npos) return {};
  const auto start = at + key.size();
  const auto end = labels.find('"', start);
  return end == std::string_view::npos ? std::string_view{} : labels.substr(start, end - start);
}

double value_of(std::string_view text) {
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

void RegistryCounters::add(const RegistryCounters& other) {
  gateway.retries += other.gateway.retries;
  gateway.fallbacks += other.gateway.fallbacks;
  gateway.breaker_openings += other.gateway.breaker_openings;
  for (const auto& [id, counters] : other.deployments) {
    DeploymentCounters& mine = deployments[id];
    for (const auto& [outcome, count] : counters.outcomes) mine.outcomes[outcome] += count;
    mine.breaker_openings += counters.breaker_openings;
  }
}

GatewayCounters RegistryCounters::since(const RegistryCounters& before) const {
  return {gateway.retries - before.gateway.retries, gateway.fallbacks - before.gateway.fallbacks,
          gateway.breaker_openings - before.gateway.breaker_openings};
}

RegistryCounters read_counters(std::string_view exposition) {
  RegistryCounters out;
  while (!exposition.empty()) {
    const auto newline = exposition.find('\n');
    const std::string_view line = exposition.substr(0, newline);
    exposition.remove_prefix(newline == std::string_view::npos ? exposition.size() : newline + 1);
    if (line.empty() || line.front() == '#') continue;
    const auto brace = line.find('{');
    const auto space = line.rfind(' ');
    if (brace == std::string_view::npos || space == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, brace);
    const std::string_view labels = line.substr(brace, space - brace);
    const double value = value_of(line.substr(space + 1));
    if (name == "sluice_upstream_retries_total") {
      const std::string_view kind = label(labels, "kind");
      (kind == "fallback" ? out.gateway.fallbacks : out.gateway.retries) += value;
    } else if (name == "sluice_circuit_transitions_total") {
      if (label(labels, "to") != "open") continue;
      out.gateway.breaker_openings += value;
      out.deployments[std::string(label(labels, "deployment"))].breaker_openings += value;
    } else if (name == "sluice_upstream_requests_total") {
      out.deployments[std::string(label(labels, "deployment"))]
          .outcomes[std::string(label(labels, "outcome"))] += value;
    }
  }
  return out;
}

}  // namespace sluice::sim
