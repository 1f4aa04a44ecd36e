#include "sim/report/openmetrics_writer.hpp"

#include <unordered_set>
#include <utility>

namespace sluice::sim {
namespace {

// A counter is registered as `x_total` (the text format 0.0.4 names the family so); OpenMetrics
// names the family `x` and keeps `_total` on its samples.
std::string_view family_name(std::string_view registered, std::string_view type) {
  if (type == "counter" && registered.ends_with("_total"))
    registered.remove_suffix(std::string_view("_total").size());
  return registered;
}

// OpenMetrics' UNIT must be a suffix of the family's name: declared for the base units the
// registry's names end in.
std::string_view unit_of(std::string_view family) {
  for (std::string_view unit : {"seconds", "bytes"})
    if (family.size() > unit.size() + 1 && family.ends_with(unit) &&
        family[family.size() - unit.size() - 1] == '_')
      return unit;
  return {};
}

// Seconds with millisecond resolution: 1704067215 or 1704067215.25.
void append_timestamp(std::string& out, std::int64_t unix_ms) {
  out += std::to_string(unix_ms / 1000);
  std::int64_t ms = unix_ms % 1000;
  if (ms == 0) return;
  char digits[4] = {static_cast<char>('0' + ms / 100), static_cast<char>('0' + ms / 10 % 10),
                    static_cast<char>('0' + ms % 10), 0};
  std::string_view fraction(digits, 3);
  while (fraction.ends_with('0')) fraction.remove_suffix(1);
  out += '.';
  out += fraction;
}

// A scrape renames a target's own `job` and `instance` labels so that they do not clash with
// the ones it attaches (honor_labels: false, Prometheus' default).
std::string_view scraped_label_name(std::string_view name) {
  if (name == "job") return "exported_job";
  if (name == "instance") return "exported_instance";
  return name;
}

std::string seconds_text(std::int64_t unix_ms) {
  std::string text;
  append_timestamp(text, unix_ms);
  return text;
}

}  // namespace

std::string replica_instance(std::size_t index) { return "replica-" + std::to_string(index); }

// Receives one target's registry walk and files each sample under its family and series.
class OpenMetricsWriter::SnapshotSink final : public ops::MetricSink {
 public:
  SnapshotSink(OpenMetricsWriter& writer, std::string target_labels, std::string timestamp)
      : writer_(writer),
        target_labels_(std::move(target_labels)),
        timestamp_(std::move(timestamp)) {}

  void family(std::string_view name, std::string_view help, std::string_view type) override {
    current_ = writer_.failed_.ok() ? &writer_.family(name, help, type) : nullptr;
    is_histogram_ = type == "histogram";
  }

  void sample(std::string_view name, std::span<const ops::SampleLabel> labels,
              double value) override {
    if (current_ == nullptr || !writer_.failed_.ok()) return;
    // The series' key is its label set without a bucket's `le`: a histogram's buckets, _sum and
    // _count of one instant then sit together, as OpenMetrics wants a MetricPoint.
    key_ = target_labels_;
    std::string_view le;
    bool has_le = false;
    for (const auto& [label, label_value] : labels) {
      if (is_histogram_ && label == "le") {
        le = label_value;
        has_le = true;
        continue;
      }
      key_ += ',';
      key_ += scraped_label_name(label);
      key_ += "=\"";
      ops::append_metric_escaped(key_, label_value, true);
      key_ += '"';
    }
    line_.assign(name);
    line_ += '{';
    line_ += key_;
    if (has_le) {
      line_ += ",le=\"";
      ops::append_metric_escaped(line_, le, true);
      line_ += '"';
    }
    line_ += "} ";
    ops::append_metric_number(line_, value);
    line_ += ' ';
    line_ += timestamp_;
    line_ += '\n';
    if (!writer_.reserve(line_.size())) return;
    current_->series[key_] += line_;
  }

