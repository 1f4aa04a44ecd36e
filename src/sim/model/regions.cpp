#include "sim/model/regions.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/scenario/region_topology.hpp"

namespace sluice::sim {
namespace asio = boost::asio;

namespace {

Duration from_seconds(double seconds) {
  return std::chrono::round<Duration>(std::chrono::duration<double>(seconds));
}

// A request's own record sink: the region passes the record on once it knows the way back.
class Kept final : public Recorder {
 public:
  void record(const RequestRecord& record) override { kept = record; }
  RequestRecord kept;
};

}  // namespace

Regions::Regions(Engine& engine, const ScenarioConfig& scenario, ServerFleet& fleet,
                 Recorder& recorder, std::uint64_t seed)
    : engine_(engine),
      scenario_(scenario),
      fleet_(fleet),
      recorder_(recorder),
      failover_(failover_defaults(scenario.topology.failover)),
      client_random_(derive_seed(seed, "region:clients")),
      dns_random_(derive_seed(seed, "region:dns")) {
  const TopologyConfig& t = scenario.topology;
  const std::size_t n = t.regions.size();
  const LoadBalancer::Policy policy = LoadBalancer::parse(scenario.replicas.load_balancer);
  std::size_t next = 0;
  double weights = 0;
  for (const RegionConfig& config : t.regions) {
    Region r;
    for (int i = 0; i < config.replicas; ++i) r.members.push_back(next++);
    r.balancer = LoadBalancer(policy);
    regions_.push_back(std::move(r));
    weights += config.clients;
    client_weights_.push_back(weights);
  }
  if (next != fleet_.size())
    throw std::invalid_argument("the fleet holds " + std::to_string(fleet_.size()) +
                                " replicas, the regions " + std::to_string(next));
  // The network of every pair, and the balancer's distances: the mean one-way latency.
  std::vector<std::vector<double>> distance(n, std::vector<double>(n, 0));
  links_.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    for (std::size_t s = 0; s < n; ++s) {
      const std::string& from = t.regions[c].name;
      const std::string& to = t.regions[s].name;
      RegionLink link(t, from, to, derive_seed(seed, "region:link:" + from + ">" + to));
      if (link.given())
        distance[c][s] = link.mean_one_way();
      else if (c != s)
        distance[c][s] = std::numeric_limits<double>::infinity();  // never needed (validated)
      links_[c].push_back(std::move(link));
    }
  }
  GlobalLoadBalancerConfig config;
  config.interval = std::chrono::duration_cast<Duration>(failover_.interval);
  config.unhealthy_threshold = failover_.unhealthy_threshold;
  config.healthy_threshold = failover_.healthy_threshold;
  config.dns_ttl = std::chrono::duration_cast<Duration>(failover_.dns_ttl);
  // Each region's checker starts at a phase of its own within the first interval.
  Random phases(derive_seed(seed, "region:health-phase"));
  std::vector<bool> has_backends;
  std::vector<Time> first_check;
  for (std::size_t r = 0; r < n; ++r) {
    has_backends.push_back(!regions_[r].members.empty());
    first_check.push_back(engine_.now() +
                          from_seconds(phases.uniform() * failover_.interval.count()));
  }
  balancer_ = std::make_unique<GlobalLoadBalancer>(config, std::move(distance),
                                                   std::move(has_backends), std::move(first_check));
}

Regions::~Regions() = default;

double Regions::client_share(std::size_t region) const {
  const double before = region == 0 ? 0 : client_weights_[region - 1];
  return (client_weights_[region] - before) / client_weights_.back();
}

bool Regions::down(std::size_t region, Time at) const {
  const double t = seconds_since_start(at);
  for (const RegionOutageConfig& o : scenario_.topology.regions[region].outages)
    if (t >= o.from.count() && t < o.to.count()) return true;
  return false;
}

void Regions::dispatch(Call call) {
  Trip trip;
  const double point = client_random_.uniform() * client_weights_.back();
  while (trip.client + 1 < client_weights_.size() && point >= client_weights_[trip.client])
    ++trip.client;
  const double cache_draw = failover_.dns_ttl.count() > 0 ? dns_random_.uniform() : 0;
  trip.serving = balancer_->route(trip.client, engine_.now(), cache_draw);
  const RegionLink::Trip network = links_[trip.client][trip.serving].sample();
  trip.out = network.out;
  trip.back = network.back;
  const auto window = static_cast<std::size_t>(call.arrival / scenario_.window.count());
  if (routed_.size() <= window) routed_.resize(window + 1, std::vector<std::uint64_t>(size(), 0));
  ++routed_[window][trip.serving];
  ++regions_[trip.serving].stats.served.requests;
  ++regions_[trip.client].stats.clients.requests;
  asio::co_spawn(engine_.io(), deliver(std::move(call), trip), rethrow_on_error);
}

