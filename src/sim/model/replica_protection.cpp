#include "sim/model/replica_protection.hpp"

#include <algorithm>

#include "auth/rate_limit_metrics.hpp"
#include "gateway/budget_metrics.hpp"
#include "gateway/token_estimate.hpp"

namespace sluice::sim {

namespace {

// Milliseconds since the Unix epoch at the engine's virtual now.
std::function<int64_t()> virtual_wall_clock(const Engine& engine, int64_t start_unix_ms) {
  return [&engine, start_unix_ms] {
    return start_unix_ms +
           std::chrono::duration_cast<std::chrono::milliseconds>(engine.now() - kStart).count();
  };
}

int64_t steady_ns(Time t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

ReplicaProtection::ReplicaProtection(const Engine& engine, const ScenarioConfig& scenario,
                                     KeyBook& keys, ops::Registry& registry)
    : engine_(engine),
      keys_(keys),
      default_completion_tokens_(scenario.rate_limits.default_completion_tokens),
      limiter_(static_cast<std::size_t>(scenario.rate_limits.max_tracked)),
      requests_(scenario.rate_limits, limiter_),
      tokens_(scenario.rate_limits, limiter_),
      spend_(virtual_wall_clock(engine, keys.start_unix_ms())),
      ledger_(keys.store(), 10000, virtual_wall_clock(engine, keys.start_unix_ms())),
      budgets_(spend_, scenario.budgets, virtual_wall_clock(engine, keys.start_unix_ms())),
      prices_(scenario.gateway.prices) {
  // As serve wires them: the ledger tells the spend, the guard estimates by gateway.prices.
  ledger_.set_spend_tracker(&spend_);
  budgets_.set_estimates(&prices_, default_completion_tokens_);
  auth::register_rate_limit_metrics(registry, requests_, tokens_);
  gateway::register_budget_metrics(registry, budgets_);
  keys_.enlist(ledger_);
}

ReplicaProtection::~ReplicaProtection() { keys_.withdraw(ledger_); }

void ReplicaProtection::attach(gateway::GatewayService& service) {
  service.set_usage_sink(&ledger_);
  service.set_budget_guard(&budgets_);
  service.set_token_limiter(&tokens_, default_completion_tokens_);
}

auth::RequestRateLimits::Decision ReplicaProtection::admit_request(
    const core::Principal* principal) {
  // No address: simulated clients have none (rate_limits.address_requests_per_minute is refused).
  return requests_.check(principal, std::nullopt, kRoute, steady_ns(engine_.now()));
}

gateway::BudgetAdmission ReplicaProtection::admit_spend(const core::Principal& principal,
                                                        std::string_view model,
                                                        long long prompt_tokens) {
  if (!budgets_.applies(principal)) return {};
  // As admit_spend estimates a chat's body: its bytes' tokens, and the answer's max_tokens (none).
  const auto bytes = static_cast<std::size_t>(std::max(0LL, prompt_tokens) * kBytesPerToken);
  return budgets_.admit(
      principal, model, gateway::estimate_tokens_from_bytes(bytes),
      gateway::requested_completion_tokens(nullptr),
      [&principal](std::string_view cheaper) { return principal.may_use_model(cheaper); });
}

std::string_view ReplicaProtection::body_of(long long prompt_tokens) {
  const auto bytes = static_cast<std::size_t>(std::max(0LL, prompt_tokens) * kBytesPerToken);
  if (bodies_.empty() || bodies_.back()->size() < bytes) {
    const std::size_t grown = bodies_.empty() ? 0 : 2 * bodies_.back()->size();
    bodies_.push_back(std::make_unique<std::string>(std::max(bytes, grown), ' '));
  }
  return std::string_view(*bodies_.back()).substr(0, bytes);
}

}  // namespace sluice::sim
