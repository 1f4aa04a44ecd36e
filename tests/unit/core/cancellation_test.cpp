#include "core/cancellation.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace sluice::core {
namespace {

TEST(CancellationTest, SubscribersRunOnceWithTheFirstReason) {
  Cancellation c;
  int calls = 0;
  auto s = Cancellation::subscribe(&c, [&] { ++calls; });
  c.cancel(Cancellation::Reason::client_gone);
  c.cancel(Cancellation::Reason::deadline);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(c.reason(), Cancellation::Reason::client_gone);
}

TEST(CancellationTest, EndedSubscriptionsDoNotRun) {
  Cancellation c;
  int calls = 0;
  {
    auto s = Cancellation::subscribe(&c, [&] { ++calls; });
  }
  c.cancel(Cancellation::Reason::shutdown);
  EXPECT_EQ(calls, 0);
}

TEST(CancellationTest, SubscribingAfterTheSignalRunsAtOnce) {
  Cancellation c;
  c.cancel(Cancellation::Reason::deadline);
  int calls = 0;
  auto s = Cancellation::subscribe(&c, [&] { ++calls; });
  EXPECT_EQ(calls, 1);
}

TEST(CancellationTest, MovedSubscriptionStillRuns) {
  Cancellation c;
  int calls = 0;
  std::optional<Cancellation::Subscription> kept;
  {
    auto s = Cancellation::subscribe(&c, [&] { ++calls; });
    kept.emplace(std::move(s));
  }
  c.cancel(Cancellation::Reason::client_gone);
  EXPECT_EQ(calls, 1);
}

TEST(CancellationTest, ResetMakesItReusableAndNullIsHarmless) {
  Cancellation c;
  c.cancel(Cancellation::Reason::client_gone);
  c.reset();
  EXPECT_FALSE(c.cancelled());
  auto none = Cancellation::subscribe(nullptr, [] { FAIL(); });
}

TEST(CancellationTest, SubscriptionOutlivingTheSignalIsSafe) {
  std::optional<Cancellation> c;
  c.emplace();
  auto s = Cancellation::subscribe(&*c, [] {});
  c.reset();  // destroys the signal first; the subscription's destructor must not touch it
}

}  // namespace
}  // namespace sluice::core
