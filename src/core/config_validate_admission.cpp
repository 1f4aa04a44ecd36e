#include <set>

#include "core/config_validate.hpp"

namespace sluice::core::detail {
namespace {

constexpr int kMaxSlots = 1'000'000;  // beyond any event loop's reach: a typo, not a limit

void check_count(Reporter& report, const std::string& path, int value, int low,
                 const char* example) {
  if (value < low || value > kMaxSlots)
    report.add(path,
               "must be between " + std::to_string(low) + " and " + std::to_string(kMaxSlots) +
                   ", got " + std::to_string(value),
               example);
}

}  // namespace

void validate_admission(const Config& c, Reporter& report) {
  const AdmissionConfig& a = c.admission;
  check_count(report, "admission.max_concurrency", a.max_concurrency, 0,
              "e.g. 256; 0 turns admission control off");
  check_count(report, "admission.max_queue", a.max_queue, 0,
              "e.g. 512; 0 refuses at once when every slot is busy");
  if (a.max_wait <= Millis{0})
    report.add("admission.max_wait", "must be greater than 0", "e.g. 1s");
  if (a.retry_after < Millis{1000})
    report.add("admission.retry_after", "must be at least 1s (Retry-After counts seconds)",
               "e.g. 1s");
  std::set<std::string> routes;
  for (std::size_t i = 0; i < a.routes.size(); ++i) {
    const RouteAdmissionConfig& r = a.routes[i];
    const std::string path = "admission.routes." + std::to_string(i);
    if (!r.route.starts_with('/'))
      report.add(path + ".route",
                 "must be a route template starting with '/', got '" + r.route + "'",
                 "e.g. /v1/chat/completions");
    else if (!routes.insert(r.route).second)
      report.add(path + ".route", "'" + r.route + "' is listed twice", "list each route once");
    check_count(report, path + ".max_concurrency", r.max_concurrency, 1, "e.g. 64");
    check_count(report, path + ".max_queue", r.max_queue, 0, "e.g. 128");
  }
  const DegradedConfig& d = a.degraded;
  if (d.enter_after <= Millis{0})
    report.add("admission.degraded.enter_after", "must be greater than 0", "e.g. 10s");
  if (d.exit_after <= Millis{0})
    report.add("admission.degraded.exit_after", "must be greater than 0", "e.g. 30s");
  if (d.top_k < 1 || d.top_k > c.rag.max_top_k)
    report.add("admission.degraded.top_k",
               "must be between 1 and rag.max_top_k (" + std::to_string(c.rag.max_top_k) +
                   "), got " + std::to_string(d.top_k),
               "e.g. 3");
  std::set<std::string> aliases;
  for (const ModelAliasConfig& m : c.gateway.models) aliases.insert(m.alias);
  for (std::size_t i = 0; i < d.aliases.size(); ++i) {
    const DegradedAliasConfig& alias = d.aliases[i];
    const std::string path = "admission.degraded.aliases." + std::to_string(i);
    if (alias.model.empty())
      report.add(path + ".model", "must not be empty", "the model clients ask for, e.g. gpt-4o");
    if (!aliases.contains(alias.use))
      report.add(path + ".use", "'" + alias.use + "' is not a configured model alias",
                 "name an alias of gateway.models, e.g. a cheaper model's");
  }
}

}  // namespace sluice::core::detail
