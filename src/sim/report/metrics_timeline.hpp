#pragma once
// The simulator's metrics output: the simulated replicas' real metric registries, snapshotted on
// the virtual clock (every 15 s of virtual time by default, as a Prometheus scrape would) and
// written at the end of the run as one OpenMetrics file with a timestamp on every sample.
// `sluice simulate --openmetrics` writes it; docs/simulate.md ("Metrics for Prometheus") shows
// how to backfill it into Prometheus and evaluate the shipped rules over it.
//
//   MetricsTimeline timeline({.path = "incident.om"});
//   timeline.add_replica(replica_instance(0), replica0.registry);
//   ... every scrape interval of virtual time:  if (!timeline.snapshot(t)) stop the run;
//   ... at the end:                              Status written = timeline.finish();

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "ops/metrics.hpp"
#include "sim/report/openmetrics_writer.hpp"

namespace sluice::sim {

class MetricsTimeline {
 public:
  // What virtual time 0 is in the file, unless the run says otherwise: a fixed instant, so that
  // the same scenario and seed give the same file byte for byte (2024-01-01T00:00:00Z).
  static constexpr double kDefaultStartUnixSeconds = 1704067200;
  static constexpr double kDefaultScrapeIntervalSeconds = 15;

  struct Options {
    std::string path;  // the file finish() writes
    double start_unix_seconds = kDefaultStartUnixSeconds;
    OpenMetricsWriter::Options format{};  // job label, byte bound and the option that raises it
  };

  explicit MetricsTimeline(Options options);

  // Scrapes `registry` as target `instance` (see replica_instance()) from the next snapshot on.
  // The registry must outlive the replica's membership (until remove_replica or finish).
  void add_replica(std::string instance, const ops::Registry& registry);
  // The replica stopped (drained to its end, removed, expired). With `fails_next_scrape`, the
  // next snapshot records one failed scrape of it (`up 0`, none of its series), as Prometheus
  // records the scrape that finds a target gone before service discovery drops it; later
  // snapshots (all, without it) leave it out.
  void remove_replica(std::string_view instance, bool fails_next_scrape = true);
  // While `instance` cannot be reached (its region is down), each snapshot records a failed
  // scrape of it (`up 0`, none of its series); its series resume once it can be again.
  void set_reachable(std::string_view instance, bool reachable);

  // Snapshots every current replica at `virtual_seconds` since the start of the run, which must
  // be later than the previous snapshot's (at millisecond resolution). An error (the byte bound,
  // time going backwards) is final: later calls and finish() return it; the run should stop.
  [[nodiscard]] Status snapshot(double virtual_seconds);

  // Writes the file (through a temporary file renamed into place, so that a failed run leaves
  // none); writes nothing when a snapshot failed.
  [[nodiscard]] Status finish();

  const OpenMetricsWriter& writer() const { return writer_; }

 private:
  Options options_;
  OpenMetricsWriter writer_;
  std::vector<ScrapeTarget> replicas_;
  std::vector<bool> leaving_;  // per replicas_ entry: removed, dropped after the next snapshot
};

}  // namespace sluice::sim
