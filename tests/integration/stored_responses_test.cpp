// Stored responses against the real binary and mock-upstream: GET and DELETE /v1/responses/{id}
// and GET /v1/responses/{id}/input_items, streamed responses stored once complete, store: false,
// tenants kept apart, input items referred to, and the store's exact bounds, order and metrics.
#include <boost/json.hpp>

#include "support/mock_fixture.hpp"

namespace sluice::testing {
namespace {
namespace json = boost::json;

// Team keys "sk-alpha" and "sk-beta" (tenants alpha and beta) on top of a gateway in front of
// `mock_port`.
std::string tenants_yaml(int mock_port) {
  return gateway_yaml(mock_port) +
         "auth:\n"
         "  api_keys:\n"
         "    - { name: alpha, key: sk-alpha-0123456789, role: user, team: alpha }\n"
         "    - { name: beta, key: sk-beta-0123456789, role: user, team: beta }\n";
}

struct Answer {
  int status = 0;
  std::string raw;
  json::value body;
};

Answer call(int port, std::string_view method, std::string_view target, std::string_view body = {},
            std::string_view key = {}) {
  std::string headers = "Content-Type: application/json\r\n";
  if (!key.empty()) headers += "Authorization: Bearer " + std::string(key) + "\r\n";
  Answer out;
  auto response = http_request(port, method, target, body, headers);
  if (!response) return out;
  out.status = response->status;
  out.raw = response->body;
  json::error_code ec;
  out.body = json::parse(out.raw, ec);
  return out;
}

std::vector<std::string> item_ids(const json::value& page) {
  std::vector<std::string> ids;
  for (const json::value& item : page.at("data").as_array())
    ids.emplace_back(item.at("id").as_string());
  return ids;
}

class StoredResponsesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mock_ = start_mock_upstream({});
    config_ = std::make_unique<TempFile>(gateway_yaml(mock_->port()));
    server_ = start_server({}, {"--config", config_->path()});
  }
  int port() const { return server_->port(); }

  std::unique_ptr<SluiceProcess> mock_;
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<SluiceProcess> server_;
};

TEST_F(StoredResponsesTest, ARetrievedResponseIsTheOneCreatedAndItsInputItemsPage) {
  const Answer created = call(port(), "POST", "/v1/responses", R"({"model":"test-model",
      "instructions":"Be brief.","input":[
        {"role":"user","content":"First"},
        {"role":"assistant","content":"Noted"},
        {"role":"user","content":[{"type":"input_text","text":"Third"}]}]})");
  ASSERT_EQ(created.status, 200) << created.raw;
  const std::string id(created.body.at("id").as_string());

  const Answer retrieved = call(port(), "GET", "/v1/responses/" + id);
  ASSERT_EQ(retrieved.status, 200) << retrieved.raw;
  EXPECT_EQ(retrieved.raw, created.raw);

  const Answer all = call(port(), "GET", "/v1/responses/" + id + "/input_items");
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body.at("object"), "list");
  const json::array& data = all.body.at("data").as_array();
  ASSERT_EQ(data.size(), 3u);  // the instructions are not an item
  EXPECT_EQ(json::serialize(data[0].at("content")), R"([{"type":"input_text","text":"Third"}])");
  EXPECT_EQ(data[1].at("role"), "assistant");  // newest first by default
  EXPECT_EQ(data[2].at("content").at(0).at("text"), "First");
  EXPECT_EQ(all.body.at("first_id"), data[0].at("id"));
  EXPECT_EQ(all.body.at("last_id"), data[2].at("id"));
  EXPECT_EQ(all.body.at("has_more"), false);

  const Answer first_page =
      call(port(), "GET", "/v1/responses/" + id + "/input_items?order=asc&limit=2");
  ASSERT_EQ(first_page.status, 200) << first_page.raw;
  EXPECT_EQ(first_page.body.at("has_more"), true);
  EXPECT_EQ(first_page.body.at("data").at(0).at("content").at(0).at("text"), "First");
  const Answer rest = call(port(), "GET",
                           "/v1/responses/" + id + "/input_items?order=asc&limit=2&after=" +
                               std::string(first_page.body.at("last_id").as_string()));
  ASSERT_EQ(rest.status, 200) << rest.raw;
  EXPECT_EQ(item_ids(rest.body),
            std::vector<std::string>{std::string(data[0].at("id").as_string())});
  EXPECT_EQ(rest.body.at("has_more"), false);

  const Answer bad_limit = call(port(), "GET", "/v1/responses/" + id + "/input_items?limit=101");
  EXPECT_EQ(bad_limit.status, 400) << bad_limit.raw;
  EXPECT_EQ(bad_limit.body.at("error").at("param"), "limit");
  const Answer bad_order = call(port(), "GET", "/v1/responses/" + id + "/input_items?order=up");
  EXPECT_EQ(bad_order.status, 400) << bad_order.raw;
  EXPECT_EQ(bad_order.body.at("error").at("param"), "order");
}

