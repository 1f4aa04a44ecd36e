#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/config.hpp"
#include "gateway/model_list.hpp"
#include "gateway/providers/provider.hpp"
#include "gateway/routing/balancer.hpp"
#include "gateway/routing/circuit_breaker.hpp"

namespace sluice::gateway {

// One place a model can be served: a provider and its model id, with its own circuit breaker
// and load statistics. There is one per "provider/model" (its id, shown in x-sluice-deployment),
// whichever aliases name it, so its breaker and stats see all of its traffic.
struct Deployment {
  Deployment(std::string id_, Provider* provider_, std::string upstream_model_,
             const core::CircuitBreakerConfig& breaker_config, std::string metric_label_ = {})
      : id(std::move(id_)),
        metric_label(metric_label_.empty() ? id : std::move(metric_label_)),
        provider(provider_),
        upstream_model(std::move(upstream_model_)),
        breaker(breaker_config) {}

  const std::string id;
  // The metrics label: the id, except for unconfirmed model names, which share "provider/*" so
  // that arbitrary names cannot grow the number of series.
  const std::string metric_label;
  Provider* const provider;
  const std::string upstream_model;
  CircuitBreaker breaker;
  DeploymentStats stats;
};

// A deployment as one alias uses it: the weight and priority belong to the alias.
struct AliasMember {
  Deployment* deployment = nullptr;
  int weight = 1;
  int priority = 0;
};

// A model name clients use, and where it may be served, by priority (lowest first).
struct ModelAlias {
  std::string name;
  Strategy strategy = Strategy::weighted;
  std::vector<std::vector<AliasMember>> priority_groups;
  std::vector<std::string> fallbacks;
};

class Catalog;

// A model name the upstream has not confirmed yet: routed through a deployment of its own that
// the catalog keeps only if the upstream answered it successfully.
struct TransientModel {
  std::string name;
  std::unique_ptr<Deployment> deployment;
  ModelAlias alias;
};

// The aliases one request works through, in order: its own, then its fallbacks. Owns the
// transient model when the name is unconfirmed, and hands it back to the catalog when the
// request is done. Must not outlive the catalog.
class Route {
 public:
  Route() = default;
  Route(Route&&) noexcept = default;
  Route& operator=(Route&& other) noexcept;
  ~Route() { settle(); }

  const std::vector<const ModelAlias*>& aliases() const { return aliases_; }
  std::size_t size() const { return aliases_.size(); }
  const ModelAlias* operator[](std::size_t i) const { return aliases_[i]; }
  bool transient() const { return transient_ != nullptr; }

 private:
  friend class Catalog;
  void settle();

  std::vector<const ModelAlias*> aliases_;
  std::unique_ptr<TransientModel> transient_;
  Catalog* catalog_ = nullptr;
};

// Providers, deployments and aliases, built once from the configuration. Also serves model
// names that are not aliases: "provider/model" goes straight to that provider, and any other
// name to the default provider (or, without one, to a provider whose upstream lists it).
//
// Model table policy for those names: a model the provider's upstream lists (or a configured
// deployment) gets a permanent deployment on first use; any other name gets a transient one per
// request, promoted into the table once the upstream answered it successfully (at most
// kMaxPromotedModels of those). Junk names thus never take a slot, and a name that cannot get one
// still routes, without a retained breaker. Thread-safe: aliases are immutable, the table sits
// behind a shared_mutex that the configured-alias path never takes.
class Catalog {
 public:
  using ProviderFactory =
      std::function<Result<std::unique_ptr<Provider>>(const core::ProviderConfig&)>;
  // `make` builds each configured provider (tests pass fakes).
  static Result<std::unique_ptr<Catalog>> build(const core::GatewayConfig& config,
                                                const ProviderFactory& make = make_provider);

  // Where a request for `model` goes. Errors are 404 model_not_found.
  Result<Route> resolve(std::string_view model);
  // Configured aliases, sorted.
  std::vector<std::string> alias_names() const;
  // For /v1/models: the aliases, then each provider's upstream models as "provider/model" and,
  // for the default provider, also bare; no duplicates.
  std::vector<ListedModel> listed_models() const;
  // For /v1/models/{id}: the entry when `id` routes (alias, "provider/model" of a known provider,
  // a bare id with a default provider or in an upstream list), nullopt otherwise.
  std::optional<ListedModel> find_model(std::string_view id) const;

  // Providers in configuration order, for fetching their model lists.
  std::vector<Provider*> providers() const;
  // Replaces `provider`'s upstream model list (already bounded by the caller).
  void set_upstream_models(const Provider& provider, std::vector<std::string> ids);

  // Every permanent deployment (configured and from the table), for metrics.
  std::vector<const Deployment*> deployments() const;

 private:
  friend class Route;
  struct Target {
    Provider* provider = nullptr;
    std::string_view upstream_model;
  };
  // The provider and upstream model `name` routes to (caller holds table_mutex_).
  std::optional<Target> target_of(std::string_view name) const;
  bool listed_locked(const Provider& provider, std::string_view model) const;
  Provider* provider_named(std::string_view name) const;
  const ModelAlias* table_alias_locked(std::string_view name) const;
  // Whether `target` may take a permanent slot without proof: listed upstream, or configured.
  bool confirmed_locked(const Target& target) const;
  // Adds `name` -> the deployment for `target` to the table, creating that deployment unless it
  // exists; null when the bound for `promoted` (or listed) slots is reached. Caller holds
  // table_mutex_ exclusively.
  const ModelAlias* add_to_table_locked(std::string_view name, const Target& target, bool promoted);
  Route transient_route(std::string_view name, const Target& target);
  // A transient model's request finished: promote it if the upstream answered it.
  void settle(std::unique_ptr<TransientModel> model);

  core::CircuitBreakerConfig breaker_config_;
  std::vector<std::unique_ptr<Provider>> providers_;
  std::map<std::string, ModelAlias, std::less<>> aliases_;  // std::less<>: lookups allocate nothing
  Provider* default_provider_ = nullptr;

  mutable std::shared_mutex table_mutex_;
  std::map<std::string, std::unique_ptr<Deployment>, std::less<>> deployments_;  // by id
  std::map<std::string, std::unique_ptr<ModelAlias>, std::less<>> table_aliases_;
  std::unordered_map<const Provider*, std::vector<std::string>> upstream_models_;  // sorted
  std::size_t promoted_ = 0;  // deployments kept for names no list had
  std::size_t listed_ = 0;    // deployments created for listed names
};

// OpenAI's 404 for a model name nothing serves.
Error model_not_found(std::string_view model);

// What the table retains: names the upstream confirmed by answering, and, per provider, names
// its list had (lists change over time, so this is bounded too).
inline constexpr std::size_t kMaxPromotedModels = 256;
inline constexpr std::size_t kMaxListedSlotsPerProvider = 1024;

}  // namespace sluice::gateway
