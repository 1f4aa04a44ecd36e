#pragma once

#include <string>
#include <string_view>

#include "sim/model/simulation.hpp"

namespace sluice::sim {

// A few lines for a human: what ran, the headline numbers, the errors that happened and what
// it cost. `wall_seconds`: how long the run took for real (not in the JSON report, which must
// not depend on the machine).
std::string render_summary(const Simulation& simulation, std::string_view scenario_name,
                           double wall_seconds);

}  // namespace sluice::sim
