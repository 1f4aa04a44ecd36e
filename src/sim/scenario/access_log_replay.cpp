#include "sim/scenario/access_log_replay.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <fstream>
#include <map>
#include <set>

#include "sim/scenario/scenario_validate.hpp"

namespace sluice::sim {
namespace json = boost::json;
namespace {

constexpr std::string_view kChatRoute = "/v1/chat/completions";
constexpr const char* kPath = "traffic.replay.file";

bool digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) return false;
  const auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + count, out);
  return ec == std::errc{} && end == text.data() + at + count;
}

double number_of(const json::value* v) {
  if (!v) return 0;
  if (v->is_int64()) return static_cast<double>(v->as_int64());
  if (v->is_uint64()) return static_cast<double>(v->as_uint64());
  if (v->is_double()) return v->as_double();
  return 0;
}

// One of a line's tries, as read for traffic.replay.answers.
struct Try {
  std::string deployment;
  core::AttemptOutcome outcome;
  double start_ms;
  double duration_ms;
  double ttft_ms;               // negative: none
  std::int64_t retry_after_ms;  // negative: none
};

struct Line {
  double arrival_ms;
  std::string model;
  bool stream;
  double prompt_tokens;
  double completion_tokens;
  std::vector<Try> tries;
};

// The line's `tries`; false when one is malformed (an unknown outcome, a missing field).
bool read_tries(const json::object& line, std::vector<Try>& out) {
  const json::value* tries = line.if_contains("tries");
  if (!tries) return true;
  if (!tries->is_array()) return false;
  for (const json::value& t : tries->as_array()) {
    const json::object* o = t.if_object();
    if (!o) return false;
    const json::value* deployment = o->if_contains("deployment");
    const json::value* outcome = o->if_contains("outcome");
    if (!deployment || !deployment->is_string() || !outcome || !outcome->is_string()) return false;
    const auto parsed = core::parse_attempt_outcome(outcome->as_string());
    if (!parsed || !o->contains("start_ms") || !o->contains("duration_ms")) return false;
    const json::value* ttft = o->if_contains("ttft_ms");
    const json::value* retry_after = o->if_contains("retry_after_ms");
    out.push_back({std::string(deployment->as_string()), *parsed,
                   number_of(o->if_contains("start_ms")), number_of(o->if_contains("duration_ms")),
                   ttft ? number_of(ttft) : -1.0,
                   retry_after ? static_cast<std::int64_t>(number_of(retry_after)) : -1});
  }
  return true;
}

// The chat completion a line logs, if it logs one (with its tries when `answers`). A line whose
// tries cannot be read sets `bad_tries`.
std::optional<Line> chat_line(std::string_view text, bool answers, bool& bad_tries) {
  json::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const json::object& o = parsed.as_object();
  const auto string_of = [&](std::string_view key) -> std::string_view {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view{};
  };
  if (string_of("msg") != "request" || string_of("route") != kChatRoute) return std::nullopt;
  const std::string_view model = string_of("model");
  const std::optional<double> ended = parse_log_time(string_of("ts"));
  if (model.empty() || !ended) return std::nullopt;
  Line line{*ended - number_of(o.if_contains("duration_ms")),
            std::string(model),
            o.contains("ttft_ms"),
            number_of(o.if_contains("prompt_tokens")),
            number_of(o.if_contains("completion_tokens")),
            {}};
  if (answers && !read_tries(o, line.tries)) bad_tries = true;
  return line;
}

// The tries of `line` (arrived at line.arrival_ms), as answers in seconds since `first_ms`.
void add_answers(const Line& line, double first_ms, ReplayedTraffic& traffic) {
  for (const Try& t : line.tries) {
    const auto known =
        std::find(traffic.deployments.begin(), traffic.deployments.end(), t.deployment);
    const auto index = static_cast<std::uint32_t>(known - traffic.deployments.begin());
    if (known == traffic.deployments.end()) traffic.deployments.push_back(t.deployment);
    traffic.answers.push_back({index, (line.arrival_ms + t.start_ms - first_ms) / 1000, t.outcome,
                               t.duration_ms / 1000, t.ttft_ms < 0 ? -1.0 : t.ttft_ms / 1000,
                               t.retry_after_ms});
  }
}

}  // namespace