TEST_F(StoredResponsesTest, DeleteRemovesTheResponseForGood) {
  const Answer created =
      call(port(), "POST", "/v1/responses", R"({"model":"test-model","input":"Forget me"})");
  ASSERT_EQ(created.status, 200) << created.raw;
  const std::string id(created.body.at("id").as_string());
  const Answer deleted = call(port(), "DELETE", "/v1/responses/" + id);
  ASSERT_EQ(deleted.status, 200) << deleted.raw;
  EXPECT_EQ(deleted.body,
            json::parse(R"({"id":")" + id + R"(","object":"response","deleted":true})"));
  for (const std::string& target :
       {"/v1/responses/" + id, "/v1/responses/" + id + "/input_items"}) {
    const Answer gone = call(port(), "GET", target);
    EXPECT_EQ(gone.status, 404) << target;
    EXPECT_EQ(gone.body.at("error").at("type"), "not_found_error") << gone.raw;
    EXPECT_NE(gone.raw.find("Response with id '" + id + "' not found"), std::string::npos);
  }
  EXPECT_EQ(call(port(), "DELETE", "/v1/responses/" + id).status, 404);
  // Nor can a later request continue from it.
  const Answer chained =
      call(port(), "POST", "/v1/responses",
           R"({"model":"test-model","input":"more","previous_response_id":")" + id + R"("})");
  EXPECT_EQ(chained.status, 404) << chained.raw;
}

TEST_F(StoredResponsesTest, AStreamedResponseIsStoredAsItsCompletedEventCarriedIt) {
  auto streamed = http_request(port(), "POST", "/v1/responses",
                               R"({"model":"test-model","input":"Stream it","stream":true})",
                               "Content-Type: application/json\r\n");
  ASSERT_TRUE(streamed);
  ASSERT_EQ(streamed->status, 200);
  const std::string marker = "event: response.completed\ndata: ";
  const auto at = streamed->body.find(marker);
  ASSERT_NE(at, std::string::npos) << streamed->body;
  const auto start = at + marker.size();
  const json::value completed =
      json::parse(streamed->body.substr(start, streamed->body.find('\n', start) - start));
  const json::value& response = completed.at("response");
  EXPECT_EQ(response.at("status"), "completed");
  const Answer retrieved =
      call(port(), "GET", "/v1/responses/" + std::string(response.at("id").as_string()));
  ASSERT_EQ(retrieved.status, 200) << retrieved.raw;
  EXPECT_EQ(retrieved.body, response);
  EXPECT_NE(retrieved.raw.find("Mock reply to: Stream it"), std::string::npos) << retrieved.raw;
}

TEST_F(StoredResponsesTest, LargeInputItemsAreListedWhole) {
  // Over the size whose JSON is parsed on the blocking pool rather than an event loop.
  const std::string long_text(300 * 1024, 'x');
  const Answer created = call(port(), "POST", "/v1/responses",
                              R"({"model":"test-model","input":")" + long_text + R"("})");
  ASSERT_EQ(created.status, 200) << created.raw.substr(0, 300);
  const Answer items =
      call(port(), "GET",
           "/v1/responses/" + std::string(created.body.at("id").as_string()) + "/input_items");
  ASSERT_EQ(items.status, 200) << items.raw.substr(0, 300);
  EXPECT_TRUE(items.body.at("data").at(0).at("content").at(0).at("text").as_string() == long_text);
}

