#pragma once

#include <string_view>

#include "gateway/routing/catalog.hpp"

namespace sluice::gateway {

// Whether every deployment `model` routes to (fallbacks included) is the built-in mock provider:
// its words are an echo, not an answer. False for a model that does not route at all.
bool routes_only_to_mock(Catalog& catalog, std::string_view model);

}  // namespace sluice::gateway
