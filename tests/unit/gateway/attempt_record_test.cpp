// The access log's `tries`: one object per attempt, in order, with what applies to it only.
#include "gateway/attempt_record.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {

using namespace std::chrono_literals;
using core::AttemptOutcome;

TEST(AttemptRecordTest, TriesAreOneObjectPerAttemptWithMicrosecondTimes) {
  std::vector<AttemptRecord> tries(2);
  tries[0].deployment = "openai/gpt-4o";
  tries[0].outcome = AttemptOutcome::rate_limited;
  tries[0].start = 12'345ns;         // 0.012345 ms: rounded to 0.012
  tries[0].duration = 20'000'600ns;  // 20.0006 ms: 20.001
  tries[0].retry_after = 2000ms;
  tries[0].circuit = CircuitBreaker::Transition::opened;
  tries[1].deployment = "local/llama";
  tries[1].start = 2'020'001'000ns;
  tries[1].duration = 7ms;
  tries[1].wait = 2000ms;
  tries[1].first_token = 3'500us;
  tries[1].probe = true;
  tries[1].circuit = CircuitBreaker::Transition::closed;
  std::string line = "{\"msg\":\"request\"";
  append_tries_json(line, tries);
  line += '}';
  const boost::json::value parsed = boost::json::parse(line);
  const boost::json::array& list = parsed.at("tries").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_NE(line.find(R"({"deployment":"openai/gpt-4o","outcome":"rate_limited","start_ms":0.012,)"
                      R"("duration_ms":20.001,"wait_ms":0,"retry_after_ms":2000,)"
                      R"("circuit":"opened"})"),
            std::string::npos)
      << line;
  EXPECT_FALSE(list[0].as_object().contains("probe"));
  EXPECT_FALSE(list[0].as_object().contains("ttft_ms"));
  EXPECT_EQ(list[1].at("outcome").as_string(), "success");
  EXPECT_DOUBLE_EQ(list[1].at("start_ms").to_number<double>(), 2020.001);
  EXPECT_EQ(list[1].at("wait_ms").as_int64(), 2000);
  EXPECT_DOUBLE_EQ(list[1].at("ttft_ms").to_number<double>(), 3.5);
  EXPECT_TRUE(list[1].at("probe").as_bool());
  EXPECT_EQ(list[1].at("circuit").as_string(), "closed");
  EXPECT_FALSE(list[1].as_object().contains("retry_after_ms"));
}

TEST(AttemptRecordTest, NoAttemptNoTries) {
  std::string line;
  append_tries_json(line, {});
  EXPECT_EQ(line, "");
}

}  // namespace
}  // namespace sluice::gateway
