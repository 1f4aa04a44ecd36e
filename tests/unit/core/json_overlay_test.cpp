#include "core/json_overlay.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace sluice::core {
namespace {

namespace json = boost::json;

TEST(JsonOverlay, OverridesReplaceInPlaceOrAppendInOrder) {
  const json::object body =
      json::parse(R"({"model":"a","messages":[1,2],"x":{"y":"z"}})").as_object();
  EXPECT_EQ(serialize_with_overrides(body, json::object{{"model", "b"}}),
            R"({"model":"b","messages":[1,2],"x":{"y":"z"}})");
  EXPECT_EQ(serialize_with_overrides(body, json::object{{"new", 1}, {"x", nullptr}}),
            R"({"model":"a","messages":[1,2],"x":null,"new":1})");
  EXPECT_EQ(serialize_with_overrides(body, json::object{}),
            R"({"model":"a","messages":[1,2],"x":{"y":"z"}})");
  EXPECT_EQ(serialize_with_overrides(json::object{}, json::object{{"k", "v"}}), R"({"k":"v"})");
}

TEST(JsonOverlay, LargeValuesAndEscapesComeOutWhole) {
  const std::string big(100000, 'q');
  json::object body{{"data", big}, {"k\"ey", "line\nbreak"}};
  const std::string out = serialize_with_overrides(body, json::object{{"model", "m"}}, 100100);
  const json::value back = json::parse(out);
  EXPECT_EQ(back.at("data").as_string(), big);
  EXPECT_EQ(back.at("k\"ey").as_string(), "line\nbreak");
  EXPECT_EQ(back.at("model").as_string(), "m");
}

}  // namespace
}  // namespace sluice::core
