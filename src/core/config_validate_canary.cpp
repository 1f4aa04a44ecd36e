// Checks on gateway.models[].canary: the candidate alias, its share and its rollback rule.

#include <cstdio>
#include <string>
#include <vector>

#include "core/config_validate.hpp"
#include "core/config_values.hpp"

namespace sluice::core {

std::optional<double> canary_threshold(const CanaryRollbackConfig& rollback) {
  if (rollback.metric == "error_rate") {
    const ValueResult<double> share = parse_number(rollback.threshold);
    if (!share || !(*share > 0 && *share < 1)) return std::nullopt;
    return *share;
  }
  if (rollback.metric == "p99_latency" || rollback.metric == "ttft_p99") {
    const ValueResult<Seconds> latency = parse_seconds(rollback.threshold);
    if (!latency || !(latency->count() > 0)) return std::nullopt;
    return latency->count();
  }
  return std::nullopt;
}

namespace detail {
namespace {

// The longest rollback window: a day of outcomes is already more history than a canary needs.
constexpr Millis kMaxCanaryWindow{86'400'000};

std::string number_text(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

const ModelAliasConfig* alias_named(const GatewayConfig& g, const std::string& name) {
  for (const ModelAliasConfig& m : g.models)
    if (m.alias == name) return &m;
  return nullptr;
}

// "use 'a', 'b' or 'c', or add ...": the aliases a canary may name.
std::string configured_aliases(const GatewayConfig& g, const std::string& except) {
  std::vector<std::string> names;
  for (const ModelAliasConfig& m : g.models)
    if (!m.alias.empty() && m.alias != except) names.push_back("'" + m.alias + "'");
  if (names.empty()) return "no other alias is configured; add the candidate under gateway.models";
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return "use " + out + ", or add the candidate under gateway.models";
}

void validate_rollback(const CanaryRollbackConfig& r, const std::string& path, Reporter& report) {
  const bool known_metric =
      r.metric == "error_rate" || r.metric == "p99_latency" || r.metric == "ttft_p99";
  if (r.metric.empty()) {
    if (!r.threshold.empty())
      report.add(path + ".metric", "is required with a threshold",
                 "use error_rate, p99_latency or ttft_p99");
  } else if (!known_metric) {
    report.add(path + ".metric", "unknown metric '" + r.metric + "'",
               "use error_rate (share of failed requests), p99_latency or ttft_p99");
  } else if (r.threshold.empty()) {
    report.add(path + ".threshold", "is required with metric " + r.metric,
               r.metric == "error_rate" ? "a share of requests, e.g. 0.05"
                                        : "a duration, e.g. 2s or 800ms");
  } else if (!canary_threshold(r)) {
    report.add(path + ".threshold",
               r.metric == "error_rate"
                   ? "must be a share between 0 and 1 (exclusive), got '" + r.threshold + "'"
                   : "must be a duration above 0, got '" + r.threshold + "'",
               r.metric == "error_rate" ? "e.g. 0.05: roll back above 5% failed requests"
                                        : "e.g. 2s or 800ms");
  }
  if (r.window <= Millis{0} || r.window > kMaxCanaryWindow)
    report.add(path + ".window", "must be above 0 and at most 1d, got " + format_duration(r.window),
               "the span the rule looks back over, e.g. 5m");
  if (r.min_requests < 1)
    report.add(path + ".min_requests", "must be at least 1, got " + std::to_string(r.min_requests),
               "the candidate's requests in the window before the rule may act, e.g. 50");
}

}  // namespace

void validate_canaries(const GatewayConfig& g, Reporter& report) {
  for (std::size_t i = 0; i < g.models.size(); ++i) {
    const ModelAliasConfig& m = g.models[i];
    const CanaryConfig& c = m.canary;
    const std::string path = "gateway.models." + std::to_string(i) + ".canary";
    if (c == CanaryConfig{}) continue;  // no canary
    if (c.alias.empty()) {
      report.add(path + ".alias", "must name the candidate alias", configured_aliases(g, m.alias));
    } else if (c.alias == m.alias) {
      report.add(path + ".alias", "'" + c.alias + "' is this alias itself",
                 "name the alias of the new version, e.g. " + m.alias + "-v2");
    } else if (const ModelAliasConfig* candidate = alias_named(g, c.alias); !candidate) {
      report.add(path + ".alias", "'" + c.alias + "' is not a configured model alias",
                 configured_aliases(g, m.alias));
    } else if (!candidate->canary.alias.empty()) {
      report.add(path + ".alias", "'" + c.alias + "' has a canary of its own",
                 "a candidate is served as configured: remove the canary from its entry");
    }
    if (!(c.weight >= 0 && c.weight <= 1))
      report.add(path + ".weight", "must be between 0 and 1, got " + number_text(c.weight),
                 "the candidate's share of the alias' requests, e.g. 0.1");
    validate_rollback(c.rollback, path + ".rollback", report);
  }
}

}  // namespace detail
}  // namespace sluice::core
