#include "gateway/routing/catalog.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_set>

namespace sluice::gateway {

namespace {

std::string deployment_id(const Provider& provider, std::string_view model) {
  std::string id = provider.name();
  id += '/';
  id += model;
  return id;
}

ModelAlias single_deployment_alias(std::string_view name, Deployment* deployment) {
  ModelAlias alias;
  alias.name = std::string(name);
  alias.priority_groups.push_back({AliasMember{deployment, 1, 0}});
  return alias;
}

}  // namespace

Error model_not_found(std::string_view model) {
  return make_error(
      Errc::not_found,
      "The model `" + std::string(model) + "` does not exist or you do not have access to it.",
      "model", "model_not_found");
}

void Route::settle() {
  if (transient_ && catalog_) catalog_->settle(std::move(transient_));
}

Route& Route::operator=(Route&& other) noexcept {
  if (this != &other) {
    settle();
    aliases_ = std::move(other.aliases_);
    transient_ = std::move(other.transient_);
    catalog_ = other.catalog_;
  }
  return *this;
}

Result<std::unique_ptr<Catalog>> Catalog::build(const core::GatewayConfig& config,
                                                const ProviderFactory& make) {
  auto catalog = std::make_unique<Catalog>();
  catalog->breaker_config_ = config.circuit_breaker;
  for (const auto& provider_config : config.providers) {
    auto provider = make(provider_config);
    if (!provider) return provider.error();
    catalog->providers_.push_back(std::move(*provider));
  }
  for (const auto& alias_config : config.models) {
    ModelAlias alias;
    alias.name = alias_config.alias;
    alias.strategy = parse_strategy(alias_config.strategy).value_or(Strategy::weighted);
    alias.fallbacks = alias_config.fallbacks;
    std::map<int, std::vector<AliasMember>> by_priority;
    for (const auto& d : alias_config.deployments) {
      Provider* provider = catalog->provider_named(d.provider);
      if (!provider)
        return make_error(Errc::invalid_request, "deployment names unknown provider " + d.provider);
      std::string id = deployment_id(*provider, d.model);
      auto& slot = catalog->deployments_[id];
      if (!slot)
        slot =
            std::make_unique<Deployment>(std::move(id), provider, d.model, config.circuit_breaker);
      by_priority[d.priority].push_back({slot.get(), d.weight, d.priority});
    }
    for (auto& [priority, group] : by_priority) alias.priority_groups.push_back(std::move(group));
    std::string name = alias.name;
    catalog->aliases_.emplace(std::move(name), std::move(alias));
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

bool Catalog::listed_locked(const Provider& provider, std::string_view model) const {
  auto it = upstream_models_.find(&provider);
  return it != upstream_models_.end() &&
         std::binary_search(it->second.begin(), it->second.end(), model, std::less<>());
}

std::optional<Catalog::Target> Catalog::target_of(std::string_view name) const {
  if (name.empty()) return std::nullopt;
  if (const auto slash = name.find('/'); slash != std::string_view::npos && slash + 1 < name.size())
    if (Provider* provider = provider_named(name.substr(0, slash)))
      return Target{provider, name.substr(slash + 1)};
  if (default_provider_) return Target{default_provider_, name};
  for (const auto& provider : providers_)
    if (listed_locked(*provider, name)) return Target{provider.get(), name};
  return std::nullopt;
}

const ModelAlias* Catalog::table_alias_locked(std::string_view name) const {
  auto it = table_aliases_.find(name);
  return it == table_aliases_.end() ? nullptr : it->second.get();
}

const ModelAlias* Catalog::add_to_table_locked(std::string_view name, const Target& target,
                                               bool promoted) {
  std::string id = deployment_id(*target.provider, target.upstream_model);
  auto& slot = deployments_[id];
  if (!slot) {
    std::size_t& count = promoted ? promoted_ : listed_;
    const std::size_t cap =
        promoted ? kMaxPromotedModels : kMaxListedSlotsPerProvider * providers_.size();
    if (count >= cap) {
      deployments_.erase(id);
      return nullptr;
    }
    ++count;
    slot = std::make_unique<Deployment>(std::move(id), target.provider,
                                        std::string(target.upstream_model), breaker_config_);
  }
  auto alias = std::make_unique<ModelAlias>(single_deployment_alias(name, slot.get()));
  const ModelAlias* result = alias.get();
  table_aliases_.emplace(std::string(name), std::move(alias));
  return result;
}

bool Catalog::confirmed_locked(const Target& target) const {
  return listed_locked(*target.provider, target.upstream_model) ||
         deployments_.contains(deployment_id(*target.provider, target.upstream_model));
}

Result<Route> Catalog::resolve(std::string_view model) {
  Route route;
  if (auto it = aliases_.find(model); it != aliases_.end()) {
    route.aliases_.push_back(&it->second);
    for (const auto& fallback : it->second.fallbacks)
      if (auto f = aliases_.find(fallback); f != aliases_.end())
        route.aliases_.push_back(&f->second);
    return route;
  }
  std::optional<Target> target;
  {
    std::shared_lock lock(table_mutex_);
    if (const ModelAlias* alias = table_alias_locked(model)) {
      route.aliases_.push_back(alias);
      return route;
    }
    target = target_of(model);
    if (!target) return model_not_found(model);
    if (!confirmed_locked(*target)) return transient_route(model, *target);
  }
  std::unique_lock lock(table_mutex_);
  const ModelAlias* alias = table_alias_locked(model);
  if (!alias) alias = add_to_table_locked(model, *target, false);
  if (!alias) return transient_route(model, *target);
  route.aliases_.push_back(alias);
  return route;
}

Route Catalog::transient_route(std::string_view name, const Target& target) {
  auto transient = std::make_unique<TransientModel>();
  transient->name = std::string(name);
  transient->deployment = std::make_unique<Deployment>(
      deployment_id(*target.provider, target.upstream_model), target.provider,
      std::string(target.upstream_model), breaker_config_, target.provider->name() + "/*");
  transient->alias = single_deployment_alias(name, transient->deployment.get());
  Route route;
  route.aliases_.push_back(&transient->alias);
  route.transient_ = std::move(transient);
  route.catalog_ = this;
  return route;
}

void Catalog::settle(std::unique_ptr<TransientModel> model) {
  if (model->deployment->stats.successes() == 0) return;  // unanswered names are not retained
  std::unique_lock lock(table_mutex_);
  if (table_alias_locked(model->name)) return;
  if (const auto target = target_of(model->name)) add_to_table_locked(model->name, *target, true);
}

std::vector<std::string> Catalog::alias_names() const {
  std::vector<std::string> names;
  for (const auto& [name, alias] : aliases_) names.push_back(name);
  return names;  // std::map: already sorted
}

std::vector<ListedModel> Catalog::listed_models() const {
  std::vector<ListedModel> out;
  std::unordered_set<std::string> seen;
  auto add = [&](std::string id, const std::string& owner) {
    if (seen.insert(id).second) out.push_back({std::move(id), owner});
  };
  for (const auto& [name, alias] : aliases_) add(name, "sluice");
  std::shared_lock lock(table_mutex_);
  for (const auto& provider : providers_) {
    auto it = upstream_models_.find(provider.get());
    if (it == upstream_models_.end()) continue;
    for (const auto& model : it->second) add(deployment_id(*provider, model), provider->name());
    if (provider.get() == default_provider_)
      for (const auto& model : it->second) add(model, provider->name());
  }
  return out;
}

std::optional<ListedModel> Catalog::find_model(std::string_view id) const {
  if (aliases_.contains(id)) return ListedModel{std::string(id), "sluice"};
  std::shared_lock lock(table_mutex_);
  if (const auto target = target_of(id))
    return ListedModel{std::string(id), target->provider->name()};
  return std::nullopt;
}

std::vector<Provider*> Catalog::providers() const {
  std::vector<Provider*> out;
  for (const auto& provider : providers_) out.push_back(provider.get());
  return out;
}

void Catalog::set_upstream_models(const Provider& provider, std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::unique_lock lock(table_mutex_);
  upstream_models_[&provider] = std::move(ids);
}

std::vector<const Deployment*> Catalog::deployments() const {
  std::vector<const Deployment*> out;
  std::shared_lock lock(table_mutex_);
  for (const auto& [id, deployment] : deployments_) out.push_back(deployment.get());
  return out;
}

}  // namespace sluice::gateway
