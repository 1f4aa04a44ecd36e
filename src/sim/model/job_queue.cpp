#include "sim/model/job_queue.hpp"

#include <stdexcept>
#include <string>

namespace sluice::sim {

SimulatedJobQueue::SimulatedJobQueue(store::JobRetryPolicy policy, Duration lease)
    : policy_(policy), lease_(lease) {
  if (lease_ <= Duration::zero()) throw std::invalid_argument("a lease longer than zero");
  if (policy_.max_attempts < 1) throw std::invalid_argument("max_attempts of at least 1");
}

void SimulatedJobQueue::advance(Time now) {
  if (now > advanced_to_) advanced_to_ = now;
  while (!later_.empty() && later_.begin()->first <= advanced_to_) {
    runnable_.insert(*later_.begin());
    later_.erase(later_.begin());
  }
}

void SimulatedJobQueue::place(JobId id, Job& job, Time ready_at) {
  job.ready_at = ready_at;
  (ready_at <= advanced_to_ ? runnable_ : later_).insert({ready_at, id});
}

void SimulatedJobQueue::take_out(JobId id, const Job& job) {
  runnable_.erase({job.ready_at, id});
  later_.erase({job.ready_at, id});
}

JobId SimulatedJobQueue::enqueue(Time now) {
  advance(now);
  const JobId id = next_++;
  place(id, jobs_[id], now);
  return id;
}

std::optional<JobLease> SimulatedJobQueue::lease(Time now, std::vector<JobId>& buried) {
  advance(now);
  while (!runnable_.empty()) {
    const JobId id = runnable_.begin()->second;
    Job& job = jobs_.at(id);
    runnable_.erase(runnable_.begin());
    // As SqliteJobQueue::lease: an expired lease on the last attempt buries the job.
    if (job.running && policy_.exhausted(job.attempts)) {
      jobs_.erase(id);
      buried.push_back(id);
      continue;
    }
    JobLease lease{id, ++job.token, store::JobRetryPolicy::attempts_after_lease(job.attempts),
                   job.running};
    job.attempts = lease.attempt;
    job.running = true;
    place(id, job, now + lease_);
    return lease;
  }
  return std::nullopt;
}

bool SimulatedJobQueue::holds(const JobLease& lease) const {
  const auto it = jobs_.find(lease.job);
  return it != jobs_.end() && it->second.running && it->second.token == lease.token;
}

SimulatedJobQueue::Outcome SimulatedJobQueue::complete(const JobLease& lease) {
  if (!holds(lease)) return Outcome::lease_lost;
  take_out(lease.job, jobs_.at(lease.job));
  jobs_.erase(lease.job);
  return Outcome::done;
}

Status SimulatedJobQueue::renew(const JobLease& lease, Time now) {
  const auto it = jobs_.find(lease.job);
  if (it == jobs_.end())
    return make_error(Errc::not_found, "job " + std::to_string(lease.job) + " is done or dead");
  if (!holds(lease))
    return make_error(Errc::conflict,
                      "job " + std::to_string(lease.job) + " is not held by this lease");
  advance(now);
  take_out(lease.job, it->second);
  place(lease.job, it->second, now + lease_);
  return Status::success();
}

SimulatedJobQueue::Outcome SimulatedJobQueue::fail(const JobLease& lease, Time now) {
  if (!holds(lease)) return Outcome::lease_lost;
  advance(now);
  Job& job = jobs_.at(lease.job);
  take_out(lease.job, job);
  if (policy_.exhausted(job.attempts)) {
    jobs_.erase(lease.job);
    return Outcome::dead;
  }
  job.running = false;
  place(lease.job, job, now + policy_.retry_delay(job.attempts));
  return Outcome::retry;
}

std::optional<Time> SimulatedJobQueue::next_due() const {
  if (later_.empty()) return std::nullopt;
  return later_.begin()->first;
}

std::size_t SimulatedJobQueue::runnable(Time now) {
  advance(now);
  return runnable_.size();
}

}  // namespace sluice::sim
