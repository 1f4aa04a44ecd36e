#include "sim/platform/always_on_cost.hpp"

#include <algorithm>
#include <stdexcept>

namespace sluice::sim {

AlwaysOnCost::AlwaysOnCost(double price_per_replica_hour, int replicas, Time start)
    : price_per_second_(price_per_replica_hour / 3600.0), replicas_(replicas), changed_at_(start) {
  if (price_per_replica_hour < 0) throw std::invalid_argument("price must not be negative");
  if (replicas < 0) throw std::invalid_argument("replicas must not be negative");
}

void AlwaysOnCost::set_replicas(int replicas, Time now) {
  if (replicas < 0) throw std::invalid_argument("replicas must not be negative");
  replica_seconds_ = replica_seconds_until(now);
  changed_at_ = std::max(changed_at_, now);
  replicas_ = replicas;
}

double AlwaysOnCost::replica_seconds_until(Time now) const {
  return replica_seconds_ + replicas_ * to_seconds(std::max(now - changed_at_, Duration::zero()));
}

double AlwaysOnCost::cost_until(Time now) const {
  return replica_seconds_until(now) * price_per_second_;
}

}  // namespace sluice::sim
