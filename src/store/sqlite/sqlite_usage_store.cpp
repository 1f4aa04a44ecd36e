#include "store/sqlite/sqlite_usage_store.hpp"

#include "store/records.hpp"
#include "store/sqlite/statement.hpp"

namespace sluice::store::sqlite {

Status SqliteUsageStore::add(const std::vector<UsageRow>& rows) {
  if (rows.empty()) return Status::success();
  return context_.db.write([&](Connection& connection) -> Status {
    for (const UsageRow& row : rows)
      connection
          .prepare(
              "INSERT INTO key_usage (key_id, day, model, requests, prompt_tokens, "
              "completion_tokens, cost_nano_usd) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
              "ON CONFLICT (key_id, day, model) DO UPDATE SET "
              "requests = requests + excluded.requests, "
              "prompt_tokens = prompt_tokens + excluded.prompt_tokens, "
              "completion_tokens = completion_tokens + excluded.completion_tokens, "
              "cost_nano_usd = cost_nano_usd + excluded.cost_nano_usd")
          .bind_all(row.key_id, row.day, row.model, row.requests, row.prompt_tokens,
                    row.completion_tokens, row.cost_nano_usd)
          .run();
    return Status::success();
  });
}

Result<std::vector<UsageRow>> SqliteUsageStore::for_key(const std::string& key_id,
                                                        const std::string& from,
                                                        const std::string& to) {
  return context_.db.read([&](Connection& connection) -> Result<std::vector<UsageRow>> {
    Statement rows = connection.prepare(
        "SELECT key_id, day, model, requests, prompt_tokens, completion_tokens, cost_nano_usd "
        "FROM key_usage WHERE key_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day, model "
        "LIMIT ?4");
    rows.bind_all(key_id, from, to, kMaxPageLimit);
    std::vector<UsageRow> out;
    while (rows.step())
      out.push_back(UsageRow{rows.text(0), rows.text(1), rows.text(2), rows.int64(3), rows.int64(4),
                             rows.int64(5), rows.int64(6)});
    return out;
  });
}

Result<std::vector<KeySpend>> SqliteUsageStore::spend(const std::string& day) {
  // The month's days sort between its first day and `day`: one range of key_usage_by_day.
  const std::string month_start = day.substr(0, 8) + "01";
  return context_.db.read([&](Connection& connection) -> Result<std::vector<KeySpend>> {
    Statement rows = connection.prepare(
        "SELECT u.key_id, COALESCE(k.team, ''), "
        "SUM(CASE WHEN u.day = ?2 THEN u.cost_nano_usd ELSE 0 END), SUM(u.cost_nano_usd) "
        "FROM key_usage u LEFT JOIN api_keys k ON k.id = u.key_id "
        "WHERE u.day >= ?1 AND u.day <= ?2 GROUP BY u.key_id");
    rows.bind_all(month_start, day);
    std::vector<KeySpend> out;
    while (rows.step())
      out.push_back(KeySpend{rows.text(0), rows.text(1), rows.int64(2), rows.int64(3)});
    return out;
  });
}

}  // namespace sluice::store::sqlite
