#pragma once

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/config.hpp"
#include "gateway/providers/provider.hpp"
#include "gateway/routing/balancer.hpp"
#include "gateway/routing/circuit_breaker.hpp"

namespace sluice::gateway {

// One place a model can be served: a provider and its model id, with its own circuit breaker
// and load statistics. Its id "provider/model" labels metrics and x-sluice-deployment.
struct Deployment {
  Deployment(std::string id_, Provider* provider_, std::string upstream_model_, int weight_,
             int priority_, std::string region_, const core::CircuitBreakerConfig& breaker_config)
      : id(std::move(id_)),
        provider(provider_),
        upstream_model(std::move(upstream_model_)),
        weight(weight_),
        priority(priority_),
        region(std::move(region_)),
        breaker(breaker_config) {}

  const std::string id;
  Provider* const provider;
  const std::string upstream_model;
  const int weight;
  const int priority;
  const std::string region;
  CircuitBreaker breaker;
  DeploymentStats stats;
};

// A model name clients use, and where it may be served, by priority (lowest first).
struct ModelAlias {
  std::string name;
  Strategy strategy = Strategy::weighted;
  std::vector<std::vector<Deployment*>> priority_groups;
  std::vector<std::string> fallbacks;
};

// Providers, deployments and aliases, built once from the configuration. Also serves model
// names that are not aliases: "provider/model" goes straight to that provider, and any other
// name to the default provider (when one is set), each as a deployment created on first use.
class Catalog {
 public:
  static Result<std::unique_ptr<Catalog>> build(const core::GatewayConfig& config);

  // The aliases a request for `model` works through, in order: its own, then its fallbacks.
  // Errors are 404 model_not_found.
  Result<std::vector<const ModelAlias*>> resolve(std::string_view model);
  // Configured aliases, for /v1/models.
  std::vector<std::string> alias_names() const;
  // Every deployment (configured and created on demand), for metrics and readiness.
  std::vector<const Deployment*> deployments() const;
  // Readiness: false only when every configured deployment's circuit is open.
  bool any_available(std::chrono::steady_clock::time_point now) const;

 private:
  const ModelAlias* dynamic_alias(Provider* provider, std::string_view upstream_model,
                                  std::string_view name);
  Provider* provider_named(std::string_view name) const;

  core::CircuitBreakerConfig breaker_config_;
  std::vector<std::unique_ptr<Provider>> providers_;
  std::vector<std::unique_ptr<Deployment>> deployments_;
  std::unordered_map<std::string, ModelAlias> aliases_;
  Provider* default_provider_ = nullptr;

  // Created on first use; bounded so arbitrary model names cannot grow memory or metric labels.
  mutable std::shared_mutex dynamic_mutex_;
  std::map<std::string, std::unique_ptr<ModelAlias>, std::less<>> dynamic_aliases_;
  std::vector<std::unique_ptr<Deployment>> dynamic_deployments_;
};

inline constexpr std::size_t kMaxDynamicModels = 256;

}  // namespace sluice::gateway
