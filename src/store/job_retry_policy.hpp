#pragma once
// The ingest job queue's retry policy, in one place for the store that keeps the queue, the
// workers that run its jobs and `sluice simulate`'s queued workers: every lease of a job is an
// attempt; a failed attempt runs again after an exponential backoff (retry_base * 2^(attempts-1),
// at most five minutes) until the job has had max_attempts, and then it is dead (a dead letter an
// admin may retry); a job whose lease expired on its last attempt is dead too, rather than leased
// again (a job that kills its worker every time still ends).

#include <chrono>

namespace sluice::store {

struct JobRetryPolicy {
  static constexpr std::chrono::milliseconds kMaxRetryDelay{5 * 60 * 1000};

  int max_attempts = 5;                         // rag.job_max_attempts
  std::chrono::milliseconds retry_base{1'000};  // rag.job_retry_base

  // A lease charges an attempt: the job's attempts once leased.
  static int attempts_after_lease(int attempts) { return attempts + 1; }
  // Whether a job that has had `attempts` leases has used them all: a failed attempt, or an
  // expired lease, then makes it dead instead of runnable again.
  bool exhausted(int attempts) const { return attempts >= max_attempts; }
  // The wait before attempt `attempts` + 1 of a job whose attempt `attempts` failed:
  // retry_base * 2^(attempts-1) (at least 1 ms), at most kMaxRetryDelay.
  std::chrono::milliseconds retry_delay(int attempts) const;
};

}  // namespace sluice::store
