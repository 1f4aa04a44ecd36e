#include "sim/model/async_workers.hpp"

#include <algorithm>

#include "sim/scenario/distribution_spec.hpp"

namespace sluice::sim {
namespace asio = boost::asio;

namespace {

Duration duration_of(double seconds) {
  return std::chrono::round<Duration>(std::chrono::duration<double>(seconds));
}

int initial_workers(const WorkerPoolConfig& w) {
  return w.replicas.initial > 0 ? w.replicas.initial : w.replicas.min;
}

}  // namespace

AsyncWorkers::AsyncWorkers(Engine& engine, const ScenarioConfig& scenario, std::uint64_t seed,
                           Send send, std::function<void()> job_ended)
    : engine_(engine),
      scenario_(scenario),
      send_(std::move(send)),
      job_ended_(std::move(job_ended)),
      concurrency_(scenario.platform.workers.concurrency),
      startup_random_(derive_seed(seed, "worker_startup")),
      startup_(to_distribution(scenario.platform.workers.startup)),
      queue_(store::JobRetryPolicy{.max_attempts = scenario.platform.queue.max_attempts,
                                   .retry_base = scenario.platform.queue.retry_base},
             std::chrono::duration_cast<Duration>(scenario.platform.queue.lease)),
      renewal_{.lease = scenario.platform.queue.lease},
      renew_leases_(scenario.platform.workers.renew_leases),
      wake_(engine) {
  const WorkerPoolConfig& w = scenario.platform.workers;
  const Time start = engine_.now();
  provisioner_ = std::make_unique<ReplicaProvisioner>(
      [this] { return duration_of(startup_.sample(startup_random_)); },
      duration_of(w.drain_grace.count()), initial_workers(w), start);
  for (const ProvisionedReplica& r : provisioner_->replicas()) workers_[r.id].ready = true;
  if (!w.autoscaling.policy.empty())
    autoscaler_ = std::make_unique<Autoscaler>(w.autoscaling, w.replicas.min, w.replicas.max);
  cost_ =
      std::make_unique<AlwaysOnCost>(w.price_per_worker_hour, provisioner_->provisioned(), start);
  depth_ = std::make_unique<LevelSeries>(scenario.window.count(), 0);
  ready_ = std::make_unique<LevelSeries>(scenario.window.count(), ready_workers());
}

AsyncWorkers::~AsyncWorkers() = default;

int AsyncWorkers::ready_workers() const {
  return static_cast<int>(std::count_if(workers_.begin(), workers_.end(), [](const auto& w) {
    return w.second.ready && !w.second.draining;
  }));
}

std::size_t AsyncWorkers::window_now() const {
  return static_cast<std::size_t>(std::max(0.0, seconds_since_start(engine_.now())) /
                                  scenario_.window.count());
}

void AsyncWorkers::enqueue(Call call) {
  const JobId id = queue_.enqueue(engine_.now());
  const double enqueued = call.arrival;
  jobs_.emplace(id, Job{std::move(call), enqueued});
  ++stats_.jobs;
  pump();
}

// Idle workers take runnable jobs, in the order the workers were asked for. The leases due for
// renewal now are renewed first: a renewal on a lease's last millisecond keeps the job.
void AsyncWorkers::pump() {
  const Time now = engine_.now();
  renew_due(now);
  std::vector<JobId> buried;
  bool runnable = true;
  for (auto& [id, worker] : workers_) {
    if (!worker.ready || worker.draining) continue;
    while (runnable && worker.running < concurrency_) {
      const std::optional<JobLease> lease = queue_.lease(now, buried);
      if (!lease) {
        runnable = false;
        break;
      }
      start(id, *lease);
    }
    if (!runnable) break;
  }
  for (JobId job : buried) {
    ++stats_.expired_leases;  // found running on its last attempt: dead
    end_job(job, false);
  }
  note_levels();
  rearm();
}

void AsyncWorkers::start(ReplicaId worker, const JobLease& lease) {
  ++workers_.at(worker).running;
  ++stats_.attempts;
  if (lease.took_over) ++stats_.expired_leases;
  const Job& job = jobs_.at(lease.job);
  const double now = seconds_since_start(engine_.now());
  if (lease.attempt == 1) stats_.queue_wait.add(now - job.enqueued);
  Call call = job.call;
  call.arrival = now;
  const std::uint64_t attempt = next_attempt_++;
  Attempt& a = attempts_.emplace(attempt, Attempt{lease, worker}).first->second;
  if (renew_leases_) schedule_renewal(attempt, a, engine_.now() + renewal_.period());
  send_(std::move(call),
        [this, attempt](const RequestRecord& record) { attempt_ended(attempt, record); });
}

void AsyncWorkers::schedule_renewal(std::uint64_t attempt, Attempt& a, Time at) {
  a.renew_at = at;
  renewals_.insert({at, attempt});
}

void AsyncWorkers::cancel_renewal(std::uint64_t attempt, Attempt& a) {
  renewals_.erase({a.renew_at, attempt});
  a.renew_at = Time::max();
}

// As the ingest workers' lease keeper: each running attempt's lease is renewed a period after the
// last renewal; one the queue refuses as lost is not renewed again (the worker runs on, and its
// answer is dropped when it ends).
void AsyncWorkers::renew_due(Time now) {
  while (!renewals_.empty() && renewals_.begin()->first <= now) {
    const std::uint64_t id = renewals_.begin()->second;
    renewals_.erase(renewals_.begin());
    Attempt& a = attempts_.at(id);
    a.renew_at = Time::max();
    const Status renewed = queue_.renew(a.lease, now);
    if (renewed) ++stats_.lease_renewals;
    if (!store::LeaseRenewalPolicy::lost(renewed)) schedule_renewal(id, a, now + renewal_.period());
  }
}

void AsyncWorkers::attempt_ended(std::uint64_t id, const RequestRecord& record) {
  const auto found = attempts_.find(id);
  cancel_renewal(id, found->second);
  const Attempt attempt = found->second;
  attempts_.erase(found);
  if (attempt.abandoned) {
    // Its worker is gone: nobody reads the answer; the job's lease expires.
    ++stats_.lost_answers;
    return;
  }
  if (const auto worker = workers_.find(attempt.worker); worker != workers_.end()) {
    if (--worker->second.running == 0 && worker->second.draining) {
      provisioner_->drained(attempt.worker);
      workers_.erase(worker);
      cost_->set_replicas(provisioner_->provisioned(), engine_.now());
    }
  }
  const JobId job = attempt.lease.job;
  const double enqueued = jobs_.count(job) ? jobs_.at(job).enqueued : 0;
  switch (record.cause == Cause::none ? queue_.complete(attempt.lease)
                                      : queue_.fail(attempt.lease, engine_.now())) {
    case SimulatedJobQueue::Outcome::done:
      stats_.latency.add(seconds_since_start(engine_.now()) - enqueued);
      end_job(job, true);
      break;
    case SimulatedJobQueue::Outcome::dead:
      end_job(job, false);
      break;
    case SimulatedJobQueue::Outcome::retry:
      ++stats_.retries;
      break;
    case SimulatedJobQueue::Outcome::lease_lost:
      ++stats_.lost_answers;
      break;
  }
  pump();
}

void AsyncWorkers::end_job(JobId job, bool done) {
  jobs_.erase(job);
  std::vector<std::uint64_t>& series = done ? stats_.done_per_window : stats_.dead_per_window;
  const std::size_t w = window_now();
  if (series.size() <= w) series.resize(w + 1, 0);
  ++series[w];
  ++(done ? stats_.done : stats_.dead_letters);
  job_ended_();
}

void AsyncWorkers::apply(const std::vector<ReplicaTransition>& transitions) {
  for (const ReplicaTransition& t : transitions) {
    if (t.kind == ReplicaTransition::Kind::became_ready) {
      workers_[t.id].ready = true;
      continue;
    }
    const auto it = workers_.find(t.id);
    if (it == workers_.end()) continue;  // a pending worker taken away before it was ready
    if (t.kind == ReplicaTransition::Kind::draining) {
      it->second.draining = true;
      if (it->second.running == 0) {
        provisioner_->drained(t.id);
        workers_.erase(it);
      }
      continue;
    }
    // Removed at its drain deadline with jobs still running: they go with it, and nobody renews
    // their leases.
    for (auto& [id, attempt] : attempts_) {
      if (attempt.worker != t.id) continue;
      attempt.abandoned = true;
      cancel_renewal(id, attempt);
    }
    workers_.erase(it);
  }
  cost_->set_replicas(provisioner_->provisioned(), engine_.now());
}

void AsyncWorkers::note_levels() {
  const Time now = engine_.now();
  const double t = seconds_since_start(now);
  depth_->set(t, static_cast<int>(queue_.runnable(now)));
  ready_->set(t, ready_workers());
}

// A job that becomes runnable, or a lease due for renewal, before the control loop's next
// wake-up wakes it then.
void AsyncWorkers::rearm() {
  if (!wake_.waiting()) return;
  const std::optional<Time> due = queue_.next_due();
  const bool renewal = !renewals_.empty() && renewals_.begin()->first < armed_;
  if (renewal || (due && *due < armed_)) wake_.cancel();
}

void AsyncWorkers::sample() {
  const int ready = ready_workers();
  if (ready == 0) return;
  const double depth = static_cast<double>(queue_.runnable(engine_.now()));
  for (auto& [id, w] : workers_) {
    if (!w.ready || w.draining) continue;
    w.in_flight += w.running;
    w.depth += depth / ready;
    ++w.samples;
  }
}

// queue_depth: the runnable jobs per ready worker (a queue's backlog per instance); in_flight:
// the jobs the worker runs; each the mean of the samples since the last evaluation.
double AsyncWorkers::metric_of(ReplicaId id) {
  Worker& w = workers_.at(id);
  const bool depth = scenario_.platform.workers.autoscaling.metric == "queue_depth";
  double value = 0;
  if (w.samples > 0) {
    value = (depth ? w.depth : w.in_flight) / w.samples;
  } else {
    const int ready = std::max(ready_workers(), 1);
    value = depth ? static_cast<double>(queue_.runnable(engine_.now())) / ready : w.running;
  }
  w.in_flight = w.depth = 0;
  w.samples = 0;
  return value;
}

void AsyncWorkers::evaluate() {
  const auto event = autoscaler_->evaluate(engine_.now(), *provisioner_,
                                           [this](ReplicaId id) { return metric_of(id); });
  if (!event) return;
  stats_.scale_events.push_back(*event);
  apply(provisioner_->set_desired(event->to, engine_.now()));
}

asio::awaitable<void> AsyncWorkers::control(std::function<bool()> done) {
  const Time duration_end = at_seconds(scenario_.duration.count());
  const double period = autoscaler_ ? autoscaler_->period() : 0;
  long long tick = 1;  // workers are sampled once a second
  long long evaluations = 1;
  for (;;) {
    Time wake = at_seconds(static_cast<double>(tick));
    const Time evaluate_at = at_seconds(static_cast<double>(evaluations) * period);
    if (autoscaler_ && evaluate_at < wake) wake = evaluate_at;
    if (const auto t = provisioner_->next_transition(); t && *t < wake) wake = *t;
    if (const auto t = queue_.next_due(); t && *t < wake) wake = *t;
    if (!renewals_.empty() && renewals_.begin()->first < wake) wake = renewals_.begin()->first;
    if (!cost_taken_ && duration_end < wake) wake = duration_end;
    armed_ = wake;
    co_await wake_.wait_until(wake);
    const Time now = engine_.now();
    apply(provisioner_->advance(now));
    pump();
    if (!cost_taken_ && now >= duration_end) {
      stats_.cost_usd = cost_->cost_until(duration_end);
      stats_.worker_hours = cost_->replica_seconds_until(duration_end) / 3600;
      cost_taken_ = true;
    }
    if (now >= at_seconds(static_cast<double>(tick))) {
      if (autoscaler_) sample();
      while (at_seconds(static_cast<double>(tick)) <= now) ++tick;
    }
    if (autoscaler_ && now >= evaluate_at) {
      evaluate();
      pump();
      ++evaluations;
    }
    if (done()) break;
  }
}

void AsyncWorkers::finish(std::size_t windows) {
  if (!cost_taken_) {
    const Time end = at_seconds(scenario_.duration.count());
    stats_.cost_usd = cost_->cost_until(end);
    stats_.worker_hours = cost_->replica_seconds_until(end) / 3600;
  }
  stats_.peak_depth = depth_->peak();
  stats_.peak_workers = ready_->peak();
  stats_.depth = depth_->finish(windows);
  stats_.workers = ready_->finish(windows);
  stats_.done_per_window.resize(windows, 0);
  stats_.dead_per_window.resize(windows, 0);
}

}  // namespace sluice::sim
