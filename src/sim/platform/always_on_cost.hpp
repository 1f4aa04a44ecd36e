#pragma once
// The bill of always-on servers (containers, VMs, pods): replicas x price per replica-hour,
// accrued per second, so that a partial hour costs its share and a cost read at any instant can
// be compared with a serverless pool's over the same span (server vs serverless vs a hybrid of
// both, whose costs simply add).

#include "sim/platform/time.hpp"

namespace sluice::sim {

class AlwaysOnCost {
 public:
  // `replicas` are billed from `start` at `price_per_replica_hour`. Throws std::invalid_argument
  // for a negative price or replica count.
  AlwaysOnCost(double price_per_replica_hour, int replicas, Time start);

  // From `now` on, `replicas` are billed (the engine passes every provisioned replica: starting,
  // ready and draining ones). Calls come in time order.
  void set_replicas(int replicas, Time now);

  // Replica-seconds and cost accrued from the start up to `now`.
  double replica_seconds_until(Time now) const;
  double cost_until(Time now) const;

  int replicas() const { return replicas_; }

 private:
  double price_per_second_;
  int replicas_;
  Time changed_at_;
  double replica_seconds_ = 0;  // accrued before changed_at_
};

}  // namespace sluice::sim
