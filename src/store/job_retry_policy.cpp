#include "store/job_retry_policy.hpp"

#include <algorithm>

namespace sluice::store {

std::chrono::milliseconds JobRetryPolicy::retry_delay(int attempts) const {
  std::chrono::milliseconds delay = std::max(retry_base, std::chrono::milliseconds(1));
  for (int i = 1; i < attempts && delay < kMaxRetryDelay; ++i) delay *= 2;
  return std::min(delay, kMaxRetryDelay);
}

}  // namespace sluice::store
