// Rate limits against the real binary: GCRA accuracy under concurrent load, and OWASP API4:2023
// (Unrestricted Resource Consumption) for keys, addresses and tokens.
#include <atomic>
#include <thread>

#include "support/rag_client.hpp"
#include "support/server_fixture.hpp"
#include "support/text.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kAdmin = "sk-rate-admin";

std::string auth_header(const std::string& key) { return "Authorization: Bearer " + key + "\r\n"; }

std::string get_request(std::string_view target, const std::string& key) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n" + auth_header(key) + "\r\n";
}

// The value of sluice_ratelimited_total{limit="<limit>"} in /metrics; -1 when absent.
long long ratelimited(int port, std::string_view limit) {
  auto metrics = http_request(port, "GET", "/metrics");
  if (!metrics) return -1;
  const std::string series = "sluice_ratelimited_total{limit=\"" + std::string(limit) + "\"} ";
  const auto at = metrics->body.find(series);
  return at == std::string::npos ? -1 : std::stoll(metrics->body.substr(at + series.size()));
}

// N clients on keep-alive connections, together at three times a key's limit for 10 s: GCRA
// admits by arrival time, so what gets through is the rate over the time spent plus the burst,
// whatever the interleaving, and every other request gets a 429.
TEST(RateLimitAccuracy, ConcurrentClientsAtThreeTimesTheLimitGetTheConfiguredRate) {
  constexpr int kPerMinute = 6000;  // 100 a second
  constexpr int kBurst = 100;       // rate_limits.burst: 1s
  constexpr int kClients = 4;
  constexpr auto kRun = 10s;
  const std::string key = "sk-load-test-key";
  TempFile config("auth:\n  api_keys:\n    - { name: load, key: " + key +
                  ", role: user, requests_per_minute: " + std::to_string(kPerMinute) +
                  " }\nrate_limits:\n  burst: 1s\n");
  auto server = start_server({{"SLUICE_LOG__ACCESS_LOG", "false"}}, {"--config", config.path()});
  const std::string request = get_request("/v1/models", key);
  // Each client paces itself to its share of three times the rate.
  const auto interval =
      std::chrono::nanoseconds(std::chrono::seconds(60)) * kClients / (3 * kPerMinute);
  std::atomic<long long> admitted{0}, refused{0}, other{0};
  const auto started = Clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&, c] {
      HttpConnection connection(server->port());
      auto next = started + interval * c / kClients;
      while (next < started + kRun) {
        std::this_thread::sleep_until(next);
        next += interval;
        std::optional<HttpResponse> response;
        if (connection.send_raw(request)) response = connection.read_response(10s);
        if (!response)
          ++other;
        else if (response->status == 200)
          ++admitted;
        else if (response->status == 429 && !response->header("retry-after").empty())
          ++refused;
        else
          ++other;
      }
    });
  for (auto& client : clients) client.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  const double expected = kPerMinute / 60.0 * elapsed + kBurst;
  RecordProperty("admitted", std::to_string(admitted.load()));
  RecordProperty("expected", std::to_string(expected));
  EXPECT_EQ(other.load(), 0);
  EXPECT_GT(refused.load(), admitted.load());  // the load really was beyond the limit
  EXPECT_NEAR(static_cast<double>(admitted.load()), expected, expected * 0.01)
      << "admitted " << admitted << ", refused " << refused << " in " << elapsed << " s";
  EXPECT_EQ(ratelimited(server->port(), "key"), refused.load());
}

class OwaspApi4UnrestrictedResourceConsumption : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    mock_ = start_mock_upstream().release();
    config_ = new TempFile(
        "gateway:\n  providers:\n"
        "    - { name: up, type: openai, api_key: test, base_url: "
        "\"http://127.0.0.1:" +
        std::to_string(mock_->port()) +
        "/v1\" }\n"
        "  models:\n"
        "    - { alias: test-model, deployments: [ { provider: up, model: m } ] }\n"
        "rate_limits:\n  address_requests_per_minute: 1000\n"
        "  routes:\n    - { route: /v1/embeddings, requests_per_minute: 2 }\n");
    server_ =
        start_server({{"SLUICE_AUTH__ADMIN_KEY", kAdmin}}, {"--config", config_->path()}).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete config_;
    delete mock_;
  }
  static int port() { return server_->port(); }
  // A new virtual key with `limits` (JSON members); its secret.
  static std::string create_key(const std::string& limits) {
    auto created = call(port(), "POST", "/v1/admin/keys", R"({"roles":["query"],)" + limits + "}",
                        "Content-Type: application/json\r\n" + auth_header(kAdmin));
    EXPECT_EQ(created.status, 201) << created.raw;
    return string_field(created.body, "key");
  }
  static std::optional<HttpResponse> chat(const std::string& key, std::string_view body) {
    return http_request(port(), "POST", "/v1/chat/completions", body,
                        "Content-Type: application/json\r\n" + auth_header(key));
  }

  static SluiceProcess* mock_;
  static TempFile* config_;
  static SluiceProcess* server_;
};
SluiceProcess* OwaspApi4UnrestrictedResourceConsumption::mock_ = nullptr;
TempFile* OwaspApi4UnrestrictedResourceConsumption::config_ = nullptr;
SluiceProcess* OwaspApi4UnrestrictedResourceConsumption::server_ = nullptr;

