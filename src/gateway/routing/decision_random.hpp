#pragma once
// Where the gateway's random decisions come from (the balancer's picks, and the seed of each
// request's retry jitter): one generator per thread, all derived from one seed, so that a run can
// be replayed. The first thread to draw gets a generator seeded with the seed itself, the k-th
// (counting from 0) one seeded with stream_seed(seed, k). A server with one event loop
// (server.threads: 1) makes its decisions from Rng(seed) in the order requests reach them, which
// is what `sluice simulate` reproduces when given the same seed (gateway.random_seed).

#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/routing/balancer.hpp"

namespace sluice::gateway {

class DecisionRandom {
 public:
  explicit DecisionRandom(std::uint64_t seed);
  DecisionRandom(const DecisionRandom&) = delete;
  DecisionRandom& operator=(const DecisionRandom&) = delete;

  // The calling thread's generator (created on its first call). Thread-safe; the generator
  // itself is the calling thread's alone.
  Rng& local();
  std::uint64_t seed() const { return seed_; }

  // The seed of the generator of the k-th thread to draw: `seed` itself for k = 0.
  static std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t k);
  // A seed from the operating system's entropy, below 2^53 so that any JSON reader of the log
  // line that reports it keeps it exact, and a configuration can give it back.
  static std::uint64_t from_entropy();

 private:
  const std::uint64_t seed_;
  const std::uint64_t id_;  // unique per instance: what a thread's cached generator belongs to
  std::mutex mutex_;
  std::vector<std::pair<std::thread::id, std::unique_ptr<Rng>>> streams_;  // in creation order
};

}  // namespace sluice::gateway
