#include "api/search_filters.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace sluice::api {
namespace {

using Op = rag::MetadataCondition::Op;

Result<rag::SearchFilters> parse(const char* json) {
  return parse_search_filters(boost::json::parse(json));
}

TEST(SearchFiltersTest, ParsesIdsTagsAndMetadataConditions) {
  auto filters = parse(
      R"({"document_ids":["d1"],"tags":["t"],"metadata":{"lang":"en","year":{"gte":2020,"lt":2025},"k":{"in":[1,2]}}})");
  ASSERT_TRUE(filters.ok()) << filters.error().message;
  EXPECT_EQ(filters->document_ids, std::vector<std::string>{"d1"});
  EXPECT_EQ(filters->tags, std::vector<std::string>{"t"});
  ASSERT_EQ(filters->metadata.size(), 4u);
  EXPECT_EQ(filters->metadata[0].key, "lang");
  EXPECT_EQ(filters->metadata[0].op, Op::eq);
  EXPECT_EQ(filters->metadata[0].value_json, "\"en\"");
  EXPECT_EQ(filters->metadata[1].op, Op::gte);
  EXPECT_EQ(filters->metadata[2].op, Op::lt);
  EXPECT_EQ(filters->metadata[3].op, Op::in);
  EXPECT_EQ(filters->metadata[3].value_json, "[1,2]");
}

TEST(SearchFiltersTest, AnObjectWithOtherKeysIsAValueToEqual) {
  auto filters = parse(R"({"metadata":{"m":{"a":1}}})");
  ASSERT_TRUE(filters.ok());
  EXPECT_EQ(filters->metadata[0].op, Op::eq);
  EXPECT_EQ(filters->metadata[0].value_json, R"({"a":1})");
}

TEST(SearchFiltersTest, MalformedFiltersNameTheirParam) {
  EXPECT_EQ(parse(R"([1])").error().param, "filters");
  EXPECT_EQ(parse(R"({"tags":"x"})").error().param, "filters.tags");
  EXPECT_EQ(parse(R"({"document_ids":[1]})").error().param, "filters.document_ids");
  EXPECT_EQ(parse(R"({"metadata":{"k":{"in":3}}})").error().param, "filters.metadata.k.in");
  EXPECT_EQ(parse(R"({"other":1})").error().param, "filters.other");
  EXPECT_TRUE(parse("null")->empty());
}

}  // namespace
}  // namespace sluice::api
