#include "gateway/budget_guard.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <utility>

#include "core/clock.hpp"
#include "gateway/pricing.hpp"

namespace sluice::gateway {
namespace {

int64_t micro(double usd) { return std::llround(usd * 1e6); }

// "$5.00", "$0.0001", "$0.052": cents, or the millionths a smaller amount needs.
std::string dollars(int64_t micro_usd) {
  char text[32];
  std::snprintf(text, sizeof text, "$%.6f", static_cast<double>(micro_usd) / 1e6);
  std::string out = text;
  while (out.size() > out.find('.') + 3 && out.back() == '0') out.pop_back();
  return out;
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

BudgetGuard::BudgetGuard(SpendTracker& spend, const core::BudgetsConfig& config,
                         std::function<int64_t()> now_ms)
    : spend_(spend),
      now_ms_(now_ms ? std::move(now_ms) : std::function<int64_t()>(core::unix_milliseconds)) {
  for (const core::TeamBudgetConfig& team : config.teams)
    teams_[team.team] = Limits{micro(team.daily_usd), micro(team.monthly_usd)};
  for (const core::BudgetDowngradeConfig& downgrade : config.downgrades)
    downgrades_[downgrade.model] = downgrade.to;
}

SpendHold::SpendHold(SpendTracker& spend, std::string key_id, std::string team, int64_t nano_usd)
    : spend_(&spend), key_id_(std::move(key_id)), team_(std::move(team)), nano_usd_(nano_usd) {
  spend_->hold(key_id_, team_, nano_usd_);
}

SpendHold& SpendHold::operator=(SpendHold&& other) noexcept {
  if (this == &other) return *this;
  release();
  spend_ = std::exchange(other.spend_, nullptr);
  key_id_ = std::move(other.key_id_);
  team_ = std::move(other.team_);
  nano_usd_ = std::exchange(other.nano_usd_, 0);
  return *this;
}

void SpendHold::release() {
  if (spend_) spend_->release(key_id_, team_, nano_usd_);
  spend_ = nullptr;
}

std::string BudgetGuard::exceeded(const Limits& limits, const SpendTracker::Spend& spent,
                                  int64_t held, int64_t estimate, std::string_view whose,
                                  bool& monthly) {
  const auto verdict = [&](int64_t budget_micro, int64_t spent_nano,
                           const char* period) -> std::string {
    if (budget_micro <= 0) return {};
    const int64_t budget_nano = budget_micro * 1000;
    const std::string budget = std::string("the ") + period + " budget of " +
                               dollars(budget_micro) + " of " + std::string(whose);
    if (spent_nano >= budget_nano) return budget + " is spent";
    if (spent_nano + held + estimate <= budget_nano) return {};
    return budget + " would be passed (spent " + dollars(spent_nano / 1000) + ", calls in flight " +
           dollars(held / 1000) + ", this call about " + dollars(estimate / 1000) + ")";
  };
  std::string reason = verdict(limits.monthly_micro_usd, spent.month_nano_usd, "monthly");
  monthly = !reason.empty();
  if (reason.empty()) reason = verdict(limits.daily_micro_usd, spent.day_nano_usd, "daily");
  return reason;
}

int64_t BudgetGuard::estimate_from(const SpendTracker::View& view, std::string_view model,
                                   long long prompt_tokens, long long completion_tokens) const {
  int64_t nano = view.largest_call;
  if (prices_ && prices_->has_price(model)) {
    const long long completion = completion_tokens < 0   ? 0
                                 : completion_tokens > 0 ? completion_tokens
                                                         : default_completion_tokens_;
    const double usd = prices_->cost_usd(model, prompt_tokens, completion);
    nano = std::max<int64_t>(nano, std::llround(usd * 1e9));
  }
  return nano;
}

int64_t BudgetGuard::estimate(const core::Principal& principal, std::string_view model,
                              long long prompt_tokens, long long completion_tokens) const {
  return estimate_from(spend_.view(principal.key_id, principal.team), model, prompt_tokens,
                       completion_tokens);
}

BudgetVerdict BudgetGuard::assess(const core::Principal& principal, std::string_view model,
                                  long long prompt_tokens, long long completion_tokens,
                                  int64_t& estimate_nano_usd) const {
  const SpendTracker::View view = spend_.view(principal.key_id, principal.team);
  estimate_nano_usd = estimate_from(view, model, prompt_tokens, completion_tokens);
  return check_against(principal, model, view, estimate_nano_usd);
}

SpendHold BudgetGuard::hold(const core::Principal& principal, int64_t estimate_nano_usd) const {
  if (principal.key_id.empty() || estimate_nano_usd <= 0) return {};
  return SpendHold(spend_, principal.key_id, principal.team, estimate_nano_usd);
}

BudgetAdmission BudgetGuard::admit(const core::Principal& principal, std::string_view model,
                                   long long prompt_tokens, long long completion_tokens,
                                   const std::function<bool(std::string_view)>& may_call) const {
  BudgetAdmission admission;
  int64_t estimate = 0;
  admission.verdict = assess(principal, model, prompt_tokens, completion_tokens, estimate);
  if (!admission.verdict.refusal) {
    admission.hold = hold(principal, estimate);
    return admission;
  }
  // The cheaper model must be one the key may call too.
  const bool downgrade =
      !admission.verdict.downgrade_to.empty() && may_call(admission.verdict.downgrade_to);
  admission.kind = downgrade ? BudgetAdmission::Kind::downgraded : BudgetAdmission::Kind::refused;
  count(admission.verdict, downgrade ? Action::downgraded : Action::refused);
  return admission;
}

BudgetVerdict BudgetGuard::check(const core::Principal& principal, std::string_view model,
                                 int64_t estimate_nano_usd) const {
  if (principal.key_id.empty()) return {};
  return check_against(principal, model, spend_.view(principal.key_id, principal.team),
                       estimate_nano_usd);
}

BudgetVerdict BudgetGuard::check_against(const core::Principal& principal, std::string_view model,
                                         const SpendTracker::View& view,
                                         int64_t estimate_nano_usd) const {
  BudgetVerdict verdict;
  if (principal.key_id.empty()) return verdict;  // no recorded spend to hold it to
  bool monthly = false;
  std::string reason =
      exceeded(Limits{principal.daily_budget_micro_usd, principal.monthly_budget_micro_usd},
               view.key, view.held_by_key, estimate_nano_usd, "this API key", monthly);
  if (reason.empty() && !principal.team.empty()) {
    if (const auto team = teams_.find(principal.team); team != teams_.end())
      reason = exceeded(team->second, view.team, view.held_by_team, estimate_nano_usd,
                        "team " + principal.team, monthly);
    verdict.team = !reason.empty();
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
