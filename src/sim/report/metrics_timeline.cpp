#include "sim/report/metrics_timeline.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <utility>

namespace sluice::sim {

MetricsTimeline::MetricsTimeline(Options options)
    : options_(std::move(options)), writer_(options_.format) {}

void MetricsTimeline::add_replica(std::string instance, const ops::Registry& registry) {
  replicas_.push_back(ScrapeTarget{std::move(instance), &registry});
  leaving_.push_back(false);
}

void MetricsTimeline::remove_replica(std::string_view instance, bool fails_next_scrape) {
  for (std::size_t i = 0; i < replicas_.size(); ++i)
    if (replicas_[i].instance == instance) {
      replicas_[i].reachable = false;
      leaving_[i] = true;
    }
  if (fails_next_scrape) return;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    if (replicas_[i].instance == instance) continue;
    if (kept != i) replicas_[kept] = std::move(replicas_[i]);
    leaving_[kept] = leaving_[i];
    ++kept;
  }
  replicas_.resize(kept);
  leaving_.resize(kept);
}

void MetricsTimeline::set_reachable(std::string_view instance, bool reachable) {
  for (std::size_t i = 0; i < replicas_.size(); ++i)
    if (replicas_[i].instance == instance && !leaving_[i]) replicas_[i].reachable = reachable;
}

Status MetricsTimeline::snapshot(double virtual_seconds) {
  const double unix_seconds = options_.start_unix_seconds + virtual_seconds;
  if (!std::isfinite(unix_seconds))
    return make_error(Errc::internal, "a metrics snapshot needs a finite virtual time");
  Status appended =
      writer_.append(static_cast<std::int64_t>(std::llround(unix_seconds * 1000)), replicas_);
  // The removed ones had their last, failed, scrape.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    if (leaving_[i]) continue;
    if (kept != i) replicas_[kept] = std::move(replicas_[i]);
    ++kept;
  }
  replicas_.resize(kept);
  leaving_.assign(kept, false);
  return appended;
}

Status MetricsTimeline::finish() {
  Status appended = writer_.append_status();
  if (!appended.ok()) return appended;
  const std::string temporary = options_.path + ".tmp";
  const std::string text = writer_.text();
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file.write(text.data(), static_cast<std::streamsize>(text.size()));
    file.close();
    if (!file) {
      std::remove(temporary.c_str());
      return make_error(Errc::internal, "cannot write the simulated metrics to " + temporary);
    }
  }
  if (std::rename(temporary.c_str(), options_.path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return make_error(Errc::internal, "cannot write the simulated metrics to " + options_.path);
  }
  return Status::success();
}

}  // namespace sluice::sim
