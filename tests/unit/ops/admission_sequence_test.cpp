// ops::pass_gates, the admission sequence the filter and the simulator's replica both run: gates
// in order, one deadline, a refusal frees the slots taken before it.
#include "ops/admission_sequence.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace sluice::ops {
namespace {

using Verdict = AdmissionGate::Verdict;

// A clock on which every wait reaches its deadline at once, unless a verdict came first; counts
// the deadlines it was asked to wait for.
struct InstantWait {
  std::vector<int>* deadlines;
  bool woken = false;
  std::function<void(Verdict)> waker() {
    return [this](Verdict) { woken = true; };
  }
  boost::asio::awaitable<void> until(int deadline) {
    deadlines->push_back(deadline);
    co_return;
  }
  Verdict reason() const { return Verdict::timed_out; }
};

AdmissionResult pass(std::array<AdmissionGate*, 2> gates, std::vector<int>& deadlines,
                     core::Priority priority = core::Priority::normal) {
  boost::asio::io_context io;
  auto done = boost::asio::co_spawn(
      io, pass_gates(gates, priority, 7, [&deadlines] { return InstantWait{&deadlines}; }),
      boost::asio::use_future);
  io.run();
  return done.get();
}

TEST(AdmissionSequenceTest, ASlotAtEachGateInOrder) {
  AdmissionGate route(1, 0);
  AdmissionGate global(2, 0);
  std::vector<int> deadlines;
  const AdmissionResult result = pass({&route, &global}, deadlines);
  EXPECT_EQ(result.verdict, Verdict::admitted);
  EXPECT_EQ(route.in_flight(), 1u);
  EXPECT_EQ(global.in_flight(), 1u);
  EXPECT_TRUE(deadlines.empty()) << "free slots: nothing waited";
  EXPECT_EQ(pass({nullptr, &global}, deadlines).verdict, Verdict::admitted);
  EXPECT_EQ(global.in_flight(), 2u);
}

TEST(AdmissionSequenceTest, ARefusalAtTheSecondGateFreesTheFirst) {
  AdmissionGate route(1, 0);
  AdmissionGate global(1, 0);
  ASSERT_TRUE(global.try_admit());  // the global gate is full and has no queue
  std::vector<int> deadlines;
  const AdmissionResult result = pass({&route, &global}, deadlines);
  EXPECT_EQ(result.verdict, Verdict::shed);
  EXPECT_EQ(result.gate, 1u);
  EXPECT_EQ(route.in_flight(), 0u) << "the route's slot went back";
}

TEST(AdmissionSequenceTest, AWaitThatMeetsTheDeadlineTimesOutAtThatGate) {
  AdmissionGate route(1, 4);
  AdmissionGate global(1, 4);
  ASSERT_TRUE(route.try_admit());
  std::vector<int> deadlines;
  const AdmissionResult result = pass({&route, &global}, deadlines);
  EXPECT_EQ(result.verdict, Verdict::timed_out);
  EXPECT_EQ(result.gate, 0u);
  EXPECT_EQ(deadlines, (std::vector<int>{7}));
  EXPECT_EQ(route.queued(), 0u) << "withdrawn from the queue";
  EXPECT_EQ(global.in_flight(), 0u) << "never reached";
}

}  // namespace
}  // namespace sluice::ops
