#pragma once
// Row <-> record mapping shared by the SQLite stores: one column list per table, read in that
// order, so that every query of a table selects the same shape.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "store/records.hpp"
#include "store/sqlite/statement.hpp"

namespace sluice::store::sqlite {

inline constexpr const char* kCollectionColumns =
    "id, name, language, embedding_model, created_at_ms, change_seq, document_count, chunk_count, "
    "removals_pruned_seq, tenant";
inline constexpr const char* kDocumentColumns =
    "id, collection_id, external_id, title, source_name, media_type, content_hash, bytes, "
    "version, created_at_ms, updated_at_ms, status, metadata_json, tags_json, last_job_id, "
    "(SELECT count(*) FROM chunks WHERE chunks.document_id = documents.id)";
inline constexpr const char* kChunkColumns =
    "id, document_id, collection_id, ordinal, text, heading_path, page, token_count, embedding";
inline constexpr const char* kJobColumns =
    "id, kind, collection_id, document_id, document_version, state, last_error, lease_owner, "
    "attempts, max_attempts, run_after_ms, lease_expires_ms, created_at_ms, updated_at_ms";
inline constexpr const char* kSessionColumns = "id, collection_id, created_at_ms, updated_at_ms";
inline constexpr const char* kMessageColumns =
    "id, session_id, role, content, citations_json, created_at_ms";

// Each reads the current row, whose first columns are the table's column list above.
Collection read_collection(const Statement& row);
Document read_document(const Statement& row);
Chunk read_chunk(const Statement& row);
Job read_job(const Statement& row);
Session read_session(const Statement& row);
Message read_message(const Statement& row);

// Embeddings are BLOBs of little-endian float32, 4 bytes per dimension: the vector's own bytes.
std::string_view embedding_bytes(const std::vector<float>& embedding);
std::vector<float> decode_embedding(std::string_view blob);

// Lists of strings (tags, roles, names) are kept as a JSON array.
std::string encode_strings(const std::vector<std::string>& strings);
std::vector<std::string> decode_strings(std::string_view json);

// List cursors are the last item's seq in decimal: empty = from the start. invalid_request for
// anything else.
Result<int64_t> parse_cursor(const std::string& cursor);
// The cursor column of a page query that selects a record's columns and then its seq.
inline constexpr int kLastColumn = -1;

// Reads a page from `rows`, a query that selects up to limit + 1 rows in seq order with seq in
// column `seq_column` (or kLastColumn): the extra row only tells that another page follows.
template <class T, class ReadRow>
Page<T> read_page(Statement& rows, int limit, int seq_column, ReadRow read_row) {
  Page<T> page;
  if (seq_column == kLastColumn) seq_column = rows.column_count() - 1;
  int64_t last_seq = 0;
  while (rows.step()) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_cursor = std::to_string(last_seq);
      break;
    }
    page.items.push_back(read_row(rows));
    last_seq = rows.int64(seq_column);
  }
  return page;
}

// A new id: prefix + 36 hex characters, the creation time in milliseconds (12) then 96 random
// bits (24): a session id is all a client needs to read its session. Time first, so that ids made
// one after another sort together: inserts into the indexes keyed on them (ids, bodies, jobs and
// chunks by document) land on the same few pages instead of a random page each, which is most of
// what a commit writes.
std::string new_id(std::string_view prefix, int64_t now_ms);
// Lowercase hex SHA-256.
std::string sha256_hex(std::string_view data);

}  // namespace sluice::store::sqlite
