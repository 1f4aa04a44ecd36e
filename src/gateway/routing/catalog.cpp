#include "gateway/routing/catalog.hpp"

#include <algorithm>
#include <mutex>

namespace sluice::gateway {

Result<std::unique_ptr<Catalog>> Catalog::build(const core::GatewayConfig& config) {
  auto catalog = std::make_unique<Catalog>();
  catalog->breaker_config_ = config.circuit_breaker;
  for (const auto& provider_config : config.providers) {
    auto provider = make_provider(provider_config);
    if (!provider) return provider.error();
    catalog->providers_.push_back(std::move(*provider));
  }
  for (const auto& alias_config : config.models) {
    ModelAlias alias;
    alias.name = alias_config.alias;
    alias.strategy = parse_strategy(alias_config.strategy).value_or(Strategy::weighted);
    alias.fallbacks = alias_config.fallbacks;
    std::map<int, std::vector<Deployment*>> by_priority;
    for (const auto& d : alias_config.deployments) {
      Provider* provider = catalog->provider_named(d.provider);
      if (!provider)
        return make_error(Errc::invalid_request, "deployment names unknown provider " + d.provider);
      catalog->deployments_.push_back(
          std::make_unique<Deployment>(d.provider + "/" + d.model, provider, d.model, d.weight,
                                       d.priority, d.region, config.circuit_breaker));
      by_priority[d.priority].push_back(catalog->deployments_.back().get());
    }
    for (auto& [priority, group] : by_priority) alias.priority_groups.push_back(std::move(group));
    catalog->aliases_.emplace(alias.name, std::move(alias));
  }
  if (!config.default_provider.empty())
    catalog->default_provider_ = catalog->provider_named(config.default_provider);
  return catalog;
}

Provider* Catalog::provider_named(std::string_view name) const {
  for (const auto& provider : providers_)
    if (provider->name() == name) return provider.get();
  return nullptr;
}

const ModelAlias* Catalog::dynamic_alias(Provider* provider, std::string_view upstream_model,
                                         std::string_view name) {
  {
    std::shared_lock lock(dynamic_mutex_);
    if (auto it = dynamic_aliases_.find(name); it != dynamic_aliases_.end())
      return it->second.get();
  }
  std::unique_lock lock(dynamic_mutex_);
  if (auto it = dynamic_aliases_.find(name); it != dynamic_aliases_.end()) return it->second.get();
  if (dynamic_aliases_.size() >= kMaxDynamicModels) return nullptr;
  dynamic_deployments_.push_back(
      std::make_unique<Deployment>(provider->name() + "/" + std::string(upstream_model), provider,
                                   std::string(upstream_model), 1, 0, "", breaker_config_));
  auto alias = std::make_unique<ModelAlias>();
  alias->name = std::string(name);
  alias->priority_groups.push_back({dynamic_deployments_.back().get()});
  const ModelAlias* result = alias.get();
  dynamic_aliases_.emplace(std::string(name), std::move(alias));
  return result;
}

Result<std::vector<const ModelAlias*>> Catalog::resolve(std::string_view model) {
  std::vector<const ModelAlias*> chain;
  if (auto it = aliases_.find(std::string(model)); it != aliases_.end()) {
    chain.push_back(&it->second);
    for (const auto& fallback : it->second.fallbacks)
      if (auto f = aliases_.find(fallback); f != aliases_.end()) chain.push_back(&f->second);
    return chain;
  }
  const ModelAlias* alias = nullptr;
  if (const auto slash = model.find('/'); slash != std::string_view::npos) {
    if (Provider* provider = provider_named(model.substr(0, slash)))
      alias = dynamic_alias(provider, model.substr(slash + 1), model);
  }
  if (!alias && default_provider_ && !model.empty())
    alias = dynamic_alias(default_provider_, model, model);
  if (!alias)
    return make_error(
        Errc::not_found,
        "The model `" + std::string(model) + "` does not exist or you do not have access to it.",
        "model", "model_not_found");
  chain.push_back(alias);
  return chain;
}

std::vector<std::string> Catalog::alias_names() const {
  std::vector<std::string> names;
  for (const auto& [name, alias] : aliases_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<const Deployment*> Catalog::deployments() const {
  std::vector<const Deployment*> out;
  for (const auto& d : deployments_) out.push_back(d.get());
  std::shared_lock lock(dynamic_mutex_);
  for (const auto& d : dynamic_deployments_) out.push_back(d.get());
  return out;
}

bool Catalog::any_available(std::chrono::steady_clock::time_point now) const {
  if (deployments_.empty()) return true;  // only on-demand deployments: nothing to judge yet
  for (const auto& d : deployments_)
    if (d->breaker.state(now) != CircuitBreaker::State::open) return true;
  return false;
}

}  // namespace sluice::gateway
