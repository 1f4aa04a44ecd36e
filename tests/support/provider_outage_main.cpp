// Writes the OpenMetrics file of the invented provider outage (support/provider_outage.hpp), for
// tests/deploy/simulate_metrics.test.mjs to backfill into Prometheus.
// usage: sluice_outage_metrics OUTPUT START_UNIX_SECONDS
#include <cstdio>
#include <string>

#include "ops/logger.hpp"
#include "support/provider_outage.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s OUTPUT START_UNIX_SECONDS\n", argv[0]);
    return 2;
  }
  // The gateway logs each circuit transition; the file is what this tool is for.
  sluice::ops::logger().configure(sluice::core::LogLevel::error, sluice::core::LogFormat::json);
  sluice::sim::MetricsTimeline timeline(
      {.path = argv[1], .start_unix_seconds = std::stod(argv[2])});
  sluice::Status status = sluice::sim::testing::run_provider_outage({}, timeline);
  if (status.ok()) status = timeline.finish();
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.error().message.c_str());
    return 1;
  }
  return 0;
}
