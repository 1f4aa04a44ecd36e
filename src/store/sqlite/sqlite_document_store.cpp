#include "store/sqlite/sqlite_document_store.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "store/collection_store.hpp"
#include "store/sqlite/collection_rows.hpp"
#include "store/sqlite/job_rows.hpp"
#include "store/sqlite/rows.hpp"

namespace sluice::store::sqlite {
namespace {

Error document_not_found(const std::string& document_id) {
  return make_error(Errc::not_found, "document '" + document_id + "' does not exist", "document",
                    "document_not_found");
}

// A document row with the id of its current version's job.
struct StoredDocument {
  Document doc;
  std::string last_job_id;
};

// The one document matching `where` (SQL over the documents table, parameters ?1 and ?2).
std::optional<StoredDocument> find_document(Connection& connection, const char* where,
                                            const std::string& first,
                                            const std::string& second = {}) {
  Statement row = connection.prepare(std::string("SELECT ") + kDocumentColumns +
                                     " FROM documents WHERE " + where + " LIMIT 1");
  row.bind(1, first);
  if (!second.empty()) row.bind(2, second);
  if (!row.step()) return std::nullopt;
  return StoredDocument{read_document(row), row.text(14)};
}

std::optional<StoredDocument> find_by_id(Connection& connection, const std::string& id) {
  return find_document(connection, "id = ?1", id);
}

// `external_id <> ''` lets the planner use the partial unique index on external ids; without it
// the lookup scans the collection's documents.
std::optional<StoredDocument> find_by_external_id(Connection& connection,
                                                  const std::string& collection_id,
                                                  const std::string& external_id) {
  return find_document(connection, "collection_id = ?1 AND external_id = ?2 AND external_id <> ''",
                       collection_id, external_id);
}

// The document an upload is the same as: its external id's, or without one, the first with the
// same content.
std::optional<StoredDocument> find_same(Connection& connection, const std::string& collection_id,
                                        const NewDocument& in, const std::string& hash) {
  if (!in.external_id.empty())
    return find_by_external_id(connection, collection_id, in.external_id);
  return find_document(connection, "collection_id = ?1 AND content_hash = ?2 ORDER BY seq",
                       collection_id, hash);
}

void write_body(Connection& connection, const Document& doc, const std::string& bytes) {
  connection
      .prepare(
          "INSERT OR REPLACE INTO document_bodies (document_id, version, body) "
          "VALUES (?1, ?2, ?3)")
      .bind_all(doc.id, doc.version)
      .bind_blob(3, bytes)
      .run();
}

// The upload's fields over `doc` (a new one, or the version it replaces).
void apply_upload(Document& doc, const NewDocument& in, const std::string& hash, int64_t now_ms) {
  doc.external_id = in.external_id;
  doc.title = in.title;
  doc.source_name = in.source_name;
  doc.media_type = in.media_type;
  doc.content_hash = hash;
  doc.bytes = static_cast<int64_t>(in.bytes.size());
  doc.updated_at_ms = now_ms;
  doc.status = "pending";
  doc.metadata_json = in.metadata_json.empty() ? "{}" : in.metadata_json;
  doc.tags = in.tags;
}

void insert_document(Connection& connection, const Document& doc, int64_t change_seq,
                     const std::string& job_id, bool title_given) {
  connection
      .prepare(
          "INSERT INTO documents (id, collection_id, external_id, title, source_name, "
          "media_type, content_hash, bytes, version, created_at_ms, updated_at_ms, status, "
          "metadata_json, tags_json, change_seq, last_job_id, title_given) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)")
      .bind_all(doc.id, doc.collection_id, doc.external_id, doc.title, doc.source_name,
                doc.media_type, doc.content_hash, doc.bytes, doc.version, doc.created_at_ms,
                doc.updated_at_ms, doc.status, doc.metadata_json, encode_strings(doc.tags),
                change_seq, job_id, title_given)
      .run();
}

void update_document(Connection& connection, const Document& doc, int64_t change_seq,
                     const std::string& job_id, bool title_given) {
  connection
      .prepare(
          "UPDATE documents SET title = ?2, source_name = ?3, media_type = ?4, "
          "content_hash = ?5, bytes = ?6, version = ?7, updated_at_ms = ?8, status = ?9, "
          "metadata_json = ?10, tags_json = ?11, change_seq = ?12, last_job_id = ?13, "
          "title_given = ?14 WHERE id = ?1")
      .bind_all(doc.id, doc.title, doc.source_name, doc.media_type, doc.content_hash, doc.bytes,
                doc.version, doc.updated_at_ms, doc.status, doc.metadata_json,
                encode_strings(doc.tags), change_seq, job_id, title_given)
      .run();
}

}  // namespace

Result<PutOutcome> SqliteDocumentStore::put_document(const std::string& collection_id,
                                                     const NewDocument& in) {
  // Hashing a large body happens before taking the writer.
  const std::string hash = sha256_hex(in.bytes);
  const int64_t now = context_.now_ms();
  return context_.db.write([&](Connection& connection) -> Result<PutOutcome> {
    // A document found proves its collection exists (deleting a collection deletes its
    // documents); otherwise bumping the collection's change_seq does.
    std::optional<StoredDocument> same = find_same(connection, collection_id, in, hash);
    if (same && same->doc.content_hash == hash)
      return PutOutcome{std::move(same->doc), std::move(same->last_job_id), false};
    const std::optional<int64_t> seq =
        try_bump_change_seq(connection, collection_id, same ? 0 : 1, 0);
    if (!seq) return collection_not_found(collection_id);

    PutOutcome outcome{same ? std::move(same->doc) : Document{}, new_id("job_", now), true};
    Document& doc = outcome.doc;
    apply_upload(doc, in, hash, now);
    if (same) {
      ++doc.version;
      cancel_pending_job(connection, same->last_job_id,
                         "superseded by version " + std::to_string(doc.version), now);
      update_document(connection, doc, *seq, outcome.job_id, in.title_given);
    } else {
      doc.id = new_id("doc_", now);
      doc.collection_id = collection_id;
      doc.version = 1;
      doc.created_at_ms = now;
      insert_document(connection, doc, *seq, outcome.job_id, in.title_given);
    }
    write_body(connection, doc, in.bytes);
    enqueue_ingest(connection, outcome.job_id, doc, context_.job_max_attempts, now);
    return outcome;
  });
}

Result<Document> SqliteDocumentStore::get(const std::string& document_id) {
  return context_.db.read([&](Connection& connection) -> Result<Document> {
    auto found = find_by_id(connection, document_id);
    if (!found) return document_not_found(document_id);
    return std::move(found->doc);
  });
}

Result<Document> SqliteDocumentStore::find(const std::string& collection_id,
                                           const std::string& id_or_external_id) {
  return context_.db.read([&](Connection& connection) -> Result<Document> {
    // An id wins over an equal external id; two index probes, never a scan.
    auto found = find_document(connection, "id = ?2 AND collection_id = ?1", collection_id,
                               id_or_external_id);
    if (!found) found = find_by_external_id(connection, collection_id, id_or_external_id);
    if (!found) return document_not_found(id_or_external_id);
    return std::move(found->doc);
  });
}

Result<Page<Document>> SqliteDocumentStore::list(const std::string& collection_id,
                                                 const std::string& cursor, int limit) {
  auto after = parse_cursor(cursor);
  if (!after) return after.error();
  limit = clamp_page_limit(limit);
  return context_.db.read([&](Connection& connection) -> Result<Page<Document>> {
    if (!collection_exists(connection, collection_id)) return collection_not_found(collection_id);
    static const std::string sql =
        std::string("SELECT ") + kDocumentColumns +
        ", seq FROM documents WHERE collection_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3";
    Statement rows = connection.prepare(sql);
    rows.bind_all(collection_id, *after, limit + 1);
    return read_page<Document>(rows, limit, kLastColumn, read_document);
  });
}

Status SqliteDocumentStore::remove(const std::string& document_id) {
  return context_.db.write([&](Connection& connection) -> Status {
    auto found = find_by_id(connection, document_id);
    if (!found) return document_not_found(document_id);
    const std::string& collection_id = found->doc.collection_id;
    const int64_t chunks = found->doc.chunk_count;
    delete_pending_job(connection, found->last_job_id);
    // Foreign keys cascade to the body and the chunks.
    connection.prepare("DELETE FROM documents WHERE id = ?1").bind_all(document_id).run();
    const int64_t seq = bump_change_seq(connection, collection_id, -1, -chunks);
    connection
        .prepare(
            "INSERT OR REPLACE INTO document_tombstones "
            "(document_id, collection_id, change_seq, removed_at_ms) VALUES (?1, ?2, ?3, ?4)")
        .bind_all(document_id, collection_id, seq, context_.now_ms())
        .run();
    return Status::success();
  });
}

Result<int64_t> SqliteDocumentStore::prune_tombstones(int64_t before_ms, int limit) {
  return context_.db.write([&](Connection& connection) -> Result<int64_t> {
    // The oldest `limit` first: each collection's watermark rises to the highest it loses.
    static constexpr const char* kOldest =
        "SELECT rowid, collection_id, change_seq FROM document_tombstones "
        "WHERE removed_at_ms < ?1 ORDER BY removed_at_ms LIMIT ?2";
    std::vector<int64_t> rows;
    std::unordered_map<std::string, int64_t> watermarks;
    {
      Statement oldest = connection.prepare(kOldest);
      oldest.bind_all(before_ms, std::max(limit, 0));
      while (oldest.step()) {
        rows.push_back(oldest.int64(0));
        int64_t& seq = watermarks[oldest.text(1)];
        seq = std::max(seq, oldest.int64(2));
      }
    }
    for (const auto& [collection_id, seq] : watermarks)
      connection
          .prepare(
              "UPDATE collections SET removals_pruned_seq = max(removals_pruned_seq, ?2) "
              "WHERE id = ?1")
          .bind_all(collection_id, seq)
          .run();
    for (int64_t row : rows)
      connection.prepare("DELETE FROM document_tombstones WHERE rowid = ?1").bind_all(row).run();
    return static_cast<int64_t>(rows.size());
  });
}

Result<DocumentBody> SqliteDocumentStore::body(const std::string& document_id) {
  return context_.db.read([&](Connection& connection) -> Result<DocumentBody> {
    // The body's version is its document's: both are written in one transaction.
    Statement row = connection.prepare(
        "SELECT b.version, d.media_type, d.source_name, b.body FROM document_bodies b "
        "JOIN documents d ON d.id = b.document_id WHERE b.document_id = ?1");
    row.bind_all(document_id);
    if (!row.step()) return document_not_found(document_id);
    return DocumentBody{row.int64(0), row.text(1), row.text(2), std::string(row.blob(3))};
  });
}

Result<IngestedVersion> SqliteDocumentStore::replace_chunks(const std::string& document_id,
                                                            int64_t version,
                                                            std::vector<Chunk> chunks,
                                                            const std::string& found_title) {
  return context_.db.write([&](Connection& connection) -> Result<IngestedVersion> {
    auto found = find_by_id(connection, document_id);
    if (!found) return document_not_found(document_id);
    IngestedVersion out{std::move(found->doc), 0, {}};
    Document& doc = out.doc;
    if (doc.version != version)
      return make_error(Errc::conflict,
                        "document '" + document_id + "' is at version " +
                            std::to_string(doc.version) + ", not " + std::to_string(version),
                        "version", "stale_version");
    connection.prepare("DELETE FROM chunks WHERE document_id = ?1").bind_all(document_id).run();
    for (Chunk& chunk : chunks) {
      connection
          .prepare(
              "INSERT INTO chunks (document_id, collection_id, ordinal, text, heading_path, "
              "page, token_count, embedding) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
          .bind_all(document_id, doc.collection_id, chunk.ordinal, chunk.text, chunk.heading_path,
                    chunk.page, chunk.token_count)
          .bind_blob(8, embedding_bytes(chunk.embedding))
          .run();
      chunk.id = connection.last_insert_rowid();
      chunk.document_id = document_id;
      chunk.collection_id = doc.collection_id;
    }
    const auto count = static_cast<int64_t>(chunks.size());
    out.change_seq = bump_change_seq(connection, doc.collection_id, 0, count - doc.chunk_count);
    Statement update = connection.prepare(
        "UPDATE documents SET status = 'indexed', change_seq = ?2, title = CASE WHEN "
        "title_given = 0 AND ?3 <> '' THEN ?3 ELSE title END WHERE id = ?1 RETURNING title");
    update.bind_all(document_id, out.change_seq, found_title);
    if (update.step()) doc.title = update.text(0);
    doc.status = "indexed";
    doc.chunk_count = count;
    // chunks_of's order: by ordinal, then id.
    std::stable_sort(chunks.begin(), chunks.end(),
                     [](const Chunk& a, const Chunk& b) { return a.ordinal < b.ordinal; });
    out.chunks = std::move(chunks);
    return out;
  });
}

Result<std::vector<Chunk>> SqliteDocumentStore::chunks_of(const std::string& document_id) {
  return context_.db.read([&](Connection& connection) -> Result<std::vector<Chunk>> {
    if (!find_by_id(connection, document_id)) return document_not_found(document_id);
    static const std::string sql = std::string("SELECT ") + kChunkColumns +
                                   " FROM chunks WHERE document_id = ?1 ORDER BY ordinal, id";
    Statement rows = connection.prepare(sql);
    rows.bind_all(document_id);
    std::vector<Chunk> chunks;
    while (rows.step()) chunks.push_back(read_chunk(rows));
    return chunks;
  });
}

Result<std::vector<Chunk>> SqliteDocumentStore::get_chunks(const std::vector<int64_t>& ids) {
  if (ids.empty()) return std::vector<Chunk>{};
  // One prepared statement run per id inside one read: a primary-key lookup each, cheaper than
  // any single statement over a list (json_each, a temporary b-tree for IN) for a page of hits.
  return context_.db.read([&](Connection& connection) -> Result<std::vector<Chunk>> {
    static const std::string sql =
        std::string("SELECT ") + kChunkColumns + " FROM chunks WHERE id = ?1";
    std::vector<Chunk> ordered;
    ordered.reserve(ids.size());
    for (int64_t id : ids) {
      Statement row = connection.prepare(sql);
      row.bind_all(id);
      if (row.step()) ordered.push_back(read_chunk(row));
    }
    return ordered;
  });
}

Result<ChangeBatch> SqliteDocumentStore::changes_since(const std::string& collection_id,
                                                       int64_t after_seq, int limit) {
  limit = clamp_page_limit(limit);
  return context_.db.read([&](Connection& connection) -> Result<ChangeBatch> {
    if (!collection_exists(connection, collection_id)) return collection_not_found(collection_id);
    Statement rows = connection.prepare(
        "SELECT id, 0, change_seq FROM documents WHERE collection_id = ?1 AND change_seq > ?2 "
        "UNION ALL "
        "SELECT document_id, 1, change_seq FROM document_tombstones "
        "WHERE collection_id = ?1 AND change_seq > ?2 "
        "ORDER BY 3 LIMIT ?3");
    rows.bind_all(collection_id, after_seq, limit + 1);
    ChangeBatch batch{{}, after_seq, false};
    while (rows.step()) {
      if (static_cast<int>(batch.changes.size()) == limit) {
        batch.more = true;
        break;
      }
      batch.changes.push_back(
          {rows.text(0),
           rows.int64(1) ? DocumentChange::Kind::removed : DocumentChange::Kind::upserted,
           rows.int64(2)});
      batch.next_seq = rows.int64(2);
    }
    return batch;
  });
}

Result<Page<Chunk>> SqliteDocumentStore::all_chunks(const std::string& collection_id,
                                                    const std::string& cursor, int limit) {
  auto after = parse_cursor(cursor);
  if (!after) return after.error();
  limit = clamp_page_limit(limit);
  return context_.db.read([&](Connection& connection) -> Result<Page<Chunk>> {
    if (!collection_exists(connection, collection_id)) return collection_not_found(collection_id);
    static const std::string sql =
        std::string("SELECT ") + kChunkColumns +
        " FROM chunks WHERE collection_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3";
    Statement rows = connection.prepare(sql);
    rows.bind_all(collection_id, *after, limit + 1);
    return read_page<Chunk>(rows, limit, 0, read_chunk);
  });
}

}  // namespace sluice::store::sqlite
