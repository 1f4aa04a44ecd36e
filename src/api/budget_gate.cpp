#include "api/budget_gate.hpp"

#include <boost/json/serialize.hpp>
#include <string>

#include "api/gateway_outcome.hpp"
#include "core/json_read.hpp"
#include "gateway/token_estimate.hpp"

namespace sluice::api {

namespace {

// The budget gate's verdict for a call of `model`; a downgrade renames `model` and calls
// `downgraded`.
template <class OnDowngrade>
bool admit(http::Exchange& exchange, const gateway::BudgetGuard& guard, std::string& model,
           long long prompt_tokens, long long completion_tokens, gateway::SpendHold& hold,
           OnDowngrade downgraded) {
  using Kind = gateway::BudgetAdmission::Kind;
  gateway::BudgetAdmission admission =
      guard.admit(*exchange.principal, model, prompt_tokens, completion_tokens,
                  [&exchange](std::string_view cheaper) {
                    return !model_refused(exchange, cheaper).has_value();
                  });
  if (admission.kind == Kind::admitted) {
    hold = std::move(admission.hold);
    return true;
  }
  const gateway::BudgetVerdict& verdict = admission.verdict;
  if (admission.kind == Kind::downgraded) {
    exchange.response.add_header(std::string(kBudgetDowngradeHeader),
                                 model + " -> " + verdict.downgrade_to);
    model = verdict.downgrade_to;
    downgraded();
    return true;
  }
  exchange.response.set_error(*verdict.refusal);
  exchange.response.add_header("retry-after", std::to_string(verdict.retry_after_seconds));
  // The official SDKs retry a 429 after its Retry-After however long it is (Anthropic's) or after
  // its own short backoff if it is over a minute (OpenAI's): neither helps before the budget
  // starts afresh, hours away. Both obey x-should-retry.
  exchange.response.add_header("x-should-retry", "false");
  return false;
}

}  // namespace

bool admit_spend(http::Exchange& exchange, const gateway::BudgetGuard* guard,
                 boost::json::object& body, gateway::SpendHold& hold, bool answers) {
  if (!guard || !exchange.principal || !guard->applies(*exchange.principal)) return true;
  std::string model(core::string_field(body, "model"));
  const long long prompt_tokens = gateway::estimate_tokens_from_bytes(exchange.request.body.size());
  const long long completion_tokens = answers ? gateway::requested_completion_tokens(&body) : -1;
  return admit(exchange, *guard, model, prompt_tokens, completion_tokens, hold, [&] {
    body["model"] = model;
    exchange.request.body = boost::json::serialize(body);
  });
}

bool admit_spend_for_model(http::Exchange& exchange, const gateway::BudgetGuard* guard,
                           std::string& model, gateway::SpendHold& hold) {
  if (!guard || !exchange.principal || !guard->applies(*exchange.principal)) return true;
  return admit(exchange, *guard, model, 0, 0, hold, [] {});
}

}  // namespace sluice::api
