#include "api/search_filters.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::api {
namespace {

namespace json = boost::json;
using Op = rag::MetadataCondition::Op;

TEST(SearchFiltersTest, ReadsIdsTagsAndMetadataConditions) {
  auto filters = parse_search_filters(json::parse(
      R"({"document_ids":["d1"],"tags":["a","b"],"metadata":{"lang":"en","year":{"gte":2020,"lt":2024},"kind":{"in":["x","y"]}}})"));
  ASSERT_TRUE(filters.ok()) << filters.error().message;
  EXPECT_EQ(filters->document_ids, std::vector<std::string>{"d1"});
  EXPECT_EQ(filters->tags, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(filters->metadata.size(), 4u);
  EXPECT_EQ(filters->metadata[0].key, "lang");
  EXPECT_EQ(filters->metadata[0].op, Op::eq);
  EXPECT_EQ(filters->metadata[0].value_json, "\"en\"");
  EXPECT_EQ(filters->metadata[1].op, Op::gte);
  EXPECT_EQ(filters->metadata[1].value_json, "2020");
  EXPECT_EQ(filters->metadata[2].op, Op::lt);
  EXPECT_EQ(filters->metadata[3].op, Op::in);
}

TEST(SearchFiltersTest, NullFiltersNothing) {
  EXPECT_TRUE(parse_search_filters(json::value(nullptr))->empty());
}

TEST(SearchFiltersTest, MistakesNameTheirField) {
  EXPECT_EQ(parse_search_filters(json::parse("[]")).error().param, "filters");
  EXPECT_EQ(parse_search_filters(json::parse(R"({"tags":"a"})")).error().param, "filters.tags");
  EXPECT_EQ(parse_search_filters(json::parse(R"({"color":1})")).error().param, "filters.color");
  EXPECT_EQ(parse_search_filters(json::parse(R"({"metadata":{"y":{"in":1}}})")).error().param,
            "filters.metadata.y.in");
}

TEST(SearchFiltersTest, AnObjectThatIsNotAllOperatorsIsAValueToEqual) {
  auto filters = parse_search_filters(json::parse(R"({"metadata":{"y":{"near":1}}})"));
  ASSERT_TRUE(filters.ok());
  ASSERT_EQ(filters->metadata.size(), 1u);
  EXPECT_EQ(filters->metadata[0].op, Op::eq);
  EXPECT_EQ(filters->metadata[0].value_json, R"({"near":1})");
}

}  // namespace
}  // namespace sluice::api