std::optional<double> parse_log_time(std::string_view t) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' ||
      t.back() != 'Z')
    return std::nullopt;
  if (!digits(t, 0, 4, y) || !digits(t, 5, 2, mo) || !digits(t, 8, 2, d) || !digits(t, 11, 2, h) ||
      !digits(t, 14, 2, mi) || !digits(t, 17, 2, s))
    return std::nullopt;
  double fraction = 0;
  if (t.size() > 20) {
    if (t[19] != '.') return std::nullopt;
    const std::string_view digits_part = t.substr(20, t.size() - 21);
    double scale = 0.1;
    for (char c : digits_part) {
      if (c < '0' || c > '9') return std::nullopt;
      fraction += (c - '0') * scale;
      scale /= 10;
    }
  }
  using namespace std::chrono;
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                            day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const auto whole =
      sys_days{date}.time_since_epoch() + hours{h} + minutes{mi} + std::chrono::seconds{s};
  return static_cast<double>(duration_cast<milliseconds>(whole).count()) + fraction * 1000;
}

Result<ReplayedTraffic, std::vector<core::ConfigError>> read_access_log(
    const std::string& path, double speed, const core::GatewayConfig& gateway, bool answers) {
  std::vector<core::ConfigError> errors;
  std::ifstream in(path);
  if (!in) {
    errors.push_back({kPath, "cannot read the access log '" + path + "'",
                      "a path relative to the scenario file's folder, or an absolute one"});
    return errors;
  }
  ReplayedTraffic traffic;
  std::vector<Line> lines;
  std::string text;
  while (std::getline(in, text)) {
    ++traffic.lines;
    bool bad_tries = false;
    std::optional<Line> line = chat_line(text, answers, bad_tries);
    if (bad_tries) {
      errors.push_back({"traffic.replay.answers",
                        "line " + std::to_string(traffic.lines) + " of '" + path +
                            "' has tries that cannot be read",
                        "each try needs deployment, outcome (as the server writes it), start_ms "
                        "and duration_ms"});
      return errors;
    }
    if (!line) continue;
    if (lines.size() == kMaxReplayedRequests) {
      errors.push_back({kPath, "has more than 20000000 chat completions",
                        "replay a part of it (split the file)"});
      return errors;
    }
    lines.push_back(std::move(*line));
  }
  if (lines.empty()) {
    errors.push_back({kPath, "'" + path + "' logs no chat completion request",
                      "replay an access log written with log.format: json and log.access_log: "
                      "true"});
    return errors;
  }
  // Lines are written as requests end: arrivals come out of order. Stable, so that ties keep
  // the log's order and the replay is the same every time.
  std::stable_sort(lines.begin(), lines.end(),
                   [](const Line& a, const Line& b) { return a.arrival_ms < b.arrival_ms; });
  std::map<std::string, std::uint32_t> model_index;
  std::set<std::string> unroutable;
  const double first = lines.front().arrival_ms;
  for (const Line& line : lines) {
    auto [it, added] = model_index.emplace(line.model, traffic.models.size());
    if (added) {
      traffic.models.push_back(line.model);
      if (!routable(gateway, line.model)) unroutable.insert(line.model);
    }
    ReplayedRequest r;
    r.arrival = (line.arrival_ms - first) / 1000 / speed;
    r.model = it->second;
    r.stream = line.stream;
    r.prompt_tokens = static_cast<std::int32_t>(std::clamp(line.prompt_tokens, 0.0, 2e9));
    r.completion_tokens = static_cast<std::int32_t>(std::clamp(line.completion_tokens, 1.0, 2e9));
    traffic.requests.push_back(r);
    add_answers(line, first, traffic);
  }
  if (answers) {
    if (traffic.answers.empty())
      errors.push_back({"traffic.replay.answers", "'" + path + "' has no tries to replay",
                        "replay a log written by a Sluice whose access log has the `tries` field, "
                        "or remove answers"});
    // In the order the attempts started: each upstream counts its attempts in that order.
    std::stable_sort(
        traffic.answers.begin(), traffic.answers.end(),
        [](const ReplayedAnswer& a, const ReplayedAnswer& b) { return a.start < b.start; });
  }
  for (const std::string& model : unroutable)
    errors.push_back(
        {kPath,
         "the log's requests name model '" + model + "', which is not an alias of gateway.models",
         "add the alias (with its deployments) to the scenario's gateway section"});
  if (!errors.empty()) return errors;
  return traffic;
}

}  // namespace sluice::sim
