#include "ops/tracer.hpp"

#include <gtest/gtest.h>

namespace sluice::ops {
namespace {

class TracerTest : public ::testing::Test {
 protected:
  Registry registry_;
  TraceMetrics metrics_{registry_};
  SpanQueue queue_{100};
  Tracer tracer_{queue_, *TraceSampler::parse("parentbased_always_on", 1), metrics_};
};

TEST_F(TracerTest, KeepsSpansPerThreadUntilABatchOrAFlush) {
  tracer_.record(Span{});
  EXPECT_EQ(queue_.size(), 0u);  // not yet: no lock per span
  tracer_.flush_thread();
  EXPECT_EQ(queue_.size(), 1u);
  for (std::size_t i = 0; i < Tracer::kThreadBatch; ++i) tracer_.record(Span{});
  EXPECT_EQ(queue_.size(), 1u + Tracer::kThreadBatch);
}

TEST_F(TracerTest, CountsSpansTheQueueCannotTake) {
  for (int i = 0; i < 130; ++i) tracer_.record(Span{});
  tracer_.flush_thread();
  EXPECT_EQ(queue_.size(), 100u);
  EXPECT_NE(registry_.render().find("sluice_trace_spans_dropped_total{reason=\"queue_full\"} 30"),
            std::string::npos)
      << registry_.render();
}

TEST_F(TracerTest, AChildContinuesTheTraceUnderItsParent) {
  const core::TraceContext server =
      core::trace_context_from("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  const core::TraceContext child = Tracer::child_of(server, true);
  EXPECT_EQ(child.trace_id, server.trace_id);
  EXPECT_EQ(child.parent_span_id, server.span_id);
  EXPECT_EQ(child.span_id.size(), 16u);
  EXPECT_NE(child.span_id, server.span_id);
  EXPECT_EQ(child.traceparent(), "00-" + server.trace_id + "-" + child.span_id + "-01");
  EXPECT_EQ(Tracer::child_of(server, false).flags, "00");

  const Span span = Tracer::span_for(child, SpanKind::client);
  EXPECT_TRUE(span.has_parent);
  EXPECT_TRUE(span.sampled);
  std::array<uint8_t, 8> server_span{};
  ASSERT_TRUE(hex_to_bytes(server.span_id, server_span.data(), server_span.size()));
  EXPECT_EQ(span.parent_span_id, server_span);
}

TEST_F(TracerTest, WallClockTimesFollowTheSteadyClock) {
  const auto now = std::chrono::steady_clock::now();
  const uint64_t a = Tracer::unix_nanos(now);
  const uint64_t b = Tracer::unix_nanos(now + std::chrono::milliseconds(250));
  EXPECT_NEAR(static_cast<double>(b - a), 250e6, 1e6);
  const auto wall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  EXPECT_NEAR(static_cast<double>(a), static_cast<double>(wall), 1e9);
}

}  // namespace
}  // namespace sluice::ops
