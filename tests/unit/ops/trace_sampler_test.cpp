#include "ops/trace_sampler.hpp"

#include <gtest/gtest.h>

namespace sluice::ops {
namespace {

core::TraceContext with_parent(std::string_view flags) {
  return core::trace_context_from("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-" +
                                  std::string(flags));
}

TEST(TraceSampler, ParsesTheStandardNames) {
  EXPECT_TRUE(TraceSampler::parse("parentbased_always_on", 0)->parent_based);
  EXPECT_EQ(TraceSampler::parse("always_off", 1)->ratio, 0.0);
  EXPECT_FALSE(TraceSampler::parse("always_off", 1)->parent_based);
  EXPECT_EQ(TraceSampler::parse("traceidratio", 0.3)->ratio, 0.3);
  EXPECT_EQ(TraceSampler::parse("parentbased_traceidratio", 7)->ratio, 1.0);
  EXPECT_FALSE(TraceSampler::parse("sometimes", 1));
}

TEST(TraceSampler, ParentBasedFollowsTheCallersFlag) {
  const auto on = *TraceSampler::parse("parentbased_always_on", 1);
  EXPECT_TRUE(on.sampled(with_parent("01")));
  EXPECT_FALSE(on.sampled(with_parent("00")));
  const auto off = *TraceSampler::parse("parentbased_always_off", 1);
  EXPECT_TRUE(off.sampled(with_parent("01")));
  EXPECT_FALSE(off.sampled(core::trace_context_from("")));  // a new trace
  // Not parent-based: the caller's flag does not count.
  EXPECT_FALSE(TraceSampler::parse("always_off", 1)->sampled(with_parent("01")));
  EXPECT_TRUE(TraceSampler::parse("always_on", 1)->sampled(with_parent("00")));
}

TEST(TraceSampler, RatioDecidesByTraceIdAlone) {
  const auto tenth = *TraceSampler::parse("traceidratio", 0.1);
  int sampled = 0;
  constexpr int kTraces = 20000;
  for (int i = 0; i < kTraces; ++i) {
    const core::TraceContext trace = core::trace_context_from("");
    const bool decision = tenth.sampled(trace);
    EXPECT_EQ(decision, tenth.sampled(trace));  // the same trace, the same answer
    sampled += decision ? 1 : 0;
  }
  EXPECT_NEAR(sampled / static_cast<double>(kTraces), 0.1, 0.02);
  // The lowest ids are in, the highest out, whatever the ratio.
  core::TraceContext low = with_parent("00");
  low.parent_span_id.clear();
  low.trace_id = "ffffffffffffffff0000000000000001";
  EXPECT_TRUE(tenth.sampled(low));
  low.trace_id = "0000000000000000ffffffffffffffff";
  EXPECT_FALSE(tenth.sampled(low));
}

}  // namespace
}  // namespace sluice::ops
