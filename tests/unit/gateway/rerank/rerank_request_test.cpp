#include "gateway/rerank/rerank_request.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {
namespace json = boost::json;

constexpr std::string_view kKey = "gateway.rerank.max_documents";

Result<RerankRequest> parse(std::string_view body, std::size_t max_documents = 10) {
  return parse_rerank_request(json::parse(body).as_object(), max_documents, kKey);
}

TEST(RerankRequest, StringsAndTextObjectsAreDocuments) {
  const RerankRequest request =
      parse(R"({"model":"r","query":"q","documents":["one",{"text":"two","title":"t"}]})").value();
  EXPECT_EQ(request.model, "r");
  EXPECT_EQ(request.query, "q");
  EXPECT_EQ(request.documents, (std::vector<std::string>{"one", "two"}));
  EXPECT_FALSE(request.top_n.has_value());
  EXPECT_TRUE(request.return_documents);  // Jina's default
}

TEST(RerankRequest, TopNAndReturnDocuments) {
  const RerankRequest request =
      parse(R"({"model":"r","query":"q","documents":["a","b","c"],"top_n":2,)"
            R"("return_documents":false})")
          .value();
  EXPECT_EQ(request.top_n, 2u);
  EXPECT_FALSE(request.return_documents);
  EXPECT_EQ(parse(R"({"model":"r","query":"q","documents":["a"],"top_n":2.0})").value().top_n,
            1u);  // beyond the documents: all of them
  EXPECT_EQ(parse(R"({"model":"r","query":"q","documents":["a","b"],"top_n":null})").value().top_n,
            std::nullopt);
}

TEST(RerankRequest, AMissingParamIsNamedInTheMessageToo) {
  const auto no_query = parse(R"({"model":"r","documents":["a"]})");
  ASSERT_FALSE(no_query.ok());
  EXPECT_EQ(no_query.error().message, "Missing required parameter: 'query'.");
  EXPECT_EQ(no_query.error().param, "query");
  const auto no_model = parse(R"({"query":"q","documents":["a"]})");
  ASSERT_FALSE(no_model.ok());
  EXPECT_EQ(no_model.error().message, "Missing required parameter: 'model'.");
}

TEST(RerankRequest, MalformedRequestsNameTheParam) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"query":"q","documents":["a"]})", "model"},
      {R"({"model":"","query":"q","documents":["a"]})", "model"},
      {R"({"model":"r","documents":["a"]})", "query"},
      {R"({"model":"r","query":"","documents":["a"]})", "query"},
      {R"({"model":"r","query":["q"],"documents":["a"]})", "query"},
      {R"({"model":"r","query":"q"})", "documents"},
      {R"({"model":"r","query":"q","documents":"a"})", "documents"},
      {R"({"model":"r","query":"q","documents":[]})", "documents"},
      {R"({"model":"r","query":"q","documents":["a",3]})", "documents[1]"},
      {R"({"model":"r","query":"q","documents":[{"content":"a"}]})", "documents[0]"},
      {R"({"model":"r","query":"q","documents":["a"],"top_n":0})", "top_n"},
      {R"({"model":"r","query":"q","documents":["a"],"top_n":-2})", "top_n"},
      {R"({"model":"r","query":"q","documents":["a"],"top_n":1.5})", "top_n"},
      {R"({"model":"r","query":"q","documents":["a"],"top_n":"2"})", "top_n"},
      {R"({"model":"r","query":"q","documents":["a"],"return_documents":1})", "return_documents"},
  };
  for (const auto& [body, param] : cases) {
    const auto request = parse(body);
    ASSERT_FALSE(request.ok()) << body;
    EXPECT_EQ(request.error().code, Errc::invalid_request) << body;
    EXPECT_EQ(request.error().param, param) << body;
  }
}

TEST(RerankRequest, TooManyDocumentsNamesTheBoundAndItsKey) {
  EXPECT_TRUE(parse(R"({"model":"r","query":"q","documents":["a","b","c"]})", 3).ok());
  const auto request = parse(R"({"model":"r","query":"q","documents":["a","b","c","d"]})", 3);
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().param, "documents");
  EXPECT_NE(request.error().message.find("4 given, at most 3"), std::string::npos)
      << request.error().message;
  EXPECT_NE(request.error().message.find(kKey), std::string::npos);
}

TEST(RerankRequest, TheUpstreamBodyHasStringDocumentsAndTopN) {
  const RerankRequest request =
      parse(R"({"model":"r","query":"q","documents":["a",{"text":"b"}],"top_n":1,)"
            R"("return_documents":true})")
          .value();
  EXPECT_EQ(json::serialize(rerank_upstream_body(request)),
            R"({"model":"r","query":"q","documents":["a","b"],"top_n":1})");
}

}  // namespace
}  // namespace sluice::gateway
