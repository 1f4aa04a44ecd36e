#include "gateway/providers/azure/azure_wire.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gateway/providers/upstream_failure.hpp"

namespace sluice::gateway {
namespace {

namespace json = boost::json;

TEST(AzureTargetTest, DeploymentUrlWithApiVersion) {
  EXPECT_EQ(azure_target("", "gpt-4o-prod", "/chat/completions", "2024-10-21"),
            "/openai/deployments/gpt-4o-prod/chat/completions?api-version=2024-10-21");
  EXPECT_EQ(azure_target("/", "emb", "/embeddings", "2025-04-01-preview"),
            "/openai/deployments/emb/embeddings?api-version=2025-04-01-preview");
  // An endpoint written with its /openai path, or behind a proxy's path, is not doubled.
  EXPECT_EQ(azure_target("/openai/", "d", "/chat/completions", "v"),
            "/openai/deployments/d/chat/completions?api-version=v");
  EXPECT_EQ(azure_target("/proxy/aoai", "d", "/embeddings", "v"),
            "/proxy/aoai/openai/deployments/d/embeddings?api-version=v");
}

TEST(AzureTargetTest, DeploymentNamesCannotLeaveTheirPathSegment) {
  EXPECT_EQ(azure_target("", "../x?y=1#z", "/chat/completions", "v"),
            "/openai/deployments/..%2Fx%3Fy%3D1%23z/chat/completions?api-version=v");
  EXPECT_EQ(azure_target("", "d", "/chat/completions", "a&b=c"),
            "/openai/deployments/d/chat/completions?api-version=a%26b%3Dc");
}

AttemptResult azure_failure(int status, std::string body) {
  AttemptResult failure = http_failure(status, std::move(body), "", "", "azure");
  adapt_azure_failure(failure, status);
  return failure;
}

TEST(AzureFailureTest, ContentFilterIsANonRetriedClientErrorInOpenAisShape) {
  const AttemptResult failure = azure_failure(400, R"({"error":{
    "message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
    "type":null,"param":"prompt","code":"content_filter","status":400,
    "innererror":{"code":"ResponsibleAIPolicyViolation",
                  "content_filter_result":{"hate":{"filtered":true,"severity":"high"}}}}})");
  EXPECT_EQ(failure.outcome, core::AttemptOutcome::upstream_4xx);
  EXPECT_FALSE(core::is_retriable(failure.outcome));
  EXPECT_EQ(failure.error.code, Errc::invalid_request);
  EXPECT_EQ(failure.error.code_detail, "content_filter");
  EXPECT_EQ(failure.error.param, "prompt");
  const json::object error = json::parse(failure.upstream_error_body).at("error").as_object();
  EXPECT_EQ(error.at("type"), "invalid_request_error");
  EXPECT_EQ(error.at("code"), "content_filter");
  EXPECT_EQ(error.at("param"), "prompt");
  // What filtered the prompt stays for the client to read.
  EXPECT_EQ(error.at("innererror").at("content_filter_result").at("hate").at("filtered"), true);
}

TEST(AzureFailureTest, AzuresOwnErrorsGetATypeAndKeepTheirCode) {
  const AttemptResult auth = azure_failure(
      401,
      R"({"error":{"code":"401","message":"Access denied due to invalid subscription key."}})");
  EXPECT_EQ(auth.outcome, core::AttemptOutcome::upstream_4xx);
  const json::object error = json::parse(auth.upstream_error_body).at("error").as_object();
  EXPECT_EQ(error.at("type"), "authentication_error");
  EXPECT_EQ(error.at("code"), "401");
  EXPECT_TRUE(error.at("param").is_null());
  EXPECT_EQ(auth.error.code_detail, "401");

  const AttemptResult missing = azure_failure(
      404, R"({"error":{"code":"DeploymentNotFound","message":"The API deployment for this )"
           R"(resource does not exist."}})");
  EXPECT_EQ(missing.error.code_detail, "DeploymentNotFound");
  EXPECT_EQ(json::parse(missing.upstream_error_body).at("error").at("type"), "not_found_error");
}

TEST(AzureFailureTest, ThrottlingStaysRetriedWithItsDelay) {
  AttemptResult failure = http_failure(
      429, R"({"error":{"code":"429","message":"Requests ... have exceeded token rate limit."}})",
      "2", "1500", "azure");
  adapt_azure_failure(failure, 429);
  EXPECT_EQ(failure.outcome, core::AttemptOutcome::rate_limited);
  ASSERT_TRUE(failure.retry_after);
  EXPECT_EQ(failure.retry_after->count(), 1500);
}

TEST(AzureFailureTest, AnOpenAiShapedErrorIsLeftAsItIs) {
  const std::string body =
      R"({"error":{"message":"Unsupported parameter: 'max_tokens'","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}})";
  const AttemptResult failure = azure_failure(400, body);
  EXPECT_EQ(json::parse(failure.upstream_error_body), json::parse(body));
  EXPECT_EQ(failure.error.code_detail, "unsupported_parameter");
  // Not JSON: nothing to adapt, and nothing relayed.
  EXPECT_EQ(azure_failure(502, "<html>Bad Gateway</html>").upstream_error_body, "");
}

}  // namespace
}  // namespace sluice::gateway
