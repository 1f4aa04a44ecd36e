#include "store/sqlite/collection_rows.hpp"

#include "store/sqlite/rows.hpp"
#include "store/sqlite/sqlite_error.hpp"

namespace sluice::store::sqlite {

std::optional<Collection> find_collection(Connection& connection, const std::string& id_or_name) {
  static const std::string sql = std::string("SELECT ") + kCollectionColumns +
                                 " FROM collections WHERE id = ?1 OR name = ?1 LIMIT 1";
  Statement row = connection.prepare(sql);
  row.bind_all(id_or_name);
  if (!row.step()) return std::nullopt;
  return read_collection(row);
}

bool collection_exists(Connection& connection, const std::string& collection_id) {
  Statement row = connection.prepare("SELECT 1 FROM collections WHERE id = ?1");
  row.bind_all(collection_id);
  return row.step();
}

std::optional<int64_t> try_bump_change_seq(Connection& connection, const std::string& collection_id,
                                           int64_t document_delta, int64_t chunk_delta) {
  Statement row = connection.prepare(
      "UPDATE collections SET change_seq = change_seq + 1, document_count = document_count + ?2, "
      "chunk_count = chunk_count + ?3 WHERE id = ?1 RETURNING change_seq");
  row.bind_all(collection_id, document_delta, chunk_delta);
  if (!row.step()) return std::nullopt;
  return row.int64(0);
}

int64_t bump_change_seq(Connection& connection, const std::string& collection_id,
                        int64_t document_delta, int64_t chunk_delta) {
  const std::optional<int64_t> seq =
      try_bump_change_seq(connection, collection_id, document_delta, chunk_delta);
  if (!seq)
    throw SqliteError(Errc::internal, "collection " + collection_id + " vanished mid-transaction");
  return *seq;
}

}  // namespace sluice::store::sqlite
