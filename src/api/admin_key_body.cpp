#include "api/admin_key_body.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <string>

#include "api/rag_routes.hpp"
#include "core/principal.hpp"

namespace sluice::api {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxText = 256;    // name, each listed name
constexpr std::size_t kMaxListed = 256;  // models

Error field_error(const std::string& field, const std::string& message) {
  return make_error(Errc::invalid_request, field + " " + message, field);
}

Status read_text(const json::value& value, const std::string& field, std::string& out) {
  if (!value.is_string()) return field_error(field, "must be a string");
  if (value.get_string().size() > kMaxText)
    return field_error(field, "must be at most " + std::to_string(kMaxText) + " characters");
  out = std::string(value.get_string());
  return Status::success();
}

Status read_names(const json::value& value, const std::string& field,
                  std::vector<std::string>& out) {
  if (!value.is_array()) return field_error(field, "must be an array of strings");
  const json::array& items = value.get_array();
  if (items.size() > kMaxListed)
    return field_error(field, "must list at most " + std::to_string(kMaxListed) + " names");
  std::vector<std::string> names;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string name;
    if (Status read = read_text(items[i], field + "." + std::to_string(i), name); !read)
      return read;
    if (name.empty()) return field_error(field + "." + std::to_string(i), "must not be empty");
    names.push_back(std::move(name));
  }
  out = std::move(names);
  return Status::success();
}

Status read_roles(const json::value& value, std::vector<std::string>& out) {
  std::vector<std::string> roles;
  if (Status read = read_names(value, "roles", roles); !read) return read;
  if (roles.empty()) return field_error("roles", "must name at least one role");
  for (const std::string& role : roles)
    if (role != "admin" && role != "ingest" && role != "query")
      return field_error("roles", "has unknown role '" + role + "': use admin, ingest or query");
  out = std::move(roles);
  return Status::success();
}

Status read_team(const json::value& value, std::string& out) {
  std::string team;
  if (Status read = read_text(value, "team", team); !read) return read;
  if (!team.empty() && !core::is_valid_team(team))
    return field_error("team",
                       "must have 1 to 64 of the characters A-Z a-z 0-9 . _ -, or be empty");
  out = std::move(team);
  return Status::success();
}

Status read_collections(const json::value& value, std::vector<std::string>& out) {
  std::vector<std::string> names;
  if (Status read = read_names(value, "collections", names); !read) return read;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (!is_valid_collection_name(names[i]))
      return field_error("collections." + std::to_string(i), "is not a valid collection name");
  out = std::move(names);
  return Status::success();
}

// USD as a number (up to a billion), stored in millionths; 0 or null: no budget.
Status read_budget(const json::value& value, const std::string& field, int64_t& micro_usd) {
  if (value.is_null()) {
    micro_usd = 0;
    return Status::success();
  }
  constexpr double kMaxUsd = 1e9;
  const bool number = value.is_int64() || value.is_uint64() || value.is_double();
  const double usd = number ? value.to_number<double>() : -1;
  if (!number || !(usd >= 0 && usd <= kMaxUsd))
    return field_error(field, "must be a number of US dollars from 0 to 1e9, or null for none");
  micro_usd = std::llround(usd * 1e6);
  return Status::success();
}

Status read_priority(const json::value& value, std::string& out) {
  if (!value.is_string() || !core::parse_priority(value.get_string()))
    return field_error("priority", "must be \"low\", \"normal\" or \"high\"");
  out = std::string(value.get_string());
  return Status::success();
}

Status read_expires_at(const json::value& value, int64_t now_ms, int64_t& expires_at_ms) {
  if (value.is_null()) {
    expires_at_ms = 0;
    return Status::success();
  }
  constexpr int64_t kLatest = 100'000'000'000;  // seconds: past any real expiry
  // In range before the multiplication: a huge negative value must not overflow.
  if (!value.is_int64() || value.get_int64() <= 0 || value.get_int64() > kLatest ||
      value.get_int64() * 1000 <= now_ms)
    return field_error("expires_at", "must be a future time in Unix seconds, or null for never");
  expires_at_ms = value.get_int64() * 1000;
  return Status::success();
}

