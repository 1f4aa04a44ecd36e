#include "store/sqlite/migrations.hpp"

#include <string>

#include "store/sqlite/sqlite_error.hpp"

namespace sluice::store::sqlite {
namespace {

// Text ids with an integer `seq` key: seq orders lists and makes their cursors (keyset
// pagination); ids are what clients see. Chunk and message ids are AUTOINCREMENT so that an id
// is never reused after a delete: in-memory indexes key on them.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE collections (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL UNIQUE,
  language TEXT NOT NULL,
  embedding_model TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  change_seq INTEGER NOT NULL DEFAULT 0,
  document_count INTEGER NOT NULL DEFAULT 0,
  chunk_count INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE documents (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  external_id TEXT NOT NULL,
  title TEXT NOT NULL,
  source_name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  status TEXT NOT NULL,
  metadata_json TEXT NOT NULL,
  tags_json TEXT NOT NULL,
  change_seq INTEGER NOT NULL,
  last_job_id TEXT NOT NULL
);
CREATE UNIQUE INDEX documents_by_external_id ON documents(collection_id, external_id)
  WHERE external_id <> '';
CREATE INDEX documents_by_hash ON documents(collection_id, content_hash);
CREATE INDEX documents_by_change ON documents(collection_id, change_seq);

-- The current version's body, kept in the database so that it commits with its document row
-- and its job in one transaction: no orphan files, no fsync ordering between two stores.
CREATE TABLE document_bodies (
  document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  body BLOB NOT NULL
);

CREATE TABLE document_tombstones (
  document_id TEXT PRIMARY KEY,
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  change_seq INTEGER NOT NULL
);
CREATE INDEX document_tombstones_by_change ON document_tombstones(collection_id, change_seq);

CREATE TABLE chunks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  collection_id TEXT NOT NULL,
  ordinal INTEGER NOT NULL,
  text TEXT NOT NULL,
  heading_path TEXT NOT NULL,
  page INTEGER NOT NULL,
  token_count INTEGER NOT NULL,
  embedding BLOB NOT NULL
);
CREATE INDEX chunks_by_document ON chunks(document_id, ordinal);
CREATE INDEX chunks_by_collection ON chunks(collection_id, id);

-- ready_at_ms: when the job may be leased (run_after_ms while queued, lease_expires_ms while
-- running, NULL once finished), so that lease() is one index probe.
CREATE TABLE jobs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  document_id TEXT NOT NULL,
  document_version INTEGER NOT NULL,
  state TEXT NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  lease_owner TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_after_ms INTEGER NOT NULL,
  lease_expires_ms INTEGER NOT NULL DEFAULT 0,
  ready_at_ms INTEGER,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX jobs_by_ready_at ON jobs(ready_at_ms, seq) WHERE ready_at_ms IS NOT NULL;
CREATE INDEX jobs_by_state ON jobs(state, seq);
CREATE INDEX jobs_by_document ON jobs(document_id);

CREATE TABLE sessions (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  citations_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX messages_by_session ON messages(session_id, id);
)sql";

// Pages of a collection's documents without sorting the collection. (Every index costs each
// upload's commit a page or more: the queue's oldest-ready probe uses jobs_by_ready_at instead.)
constexpr const char* kSchemaV2 = R"sql(
CREATE INDEX documents_by_collection ON documents(collection_id, seq);
)sql";

// Tombstones get their time, so that they can be pruned after a retention; each collection keeps
// the highest change_seq pruned, below which its change log is incomplete. Tombstones from before
// have no time (0): the first pruning takes them. Documents remember whether their upload named
// their title: when it did not, the title the content gives replaces the file name at ingest.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE document_tombstones ADD COLUMN removed_at_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX document_tombstones_by_time ON document_tombstones(removed_at_ms);
ALTER TABLE collections ADD COLUMN removals_pruned_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN title_given INTEGER NOT NULL DEFAULT 1;
)sql";

// A document has at most one queued or running job, its current version's (documents.
// last_job_id: an upload cancels the pending jobs before it enqueues its own, and only the current
// version's dead job can be retried), so settling a document's jobs goes by that id, and no
// upload pays for an index of jobs by document.
constexpr const char* kSchemaV4 = R"sql(
DROP INDEX IF EXISTS jobs_by_document;
)sql";

