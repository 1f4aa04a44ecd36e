#include "gateway/token_count.hpp"

#include <boost/json/value.hpp>
#include <cmath>

namespace sluice::gateway {

long long token_count(const boost::json::value& value) {
  if (value.is_int64()) {
    const long long n = value.get_int64();
    return n < 0 ? 0 : n > kMaxTokenCount ? kMaxTokenCount : n;
  }
  if (value.is_uint64()) {
    const unsigned long long n = value.get_uint64();
    return n > static_cast<unsigned long long>(kMaxTokenCount) ? kMaxTokenCount
                                                               : static_cast<long long>(n);
  }
  if (value.is_double()) {
    // Compared before the cast: converting a double out of long long's range is undefined.
    const double d = value.get_double();
    if (!(d >= 1)) return 0;  // negative, fractions of one, NaN
    if (d >= static_cast<double>(kMaxTokenCount)) return kMaxTokenCount;
    return static_cast<long long>(std::floor(d));
  }
  return 0;
}

}  // namespace sluice::gateway
