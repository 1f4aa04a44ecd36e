#pragma once
// Helpers of the simulator's tests: scenarios from YAML text, their errors, and runs.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/model/simulation.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace sluice::sim::testing {

// The scenario `yaml` describes; a test failure listing its errors when it is not valid.
inline ScenarioConfig scenario_of(const std::string& yaml, const ScenarioFlags& flags = {}) {
  auto parsed = parse_scenario(yaml, "test.yaml", flags);
  if (!parsed) {
    std::string all;
    for (const core::ConfigError& e : parsed.error()) all += core::to_string(e) + "\n";
    ADD_FAILURE() << "scenario rejected:\n" << all;
    return {};
  }
  return *parsed;
}

// Each error of `yaml` as "path: message (fix: ...)"; empty when it is valid.
inline std::vector<std::string> errors_of(const std::string& yaml, const ScenarioFlags& flags = {},
                                          const std::map<std::string, std::string>& env = {}) {
  auto parsed = parse_scenario(yaml, "test.yaml", flags, env);
  std::vector<std::string> out;
  if (!parsed)
    for (const core::ConfigError& e : parsed.error()) out.push_back(core::to_string(e));
  return out;
}

// Whether some error starts with `prefix` (a key path and the start of its message).
inline bool has_error(const std::vector<std::string>& errors, const std::string& prefix) {
  for (const std::string& e : errors)
    if (e.rfind(prefix, 0) == 0) return true;
  return false;
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

// One alias `chat` on provider `primary` (model `big`, answering in 100 ms + 10 ms a token),
// with `traffic` (the traffic section's keys but its mix, indented two spaces) and `more`
// appended after the gateway section (indented two spaces, more gateway keys; unindented, more
// top-level sections).
inline std::string minimal_scenario(const std::string& traffic = "  rate: 10\n",
                                    const std::string& more = "") {
  return "duration: 60s\n"
         "seed: 1\n"
         "traffic:\n" +
         traffic +
         "  mix:\n"
         "    - model: chat\n"
         "      prompt_tokens: {dist: constant, value: 100}\n"
         "      completion_tokens: {dist: constant, value: 50}\n"
         "providers:\n"
         "  - provider: primary\n"
         "    ttft: {dist: constant, value: 100ms}\n"
         "    per_token: {dist: constant, value: 10ms}\n"
         "gateway:\n"
         "  providers:\n"
         "    - {name: primary, type: openai, base_url: https://primary.example/v1}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      deployments: [{provider: primary, model: big}]\n" +
         more;
}

// Two canaried aliases on two replicas, 20 minutes at 40 requests a second split evenly between
// them, one attempt per request: `chat` hands 20% to `chat-v2`, whose upstream fails every
// attempt from minute 5, so each replica's controller rolls it back (error rate above 5% over a
// minute, 10 requests at least); `search` hands 30% to `search-v2`, which never fails.
inline std::string two_canaries_scenario() {
  return "duration: 20m\n"
         "seed: 3\n"
         "window: 60s\n"
         "traffic:\n"
         "  rate: 40\n"
         "  mix:\n"
         "    - model: chat\n"
         "      prompt_tokens: {dist: constant, value: 100}\n"
         "      completion_tokens: {dist: constant, value: 20}\n"
         "    - model: search\n"
         "      prompt_tokens: {dist: constant, value: 100}\n"
         "      completion_tokens: {dist: constant, value: 20}\n"
         "providers:\n"
         "  - provider: primary\n"
         "    ttft: {dist: constant, value: 100ms}\n"
         "    per_token: {dist: constant, value: 10ms}\n"
         "  - provider: primary\n"
         "    model: chat-new\n"
         "    ttft: {dist: constant, value: 100ms}\n"
         "    per_token: {dist: constant, value: 10ms}\n"
         "    outages: [{from: 5m, to: 1h, fail_with: 5xx}]\n"
         "replicas: {count: 2}\n"
         "gateway:\n"
         "  providers:\n"
         "    - {name: primary, type: openai, base_url: https://primary.example/v1}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      deployments: [{provider: primary, model: chat-old}]\n"
         "      canary:\n"
         "        alias: chat-v2\n"
         "        weight: 0.2\n"
         "        rollback: {metric: error_rate, threshold: 0.05, window: 1m, min_requests: 10}\n"
         "    - alias: chat-v2\n"
         "      deployments: [{provider: primary, model: chat-new}]\n"
         "    - alias: search\n"
         "      deployments: [{provider: primary, model: search-old}]\n"
         "      canary:\n"
         "        alias: search-v2\n"
         "        weight: 0.3\n"
         "        rollback: {metric: error_rate, threshold: 0.05, window: 1m, min_requests: 10}\n"
         "    - alias: search-v2\n"
         "      deployments: [{provider: primary, model: search-new}]\n"
         "  retry: {max_attempts: 1}\n"
         "  circuit_breaker: {failure_threshold: 1000}\n";
}

// Every request takes exactly 1 s (one token, a 1 s first token) and arrivals are evenly spaced,
// so the requests in flight are the rate: 20 for 5 minutes, 40 for 5 minutes, then 20 again.
// Four replicas at the start and a target of 5 in flight per replica: the step doubles the load
// to 10 per replica.
inline std::string load_step(const std::string& autoscaling) {
  return "duration: 20m\n"
         "seed: 4\n"
         "window: 60s\n"
         "traffic:\n"
         "  arrivals: uniform\n"
         "  phases:\n"
         "    - {duration: 5m, rate: 20}\n"
         "    - {duration: 5m, rate: 40}\n"
         "    - {duration: 10m, rate: 20}\n"
         "  mix:\n"
         "    - model: chat\n"
         "      prompt_tokens: {dist: constant, value: 100}\n"
         "      completion_tokens: {dist: constant, value: 1}\n"
         "providers:\n"
         "  - provider: primary\n"
         "    ttft: {dist: constant, value: 1s}\n"
         "    per_token: {dist: constant, value: 10ms}\n"
         "gateway:\n"
         "  providers:\n"
         "    - {name: primary, type: openai, base_url: https://primary.example/v1}\n"
         "  models:\n"
         "    - alias: chat\n"
         "      deployments: [{provider: primary, model: big}]\n"
         "platform:\n"
         "  kind: server\n"
         "  replicas: {min: 4, max: 20}\n"
         "  startup: {dist: constant, value: 30s}\n"
         "  price_per_replica_hour: 3.6\n" +
         autoscaling;
}

// The first line of `exposition` that starts with `series`' name and labels, or "".
inline std::string metric_line(const std::string& exposition, const std::string& series) {
  const auto at = exposition.find(series);
  if (at == std::string::npos) return "";
  return exposition.substr(at, exposition.find('\n', at) - at);
}

}  // namespace sluice::sim::testing
