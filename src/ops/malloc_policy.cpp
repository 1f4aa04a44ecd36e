#include "ops/malloc_policy.hpp"

#include <malloc.h>

#include <cstdlib>

namespace sluice::ops {

void return_large_blocks_to_the_system() {
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) return;
  constexpr int kMmapThreshold = 1 << 20;
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);  // fixed: disables glibc's dynamic threshold
}

}  // namespace sluice::ops
