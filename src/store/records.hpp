#pragma once
// The rows the Store keeps, as plain values: what every backend reads and writes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::store {

// A collection's tenant: the team of the key that created it, "key:<id>" for a virtual key of no
// team, empty for the config file's keys (and when authentication is off). Names are unique per
// tenant; ids across all.
struct Collection {
  std::string id;  // col_...
  std::string name;
  std::string language = "english";  // Snowball stemmer name
  std::string embedding_model;       // empty = dense retrieval off
  int64_t created_at_ms = 0;
  int64_t change_seq = 0;  // bumped by every document put, replace, chunk swap and remove
  int64_t document_count = 0;
  int64_t chunk_count = 0;
  // Removals up to this change_seq may be missing from the change log (their tombstones were
  // pruned): an index at an older version cannot catch up and rebuilds from the store.
  int64_t removals_pruned_seq = 0;
  std::string tenant;
};

// What finds a collection by name: its name qualified by its tenant ("<tenant>/<name>"; the name
// alone in the empty tenant). Names have no '/', so keys of different tenants never meet.
inline std::string collection_key(std::string_view tenant, std::string_view name) {
  std::string key;
  key.reserve(tenant.size() + 1 + name.size());
  if (!tenant.empty()) key.append(tenant).push_back('/');
  key.append(name);
  return key;
}
// The name part of a collection key.
inline std::string_view collection_name_of(std::string_view key) {
  const std::size_t slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

struct Document {
  std::string id;             // doc_...
  std::string collection_id;  // col_...
  std::string external_id;    // client-given, may be empty; unique per collection when set
  std::string title;
  std::string source_name;   // file name
  std::string media_type;    // text/plain, text/markdown, text/html, application/pdf
  std::string content_hash;  // hex SHA-256 of the body
  int64_t bytes = 0;
  int64_t version = 1;  // +1 each time changed content replaces the body
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  std::string status = "pending";    // pending | indexed | failed
  std::string metadata_json = "{}";  // a JSON object's text
  std::vector<std::string> tags;
  // Read-only, filled by reads: the current version's ingest job and the chunks stored now.
  std::string last_job_id;
  int64_t chunk_count = 0;
};

struct Chunk {
  int64_t id = 0;  // assigned by the store, increasing, never reused
  std::string document_id;
  std::string collection_id;
  int ordinal = 0;  // position in its document
  std::string text;
  std::string heading_path;  // "A > B"
  int page = 0;              // 0 = none
  int token_count = 0;
  std::vector<float> embedding;  // empty when none
};

// What holding chunks costs in memory: their text, heading paths and vectors.
inline std::size_t held_bytes(const std::vector<Chunk>& chunks) {
  std::size_t total = 0;
  for (const Chunk& chunk : chunks)
    total += chunk.text.size() + chunk.heading_path.size() + chunk.embedding.size() * sizeof(float);
  return total;
}

struct Job {
  std::string id;  // job_...
  std::string kind = "ingest";
  std::string collection_id;
  std::string document_id;
  int64_t document_version = 0;  // the version this job ingests
  // queued | running | succeeded | dead | cancelled (superseded by a newer version)
  std::string state = "queued";
  std::string last_error;
  std::string lease_owner;
  int attempts = 0;  // leases taken so far
  int max_attempts = 0;
  int64_t run_after_ms = 0;
  int64_t lease_expires_ms = 0;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

// A virtual API key. Its secret is shown once at creation and never stored: only its SHA-256
// (hex) and a display prefix.
struct ApiKey {
  std::string id;  // key_...
  std::string name;
  std::string team;                      // empty: the key is a tenant of its own
  std::vector<std::string> roles;        // admin, ingest, query
  std::vector<std::string> models;       // models and aliases it may call; empty = all
  std::vector<std::string> collections;  // collection names it may use; empty = all
  int64_t requests_per_minute = 0;       // 0 = no per-key limit
  int64_t tokens_per_minute = 0;
  int64_t daily_budget_micro_usd = 0;  // 0 = no budget
  int64_t monthly_budget_micro_usd = 0;
  std::string prefix;       // the secret's first characters, to recognize it by
  std::string secret_hash;  // hex SHA-256 of the secret
  // After a rotation, the previous secret's hash stays valid until previous_valid_until_ms.
  std::string previous_hash;
  int64_t previous_valid_until_ms = 0;
  int64_t expires_at_ms = 0;  // 0 = never
  int64_t revoked_at_ms = 0;  // 0 = not revoked
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
  int64_t change_seq = 0;  // the store's write sequence over all keys: followers read past theirs
  std::string priority = "normal";  // admission class under overload: low, normal or high
};

struct Session {
  std::string id;  // ses_...
  std::string collection_id;
  int64_t created_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct Message {
  int64_t id = 0;  // assigned by the store, increasing within a session
  std::string session_id;
  std::string role;  // user | assistant
  std::string content;
  std::string citations_json;  // a JSON array's text, empty when none
  int64_t created_at_ms = 0;
};

// One page of a list. Pass next_cursor back to continue; empty = no more items. Cursors are
// keyset positions, so inserts and deletes between pages neither repeat nor skip items.
template <class T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;
};

// Every list limit is clamped to [1, kMaxPageLimit]; 0 or less means kDefaultPageLimit.
inline constexpr int kDefaultPageLimit = 100;
inline constexpr int kMaxPageLimit = 1000;

inline int clamp_page_limit(int limit) {
  if (limit <= 0) return kDefaultPageLimit;
  return limit > kMaxPageLimit ? kMaxPageLimit : limit;
}

}  // namespace sluice::store
