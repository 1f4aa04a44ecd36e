// mock-upstream's fault script: requests by number get exactly their entry; the others follow
// the knobs; the x-mock-* headers still win.
#include "mock/mock_script.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "mock/mock_knobs.hpp"

namespace sluice::mock {
namespace {

namespace json = boost::json;

TEST(MockScriptTest, EntriesCoverRequestsByNumberFromOne) {
  auto entries = script_from_json(json::parse(
      R"({"script":[{"from":2,"to":3,"status":503},{"from":5,"status":429,"retry_after":2,)"
      R"("latency_ms":60},{"from":6,"reset":true}]})"));
  ASSERT_TRUE(entries) << entries.error().message;
  Script script;
  script.set(*entries);
  std::vector<long long> statuses;
  for (int i = 0; i < 7; ++i) {
    const auto entry = script.next();
    statuses.push_back(!entry ? -1 : entry->reset ? -2 : entry->status);
  }
  EXPECT_EQ(statuses, (std::vector<long long>{-1, 503, 503, -1, 429, -2, -1}));
  const json::value shown = json::parse(script.json());
  EXPECT_EQ(shown.at("requests").as_int64(), 7);
  EXPECT_EQ(shown.at("script").as_array().size(), 3u);
  script.set({});  // a new script counts from 1 again
  EXPECT_FALSE(script.next());
  EXPECT_EQ(json::parse(script.json()).at("requests").as_int64(), 1);
}

TEST(MockScriptTest, MistakesAreNamed) {
  const auto error = [](std::string_view text) {
    auto r = script_from_json(json::parse(text));
    return r ? std::string("accepted") : r.error().message;
  };
  EXPECT_EQ(error(R"({"script":[{"form":1}]})"),
            "unknown member script.0.form (from, to, status, latency_ms, retry_after, reset)");
  EXPECT_EQ(error(R"({"script":[{"status":503}]})"), "script.0.from is required");
  EXPECT_EQ(error(R"({"script":[{"from":5,"to":4}]})"), "script.0.to must not be before from");
  EXPECT_EQ(error(R"({"script":[{"from":1,"status":200}]})"),
            "script.0.status must be 0 or 400 to 599");
  EXPECT_EQ(error(R"({"script":[{"from":0}]})"),
            "script.0.from must be an integer from 1 to 1000000000");
  EXPECT_EQ(error(R"({"script":[{"from":1,"reset":1}]})"), "script.0.reset must be true or false");
  EXPECT_EQ(error(R"({"scripts":[]})"), "unknown member scripts (script)");
  EXPECT_EQ(error(R"([])"), "expected {\"script\": [...]}");
}

TEST(MockScriptTest, AScriptedRequestGetsExactlyItsEntryAndHeadersStillWin) {
  Knobs knobs;
  knobs.error_rate = 1;  // every unscripted request fails
  knobs.error_status = 500;
  knobs.latency_ms = 5;
  knobs.latency_jitter_ms = 3;
  http::Request request;
  ScriptEntry ok;  // no status: a normal answer whatever the error rate
  auto plan = plan_for(request, knobs, &ok);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->error_status, 0);
  EXPECT_FALSE(plan->reset);

  ScriptEntry busy{.from = 1, .status = 503, .latency_ms = 60, .retry_after = 2};
  plan = plan_for(request, knobs, &busy);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->error_status, 503);
  EXPECT_EQ(plan->latency, std::chrono::milliseconds(60)) << "exact: no jitter";
  EXPECT_EQ(plan->knobs.retry_after, 2);
  EXPECT_TRUE(plan->retry_after_any_status);

  plan = plan_for(request, knobs, nullptr);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->error_status, 500) << "unscripted: the knobs";
  EXPECT_FALSE(plan->retry_after_any_status);

  request.headers = {{"x-mock-status", "200"}};
  plan = plan_for(request, knobs, &busy);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->error_status, 0) << "the header wins over the script";
}

}  // namespace
}  // namespace sluice::mock
