#include "store/sqlite/sqlite_collection_store.hpp"

#include "store/sqlite/collection_rows.hpp"
#include "store/sqlite/rows.hpp"

namespace sluice::store::sqlite {
namespace {

Error collection_not_found(const std::string& id_or_name) {
  return make_error(Errc::not_found, "collection '" + id_or_name + "' does not exist", "collection",
                    "collection_not_found");
}

}  // namespace

Result<Collection> SqliteCollectionStore::create(const std::string& name,
                                                 const std::string& language,
                                                 const std::string& embedding_model) {
  const int64_t now = context_.now_ms();
  Collection collection{new_id("col_", now), name, language, embedding_model, now};
  return context_.db.write([&](Connection& connection) -> Result<Collection> {
    Statement insert = connection.prepare(
        "INSERT INTO collections (id, name, language, embedding_model, created_at_ms) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (name) DO NOTHING");
    insert.bind_all(collection.id, name, language, embedding_model, collection.created_at_ms);
    insert.run();
    if (connection.changes() == 0)
      return make_error(Errc::conflict, "collection '" + name + "' already exists", "name",
                        "collection_exists");
    return collection;
  });
}

Result<Collection> SqliteCollectionStore::get(const std::string& id_or_name) {
  return context_.db.read([&](Connection& connection) -> Result<Collection> {
    auto collection = find_collection(connection, id_or_name);
    if (!collection) return collection_not_found(id_or_name);
    return *std::move(collection);
  });
}

Result<Page<Collection>> SqliteCollectionStore::list(const std::string& cursor, int limit) {
  auto after = parse_cursor(cursor);
  if (!after) return after.error();
  limit = clamp_page_limit(limit);
  return context_.db.read([&](Connection& connection) -> Result<Page<Collection>> {
    static const std::string sql = std::string("SELECT ") + kCollectionColumns +
                                   ", seq FROM collections WHERE seq > ?1 ORDER BY seq LIMIT ?2";
    Statement rows = connection.prepare(sql);
    rows.bind_all(*after, limit + 1);
    return read_page<Collection>(rows, limit, kLastColumn, read_collection);
  });
}

Status SqliteCollectionStore::remove(const std::string& id_or_name) {
  return context_.db.write([&](Connection& connection) -> Status {
    auto collection = find_collection(connection, id_or_name);
    if (!collection) return collection_not_found(id_or_name);
    // Foreign keys cascade to documents (and their bodies and chunks), tombstones, jobs and
    // sessions (and their messages).
    connection.prepare("DELETE FROM collections WHERE id = ?1").bind_all(collection->id).run();
    return Status::success();
  });
}

}  // namespace sluice::store::sqlite
