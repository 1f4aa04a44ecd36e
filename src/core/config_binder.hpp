#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/config_tree.hpp"
#include "core/schema_binder.hpp"

namespace sluice::core::detail {

// What binding learned about where values came from, for later errors and the prod rules.
struct Binding {
  std::map<std::string, std::string> given;  // key paths given a value -> where each came from
  std::vector<InlineSecret> inline_secrets;
  std::map<std::string, SecretSource> secret_sources;  // the secrets not written inline
};

// Binds `root` to `config` through the schema (config_schema.hpp), reading *_file secrets. Keys
// absent from `root` keep their value; unknown keys and bad values are added to `errors`.
Binding bind_config(const RawNode& root, Config& config, Errors& errors);

}  // namespace sluice::core::detail
