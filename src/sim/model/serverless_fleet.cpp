#include "sim/model/serverless_fleet.hpp"

#include <boost/asio/co_spawn.hpp>
#include <variant>

#include "sim/model/served_by.hpp"
#include "sim/scenario/distribution_spec.hpp"
#include "sim/scenario/serverless_preset.hpp"

namespace sluice::sim {
namespace asio = boost::asio;

ServerlessFleet::ServerlessFleet(Engine& engine, const ScenarioConfig& scenario,
                                 const UpstreamSet& upstreams, PlanBoard& plans,
                                 gateway::Timing& timing, std::uint64_t seed, Recorder& recorder)
    : engine_(engine),
      scenario_(scenario),
      upstreams_(upstreams),
      plans_(plans),
      timing_(timing),
      seed_(seed),
      recorder_(recorder),
      cold_start_random_(derive_seed(seed, "cold_start")),
      cold_start_(to_distribution(scenario.platform.serverless.cold_start)),
      wake_(engine) {
  pool_ = std::make_unique<ServerlessPool>(
      to_pool_config(scenario.platform.serverless,
                     [this] {
                       return std::chrono::round<Duration>(
                           std::chrono::duration<double>(cold_start_.sample(cold_start_random_)));
                     }),
      engine_.now());
  instances_ = std::make_unique<LevelSeries>(scenario.window.count(),
                                             pool_->counters(engine_.now()).instances);
}

ServerlessFleet::~ServerlessFleet() = default;

std::size_t ServerlessFleet::window_of(Time t) const {
  return static_cast<std::size_t>(std::max(0.0, seconds_since_start(t)) / scenario_.window.count());
}

Replica& ServerlessFleet::replica_for(InstanceId instance) {
  const auto [it, fresh] = replica_of_.try_emplace(instance, replicas_.size());
  if (fresh) {
    replicas_.push_back(std::make_unique<Replica>(engine_, scenario_, upstreams_, plans_, timing_,
                                                  it->second,
                                                  derive_seed(seed_, "instance", it->second)));
    expired_.push_back(false);
  }
  return *replicas_[it->second];
}

void ServerlessFleet::placed(const ServerlessGrant& grant) {
  ++stats_.invocations;
  if (!grant.cold_start) return;
  ++stats_.cold_starts_total;
  const std::size_t w = window_of(engine_.now());
  if (stats_.cold_starts.size() <= w) stats_.cold_starts.resize(w + 1, 0);
  ++stats_.cold_starts[w];
  instances_->set(seconds_since_start(engine_.now()), pool_->counters(engine_.now()).instances);
}

void ServerlessFleet::serve(Call call) {
  const ServerlessAcquire got = pool_->acquire(engine_.now());
  if (const auto* grant = std::get_if<ServerlessGrant>(&got)) {
    placed(*grant);
    asio::co_spawn(engine_.io(), run(std::move(call), *grant), rethrow_on_error);
  } else if (const auto* queued = std::get_if<ServerlessQueued>(&got)) {
    ++stats_.queued;
    waiting_.emplace(queued->request, std::move(call));
    wake_.cancel();  // its deadline may come before the control loop's next wake-up
  } else {
    throttle(call);
  }
}

// Refused by the platform: a 429 that never reached a gateway instance.
void ServerlessFleet::throttle(const Call& call) {
  ++stats_.throttled;
  RequestRecord record;
  record.arrival = call.arrival;
  record.end = seconds_since_start(engine_.now());
  record.admitted = false;
  record.cause = Cause::throttled;
  record.status = 429;
  record.model = *call.model;
  record.mix = call.mix;
  record.stream = call.stream;
  recorder_.record(record);
}

asio::awaitable<void> ServerlessFleet::run(Call call, ServerlessGrant grant) {
  Replica& replica = replica_for(grant.instance);
  if (grant.ready_at > engine_.now()) {
    ++stats_.cold_start_requests;
    stats_.cold_start_wait.add(to_seconds(grant.ready_at - engine_.now()));
    Alarm started(engine_);
    co_await started.wait_until(grant.ready_at);
  }
  // The time before the gateway saw it (a start-up, the platform's queue) is the client's too.
  const double platform_wait = seconds_since_start(engine_.now()) - call.arrival;
  RequestRecord record = co_await served_by(replica, std::move(call));
  if (record.ttft) *record.ttft += platform_wait;
  if (const std::optional<ServerlessGrant> next = pool_->release(grant.request, engine_.now())) {
    const auto it = waiting_.find(next->request);
    Call queued = std::move(it->second);
    waiting_.erase(it);
    placed(*next);
    asio::co_spawn(engine_.io(), run(std::move(queued), *next), rethrow_on_error);
  }
  recorder_.record(record);
}

void ServerlessFleet::expire(Time now) {
  for (RequestId id : pool_->expire_queue(now)) {
    const auto it = waiting_.find(id);
    const Call call = std::move(it->second);
    waiting_.erase(it);
    throttle(call);
  }
  for (const ServerlessExpiry& gone : pool_->expire_idle_instances(now)) {
    instances_->set(seconds_since_start(gone.gone_at), instances_->level() - 1);
    if (const auto it = replica_of_.find(gone.instance); it != replica_of_.end())
      expired_[it->second] = true;
  }
}

asio::awaitable<void> ServerlessFleet::control(std::function<bool()> done) {
  const Time duration_end = at_seconds(scenario_.duration.count());
  long long tick = 1;  // wakes at least every whole second
  for (;;) {
    Time wake = at_seconds(static_cast<double>(tick));
    if (const std::optional<Time> deadline = pool_->next_deadline(); deadline && *deadline < wake)
      wake = *deadline;
    if (!cost_taken_ && duration_end < wake) wake = duration_end;
    // A request queued meanwhile cancels the wait, so that its deadline is looked at.
    co_await wake_.wait_until(wake);
    const Time now = engine_.now();
    expire(now);
    if (!cost_taken_ && now >= duration_end) {
      cost_at_duration_ = pool_->cost_until(duration_end);
      stats_.instance_seconds = pool_->counters(duration_end).instance_seconds;
      cost_taken_ = true;
    }
    while (at_seconds(static_cast<double>(tick)) <= now) ++tick;
    if (done()) break;
  }
}

void ServerlessFleet::finish(std::size_t windows) {
  const Time now = engine_.now();
  // Every request of the run billed whole, the warm minimum over the duration.
  stats_.cost = pool_->cost_until(now);
  stats_.peak_instances = pool_->counters(now).peak_instances;
  if (!cost_taken_) {
    // The last request ended before the duration did: the pool idles on until then.
    const Time duration_end = std::max(now, at_seconds(scenario_.duration.count()));
    expire(duration_end);
    cost_at_duration_ = pool_->cost_until(duration_end);
    stats_.instance_seconds = pool_->counters(duration_end).instance_seconds;
  }
  stats_.cost.warm = cost_at_duration_.warm;
  // Instances whose idle time runs out within the report's last window leave the series there.
  expire(std::max(now, at_seconds(static_cast<double>(windows) * scenario_.window.count())));
  stats_.instances = instances_->finish(windows);
  stats_.cold_starts.resize(windows, 0);
}

}  // namespace sluice::sim
