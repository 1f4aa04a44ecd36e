#pragma once
// The machine-readable report of a run: JSON with a fixed key order and fixed number formatting
// (counts as integers, everything else with six decimals), so that the same scenario and seed
// give the same bytes. Nothing in it depends on the machine (no wall-clock time).

#include <string>
#include <string_view>

#include "sim/model/simulation.hpp"

namespace sluice::sim {

// `scenario_name`: how the report names the scenario (its file's path as given).
std::string render_report_json(const Simulation& simulation, std::string_view scenario_name);

}  // namespace sluice::sim
