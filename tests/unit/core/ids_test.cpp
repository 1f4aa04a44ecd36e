#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sluice::core {
namespace {

const char* kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(RequestIdTest, AcceptsSafeIds) {
  EXPECT_TRUE(is_valid_request_id("abc-123"));
  EXPECT_TRUE(is_valid_request_id("f47ac10b-58cc-4372-a567-0e02b2c3d479"));
  EXPECT_TRUE(is_valid_request_id("a.b_c:d"));
  EXPECT_TRUE(is_valid_request_id(std::string(128, 'x')));
}

TEST(RequestIdTest, RejectsUnsafeIds) {
  EXPECT_FALSE(is_valid_request_id(""));
  EXPECT_FALSE(is_valid_request_id(std::string(129, 'x')));
  EXPECT_FALSE(is_valid_request_id("has space"));
  EXPECT_FALSE(is_valid_request_id("quote\""));
  EXPECT_FALSE(is_valid_request_id("new\nline"));
  EXPECT_FALSE(is_valid_request_id("semi;colon"));
}

TEST(RequestIdTest, GeneratedIdsAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = new_request_id();
    EXPECT_TRUE(is_valid_request_id(id));
    EXPECT_EQ(id.rfind("req_", 0), 0u);
    EXPECT_EQ(id.size(), 28u);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(TraceparentTest, ParsesValidHeader) {
  TraceContext ctx;
  ASSERT_TRUE(parse_traceparent(kValid, ctx));
  EXPECT_EQ(ctx.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ctx.parent_span_id, "00f067aa0ba902b7");
  EXPECT_EQ(ctx.flags, "01");
}

TEST(TraceparentTest, RejectsMalformedHeaders) {
  TraceContext ctx;
  EXPECT_FALSE(parse_traceparent("", ctx));
  EXPECT_FALSE(parse_traceparent("garbage", ctx));
  // uppercase hex
  EXPECT_FALSE(parse_traceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", ctx));
  // all-zero trace id / parent id
  EXPECT_FALSE(parse_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01", ctx));
  EXPECT_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", ctx));
  // version ff is forbidden
  EXPECT_FALSE(parse_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ctx));
  // version 00 must not carry extra fields; wrong separators
  EXPECT_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", ctx));
  EXPECT_FALSE(parse_traceparent("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ctx));
  EXPECT_FALSE(parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01", ctx));
}

TEST(TraceparentTest, FutureVersionsMayAppendFields) {
  TraceContext ctx;
  EXPECT_TRUE(
      parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later", ctx));
}

TEST(TraceContextTest, ContinuesCallersTraceWithNewSpan) {
  auto ctx = trace_context_from(kValid);
  EXPECT_EQ(ctx.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ctx.parent_span_id, "00f067aa0ba902b7");
  EXPECT_EQ(ctx.span_id.size(), 16u);
  EXPECT_NE(ctx.span_id, "00f067aa0ba902b7");
  EXPECT_EQ(ctx.traceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-" + ctx.span_id + "-01");
}

TEST(TraceContextTest, StartsNewTraceOnInvalidHeader) {
  auto ctx = trace_context_from("00-zz");
  EXPECT_EQ(ctx.trace_id.size(), 32u);
  EXPECT_TRUE(ctx.parent_span_id.empty());
  TraceContext parsed;
  EXPECT_TRUE(parse_traceparent(ctx.traceparent(), parsed));
}

TEST(TraceContextTest, ResetReplacesPreviousState) {
  TraceContext ctx = trace_context_from(kValid);
  ctx.reset_from("");
  EXPECT_NE(ctx.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(ctx.parent_span_id.empty());
}

}  // namespace
}  // namespace sluice::core
