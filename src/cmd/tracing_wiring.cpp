#include "cmd/tracing_wiring.hpp"

#include <algorithm>

#include "core/config_values.hpp"
#include "core/version.hpp"
#include "ops/logger.hpp"

namespace sluice::cmd {
namespace {

// How long the final export at shutdown may take, after the drain grace: a dead collector must
// not hold the process much longer than the grace the orchestrator allows.
constexpr std::chrono::milliseconds kMaxStopBudget{2000};

}  // namespace

TracingServing::TracingServing(const core::TracingConfig& config, ops::Registry& registry,
                               ops::TraceSampler sampler,
                               std::unique_ptr<ops::OtlpHttpSender> sender_)
    : queue(static_cast<std::size_t>(config.queue_size)),
      metrics(registry),
      tracer(queue, sampler, metrics),
      sender(std::move(sender_)),
      exporter(queue, ops::TraceResource{config.service_name, kVersion, "sluice"},
               ops::ExportOptions{static_cast<std::size_t>(config.batch_size), config.batch_delay},
               *sender, metrics),
      stop_budget(std::min(config.timeout, kMaxStopBudget)) {
  exporter.start();
}

void TracingServing::stop() { exporter.stop(stop_budget); }

std::unique_ptr<TracingServing> open_tracing(const core::Config& config, ops::Registry& registry,
                                             bool& failed) {
  failed = false;
  const core::TracingConfig& tracing = config.tracing;
  if (!tracing.enabled()) return nullptr;
  const std::string url = tracing.traces_url();
  // Both were validated by config loading.
  const auto sampler = ops::TraceSampler::parse(tracing.sampler, tracing.sampler_arg);
  const auto headers = core::otlp_header_lines(tracing.headers);
  auto sender = ops::OtlpHttpSender::create(url, headers.value_or(std::string()), tracing.timeout,
                                            tracing.egress.proxy);
  if (!sender || !sampler) {
    ops::logger().error(
        "cannot export traces",
        {{"key", tracing.traces_endpoint.empty() ? "tracing.endpoint" : "tracing.traces_endpoint"},
         {"error", sender ? "unknown sampler" : sender.error().message}});
    failed = true;
    return nullptr;
  }
  ops::logger().info(
      "exporting traces",
      {{"url", core::redact_url_credentials(url)},
       {"service_name", tracing.service_name},
       {"sampler", tracing.sampler},
       {"egress_proxy", tracing.egress.proxy ? tracing.egress.proxy->redacted() : ""},
       {"egress", tracing.egress.decided_by}});
  return std::make_unique<TracingServing>(tracing, registry, *sampler, std::move(*sender));
}

}  // namespace sluice::cmd
