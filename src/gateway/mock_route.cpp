#include "gateway/mock_route.hpp"

#include "gateway/providers/mock/mock_provider.hpp"

namespace sluice::gateway {

bool routes_only_to_mock(Catalog& catalog, std::string_view model) {
  auto route = catalog.resolve(model);
  if (!route || route->size() == 0) return false;
  for (const ModelAlias* alias : route->aliases())
    for (const auto& group : alias->priority_groups)
      for (const AliasMember& member : group)
        if (!dynamic_cast<const MockProvider*>(member.deployment->provider)) return false;
  return true;
}

}  // namespace sluice::gateway