 private:
  OpenMetricsWriter& writer_;
  const std::string target_labels_;  // job="...",instance="..."
  const std::string timestamp_;
  Family* current_ = nullptr;
  bool is_histogram_ = false;
  std::string key_;
  std::string line_;
};

OpenMetricsWriter::OpenMetricsWriter() : OpenMetricsWriter(Options{}) {}

OpenMetricsWriter::OpenMetricsWriter(Options options) : options_(std::move(options)) {}

Status OpenMetricsWriter::fail(Error error) {
  if (failed_.ok()) failed_ = Status(std::move(error));
  return failed_;
}

bool OpenMetricsWriter::reserve(std::size_t bytes) {
  if (!failed_.ok()) return false;
  if (bytes_ + bytes + kEof.size() > options_.max_bytes) {
    fail(make_error(Errc::payload_too_large,
                    "the simulated metrics reach the limit of " +
                        std::to_string(options_.max_bytes) + " bytes in the snapshot at " +
                        seconds_text(pending_unix_ms_) + " s (Unix time), after " +
                        std::to_string(snapshots_) + " complete snapshots: raise " +
                        options_.max_bytes_option +
                        ", or scrape less often, or simulate fewer replicas or less time",
                    options_.max_bytes_option));
    return false;
  }
  bytes_ += bytes;
  return true;
}

OpenMetricsWriter::Family& OpenMetricsWriter::family(std::string_view registered_name,
                                                     std::string_view help, std::string_view type) {
  const std::string name(family_name(registered_name, type));
  if (auto it = family_index_.find(name); it != family_index_.end()) {
    Family& known = families_[it->second];
    if (known.type != type)
      fail(make_error(Errc::internal, "metric family " + name + " is both a " + known.type +
                                          " and a " + std::string(type)));
    return known;
  }
  Family added;
  added.type = type;
  // In the order the specification recommends: TYPE, UNIT, HELP.
  added.header = "# TYPE " + name + ' ' + std::string(type) + '\n';
  if (std::string_view unit = unit_of(name); !unit.empty())
    added.header += "# UNIT " + name + ' ' + std::string(unit) + '\n';
  added.header += "# HELP " + name + ' ';
  ops::append_metric_escaped(added.header, help, true);  // OpenMetrics escapes " in HELP too
  added.header += '\n';
  reserve(added.header.size());
  family_index_.emplace(name, families_.size());
  families_.push_back(std::move(added));
  return families_.back();
}

Status OpenMetricsWriter::append(std::int64_t unix_ms, std::span<const ScrapeTarget> targets) {
  if (!failed_.ok()) return failed_;
  if (unix_ms < 0)
    return fail(make_error(Errc::internal, "a metrics snapshot at " + std::to_string(unix_ms) +
                                               " ms is before the Unix epoch"));
  if (snapshots_ > 0 && unix_ms <= last_unix_ms_)
    return fail(make_error(Errc::internal, "a metrics snapshot at " + seconds_text(unix_ms) +
                                               " s is not after the previous one at " +
                                               seconds_text(last_unix_ms_) + " s"));
  std::unordered_set<std::string_view> instances;
  for (const ScrapeTarget& target : targets) {
    if (target.registry == nullptr || target.instance.empty())
      return fail(make_error(Errc::internal,
                             "a metrics snapshot target needs an instance name "
                             "and a registry"));
    // Two targets of one name would write two samples per series and instant: promtool would
    // keep one and drop the other without a word.
    if (!instances.insert(target.instance).second)
      return fail(
          make_error(Errc::internal, "two metrics snapshot targets are named " + target.instance));
  }
  pending_unix_ms_ = unix_ms;
  const std::string timestamp = seconds_text(unix_ms);
  for (const ScrapeTarget& target : targets) {
    std::string labels = "job=\"";
    ops::append_metric_escaped(labels, options_.job, true);
    labels += "\",instance=\"";
    ops::append_metric_escaped(labels, target.instance, true);
    labels += '"';
    SnapshotSink sink(*this, std::move(labels), timestamp);
    if (target.reachable) target.registry->collect(sink);
    // What Prometheus records for every scrape: 1 when it succeeded, 0 when it failed.
    ops::write_family_header(sink, "up", "1 when the target's last scrape succeeded.", "gauge");
    ops::write_sample(sink, "up", {}, target.reachable ? 1 : 0);
    if (!failed_.ok()) return failed_;
  }
  ++snapshots_;
  last_unix_ms_ = unix_ms;
  return Status::success();
}

std::string OpenMetricsWriter::text() const {
  std::string out;
  out.reserve(size());
  for (const Family& f : families_) {
    out += f.header;
    for (const auto& [key, lines] : f.series) out += lines;
  }
  out += kEof;
  return out;
}

}  // namespace sluice::sim
