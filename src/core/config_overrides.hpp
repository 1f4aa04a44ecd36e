#pragma once

#include <map>
#include <string>

#include "core/config_tree.hpp"

namespace sluice::core::detail {

// Sets SLUICE_<SECTION>__<KEY> variables from `env` in `root`. A name that is not a key path of
// the schema is an error, unless it has one level and resembles no key (another tool's variable).
void apply_env_overrides(const Env& env, RawNode& root, Errors& errors);

// Sets each dotted key path in `overrides` to its value in `root`; unknown paths are errors.
void apply_cli_overrides(const std::map<std::string, std::string>& overrides, RawNode& root,
                         Errors& errors);

}  // namespace sluice::core::detail
