#pragma once
// A count that holds between changes (ready replicas, serverless instances, workers, jobs waiting
// in a queue), over the report's windows: the fewest and most at any instant of each window, and
// the time mean.

#include <cstddef>
#include <vector>

namespace sluice::sim {

struct LevelWindow {
  int min = 0;
  int max = 0;
  double mean = 0;
};

class LevelSeries {
 public:
  // Windows of `window_seconds`; `initial` holds from time 0.
  LevelSeries(double window_seconds, int initial);

  // The count is `level` from `seconds` (since the start) on. A time before the last change's is
  // taken as the last change's.
  void set(double seconds, int level);

  int level() const { return level_; }
  int peak() const { return peak_; }

  // The series over `windows` windows (the last level held to the end of the last one). Once,
  // after the last set().
  std::vector<LevelWindow> finish(std::size_t windows);

 private:
  // The level held over [since_, to): into each window that span covers.
  void cover_until(double to);

  double window_;
  int level_;
  int peak_;
  double since_ = 0;
  std::vector<LevelWindow> windows_;
};

}  // namespace sluice::sim