Status read_expires_in(const json::value& value, int64_t now_ms, int64_t& expires_at_ms) {
  constexpr int64_t kTenYears = 10LL * 366 * 24 * 3600;
  if (!value.is_int64() || value.get_int64() <= 0 || value.get_int64() > kTenYears)
    return field_error("expires_in", "must be a number of seconds from now, at most ten years");
  expires_at_ms = now_ms + value.get_int64() * 1000;
  return Status::success();
}

// A limit per minute: 0 (the configured default) up to a billion, as the config file allows.
Status read_per_minute(const json::value& value, const std::string& field, int64_t& out) {
  constexpr int64_t kMaxPerMinute = 1'000'000'000;
  if (!value.is_int64() || value.get_int64() < 0 || value.get_int64() > kMaxPerMinute)
    return field_error(field, "must be a whole number from 0 (the configured default) to " +
                                  std::to_string(kMaxPerMinute));
  out = value.get_int64();
  return Status::success();
}

json::value seconds_or_null(int64_t ms) {
  return ms == 0 ? json::value(nullptr) : json::value(ms / 1000);
}

json::value usd_or_null(int64_t micro_usd) {
  return micro_usd == 0 ? json::value(nullptr) : json::value(static_cast<double>(micro_usd) / 1e6);
}

json::array strings(const std::vector<std::string>& values) {
  json::array out;
  for (const std::string& value : values) out.emplace_back(value);
  return out;
}

}  // namespace

Status read_key_fields(const json::object& body, int64_t now_ms, store::ApiKey& key) {
  if (body.contains("expires_at") && body.contains("expires_in"))
    return field_error("expires_in", "cannot be given with expires_at");
  for (const auto& member : body) {
    const std::string name(member.key());
    const json::value& value = member.value();
    Status read = Status::success();
    if (name == "name") {
      read = read_text(value, name, key.name);
    } else if (name == "roles") {
      read = read_roles(value, key.roles);
    } else if (name == "models") {
      read = read_names(value, name, key.models);
    } else if (name == "team") {
      read = read_team(value, key.team);
    } else if (name == "collections") {
      read = read_collections(value, key.collections);
    } else if (name == "daily_budget_usd") {
      read = read_budget(value, name, key.daily_budget_micro_usd);
    } else if (name == "monthly_budget_usd") {
      read = read_budget(value, name, key.monthly_budget_micro_usd);
    } else if (name == "priority") {
      read = read_priority(value, key.priority);
    } else if (name == "expires_at") {
      read = read_expires_at(value, now_ms, key.expires_at_ms);
    } else if (name == "expires_in") {
      read = read_expires_in(value, now_ms, key.expires_at_ms);
    } else if (name == "requests_per_minute") {
      read = read_per_minute(value, name, key.requests_per_minute);
    } else if (name == "tokens_per_minute") {
      read = read_per_minute(value, name, key.tokens_per_minute);
    } else {
      read = field_error(name,
                         "is not a known field: use name, roles, models, team, collections, "
                         "daily_budget_usd, monthly_budget_usd, priority, expires_at, expires_in, "
                         "requests_per_minute or tokens_per_minute");
    }
    if (!read) return read;
  }
  return Status::success();
}

json::object key_json(const store::ApiKey& key) {
  return json::object{
      {"id", key.id},
      {"object", "api_key"},
      {"name", key.name},
      {"roles", strings(key.roles)},
      {"models", strings(key.models)},
      {"team", key.team},
      {"collections", strings(key.collections)},
      {"daily_budget_usd", usd_or_null(key.daily_budget_micro_usd)},
      {"monthly_budget_usd", usd_or_null(key.monthly_budget_micro_usd)},
      {"requests_per_minute", key.requests_per_minute},
      {"tokens_per_minute", key.tokens_per_minute},
      {"priority", key.priority},
      {"prefix", key.prefix},
      {"created_at", key.created_at_ms / 1000},
      {"updated_at", key.updated_at_ms / 1000},
      {"expires_at", seconds_or_null(key.expires_at_ms)},
      {"revoked_at", seconds_or_null(key.revoked_at_ms)},
      {"previous_key_valid_until", key.previous_hash.empty()
                                       ? json::value(nullptr)
                                       : seconds_or_null(key.previous_valid_until_ms)},
  };
}

}  // namespace sluice::api
