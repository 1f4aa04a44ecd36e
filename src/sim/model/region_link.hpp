#pragma once
// The network between two regions, as region_latency gives it: the one model of a trip's network
// time, used by the clients' way to the region that serves them (Regions) and by a replica's way
// to an upstream provider placed in a region (Upstream).

#include <cstdint>
#include <string>

#include "sim/engine/random.hpp"
#include "sim/scenario/distribution.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

class RegionLink {
 public:
  // One trip's network time, in seconds: there, and back.
  struct Trip {
    double out = 0;
    double back = 0;
  };

  // No network: every trip takes no time.
  RegionLink() = default;
  // From `from` to `to` as region_latency's entry for the pair (or the reverse pair's) gives it;
  // no entry: no network. Draws from a stream seeded by `seed`.
  RegionLink(const TopologyConfig& topology, const std::string& from, const std::string& to,
             std::uint64_t seed);

  // One trip: `one_way` draws each way on its own, `rtt` one draw, half each way.
  Trip sample();
  // The mean one-way time (what the global load balancer reads as the distance).
  double mean_one_way() const { return round_trip_ ? draw_.mean() / 2 : draw_.mean(); }
  // Whether region_latency gives this pair a network (else every trip takes no time).
  bool given() const { return given_; }

 private:
  Distribution draw_ = Distribution::constant(0);
  bool round_trip_ = false;
  bool given_ = false;
  Random random_{0};
};

}  // namespace sluice::sim
