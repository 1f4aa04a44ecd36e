#include "sim/model/simulation.hpp"

#include <boost/asio/co_spawn.hpp>
#include <cmath>
#include <stdexcept>

#include "sim/engine/quiet_logs.hpp"
#include "sim/model/arrivals.hpp"
#include "sim/model/served_by.hpp"
#include "sim/scenario/distribution_spec.hpp"
#include "sim/scenario/protection_config.hpp"

namespace sluice::sim {
namespace asio = boost::asio;

Simulation::Simulation(ScenarioConfig scenario)
    : scenario_(std::move(scenario)),
      timing_(engine_),
      upstreams_(engine_, scenario_, static_cast<std::uint64_t>(scenario_.seed)),
      keys_(protection_applies(scenario_) ? std::make_unique<KeyBook>(scenario_) : nullptr),
      fleet_(engine_, scenario_, upstreams_, plans_, timing_,
             static_cast<std::uint64_t>(scenario_.seed), keys_.get()),
      mix_(scenario_.traffic.mix),
      stats_(scenario_.window.count()),
      key_stats_(scenario_.keys.size(), scenario_.window.count()) {
  if (!scenario_.topology.regions.empty()) {
    Recorder& recorder = *this;
    regions_ = std::make_unique<Regions>(engine_, scenario_, fleet_, recorder,
                                         static_cast<std::uint64_t>(scenario_.seed));
  }
  for (const MixEntryConfig& entry : scenario_.traffic.mix)
    mix_keys_.push_back(keys_ && !entry.key.empty() ? keys_->index_of(entry.key) : -1);
  const auto seed = static_cast<std::uint64_t>(scenario_.seed);
  if (scenario_.platform.kind == "serverless")
    serverless_ = std::make_unique<ServerlessFleet>(engine_, scenario_, upstreams_, plans_, timing_,
                                                    seed, static_cast<Recorder&>(*this));
  if (scenario_.platform.kind == "hybrid")
    async_ = std::make_unique<AsyncWorkers>(
        engine_, scenario_, seed,
        [this](Call call, std::function<void(const RequestRecord&)> then) {
          send(std::move(call), std::move(then));
        },
        [this] { --in_flight_; });
}

// The engine's leftovers (a run an exception ended) go first, while the replicas and upstreams
// their coroutines refer to still exist.
Simulation::~Simulation() { engine_.abandon(); }

Call Simulation::draw_call(double arrival, Random& random) const {
  Call call = mix_.draw(arrival, random);
  call.key = mix_keys_[call.mix];
  // A key's requests have its priority, as the admission filter reads it.
  if (call.key >= 0) call.priority = keys_->principal(static_cast<std::size_t>(call.key)).priority;
  return call;
}

void Simulation::dispatch(Call call) {
  if (async_ && !scenario_.replayed && scenario_.traffic.mix[call.mix].async) {
    ++in_flight_;  // the job, until it is done or dead; its attempts count as requests
    async_->enqueue(std::move(call));
    return;
  }
  stats_.arrived(call.arrival);
  ++in_flight_;
  if (regions_) return regions_->dispatch(std::move(call));
  if (serverless_) {
    serverless_->serve(std::move(call));
    return;
  }
  Replica& chosen = fleet_.pick();
  asio::co_spawn(engine_.io(), chosen.serve(std::move(call), *this), rethrow_on_error);
}

void Simulation::send(Call call, std::function<void(const RequestRecord&)> then) {
  Replica& chosen = fleet_.pick();
  stats_.arrived(call.arrival);
  ++in_flight_;
  asio::co_spawn(engine_.io(), attempt(chosen, std::move(call), std::move(then)), rethrow_on_error);
}

asio::awaitable<void> Simulation::attempt(Replica& replica, Call call,
                                          std::function<void(const RequestRecord&)> then) {
  const RequestRecord done = co_await served_by(replica, std::move(call));
  record(done);
  then(done);
}

// traffic.replay: the log's requests at their (scaled) arrival times, up to the duration.
asio::awaitable<void> Simulation::replay() {
  const ReplayedTraffic& log = *scenario_.replayed;
  const double horizon = scenario_.duration.count();
  Alarm alarm(engine_);
  for (const ReplayedRequest& r : log.requests) {
    if (r.arrival >= horizon) break;
    co_await alarm.wait_until(at_seconds(r.arrival));
    if (stopped_) break;
    Call call;
    call.arrival = r.arrival;
    call.model = &log.models[r.model];
    call.stream = r.stream;
    call.plan.prompt_tokens = r.prompt_tokens;
    call.plan.completion_tokens = r.completion_tokens;
    dispatch(std::move(call));
  }
  generating_ = false;
}

asio::awaitable<void> Simulation::generate() {
  const auto seed = static_cast<std::uint64_t>(scenario_.seed);
  Arrivals arrivals(scenario_.traffic, scenario_.duration.count(), derive_seed(seed, "arrivals"));
  Random mix_random(derive_seed(seed, "mix"));
  Alarm alarm(engine_);
  while (const std::optional<double> t = arrivals.next()) {
    co_await alarm.wait_until(at_seconds(*t));
    if (stopped_) break;
    dispatch(draw_call(*t, mix_random));
  }
  generating_ = false;
}

RegistryCounters Simulation::read_registries() const {
  RegistryCounters sum;
  for (std::size_t i = 0; i < replica_count(); ++i)
    sum.add(read_counters(replica(i).registry().render()));
  return sum;
}

// At each window's end, what the gateway's counters did in it.
asio::awaitable<void> Simulation::tick() {
  Alarm alarm(engine_);
  RegistryCounters before;
  for (std::size_t w = 0;; ++w) {
    co_await alarm.wait_until(at_seconds(static_cast<double>(w + 1) * scenario_.window.count()));
    RegistryCounters now = read_registries();
    stats_.set_window_counters(w, now.since(before));
    before = std::move(now);
    if (!generating_ && in_flight_ == 0) break;
  }
}

void Simulation::scrape_into(MetricsTimeline& timeline, double scrape_interval_seconds) {
  if (ran_) throw std::logic_error("scrape_into comes before run()");
  if (!(scrape_interval_seconds > 0)) throw std::invalid_argument("a scrape interval above 0");
  timeline_ = &timeline;
  scrape_interval_ = scrape_interval_seconds;
}

// As Prometheus scraping each replica: at 0, one interval, two, ... and once more after the last
// request ended, so that the file holds the run's final counts.
asio::awaitable<void> Simulation::scrape() {
  Alarm alarm(engine_);
  for (std::size_t k = 0;; ++k) {
    const double t = static_cast<double>(k) * scrape_interval_;
    co_await alarm.wait_until(at_seconds(t));
    note_scrape_targets();
    if (!timeline_->snapshot(t).ok()) {
      stopped_ = true;
      co_return;
    }
    if (!generating_ && in_flight_ == 0) co_return;
  }
}

void Simulation::note_scrape_targets() {
  const auto stopped = [this](std::size_t i) {
    return serverless_ ? serverless_->stopped(i) : fleet_.stopped(i);
  };
  // Replicas the fleet started since the last scrape join the file from this one on (one that
  // came and went between two scrapes was never scraped).
  for (; scraped_replicas_ < replica_count(); ++scraped_replicas_) {
    if (stopped(scraped_replicas_)) {
      target_states_.push_back(TargetState::stopped);
      continue;
    }
    timeline_->add_replica(replica_instance(scraped_replicas_),
                           replica(scraped_replicas_).registry());
    target_states_.push_back(TargetState::reachable);
  }
  // A down region's replicas answer nothing, scrapes included; nor does a draining replica (the
  // server closes its listeners once it stops taking requests, and finishes the ones it holds).
  std::vector<bool> cut_off(target_states_.size(), false);
  for (std::size_t i = 0; !serverless_ && i < cut_off.size(); ++i) cut_off[i] = fleet_.draining(i);
  for (std::size_t r = 0; regions_ && r < regions_->size(); ++r)
    if (regions_->down(r, engine_.now()))
      for (std::size_t member : regions_->replicas_of(r))
        if (member < cut_off.size()) cut_off[member] = true;
  for (std::size_t i = 0; i < target_states_.size(); ++i) {
    if (target_states_[i] == TargetState::stopped) continue;
    TargetState now = TargetState::reachable;
    if (stopped(i))
      now = TargetState::stopped;
    else if (cut_off[i])
      now = TargetState::unreachable;
    if (now == target_states_[i]) continue;
    // Gone: service discovery drops it. When its last scrape did not fail already (it drained
    // between two scrapes, or expired), the first one after it stopped does.
    if (now == TargetState::stopped)
      timeline_->remove_replica(replica_instance(i), target_states_[i] != TargetState::unreachable);
    else
      timeline_->set_reachable(replica_instance(i), now == TargetState::reachable);
    target_states_[i] = now;
  }
}

asio::awaitable<void> Simulation::flush_usage() {
  Alarm alarm(engine_);
  for (Time at = kStart + KeyBook::kFlushPeriod;; at += KeyBook::kFlushPeriod) {
    co_await alarm.wait_until(at);
    keys_->flush();
    if (!generating_ && in_flight_ == 0) co_return;
  }
}

void Simulation::record(const RequestRecord& record) {
  --in_flight_;
  ended_at_ = std::max(ended_at_, record.end);
  stats_.finished(record);
  key_stats_.finished(record);
  if (!serverless_) fleet_.request_ended(record.replica);
  if (observer_) observer_(record);
}

double Simulation::platform_cost_usd() const {
  if (serverless_) return serverless_->stats().cost.total();
  return fleet_.stats().cost_usd + (async_ ? async_->stats().cost_usd : 0);
}

const RunStats& Simulation::run() {
  if (ran_) throw std::logic_error("a Simulation runs once");
  ran_ = true;
  QuietLogs quiet;
  asio::co_spawn(engine_.io(), scenario_.replayed ? replay() : generate(), rethrow_on_error);
  asio::co_spawn(engine_.io(), tick(), rethrow_on_error);
  if (timeline_) asio::co_spawn(engine_.io(), scrape(), rethrow_on_error);
  const auto done = [this] { return !generating_ && in_flight_ == 0; };
  if (keys_) asio::co_spawn(engine_.io(), flush_usage(), rethrow_on_error);
  if (fleet_.autoscaled()) asio::co_spawn(engine_.io(), fleet_.control(done), rethrow_on_error);
  if (regions_) asio::co_spawn(engine_.io(), regions_->run(done), rethrow_on_error);
  if (serverless_) asio::co_spawn(engine_.io(), serverless_->control(done), rethrow_on_error);
  if (async_) asio::co_spawn(engine_.io(), async_->control(done), rethrow_on_error);
  engine_.run();
  fleet_.finish(stats_.windows().size());
  key_stats_.close(stats_.windows().size());
  if (serverless_) serverless_->finish(stats_.windows().size());
  if (async_) async_->finish(stats_.windows().size());
  RegistryCounters totals = read_registries();
  stats_.set_totals(totals.gateway, std::move(totals.deployments));
  return stats_;
}

}  // namespace sluice::sim
