#include "sim/model/load_balancer.hpp"

namespace sluice::sim {

LoadBalancer::Policy LoadBalancer::parse(std::string_view name) {
  return name == "least_connections" ? Policy::least_connections : Policy::round_robin;
}

std::size_t LoadBalancer::pick(const std::function<std::int64_t(std::size_t)>& connections) {
  std::size_t chosen = next_ % replicas_;
  if (policy_ == Policy::least_connections) {
    std::int64_t fewest = connections(chosen);
    for (std::size_t k = 1; k < replicas_; ++k) {
      const std::size_t i = (next_ + k) % replicas_;
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
