#include "mock/mock_script.hpp"

#include <boost/json.hpp>
#include <cmath>

namespace sluice::mock {
namespace json = boost::json;
namespace {

Error invalid(const std::string& message) { return make_error(Errc::invalid_request, message); }

// A whole number in [min, max] at `path`.
Result<long long> whole_number(const json::value& v, const std::string& path, long long min,
                               long long max) {
  double number = 0;
  if (v.is_int64())
    number = static_cast<double>(v.as_int64());
  else if (v.is_uint64())
    number = static_cast<double>(v.as_uint64());
  else if (v.is_double())
    number = v.as_double();
  else
    return invalid(path + " must be an integer");
  if (std::trunc(number) != number || number < static_cast<double>(min) ||
      number > static_cast<double>(max))
    return invalid(path + " must be an integer from " + std::to_string(min) + " to " +
                   std::to_string(max));
  return static_cast<long long>(number);
}

Result<ScriptEntry> entry_from_json(const json::value& v, const std::string& path) {
  if (!v.is_object()) return invalid(path + " must be an object");
  constexpr long long kMaxRequest = 1'000'000'000;
  ScriptEntry e;
  for (const auto& [key, value] : v.as_object()) {
    const std::string member = path + "." + std::string(key);
    if (key == "reset") {
      if (!value.is_bool()) return invalid(member + " must be true or false");
      e.reset = value.as_bool();
      continue;
    }
    long long* target = nullptr;
    long long min = 0, max = kMaxRequest;
    if (key == "from") {
      target = &e.from;
      min = 1;
    } else if (key == "to") {
      target = &e.to;
      min = 1;
    } else if (key == "status") {
      target = &e.status;
      max = 599;
    } else if (key == "latency_ms") {
      target = &e.latency_ms;
    } else if (key == "retry_after") {
      target = &e.retry_after;
      max = 86'400;
    } else {
      return invalid("unknown member " + member +
                     " (from, to, status, latency_ms, retry_after, reset)");
    }
    auto number = whole_number(value, member, min, max);
    if (!number) return number.error();
    *target = *number;
  }
  if (!v.as_object().contains("from")) return invalid(path + ".from is required");
  if (e.to != 0 && e.to < e.from) return invalid(path + ".to must not be before from");
  if (e.status != 0 && e.status < 400) return invalid(path + ".status must be 0 or 400 to 599");
  return e;
}

}  // namespace

Result<std::vector<ScriptEntry>> script_from_json(const json::value& body) {
  const json::object* object = body.if_object();
  if (!object) return invalid("expected {\"script\": [...]}");
  for (const auto& [key, value] : *object)
    if (key != "script") return invalid("unknown member " + std::string(key) + " (script)");
  const json::value* list = object->if_contains("script");
  if (!list || !list->is_array()) return invalid("script must be a list of entries");
  if (list->as_array().size() > kMaxScriptEntries)
    return invalid("script has more than " + std::to_string(kMaxScriptEntries) + " entries");
  std::vector<ScriptEntry> entries;
  for (std::size_t i = 0; i < list->as_array().size(); ++i) {
    auto entry = entry_from_json(list->as_array()[i], "script." + std::to_string(i));
    if (!entry) return entry.error();
    entries.push_back(*entry);
  }
  return entries;
}

void Script::set(std::vector<ScriptEntry> entries) {
  std::lock_guard lock(mutex_);
  entries_ = std::move(entries);
  requests_ = 0;
}

std::optional<ScriptEntry> Script::next() {
  std::lock_guard lock(mutex_);
  const long long n = ++requests_;
  for (const ScriptEntry& e : entries_)
    if (n >= e.from && n <= e.last()) return e;
  return std::nullopt;
}

std::string Script::json() const {
  std::lock_guard lock(mutex_);
  json::array list;
  for (const ScriptEntry& e : entries_) {
    json::object o{{"from", e.from}, {"to", e.last()}, {"status", e.status}};
    if (e.latency_ms >= 0) o["latency_ms"] = e.latency_ms;
    if (e.retry_after >= 0) o["retry_after"] = e.retry_after;
    if (e.reset) o["reset"] = true;
    list.push_back(std::move(o));
  }
  return json::serialize(json::object{{"script", std::move(list)}, {"requests", requests_}});
}

}  // namespace sluice::mock
