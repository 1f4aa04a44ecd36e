#include "gateway/budget_guard.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>

#include "core/clock.hpp"

namespace sluice::gateway {
namespace {

int64_t micro(double usd) { return std::llround(usd * 1e6); }

std::string dollars(int64_t micro_usd) {
  char text[32];
  std::snprintf(text, sizeof text, "$%.2f", static_cast<double>(micro_usd) / 1e6);
  return text;
}

// Seconds from `now_ms` to the next UTC midnight, or to the first of the next month.
int64_t seconds_until_reset(int64_t now_ms, bool monthly) {
  constexpr int64_t kDay = 86'400;
  const int64_t now = now_ms / 1000;
  if (!monthly) return kDay - now % kDay;
  const std::time_t t = static_cast<std::time_t>(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  std::tm next{};
  next.tm_year = utc.tm_mon == 11 ? utc.tm_year + 1 : utc.tm_year;
  next.tm_mon = (utc.tm_mon + 1) % 12;
  next.tm_mday = 1;
  return static_cast<int64_t>(timegm(&next)) - now;
}

}  // namespace

BudgetGuard::BudgetGuard(const SpendTracker& spend, const core::BudgetsConfig& config,
                         std::function<int64_t()> now_ms)
    : spend_(spend),
      now_ms_(now_ms ? std::move(now_ms) : std::function<int64_t()>(core::unix_milliseconds)) {
  for (const core::TeamBudgetConfig& team : config.teams)
    teams_[team.team] = Limits{micro(team.daily_usd), micro(team.monthly_usd)};
  for (const core::BudgetDowngradeConfig& downgrade : config.downgrades)
    downgrades_[downgrade.model] = downgrade.to;
}

std::string BudgetGuard::exceeded(const Limits& limits, const SpendTracker::Spend& spent,
                                  std::string_view whose, bool& monthly) {
  const auto over = [](int64_t budget_micro, int64_t spent_nano) {
    return budget_micro > 0 && spent_nano >= budget_micro * 1000;
  };
  monthly = over(limits.monthly_micro_usd, spent.month_nano_usd);
  if (monthly)
    return "the monthly budget of " + dollars(limits.monthly_micro_usd) + " of " +
           std::string(whose) + " is spent";
  if (over(limits.daily_micro_usd, spent.day_nano_usd))
    return "the daily budget of " + dollars(limits.daily_micro_usd) + " of " + std::string(whose) +
           " is spent";
  return {};
}

BudgetVerdict BudgetGuard::check(const core::Principal& principal, std::string_view model) const {
  BudgetVerdict verdict;
  if (principal.key_id.empty()) return verdict;  // no recorded spend to hold it to
  bool monthly = false;
  std::string reason =
      exceeded(Limits{principal.daily_budget_micro_usd, principal.monthly_budget_micro_usd},
               spend_.key(principal.key_id), "this API key", monthly);
  if (reason.empty() && !principal.team.empty()) {
    if (const auto team = teams_.find(principal.team); team != teams_.end())
      reason =
          exceeded(team->second, spend_.team(principal.team), "team " + principal.team, monthly);
  }
  if (reason.empty()) return verdict;
  if (const auto cheaper = downgrades_.find(std::string(model)); cheaper != downgrades_.end())
    verdict.downgrade_to = cheaper->second;
  verdict.retry_after_seconds = seconds_until_reset(now_ms_(), monthly);
  verdict.refusal = make_error(Errc::rate_limited,
                               reason + "; it starts afresh at " +
                                   (monthly ? "the next month" : "the next midnight") + " UTC",
                               "", "budget_exceeded");
  return verdict;
}

}  // namespace sluice::gateway
