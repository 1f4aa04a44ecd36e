#pragma once
// Another program of the build (a benchmark's, such as scenario_load), run as run_sluice runs
// sluice: a clean environment plus `env`, output captured, killed after `timeout`.

#include <chrono>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace sluice::testing {

RunResult run_program(const std::string& binary, std::vector<std::string> args, Env env = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(20));

}  // namespace sluice::testing
