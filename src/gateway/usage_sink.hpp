#pragma once

#include <string_view>

#include "gateway/types.hpp"

namespace sluice::gateway {

// Told of every finished model call made for a virtual key: the key's team (empty: none), the
// requested model (alias or name), the tokens and the cost. Called on event loops: must not block.
class UsageSink {
 public:
  virtual ~UsageSink() = default;
  virtual void record(std::string_view key_id, std::string_view team, std::string_view model,
                      const Usage& usage, double cost_usd) = 0;
};

}  // namespace sluice::gateway
