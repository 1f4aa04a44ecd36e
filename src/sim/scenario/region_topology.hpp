#pragma once
// A scenario's regions as the run and its validation read them: the failover policy's defaults,
// which entry of region_latency joins two regions, and the checks of the three keys.

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "core/config_validate.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

// `f` with every unset value replaced by its policy's default. gclb: Google Cloud health checks'
// defaults (every 5 s, unhealthy after 2 failures, healthy after 2 successes) and no DNS (an
// anycast address). route53: Route 53's (every 30 s, one failure threshold of 3 for both ways)
// and a record TTL of 60 s.
FailoverConfig failover_defaults(FailoverConfig f);

// The index of region `name`; nullopt when no region has that name.
std::optional<std::size_t> region_index(const TopologyConfig& t, const std::string& name);

// The region of the fleet's replica `replica` (the fleet holds every region's replicas, region by
// region in the file's order); nullopt without regions.
std::optional<std::size_t> region_of_replica(const TopologyConfig& t, std::size_t replica);

// The entry of region_latency that gives the network from clients in `from` to region `to`: the
// pair's own, else the reverse pair's; null when none does (no latency).
const RegionLinkConfig* link_between(const TopologyConfig& t, const std::string& from,
                                     const std::string& to);

// Checks regions, region_latency and failover (`given`: the key paths the file set): names,
// counts and shares, outages, that the network between every client region and every region
// with replicas is given, the failover policy's ranges; and that replicas.count and platform are
// not given beside regions (each region has its own replicas). And providers' regions: each names
// a region, with a network to it from every region with replicas.
void validate_topology(const ScenarioConfig& s, const std::map<std::string, std::string>& given,
                       core::detail::Reporter& report);

}  // namespace sluice::sim
