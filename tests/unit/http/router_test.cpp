#include "http/router.hpp"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

Handler noop() {
  return [](Exchange&) -> boost::asio::awaitable<void> { co_return; };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router.add("GET", "/livez", noop());
    router.add("GET", "/v1/models", noop());
    router.add("POST", "/v1/chat/completions", noop());
    router.add("GET", "/v1/collections/{collection}/documents/{id}", noop());
    router.add("DELETE", "/v1/collections/{collection}/documents/{id}", noop());
    router.add("POST", "/v1/collections/{collection}/documents", noop());
  }
  Router::Match match(std::string_view method, std::string_view path) {
    params.clear();
    return router.match(method, path, params);
  }
  Router router;
  std::vector<std::pair<std::string_view, std::string_view>> params;
};

TEST_F(RouterTest, MatchesStaticPath) {
  auto m = match("GET", "/livez");
  EXPECT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/livez");
  EXPECT_NE(m.handler, nullptr);
}

TEST_F(RouterTest, RouteOptionsComeWithTheMatch) {
  router.add("POST", "/v1/embeddings", noop(), RouteOptions{.model_route = true});
  EXPECT_TRUE(match("POST", "/v1/embeddings").options.model_route);
  EXPECT_FALSE(match("GET", "/livez").options.model_route);
  EXPECT_FALSE(match("GET", "/v1/embeddings").options.model_route);  // 405: defaults
  EXPECT_FALSE(match("GET", "/nope").options.model_route);
}

void anthropic_shape(Response&, std::string_view) {}

TEST_F(RouterTest, WrongMethodKeepsThePathsErrorShape) {
  router.add("POST", "/v1/messages", noop(), RouteOptions{.rewrite_error = anthropic_shape});
  const auto m = match("GET", "/v1/messages");
  EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(m.options.rewrite_error, &anthropic_shape);  // its 405 speaks the path's dialect
  EXPECT_EQ(match("PUT", "/livez").options.rewrite_error, nullptr);
}

TEST_F(RouterTest, HeadIsServedByGet) {
  EXPECT_EQ(match("HEAD", "/livez").outcome, Router::Outcome::found);
}

TEST_F(RouterTest, UnknownPathIsNotFound) {
  EXPECT_EQ(match("GET", "/nope").outcome, Router::Outcome::not_found);
  EXPECT_EQ(match("GET", "/livez/").outcome, Router::Outcome::not_found);
  EXPECT_EQ(match("GET", "").outcome, Router::Outcome::not_found);
}

TEST_F(RouterTest, WrongMethodListsAllowedMethods) {
  auto m = match("POST", "/livez");
  EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(m.allow, "GET, HEAD");
  EXPECT_EQ(m.route, "/livez");
  auto doc = match("PUT", "/v1/collections/c/documents/d");
  EXPECT_EQ(doc.outcome, Router::Outcome::method_not_allowed);
  EXPECT_EQ(doc.allow, "GET, HEAD, DELETE");
}

TEST_F(RouterTest, ExtractsParametersAndReportsTemplate) {
  auto m = match("GET", "/v1/collections/docs/documents/doc_42");
  ASSERT_EQ(m.outcome, Router::Outcome::found);
  EXPECT_EQ(m.route, "/v1/collections/{collection}/documents/{id}");
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].first, "collection");
  EXPECT_EQ(params[0].second, "docs");
  EXPECT_EQ(params[1].first, "id");
  EXPECT_EQ(params[1].second, "doc_42");
}

TEST_F(RouterTest, ParameterSegmentsMustBeNonEmptyAndCountMustMatch) {
  EXPECT_EQ(match("GET", "/v1/collections//documents/x").outcome, Router::Outcome::not_found);
  EXPECT_EQ(match("GET", "/v1/collections/c/documents/x/extra").outcome,
            Router::Outcome::not_found);
  EXPECT_EQ(match("GET", "/v1/collections/c/documents/").outcome, Router::Outcome::not_found);
  EXPECT_TRUE(params.empty());
  EXPECT_EQ(match("POST", "/v1/collections/c/documents").outcome, Router::Outcome::found);
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].second, "c");
}

TEST_F(RouterTest, SameTemplateSharesRoute) {
  auto get = match("GET", "/v1/collections/a/documents/b");
  auto del = match("DELETE", "/v1/collections/a/documents/b");
  EXPECT_EQ(get.route.data(), del.route.data());  // one stable label string per template
}

}  // namespace
}  // namespace sluice::http
