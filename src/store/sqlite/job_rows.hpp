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
// Queued or running jobs of the document turn cancelled with `reason`: a running worker finds
// its lease gone when it reports.
void cancel_pending_jobs(Connection& connection, const std::string& document_id,
                         const std::string& reason, int64_t now_ms);
void delete_pending_jobs(Connection& connection, const std::string& document_id);

}  // namespace sluice::store::sqlite
