#pragma once
// Per key of the scenario: what its requests met (the gateway's own 429s, budget refusals and
// downgrades) and what it spent, in total and per report window.

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/report/run_stats.hpp"

namespace sluice::sim {

struct KeySeries {
  std::uint64_t requests = 0;  // finished, answered or not
  std::uint64_t completed = 0;
  std::uint64_t rate_limited = 0;    // 429 rate_limit_exceeded: its request or token rate
  std::uint64_t budget_refused = 0;  // 429 budget_exceeded
  std::uint64_t downgraded = 0;      // over budget, sent to the cheaper model
  double cost_usd = 0;
  std::vector<double> window_cost_usd;  // by the window the request ended in
  // When a call of the key was first over a budget (downgraded or refused): seconds since the
  // start, at the budget gate (after admission).
  std::optional<double> over_budget_at;

  std::uint64_t failed() const { return requests - completed; }
};

class KeyStats {
 public:
  KeyStats(std::size_t keys, double window_seconds) : keys_(keys), window_(window_seconds) {}

  // A request of a key (others are passed over).
  void finished(const RequestRecord& record);
  // Every key's series `windows` long (windows without a request cost 0).
  void close(std::size_t windows);

  const std::vector<KeySeries>& keys() const { return keys_; }

 private:
  std::vector<KeySeries> keys_;
  double window_;
};

}  // namespace sluice::sim
