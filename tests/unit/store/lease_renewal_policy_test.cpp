// The lease renewal of the ingest workers and `sluice simulate`'s queued workers.

#include "store/lease_renewal_policy.hpp"

#include <gtest/gtest.h>

namespace sluice::store {
namespace {

using std::chrono::milliseconds;

TEST(LeaseRenewalPolicyTest, RenewsEveryThirdOfALeaseAtLeastAMillisecondApart) {
  EXPECT_EQ(LeaseRenewalPolicy{}.period(), milliseconds(20'000));  // rag.job_lease's 60 s
  EXPECT_EQ(LeaseRenewalPolicy{.lease = milliseconds(2'000)}.period(), milliseconds(666));
  EXPECT_EQ(LeaseRenewalPolicy{.lease = milliseconds(60)}.period(), milliseconds(20));
  // Always before the lease expires, however short the lease.
  for (int lease = 1; lease <= 10; ++lease) {
    const LeaseRenewalPolicy policy{.lease = milliseconds(lease)};
    EXPECT_GE(policy.period(), milliseconds(1)) << lease;
    EXPECT_LE(policy.period(), milliseconds(lease)) << lease;
  }
}

TEST(LeaseRenewalPolicyTest, OnlyALostLeaseEndsTheRenewals) {
  EXPECT_FALSE(LeaseRenewalPolicy::lost(Status::success()));
  // Taken over by another worker, or gone: no use renewing.
  EXPECT_TRUE(LeaseRenewalPolicy::lost(make_error(Errc::conflict, "lease lost")));
  EXPECT_TRUE(LeaseRenewalPolicy::lost(make_error(Errc::not_found, "no such job")));
  // The store could not be asked: tried again at the next renewal.
  EXPECT_FALSE(LeaseRenewalPolicy::lost(make_error(Errc::unavailable, "database is locked")));
  EXPECT_FALSE(LeaseRenewalPolicy::lost(make_error(Errc::internal, "disk I/O error")));
}

}  // namespace
}  // namespace sluice::store
