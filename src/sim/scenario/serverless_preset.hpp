#pragma once
// platform kind serverless: the keys a scenario leaves out take its preset's values (the
// documented behaviour and list prices of sim/platform/serverless_config.hpp's lambda_like() and
// cloud_run_like()), so that `preset: cloud_run` alone describes Cloud Run.

#include <map>
#include <string>

#include "sim/platform/serverless_config.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

// Sets every key of `c` that `given` (the key paths the file set) does not hold from the preset
// `c.preset` names; an unknown preset changes nothing (validation reports it). queue_limit, when
// not given, is max_instances x concurrency: every slot's worth of waiting requests.
void apply_serverless_preset(ServerlessPlatformConfig& c,
                             const std::map<std::string, std::string>& given);

// The pool's configuration for a validated section, drawing cold starts from `cold_start`.
ServerlessConfig to_pool_config(const ServerlessPlatformConfig& c, DurationSampler cold_start);

}  // namespace sluice::sim
