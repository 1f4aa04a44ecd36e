#include "gateway/responses/response_items.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {
namespace json = boost::json;

json::object parse_object(std::string_view text) { return json::parse(text).as_object(); }

// Items "i0" .. "i<n-1>", as stored.
json::array numbered_items(int n) {
  json::array items;
  for (int i = 0; i < n; ++i)
    items.push_back(json::object{{"id", "i" + std::to_string(i)}, {"type", "message"}});
  return items;
}

std::vector<std::string> ids(const json::object& page) {
  std::vector<std::string> out;
  for (const json::value& item : page.at("data").as_array())
    out.emplace_back(item.at("id").as_string());
  return out;
}

TEST(InputItems, AStringInputIsOneUserMessageWithATextPart) {
  const json::array items = input_items_of(parse_object(R"({"model":"m","input":"Hello"})"));
  ASSERT_EQ(items.size(), 1u);
  const json::object& item = items[0].as_object();
  EXPECT_TRUE(item.at("id").as_string().starts_with("msg_"));
  EXPECT_EQ(item.at("type"), "message");
  EXPECT_EQ(item.at("role"), "user");
  EXPECT_EQ(item.at("status"), "completed");
  EXPECT_EQ(json::serialize(item.at("content")), R"([{"type":"input_text","text":"Hello"}])");
}

TEST(InputItems, ItemsKeepTheirShapeAndIdsAndGetOnesTheyLack) {
  const json::array items = input_items_of(parse_object(R"({"model":"m","input":[
      {"role":"system","content":"Be brief."},
      {"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]},
      {"id":"msg_prev","role":"assistant","content":"Hello"},
      {"type":"function_call","call_id":"call_1","name":"f","arguments":"{}"},
      {"type":"function_call_output","call_id":"call_1","output":"42"},
      {"type":"item_reference","id":"msg_old"}]})"));
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(json::serialize(items[0].at("content")),
            R"([{"type":"input_text","text":"Be brief."}])");
  EXPECT_EQ(items[0].at("role"), "system");
  EXPECT_EQ(json::serialize(items[1].at("content")), R"([{"type":"input_text","text":"Hi"}])");
  EXPECT_EQ(items[2].at("id"), "msg_prev");
  EXPECT_EQ(json::serialize(items[2].at("content")),
            R"([{"type":"output_text","text":"Hello","annotations":[]}])");
  EXPECT_TRUE(items[3].at("id").as_string().starts_with("fc_"));
  EXPECT_EQ(items[3].at("call_id"), "call_1");
  EXPECT_EQ(items[3].at("status"), "completed");
  EXPECT_TRUE(items[4].at("id").as_string().starts_with("fco_"));
  EXPECT_EQ(items[4].at("output"), "42");
  EXPECT_EQ(json::serialize(items[5]), R"({"type":"item_reference","id":"msg_old"})");
  // Every generated id is distinct.
  EXPECT_NE(items[0].at("id"), items[1].at("id"));
}

TEST(InputItems, NoInputOrAnotherTypeHasNoItems) {
  EXPECT_TRUE(input_items_of(parse_object(R"({"model":"m"})")).empty());
  EXPECT_TRUE(input_items_of(parse_object(R"({"model":"m","input":5})")).empty());
}

TEST(ItemsPageQuery, DefaultsAreOpenAIs) {
  const ItemsPageQuery query = items_page_query(std::nullopt, std::nullopt, std::nullopt).value();
  EXPECT_EQ(query.limit, 20u);
  EXPECT_FALSE(query.ascending);
  EXPECT_TRUE(query.after.empty());
  EXPECT_TRUE(items_page_query("i3", "100", "asc").value().ascending);
  EXPECT_EQ(items_page_query("i3", "100", "asc").value().after, "i3");
  EXPECT_EQ(items_page_query({}, "1", "desc").value().limit, 1u);
}

TEST(ItemsPageQuery, BadLimitsAndOrdersNameTheirParam) {
  for (std::string_view limit : {"0", "101", "-1", "2.5", "", "ten", "20x"}) {
    auto query = items_page_query(std::nullopt, limit, std::nullopt);
    ASSERT_FALSE(query.ok()) << limit;
    EXPECT_EQ(query.error().code, Errc::invalid_request);
    EXPECT_EQ(query.error().param, "limit");
  }
  auto query = items_page_query(std::nullopt, std::nullopt, "newest");
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error().param, "order");
}

TEST(ItemsPage, DescendingByDefaultWithCursors) {
  const json::array items = numbered_items(5);
  ItemsPageQuery query;
  query.limit = 2;
  const json::object first = items_page(items, query).value();
  EXPECT_EQ(first.at("object"), "list");
  EXPECT_EQ(ids(first), (std::vector<std::string>{"i4", "i3"}));
  EXPECT_EQ(first.at("first_id"), "i4");
  EXPECT_EQ(first.at("last_id"), "i3");
  EXPECT_EQ(first.at("has_more"), true);
  query.after = "i3";
  const json::object second = items_page(items, query).value();
  EXPECT_EQ(ids(second), (std::vector<std::string>{"i2", "i1"}));
  EXPECT_EQ(second.at("has_more"), true);
  query.after = "i1";
  const json::object last = items_page(items, query).value();
  EXPECT_EQ(ids(last), (std::vector<std::string>{"i0"}));
  EXPECT_EQ(last.at("has_more"), false);
}

TEST(ItemsPage, AscendingWalksInTheOrderSent) {
  const json::array items = numbered_items(3);
  ItemsPageQuery query;
  query.ascending = true;
  EXPECT_EQ(ids(items_page(items, query).value()), (std::vector<std::string>{"i0", "i1", "i2"}));
  query.after = "i0";
  query.limit = 1;
  const json::object page = items_page(items, query).value();
  EXPECT_EQ(ids(page), (std::vector<std::string>{"i1"}));
  EXPECT_EQ(page.at("has_more"), true);
}

TEST(ItemsPage, AfterTheLastItemIsAnEmptyPage) {
  ItemsPageQuery query;
  query.ascending = true;
  query.after = "i2";
  const json::object page = items_page(numbered_items(3), query).value();
  EXPECT_TRUE(page.at("data").as_array().empty());
  EXPECT_TRUE(page.at("first_id").is_null());
  EXPECT_TRUE(page.at("last_id").is_null());
  EXPECT_EQ(page.at("has_more"), false);
}

TEST(ItemsPage, AnUnknownAfterIsA400) {
  ItemsPageQuery query;
  query.after = "nope";
  for (int n : {0, 3}) {
    auto page = items_page(numbered_items(n), query);
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.error().code, Errc::invalid_request);
    EXPECT_EQ(page.error().param, "after");
  }
}

}  // namespace
}  // namespace sluice::gateway