asio::awaitable<void> Regions::deliver(Call call, Trip trip) {
  if (trip.out > 0) {
    Alarm alarm(engine_);
    co_await alarm.wait_until(engine_.now() + from_seconds(trip.out));
  }
  Region& region = regions_[trip.serving];
  const double reached = seconds_since_start(engine_.now());
  // What the client sees if the region fails it.
  RequestRecord refused;
  refused.arrival = call.arrival;
  refused.mix = call.mix;
  refused.model = *call.model;
  refused.key = call.key;
  refused.stream = call.stream;
  refused.admitted = false;
  refused.cause = Cause::region_down;
  refused.region = trip.serving;
  refused.client_region = trip.client;
  if (down(trip.serving, engine_.now())) {
    refused.end = reached + trip.back;
    finish(refused, trip);
    co_return;
  }
  const std::size_t replica = region.balancer.pick(
      region.members, [this](std::size_t i) { return fleet_.replica(i).connections(); });
  refused.replica = replica;
  const auto held = region.held.insert(region.held.end(), Held{refused, trip.back, false});
  Kept kept;
  co_await fleet_.route_to(replica).serve(std::move(call), kept);
  const bool cut = held->cut;
  region.held.erase(held);
  if (cut) {  // the client was told when the region went down
    fleet_.request_ended(replica);
    co_return;
  }
  RequestRecord& record = kept.kept;
  record.end += trip.back;
  if (record.ttft) *record.ttft += trip.out + trip.back;
  finish(record, trip);
}

void Regions::finish(RequestRecord& record, const Trip& trip) {
  record.region = trip.serving;
  record.client_region = trip.client;
  regions_[trip.serving].stats.served.add(record);
  regions_[trip.client].stats.clients.add(record);
  recorder_.record(record);
}

void Regions::cut_off(std::size_t index) {
  const double now = seconds_since_start(engine_.now());
  for (Held& held : regions_[index].held) {
    if (held.cut) continue;
    held.cut = true;
    RequestRecord record = held.record;
    record.end = now + held.back;
    finish(record, Trip{held.record.client_region, index, 0, held.back});
  }
}

asio::awaitable<void> Regions::run(std::function<bool()> done) {
  // Outage starts in time order (the file's order at equal times).
  std::vector<std::pair<Time, std::size_t>> starts;
  for (std::size_t r = 0; r < size(); ++r)
    for (const RegionOutageConfig& o : config(r).outages)
      starts.emplace_back(at_seconds(o.from.count()), r);
  std::stable_sort(starts.begin(), starts.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::size_t next_start = 0;
  Alarm alarm(engine_);
  for (;;) {
    Time wake = next_start < starts.size() ? starts[next_start].first : Time::max();
    for (std::size_t r = 0; r < size(); ++r) wake = std::min(wake, balancer_->next_check(r));
    if (wake == Time::max()) co_return;
    co_await alarm.wait_until(wake);
    const Time now = engine_.now();
    for (; next_start < starts.size() && starts[next_start].first <= now; ++next_start)
      cut_off(starts[next_start].second);
    for (std::size_t r = 0; r < size(); ++r) {
      if (balancer_->next_check(r) > now) continue;
      if (const auto change = balancer_->check(r, now, !down(r, now)))
        events_.push_back({seconds_since_start(change->at), r, change->healthy});
    }
    if (done()) co_return;
  }
}

std::vector<RegionOutageReport> Regions::outages() const {
  std::vector<RegionOutageReport> out;
  for (std::size_t r = 0; r < size(); ++r) {
    for (const RegionOutageConfig& o : config(r).outages) {
      RegionOutageReport report{r, o.from.count(), o.to.count(), std::nullopt, std::nullopt};
      for (const RegionHealthEvent& e : events_) {
        if (e.region != r) continue;
        if (!report.failover && !e.healthy && e.at >= report.from && e.at < report.to)
          report.failover = e.at - report.from;
        if (report.failover && e.healthy && e.at >= report.to) {
          report.failback = e.at - report.to;
          break;
        }
      }
      out.push_back(report);
    }
  }
  return out;
}

}  // namespace sluice::sim
