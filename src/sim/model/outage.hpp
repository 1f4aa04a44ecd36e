#pragma once
// Which outage window an attempt meets: one rule for the simulated upstream and for
// mock-upstream playing the same provider live (bench/simulate_calibrate.sh).

#include <vector>

#include "sim/engine/random.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

// The outage an attempt that starts `seconds` after the run's start meets: the first window
// holding that instant; a partial one (`share` < 1) takes the attempt with probability `share`,
// drawn from `random` only inside the window, so that a scenario without partial outages draws
// nothing here. nullptr: none.
const OutageConfig* outage_met(const std::vector<OutageConfig>& outages, double seconds,
                               Random& random);

}  // namespace sluice::sim
