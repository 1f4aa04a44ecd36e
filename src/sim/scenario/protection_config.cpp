#include "sim/scenario/protection_config.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdio>
#include <ctime>
#include <set>

#include "api/admin_key_body.hpp"
#include "sim/scenario/scenario_validate.hpp"

namespace sluice::sim {
namespace json = boost::json;
using core::detail::Reporter;

namespace {

// The route simulated requests are made on (rate_limits.routes may limit it).
constexpr std::string_view kChatRoute = "/v1/chat/completions";

json::array string_array(const std::vector<std::string>& values) {
  json::array out;
  for (const std::string& value : values) out.emplace_back(value);
  return out;
}

// The body POST /v1/admin/keys would be sent to create `key`.
json::object admin_body(const KeyConfig& key) {
  return json::object{{"name", key.name},
                      {"team", key.team},
                      {"models", string_array(key.models)},
                      {"priority", key.priority},
                      {"daily_budget_usd", key.daily_budget_usd},
                      {"monthly_budget_usd", key.monthly_budget_usd},
                      {"requests_per_minute", key.requests_per_minute},
                      {"tokens_per_minute", key.tokens_per_minute}};
}

}  // namespace

Result<store::ApiKey> api_key_of(const KeyConfig& key, std::size_t index) {
  store::ApiKey out;
  out.id = "key_sim_" + std::to_string(index);
  out.roles = {"query"};
  if (Status read = api::read_key_fields(admin_body(key), 0, out); !read) return read.error();
  return out;
}

std::optional<int64_t> unix_ms_of_start(const std::string& start) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
  if (std::sscanf(start.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &year, &month, &day, &hour, &minute,
                  &second, &used) != 6 ||
      used != static_cast<int>(start.size()) || start.size() != 20)
    return std::nullopt;
  std::tm parts{};
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  parts.tm_sec = second;
  const std::time_t t = timegm(&parts);
  // timegm normalizes (February 30th becomes March 2nd): only a time that reads back is one.
  std::tm back{};
  if (year < 1970 || !gmtime_r(&t, &back) || back.tm_year != year - 1900 ||
      back.tm_mon != month - 1 || back.tm_mday != day || back.tm_hour != hour ||
      back.tm_min != minute || back.tm_sec != second)
    return std::nullopt;
  return static_cast<int64_t>(t) * 1000;
}

bool protection_applies(const ScenarioConfig& s) {
  for (const MixEntryConfig& m : s.traffic.mix)
    if (!m.key.empty()) return true;
  for (const core::RouteRateLimitConfig& route : s.rate_limits.routes)
    if (route.route == kChatRoute && route.requests_per_minute > 0) return true;
  return false;
}

namespace {

void validate_keys(const ScenarioConfig& s, Reporter& report) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < s.keys.size(); ++i) {
    const std::string path = "keys." + std::to_string(i);
    const KeyConfig& key = s.keys[i];
    if (key.name.empty())
      report.add(path + ".name", "must not be empty", "the name traffic.mix entries send it by");
    else if (!names.insert(key.name).second)
      report.add(path + ".name", "'" + key.name + "' names an earlier key too",
                 "give each key its own name");
    // Field by field, so that every wrong one is reported: the reader stops at the first.
    for (const auto& field : admin_body(key)) {
      store::ApiKey ignored;
      const Status read =
          api::read_key_fields(json::object{{field.key(), field.value()}}, 0, ignored);
      if (read) continue;
      // The admin route's message starts with the field it names.
      const Error& error = read.error();
      std::string message = error.message;
      if (!error.param.empty() && message.rfind(error.param + " ", 0) == 0)
        message.erase(0, error.param.size() + 1);
      report.add(path + (error.param.empty() ? "" : "." + error.param), message,
                 "as POST /v1/admin/keys takes it");
    }
  }
}

const KeyConfig* key_named(const ScenarioConfig& s, const std::string& name) {
  for (const KeyConfig& key : s.keys)
    if (key.name == name) return &key;
  return nullptr;
}

void validate_mix_keys(const ScenarioConfig& s, const std::map<std::string, std::string>& given,
                       Reporter& report) {
  std::string names;
  for (const KeyConfig& key : s.keys) names += (names.empty() ? "" : ", ") + key.name;
  for (std::size_t i = 0; i < s.traffic.mix.size(); ++i) {
    const MixEntryConfig& m = s.traffic.mix[i];
    const std::string path = "traffic.mix." + std::to_string(i);
    if (m.key.empty()) {
      // Authentication is on once a key exists: a request without one would only meet a 401.
      if (!s.keys.empty())
        report.add(path + ".key", "must name one of keys (every request is sent with a key)",
                   "use one of: " + names);
      continue;
    }
    const KeyConfig* key = key_named(s, m.key);
    if (!key) {
      report.add(
          path + ".key", "'" + m.key + "' is not the name of an entry of keys",
          s.keys.empty() ? "add it under keys: [{name: " + m.key + "}]" : "use one of: " + names);
      continue;
    }
    if (given.contains(path + ".priority"))
      report.add(path + ".priority", "is given together with key",
                 "a key's requests have its priority (keys[].priority), as the admission filter "
                 "reads it");
    if (!key->models.empty() &&
        std::find(key->models.begin(), key->models.end(), m.model) == key->models.end())
      report.add(path + ".model", "key '" + key->name + "' may not call '" + m.model + "'",
                 "add it to that key's models, or leave its models out for any model");
  }
}

}  // namespace

void validate_protection(const ScenarioConfig& s, const std::map<std::string, std::string>& given,
                         Reporter& report) {
  const bool replay =
      given.contains("traffic.replay.file") || given.contains("traffic.replay.speed");
  if (!unix_ms_of_start(s.start))
    report.add("start", "'" + s.start + "' is not a UTC time", "e.g. 2024-01-01T00:00:00Z");
  if (!s.keys.empty() && replay)
    report.add("keys", "is given together with traffic.replay",
               "replayed requests are sent without a key: remove one of them");
  validate_keys(s, report);
  if (!replay) validate_mix_keys(s, given, report);
  // The embedded sections, by the server's own checks.
  core::Config server;
  server.rate_limits = s.rate_limits;
  core::detail::validate_rate_limits(server, report);
  if (s.rate_limits.address_requests_per_minute > 0)
    report.add("rate_limits.address_requests_per_minute",
               "is not simulated: simulated clients have no addresses",
               "leave it out; keys' and routes' limits are simulated");
  core::detail::validate_budgets(s.budgets, report);
  for (std::size_t i = 0; i < s.budgets.downgrades.size(); ++i)
    if (!s.budgets.downgrades[i].to.empty())
      check_model(s, s.budgets.downgrades[i].to, "budgets.downgrades." + std::to_string(i) + ".to",
                  report);
}

}  // namespace sluice::sim
