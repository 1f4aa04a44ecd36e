// The tracing section: OpenTelemetry's standard variables as defaults, and its checks.

#include <array>
#include <string>
#include <string_view>

#include "core/config_validate.hpp"
#include "core/config_values.hpp"

namespace sluice::core {

std::string TracingConfig::traces_url() const {
  if (!traces_endpoint.empty()) return traces_endpoint;
  std::string base = endpoint;
  while (base.ends_with('/')) base.pop_back();
  return base + "/v1/traces";
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high << 4 | low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

constexpr std::array<std::string_view, 6> kSamplers{"always_on",
                                                    "always_off",
                                                    "traceidratio",
                                                    "parentbased_always_on",
                                                    "parentbased_always_off",
                                                    "parentbased_traceidratio"};

std::string env_value(const detail::Env& env, std::string_view name) {
  const auto it = env.find(std::string(name));
  return it == env.end() ? std::string() : it->second;
}

}  // namespace

std::optional<std::string> otlp_header_lines(std::string_view headers) {
  std::string lines;
  while (!headers.empty()) {
    const std::size_t comma = headers.find(',');
    const std::string_view entry = headers.substr(0, comma);
    headers = comma == std::string_view::npos ? std::string_view() : headers.substr(comma + 1);
    if (trim(entry).empty()) continue;
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string name = percent_decode(trim(entry.substr(0, eq)));
    const std::string value = percent_decode(trim(entry.substr(eq + 1)));
    if (name.empty()) return std::nullopt;
    for (char c : name)
      if (!is_token_char(c)) return std::nullopt;
    for (char c : value)
      if (c == '\r' || c == '\n' || c == '\0') return std::nullopt;
    lines += name + ": " + value + "\r\n";
  }
  return lines;
}

namespace detail {

std::map<std::string, std::string> apply_otel_environment(
    Config& c, const Env& env, const std::map<std::string, std::string>& given) {
  std::map<std::string, std::string> where;
  TracingConfig& t = c.tracing;
  // The first of `names` that is set, for `path` unless the configuration set it.
  const auto take = [&](const std::string& path, std::initializer_list<std::string_view> names,
                        auto&& assign) {
    if (given.contains(path)) return;
    for (std::string_view name : names) {
      const std::string value = env_value(env, name);
      if (value.empty()) continue;
      assign(value, name);
      where[path] = "from env " + std::string(name);
      return;
    }
  };
  // Errors in these values are reported by validation, which names the variable via `where`.
  const auto duration_ms = [](const std::string& value, Millis& out) {
    auto parsed = parse_integer(value);
    out = parsed && *parsed >= 0 ? Millis(*parsed) : Millis(-1);
  };
  const auto count = [](const std::string& value, int& out) {
    auto parsed = parse_integer(value);
    out = parsed && *parsed > 0 && *parsed < (1 << 30) ? static_cast<int>(*parsed) : -1;
  };
  take("tracing.traces_endpoint", {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"},
       [&](const std::string& v, std::string_view) { t.traces_endpoint = v; });
  take("tracing.endpoint", {"OTEL_EXPORTER_OTLP_ENDPOINT"},
       [&](const std::string& v, std::string_view) { t.endpoint = v; });
  take("tracing.service_name", {"OTEL_SERVICE_NAME"},
       [&](const std::string& v, std::string_view) { t.service_name = v; });
  take("tracing.headers", {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS"},
       [&](const std::string& v, std::string_view name) {
         t.headers = v;
         c.secret_sources["tracing.headers"] = {SecretSource::Kind::env_var, std::string(name)};
       });
  take("tracing.timeout", {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"},
       [&](const std::string& v, std::string_view) { duration_ms(v, t.timeout); });
  take("tracing.sampler", {"OTEL_TRACES_SAMPLER"},
       [&](const std::string& v, std::string_view) { t.sampler = v; });
  take("tracing.sampler_arg", {"OTEL_TRACES_SAMPLER_ARG"},
       [&](const std::string& v, std::string_view) {
         auto parsed = parse_number(v);
         t.sampler_arg = parsed ? *parsed : -1;
       });
  take("tracing.queue_size", {"OTEL_BSP_MAX_QUEUE_SIZE"},
       [&](const std::string& v, std::string_view) { count(v, t.queue_size); });
  take("tracing.batch_size", {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE"},
       [&](const std::string& v, std::string_view) { count(v, t.batch_size); });
  take("tracing.batch_delay", {"OTEL_BSP_SCHEDULE_DELAY"},
       [&](const std::string& v, std::string_view) { duration_ms(v, t.batch_delay); });
  // The SDKs' switch: every signal off, whatever else is set.
  if (env_value(env, "OTEL_SDK_DISABLED") == "true" && !given.contains("tracing.endpoint") &&
      !given.contains("tracing.traces_endpoint")) {
    t.endpoint.clear();
    t.traces_endpoint.clear();
  }
  return where;
}

void validate_tracing(const Config& c, Reporter& report) {
  const TracingConfig& t = c.tracing;
  const auto check_url = [&report](const std::string& path, const std::string& value) {
    if (!value.empty() && !value.starts_with("http://") && !value.starts_with("https://"))
      report.add(path, "must be an http:// or https:// URL, got '" + value + "'",
                 "e.g. http://otel-collector:4318 (OTLP/HTTP; spans go to /v1/traces)");
  };
  check_url("tracing.endpoint", t.endpoint);
  check_url("tracing.traces_endpoint", t.traces_endpoint);
  if (t.service_name.empty())
    report.add("tracing.service_name", "must not be empty", "e.g. sluice");
  if (!otlp_header_lines(t.headers))
    report.add("tracing.headers", "must be name=value pairs separated by commas",
               "e.g. authorization=Bearer%20TOKEN (values may be percent-encoded)");
  if (t.timeout <= Millis{0})
    report.add("tracing.timeout", "must be a positive duration", "e.g. 10s");
  bool known = false;
  for (std::string_view name : kSamplers) known = known || t.sampler == name;
  if (!known)
    report.add("tracing.sampler", "unknown sampler '" + t.sampler + "'",
               "one of always_on, always_off, traceidratio, parentbased_always_on, "
               "parentbased_always_off, parentbased_traceidratio");
  if (!(t.sampler_arg >= 0.0 && t.sampler_arg <= 1.0))
    report.add("tracing.sampler_arg", "must be a ratio between 0 and 1",
               "e.g. 0.1 to record one trace in ten (with a traceidratio sampler)");
  if (t.queue_size < 1 || t.queue_size > 1'000'000)
    report.add("tracing.queue_size", "must be between 1 and 1000000", "e.g. 2048");
  if (t.batch_size < 1 || t.batch_size > t.queue_size)
    report.add("tracing.batch_size", "must be between 1 and tracing.queue_size", "e.g. 512");
  if (t.batch_delay <= Millis{0})
    report.add("tracing.batch_delay", "must be a positive duration", "e.g. 1s");
}

}  // namespace detail
}  // namespace sluice::core
