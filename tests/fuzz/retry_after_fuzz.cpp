// Retry-After and retry-after-ms header values as an upstream may send them, read at several
// clock readings (the ends of what system_clock's nanoseconds hold included): a value is never
// negative nor past the clamp, and delta-seconds do not depend on the clock (dates may: a
// two-digit year's century, and so whether 29-Feb exists, does).

#include <chrono>

#include "fuzz_support.hpp"
#include "gateway/routing/retry_policy.hpp"

namespace {

using namespace std::chrono;
using sluice::gateway::parse_retry_after;
using sluice::gateway::parse_retry_after_ms;

constexpr milliseconds kMaxWait{1'000'000'000'000'000};  // the parser's documented clamp

const system_clock::time_point kNows[] = {
    sys_days{year{1994} / 11 / 6} + 8h + 49min + 37s + 250ms,  // RFC 9110's example date
    sys_days{year{2026} / 3 / 1},
    sys_days{year{1678} / 1 / 1} + 12h,  // near the ends of the nanosecond clock
    sys_days{year{2262} / 4 / 10},
};

void check(const std::optional<milliseconds>& wait) {
  if (wait) FUZZ_CHECK(*wait >= milliseconds{0} && *wait <= kMaxWait);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header = sluice::fuzz::text(data, size);
  check(parse_retry_after_ms(header));
  const std::optional<milliseconds> first = parse_retry_after(header, kNows[0]);
  check(first);
  const bool is_delta = header.find_first_not_of(" \t0123456789.") == std::string_view::npos;
  for (const system_clock::time_point now : kNows) {
    const std::optional<milliseconds> wait = parse_retry_after(header, now);
    check(wait);
    if (is_delta) FUZZ_CHECK(wait == first);
  }
  return 0;
}
