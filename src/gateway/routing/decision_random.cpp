#include "gateway/routing/decision_random.hpp"

#include <atomic>
#include <random>

namespace sluice::gateway {
namespace {

std::atomic<std::uint64_t> next_instance{1};

// The last generator this thread used, and whose: one comparison per draw in the common case
// (one service per process). Ids never repeat, so a destroyed instance's entry is never read.
struct CachedStream {
  std::uint64_t owner = 0;
  Rng* rng = nullptr;
};
thread_local CachedStream cached;

}  // namespace

DecisionRandom::DecisionRandom(std::uint64_t seed)
    : seed_(seed), id_(next_instance.fetch_add(1, std::memory_order_relaxed)) {}

std::uint64_t DecisionRandom::stream_seed(std::uint64_t seed, std::uint64_t k) {
  if (k == 0) return seed;
  // splitmix64's output function over the seed and the stream's number.
  std::uint64_t z = seed + k * 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t DecisionRandom::from_entropy() {
  std::random_device device;
  const std::uint64_t bits = (std::uint64_t{device()} << 32) ^ device();
  return bits & ((std::uint64_t{1} << 53) - 1);
}

Rng& DecisionRandom::local() {
  if (cached.owner == id_) return *cached.rng;
  std::lock_guard lock(mutex_);
  const std::thread::id me = std::this_thread::get_id();
  Rng* rng = nullptr;
  for (const auto& [thread, stream] : streams_)
    if (thread == me) rng = stream.get();
  if (rng == nullptr) {
    streams_.emplace_back(me, std::make_unique<Rng>(stream_seed(seed_, streams_.size())));
    rng = streams_.back().second.get();
  }
  cached = {id_, rng};
  return *rng;
}

}  // namespace sluice::gateway
