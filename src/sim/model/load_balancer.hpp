#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace sluice::sim {

// Spreads arrivals over the replicas as the load balancer in front of them would: in turn
// (round_robin), or to the one with the fewest requests open (least_connections; ties go to the
// next in turn, so that an idle fleet still rotates). The replicas it may pick change as an
// autoscaled fleet grows and shrinks: only ready ones are candidates.
class LoadBalancer {
 public:
  enum class Policy { round_robin, least_connections };
  // "round_robin" or "least_connections" (the scenario is validated).
  static Policy parse(std::string_view name);

  explicit LoadBalancer(Policy policy) : policy_(policy) {}

  // One of `candidates` (replica indexes in increasing order, not empty): in turn, the first at
  // or after the one following the last pick; `connections(i)`: requests open at replica i now.
  std::size_t pick(const std::vector<std::size_t>& candidates,
                   const std::function<std::int64_t(std::size_t)>& connections);

 private:
  Policy policy_;
  std::size_t next_ = 0;
};

}  // namespace sluice::sim
