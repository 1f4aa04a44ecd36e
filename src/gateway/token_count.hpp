#pragma once

#include <boost/json/fwd.hpp>

namespace sluice::gateway {

// The largest token count an upstream may report: far above any context window, and small enough
// that sums of a few counts (prompt + completion, cost arithmetic) cannot overflow.
inline constexpr long long kMaxTokenCount = 1'000'000'000'000;

// A token count from upstream JSON, which nothing guarantees to be sane: a number rounded down
// (1e3 and 12.0 are counts too) and clamped to [0, kMaxTokenCount]; anything else is 0.
long long token_count(const boost::json::value& value);

}  // namespace sluice::gateway
