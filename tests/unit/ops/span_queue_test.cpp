#include "ops/span_queue.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace sluice::ops {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<Span> spans_named(std::initializer_list<const char*> names) {
  std::vector<Span> out;
  for (const char* name : names) {
    Span span;
    span.name = name;
    out.push_back(std::move(span));
  }
  return out;
}

TEST(SpanQueue, KeepsTheOldestAndDropsWhatDoesNotFit) {
  SpanQueue queue(3);
  auto first = spans_named({"a", "b"});
  EXPECT_EQ(queue.push(first), 0u);
  EXPECT_TRUE(first.empty());
  auto second = spans_named({"c", "d", "e"});
  EXPECT_EQ(queue.push(second), 2u);
  EXPECT_EQ(queue.size(), 3u);
  const auto batch = queue.pop(10, Clock::now());
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].name, "a");
  EXPECT_EQ(batch[2].name, "c");
}

TEST(SpanQueue, PopTakesAtMostMaxOldestFirst) {
  SpanQueue queue(10);
  auto spans = spans_named({"a", "b", "c"});
  queue.push(spans);
  const auto batch = queue.pop(2, Clock::now());
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[1].name, "b");
  EXPECT_EQ(queue.size(), 1u);
}

TEST(SpanQueue, PopReturnsWhatIsThereAtTheDeadline) {
  SpanQueue queue(10);
  auto spans = spans_named({"a"});
  queue.push(spans);
  EXPECT_EQ(queue.pop(5, Clock::now() + std::chrono::milliseconds(20)).size(), 1u);
  EXPECT_TRUE(queue.pop(5, Clock::now()).empty());
}

TEST(SpanQueue, AFullBatchWakesAWaitingPop) {
  SpanQueue queue(10);
  std::thread producer([&] {
    auto spans = spans_named({"a", "b"});
    queue.push(spans);
  });
  // The deadline is far: only the batch being complete can end the wait in time.
  const auto batch = queue.pop(2, Clock::now() + std::chrono::minutes(5));
  producer.join();
  EXPECT_EQ(batch.size(), 2u);
}

TEST(SpanQueue, CloseWakesAWaitingPop) {
  SpanQueue queue(10);
  std::thread closer([&] { queue.close(); });
  EXPECT_TRUE(queue.pop(2, Clock::now() + std::chrono::minutes(5)).empty());
  closer.join();
  EXPECT_TRUE(queue.closed());
}

}  // namespace
}  // namespace sluice::ops
