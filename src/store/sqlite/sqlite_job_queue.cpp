#include "store/sqlite/sqlite_job_queue.hpp"

#include <algorithm>
#include <utility>

#include "store/job_retry_policy.hpp"
#include "store/sqlite/rows.hpp"

namespace sluice::store::sqlite {
namespace {

std::optional<Job> find_job(Connection& connection, const std::string& job_id) {
  static const std::string sql = std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?1";
  Statement row = connection.prepare(sql);
  row.bind_all(job_id);
  if (!row.step()) return std::nullopt;
  return read_job(row);
}

// The job as `owner` holds it, or why not: not_found, or conflict when it is not (or no longer)
// running under that owner, e.g. after its lease expired and another owner took it.
Result<Job> held_job(Connection& connection, const std::string& job_id, const std::string& owner) {
  auto job = find_job(connection, job_id);
  if (!job) return job_not_found(job_id);
  if (job->state != "running" || job->lease_owner != owner)
    return make_error(Errc::conflict,
                      "job '" + job_id + "' is not leased by '" + owner + "' (state " + job->state +
                          ", owner '" + job->lease_owner + "')",
                      "job", "lease_lost");
  return *std::move(job);
}

// A job that ran out of attempts: dead with its last error, and its document version failed.
void bury(Connection& connection, const Job& job, const std::string& error, int64_t now_ms) {
  connection
      .prepare(
          "UPDATE jobs SET state = 'dead', last_error = ?2, ready_at_ms = NULL, "
          "updated_at_ms = ?3 WHERE id = ?1")
      .bind_all(job.id, error, now_ms)
      .run();
  connection.prepare("UPDATE documents SET status = 'failed' WHERE id = ?1 AND version = ?2")
      .bind_all(job.document_id, job.document_version)
      .run();
}

}  // namespace

Result<std::optional<Job>> SqliteJobQueue::lease(const std::string& owner, int64_t lease_ms,
                                                 int64_t now_ms) {
  return context_.db.write([&](Connection& connection) -> Result<std::optional<Job>> {
    static const std::string sql = std::string("SELECT ") + kJobColumns +
                                   " FROM jobs WHERE ready_at_ms <= ?1 "
                                   "ORDER BY ready_at_ms, seq LIMIT 1";
    for (;;) {
      std::optional<Job> job;
      {
        Statement row = connection.prepare(sql);
        row.bind_all(now_ms);
        if (!row.step()) return std::optional<Job>();
        job = read_job(row);
      }
      const JobRetryPolicy policy{.max_attempts = job->max_attempts};
      if (job->state == "running" && policy.exhausted(job->attempts)) {
        bury(connection, *job,
             "lease of '" + job->lease_owner + "' expired on attempt " +
                 std::to_string(job->attempts) + " of " + std::to_string(job->max_attempts),
             now_ms);
        continue;
      }
      job->state = "running";
      job->lease_owner = owner;
      job->lease_expires_ms = now_ms + lease_ms;
      job->attempts = JobRetryPolicy::attempts_after_lease(job->attempts);
      job->updated_at_ms = now_ms;
      connection
          .prepare(
              "UPDATE jobs SET state = 'running', lease_owner = ?2, lease_expires_ms = ?3, "
              "ready_at_ms = ?3, attempts = ?4, updated_at_ms = ?5 WHERE id = ?1")
          .bind_all(job->id, owner, job->lease_expires_ms, job->attempts, now_ms)
          .run();
      return job;
    }
  });
}

Status SqliteJobQueue::renew(const std::string& job_id, const std::string& owner, int64_t lease_ms,
                             int64_t now_ms) {
  return context_.db.write([&](Connection& connection) -> Status {
    auto job = held_job(connection, job_id, owner);
    if (!job) return job.error();
    connection
        .prepare(
            "UPDATE jobs SET lease_expires_ms = ?2, ready_at_ms = ?2, updated_at_ms = ?3 "
            "WHERE id = ?1")
        .bind_all(job_id, now_ms + lease_ms, now_ms)
        .run();
    return Status::success();
  });
}

Status SqliteJobQueue::complete(const std::string& job_id, const std::string& owner) {
  const int64_t now = context_.now_ms();
  return context_.db.write([&](Connection& connection) -> Status {
    auto job = held_job(connection, job_id, owner);
    if (!job) return job.error();
    connection
        .prepare(
            "UPDATE jobs SET state = 'succeeded', ready_at_ms = NULL, updated_at_ms = ?2 "
            "WHERE id = ?1")
        .bind_all(job_id, now)
        .run();
    return Status::success();
  });
}

Status SqliteJobQueue::fail(const std::string& job_id, const std::string& owner,
                            const std::string& error, int64_t retry_at_ms) {
  const int64_t now = context_.now_ms();
  return context_.db.write([&](Connection& connection) -> Status {
    auto job = held_job(connection, job_id, owner);
    if (!job) return job.error();
    if (JobRetryPolicy{.max_attempts = job->max_attempts}.exhausted(job->attempts)) {
      bury(connection, *job, error, now);
      return Status::success();
    }
    connection
        .prepare(
            "UPDATE jobs SET state = 'queued', last_error = ?2, run_after_ms = ?3, "
            "ready_at_ms = ?3, lease_expires_ms = 0, updated_at_ms = ?4 WHERE id = ?1")
        .bind_all(job_id, error, retry_at_ms, now)
        .run();
    return Status::success();
  });
}

Status SqliteJobQueue::fail_permanently(const std::string& job_id, const std::string& owner,
                                        const std::string& error) {
  const int64_t now = context_.now_ms();
  return context_.db.write([&](Connection& connection) -> Status {
    auto job = held_job(connection, job_id, owner);
    if (!job) return job.error();
    bury(connection, *job, error, now);
    return Status::success();
  });
}

Result<Job> SqliteJobQueue::get(const std::string& job_id) {
  return context_.db.read([&](Connection& connection) -> Result<Job> {
    auto job = find_job(connection, job_id);
    if (!job) return job_not_found(job_id);
    return *std::move(job);
  });
}

Result<Page<Job>> SqliteJobQueue::list(const std::string& state, const std::string& cursor,
                                       int limit) {
  auto after = parse_cursor(cursor);
  if (!after) return after.error();
  limit = clamp_page_limit(limit);
  return context_.db.read([&](Connection& connection) -> Result<Page<Job>> {
    static const std::string all_sql = std::string("SELECT ") + kJobColumns +
                                       ", seq FROM jobs WHERE seq > ?1 ORDER BY seq LIMIT ?2";
    static const std::string state_sql =
        std::string("SELECT ") + kJobColumns +
        ", seq FROM jobs WHERE state = ?3 AND seq > ?1 ORDER BY seq LIMIT ?2";
    Statement rows = connection.prepare(state.empty() ? all_sql : state_sql);
    rows.bind_all(*after, limit + 1);
    if (!state.empty()) rows.bind(3, state);
    return read_page<Job>(rows, limit, kLastColumn, read_job);
  });
}

Status SqliteJobQueue::retry_dead(const std::string& job_id) {
  const int64_t now = context_.now_ms();
  return context_.db.write([&](Connection& connection) -> Status {
    auto job = find_job(connection, job_id);
    if (!job) return job_not_found(job_id);
    if (job->state != "dead")
      return make_error(Errc::conflict, "job '" + job_id + "' is " + job->state + ", not dead",
                        "job", "job_not_dead");
    Statement version = connection.prepare("SELECT version FROM documents WHERE id = ?1");
    version.bind_all(job->document_id);
    if (!version.step() || version.int64(0) != job->document_version)
      return make_error(Errc::conflict,
                        "job '" + job_id +
                            "' ingests a document version that was replaced "
                            "or removed since",
                        "job", "job_superseded");
    connection
        .prepare(
            "UPDATE jobs SET state = 'queued', attempts = 0, lease_owner = '', "
            "lease_expires_ms = 0, run_after_ms = ?2, ready_at_ms = ?2, updated_at_ms = ?2 "
            "WHERE id = ?1")
        .bind_all(job_id, now)
        .run();
    connection.prepare("UPDATE documents SET status = 'pending' WHERE id = ?1")
        .bind_all(job->document_id)
        .run();
    return Status::success();
  });
}

Result<JobCounts> SqliteJobQueue::counts() {
  const int64_t now = context_.now_ms();
  return context_.db.read([&](Connection& connection) -> Result<JobCounts> {
    JobCounts counts;
    // One covering-index range per state: GROUP BY over the whole table compared every row's state
    // text, and finished jobs are most of the table.
    const std::pair<const char*, int64_t*> states[] = {{"queued", &counts.queued},
                                                       {"running", &counts.running},
                                                       {"succeeded", &counts.succeeded},
                                                       {"dead", &counts.dead},
                                                       {"cancelled", &counts.cancelled}};
    for (const auto& [state, n] : states) {
      Statement row = connection.prepare("SELECT count(*) FROM jobs WHERE state = ?1");
      row.bind_all(state);
      *n = row.step() ? row.int64(0) : 0;
    }
    // Walks jobs_by_ready_at from the earliest (the unary + keeps the planner off jobs_by_state,
    // which would sort every queued job): only running jobs, a few, come before it.
    Statement oldest = connection.prepare(
        "SELECT ready_at_ms FROM jobs WHERE ready_at_ms <= ?1 AND +state = 'queued' "
        "ORDER BY ready_at_ms LIMIT 1");
    oldest.bind_all(now);
    if (oldest.step() && !oldest.is_null(0)) counts.oldest_queued_age_ms = now - oldest.int64(0);
    return counts;
  });
}

Result<int64_t> SqliteJobQueue::prune_finished(int64_t before_ms, int limit) {
  // In bounded batches: one write transaction never holds the writer for long.
  return context_.db.write([&](Connection& connection) -> Result<int64_t> {
    connection
        .prepare(
            "DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs WHERE state IN ('succeeded', "
            "'cancelled') AND updated_at_ms < ?1 ORDER BY state, seq LIMIT ?2)")
        .bind_all(before_ms, std::max(limit, 0))
        .run();
    return connection.changes();
  });
}

}  // namespace sluice::store::sqlite
