#pragma once
// Budgets at the model-calling routes: a call over its key's or team's budget is refused with a
// 429 (code budget_exceeded, Retry-After until the budget starts afresh, x-should-retry: false so
// that SDKs do not retry it), or sent to the cheaper model budgets.downgrades names, which the
// answer tells in x-sluice-budget-downgrade.

#include <boost/json/object.hpp>

#include "gateway/budget_guard.hpp"
#include "http/exchange.hpp"

namespace sluice::api {

inline constexpr std::string_view kBudgetDowngradeHeader = "x-sluice-budget-downgrade";

// False after answering the refusal. When it downgrades, `body`'s model and the request's body
// are rewritten (a provider may send the body as received). An admitted call's estimated cost
// goes into `hold`, which the caller keeps until the call has ended. `answers` is false for calls
// that produce no completion tokens (embeddings). A null guard: no budgets.
bool admit_spend(http::Exchange& exchange, const gateway::BudgetGuard* guard,
                 boost::json::object& body, gateway::SpendHold& hold, bool answers = true);
// The same for a call whose body is not JSON (a multipart upload), by its `model` alone, which a
// downgrade renames. Its estimate counts no tokens of the body: the key's largest call so far
// stands in (gateway::BudgetGuard::estimate).
bool admit_spend_for_model(http::Exchange& exchange, const gateway::BudgetGuard* guard,
                           std::string& model, gateway::SpendHold& hold);

}  // namespace sluice::api
