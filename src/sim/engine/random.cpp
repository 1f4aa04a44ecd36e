#include "sim/engine/random.hpp"

#include "core/fnv1a.hpp"

namespace sluice::sim {
namespace {

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t derive_seed(std::uint64_t seed, std::string_view name, std::uint64_t index) {
  return mix64(mix64(seed ^ core::fnv1a(name)) + 0x9e3779b97f4a7c15ULL * (index + 1));
}

Random::Random(std::uint64_t seed) {
  // splitmix64 fills the state, as xoshiro's authors recommend: never all zero.
  for (std::uint64_t& word : s_) {
    seed += 0x9e3779b97f4a7c15ULL;
    word = mix64(seed);
  }
}

std::uint64_t Random::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Random::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

}  // namespace sluice::sim
