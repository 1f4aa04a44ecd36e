#include "sim/model/region_link.hpp"

#include "sim/scenario/distribution_spec.hpp"
#include "sim/scenario/region_topology.hpp"

namespace sluice::sim {

RegionLink::RegionLink(const TopologyConfig& topology, const std::string& from,
                       const std::string& to, std::uint64_t seed)
    : random_(seed) {
  const RegionLinkConfig* link = link_between(topology, from, to);
  if (!link) return;
  given_ = true;
  round_trip_ = !link->rtt.dist.empty();
  draw_ = to_distribution(round_trip_ ? link->rtt : link->one_way);
}

RegionLink::Trip RegionLink::sample() {
  if (!given_) return {};
  if (round_trip_) {
    const double half = draw_.sample(random_) / 2;
    return {half, half};
  }
  const double out = draw_.sample(random_);
  return {out, draw_.sample(random_)};
}

}  // namespace sluice::sim
