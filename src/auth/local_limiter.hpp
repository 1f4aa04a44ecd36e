#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "auth/limiter.hpp"

namespace sluice::auth {

// The in-process Limiter: one GCRA timestamp per limited key, in shards chosen by the key's
// digest, each with its own short mutex (no lock shared by every request). A known key costs no
// allocation. At most `max_keys` keys are tracked: a full shard first forgets keys whose time is
// in the past (such an entry is a full bucket, no state), then the one closest to that.
class LocalLimiter final : public Limiter {
 public:
  explicit LocalLimiter(std::size_t max_keys = 100'000);

  bool acquire(std::span<const LimitCheck> checks, std::span<LimitState> states,
               int64_t now_ns) override;
  void adjust(const LimitCheck& check, int64_t delta, int64_t now_ns) override;

  // Keys tracked now, across shards (locks each shard in turn: for tests and metrics).
  std::size_t tracked() const;

 private:
  static constexpr std::size_t kShards = 64;
  struct alignas(64) Shard {
    mutable std::mutex mutex;
    std::unordered_map<uint64_t, int64_t> tat_ns;  // key digest -> theoretical arrival time
  };
  Shard& shard_of(uint64_t key) { return shards_[(key ^ (key >> 29)) % kShards]; }
  // The entry for `key`, made room for when the shard is full; the shard's mutex is held.
  int64_t& entry(Shard& shard, uint64_t key, int64_t now_ns);
  // Where `check` stands without charging it.
  LimitState peek(const LimitCheck& check, int64_t now_ns);

  std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace sluice::auth
