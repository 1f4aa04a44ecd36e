#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::ops {

// A small Prometheus registry (Debian packages no C++ client). Families have fixed label names;
// a series is created on first use of its label values. Updates go to a per-thread shard (no
// lock shared across threads on the hot path); shards are merged when /metrics is scraped.
// Rendered in the text exposition format 0.0.4 and checked with `promtool check metrics`.

using Labels = std::initializer_list<std::string_view>;  // values, in label-name order

class CounterFamily {
 public:
  virtual ~CounterFamily() = default;
  virtual void inc(Labels label_values, double amount = 1.0) = 0;
};

class GaugeFamily {
 public:
  virtual ~GaugeFamily() = default;
  // Adds to this thread's share of the series (summed at scrape): for in-flight counts.
  virtual void add(Labels label_values, double delta) = 0;
  // Sets a series' shared base value (then added to the per-thread shares): for states.
  virtual void set(Labels label_values, double value) = 0;
};

class HistogramFamily {
 public:
  virtual ~HistogramFamily() = default;
  virtual void observe(Labels label_values, double value) = 0;
};

// One label of a sample: name and value, unescaped.
using SampleLabel = std::pair<std::string_view, std::string_view>;

// Receives a registry's families and samples in exposition order: the text format behind
// /metrics is one sink, the simulator's OpenMetrics timeline another. The views are valid only
// during the call.
class MetricSink {
 public:
  virtual ~MetricSink() = default;
  // A family starts. `name` as registered (a counter's ends in _total); `type` is counter,
  // gauge or histogram.
  virtual void family(std::string_view name, std::string_view help, std::string_view type) = 0;
  // One sample of the current family. `name` carries a histogram's _bucket, _sum or _count
  // suffix; `labels` are in the family's label order, a bucket's `le` last.
  virtual void sample(std::string_view name, std::span<const SampleLabel> labels, double value) = 0;
};

// Writes the families of values computed at scrape time (process metrics, build info) with
// write_family_header and write_sample.
using Collector = std::function<void(MetricSink& out)>;

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Families live as long as the registry; registering a name twice returns the first family.
  // Throws std::invalid_argument on a bug: a name or label name Prometheus rejects, a counter
  // not ending in `_total` (or another type ending in it), empty help, unsorted buckets, or a
  // re-registration with another type or label names. Updates with a wrong number of label
  // values are dropped.
  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> labels);
  GaugeFamily& gauge(std::string name, std::string help, std::vector<std::string> labels);
  HistogramFamily& histogram(std::string name, std::string help, std::vector<std::string> labels,
                             std::vector<double> bucket_bounds);
  void add_collector(Collector collector);

  // Every family and collector, in registration order, in text format 0.0.4. Series are sorted
  // by label values. Collectors run under the registry's lock: they must not register or render.
  std::string render() const;

  // The same walk as render(), into `sink`: what render() writes as text, sample by sample.
  void collect(MetricSink& sink) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Helpers for collectors: one family header and one sample.
void write_family_header(MetricSink& out, std::string_view name, std::string_view help,
                         std::string_view type);
void write_sample(MetricSink& out, std::string_view name, std::initializer_list<SampleLabel> labels,
                  double value);

// A number as the exposition formats write it: integers below 2^53 in full, NaN, +Inf, -Inf,
// else the shortest form that round-trips.
void append_metric_number(std::string& out, double value);
// A label value (escaping \, " and newline) or HELP text (escaping \ and newline) as both
// text formats write it.
void append_metric_escaped(std::string& out, std::string_view text, bool is_label_value);

// OpenTelemetry's default buckets for http.server.request.duration, in seconds.
std::vector<double> default_duration_buckets();

// Registers process_* metrics (CPU, RSS, virtual memory, open/max fds, start time) read from
// /proc at scrape time.
void register_process_metrics(Registry& registry);

}  // namespace sluice::ops
