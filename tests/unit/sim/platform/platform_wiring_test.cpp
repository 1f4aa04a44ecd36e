// The platform classes wired the way the engine will wire them, on a synthetic load: an HPA on
// in-flight requests driving a ReplicaProvisioner, billed by AlwaysOnCost.

#include <gtest/gtest.h>

#include "sim/platform/always_on_cost.hpp"
#include "sim/platform/horizontal_pod_autoscaler.hpp"
#include "sim/platform/replica_provisioner.hpp"
#include "unit/sim/platform/test_time.hpp"

namespace sluice::sim {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::t0;

// 40 requests in flight spread over the ready replicas (5 per replica wanted) for 5 minutes, then
// 10: the HPA grows 2 -> 4 -> 8 while replicas take 30 s to start, holds 8, and scales in to 2
// only once the 300 s stabilization window has passed the last high recommendation.
TEST(PlatformWiringTest, HpaAndProvisionerFollowALoadStep) {
  HpaConfig config;
  config.min_replicas = 2;
  config.max_replicas = 20;
  config.metrics = {{"in_flight", HpaMetricSpec::Target::average_value, 5}};
  HorizontalPodAutoscaler hpa(config);
  ReplicaProvisioner replicas([] { return Duration(30s); }, 30s, 2, t0);
  AlwaysOnCost cost(3.6, replicas.provisioned(), t0);  // $0.001 per replica-second

  int peak = 0;
  Time first_scale_in{};
  for (int s = 0; s <= 900; s += 15) {
    const Time now = at(s);
    replicas.advance(now);
    const double in_flight = s < 300 ? 40 : 10;
    const double per_replica = in_flight / replicas.ready();
    const auto pods = replicas.hpa_pods(
        [&](ReplicaId) { return std::vector<std::optional<double>>{per_replica}; });
    const HpaDecision d = hpa.sync(now, replicas.desired(), pods);
    if (d.desired_replicas < d.current_replicas && first_scale_in == Time{}) {
      first_scale_in = now;
    }
    replicas.set_desired(d.desired_replicas, now);
    cost.set_replicas(replicas.provisioned(), now);
    peak = std::max(peak, replicas.desired());
    if (s == 60) {
      EXPECT_EQ(replicas.ready(), 8);
      EXPECT_EQ(replicas.pending(), 0);
    }
  }
  EXPECT_EQ(peak, 8);
  // The last high recommendation was at 285 s; the sync at 600 s is the first whose window
  // (300 s, 600 s] no longer holds it.
  EXPECT_EQ(first_scale_in, at(600));
  replicas.advance(at(900 + 30));  // the drain deadline of the last removed replicas
  EXPECT_EQ(replicas.ready(), 2);
  EXPECT_EQ(replicas.provisioned(), 2);
  EXPECT_GT(cost.cost_until(at(900)), 0.001 * 2 * 900);
  EXPECT_LT(cost.cost_until(at(900)), 0.001 * 8 * 900);
}

}  // namespace
}  // namespace sluice::sim
