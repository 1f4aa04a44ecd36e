#pragma once
// Budgets: whether a model call may go ahead for its key and its key's team, from what they have
// spent today and this month (UTC) and what the calls in flight may still cost. A call is
// refused (or sent to the cheaper model budgets.downgrades names for it) when the spend has
// reached a budget, or when with the calls in flight and its own estimated cost it would pass
// it. An admitted call holds its estimate until it ends, when its real cost has been added.

#include <atomic>
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

class PriceTable;

// What an admitted call holds of its key's and team's budgets until it ends. Moves; gives the
// hold back when destroyed (the call's real cost has been added by then).
class SpendHold {
 public:
  SpendHold() = default;
  SpendHold(SpendTracker& spend, std::string key_id, std::string team, int64_t nano_usd);
  SpendHold(SpendHold&& other) noexcept { *this = std::move(other); }
  SpendHold& operator=(SpendHold&& other) noexcept;
  SpendHold(const SpendHold&) = delete;
  SpendHold& operator=(const SpendHold&) = delete;
  ~SpendHold() { release(); }

  int64_t nano_usd() const { return nano_usd_; }

 private:
  void release();

  SpendTracker* spend_ = nullptr;
  std::string key_id_, team_;
  int64_t nano_usd_ = 0;
};

struct BudgetVerdict {
  // Over budget: the 429 to answer (code budget_exceeded) and when the budget starts afresh.
  std::optional<Error> refusal;
  int64_t retry_after_seconds = 0;
  // Over budget with a cheaper model configured: what to call instead of refusing.
  std::string downgrade_to;
  bool team = false;  // the budget passed is the team's (else the key's own)
};

// What the budget gate did with a call: let it through holding its estimate, sent it to the
// cheaper model budgets.downgrades names (not held: past the budget, the downgrade is what was
// asked for), or refused it.
struct BudgetAdmission {
  enum class Kind { admitted, downgraded, refused };
  Kind kind = Kind::admitted;
  BudgetVerdict verdict;  // over budget (downgraded, refused): why; verdict.downgrade_to
  SpendHold hold;         // admitted: the call's estimate, held until the call has ended
};

class BudgetGuard {
 public:
  // `spend` must outlive the guard. `now_ms`: empty = the system clock.
  BudgetGuard(SpendTracker& spend, const core::BudgetsConfig& config,
              std::function<int64_t()> now_ms = {});
  // Where call estimates find prices (null: none; the key's largest call so far stands in) and
  // what a chat that sets no max_tokens is expected to answer. Set before serving.
  void set_estimates(const PriceTable* prices, long long default_completion_tokens) {
    prices_ = prices;
    default_completion_tokens_ = default_completion_tokens;
  }

  // Whether any budget holds the principal's calls (its own, or its team's).
  bool applies(const core::Principal& principal) const {
    return !principal.key_id.empty() &&
           (principal.daily_budget_micro_usd > 0 || principal.monthly_budget_micro_usd > 0 ||
            (!principal.team.empty() && teams_.contains(principal.team)));
  }
  // What a call of `model` with `prompt_tokens` that asks for `completion_tokens` (0: unsaid,
  // or -1 for calls that answer none, as embeddings) may cost, in nano-USD: by the model's price
  // when it has one, and at least the largest call the key (else its team) has made.
  int64_t estimate(const core::Principal& principal, std::string_view model,
                   long long prompt_tokens, long long completion_tokens) const;
  // For a call of `model` by `principal` estimated at `estimate_nano_usd`. Keys whose spend is
  // not recorded (the config file's) and teams without a budget pass.
  BudgetVerdict check(const core::Principal& principal, std::string_view model,
                      int64_t estimate_nano_usd = 0) const;
  // What became of an over-budget call, counted for sluice_budget_exceeded_total.
  enum class Action { refused, downgraded };
  void count(const BudgetVerdict& verdict, Action action) const {
    counts_[verdict.team ? 1 : 0][static_cast<int>(action)].fetch_add(1, std::memory_order_relaxed);
  }
  uint64_t counted(bool team, Action action) const {
    return counts_[team ? 1 : 0][static_cast<int>(action)].load(std::memory_order_relaxed);
  }
  // estimate() and check() together, reading the spend once: the verdict, and the estimate to
  // hold when admitted.
  BudgetVerdict assess(const core::Principal& principal, std::string_view model,
                       long long prompt_tokens, long long completion_tokens,
                       int64_t& estimate_nano_usd) const;
  // The hold of an admitted call (nothing for keys whose spend is not recorded).
  SpendHold hold(const core::Principal& principal, int64_t estimate_nano_usd) const;
  // The budget gate, for a call of `model` by `principal` (one applies() holds): assess() it; over
  // budget, downgrade it when a cheaper model is configured and `may_call` allows the key that
  // model, else refuse it. Counted for sluice_budget_exceeded_total.
  BudgetAdmission admit(const core::Principal& principal, std::string_view model,
                        long long prompt_tokens, long long completion_tokens,
                        const std::function<bool(std::string_view model)>& may_call) const;

 private:
  struct Limits {
    int64_t daily_micro_usd = 0;
    int64_t monthly_micro_usd = 0;
  };
  // The exceeded budget's description ("the daily budget of $5.00 of team alpha is spent");
  // empty if none. `held`: what calls in flight may still cost; `estimate`: this call.
  static std::string exceeded(const Limits& limits, const SpendTracker::Spend& spent, int64_t held,
                              int64_t estimate, std::string_view whose, bool& monthly);

  int64_t estimate_from(const SpendTracker::View& view, std::string_view model,
                        long long prompt_tokens, long long completion_tokens) const;
  BudgetVerdict check_against(const core::Principal& principal, std::string_view model,
                              const SpendTracker::View& view, int64_t estimate_nano_usd) const;

  SpendTracker& spend_;
  const PriceTable* prices_ = nullptr;
  long long default_completion_tokens_ = 1024;
  std::unordered_map<std::string, Limits> teams_;
  std::unordered_map<std::string, std::string> downgrades_;
  std::function<int64_t()> now_ms_;
  mutable std::atomic<uint64_t> counts_[2][2] = {};  // [team][action]
};

}  // namespace sluice::gateway
