#include "core/json_bounded_parse.hpp"

#include <gtest/gtest.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sluice::core {
namespace {

namespace json = boost::json;
using Reason = JsonRefusal::Reason;

std::optional<JsonRefusal> refusal(std::string_view text, JsonBounds bounds = {}) {
  json::value out;
  return parse_json_bounded(text, bounds, out);
}

TEST(JsonBoundedParse, BuildsWhatBoostJsonBuilds) {
  const std::string_view text =
      R"( {"a":[1,-2,3.5,true,false,null,"s",{"b":{}}],"big":18446744073709551615,"e":"\u00e9"} )";
  json::monotonic_resource arena;
  const json::storage_ptr storage(&arena);
  json::value out(storage);
  ASSERT_FALSE(parse_json_bounded(text, {}, out));
  EXPECT_EQ(out, json::parse(text));
  // Every node in the arena, built there: not built elsewhere and copied in.
  EXPECT_EQ(out.storage().get(), &arena);
  EXPECT_EQ(out.at("a").storage().get(), &arena);
}

TEST(JsonBoundedParse, LongStringsAndKeysSplitAcrossPartsAreWhole) {
  const std::string long_text(100000, 'x');
  const std::string text = R"({")" + long_text + R"(":")" + long_text + R"("})";
  json::value out;
  ASSERT_FALSE(parse_json_bounded(text, {}, out));
  EXPECT_EQ(out.at(long_text).as_string(), long_text);
}

TEST(JsonBoundedParse, StopsAtTheFirstValuePastTheBound) {
  // 1 object + 1 array + 3 numbers = 5 values; keys are not counted.
  const std::string_view text = R"({"a":[1,2,3]})";
  EXPECT_FALSE(refusal(text, {.max_values = 5}));
  const auto over = refusal(text, {.max_values = 4});
  ASSERT_TRUE(over);
  EXPECT_EQ(over->reason, Reason::too_many_values);
  EXPECT_FALSE(refusal(text, {.max_values = 0})) << "0: unbounded";
  // A million tiny blocks stop after the bound, not after building them all.
  std::string many = "[";
  for (int i = 0; i < 100000; ++i) many += R"({"type":"text","text":"a"},)";
  many.back() = ']';
  const auto blocks = refusal(many, {.max_values = 1000});
  ASSERT_TRUE(blocks);
  EXPECT_EQ(blocks->reason, Reason::too_many_values);
}

TEST(JsonBoundedParse, DepthIsBounded) {
  EXPECT_FALSE(refusal("[[[1]]]", {.max_depth = 3}));
  const auto deep = refusal("[[[[1]]]]", {.max_depth = 3});
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->reason, Reason::too_deep);
}

TEST(JsonBoundedParse, ANumberOutOfRangeIsNamedByItsPlace) {
  const auto top = refusal(R"({"model":"m","temperature":1e999,"x":1})");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->reason, Reason::number_out_of_range);
  EXPECT_EQ(top->path, "temperature");
  const auto nested = refusal(R"({"messages":[{"a":1},{"b":[0,"s",{"c":-1e400}]}]})");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->path, "messages[1].b[2].c");
  const auto huge_exponent = refusal(R"({"x":[1e99999999999999999999999999]})");
  ASSERT_TRUE(huge_exponent);
  EXPECT_EQ(huge_exponent->reason, Reason::number_out_of_range);
  EXPECT_EQ(huge_exponent->path, "x[0]");
  EXPECT_FALSE(refusal(R"({"big":123456789012345678901234567890,"small":1e-999})"))
      << "within range, if not exactly: read as a double (0 for the tiny one)";
  const auto bare = refusal("1e999");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->reason, Reason::number_out_of_range);
  EXPECT_EQ(bare->path, "");
}

TEST(JsonBoundedParse, SyntaxErrorsCarryTheParsersWords) {
  for (const char* bad : {"{", "{\"a\":}", "{} {}", "{\"a\":\"\xff\"}", ""}) {
    const auto refused = refusal(bad);
    ASSERT_TRUE(refused) << bad;
    EXPECT_EQ(refused->reason, Reason::syntax) << bad;
    EXPECT_FALSE(refused->detail.empty()) << bad;
  }
}

}  // namespace
}  // namespace sluice::core
