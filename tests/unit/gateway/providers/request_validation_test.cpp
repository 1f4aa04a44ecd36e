#include "gateway/providers/request_validation.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace sluice::gateway {
namespace {

namespace json = boost::json;

json::object parse_object(std::string_view text) { return json::parse(text).as_object(); }

Error chat_error(std::string_view request_json) {
  const Status status = validate_chat_request(parse_object(request_json));
  EXPECT_FALSE(status.ok()) << request_json;
  return status.ok() ? Error{} : status.error();
}

TEST(RequestValidationTest, ChatValidation) {
  EXPECT_TRUE(validate_chat_request(
                  parse_object(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})"))
                  .ok());

  auto e = chat_error(R"({"messages":[{"role":"user","content":"x"}]})");
  EXPECT_EQ(e.code, Errc::invalid_request);
  EXPECT_EQ(e.param, "model");

  e = chat_error(R"({"model":"m"})");
  EXPECT_EQ(e.param, "messages");
  EXPECT_EQ(e.code_detail, "missing_required_parameter");

  e = chat_error(R"({"model":"m","messages":"hi"})");
  EXPECT_EQ(e.param, "messages");
  EXPECT_EQ(e.code_detail, "invalid_type");

  e = chat_error(R"({"model":"m","messages":[]})");
  EXPECT_EQ(e.param, "messages");
  EXPECT_EQ(e.code_detail, "empty_array");

  e = chat_error(R"({"model":"m","messages":[{"role":"user"},{"content":"x"}]})");
  EXPECT_EQ(e.param, "messages[1].role");
  EXPECT_EQ(e.code_detail, "missing_required_parameter");

  e = chat_error(R"({"model":"m","messages":[{"role":"robot","content":"x"}]})");
  EXPECT_EQ(e.param, "messages[0].role");
  EXPECT_EQ(e.code_detail, "invalid_value");
  EXPECT_EQ(http_status(e.code), 400);

  e = chat_error(R"({"model":"m","messages":["hi"]})");
  EXPECT_EQ(e.param, "messages[0]");
}

TEST(RequestValidationTest, EmbeddingsValidation) {
  EXPECT_TRUE(validate_embeddings_request(parse_object(R"({"model":"e","input":"x"})")).ok());
  for (const char* bad : {R"({"input":"x"})", R"({"model":"e"})", R"({"model":"e","input":""})",
                          R"({"model":"e","input":[]})", R"({"model":"e","input":[1,"a"]})",
                          R"({"model":"e","input":"x","dimensions":0})",
                          R"({"model":"e","input":"x","encoding_format":"hex"})"}) {
    const Status status = validate_embeddings_request(parse_object(bad));
    EXPECT_FALSE(status.ok()) << bad;
  }
}

}  // namespace
}  // namespace sluice::gateway