// Virtual API keys: only their secrets' SHA-256 (unique, current or previous after a rotation);
// change_seq orders every write so that replicas follow the table. Their usage by day and model.
// The audit log.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE api_keys (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  team TEXT NOT NULL,
  roles_json TEXT NOT NULL,
  models_json TEXT NOT NULL,
  collections_json TEXT NOT NULL,
  requests_per_minute INTEGER NOT NULL,
  tokens_per_minute INTEGER NOT NULL,
  daily_budget_micro_usd INTEGER NOT NULL,
  monthly_budget_micro_usd INTEGER NOT NULL,
  prefix TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  previous_hash TEXT NOT NULL,
  previous_valid_until_ms INTEGER NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  change_seq INTEGER NOT NULL UNIQUE
);
CREATE INDEX api_keys_by_previous_hash ON api_keys(previous_hash) WHERE previous_hash <> '';

-- Each virtual key's model calls, totalled per UTC day and requested model.
CREATE TABLE key_usage (
  key_id TEXT NOT NULL,
  day TEXT NOT NULL,
  model TEXT NOT NULL,
  requests INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  cost_nano_usd INTEGER NOT NULL,
  PRIMARY KEY (key_id, day, model)
) WITHOUT ROWID;

-- Admin actions and refused requests, newest read first; pruned by time.
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  key_name TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  result TEXT NOT NULL,
  request_id TEXT NOT NULL,
  client TEXT NOT NULL
);
CREATE INDEX audit_events_by_time ON audit_events(at_ms);
)sql";

// Collections belong to tenants. Their name column holds the tenant-qualified key
// (collection_key), so that the UNIQUE constraint needs no rebuild of the table; rows from before
// are the empty tenant's, whose keys are their names. Budgets read the month's usage by day.
constexpr const char* kSchemaV6 = R"sql(
ALTER TABLE collections ADD COLUMN tenant TEXT NOT NULL DEFAULT '';
CREATE INDEX key_usage_by_day ON key_usage(day);
)sql";

// A virtual key's admission class under overload (low, normal, high).
constexpr const char* kSchemaV7 = R"sql(
ALTER TABLE api_keys ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
)sql";

constexpr Migration kMigrations[] = {
    {1, "collections, documents, bodies, chunks, jobs, sessions", kSchemaV1},
    {2, "an index for pages of documents", kSchemaV2},
    {3, "tombstones pruned after a retention; titles found in the content", kSchemaV3},
    {4, "jobs settled by the document's last job id, without an index by document", kSchemaV4},
    {5, "virtual API keys, their usage, the audit log", kSchemaV5},
    {6, "collections belong to tenants; usage read by day for budgets", kSchemaV6},
    {7, "virtual keys' admission priority", kSchemaV7},
};

constexpr const char* kMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at_ms INTEGER NOT NULL
);
)sql";

}  // namespace

std::span<const Migration> schema_migrations() { return kMigrations; }

int latest_schema_version() { return kMigrations[std::size(kMigrations) - 1].version; }

Status check_schema_version(int version, int latest) {
  if (version <= latest) return Status::success();
  return make_error(Errc::unavailable,
                    "the database's schema version " + std::to_string(version) +
                        " is newer than this binary's " + std::to_string(latest) +
                        ": run a newer sluice, or point storage.data_dir elsewhere");
}

Status migrate(Connection& connection, std::span<const Migration> steps, int64_t now_ms) {
  const int latest = steps.empty() ? 0 : steps.back().version;
  try {
    if (Status newer = check_schema_version(connection.user_version(), latest); !newer)
      return newer;
    for (const Migration& step : steps) {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      Transaction transaction(connection, "BEGIN IMMEDIATE");
      if (connection.user_version() >= step.version) continue;
      connection.exec(kMigrationsTable);
      connection.exec(step.sql);
      connection.prepare("INSERT INTO schema_migrations VALUES (?1, ?2, ?3)")
          .bind_all(step.version, step.description, now_ms)
          .run();
      // PRAGMA takes no parameters; the version is one of our constants.
      connection.exec(("PRAGMA user_version=" + std::to_string(step.version)).c_str());
      transaction.commit();
    }
    return Status::success();
  } catch (const SqliteError& e) {
    return e.error();
  }
}

}  // namespace sluice::store::sqlite
