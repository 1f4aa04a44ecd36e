#pragma once
// Metric registries snapshotted at given instants into one OpenMetrics text file whose samples
// carry those instants, for `promtool tsdb create-blocks-from openmetrics` to backfill. Each
// registry is labelled as Prometheus labels a scrape target, so that the shipped rules (which
// aggregate `without (instance, pod)` and select `job="sluice"`) read several simulated replicas
// as they read a real deployment.

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "ops/metrics.hpp"

namespace sluice::sim {

// One simulated replica's metrics, as Prometheus scrapes a target.
struct ScrapeTarget {
  std::string instance;  // the `instance` label, e.g. "replica-0"
  const ops::Registry* registry = nullptr;
  // False: its scrape fails (stopped, or cut off): `up 0` and none of its series.
  bool reachable = true;
};

// The `instance` label of the simulated replica number `index`: replica-0, replica-1, ...
std::string replica_instance(std::size_t index);

// The file's layout, which the OpenMetrics specification requires and promtool depends on:
// - one block per family (`# TYPE`, `# UNIT` when the name ends in _seconds or _bytes,
//   `# HELP`), families in the order first seen, never split: every sample of a family sits in
//   its block, however many snapshots were taken;
// - inside a family, one group per series (per label set without `le`, sorted), and inside it
//   the snapshots in time order (a histogram's buckets, _sum and _count of one instant
//   together). promtool keeps a series' samples only in increasing time order and silently
//   drops a sample older than, or as old as, the one before it in the file; this order keeps
//   every one;
// - counters' families are named without `_total`, their samples with it;
// - a bucket's `le` is spelt as /metrics spells it (`1`, not the specification's canonical
//   `1.0`): Prometheus 2.42 stores label values as written, and the shipped rules select
//   `le="1"`, so the series must be the ones a scrape of /metrics gives;
// - each sample is followed by its timestamp in seconds (millisecond resolution); `# EOF` ends
//   the file.
// Every sample gets `job` and `instance` labels (a registry's own label of either name is
// renamed `exported_job` / `exported_instance`, as a scrape does), and every target scraped at
// an instant gets `up 1` there, as Prometheus writes for a successful scrape; an unreachable
// target gets `up 0` and nothing else, as Prometheus writes for a failed one.
//
// The whole text is kept in memory until written, because a family's block can only be closed
// once the last snapshot is in: its size is bounded by Options::max_bytes.
class OpenMetricsWriter {
 public:
  struct Options {
    std::string job = "sluice";
    // Bound on the text kept (and written): past it, append() fails and keeps nothing more.
    std::size_t max_bytes = 256u << 20;
    // Named in the error that max_bytes gives, as the way to raise it.
    std::string max_bytes_option = "--metrics-max-bytes";
  };

  OpenMetricsWriter();
  explicit OpenMetricsWriter(Options options);

  // Snapshots every target's registry at `unix_ms` (milliseconds since the Unix epoch), which
  // must be later than the previous append's. Fails, and keeps failing, once the text would
  // exceed max_bytes or when time goes backwards; the text of a failed append is incomplete.
  [[nodiscard]] Status append(std::int64_t unix_ms, std::span<const ScrapeTarget> targets);

  // The first failure of append(), or success.
  const Status& append_status() const { return failed_; }

  // The OpenMetrics text of every snapshot appended so far, ending with `# EOF`.
  std::string text() const;

  // Bytes text() would return.
  std::size_t size() const { return bytes_ + kEof.size(); }
  std::size_t snapshots() const { return snapshots_; }

 private:
  static constexpr std::string_view kEof = "# EOF\n";

  struct Family {
    std::string type;
    std::string header;                         // # TYPE, # UNIT and # HELP lines
    std::map<std::string, std::string> series;  // label set (no `le`) -> its samples' lines
  };
  class SnapshotSink;

  Family& family(std::string_view registered_name, std::string_view help, std::string_view type);
  Status fail(Error error);
  // Counts `bytes` more of text against max_bytes: false (and failed) past it.
  bool reserve(std::size_t bytes);

  Options options_;
  std::vector<Family> families_;  // in the order first seen
  std::unordered_map<std::string, std::size_t> family_index_;
  std::size_t bytes_ = 0;
  std::size_t snapshots_ = 0;
  std::int64_t last_unix_ms_ = 0;     // of the last complete snapshot
  std::int64_t pending_unix_ms_ = 0;  // of the snapshot being taken
  Status failed_;
};

}  // namespace sluice::sim
