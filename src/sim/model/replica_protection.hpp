#pragma once
// What one simulated replica holds to protect itself, as one server process holds it: the
// production LocalLimiter behind the request-rate limits (RequestRateLimits, the rate limit
// filter's policy) and the token limits (TokenLimits, inside GatewayService), and the production
// SpendTracker, UsageLedger and BudgetGuard behind the budget gate. Time is the engine's: the
// limiters are given the virtual steady time, and the spend's days and months are counted on
// the virtual wall clock (the scenario's `start` plus the virtual time).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/local_limiter.hpp"
#include "auth/request_rate_limits.hpp"
#include "auth/token_limits.hpp"
#include "gateway/budget_guard.hpp"
#include "gateway/caller.hpp"
#include "gateway/gateway_service.hpp"
#include "gateway/pricing.hpp"
#include "gateway/spend_tracker.hpp"
#include "gateway/usage_ledger.hpp"
#include "ops/metrics.hpp"
#include "sim/engine/engine.hpp"
#include "sim/model/key_book.hpp"

namespace sluice::sim {

class ReplicaProtection {
 public:
  // The route simulated requests are made on.
  static constexpr std::string_view kRoute = "/v1/chat/completions";
  // A simulated request body's bytes per prompt token: the gateway's own estimate (about 4 bytes
  // a token) then reads back the prompt's tokens.
  static constexpr long long kBytesPerToken = 4;

  // `keys` must outlive this. Registers sluice_ratelimited_total and
  // sluice_budget_exceeded_total on `registry`, as the server does.
  ReplicaProtection(const Engine& engine, const ScenarioConfig& scenario, KeyBook& keys,
                    ops::Registry& registry);
  ~ReplicaProtection();
  ReplicaProtection(const ReplicaProtection&) = delete;
  ReplicaProtection& operator=(const ReplicaProtection&) = delete;

  // Where `service` records virtual keys' usage and reserves their tokens per minute.
  void attach(gateway::GatewayService& service);

  // The rate limit filter's decision for a request of `principal` (null: none) arriving now
  // (refused: not `admitted`; auth::RequestRateLimits::refusal gives the answer).
  auth::RequestRateLimits::Decision admit_request(const core::Principal* principal);

  // The budget gate's decision for a call of `model` with `prompt_tokens` by `principal` (as the
  // chat handler asks it: no max_tokens, so the answer's estimate is
  // rate_limits.default_completion_tokens). Admitted without a hold when no budget applies.
  gateway::BudgetAdmission admit_spend(const core::Principal& principal, std::string_view model,
                                       long long prompt_tokens);

  // A request body of `prompt_tokens`' size, as the gateway's token estimate reads it (its bytes
  // are never read). Valid until this is destroyed.
  std::string_view body_of(long long prompt_tokens);

 private:
  const Engine& engine_;
  KeyBook& keys_;
  const long long default_completion_tokens_;
  auth::LocalLimiter limiter_;
  auth::RequestRateLimits requests_;
  auth::TokenLimits tokens_;
  gateway::SpendTracker spend_;
  gateway::UsageLedger ledger_;
  gateway::BudgetGuard budgets_;
  gateway::PriceTable prices_;
  // Bodies grow by new buffers: views handed out earlier stay valid.
  std::vector<std::unique_ptr<std::string>> bodies_;
};

}  // namespace sluice::sim
