// Hostile input on the main endpoints: invalid UTF-8, nesting past the JSON depth limit, path
// traversal and control characters in names, oversized fields. Each gets a clear 4xx in
// OpenAI's shape that names the field or the limit; names never become paths.
#include "support/rag_client.hpp"
#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

namespace json = boost::json;

// The error's message, in OpenAI's shape or Anthropic's; empty when there is none.
std::string message_of(const JsonResponse& response) {
  const json::value* error = response.body.if_contains("error");
  if (!error || !error->is_object() || !error->as_object().at("message").is_string()) return {};
  return std::string(error->as_object().at("message").as_string());
}

class InputHardening : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = start_server({{"SLUICE_SHUTDOWN__DRAIN_DELAY", "0s"}}).release();
    ASSERT_EQ(post_json(port(), "/v1/collections", {{"name", "docs"}}).status, 201);
  }
  static void TearDownTestSuite() { delete server_; }
  static int port() { return server_->port(); }
  static SluiceProcess* server_;
};
SluiceProcess* InputHardening::server_ = nullptr;

constexpr const char* kJsonRoutes[] = {
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/collections",
    "/v1/collections/docs/documents",
    "/v1/collections/docs/search",
    "/v1/query",
    "/v1/responses",
};

TEST_F(InputHardening, InvalidUtf8InJsonIsA400OnEveryJsonRoute) {
  for (const char* bad : {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82"}) {
    const std::string body = std::string("{\"model\":\"x\",\"name\":\"a") + bad + "\"}";
    for (const char* route : kJsonRoutes) {
      const JsonResponse response = call(port(), "POST", route, body);
      EXPECT_EQ(response.status, 400) << route << ": " << response.raw;
      EXPECT_NE(message_of(response).find("UTF-8"), std::string::npos) << route << response.raw;
    }
  }
}

TEST_F(InputHardening, JsonNestedPastTheLimitIsA400NamingIt) {
  const auto nested = [](int depth) {
    std::string body = "{\"metadata\":";
    for (int i = 1; i < depth; ++i) body += "{\"a\":";
    body += "1";
    for (int i = 0; i < depth; ++i) body += "}";
    return body;
  };
  for (const char* route : kJsonRoutes) {
    const JsonResponse deep = call(port(), "POST", route, nested(65));
    EXPECT_EQ(deep.status, 400) << route << ": " << deep.raw;
    EXPECT_NE(message_of(deep).find("deeper than 64"), std::string::npos) << route << deep.raw;
    const JsonResponse at_limit = call(port(), "POST", route, nested(64));
    EXPECT_EQ(message_of(at_limit).find("deeper than"), std::string::npos) << route;
  }
}

TEST_F(InputHardening, TraversalAndControlCharactersInNamesAreRefusedOrStripped) {
  const std::vector<std::string> names = {
      "../../etc/passwd", "..", "a/b", std::string("a\0b", 3), "a\r\nb", std::string(100'000, 'n')};
  for (const std::string& name : names) {
    const JsonResponse refused = post_json(port(), "/v1/collections", {{"name", name}});
    EXPECT_EQ(refused.status, 400) << refused.raw.substr(0, 200);
    EXPECT_NE(message_of(refused).find("64"), std::string::npos) << refused.raw.substr(0, 200);
  }
  const std::string documents = "/v1/collections/docs/documents";
  const std::vector<std::string> ids = {std::string("a\0b", 3), "a\r\nb", std::string(300, 'i')};
  for (const std::string& id : ids) {
    const JsonResponse refused = post_json(port(), documents, {{"text", "x"}, {"id", id}});
    EXPECT_EQ(refused.status, 400) << refused.raw;
    EXPECT_EQ(refused.body.at("error").at("param").as_string(), "id") << refused.raw;
  }
  const JsonResponse long_name =
      post_json(port(), documents, {{"text", "x"}, {"source_name", std::string(1000, 's')}});
  EXPECT_EQ(long_name.status, 400) << long_name.raw;
  EXPECT_NE(message_of(long_name).find("255"), std::string::npos) << long_name.raw;

  const JsonResponse uploaded =
      post_form(port(), documents, {{"file", "../../etc/passwd", "text/plain", "hello"}});
  ASSERT_EQ(uploaded.status, 202) << uploaded.raw;
  const JsonResponse document = call(
      port(), "GET", documents + "/" + std::string(uploaded.body.at("document_id").as_string()));
  EXPECT_EQ(document.body.at("source_name").as_string(), "passwd") << document.raw;

  const JsonResponse nul_name =
      post_form(port(), documents, {{"file", std::string("a\0.txt", 6), "text/plain", "x"}});
  EXPECT_EQ(nul_name.status, 400) << nul_name.raw;
  for (const char* path : {"/v1/collections/..%2F..%2Fetc%2Fpasswd",
                           "/v1/collections/docs/documents/..%2F..%2Fetc%2Fpasswd"}) {
    const JsonResponse missing = call(port(), "GET", path);
    EXPECT_EQ(missing.status, 404) << path << ": " << missing.raw;
  }
}

TEST_F(InputHardening, OversizedFieldsAreA400NamingTheLimit) {
  json::array tags;
  for (int i = 0; i < 10'000; ++i) tags.push_back(json::value("t" + std::to_string(i)));
  const JsonResponse many_tags =
      post_json(port(), "/v1/collections/docs/documents", {{"text", "x"}, {"tags", tags}});
  EXPECT_EQ(many_tags.status, 400) << many_tags.raw.substr(0, 200);
  EXPECT_NE(message_of(many_tags).find("at most 64 tags"), std::string::npos) << many_tags.raw;
  const JsonResponse long_title = post_json(port(), "/v1/collections/docs/documents",
                                            {{"text", "x"}, {"title", std::string(5000, 't')}});
  EXPECT_EQ(long_title.status, 400);
  EXPECT_NE(message_of(long_title).find("1024"), std::string::npos) << long_title.raw;
}

// A body of too many JSON values is refused as it is parsed, before it costs its DOM (a million
// one-letter blocks parse into hundreds of MB); the 400 names the key that raises the bound.
class JsonValueLimit : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = start_server({{"SLUICE_SERVER__MAX_JSON_VALUES", "2000"}}).release();
    ASSERT_EQ(post_json(port(), "/v1/collections", {{"name", "docs"}}).status, 201);
  }
  static void TearDownTestSuite() { delete server_; }
  static int port() { return server_->port(); }
  static SluiceProcess* server_;
};
SluiceProcess* JsonValueLimit::server_ = nullptr;

// A body of `values` JSON values: the object, its array and the numbers in it.
std::string body_of_values(int values) {
  std::string body = R"({"model":"x","max_tokens":1,"messages":[)";
  for (int i = 0; i < values - 6; ++i) body += "0,";
  return body + R"(0],"name":"n"})";
}

TEST_F(JsonValueLimit, TooManyValuesIsA400NamingTheKeyOnEveryJsonRoute) {
  std::vector<std::string> routes(std::begin(kJsonRoutes), std::end(kJsonRoutes));
  routes.push_back("/v1/messages");
  routes.push_back("/v1/completions");
  for (const std::string& route : routes) {
    const JsonResponse over = call(port(), "POST", route, body_of_values(2001));
    EXPECT_EQ(over.status, 400) << route << ": " << over.raw;
    const std::string message = message_of(over);
    EXPECT_NE(message.find("more than 2000 values"), std::string::npos) << route << over.raw;
    EXPECT_NE(message.find("server.max_json_values"), std::string::npos) << route << over.raw;
    const JsonResponse at_limit = call(port(), "POST", route, body_of_values(2000));
    EXPECT_EQ(message_of(at_limit).find("values"), std::string::npos) << route << at_limit.raw;
  }
  const JsonResponse messages = call(port(), "POST", "/v1/messages", body_of_values(2001));
  EXPECT_EQ(messages.body.at("type"), "error") << "Anthropic's shape: " << messages.raw;
}

TEST_F(JsonValueLimit, ANumberOutOfRangeNamesItsField) {
  const JsonResponse chat = call(port(), "POST", "/v1/chat/completions",
                                 R"({"model":"x","temperature":1e999,"messages":[]})");
  EXPECT_EQ(chat.status, 400) << chat.raw;
  EXPECT_EQ(chat.body.at("error").at("param"), "temperature") << chat.raw;
  EXPECT_NE(message_of(chat).find("'temperature': the number is out of range"), std::string::npos)
      << chat.raw;
  const JsonResponse messages =
      call(port(), "POST", "/v1/messages",
           R"({"model":"x","max_tokens":5,"messages":[{"role":"user","content":"x"}],)"
           R"("temperature":-1e999})");
  EXPECT_EQ(messages.status, 400) << messages.raw;
  EXPECT_EQ(messages.body.at("type"), "error") << messages.raw;
  EXPECT_NE(message_of(messages).find("'temperature'"), std::string::npos) << messages.raw;
}

}  // namespace
}  // namespace sluice::testing
