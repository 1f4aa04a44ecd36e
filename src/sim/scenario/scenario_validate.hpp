#pragma once

#include <map>
#include <string>

#include "core/config_validate.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

// Checks a bound scenario: ranges, the traffic's shape, every distribution, that each
// upstream entry names a gateway provider and that every deployment is simulated by one, and
// the embedded gateway and admission sections (by the server's own validation). `given` holds
// the key paths the file set.
void validate_scenario(const ScenarioConfig& s, const std::map<std::string, std::string>& given,
                       core::detail::Reporter& report);

// Whether clients may name `model`: an alias of the gateway section, provider/model of a
// configured provider, or any name when a default provider serves it.
bool routable(const core::GatewayConfig& g, const std::string& model);
// Reports at `path` a model clients could not call in this scenario: not routable, or routed to
// an upstream no providers entry simulates.
void check_model(const ScenarioConfig& s, const std::string& model, const std::string& path,
                 core::detail::Reporter& report);

}  // namespace sluice::sim
