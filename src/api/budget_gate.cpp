#include "api/budget_gate.hpp"

#include <boost/json/serialize.hpp>
#include <string>

#include "api/gateway_outcome.hpp"
#include "core/json_read.hpp"

namespace sluice::api {

bool admit_spend(http::Exchange& exchange, const gateway::BudgetGuard* guard,
                 boost::json::object& body) {
  if (!guard || !exchange.principal) return true;
  const std::string model(core::string_field(body, "model"));
  const gateway::BudgetVerdict verdict = guard->check(*exchange.principal, model);
  if (!verdict.refusal) return true;
  // The cheaper model must be one the key may call too.
  if (!verdict.downgrade_to.empty() && !model_refused(exchange, verdict.downgrade_to)) {
    body["model"] = verdict.downgrade_to;
    exchange.request.body = boost::json::serialize(body);
    exchange.response.add_header(std::string(kBudgetDowngradeHeader),
                                 model + " -> " + verdict.downgrade_to);
    return true;
  }
  exchange.response.set_error(*verdict.refusal);
  exchange.response.add_header("retry-after", std::to_string(verdict.retry_after_seconds));
  return false;
}

}  // namespace sluice::api
