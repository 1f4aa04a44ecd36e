#include "gateway/model_list.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {

namespace json = boost::json;

json::object parse_object(std::string_view text) { return json::parse(text).as_object(); }

std::string_view str(const json::value& v) { return v.as_string(); }

TEST(ModelListTest, ModelsList) {
  const auto body = parse_object(models_json({"a", "b"}));
  EXPECT_EQ(str(body.at("object")), "list");
  const auto& data = body.at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(str(data[1].at("id")), "b");
  EXPECT_EQ(str(data[1].at("object")), "model");
  EXPECT_EQ(data[1].at("created").as_int64(), 0);
  EXPECT_EQ(str(data[1].at("owned_by")), "sluice");
}

TEST(ModelListTest, EachModelNamesItsOwner) {
  const auto body =
      parse_object(model_list_json({{"openai/gpt-4o", "openai"}, {"fast", "sluice"}}));
  const auto& data = body.at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(str(data[0].at("owned_by")), "openai");
  EXPECT_EQ(str(data[1].at("id")), "fast");
  const auto one = parse_object(model_json({"openai/gpt-4o", "openai"}));
  EXPECT_EQ(str(one.at("id")), "openai/gpt-4o");
  EXPECT_EQ(str(one.at("object")), "model");
  EXPECT_EQ(str(one.at("owned_by")), "openai");
}

}  // namespace
}  // namespace sluice::gateway
