#include "store/sqlite/job_rows.hpp"

namespace sluice::store::sqlite {

void enqueue_ingest(Connection& connection, const std::string& job_id, const Document& doc,
                    int max_attempts, int64_t now_ms) {
  connection
      .prepare(
          "INSERT INTO jobs (id, kind, collection_id, document_id, document_version, state, "
          "max_attempts, run_after_ms, ready_at_ms, created_at_ms, updated_at_ms) "
          "VALUES (?1, 'ingest', ?2, ?3, ?4, 'queued', ?5, ?6, ?6, ?6, ?6)")
      .bind_all(job_id, doc.collection_id, doc.id, doc.version, max_attempts, now_ms)
      .run();
}

void cancel_pending_job(Connection& connection, const std::string& last_job_id,
                        const std::string& reason, int64_t now_ms) {
  connection
      .prepare(
          "UPDATE jobs SET state = 'cancelled', last_error = ?2, lease_owner = '', "
          "ready_at_ms = NULL, updated_at_ms = ?3 "
          "WHERE id = ?1 AND state IN ('queued', 'running')")
      .bind_all(last_job_id, reason, now_ms)
      .run();
}

void delete_pending_job(Connection& connection, const std::string& last_job_id) {
  connection.prepare("DELETE FROM jobs WHERE id = ?1 AND state IN ('queued', 'running')")
      .bind_all(last_job_id)
      .run();
}

}  // namespace sluice::store::sqlite
