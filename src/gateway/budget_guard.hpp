#pragma once
// Budgets: whether a model call may go ahead for its key and its key's team, from what they have
// spent today and this month (UTC). A call is refused once the spend has reached a budget (the
// call that crosses it runs to its end: its cost is known only then), or sent to the cheaper
// model budgets.downgrades names for it.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/config.hpp"
#include "core/principal.hpp"
#include "core/result.hpp"
#include "gateway/spend_tracker.hpp"

namespace sluice::gateway {

struct BudgetVerdict {
  // Over budget: the 429 to answer (code budget_exceeded) and when the budget starts afresh.
  std::optional<Error> refusal;
  int64_t retry_after_seconds = 0;
  // Over budget with a cheaper model configured: what to call instead of refusing.
  std::string downgrade_to;
};

class BudgetGuard {
 public:
  // `spend` must outlive the guard. `now_ms`: empty = the system clock.
  BudgetGuard(const SpendTracker& spend, const core::BudgetsConfig& config,
              std::function<int64_t()> now_ms = {});

  // For a call of `model` by `principal`. Keys whose spend is not recorded (the config file's)
  // and teams without a budget pass.
  BudgetVerdict check(const core::Principal& principal, std::string_view model) const;

 private:
  struct Limits {
    int64_t daily_micro_usd = 0;
    int64_t monthly_micro_usd = 0;
  };
  // The exceeded budget's description ("daily budget of $5.00 of team alpha"); empty if none.
  static std::string exceeded(const Limits& limits, const SpendTracker::Spend& spent,
                              std::string_view whose, bool& monthly);

  const SpendTracker& spend_;
  std::unordered_map<std::string, Limits> teams_;
  std::unordered_map<std::string, std::string> downgrades_;
  std::function<int64_t()> now_ms_;
};

}  // namespace sluice::gateway
