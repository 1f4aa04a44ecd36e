#include "sim/model/server_fleet.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/scenario/distribution_spec.hpp"

namespace sluice::sim {
namespace asio = boost::asio;

namespace {

// A hybrid platform's API tier is a server fleet too; a serverless platform has none.
bool on_platform(const ScenarioConfig& s) {
  return s.platform.kind == "server" || s.platform.kind == "hybrid";
}

int initial_replicas(const ScenarioConfig& s) {
  if (s.platform.kind == "serverless") return 0;
  if (!on_platform(s)) return s.replicas.count;
  return s.platform.replicas.initial > 0 ? s.platform.replicas.initial : s.platform.replicas.min;
}

}  // namespace

ServerFleet::ServerFleet(Engine& engine, const ScenarioConfig& scenario,
                         const UpstreamSet& upstreams, PlanBoard& plans, gateway::Timing& timing,
                         std::uint64_t seed, KeyBook* keys)
    : engine_(engine),
      scenario_(scenario),
      upstreams_(upstreams),
      plans_(plans),
      timing_(timing),
      seed_(seed),
      keys_(keys),
      startup_random_(derive_seed(seed, "startup")),
      startup_(to_distribution(scenario.platform.startup)),
      balancer_(LoadBalancer::parse(scenario.replicas.load_balancer)) {
  const Time start = engine_.now();
  provisioner_ = std::make_unique<ReplicaProvisioner>(
      [this] {
        return std::chrono::duration_cast<Duration>(
            std::chrono::duration<double>(startup_.sample(startup_random_)));
      },
      std::chrono::duration_cast<Duration>(scenario.platform.drain_grace),
      initial_replicas(scenario), start);
  for (const ProvisionedReplica& r : provisioner_->replicas()) add_replica(r.id);
  cost_ = std::make_unique<AlwaysOnCost>(scenario.platform.price_per_replica_hour,
                                         provisioner_->provisioned(), start);
  ready_series_ = std::make_unique<LevelSeries>(scenario.window.count(), ready());
  stats_.peak_ready = ready();
  if (on_platform(scenario) && !scenario.platform.autoscaling.policy.empty())
    autoscaler_ =
        std::make_unique<Autoscaler>(scenario.platform.autoscaling, scenario.platform.replicas.min,
                                     scenario.platform.replicas.max);
}

ServerFleet::~ServerFleet() = default;

void ServerFleet::add_replica(ReplicaId id) {
  const std::size_t index = replicas_.size();
  replicas_.push_back(std::make_unique<Replica>(engine_, scenario_, upstreams_, plans_, timing_,
                                                index, derive_seed(seed_, "replica", index),
                                                keys_));
  ids_.push_back(id);
  draining_.push_back(false);
  stopped_.push_back(false);
  Sampled fresh;
  fresh.since = engine_.now();
  sampled_.push_back(fresh);
  ready_.push_back(index);
}

Replica& ServerFleet::pick() {
  if (ready_.empty()) throw std::logic_error("no ready replica to route to");
  return *replicas_[balancer_.pick(ready_,
                                   [this](std::size_t i) { return replicas_[i]->connections(); })];
}

void ServerFleet::request_ended(std::size_t index) {
  if (!draining_[index] || replicas_[index]->connections() > 0) return;
  draining_[index] = false;
  stopped_[index] = true;
  provisioner_->drained(ids_[index]);
  cost_->set_replicas(provisioner_->provisioned(), engine_.now());
}

void ServerFleet::apply(const std::vector<ReplicaTransition>& transitions) {
  for (const ReplicaTransition& t : transitions) {
    if (t.kind == ReplicaTransition::Kind::became_ready) {
      add_replica(t.id);
      continue;
    }
    const auto it = std::find(ids_.begin(), ids_.end(), t.id);
    if (it == ids_.end()) continue;  // a pending replica taken away before it was ever ready
    const auto index = static_cast<std::size_t>(it - ids_.begin());
    if (t.kind == ReplicaTransition::Kind::draining) {
      ready_.erase(std::remove(ready_.begin(), ready_.end(), index), ready_.end());
      draining_[index] = true;
      if (replicas_[index]->connections() == 0) {
        draining_[index] = false;
        stopped_[index] = true;
        provisioner_->drained(t.id);
      }
    } else {
      // Removed at its grace deadline. Its requests still in flight run to their end (the
      // simulator does not cut them off): see docs/simulate.md.
      draining_[index] = false;
      stopped_[index] = true;
    }
  }
  note_ready_count();
  cost_->set_replicas(provisioner_->provisioned(), engine_.now());
}

void ServerFleet::note_ready_count() {
  ready_series_->set(seconds_since_start(engine_.now()), ready());
  stats_.peak_ready = ready_series_->peak();
}

void ServerFleet::sample() {
  for (std::size_t i : ready_) {
    const Replica& r = *replicas_[i];
    Sampled& s = sampled_[i];
    s.in_flight += static_cast<double>(r.in_flight());
    s.queued += static_cast<double>(r.queued());
    s.busy += r.busy_share();
    ++s.samples;
  }
}

double ServerFleet::metric_of(std::size_t index) {
  const Replica& r = *replicas_[index];
  Sampled& s = sampled_[index];
  const std::string& metric = scenario_.platform.autoscaling.metric;
  const double n = s.samples;
  const double minutes = std::chrono::duration<double>(engine_.now() - s.since).count() / 60;
  double value = 0;
  if (metric == "in_flight")
    value = n > 0 ? s.in_flight / n : static_cast<double>(r.in_flight());
  else if (metric == "queue_depth")
    value = n > 0 ? s.queued / n : static_cast<double>(r.queued());
  else if (metric == "cpu")
    value = 100 * (n > 0 ? s.busy / n : r.busy_share());
  else if (metric == "tokens_per_minute")
    value = minutes > 0 ? (r.tokens_served() - s.tokens_before) / minutes : 0;
  else if (metric == "cost_per_minute")
    value = minutes > 0 ? (r.cost_served() - s.cost_before) / minutes : 0;
  s = Sampled{};
  s.tokens_before = r.tokens_served();
  s.cost_before = r.cost_served();
  s.since = engine_.now();
  return value;
}

void ServerFleet::evaluate() {
  const auto event = autoscaler_->evaluate(engine_.now(), *provisioner_, [this](ReplicaId id) {
    return metric_of(
        static_cast<std::size_t>(std::find(ids_.begin(), ids_.end(), id) - ids_.begin()));
  });
  if (!event) return;
  stats_.scale_events.push_back(*event);
  apply(provisioner_->set_desired(event->to, engine_.now()));
}

void ServerFleet::snapshot_cost() {
  const Time end = at_seconds(scenario_.duration.count());
  stats_.cost_usd = cost_->cost_until(end);
  stats_.replica_hours = cost_->replica_seconds_until(end) / 3600;
  cost_taken_ = true;
}

asio::awaitable<void> ServerFleet::control(std::function<bool()> done) {
  Alarm alarm(engine_);
  const double period = autoscaler_->period();
  const Time duration_end = at_seconds(scenario_.duration.count());
  long long next_sample = 1;  // seconds: replicas are sampled once a second
  long long evaluations = 1;
  for (;;) {
    const Time sample_at = at_seconds(static_cast<double>(next_sample));
    const Time evaluate_at = at_seconds(static_cast<double>(evaluations) * period);
    Time wake = std::min(sample_at, evaluate_at);
    if (const auto t = provisioner_->next_transition(); t && *t < wake) wake = *t;
    if (!cost_taken_ && duration_end < wake) wake = duration_end;
    co_await alarm.wait_until(wake);
    const Time now = engine_.now();
    apply(provisioner_->advance(now));
    if (!cost_taken_ && now >= duration_end) snapshot_cost();
    if (now >= sample_at) {
      sample();
      ++next_sample;
    }
    if (now >= evaluate_at) {
      evaluate();
      ++evaluations;
    }
    if (done()) break;
  }
}

void ServerFleet::finish(std::size_t windows) {
  if (!cost_taken_) snapshot_cost();
  // The last count holds to the end of the last window.
  stats_.windows = ready_series_->finish(windows);
}

}  // namespace sluice::sim
