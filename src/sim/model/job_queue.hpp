#pragma once
// The job queue of a hybrid platform's async tier, on the virtual clock, as Sluice's ingest queue
// keeps its jobs (store::SqliteJobQueue): a worker takes the oldest runnable job (ordered by when
// it became runnable, then by when it was enqueued); a lease hides the job until it expires (the
// visibility timeout), when another worker may take it; the retry policy is the store's own
// (store::JobRetryPolicy): every lease an attempt, a failed attempt runnable again after the
// exponential backoff, dead (a dead letter) once max_attempts are used, and so is a job whose
// lease expired on its last attempt. A worker renews the lease of a job it runs as the store's
// renew does (the job hidden until now + lease, refused once the lease is lost). A worker that
// ends an attempt after its lease was taken over gets "lease lost", as the store refuses that
// worker's completion. Time is an input.

#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "sim/platform/time.hpp"
#include "store/job_retry_policy.hpp"

namespace sluice::sim {

using JobId = std::uint64_t;

struct JobLease {
  JobId job = 0;
  std::uint64_t token = 0;  // this lease of the job (each lease of it has its own)
  int attempt = 0;          // the job's attempts, this one included
  bool took_over = false;   // the job's previous lease had expired while it ran
};

class SimulatedJobQueue {
 public:
  enum class Outcome {
    done,        // completed
    retry,       // failed, runnable again after the backoff
    dead,        // failed on its last attempt: a dead letter
    lease_lost,  // another worker holds the job now, or it is dead: this answer is dropped
  };

  SimulatedJobQueue(store::JobRetryPolicy policy, Duration lease);

  // A new job, runnable at once.
  JobId enqueue(Time now);

  // The oldest runnable job at `now`, leased until now + lease; nullopt when none is. Jobs whose
  // lease expired on their last attempt, met on the way, are dead: appended to `buried`.
  std::optional<JobLease> lease(Time now, std::vector<JobId>& buried);

  // The attempt of `lease` ended at `now`, answered or failed.
  Outcome complete(const JobLease& lease);
  Outcome fail(const JobLease& lease, Time now);
  // As store::JobQueue::renew: the job stays hidden until now + lease; conflict when another
  // lease of the job was taken since, not_found when the job is done or dead (buried after its
  // lease expired on its last attempt). An expired lease nobody took yet is renewed.
  Status renew(const JobLease& lease, Time now);

  // When the next job that is not runnable yet becomes runnable (a backoff ends, a lease
  // expires); nullopt when none waits.
  std::optional<Time> next_due() const;
  // Jobs runnable at `now`, waiting for a worker: the queue's depth.
  std::size_t runnable(Time now);
  // Jobs neither done nor dead.
  std::size_t unfinished() const { return jobs_.size(); }

  const store::JobRetryPolicy& policy() const { return policy_; }

 private:
  struct Job {
    int attempts = 0;
    std::uint64_t token = 0;  // of its latest lease
    bool running = false;     // leased (its lease may have expired since)
    Time ready_at{};          // runnable from: enqueued, backoff's end, or lease's expiry
  };
  using Key = std::pair<Time, JobId>;  // ready_at, then the order of enqueueing

  void advance(Time now);
  void place(JobId id, Job& job, Time ready_at);
  void take_out(JobId id, const Job& job);
  bool holds(const JobLease& lease) const;

  store::JobRetryPolicy policy_;
  Duration lease_;
  JobId next_ = 1;
  Time advanced_to_{};
  std::unordered_map<JobId, Job> jobs_;
  std::set<Key> runnable_;  // ready_at <= advanced_to_
  std::set<Key> later_;     // ready_at > advanced_to_
};

}  // namespace sluice::sim
