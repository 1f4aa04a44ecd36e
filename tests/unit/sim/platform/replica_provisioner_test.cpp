#include "sim/platform/replica_provisioner.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "unit/sim/platform/test_time.hpp"

namespace sluice::sim {
namespace {

using namespace std::chrono_literals;
using testing::at;
using testing::secs;
using testing::t0;
using Kind = ReplicaTransition::Kind;

// Start-up delays handed out in order, as a seeded distribution would.
DurationSampler delays(std::vector<double> seconds) {
  auto queue = std::make_shared<std::deque<double>>(seconds.begin(), seconds.end());
  return [queue] {
    const double s = queue->front();
    queue->pop_front();
    return secs(s);
  };
}

TEST(ReplicaProvisionerTest, NewReplicasBecomeReadyAfterTheirSampledDelay) {
  ReplicaProvisioner p(delays({10, 30, 20}), 30s, 1, t0);
  EXPECT_EQ(p.ready(), 1);
  p.set_desired(4, t0);
  EXPECT_EQ(p.pending(), 3);
  EXPECT_EQ(p.desired(), 4);
  EXPECT_EQ(p.next_transition(), at(10));

  EXPECT_TRUE(p.advance(at(9.999)).empty());
  auto t = p.advance(at(10));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].kind, Kind::became_ready);
  EXPECT_EQ(t[0].at, at(10));
  EXPECT_EQ(p.ready(), 2);
  EXPECT_EQ(p.next_transition(), at(20));

  // A late call settles both remaining replicas, in time order.
  t = p.advance(at(45));
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].at, at(20));
  EXPECT_EQ(t[1].at, at(30));
  EXPECT_EQ(p.ready(), 4);
  EXPECT_EQ(p.ready_ids().size(), 4u);
  EXPECT_FALSE(p.next_transition().has_value());
}

// Scale-down: pending replicas go first (gone at once: nothing in flight), then the most
// recently ready ones drain.
TEST(ReplicaProvisionerTest, ScaleDownRemovesPendingFirstThenDrainsTheYoungestReady) {
  ReplicaProvisioner p(delays({10, 20, 100, 100}), 30s, 1, t0);  // replica 1 ready at t0
  p.set_desired(3, t0);                                          // 2 ready at 10 s, 3 at 20 s
  p.advance(at(25));
  p.set_desired(5, at(25));  // 4 and 5 pending until 125 s
  auto t = p.set_desired(2, at(30));
  ASSERT_EQ(t.size(), 5u);
  // Draining: 5 and 4 (pending), then 3 (ready at 20 s, the youngest ready).
  EXPECT_EQ(t[0].kind, Kind::draining);
  EXPECT_EQ(t[0].id, 5u);
  EXPECT_EQ(t[1].id, 4u);
  EXPECT_EQ(t[2].id, 3u);
  // The pending ones are removed at once; 3 drains.
  EXPECT_EQ(t[3].kind, Kind::removed);
  EXPECT_EQ(t[4].kind, Kind::removed);
  EXPECT_EQ(p.pending(), 0);
  EXPECT_EQ(p.ready(), 2);
  EXPECT_EQ(p.draining(), 1);
  EXPECT_EQ(p.provisioned(), 3);
  EXPECT_EQ(p.ready_ids(), (std::vector<ReplicaId>{1, 2}));
}

TEST(ReplicaProvisionerTest, DrainingEndsWhenIdleOrAtTheGraceDeadline) {
  ReplicaProvisioner p(delays({}), 30s, 3, t0);
  p.set_desired(1, at(10));
  EXPECT_EQ(p.draining(), 2);
  EXPECT_EQ(p.next_transition(), at(40));
  const ReplicaId first = p.replicas()[1].id;
  EXPECT_TRUE(p.drained(first));
  EXPECT_FALSE(p.drained(first));
  EXPECT_EQ(p.draining(), 1);
  auto t = p.advance(at(40));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].kind, Kind::removed);
  EXPECT_EQ(p.provisioned(), 1);
}

// The replicas as the HPA lists them: starting ones Pending, draining ones terminating.
TEST(ReplicaProvisionerTest, ListsReplicasAsHpaPods) {
  ReplicaProvisioner p(delays({60, 60}), 30s, 2, t0);
  p.set_desired(4, at(5));
  p.set_desired(3, at(6));  // one pending replica goes
  p.set_desired(2, at(7));  // ...then the other; and none of the ready ones
  p.set_desired(1, at(8));  // one ready replica drains
  const auto pods = p.hpa_pods([](ReplicaId) { return std::vector<std::optional<double>>{1.0}; });
  ASSERT_EQ(pods.size(), 2u);
  int running = 0, terminating = 0;
  for (const HpaPod& pod : pods) {
    if (pod.phase == HpaPod::Phase::running) {
      ++running;
      EXPECT_TRUE(pod.ready);
      EXPECT_EQ(pod.samples.size(), 1u);
    }
    if (pod.phase == HpaPod::Phase::terminating) ++terminating;
  }
  EXPECT_EQ(running, 1);
  EXPECT_EQ(terminating, 1);

  ReplicaProvisioner q(delays({60}), 30s, 0, t0);
  q.set_desired(1, t0);
  const auto starting = q.hpa_pods([](ReplicaId) { return std::vector<std::optional<double>>{}; });
  ASSERT_EQ(starting.size(), 1u);
  EXPECT_EQ(starting[0].phase, HpaPod::Phase::pending);
  EXPECT_FALSE(starting[0].ready);
}

}  // namespace
}  // namespace sluice::sim
