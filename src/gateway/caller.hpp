#pragma once

#include <string_view>

#include "core/principal.hpp"
#include "gateway/gateway_service.hpp"

namespace sluice::gateway {

// The caller a request of `principal` (null: none) is: a virtual key by its id (its name label
// "virtual", since there may be many; its usage is recorded by id), else a config file key by
// `config_key_name`.
inline Caller caller_of(const core::Principal* principal, std::string_view config_key_name) {
  const long long tokens_per_minute = principal ? principal->tokens_per_minute : 0;
  if (principal && !principal->key_id.empty())
    return Caller{"virtual", principal->key_id, principal->team, tokens_per_minute};
  return Caller{config_key_name, {}, {}, tokens_per_minute};
}

}  // namespace sluice::gateway
