#include "sim/scenario/region_topology.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <vector>

#include "core/config_tree.hpp"
#include "sim/scenario/distribution_spec.hpp"

namespace sluice::sim {

using core::detail::Reporter;
using Given = std::map<std::string, std::string>;

namespace {

constexpr int kMaxReplicas = 1000;  // as replicas.count
constexpr int kMaxThreshold = 10;   // Google Cloud and Route 53 both take 1 to 10

std::string at(const std::string& path, std::size_t i) { return path + "." + std::to_string(i); }

bool given_under(const Given& given, const std::string& path) {
  for (const auto& [key, where] : given)
    if (key == path || key.rfind(path + ".", 0) == 0) return true;
  return false;
}

// A name the report can use as is (a chart's series id, a summary line).
bool plain_name(const std::string& name) {
  for (const char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

std::string names_of(const TopologyConfig& t) {
  std::string out;
  for (const RegionConfig& r : t.regions) out += (out.empty() ? "" : ", ") + r.name;
  return out;
}

void validate_regions(const TopologyConfig& t, Reporter& report) {
  std::set<std::string> seen;
  long long replicas = 0;
  double clients = 0;
  for (std::size_t i = 0; i < t.regions.size(); ++i) {
    const RegionConfig& r = t.regions[i];
    const std::string path = at("regions", i);
    if (r.name.empty())
      report.add(path + ".name", "must not be empty", "e.g. us-east");
    else if (!plain_name(r.name))
      report.add(path + ".name",
                 "'" + r.name + "' has characters other than letters, digits, '-', '_' and '.'",
                 "e.g. us-east-1");
    else if (!seen.insert(r.name).second)
      report.add(path + ".name", "'" + r.name + "' names an earlier region too",
                 "give each region its own name");
    if (r.replicas < 0 || r.replicas > kMaxReplicas)
      report.add(path + ".replicas",
                 "must be between 0 and 1000, got " + std::to_string(r.replicas),
                 "gateway replicas in the region; 0 for a region with clients only");
    else
      replicas += r.replicas;
    if (!(r.clients >= 0))
      report.add(path + ".clients", "must not be negative", "a share of the traffic, e.g. 0.6");
    else
      clients += r.clients;
    for (std::size_t j = 0; j < r.outages.size(); ++j) {
      const RegionOutageConfig& o = r.outages[j];
      const std::string opath = at(path + ".outages", j);
      if (!(o.from.count() >= 0))
        report.add(opath + ".from", "must not be negative", "seconds since the start, e.g. 10m");
      if (!(o.to > o.from))
        report.add(opath + ".to", "must be later than from", "an outage is the span [from, to)");
    }
  }
  if (replicas == 0)
    report.add("regions", "no region has replicas", "give some region replicas: 1 or more");
  else if (replicas > kMaxReplicas)
    report.add("regions",
               "more than 1000 replicas over all regions, got " + std::to_string(replicas),
               "fewer replicas per region");
  if (!(clients > 0))
    report.add("regions", "no region has clients",
               "give some region a clients share above 0 (it defaults to 1)");
}

void validate_links(const TopologyConfig& t, const Given& given, Reporter& report) {
  std::set<std::pair<std::string, std::string>> pairs;
  for (std::size_t i = 0; i < t.latency.size(); ++i) {
    const RegionLinkConfig& l = t.latency[i];
    const std::string path = at("region_latency", i);
    bool known = true;
    for (const auto& [key, name] : {std::pair{".from", l.from}, std::pair{".to", l.to}})
      if (!region_index(t, name)) {
        report.add(path + key, "'" + name + "' is not a region", "use one of: " + names_of(t));
        known = false;
      }
    if (known && !pairs.emplace(l.from, l.to).second)
      report.add(path,
                 "the network from " + l.from + " to " + l.to + " is given by an earlier entry",
                 "keep one entry per pair (the reverse pair's entry covers both ways)");
    const bool one_way = given_under(given, path + ".one_way");
    const bool rtt = given_under(given, path + ".rtt");
    if (one_way == rtt)
      report.add(path, one_way ? "gives both one_way and rtt" : "gives neither one_way nor rtt",
                 "one of them, e.g. one_way: {dist: lognormal, median: 40ms, p99: 60ms}");
    if (one_way) check_distribution(l.one_way, path + ".one_way", given, true, report);
    if (rtt) check_distribution(l.rtt, path + ".rtt", given, true, report);
  }
  // The balancer may send any region's clients to any region with replicas: each such pair needs
  // its network.
  for (const RegionConfig& client : t.regions) {
    if (!(client.clients > 0) || client.name.empty()) continue;
    for (const RegionConfig& serving : t.regions) {
      if (serving.replicas <= 0 || serving.name == client.name || serving.name.empty()) continue;
      if (link_between(t, client.name, serving.name)) continue;
      report.add("region_latency",
                 "no network from " + client.name + " to " + serving.name +
                     " (its clients go there when their own region fails)",
                 "add {from: " + client.name + ", to: " + serving.name +
                     ", one_way: {dist: constant, value: 40ms}}");
    }
  }
}

void validate_failover(const FailoverConfig& raw, const Given& given, Reporter& report) {
  if (raw.policy != "gclb" && raw.policy != "route53") {
    report.add("failover.policy", "unknown policy '" + raw.policy + "'",
               "use gclb (an anycast load balancer, as Google Cloud's global one) or route53 "
               "(DNS failover)");
    return;
  }
  // A value the file gives is checked as given (0 is not "the default" there).
  FailoverConfig f = raw;
  const FailoverConfig defaults = failover_defaults(FailoverConfig{raw.policy});
  if (!given.contains("failover.interval")) f.interval = defaults.interval;
  if (!given.contains("failover.unhealthy_threshold"))
    f.unhealthy_threshold = defaults.unhealthy_threshold;
  if (!given.contains("failover.healthy_threshold"))
    f.healthy_threshold =
        raw.policy == "route53" ? f.unhealthy_threshold : defaults.healthy_threshold;
  if (!given.contains("failover.dns_ttl")) f.dns_ttl = defaults.dns_ttl;
  const bool route53 = f.policy == "route53";
  if (route53 && f.interval.count() != 10 && f.interval.count() != 30)
    report.add("failover.interval", "must be 10s or 30s for route53",
               "Route 53 checks every 10 or 30 seconds");
  if (!route53 && !(f.interval.count() >= 1 && f.interval.count() <= 300))
    report.add("failover.interval", "must be between 1s and 300s", "e.g. 5s");
  for (const auto& [key, value] : {std::pair{"unhealthy_threshold", f.unhealthy_threshold},
                                   std::pair{"healthy_threshold", f.healthy_threshold}})
    if (value < 1 || value > kMaxThreshold)
      report.add(std::string("failover.") + key,
                 "must be between 1 and 10, got " + std::to_string(value), "e.g. 2");
  if (route53 && f.healthy_threshold != f.unhealthy_threshold)
    report.add(
        "failover.healthy_threshold",
        "differs from unhealthy_threshold, but route53 has one failure threshold for both "
        "ways",
        "leave healthy_threshold out, or set it to " + std::to_string(f.unhealthy_threshold));
  if (!route53 && given.contains("failover.dns_ttl"))
    report.add("failover.dns_ttl",
               "is given for policy gclb, which clients reach at one anycast address (no DNS "
               "answer to keep)",
               "leave it out, or use policy: route53");
  if (route53 && !(f.dns_ttl.count() >= 0 && f.dns_ttl.count() <= 86400))
    report.add("failover.dns_ttl", "must be between 0s and 1d", "e.g. 60s");
}

// providers.N.region: a region of `regions`, with a network from every region with replicas.
void validate_provider_regions(const ScenarioConfig& s, Reporter& report) {
  const TopologyConfig& t = s.topology;
  std::vector<std::string> names;
  for (const RegionConfig& r : t.regions) names.push_back(r.name);
  for (std::size_t i = 0; i < s.providers.size(); ++i) {
    const std::string& region = s.providers[i].region;
    if (region.empty()) continue;
    const std::string path = at("providers", i) + ".region";
    if (t.regions.empty()) {
      report.add(path, "is given without regions",
                 "declare them: regions: [{name: " + region + ", replicas: 2}], or leave it out");
      continue;
    }
    if (!region_index(t, region)) {
      const std::optional<std::string> best = core::detail::closest(region, names);
      report.add(path, "'" + region + "' is not a region",
                 best ? "did you mean " + *best + "?" : "use one of: " + names_of(t));
      continue;
    }
    for (const RegionConfig& from : t.regions) {
      if (from.replicas <= 0 || from.name == region || link_between(t, from.name, region)) continue;
      report.add(path,
                 "no network from " + from.name + " to " + region +
                     " (the replicas there call this provider)",
                 "add {from: " + from.name + ", to: " + region +
                     ", one_way: {dist: constant, value: 40ms}} under region_latency");
    }
  }
}

}  // namespace

FailoverConfig failover_defaults(FailoverConfig f) {
  const bool route53 = f.policy == "route53";
  if (f.interval.count() <= 0) f.interval = core::Seconds(route53 ? 30 : 5);
  if (f.unhealthy_threshold <= 0) f.unhealthy_threshold = route53 ? 3 : 2;
  if (f.healthy_threshold <= 0) f.healthy_threshold = route53 ? f.unhealthy_threshold : 2;
  if (f.dns_ttl.count() < 0) f.dns_ttl = core::Seconds(route53 ? 60 : 0);
  return f;
}

std::optional<std::size_t> region_index(const TopologyConfig& t, const std::string& name) {
  for (std::size_t i = 0; i < t.regions.size(); ++i)
    if (t.regions[i].name == name) return i;
  return std::nullopt;
}

std::optional<std::size_t> region_of_replica(const TopologyConfig& t, std::size_t replica) {
  std::size_t first = 0;
  for (std::size_t r = 0; r < t.regions.size(); ++r) {
    first += static_cast<std::size_t>(std::max(0, t.regions[r].replicas));
    if (replica < first) return r;
  }
  return std::nullopt;
}

const RegionLinkConfig* link_between(const TopologyConfig& t, const std::string& from,
                                     const std::string& to) {
  const RegionLinkConfig* reverse = nullptr;
  for (const RegionLinkConfig& l : t.latency) {
    if (l.from == from && l.to == to) return &l;
    if (l.from == to && l.to == from) reverse = &l;
  }
  return reverse;
}

void validate_topology(const ScenarioConfig& s, const Given& given, Reporter& report) {
  const TopologyConfig& t = s.topology;
  validate_provider_regions(s, report);
  if (t.regions.empty()) {
    for (const char* key : {"region_latency", "failover"})
      if (given_under(given, key))
        report.add(key, "is given without regions",
                   "declare them: regions: [{name: us-east, replicas: 2}, {name: eu-west, "
                   "replicas: 2}]");
    return;
  }
  if (given.contains("replicas.count"))
    report.add("replicas.count", "is given together with regions",
               "each region has its own: regions.N.replicas");
  if (given_under(given, "platform"))
    report.add("platform", "is not simulated together with regions yet",
               "give each region a fixed number of replicas (regions.N.replicas)");
  validate_regions(t, report);
  validate_links(t, given, report);
  validate_failover(t.failover, given, report);
}

}  // namespace sluice::sim
