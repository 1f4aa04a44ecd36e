#include "sim/report/level_series.hpp"

#include <algorithm>
#include <climits>

namespace sluice::sim {

LevelSeries::LevelSeries(double window_seconds, int initial)
    : window_(window_seconds), level_(initial), peak_(initial) {}

void LevelSeries::cover_until(double to) {
  for (double from = since_; from < to;) {
    const auto index = static_cast<std::size_t>(from / window_);
    const double end = std::min(to, static_cast<double>(index + 1) * window_);
    if (windows_.size() <= index) windows_.resize(index + 1, LevelWindow{INT_MAX, INT_MIN, 0});
    LevelWindow& window = windows_[index];
    window.min = std::min(window.min, level_);
    window.max = std::max(window.max, level_);
    window.mean += level_ * (end - from) / window_;
    if (end <= from) break;
    from = end;
  }
  since_ = std::max(since_, to);
}

void LevelSeries::set(double seconds, int level) {
  cover_until(seconds);
  level_ = level;
  peak_ = std::max(peak_, level);
}

std::vector<LevelWindow> LevelSeries::finish(std::size_t windows) {
  cover_until(static_cast<double>(windows) * window_);
  windows_.resize(windows, LevelWindow{level_, level_, 0});
  return std::move(windows_);
}

}  // namespace sluice::sim
