#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

// Values given on the command line, which win over the file's (as text: they are read and
// checked like the file's own).
struct ScenarioFlags {
  std::optional<std::string> seed{};
  std::optional<std::string> duration{};
  // A multiple of the scenario's traffic (--load): its rate, every phase's rate, or a replay's
  // speed, times this ("what if traffic doubles": 2). Positive.
  std::optional<std::string> load{};
};

using ScenarioResult = Result<ScenarioConfig, std::vector<core::ConfigError>>;

// Reads a scenario file: YAML, ${VAR} interpolated from `env`, bound through the scenario's
// schema and validated; every problem is reported at once, each naming its key path
// ("traffic.phases.2.rate"), unknown keys with the closest valid one. The embedded gateway and
// admission sections are bound and validated by the server's own code; secrets in them are not
// read (a simulation sends nothing upstream).
ScenarioResult load_scenario(const std::string& file, const ScenarioFlags& flags = {},
                             const std::map<std::string, std::string>& env = {});
// The same from YAML text; `name` stands for the file in messages.
ScenarioResult parse_scenario(const std::string& yaml, const std::string& name = "scenario",
                              const ScenarioFlags& flags = {},
                              const std::map<std::string, std::string>& env = {});

}  // namespace sluice::sim
