#include "store/sqlite/sqlite_key_store.hpp"

#include "store/sqlite/rows.hpp"

namespace sluice::store::sqlite {
namespace {

constexpr const char* kKeyColumns =
    "id, name, team, roles_json, models_json, collections_json, requests_per_minute, "
    "tokens_per_minute, daily_budget_micro_usd, monthly_budget_micro_usd, prefix, secret_hash, "
    "previous_hash, previous_valid_until_ms, expires_at_ms, revoked_at_ms, created_at_ms, "
    "updated_at_ms, change_seq, priority";

ApiKey read_key(const Statement& row) {
  ApiKey key;
  key.id = row.text(0);
  key.name = row.text(1);
  key.team = row.text(2);
  key.roles = decode_strings(row.blob(3));
  key.models = decode_strings(row.blob(4));
  key.collections = decode_strings(row.blob(5));
  key.requests_per_minute = row.int64(6);
  key.tokens_per_minute = row.int64(7);
  key.daily_budget_micro_usd = row.int64(8);
  key.monthly_budget_micro_usd = row.int64(9);
  key.prefix = row.text(10);
  key.secret_hash = row.text(11);
  key.previous_hash = row.text(12);
  key.previous_valid_until_ms = row.int64(13);
  key.expires_at_ms = row.int64(14);
  key.revoked_at_ms = row.int64(15);
  key.created_at_ms = row.int64(16);
  key.updated_at_ms = row.int64(17);
  key.change_seq = row.int64(18);
  key.priority = row.text(19);
  return key;
}

Error key_not_found(const std::string& id) {
  return make_error(Errc::not_found, "API key '" + id + "' does not exist", "id", "key_not_found");
}

std::optional<ApiKey> find_key(Connection& connection, const std::string& id) {
  static const std::string sql =
      std::string("SELECT ") + kKeyColumns + " FROM api_keys WHERE id = ?1";
  Statement row = connection.prepare(sql);
  row.bind_all(id);
  if (!row.step()) return std::nullopt;
  return read_key(row);
}

// Whether another key than `id` has `hash` as its current or previous secret's.
bool hash_taken(Connection& connection, const std::string& hash, const std::string& id) {
  Statement row = connection.prepare(
      "SELECT 1 FROM api_keys WHERE (secret_hash = ?1 OR previous_hash = ?1) AND id <> ?2");
  row.bind_all(hash, id);
  return row.step();
}

int64_t next_change_seq(Connection& connection) {
  Statement row = connection.prepare("SELECT coalesce(max(change_seq), 0) + 1 FROM api_keys");
  row.step();
  return row.int64(0);
}

// Inserts `key`, or replaces every column of the key with its id but id and created_at_ms.
void write_key(Connection& connection, const ApiKey& key) {
  static const std::string sql =
      std::string("INSERT INTO api_keys (") + kKeyColumns +
      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, "
      "?19, ?20) ON CONFLICT (id) DO UPDATE SET name = excluded.name, team = excluded.team, "
      "roles_json = excluded.roles_json, models_json = excluded.models_json, "
      "collections_json = excluded.collections_json, "
      "requests_per_minute = excluded.requests_per_minute, "
      "tokens_per_minute = excluded.tokens_per_minute, "
      "daily_budget_micro_usd = excluded.daily_budget_micro_usd, "
      "monthly_budget_micro_usd = excluded.monthly_budget_micro_usd, prefix = excluded.prefix, "
      "secret_hash = excluded.secret_hash, previous_hash = excluded.previous_hash, "
      "previous_valid_until_ms = excluded.previous_valid_until_ms, "
      "expires_at_ms = excluded.expires_at_ms, revoked_at_ms = excluded.revoked_at_ms, "
      "updated_at_ms = excluded.updated_at_ms, change_seq = excluded.change_seq, "
      "priority = excluded.priority";
  connection.prepare(sql)
      .bind_all(key.id, key.name, key.team, encode_strings(key.roles), encode_strings(key.models),
                encode_strings(key.collections), key.requests_per_minute, key.tokens_per_minute,
                key.daily_budget_micro_usd, key.monthly_budget_micro_usd, key.prefix,
                key.secret_hash, key.previous_hash, key.previous_valid_until_ms, key.expires_at_ms,
                key.revoked_at_ms, key.created_at_ms, key.updated_at_ms, key.change_seq,
                key.priority)
      .run();
}

Error hash_conflict() {
  return make_error(Errc::conflict, "another API key has the same secret", "key", "key_conflict");
}

}  // namespace

Result<ApiKey> SqliteKeyStore::create(ApiKey key) {
  const int64_t now = context_.now_ms();
  key.id = new_id("key_", now);
  key.created_at_ms = key.updated_at_ms = now;
  return context_.db.write([&](Connection& connection) -> Result<ApiKey> {
    if (hash_taken(connection, key.secret_hash, key.id)) return hash_conflict();
    key.change_seq = next_change_seq(connection);
    write_key(connection, key);
    return key;
  });
}

Result<ApiKey> SqliteKeyStore::get(const std::string& id) {
  return context_.db.read([&](Connection& connection) -> Result<ApiKey> {
    auto key = find_key(connection, id);
    if (!key) return key_not_found(id);
    return *std::move(key);
  });
}

Result<Page<ApiKey>> SqliteKeyStore::list(const std::string& cursor, int limit) {
  auto after = parse_cursor(cursor);
  if (!after) return after.error();
  limit = clamp_page_limit(limit);
  return context_.db.read([&](Connection& connection) -> Result<Page<ApiKey>> {
    static const std::string sql = std::string("SELECT ") + kKeyColumns +
                                   ", seq FROM api_keys WHERE seq > ?1 ORDER BY seq LIMIT ?2";
    Statement rows = connection.prepare(sql);
    rows.bind_all(*after, limit + 1);
    return read_page<ApiKey>(rows, limit, kLastColumn, read_key);
  });
}

Result<ApiKey> SqliteKeyStore::update(ApiKey key) {
  key.updated_at_ms = context_.now_ms();
  return context_.db.write([&](Connection& connection) -> Result<ApiKey> {
    auto current = find_key(connection, key.id);
    if (!current) return key_not_found(key.id);
    if (hash_taken(connection, key.secret_hash, key.id) ||
        (!key.previous_hash.empty() && hash_taken(connection, key.previous_hash, key.id)))
      return hash_conflict();
    key.created_at_ms = current->created_at_ms;
    key.change_seq = next_change_seq(connection);
    write_key(connection, key);
    return key;
  });
}

Result<std::vector<ApiKey>> SqliteKeyStore::changed_since(int64_t seq, int limit) {
  limit = clamp_page_limit(limit);
  return context_.db.read([&](Connection& connection) -> Result<std::vector<ApiKey>> {
    static const std::string sql = std::string("SELECT ") + kKeyColumns +
                                   " FROM api_keys WHERE change_seq > ?1 ORDER BY change_seq "
                                   "LIMIT ?2";
    Statement rows = connection.prepare(sql);
    rows.bind_all(seq, limit);
    std::vector<ApiKey> keys;
    while (rows.step()) keys.push_back(read_key(rows));
    return keys;
  });
}

}  // namespace sluice::store::sqlite
