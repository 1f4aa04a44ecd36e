#include "mock/mock_azure.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway/providers/azure/azure_wire.hpp"
#include "gateway/providers/upstream_failure.hpp"
#include "mock/mock_recorder.hpp"

namespace sluice::mock {
namespace {

namespace json = boost::json;

TEST(MockAzureTest, RefusesWithoutAKeyOrAnApiVersion) {
  auto no_key = refuse_azure_request("", "", "2024-10-21");
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->status, 401);
  EXPECT_EQ(json::parse(no_key->body).at("error").at("code"), "401");
  EXPECT_FALSE(refuse_azure_request("", "Bearer entra-token", "2024-10-21"))
      << "Entra ID tokens authenticate too";
  auto no_version = refuse_azure_request("k", "", std::nullopt);
  ASSERT_TRUE(no_version);
  EXPECT_EQ(no_version->status, 404);
  EXPECT_TRUE(refuse_azure_request("k", "", ""));
  EXPECT_FALSE(refuse_azure_request("k", "", "2024-10-21"));
}

TEST(MockAzureTest, ContentFilterErrorIsWhatTheGatewayRelays) {
  // The mock's refusal, read as the gateway reads Azure's: a 400 client error, not retried.
  gateway::AttemptResult failure =
      gateway::http_failure(400, azure_content_filter_error(), "", "", "azure");
  gateway::adapt_azure_failure(failure, 400);
  EXPECT_EQ(failure.outcome, core::AttemptOutcome::upstream_4xx);
  EXPECT_EQ(failure.error.code_detail, "content_filter");
  const json::value body = json::parse(failure.upstream_error_body);
  EXPECT_EQ(body.at("error").at("innererror").at("code"), "ResponsibleAIPolicyViolation");
}

TEST(MockAzureTest, AnswersCarryFilterResults) {
  const json::value completion = json::parse(azure_chat_completion(
      R"({"id":"c","object":"chat.completion","model":"dep","choices":[{"index":0,)"
      R"("message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]})"));
  EXPECT_EQ(completion.at("prompt_filter_results").at(0).at("prompt_index"), 0);
  EXPECT_EQ(completion.at("choices").at(0).at("content_filter_results").at("hate").at("severity"),
            "safe");
  EXPECT_EQ(completion.at("choices").at(0).at("message").at("content"), "hi");
  const json::value first = json::parse(azure_prompt_filter_chunk());
  EXPECT_TRUE(first.at("choices").as_array().empty());
  EXPECT_TRUE(first.as_object().contains("prompt_filter_results"));
}

TEST(RequestRecorderTest, KeepsTheLastRequestsWhatTheyCarried) {
  RequestRecorder recorder(2);
  for (const char* target : {"/a", "/b?api-version=1", "/c"}) {
    http::Request request;
    request.method = "POST";
    request.target = target;
    request.headers = {{"Api-Key", "k1"}, {"X-Twice", "1"}, {"x-twice", "2"}};
    request.body = R"({"n":1})";
    recorder.record(request);
  }
  const json::value out = json::parse(recorder.json());
  const json::array& requests = out.at("requests").as_array();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].at("target"), "/b?api-version=1");
  EXPECT_EQ(requests[1].at("headers").at("api-key"), "k1");
  EXPECT_EQ(requests[1].at("headers").at("x-twice"), "1, 2");
  EXPECT_EQ(requests[1].at("body"), R"({"n":1})");
  recorder.clear();
  EXPECT_TRUE(json::parse(recorder.json()).at("requests").as_array().empty());
  RequestRecorder off(0);
  EXPECT_FALSE(off.enabled());
}

}  // namespace
}  // namespace sluice::mock
