#pragma once
// The report of a run as one self-contained HTML page: the headline table and, per window,
// latency percentiles (p50, p99), throughput, errors by cause and cost, as inline SVG charts
// drawn here (no script, no stylesheet or font fetched from anywhere). Numbers are formatted
// with fixed precision and nothing depends on the machine, so the same scenario and seed give
// the same bytes.

#include <string>
#include <string_view>

#include "sim/model/simulation.hpp"

namespace sluice::sim {

// `scenario_name`: how the page names the scenario (its file's path as given).
std::string render_report_html(const Simulation& simulation, std::string_view scenario_name);

}  // namespace sluice::sim
