#pragma once
// The traffic's request mix: which kind of request an arrival is (drawn in proportion to the
// entries' weights) and its prompt and answer lengths. The simulator draws its calls here, and so
// does the live load generator (bench/scenario_load.cpp), so that a live run with the same seed
// sends the very requests the simulation served.

#include <vector>

#include "sim/engine/random.hpp"
#include "sim/model/call.hpp"
#include "sim/scenario/distribution.hpp"
#include "sim/scenario/scenario.hpp"

namespace sluice::sim {

class RequestMix {
 public:
  // `entries` (traffic.mix, checked by load_scenario) must outlive the mix: calls point at their
  // entry's model.
  explicit RequestMix(const std::vector<MixEntryConfig>& entries);

  // The call arriving at `arrival` seconds: one uniform draw for the entry, then its prompt and
  // answer lengths (rounded; at least 1 answer token).
  Call draw(double arrival, Random& random) const;

 private:
  struct Entry {
    double cumulative_weight;
    Distribution prompt_tokens;
    Distribution completion_tokens;
  };
  const std::vector<MixEntryConfig>& config_;
  std::vector<Entry> entries_;
};

}  // namespace sluice::sim
