#pragma once
// Tests that measure the release build's own timing, CPU or allocator skip under
// AddressSanitizer: there the allocator is ASan's (quarantine, no glibc mmap threshold) and every
// step costs the instrumentation's time.

#include <gtest/gtest.h>

namespace sluice::testing {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

}  // namespace sluice::testing

#define SKIP_WHEN_SANITIZED()        \
  if (::sluice::testing::kSanitized) \
  GTEST_SKIP() << "measures the release build's timing, CPU or allocator"
