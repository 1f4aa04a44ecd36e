#include "store/sqlite/sqlite_collection_store.hpp"

#include "store/sqlite/collection_rows.hpp"
#include "store/sqlite/rows.hpp"

namespace sluice::store::sqlite {
Result<Collection> SqliteCollectionStore::create(const std::string& name,
                                                 const std::string& language,
                                                 const std::string& embedding_model,
                                                 const std::string& tenant) {
  const int64_t now = context_.now_ms();
  Collection collection{new_id("col_", now), name, language, embedding_model, now};
  collection.tenant = tenant;
  return context_.db.write([&](Connection& connection) -> Result<Collection> {
    // The name column holds the key, unique across tenants.
    Statement insert = connection.prepare(
        "INSERT INTO collections (id, name, language, embedding_model, created_at_ms, tenant) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (name) DO NOTHING");
    insert.bind_all(collection.id, collection_key(tenant, name), language, embedding_model,
                    collection.created_at_ms, tenant);
    insert.run();
    if (connection.changes() == 0)
      return make_error(Errc::conflict, "collection '" + name + "' already exists", "name",
                        "collection_exists");
    return collection;
  });
}

Result<Collection> SqliteCollectionStore::get(const std::string& id_or_key) {
  return context_.db.read([&](Connection& connection) -> Result<Collection> {
    auto collection = find_collection(connection, id_or_key);
    if (!collection) return collection_not_found(id_or_key);
    return *std::move(collection);
  });
}

Result<Page<Collection>> SqliteCollectionStore::list(const std::string& cursor, int limit,
                                                     const std::optional<std::string>& tenant) {
  auto after = parse_cursor(cursor);
  if (!after) return after.error();
  limit = clamp_page_limit(limit);
  return context_.db.read([&](Connection& connection) -> Result<Page<Collection>> {
    static const std::string all = std::string("SELECT ") + kCollectionColumns +
                                   ", seq FROM collections WHERE seq > ?1 ORDER BY seq LIMIT ?2";
    // A tenant's page scans every tenant's rows: collections are few.
    static const std::string of_tenant =
        std::string("SELECT ") + kCollectionColumns +
        ", seq FROM collections WHERE seq > ?1 AND tenant = ?3 ORDER BY seq LIMIT ?2";
    Statement rows = connection.prepare(tenant ? of_tenant : all);
    if (tenant)
      rows.bind_all(*after, limit + 1, *tenant);
    else
      rows.bind_all(*after, limit + 1);
    return read_page<Collection>(rows, limit, kLastColumn, read_collection);
  });
}

Status SqliteCollectionStore::remove(const std::string& id_or_key) {
  return context_.db.write([&](Connection& connection) -> Status {
    auto collection = find_collection(connection, id_or_key);
    if (!collection) return collection_not_found(id_or_key);
    // Foreign keys cascade to documents (and their bodies and chunks), tombstones, jobs and
    // sessions (and their messages).
    connection.prepare("DELETE FROM collections WHERE id = ?1").bind_all(collection->id).run();
    return Status::success();
  });
}

}  // namespace sluice::store::sqlite
