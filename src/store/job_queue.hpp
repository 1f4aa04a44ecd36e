#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "store/records.hpp"

namespace sluice::store {

// The answer for a job id that names no job (or another tenant's).
inline Error job_not_found(const std::string& job_id) {
  return make_error(Errc::not_found, "job '" + job_id + "' does not exist", "job", "job_not_found");
}

struct JobCounts {
  int64_t queued = 0;
  int64_t running = 0;
  int64_t succeeded = 0;
  int64_t dead = 0;
  int64_t cancelled = 0;
  // How long the oldest runnable queued job has waited past its run_after (0 when none): what a
  // starving queue shows; jobs still backing off are not late.
  int64_t oldest_queued_age_ms = 0;
};

// The durable ingest queue. Jobs are created by DocumentStore::put_document. A lease gives one
// owner the job until lease_expires_ms; an expired lease lets another owner take it again.
class JobQueue {
 public:
  virtual ~JobQueue() = default;

  // Atomically takes the oldest runnable job (queued with run_after <= now, or running with an
  // expired lease) for `owner` until now + lease_ms; nullopt when none. Each lease counts as an
  // attempt, so a job that kills its worker every time still ends dead: an expired job that has
  // used all its attempts turns dead ("lease expired") instead of being leased again.
  virtual Result<std::optional<Job>> lease(const std::string& owner, int64_t lease_ms,
                                           int64_t now_ms) = 0;
  // Extends `owner`'s lease to now + lease_ms; conflict when the lease was lost.
  virtual Status renew(const std::string& job_id, const std::string& owner, int64_t lease_ms,
                       int64_t now_ms) = 0;
  // Marks the job succeeded; conflict when `owner` no longer holds it.
  virtual Status complete(const std::string& job_id, const std::string& owner) = 0;
  // Records `error`; the job runs again at retry_at_ms, or turns dead (and its document version
  // failed) once its attempts reach max_attempts. conflict when `owner` no longer holds it.
  virtual Status fail(const std::string& job_id, const std::string& owner, const std::string& error,
                      int64_t retry_at_ms) = 0;
  // A failure no retry can cure (a document that cannot be parsed): the job turns dead at once
  // with `error`, its document version failed. conflict when `owner` no longer holds it.
  virtual Status fail_permanently(const std::string& job_id, const std::string& owner,
                                  const std::string& error) = 0;
  virtual Result<Job> get(const std::string& job_id) = 0;
  // Oldest first; empty `state` = every state.
  virtual Result<Page<Job>> list(const std::string& state, const std::string& cursor,
                                 int limit) = 0;
  // Admin: a dead job back to queued, runnable now, attempts reset, its document pending again.
  // conflict when the job is not dead or its document version was replaced or removed.
  virtual Status retry_dead(const std::string& job_id) = 0;
  virtual Result<JobCounts> counts() = 0;
  // Deletes at most `limit` succeeded and cancelled jobs last updated before `before_ms` (history
  // retention), each state's oldest first; returns how many. Queued, running and dead jobs are
  // never pruned.
  virtual Result<int64_t> prune_finished(int64_t before_ms, int limit) = 0;
};

}  // namespace sluice::store
