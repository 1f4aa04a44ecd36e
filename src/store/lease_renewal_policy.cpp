#include "store/lease_renewal_policy.hpp"

#include <algorithm>

namespace sluice::store {

std::chrono::milliseconds LeaseRenewalPolicy::period() const {
  return std::max(lease / 3, std::chrono::milliseconds(1));
}

bool LeaseRenewalPolicy::lost(const Status& renewed) {
  if (renewed) return false;
  const Errc code = renewed.error().code;
  return code == Errc::conflict || code == Errc::not_found;
}

}  // namespace sluice::store
