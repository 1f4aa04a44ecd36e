#include "mock/mock_knobs.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::mock {
namespace {

namespace json = boost::json;

json::object object(std::string_view text) { return json::parse(text).as_object(); }

Knobs startup_knobs() {
  Knobs k;
  k.latency_ms = 7;
  k.chunks = 3;
  return k;
}

TEST(LiveKnobs, EachConfigChangesOnlyTheKnobsItNames) {
  LiveKnobs live(startup_knobs());
  ASSERT_TRUE(live.merge(object(R"({"error_rate":1,"error_status":503})")));
  auto second = live.merge(object(R"({"latency_ms":300})"));
  ASSERT_TRUE(second);
  const Knobs now = live.load();
  EXPECT_EQ(now.error_rate, 1);
  EXPECT_EQ(now.error_status, 503);
  EXPECT_EQ(now.latency_ms, 300);
  EXPECT_EQ(now.chunks, 3) << "a knob from the flags stays";
  EXPECT_EQ(second->error_status, 503) << "the answer shows the merged knobs";
}

TEST(LiveKnobs, EmbeddingDimensionsAreAKnobWithBounds) {
  LiveKnobs live(startup_knobs());
  EXPECT_EQ(live.load().embedding_dimensions, 16);
  ASSERT_TRUE(live.merge(object(R"({"embedding_dimensions":384})")));
  EXPECT_EQ(live.load().embedding_dimensions, 384);
  EXPECT_FALSE(live.merge(object(R"({"embedding_dimensions":0})")));
  EXPECT_FALSE(live.merge(object(R"({"embedding_dimensions":70000})")));
  EXPECT_EQ(live.load().embedding_dimensions, 384) << "a refused config changes nothing";
}

TEST(LiveKnobs, AnEmptyConfigChangesNothing) {
  LiveKnobs live(startup_knobs());
  ASSERT_TRUE(live.merge(object(R"({"reset_rate":0.5})")));
  ASSERT_TRUE(live.merge(object("{}")));
  EXPECT_EQ(live.load().reset_rate, 0.5);
}

TEST(LiveKnobs, ABadConfigChangesNothing) {
  LiveKnobs live(startup_knobs());
  ASSERT_TRUE(live.merge(object(R"({"chunks":5})")));
  auto bad = live.merge(object(R"({"latency_ms":1,"error_rate":2})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_request);
  EXPECT_EQ(live.load().latency_ms, 7);
  EXPECT_EQ(live.load().chunks, 5);
  EXPECT_FALSE(live.merge(object(R"({"latency":5})")));
}

TEST(LiveKnobs, RestoreGoesBackToTheFlags) {
  LiveKnobs live(startup_knobs());
  ASSERT_TRUE(live.merge(object(R"({"latency_ms":300,"stall_after_chunks":2})")));
  EXPECT_EQ(live.restore().latency_ms, 7);
  EXPECT_EQ(live.load().latency_ms, 7);
  EXPECT_EQ(live.load().stall_after_chunks, -1);
  EXPECT_EQ(live.load().chunks, 3);
}

TEST(LiveKnobs, CacheTokenCountsAreKnobsFromFlagsConfigAndHeaders) {
  char prog[] = "sluice", sub[] = "mock-upstream", flag[] = "--cached-tokens", value[] = "40",
       record[] = "--record-requests", n[] = "8";
  char* argv[] = {prog, sub, flag, value, record, n};
  auto options = parse_options(6, argv, 2);
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->knobs.cached_tokens, 40);
  EXPECT_EQ(options->record_requests, 8);

  LiveKnobs live(options->knobs);
  ASSERT_TRUE(live.merge(object(R"({"cache_write_tokens":12})")));
  EXPECT_EQ(live.load().cached_tokens, 40);
  EXPECT_EQ(live.load().cache_write_tokens, 12);
  EXPECT_FALSE(live.merge(object(R"({"cached_tokens":-1})")));
  EXPECT_TRUE(json::parse(knobs_json(live.load())).as_object().contains("cache_write_tokens"));

  http::Request request;
  request.headers = {{"x-mock-cached-tokens", "7"}, {"x-mock-cache-write-tokens", "3"}};
  auto plan = plan_for(request, live.load());
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->knobs.cached_tokens, 7);
  EXPECT_EQ(plan->knobs.cache_write_tokens, 3);
  request.headers = {{"x-mock-cached-tokens", "lots"}};
  EXPECT_FALSE(plan_for(request, live.load()));
}

TEST(LiveKnobs, RecordRequestsIsBounded) {
  char prog[] = "sluice", sub[] = "mock-upstream", record[] = "--record-requests", n[] = "5000";
  char* argv[] = {prog, sub, record, n};
  EXPECT_FALSE(parse_options(4, argv, 2));
}

}  // namespace
}  // namespace sluice::mock
