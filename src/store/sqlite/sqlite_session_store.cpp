#include "store/sqlite/sqlite_session_store.hpp"

#include <algorithm>

#include "store/collection_store.hpp"
#include "store/sqlite/collection_rows.hpp"
#include "store/sqlite/rows.hpp"

namespace sluice::store::sqlite {
namespace {

std::optional<Session> find_session(Connection& connection, const std::string& session_id) {
  static const std::string sql =
      std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE id = ?1";
  Statement row = connection.prepare(sql);
  row.bind_all(session_id);
  if (!row.step()) return std::nullopt;
  return read_session(row);
}

}  // namespace

Result<Session> SqliteSessionStore::create(const std::string& collection_id) {
  const int64_t now = context_.now_ms();
  Session session{new_id("ses_", now), collection_id, now, now};
  return context_.db.write([&](Connection& connection) -> Result<Session> {
    if (!collection_exists(connection, collection_id)) return collection_not_found(collection_id);
    connection
        .prepare(
            "INSERT INTO sessions (id, collection_id, created_at_ms, updated_at_ms) "
            "VALUES (?1, ?2, ?3, ?3)")
        .bind_all(session.id, collection_id, now)
        .run();
    return session;
  });
}

Result<Session> SqliteSessionStore::get(const std::string& session_id) {
  return context_.db.read([&](Connection& connection) -> Result<Session> {
    auto session = find_session(connection, session_id);
    if (!session) return session_not_found(session_id);
    return *std::move(session);
  });
}

Status SqliteSessionStore::remove(const std::string& session_id) {
  return context_.db.write([&](Connection& connection) -> Status {
    // Messages go with it (foreign key cascade).
    connection.prepare("DELETE FROM sessions WHERE id = ?1").bind_all(session_id).run();
    if (connection.changes() == 0) return session_not_found(session_id);
    return Status::success();
  });
}

Result<Message> SqliteSessionStore::append(const std::string& session_id, Message message) {
  message.session_id = session_id;
  message.created_at_ms = context_.now_ms();
  return context_.db.write([&](Connection& connection) -> Result<Message> {
    connection.prepare("UPDATE sessions SET updated_at_ms = ?2 WHERE id = ?1")
        .bind_all(session_id, message.created_at_ms)
        .run();
    if (connection.changes() == 0) return session_not_found(session_id);
    connection
        .prepare(
            "INSERT INTO messages (session_id, role, content, citations_json, created_at_ms) "
            "VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind_all(session_id, message.role, message.content, message.citations_json,
                  message.created_at_ms)
        .run();
    message.id = connection.last_insert_rowid();
    return message;
  });
}

Result<std::vector<Message>> SqliteSessionStore::last_messages(const std::string& session_id,
                                                               int n) {
  n = std::clamp(n, 0, kMaxPageLimit);
  return context_.db.read([&](Connection& connection) -> Result<std::vector<Message>> {
    if (!find_session(connection, session_id)) return session_not_found(session_id);
    static const std::string sql = std::string("SELECT ") + kMessageColumns +
                                   " FROM messages WHERE session_id = ?1 ORDER BY id DESC LIMIT ?2";
    Statement rows = connection.prepare(sql);
    rows.bind_all(session_id, n);
    std::vector<Message> messages;
    while (rows.step()) messages.push_back(read_message(rows));
    std::reverse(messages.begin(), messages.end());
    return messages;
  });
}

}  // namespace sluice::store::sqlite
