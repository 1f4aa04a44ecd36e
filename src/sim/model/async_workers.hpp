#pragma once
// `platform: {kind: hybrid}`'s async tier: the mix entries marked `async: true` are enqueued as
// jobs instead of being served, and a pool of workers takes them from the queue and calls the
// gateway (the API tier, through its load balancer) for each. The queue keeps its jobs as Sluice's
// ingest queue does, with its retry policy (SimulatedJobQueue, store::JobRetryPolicy): leases
// (visibility timeouts), retries with exponential backoff, a dead letter after max_attempts. A
// worker renews the leases of the jobs it runs as Sluice's ingest workers do
// (store::LeaseRenewalPolicy: every third of the lease, until the job ends or the lease is lost),
// unless the scenario's workers do not renew (`renew_leases: false`: an SQS-style visibility
// timeout, a call outlasting the lease is taken over). An idle worker takes a runnable job at once
// (long polling). The pool is a fixed size or autoscaled (the Kubernetes HPA or ECS target
// tracking) on the queue's depth or the jobs in flight per worker; workers start after a sampled
// delay, drain when removed (no new job), and a worker still running jobs at its drain_grace
// deadline is gone with them: their answers are lost, their renewals stop and their leases
// expire. Workers are billed per worker-hour, as always-on replicas are.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/random.hpp"
#include "sim/model/autoscaler.hpp"
#include "sim/model/call.hpp"
#include "sim/model/job_queue.hpp"
#include "sim/platform/always_on_cost.hpp"
#include "sim/platform/replica_provisioner.hpp"
#include "sim/report/level_series.hpp"
#include "sim/report/quantile_sketch.hpp"
#include "sim/report/run_stats.hpp"
#include "sim/scenario/distribution.hpp"
#include "store/lease_renewal_policy.hpp"

namespace sluice::sim {

struct AsyncStats {
  std::uint64_t jobs = 0;            // enqueued
  std::uint64_t done = 0;            // answered
  std::uint64_t dead_letters = 0;    // out of attempts
  std::uint64_t attempts = 0;        // leases taken (each a gateway call)
  std::uint64_t retries = 0;         // failed attempts scheduled again after the backoff
  std::uint64_t expired_leases = 0;  // jobs found still running after their lease expired
  std::uint64_t lease_renewals = 0;  // leases of running jobs renewed
  std::uint64_t lost_answers = 0;    // attempts whose answer was dropped (lease lost, or the
                                     // worker was gone at its drain deadline)
  QuantileSketch latency;            // done jobs: enqueued -> answered, seconds
  QuantileSketch queue_wait;         // every job leased: enqueued -> its first lease, seconds
  std::vector<LevelWindow> depth;    // per window: runnable jobs waiting for a worker
  std::vector<LevelWindow> workers;  // per window: ready workers
  std::vector<std::uint64_t> done_per_window;  // in the window each ended
  std::vector<std::uint64_t> dead_per_window;
  std::vector<ScaleEvent> scale_events;
  int peak_depth = 0;
  int peak_workers = 0;
  double worker_hours = 0;  // provisioned workers (starting, ready, draining) over the duration
  double cost_usd = 0;      // their bill over the duration
};

class AsyncWorkers {
 public:
  // A worker's call to the gateway, now; `then` hears its record when it ends.
  using Send = std::function<void(Call, std::function<void(const RequestRecord&)>)>;

  // `job_ended()`: a job is done or dead (the run counts it as in flight until then).
  AsyncWorkers(Engine& engine, const ScenarioConfig& scenario, std::uint64_t seed, Send send,
               std::function<void()> job_ended);
  ~AsyncWorkers();

  // An async arrival: a job, enqueued now.
  void enqueue(Call call);

  // Starts workers, hands them jobs as they become runnable, samples and autoscales the pool and
  // takes its bill at the duration's end, until `done()` holds at a wake-up (at least once a
  // second).
  boost::asio::awaitable<void> control(std::function<bool()> done);

  // Closes the series at the end of the run (`windows` report windows).
  void finish(std::size_t windows);

  const AsyncStats& stats() const { return stats_; }

 private:
  struct Worker {
    bool ready = false;
    bool draining = false;
    int running = 0;
    // Autoscaling samples since the last evaluation.
    double in_flight = 0;
    double depth = 0;
    int samples = 0;
  };
  struct Attempt {
    JobLease lease;
    ReplicaId worker = 0;
    bool abandoned = false;       // its worker was removed at the drain deadline
    Time renew_at = Time::max();  // its next lease renewal; max: none
  };
  struct Job {
    Call call;
    double enqueued = 0;
  };

  void pump();
  void start(ReplicaId worker, const JobLease& lease);
  // Renews the leases due at `now`, and schedules each attempt's next renewal.
  void renew_due(Time now);
  void schedule_renewal(std::uint64_t attempt, Attempt& a, Time at);
  void cancel_renewal(std::uint64_t attempt, Attempt& a);
  void attempt_ended(std::uint64_t attempt, const RequestRecord& record);
  void end_job(JobId job, bool done);
  void apply(const std::vector<ReplicaTransition>& transitions);
  void sample();
  double metric_of(ReplicaId id);
  void evaluate();
  void note_levels();
  void rearm();
  int ready_workers() const;
  std::size_t window_now() const;

  Engine& engine_;
  const ScenarioConfig& scenario_;
  Send send_;
  std::function<void()> job_ended_;
  const int concurrency_;
  Random startup_random_;
  Distribution startup_;
  SimulatedJobQueue queue_;
  const store::LeaseRenewalPolicy renewal_;
  const bool renew_leases_;
  std::unique_ptr<ReplicaProvisioner> provisioner_;
  std::unique_ptr<Autoscaler> autoscaler_;
  std::unique_ptr<AlwaysOnCost> cost_;
  std::map<ReplicaId, Worker> workers_;  // in the order they were asked for
  std::unordered_map<JobId, Job> jobs_;
  std::unordered_map<std::uint64_t, Attempt> attempts_;
  std::uint64_t next_attempt_ = 1;
  std::set<std::pair<Time, std::uint64_t>> renewals_;  // due, attempt: in schedule order
  Alarm wake_;
  Time armed_{};
  bool cost_taken_ = false;
  std::unique_ptr<LevelSeries> depth_;
  std::unique_ptr<LevelSeries> ready_;
  AsyncStats stats_;
};

}  // namespace sluice::sim
