#include "sim/report/metric_counters.hpp"

#include <charconv>

namespace sluice::sim {
namespace {

double value_of(std::string_view text) {
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

std::string_view label_value(std::string_view labels, std::string_view name) {
  std::string key(name);
  key += "=\"";
  const auto at = labels.find(key);
  if (at == std::string_view::npos) return {};
  const auto start = at + key.size();
  const auto end = labels.find('"', start);
  return end == std::string_view::npos ? std::string_view{} : labels.substr(start, end - start);
}

void for_each_sample(std::string_view exposition,
                     const std::function<void(std::string_view name, std::string_view labels,
                                              double value)>& sample) {
  while (!exposition.empty()) {
    const auto newline = exposition.find('\n');
    const std::string_view line = exposition.substr(0, newline);
    exposition.remove_prefix(newline == std::string_view::npos ? exposition.size() : newline + 1);
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string_view::npos) continue;
    const auto brace = line.find('{');
    const auto name_end = brace < space ? brace : space;
    sample(line.substr(0, name_end), line.substr(name_end, space - name_end),
           value_of(line.substr(space + 1)));
  }
}

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
  for_each_sample(exposition, [&](std::string_view name, std::string_view labels, double value) {
    if (name == "sluice_upstream_retries_total") {
      const std::string_view kind = label_value(labels, "kind");
      (kind == "fallback" ? out.gateway.fallbacks : out.gateway.retries) += value;
    } else if (name == "sluice_circuit_transitions_total") {
      if (label_value(labels, "to") != "open") return;
      out.gateway.breaker_openings += value;
      out.deployments[std::string(label_value(labels, "deployment"))].breaker_openings += value;
    } else if (name == "sluice_upstream_requests_total") {
      out.deployments[std::string(label_value(labels, "deployment"))]
          .outcomes[std::string(label_value(labels, "outcome"))] += value;
    }
  });
  return out;
}

}  // namespace sluice::sim
