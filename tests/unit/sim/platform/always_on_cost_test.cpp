#include "sim/platform/always_on_cost.hpp"

#include <gtest/gtest.h>

#include "unit/sim/platform/test_time.hpp"

namespace sluice::sim {
namespace {

using testing::at;
using testing::t0;

TEST(AlwaysOnCostTest, AccruesReplicaHoursPerSecond) {
  AlwaysOnCost cost(3.6, 1, t0);  // $3.60 an hour: $0.001 a second
  EXPECT_DOUBLE_EQ(cost.cost_until(t0), 0);
  EXPECT_NEAR(cost.cost_until(at(1)), 0.001, 1e-12);
  EXPECT_NEAR(cost.cost_until(at(90 * 60)), 5.4, 1e-9);  // a partial hour costs its share
}

// 3 replicas for 30 minutes, then 5 for an hour, at $0.10 per replica-hour:
// 3 x 0.5 x 0.10 + 5 x 1 x 0.10 = $0.65.
TEST(AlwaysOnCostTest, FollowsTheReplicaCount) {
  AlwaysOnCost cost(0.10, 3, t0);
  cost.set_replicas(5, at(30 * 60));
  EXPECT_EQ(cost.replicas(), 5);
  EXPECT_NEAR(cost.replica_seconds_until(at(90 * 60)), 3 * 1800 + 5 * 3600, 1e-6);
  EXPECT_NEAR(cost.cost_until(at(90 * 60)), 0.65, 1e-12);
  cost.set_replicas(0, at(90 * 60));
  EXPECT_NEAR(cost.cost_until(at(10 * 3600)), 0.65, 1e-12);
}

TEST(AlwaysOnCostTest, RejectsNegativeInputs) {
  EXPECT_THROW(AlwaysOnCost(-1, 1, t0), std::invalid_argument);
  EXPECT_THROW(AlwaysOnCost(1, -1, t0), std::invalid_argument);
  AlwaysOnCost cost(1, 1, t0);
  EXPECT_THROW(cost.set_replicas(-2, at(1)), std::invalid_argument);
}

}  // namespace
}  // namespace sluice::sim
