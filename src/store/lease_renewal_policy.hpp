#pragma once
// How a worker keeps the leases of the jobs it runs, in one place for the ingest workers and
// `sluice simulate`'s queued workers: while a job runs, its lease is renewed every third of the
// lease (at least 1 ms apart), so that a call longer than the lease is not taken over and two
// renewals may be late (a slow store, a busy loop) before it expires. A renewal refused because
// the lease is lost (conflict: it expired and another worker took the job; not_found: the job is
// gone) ends the renewals of that job: the worker runs on, but the queue refuses its completion
// or failure (its late answer is dropped) and the job's new holder runs it. Any other error (the
// store could not be asked) is tried again at the next renewal.

#include <chrono>

#include "core/result.hpp"

namespace sluice::store {

struct LeaseRenewalPolicy {
  std::chrono::milliseconds lease{60'000};  // rag.job_lease

  // The time between two renewals of a running job's lease: lease / 3, at least 1 ms.
  std::chrono::milliseconds period() const;
  // Whether a renewal's result means the lease is lost: renewing it again is no use.
  static bool lost(const Status& renewed);
};

}  // namespace sluice::store
