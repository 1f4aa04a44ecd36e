#pragma once
// Job rows written inside document transactions: a document's upload enqueues its ingest job in
// the same commit, and replacing or removing the document settles its pending jobs.

#include <cstdint>
#include <string>

#include "store/records.hpp"
#include "store/sqlite/connection.hpp"

namespace sluice::store::sqlite {

// Inserts a queued ingest job for `doc`'s current version, runnable at now_ms.
void enqueue_ingest(Connection& connection, const std::string& job_id, const Document& doc,
                    int max_attempts, int64_t now_ms);
// A document's only job that can be queued or running is its current version's (its
// last_job_id): cancel_pending_job turns it cancelled with `reason` if it is (a running worker
// finds its lease gone when it reports); delete_pending_job deletes it.
void cancel_pending_job(Connection& connection, const std::string& last_job_id,
                        const std::string& reason, int64_t now_ms);
void delete_pending_job(Connection& connection, const std::string& last_job_id);

}  // namespace sluice::store::sqlite
