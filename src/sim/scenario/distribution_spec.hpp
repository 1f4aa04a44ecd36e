#pragma once
// Between a distribution as a scenario file gives it and the Distribution it means.

#include <map>
#include <string>

#include "core/config_validate.hpp"
#include "sim/scenario/distribution.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

// Checks the spec at key path `path`: a known `dist`, exactly its parameters, each in range.
// `given` holds the key paths the file set. A spec with no `dist` is an error when `required`.
void check_distribution(const TimeDistributionSpec& spec, const std::string& path,
                        const std::map<std::string, std::string>& given, bool required,
                        core::detail::Reporter& report);
void check_distribution(const CountDistributionSpec& spec, const std::string& path,
                        const std::map<std::string, std::string>& given, bool required,
                        core::detail::Reporter& report);

// The distribution of a checked spec (times in seconds); constant 0 when no `dist` was given.
Distribution to_distribution(const TimeDistributionSpec& spec);
Distribution to_distribution(const CountDistributionSpec& spec);

}  // namespace sluice::sim
