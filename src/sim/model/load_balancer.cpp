#include "sim/model/load_balancer.hpp"

namespace sluice::sim {

LoadBalancer::Policy LoadBalancer::parse(std::string_view name) {
  return name == "least_connections" ? Policy::least_connections : Policy::round_robin;
}

std::size_t LoadBalancer::pick(const std::vector<std::size_t>& candidates,
                               const std::function<std::int64_t(std::size_t)>& connections) {
  const std::size_t n = candidates.size();
  std::size_t start = 0;
  while (start < n && candidates[start] < next_) ++start;
  if (start == n) start = 0;
  std::size_t chosen = candidates[start];
  if (policy_ == Policy::least_connections) {
    std::int64_t fewest = connections(chosen);
    for (std::size_t k = 1; k < n; ++k) {
      const std::size_t i = candidates[(start + k) % n];
      const std::int64_t open = connections(i);
      if (open < fewest) {
        fewest = open;
        chosen = i;
      }
    }
  }
  next_ = chosen + 1;
  return chosen;
}

}  // namespace sluice::sim
