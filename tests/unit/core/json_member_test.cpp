#include "core/json_member.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sluice::core {
namespace {

// The member's value as text, or "(none)".
std::string value_of(std::string_view json, std::string_view key) {
  const auto span = top_level_member(json, key);
  if (!span) return "(none)";
  return std::string(json.substr(span->begin, span->end - span->begin));
}

TEST(JsonMemberTest, FindsATopLevelMembersValue) {
  EXPECT_EQ(value_of(R"({"model":"a","max_tokens":5})", "model"), R"("a")");
  EXPECT_EQ(value_of(R"({"max_tokens":5,"model":"a"})", "model"), R"("a")");
  EXPECT_EQ(value_of(R"( { "model" :  "a"  , "x":1 } )", "model"), R"("a")");
  EXPECT_EQ(value_of(R"({"max_tokens":5,"model":"a"})", "max_tokens"), "5");
  EXPECT_EQ(value_of(R"({"a":{"b":[1,{"c":2}]},"z":true})", "a"), R"({"b":[1,{"c":2}]})");
  EXPECT_EQ(value_of(R"({"z":true})", "z"), "true");
}

TEST(JsonMemberTest, NestedMembersAndStringsThatLookLikeKeysAreNotIt) {
  const std::string_view json =
      R"({"metadata":{"model":"nested"},"messages":[{"role":"user","content":"say \",\"model\":\"x"}],)"
      R"("model":"top"})";
  EXPECT_EQ(value_of(json, "model"), R"("top")");
  EXPECT_EQ(value_of(R"({"metadata":{"model":"nested"}})", "model"), "(none)");
  EXPECT_EQ(value_of(R"({"text":"\\","model":"m"})", "model"), R"("m")") << "an escaped backslash";
  EXPECT_EQ(value_of(R"({"model":"with \"quotes\" \\"})", "model"), R"("with \"quotes\" \\")");
}

TEST(JsonMemberTest, AmbiguousSpellingsAreLeftToAParser) {
  // Which duplicate a parser keeps is its choice: a body must not route one model and run another.
  EXPECT_EQ(value_of(R"({"model":"a","model":"b"})", "model"), "(none)");
  EXPECT_EQ(value_of(R"({"model":"a","mod\u0065l":"b"})", "model"), "(none)");
  EXPECT_EQ(value_of(R"({"mod\u0065l":"b"})", "model"), "(none)");
  EXPECT_EQ(value_of(R"(["model"])", "model"), "(none)");
  EXPECT_EQ(value_of(R"({"model":"a")", "model"), "(none)") << "never closed";
  EXPECT_EQ(value_of("", "model"), "(none)");
}

}  // namespace
}  // namespace sluice::core
