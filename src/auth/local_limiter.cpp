#include "auth/local_limiter.hpp"

#include <algorithm>

namespace sluice::auth {

LocalLimiter::LocalLimiter(std::size_t max_keys)
    : max_per_shard_(std::max<std::size_t>(1, (max_keys + kShards - 1) / kShards)) {}

int64_t& LocalLimiter::entry(Shard& shard, uint64_t key, int64_t now_ns) {
  auto& table = shard.tat_ns;
  if (auto it = table.find(key); it != table.end()) return it->second;
  if (table.size() >= max_per_shard_) {
    std::erase_if(table, [now_ns](const auto& item) { return item.second <= now_ns; });
    if (table.size() >= max_per_shard_)
      table.erase(std::min_element(table.begin(), table.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      }));
  }
  return table.emplace(key, 0).first->second;
}

bool LocalLimiter::acquire(std::span<const LimitCheck> checks, std::span<LimitState> states,
                           int64_t now_ns) {
  std::size_t charged = 0;
  bool admitted = true;
  for (; charged < checks.size(); ++charged) {
    const LimitCheck& check = checks[charged];
    Shard& shard = shard_of(check.key);
    GcraDecision decision;
    {
      std::lock_guard lock(shard.mutex);
      int64_t& tat = entry(shard, check.key, now_ns);
      decision = gcra_decide(tat, now_ns, check.cost, check.rate);
      tat = decision.tat_ns;
    }
    states[charged] = LimitState{decision.allowed, decision.remaining, decision.reset_ns,
                                 decision.retry_after_ns};
    if (!decision.allowed) {
      admitted = false;
      break;
    }
  }
  if (admitted) return true;
  // Undo the checks charged before the refusal; the others report where they stand.
  for (std::size_t i = 0; i < checks.size(); ++i) {
    if (i == charged) continue;
    if (i < charged) adjust(checks[i], -checks[i].cost, now_ns);
    states[i] = peek(checks[i], now_ns);
  }
  return false;
}

LimitState LocalLimiter::peek(const LimitCheck& check, int64_t now_ns) {
  Shard& shard = shard_of(check.key);
  std::lock_guard lock(shard.mutex);
  const auto it = shard.tat_ns.find(check.key);
  const GcraDecision state =
      gcra_decide(it == shard.tat_ns.end() ? 0 : it->second, now_ns, 0, check.rate);
  return LimitState{true, state.remaining, state.reset_ns, 0};
}

void LocalLimiter::adjust(const LimitCheck& check, int64_t delta, int64_t now_ns) {
  if (delta == 0) return;
  Shard& shard = shard_of(check.key);
  std::lock_guard lock(shard.mutex);
  int64_t& tat = entry(shard, check.key, now_ns);
  tat = gcra_adjust(tat, now_ns, delta, check.rate);
}

std::size_t LocalLimiter::tracked() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.tat_ns.size();
  }
  return total;
}

}  // namespace sluice::auth
