#include "gateway/providers/mock/mock_moderation.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {
namespace json = boost::json;

json::object moderate(std::string_view request) {
  return json::parse(mock_moderation_json(json::parse(request).as_object(), "omni")).as_object();
}

TEST(MockModeration, TheMarkerWordFlagsViolenceAndNothingElse) {
  const json::object answer =
      moderate(R"({"input":["a calm sentence","this is UNSAFE, really","unsafely"]})");
  EXPECT_TRUE(answer.at("id").as_string().starts_with("modr-"));
  EXPECT_EQ(answer.at("model"), "omni");
  const json::array& results = answer.at("results").as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].at("flagged"), false);
  EXPECT_EQ(results[1].at("flagged"), true);
  EXPECT_EQ(results[2].at("flagged"), false);  // a word of its own only
  const json::object& categories = results[1].at("categories").as_object();
  EXPECT_EQ(categories.size(), 13u);
  for (const auto& [name, value] : categories)
    EXPECT_EQ(value.as_bool(), name == "violence") << name;
  EXPECT_EQ(results[1].at("category_scores").at("violence"), 0.97);
  EXPECT_EQ(results[0].at("category_scores").at("violence"), 0.0001);
  EXPECT_EQ(json::serialize(results[0].at("category_applied_input_types").at("violence")),
            R"(["text"])");
}

TEST(MockModeration, ImagesAreJudgedInTheCategoriesThatTakeThem) {
  const json::object answer = moderate(R"({"input":[{"type":"text","text":"unsafe"},
      {"type":"image_url","image_url":{"url":"data:image/png;base64,AA=="}}]})");
  const json::object& result = answer.at("results").at(0).as_object();
  EXPECT_EQ(result.at("flagged"), true);
  const json::object& applied = result.at("category_applied_input_types").as_object();
  EXPECT_EQ(json::serialize(applied.at("violence")), R"(["text","image"])");
  EXPECT_EQ(json::serialize(applied.at("hate")), R"(["text"])");
}

TEST(MockModeration, TheSameRequestGetsTheSameAnswer) {
  const std::string_view request = R"({"input":"same"})";
  EXPECT_EQ(moderate(request), moderate(request));
  EXPECT_NE(moderate(request).at("id"), moderate(R"({"input":"other"})").at("id"));
}

}  // namespace
}  // namespace sluice::gateway
