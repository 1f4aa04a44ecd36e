#pragma once
// The simulation's randomness: one seed per run, from which every stream (arrivals, the request
// mix, each upstream's latencies and faults, each replica's routing picks) derives its own seed
// by name, so that adding a stream or drawing more from one leaves the others unchanged. The
// generator and the transforms are written here (no std:: distribution, whose algorithms vary
// between standard libraries), so a seed replays the same run with any build that has the same
// math library (log, exp, cos are libm's).

#include <cstdint>
#include <string_view>

namespace sluice::sim {

// splitmix64's output function: a bijective mix of 64 bits.
std::uint64_t mix64(std::uint64_t x);

// The seed of stream `name` (and `index`, for one of many: replica 3) of a run seeded `seed`.
std::uint64_t derive_seed(std::uint64_t seed, std::string_view name, std::uint64_t index = 0);

// xoshiro256** (Blackman and Vigna): fast, 256 bits of state, good equidistribution.
class Random {
 public:
  explicit Random(std::uint64_t seed);

  std::uint64_t next();
  // Uniform in [0, 1), 53 bits.
  double uniform();
  // Uniform in (0, 1]: safe to take the logarithm of.
  double uniform_positive() { return 1.0 - uniform(); }

 private:
  std::uint64_t s_[4];
};

}  // namespace sluice::sim
