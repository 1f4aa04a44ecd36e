#include "api/admin_key_body.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <string>

namespace sluice::api {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxText = 256;    // name, team, each listed name
constexpr std::size_t kMaxListed = 256;  // models, collections
constexpr double kMaxUsd = 1e9;          // a budget beyond this is a typo
constexpr int64_t kMaxPerMinute = 1'000'000'000;

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

Status read_count(const json::value& value, const std::string& field, int64_t& out) {
  if (!value.is_int64() && !value.is_uint64())
    return field_error(field, "must be a whole number (0 = no limit)");
  const int64_t n = value.is_int64() ? value.get_int64() : -1;
  if (n < 0 || n > kMaxPerMinute) return field_error(field, "must be between 0 and 1000000000");
  out = n;
  return Status::success();
}

Status read_usd(const json::value& value, const std::string& field, int64_t& micro_usd) {
  if (!value.is_number()) return field_error(field, "must be a number of USD (0 = no budget)");
  const double usd = value.to_number<double>();
  if (!(usd >= 0) || usd > kMaxUsd) return field_error(field, "must be between 0 and 1e9");
  micro_usd = std::llround(usd * 1e6);
  return Status::success();
}

// Reads an object's members with `read(name, value)`, refusing members it does not know.
template <class Read>
Status read_members(const json::value& value, const std::string& field, Read read) {
  if (!value.is_object()) return field_error(field, "must be an object");
  for (const auto& member : value.get_object()) {
    const std::string name(member.key());
    Status status = read(name, member.value());
    if (!status) return status;
  }
  return Status::success();
}

Status unknown(const std::string& field) { return field_error(field, "is not a known field"); }

json::value seconds_or_null(int64_t ms) {
  return ms == 0 ? json::value(nullptr) : json::value(ms / 1000);
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
  return read_members(
      body, "body", [&](const std::string& name, const json::value& value) -> Status {
        if (name == "name") return read_text(value, name, key.name);
        if (name == "team") return read_text(value, name, key.team);
        if (name == "roles") return read_roles(value, key.roles);
        if (name == "models") return read_names(value, name, key.models);
        if (name == "collections") return read_names(value, name, key.collections);
        if (name == "rate_limits")
          return read_members(value, name,
                              [&](const std::string& limit, const json::value& v) -> Status {
                                const std::string path = name + "." + limit;
                                if (limit == "requests_per_minute")
                                  return read_count(v, path, key.requests_per_minute);
                                if (limit == "tokens_per_minute")
                                  return read_count(v, path, key.tokens_per_minute);
                                return unknown(path);
                              });
        if (name == "budgets")
          return read_members(value, name,
                              [&](const std::string& budget, const json::value& v) -> Status {
                                const std::string path = name + "." + budget;
                                if (budget == "daily_usd")
                                  return read_usd(v, path, key.daily_budget_micro_usd);
                                if (budget == "monthly_usd")
                                  return read_usd(v, path, key.monthly_budget_micro_usd);
                                return unknown(path);
                              });
        if (name == "expires_at") {
          if (value.is_null()) {
            key.expires_at_ms = 0;
            return Status::success();
          }
          constexpr int64_t kLatest = 100'000'000'000;  // seconds: past any real expiry
          if (!value.is_int64() || value.get_int64() > kLatest ||
              value.get_int64() * 1000 <= now_ms)
            return field_error(name, "must be a future time in Unix seconds, or null for never");
          key.expires_at_ms = value.get_int64() * 1000;
          return Status::success();
        }
        if (name == "expires_in") {
          constexpr int64_t kTenYears = 10LL * 366 * 24 * 3600;
          if (!value.is_int64() || value.get_int64() <= 0 || value.get_int64() > kTenYears)
            return field_error(name, "must be a number of seconds from now, at most ten years");
          key.expires_at_ms = now_ms + value.get_int64() * 1000;
          return Status::success();
        }
        return unknown(name);
      });
}

json::object key_json(const store::ApiKey& key) {
  return json::object{
      {"id", key.id},
      {"object", "api_key"},
      {"name", key.name},
      {"team", key.team.empty() ? json::value(nullptr) : json::value(key.team)},
      {"roles", strings(key.roles)},
      {"models", strings(key.models)},
      {"collections", strings(key.collections)},
      {"rate_limits",
       {{"requests_per_minute", key.requests_per_minute},
        {"tokens_per_minute", key.tokens_per_minute}}},
      {"budgets",
       {{"daily_usd", static_cast<double>(key.daily_budget_micro_usd) / 1e6},
        {"monthly_usd", static_cast<double>(key.monthly_budget_micro_usd) / 1e6}}},
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