TEST_F(OwaspApi4UnrestrictedResourceConsumption, RequestsBeyondTheKeyLimitGet429) {
  const std::string limited = create_key(R"("requests_per_minute":2)");
  const long long before = ratelimited(port(), "key");
  for (int i = 0; i < 2; ++i) {
    auto ok = http_request(port(), "GET", "/v1/models", {}, auth_header(limited));
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(ok->header("x-ratelimit-limit-requests"), "2");
    EXPECT_EQ(ok->header("x-ratelimit-remaining-requests"), std::to_string(1 - i));
    EXPECT_FALSE(ok->header("x-ratelimit-reset-requests").empty());
  }
  auto refused = http_request(port(), "GET", "/v1/models", {}, auth_header(limited));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429);
  const auto error = boost::json::parse(refused->body).at("error").as_object();
  EXPECT_EQ(string_field(error, "code"), "rate_limit_exceeded");
  EXPECT_EQ(string_field(error, "type"), "rate_limit_error");
  EXPECT_TRUE(error.at("param").is_null());
  // Half a minute: the next of two per minute.
  const int retry_after = std::stoi(refused->header("retry-after"));
  EXPECT_GE(retry_after, 29);
  EXPECT_LE(retry_after, 30);
  EXPECT_EQ(refused->header("x-ratelimit-remaining-requests"), "0");
  EXPECT_EQ(ratelimited(port(), "key"), before + 1);
  // Another key is served as before.
  const std::string other = create_key(R"("requests_per_minute":2)");
  auto served = http_request(port(), "GET", "/v1/models", {}, auth_header(other));
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
}

TEST_F(OwaspApi4UnrestrictedResourceConsumption, AnExpensiveRouteIsLimitedForEveryone) {
  const std::string a = create_key("\"name\":\"a\"");
  const std::string b = create_key("\"name\":\"b\"");
  const std::string body = R"({"model":"test-model","input":"hello"})";
  const std::string headers = "Content-Type: application/json\r\n";
  int statuses[3] = {};
  const std::string keys[3] = {a, b, a};
  for (int i = 0; i < 3; ++i) {
    auto response =
        http_request(port(), "POST", "/v1/embeddings", body, headers + auth_header(keys[i]));
    ASSERT_TRUE(response);
    statuses[i] = response->status;
  }
  EXPECT_NE(statuses[0], 429);
  EXPECT_NE(statuses[1], 429);
  EXPECT_EQ(statuses[2], 429);
  EXPECT_GE(ratelimited(port(), "route"), 1);
}

TEST_F(OwaspApi4UnrestrictedResourceConsumption,
       TokensBeyondTheKeyLimitGet429AndUnusedOnesComeBack) {
  const std::string key = create_key(R"("tokens_per_minute":2000)");
  // The reservation is the estimate (body / 4 + max_tokens); the mock uses far less.
  const std::string body =
      R"({"model":"test-model","max_tokens":1500,"messages":[{"role":"user","content":"hi"}]})";
  auto first = chat(key, body);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200) << first->body;
  EXPECT_EQ(first->header("x-ratelimit-limit-tokens"), "2000");
  const int left = std::stoi(first->header("x-ratelimit-remaining-tokens"));
  EXPECT_LT(left, 500);  // right after the reservation
  // Settled with the real usage: the next call's reservation fits again.
  auto second = chat(key, body);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200) << second->body;
  // Streamed answers carry the headers on their head too.
  const std::string streamed = R"({"model":"test-model","stream":true,"max_tokens":1500,)"
                               R"("messages":[{"role":"user","content":"hi"}]})";
  auto stream = chat(key, streamed);
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->status, 200);
  EXPECT_EQ(stream->header("x-ratelimit-limit-tokens"), "2000");
  // A call whose estimate no longer fits waits: 429 with Retry-After.
  const std::string greedy =
      R"({"model":"test-model","max_tokens":1999,"messages":[{"role":"user","content":"hi"}]})";
  auto refused = chat(key, greedy);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 429) << refused->body;
  EXPECT_NE(refused->body.find("rate_limit_exceeded"), std::string::npos);
  EXPECT_FALSE(refused->header("retry-after").empty());
  EXPECT_EQ(refused->header("x-ratelimit-limit-tokens"), "2000");
  EXPECT_GE(ratelimited(port(), "tokens"), 1);
}

