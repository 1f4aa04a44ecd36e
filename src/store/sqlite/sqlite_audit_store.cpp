#include "store/sqlite/sqlite_audit_store.hpp"

#include <limits>

#include "store/sqlite/rows.hpp"

namespace sluice::store::sqlite {
namespace {

AuditEvent read_event(const Statement& row) {
  return AuditEvent{row.int64(0), row.int64(1), row.text(2), row.text(3), row.text(4),
                    row.text(5),  row.text(6),  row.text(7), row.text(8)};
}

}  // namespace

Status SqliteAuditStore::append(const std::vector<AuditEvent>& events) {
  if (events.empty()) return Status::success();
  return context_.db.write([&](Connection& connection) -> Status {
    for (const AuditEvent& event : events)
      connection
          .prepare(
              "INSERT INTO audit_events (at_ms, key_id, key_name, action, target, result, "
              "request_id, client) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
          .bind_all(event.at_ms, event.key_id, event.key_name, event.action, event.target,
                    event.result, event.request_id, event.client)
          .run();
    return Status::success();
  });
}

Result<Page<AuditEvent>> SqliteAuditStore::list(const AuditFilter& filter,
                                                const std::string& cursor, int limit) {
  auto before = parse_cursor(cursor);
  if (!before) return before.error();
  limit = clamp_page_limit(limit);
  const int64_t below = *before == 0 ? std::numeric_limits<int64_t>::max() : *before;
  return context_.db.read([&](Connection& connection) -> Result<Page<AuditEvent>> {
    // Newest first: seq descending, the cursor the last (lowest) seq of the previous page. An
    // empty filter field matches any value.
    Statement rows = connection.prepare(
        "SELECT seq, at_ms, key_id, key_name, action, target, result, request_id, client, seq "
        "FROM audit_events WHERE seq < ?1 AND (?2 = '' OR key_id = ?2) AND (?3 = '' OR action = "
        "?3) AND (?4 = '' OR result = ?4) AND at_ms >= ?5 AND (?6 = 0 OR at_ms <= ?6) "
        "ORDER BY seq DESC LIMIT ?7");
    rows.bind_all(below, filter.key_id, filter.action, filter.result, filter.since_ms,
                  filter.until_ms, limit + 1);
    return read_page<AuditEvent>(rows, limit, kLastColumn, read_event);
  });
}

Result<int> SqliteAuditStore::prune(int64_t before_ms, int limit) {
  return context_.db.write([&](Connection& connection) -> Result<int> {
    connection
        .prepare(
            "DELETE FROM audit_events WHERE seq IN (SELECT seq FROM audit_events WHERE at_ms < "
            "?1 ORDER BY seq LIMIT ?2)")
        .bind_all(before_ms, limit)
        .run();
    return connection.changes();
  });
}

}  // namespace sluice::store::sqlite