TEST_F(StoredResponsesTest, StoreFalseResponsesAreNotRetrievable) {
  const Answer created = call(port(), "POST", "/v1/responses",
                              R"({"model":"test-model","input":"Ephemeral","store":false})");
  ASSERT_EQ(created.status, 200) << created.raw;
  EXPECT_EQ(created.body.at("store"), false);
  const std::string id(created.body.at("id").as_string());
  EXPECT_EQ(call(port(), "GET", "/v1/responses/" + id).status, 404);
  EXPECT_EQ(call(port(), "DELETE", "/v1/responses/" + id).status, 404);
}

TEST_F(StoredResponsesTest, StreamQueriesAreRefusedAndUnknownIdsAreNotFound) {
  const Answer unknown = call(port(), "GET", "/v1/responses/resp_nothing");
  EXPECT_EQ(unknown.status, 404);
  // The message says where responses live and which keys bound the store.
  for (std::string_view part :
       {"gateway.response_store.max_bytes", "gateway.response_store.max_entries", "restart"})
    EXPECT_NE(unknown.raw.find(part), std::string::npos) << unknown.raw;
  const Answer stream = call(port(), "GET", "/v1/responses/resp_nothing?stream=true");
  EXPECT_EQ(stream.status, 400) << stream.raw;
  EXPECT_EQ(stream.body.at("error").at("param"), "stream");
}

TEST(StoredResponsesTenants, AnotherTenantsResponseIsNotFoundAndUntouched) {
  auto mock = start_mock_upstream({});
  TempFile config(tenants_yaml(mock->port()));
  auto server = start_server({}, {"--config", config.path()});
  const int port = server->port();
  constexpr std::string_view kAlpha = "sk-alpha-0123456789";
  constexpr std::string_view kBeta = "sk-beta-0123456789";
  const Answer created = call(port, "POST", "/v1/responses",
                              R"({"model":"test-model","input":"Alpha's secret"})", kAlpha);
  ASSERT_EQ(created.status, 200) << created.raw;
  const std::string id(created.body.at("id").as_string());
  const std::string unknown = "resp_0123456789abcdef0123456789abcdef0123456789abcdef";
  for (const auto& [method, suffix] : std::vector<std::pair<std::string, std::string>>{
           {"GET", ""}, {"GET", "/input_items"}, {"DELETE", ""}}) {
    const Answer theirs = call(port, method, "/v1/responses/" + id + suffix, {}, kBeta);
    const Answer missing = call(port, method, "/v1/responses/" + unknown + suffix, {}, kBeta);
    EXPECT_EQ(theirs.status, 404) << method << suffix << ": " << theirs.raw;
    EXPECT_EQ(theirs.raw.find("secret"), std::string::npos) << theirs.raw;
    // Word for word what a missing id gets, but for the id itself.
    std::string expected = missing.raw;
    expected.replace(expected.find(unknown), unknown.size(), id);
    EXPECT_EQ(theirs.raw, expected);
  }
  const Answer still = call(port, "GET", "/v1/responses/" + id, {}, kAlpha);
  EXPECT_EQ(still.status, 200) << still.raw;
  EXPECT_EQ(call(port, "GET", "/v1/responses/" + id).status, 401);  // no key at all
}

// A sample of /metrics ("name" or "name{labels}"); -1 when absent.
double metric(int port, const std::string& series) {
  auto metrics = http_request(port, "GET", "/metrics");
  if (!metrics) return -1;
  const std::string line = "\n" + series + " ";
  const auto at = metrics->body.find(line);
  return at == std::string::npos ? -1 : std::stod(metrics->body.substr(at + line.size()));
}

// A gateway whose store has `env`'s bounds (SLUICE_GATEWAY__RESPONSE_STORE__...).
class StoredResponsesBound : public ::testing::Test {
 protected:
  void start(Env env) {
    mock_ = start_mock_upstream({});
    config_ = std::make_unique<TempFile>(gateway_yaml(mock_->port()));
    server_ = start_server(std::move(env), {"--config", config_->path()});
  }
  int port() const { return server_->port(); }
  // Creates a response to "turn <n>"; its id.
  std::string create(int n, std::string_view extra = {}) {
    const Answer created = call(port(), "POST", "/v1/responses",
                                R"({"model":"test-model","input":"turn )" + std::to_string(n) +
                                    "\"" + std::string(extra) + "}");
    EXPECT_EQ(created.status, 200) << created.raw.substr(0, 300);
    EXPECT_EQ(created.body.at("store"), true) << n;
    return std::string(created.body.at("id").as_string());
  }
  // Which of `ids` GET finds, by index (each GET is a use too, in this order).
  std::vector<int> retrievable(const std::vector<std::string>& ids) {
    std::vector<int> found;
    for (std::size_t i = 0; i < ids.size(); ++i)
      if (call(port(), "GET", "/v1/responses/" + ids[i]).status == 200)
        found.push_back(static_cast<int>(i));
    return found;
  }
  void set_reply_tokens(int tokens) {
    ASSERT_TRUE(http_request(mock_->port(), "POST", "/mock/config",
                             R"({"reply_tokens":)" + std::to_string(tokens) + "}",
                             "Content-Type: application/json\r\n"));
  }

  std::unique_ptr<SluiceProcess> mock_;
  std::unique_ptr<TempFile> config_;
  std::unique_ptr<SluiceProcess> server_;
};