TEST_F(OwaspApi4UnrestrictedResourceConsumption, AnAliasAndTheModelItRoutesToShareATokenLimit) {
  // 300 a minute (5 a second back). The first call keeps what the mock used (about 50).
  const std::string key = create_key(R"("tokens_per_minute":300)");
  auto by_alias = chat(key, R"({"model":"test-model","max_tokens":250,)"
                            R"("messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(by_alias);
  ASSERT_EQ(by_alias->status, 200) << by_alias->body;
  // The same upstream model by its provider/model name, estimated at about 290: a limit of its
  // own would admit it, the shared one (about 250 left) does not.
  auto by_name = chat(key, R"({"model":"up/m","max_tokens":270,)"
                           R"("messages":[{"role":"user","content":"hi"}]})");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->status, 429) << by_name->body;
  EXPECT_NE(by_name->body.find("rate_limit_exceeded"), std::string::npos) << by_name->body;
}

TEST_F(OwaspApi4UnrestrictedResourceConsumption, LimitsAreValidatedWhereTheyAreSet) {
  auto refused =
      call(port(), "POST", "/v1/admin/keys", R"({"roles":["query"],"requests_per_minute":-1})",
           "Content-Type: application/json\r\n" + auth_header(kAdmin));
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(string_field(refused.body.at("error").as_object(), "param"), "requests_per_minute");
  TempFile bad("rate_limits:\n  address_requests_per_minute: -5\n  burst: 2m\n");
  const RunResult checked = run_sluice({"check", "--config", bad.path()});
  EXPECT_NE(checked.exit_code, 0);
  EXPECT_TRUE(contains(checked.output, "rate_limits.address_requests_per_minute"))
      << checked.output;
  EXPECT_TRUE(contains(checked.output, "rate_limits.burst")) << checked.output;
}

// RAG answers call a model too: they reserve and settle the key's tokens like a chat, and carry
// the -tokens headers, JSON and streamed.
TEST(OwaspApi4UnrestrictedResourceConsumptionRag, AnswersCarryTheKeysTokenHeaders) {
  auto mock = start_mock_upstream();
  TempFile config(
      "gateway:\n  providers:\n"
      "    - { name: up, type: openai, api_key: test, base_url: "
      "\"http://127.0.0.1:" +
      std::to_string(mock->port()) +
      "/v1\" }\n"
      "  models:\n"
      "    - { alias: test-model, deployments: [ { provider: up, model: m } ] }\n"
      "rag: { answer_model: test-model }\n");
  auto server = start_server(
      {{"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}, {"SLUICE_AUTH__ADMIN_KEY", kAdmin}},
      {"--config", config.path()});
  const int port = server->port();
  const auto as = [port](const std::string& key, std::string_view target, std::string_view body) {
    return http_request(port, "POST", target, body,
                        "Content-Type: application/json\r\n" + auth_header(key));
  };
  auto created =
      as(kAdmin, "/v1/admin/keys", R"({"roles":["ingest","query"],"tokens_per_minute":100000})");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string key(boost::json::parse(created->body).at("key").as_string());
  ASSERT_EQ(as(key, "/v1/collections", R"({"name":"docs"})")->status, 201);
  auto uploaded =
      as(key, "/v1/collections/docs/documents", R"({"text":"Rivers run to the sea.","id":"d1"})");
  ASSERT_EQ(uploaded->status, 202) << uploaded->body;
  const std::string job = std::string(boost::json::parse(uploaded->body).at("job_id").as_string());
  ASSERT_TRUE(eventually([&] {
    auto state = http_request(port, "GET", "/v1/jobs/" + job, {}, auth_header(key));
    return state && state->body.find("\"succeeded\"") != std::string::npos;
  }));
  for (const char* stream : {"false", "true"}) {
    std::optional<HttpResponse> answer;
    ASSERT_TRUE(eventually([&] {  // once the collection's indexes have loaded
      // A question of its own each time: a cached answer calls no model.
      answer = as(key, "/v1/query",
                  std::string(R"({"question":"Where do rivers run, stream )") + stream +
                      R"(?","collection":"docs","stream":)" + stream + "}");
      return answer && answer->status != 503;
    }));
    ASSERT_EQ(answer->status, 200) << stream << " " << answer->body;
    EXPECT_EQ(answer->header("x-ratelimit-limit-tokens"), "100000") << stream;
    EXPECT_FALSE(answer->header("x-ratelimit-remaining-tokens").empty()) << stream;
  }
}

}  // namespace
}  // namespace sluice::testing
