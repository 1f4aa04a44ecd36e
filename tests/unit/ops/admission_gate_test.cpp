#include "ops/admission_gate.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sluice::ops {
namespace {

using core::Priority;
using Verdict = AdmissionGate::Verdict;

// A queued request whose wake-ups are recorded instead of resuming anything.
struct Recorded {
  std::shared_ptr<AdmissionGate::Waiter> waiter;
  std::vector<Verdict> woken;
};

std::unique_ptr<Recorded> waiter(Priority priority) {
  auto r = std::make_unique<Recorded>();
  r->waiter = std::make_shared<AdmissionGate::Waiter>(priority);
  r->waiter->wake = [r = r.get()](Verdict v) { r->woken.push_back(v); };
  return r;
}

TEST(AdmissionGateTest, AdmitsUpToTheLimitWithoutQueueing) {
  AdmissionGate gate(2, 4);
  EXPECT_TRUE(gate.try_admit());
  EXPECT_TRUE(gate.try_admit());
  EXPECT_FALSE(gate.try_admit());
  EXPECT_EQ(gate.in_flight(), 2u);
  gate.release();
  EXPECT_TRUE(gate.try_admit());
}

TEST(AdmissionGateTest, EnterTakesAFreeSlotAtOnce) {
  AdmissionGate gate(1, 1);
  auto a = waiter(Priority::normal);
  EXPECT_EQ(gate.enter(a->waiter), Verdict::admitted);
  EXPECT_TRUE(a->woken.empty());  // a verdict returned is not also woken
  EXPECT_EQ(gate.in_flight(), 1u);
}

TEST(AdmissionGateTest, WaitersOfOneClassAreAdmittedFirstInFirstOut) {
  AdmissionGate gate(1, 3);
  ASSERT_TRUE(gate.try_admit());
  auto first = waiter(Priority::normal), second = waiter(Priority::normal);
  EXPECT_EQ(gate.enter(first->waiter), Verdict::waiting);
  EXPECT_EQ(gate.enter(second->waiter), Verdict::waiting);
  EXPECT_EQ(gate.queued(), 2u);
  EXPECT_FALSE(gate.try_admit());  // a free slot belongs to the waiters first

  gate.release();
  EXPECT_EQ(first->woken, std::vector<Verdict>{Verdict::admitted});
  EXPECT_TRUE(second->woken.empty());
  EXPECT_EQ(gate.in_flight(), 1u);  // handed over, never free
  gate.release();
  EXPECT_EQ(second->woken, std::vector<Verdict>{Verdict::admitted});
  gate.release();
  EXPECT_EQ(gate.in_flight(), 0u);
  EXPECT_EQ(gate.queued(), 0u);
}

TEST(AdmissionGateTest, AHigherClassIsAdmittedBeforeEarlierLowerOnes) {
  AdmissionGate gate(1, 3);
  ASSERT_TRUE(gate.try_admit());
  auto low = waiter(Priority::low), normal = waiter(Priority::normal),
       high = waiter(Priority::high);
  ASSERT_EQ(gate.enter(low->waiter), Verdict::waiting);
  ASSERT_EQ(gate.enter(normal->waiter), Verdict::waiting);
  ASSERT_EQ(gate.enter(high->waiter), Verdict::waiting);
  gate.release();
  EXPECT_EQ(high->woken, std::vector<Verdict>{Verdict::admitted});
  gate.release();
  EXPECT_EQ(normal->woken, std::vector<Verdict>{Verdict::admitted});
  gate.release();
  EXPECT_EQ(low->woken, std::vector<Verdict>{Verdict::admitted});
}

TEST(AdmissionGateTest, AFullQueueShedsTheNewestOfTheLowestClassForAHigherArrival) {
  AdmissionGate gate(1, 2);
  ASSERT_TRUE(gate.try_admit());
  auto older_low = waiter(Priority::low), newer_low = waiter(Priority::low);
  ASSERT_EQ(gate.enter(older_low->waiter), Verdict::waiting);
  ASSERT_EQ(gate.enter(newer_low->waiter), Verdict::waiting);
  auto high = waiter(Priority::high);
  EXPECT_EQ(gate.enter(high->waiter), Verdict::waiting);
  EXPECT_EQ(newer_low->woken, std::vector<Verdict>{Verdict::shed});
  EXPECT_TRUE(older_low->woken.empty());
  EXPECT_EQ(gate.queued(), 2u);
  gate.release();
  EXPECT_EQ(high->woken, std::vector<Verdict>{Verdict::admitted});
}

TEST(AdmissionGateTest, AFullQueueShedsAnArrivalNoWaiterRanksBelow) {
  AdmissionGate gate(1, 1);
  ASSERT_TRUE(gate.try_admit());
  auto queued = waiter(Priority::normal);
  ASSERT_EQ(gate.enter(queued->waiter), Verdict::waiting);
  auto same = waiter(Priority::normal), lower = waiter(Priority::low);
  EXPECT_EQ(gate.enter(same->waiter), Verdict::shed);
  EXPECT_EQ(gate.enter(lower->waiter), Verdict::shed);
  EXPECT_TRUE(queued->woken.empty());
  EXPECT_EQ(gate.queued(), 1u);
}

TEST(AdmissionGateTest, WithoutAQueueTheExcessIsShedAtOnce) {
  AdmissionGate gate(1, 0);
  ASSERT_TRUE(gate.try_admit());
  auto high = waiter(Priority::high);
  EXPECT_EQ(gate.enter(high->waiter), Verdict::shed);
}

TEST(AdmissionGateTest, AWithdrawnWaiterLeavesItsPlaceAndIsNeverAdmitted) {
  AdmissionGate gate(1, 1);
  ASSERT_TRUE(gate.try_admit());
  auto gone = waiter(Priority::normal);
  ASSERT_EQ(gate.enter(gone->waiter), Verdict::waiting);
  EXPECT_EQ(gate.withdraw(*gone->waiter, Verdict::gone), Verdict::gone);
  EXPECT_EQ(gate.queued(), 0u);
  auto next = waiter(Priority::normal);  // its place is free again
  EXPECT_EQ(gate.enter(next->waiter), Verdict::waiting);
  gate.release();
  EXPECT_TRUE(gone->woken.empty());
  EXPECT_EQ(next->woken, std::vector<Verdict>{Verdict::admitted});
}

TEST(AdmissionGateTest, WithdrawAfterAVerdictKeepsTheVerdict) {
  AdmissionGate gate(1, 1);
  ASSERT_TRUE(gate.try_admit());
  auto late = waiter(Priority::normal);
  ASSERT_EQ(gate.enter(late->waiter), Verdict::waiting);
  gate.release();  // admitted, its wake-up still on the way when max wait passes
  EXPECT_EQ(gate.withdraw(*late->waiter, Verdict::timed_out), Verdict::admitted);
  EXPECT_EQ(gate.in_flight(), 1u);  // the caller holds the slot and must release it
}

// Many threads taking and releasing slots, some through the queue: the limit is never exceeded
// and every slot comes back.
TEST(AdmissionGateTest, ConcurrentUseNeverExceedsTheLimitNorLeaksASlot) {
  constexpr std::size_t kLimit = 3;
  AdmissionGate gate(kLimit, 64);
  std::atomic<int> holding{0}, most{0};
  const auto hold = [&] {
    const int now = holding.fetch_add(1) + 1;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    holding.fetch_sub(1);
    gate.release();
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (gate.try_admit()) {
          hold();
          continue;
        }
        std::atomic<bool> admitted{false};
        auto w = std::make_shared<AdmissionGate::Waiter>(core::Priority::normal);
        w->wake = [&admitted](Verdict v) {
          if (v == Verdict::admitted) admitted.store(true);
        };
        Verdict v = gate.enter(w);
        if (v == Verdict::waiting) {
          while (!admitted.load()) std::this_thread::yield();
          v = Verdict::admitted;
        }
        if (v == Verdict::admitted) hold();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(most.load(), static_cast<int>(kLimit));
  EXPECT_EQ(gate.in_flight(), 0u);
  EXPECT_EQ(gate.queued(), 0u);
}

}  // namespace
}  // namespace sluice::ops