std::vector<int> range(int from, int to) {
  std::vector<int> out;
  for (int i = from; i < to; ++i) out.push_back(i);
  return out;
}

// max_entries is the number kept, for the whole process, and the least recently used go first:
// a read counts as use.
TEST_F(StoredResponsesBound, ExactlyMaxEntriesAreKeptLeastRecentlyUsedFirst) {
  start({{"SLUICE_GATEWAY__RESPONSE_STORE__MAX_ENTRIES", "8"}});
  std::vector<std::string> ids;
  for (int i = 0; i < 8; ++i) ids.push_back(create(i));
  ASSERT_EQ(call(port(), "GET", "/v1/responses/" + ids[0]).status, 200);  // 1 is now the oldest
  ids.push_back(create(8));
  EXPECT_EQ(retrievable(ids), (std::vector<int>{0, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(metric(port(), "sluice_response_store_entries"), 8);
  EXPECT_EQ(metric(port(), R"(sluice_response_store_evictions_total{limit="max_entries"})"), 1);

  for (int i = 9; i < 60; ++i) ids.push_back(create(i));
  EXPECT_EQ(retrievable(ids), range(52, 60));
  EXPECT_EQ(metric(port(), R"(sluice_response_store_evictions_total{limit="max_entries"})"), 52);
  EXPECT_EQ(metric(port(), R"(sluice_response_store_evictions_total{limit="max_bytes"})"), 0);
}

TEST_F(StoredResponsesBound, OneEntryMeansTheLatestOnly) {
  start({{"SLUICE_GATEWAY__RESPONSE_STORE__MAX_ENTRIES", "1"}});
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(create(i));
  EXPECT_EQ(retrievable(ids), std::vector<int>{19});
}

// max_bytes is one budget: responses of about 100 KB each fill 1 MiB, the oldest leave first,
// and what is held stays within it.
TEST_F(StoredResponsesBound, MaxBytesIsOneBudgetFilledInOrder) {
  constexpr double kMaxBytes = 1 << 20;
  start({{"SLUICE_GATEWAY__RESPONSE_STORE__MAX_BYTES", "1MiB"}});
  set_reply_tokens(12000);
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(create(i));
  EXPECT_EQ(retrievable(ids), range(0, 6));  // about 600 KB: all of them
  const double six = metric(port(), "sluice_response_store_bytes");
  EXPECT_GT(six, 6 * 90'000.0);  // what they hold: each answer's text twice, and more
  EXPECT_LT(six, kMaxBytes);

  for (int i = 6; i < 16; ++i) ids.push_back(create(i));
  const double evicted =
      metric(port(), R"(sluice_response_store_evictions_total{limit="max_bytes"})");
  ASSERT_GT(evicted, 0);
  EXPECT_EQ(retrievable(ids), range(static_cast<int>(evicted), 16));
  const double held = metric(port(), "sluice_response_store_bytes");
  EXPECT_LE(held, kMaxBytes);
  EXPECT_GT(held, kMaxBytes - kMaxBytes / 8);  // the next older one would not have fitted
  EXPECT_EQ(metric(port(), "sluice_response_store_entries"), 16 - evicted);
}

// A response over an eighth of max_bytes is answered, says it was not stored, and is not.
TEST_F(StoredResponsesBound, AResponseTooLargeToStoreSaysStoreFalse) {
  start({{"SLUICE_GATEWAY__RESPONSE_STORE__MAX_BYTES", "1MiB"}});
  const std::string small = create(0);
  set_reply_tokens(40000);
  const Answer big =
      call(port(), "POST", "/v1/responses", R"({"model":"test-model","input":"long one"})");
  ASSERT_EQ(big.status, 200) << big.raw.substr(0, 300);
  EXPECT_EQ(big.body.at("store"), false);
  EXPECT_EQ(big.body.at("status"), "completed");
  EXPECT_EQ(
      call(port(), "GET", "/v1/responses/" + std::string(big.body.at("id").as_string())).status,
      404);

  auto streamed = http_request(port(), "POST", "/v1/responses",
                               R"({"model":"test-model","input":"long stream","stream":true})",
                               "Content-Type: application/json\r\n");
  ASSERT_TRUE(streamed);
  const std::string marker = "event: response.completed\ndata: ";
  const auto at = streamed->body.find(marker);
  ASSERT_NE(at, std::string::npos) << streamed->body.substr(0, 300);
  const auto start_at = at + marker.size();
  const json::value completed =
      json::parse(streamed->body.substr(start_at, streamed->body.find('\n', start_at) - start_at));
  EXPECT_EQ(completed.at("response").at("store"), false);
  EXPECT_EQ(call(port(), "GET",
                 "/v1/responses/" + std::string(completed.at("response").at("id").as_string()))
                .status,
            404);

  EXPECT_EQ(metric(port(), "sluice_response_store_rejected_total"), 2);
  EXPECT_EQ(call(port(), "GET", "/v1/responses/" + small).status, 200);  // nothing evicted for them
  EXPECT_EQ(metric(port(), "sluice_response_store_entries"), 1);
}

// The ids GET .../input_items lists can be referred to, by their owner only, as at OpenAI.
TEST(StoredResponsesTenants, InputItemsCanBeReferredToByTheirOwner) {
  auto mock = start_mock_upstream({});
  TempFile config(tenants_yaml(mock->port()));
  auto server = start_server({}, {"--config", config.path()});
  const int port = server->port();
  constexpr std::string_view kAlpha = "sk-alpha-0123456789";
  constexpr std::string_view kBeta = "sk-beta-0123456789";
  const Answer created = call(port, "POST", "/v1/responses",
                              R"({"model":"test-model","input":"The colour is blue"})", kAlpha);
  ASSERT_EQ(created.status, 200) << created.raw;
  const std::string id(created.body.at("id").as_string());
  const Answer items = call(port, "GET", "/v1/responses/" + id + "/input_items", {}, kAlpha);
  ASSERT_EQ(items.status, 200) << items.raw;
  const std::string item_id(items.body.at("first_id").as_string());

  const std::string referring =
      R"({"model":"test-model","input":[{"type":"item_reference","id":")" + item_id + R"("}]})";
  const Answer mine = call(port, "POST", "/v1/responses", referring, kAlpha);
  ASSERT_EQ(mine.status, 200) << mine.raw;
  EXPECT_NE(mine.raw.find("Mock reply to: The colour is blue"), std::string::npos) << mine.raw;
  const Answer theirs = call(port, "POST", "/v1/responses", referring, kBeta);
  EXPECT_EQ(theirs.status, 400) << theirs.raw;
  EXPECT_NE(theirs.raw.find("is not stored"), std::string::npos) << theirs.raw;
}

}  // namespace
}  // namespace sluice::testing
