// Admission control through the real binary in front of a slow `sluice mock-upstream`: with every
// slot busy the excess is refused at once with 503 and Retry-After (or waits its turn in a
// bounded queue, by priority), probes, metrics and the status page still answer, and the
// metrics show it.
#include <boost/json.hpp>

#include "support/mock_fixture.hpp"
#include "support/server_fixture.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kChat =
    R"({"model":"test-model","messages":[{"role":"user","content":"hello"}]})";
constexpr const char* kAdmin = "sk-admission-admin";

// A metric's value (the first series starting with `series`), or -1 when absent.
double metric(int port, std::string_view series) {
  auto metrics = http_request(port, "GET", "/metrics");
  if (!metrics) return -1;
  const auto at = metrics->body.find("\n" + std::string(series) + " ");
  if (at == std::string::npos) return -1;
  return std::stod(metrics->body.substr(at + series.size() + 2));
}

struct Gateway {
  std::unique_ptr<SluiceProcess> mock;
  std::unique_ptr<TempFile> config;
  std::unique_ptr<SluiceProcess> sluice;
  int port() const { return sluice->port(); }
  // Makes the upstream answer at once from now on.
  void speed_up_upstream() const {
    auto set = http_request(mock->port(), "POST", "/mock/config", R"({"latency_ms":0})",
                            "Content-Type: application/json\r\n");
    ASSERT_TRUE(set && set->status == 200);
  }
};

// An upstream that takes 10 s per call behind a gateway with `admission` (YAML, top level).
Gateway start_gateway(const std::string& admission, Env env = {}) {
  Gateway g;
  g.mock = start_mock_upstream({"--latency-ms", "10000"});
  g.config = std::make_unique<TempFile>(gateway_yaml(g.mock->port()) + admission);
  g.sluice = start_server(std::move(env), {"--config", g.config->path()});
  return g;
}

std::string auth_header(const std::string& key) { return "Authorization: Bearer " + key + "\r\n"; }

// Sends a chat call on its own connection, left open: the caller waits for it to be held.
std::unique_ptr<HttpConnection> hold_call(const Gateway& g, const std::string& headers = {}) {
  auto client = std::make_unique<HttpConnection>(g.port());
  EXPECT_TRUE(client->send_raw(chat_request(kChat, headers)));
  return client;
}

TEST(OwaspApi4UnrestrictedResourceConsumptionUnderOverload, IsShedWith503) {
  auto g = start_gateway("admission:\n  max_concurrency: 1\n  max_queue: 0\n  retry_after: 3s\n");
  auto holder = hold_call(g);
  ASSERT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "chat") == 1; }));

  const auto started = std::chrono::steady_clock::now();
  auto refused = http_request(g.port(), "POST", "/v1/chat/completions", kChat,
                              "Content-Type: application/json\r\n");
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_EQ(refused->header("retry-after"), "3");
  EXPECT_NE(refused->body.find(R"("code":"overloaded")"), std::string::npos) << refused->body;
  EXPECT_NE(refused->body.find("admission.max_queue"), std::string::npos) << refused->body;
  EXPECT_LT(took, 1s) << "the excess must be refused at once, not after the upstream's latency";
  EXPECT_EQ(mock_stat(g.mock->port(), "chat"), 1) << "a shed request reached the upstream";

  // Saturated, the instance still answers its probes, its scraper and its status page.
  EXPECT_EQ(http_request(g.port(), "GET", "/livez")->status, 200);
  EXPECT_EQ(http_request(g.port(), "GET", "/readyz")->status, 200);
  EXPECT_EQ(http_request(g.port(), "GET", "/ui")->status, 200);
  EXPECT_EQ(http_request(g.port(), "GET", "/ui/app.js")->status, 200);
  EXPECT_EQ(
      metric(g.port(), R"(sluice_shed_total{route="/v1/chat/completions",priority="normal"})"), 1);
  EXPECT_EQ(metric(g.port(), R"(sluice_admission_in_flight{route="*"})"), 1);

  // The holder leaves: its slot comes back, and the next call is served.
  holder.reset();
  ASSERT_TRUE(eventually(
      [&] { return metric(g.port(), R"(sluice_admission_in_flight{route="*"})") == 0; }));
  g.speed_up_upstream();
  auto served = http_request(g.port(), "POST", "/v1/chat/completions", kChat,
                             "Content-Type: application/json\r\n");
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200) << served->body;
}

TEST(AdmissionTest, AWaiterIsServedWhenASlotFrees) {
  auto g = start_gateway("admission:\n  max_concurrency: 1\n  max_queue: 4\n  max_wait: 30s\n");
  auto holder = hold_call(g);
  ASSERT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "chat") == 1; }));
  auto waiter = hold_call(g);
  ASSERT_TRUE(eventually(
      [&] { return metric(g.port(), R"(sluice_admission_queue_depth{route="*"})") == 1; }));
  EXPECT_EQ(mock_stat(g.mock->port(), "chat"), 1);  // waiting, not upstream

  g.speed_up_upstream();
  holder.reset();
  auto answer = waiter->read_response(10s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(metric(g.port(), R"(sluice_admission_queue_depth{route="*"})"), 0);
  EXPECT_EQ(metric(g.port(), "sluice_admission_wait_seconds_count"), 1);
}

TEST(AdmissionTest, AWaiterIsRefusedAfterMaxWait) {
  auto g = start_gateway("admission:\n  max_concurrency: 1\n  max_queue: 4\n  max_wait: 300ms\n");
  auto holder = hold_call(g);
  ASSERT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "chat") == 1; }));
  const auto started = std::chrono::steady_clock::now();
  auto refused = http_request(g.port(), "POST", "/v1/chat/completions", kChat,
                              "Content-Type: application/json\r\n");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_NE(refused->body.find("admission.max_wait"), std::string::npos) << refused->body;
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
  EXPECT_FALSE(refused->header("retry-after").empty());
  EXPECT_EQ(metric(g.port(), R"(sluice_admission_queue_depth{route="*"})"), 0);
}

// A virtual key's priority (stored, migration 6) ranks its requests: an admin's call evicts a
// low-priority waiter from a full queue.
TEST(AdmissionTest, ALowPriorityKeyIsShedFirst) {
  auto g = start_gateway("admission:\n  max_concurrency: 1\n  max_queue: 1\n  max_wait: 30s\n",
                         {{"SLUICE_AUTH__ADMIN_KEY", kAdmin}});
  auto created = http_request(g.port(), "POST", "/v1/admin/keys",
                              R"({"name":"batch","roles":["query"],"priority":"low"})",
                              "Content-Type: application/json\r\n" + auth_header(kAdmin));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const boost::json::object key = boost::json::parse(created->body).as_object();
  EXPECT_EQ(key.at("priority").as_string(), "low");
  const std::string batch_key(key.at("key").as_string());

  auto holder = hold_call(g, auth_header(kAdmin));
  ASSERT_TRUE(eventually([&] { return mock_stat(g.mock->port(), "chat") == 1; }));
  auto low = hold_call(g, auth_header(batch_key));
  ASSERT_TRUE(eventually(
      [&] { return metric(g.port(), R"(sluice_admission_queue_depth{route="*"})") == 1; }));
  auto admin = hold_call(g, auth_header(kAdmin));
  auto shed = low->read_response(5s);
  ASSERT_TRUE(shed);
  EXPECT_EQ(shed->status, 503) << shed->body;
  EXPECT_EQ(metric(g.port(), R"(sluice_shed_total{route="/v1/chat/completions",priority="low"})"),
            1);
  EXPECT_EQ(metric(g.port(), R"(sluice_admission_queue_depth{route="*"})"), 1);  // the admin's
}

TEST(AdmissionTest, ServeRefusesALimitOnARouteItDoesNotServe) {
  TempFile config(
      "admission:\n  routes:\n    - {route: /v1/chat/completion, max_concurrency: 1}\n");
  SluiceProcess serve({"serve", "--listen", "127.0.0.1:0", "--config", config.path()},
                      {{"SLUICE_STORAGE__DATA_DIR", make_temp_dir()}});
  const auto exit_code = serve.wait_exit(10s);
  ASSERT_TRUE(exit_code);
  EXPECT_NE(*exit_code, 0);
  EXPECT_NE(serve.output().find("admission.routes.0.route"), std::string::npos) << serve.output();
}

TEST(AdmissionTest, CheckNamesTheBadKey) {
  TempFile config(
      "admission:\n  max_concurrency: -1\n  degraded:\n    aliases:\n"
      "      - {model: gpt-4o, use: nowhere}\n");
  SluiceProcess check({"check", "--config", config.path()});
  const auto exit_code = check.wait_exit(10s);
  ASSERT_TRUE(exit_code);
  EXPECT_NE(*exit_code, 0);
  const std::string out = check.output();
  EXPECT_NE(out.find("admission.max_concurrency"), std::string::npos) << out;
  EXPECT_NE(out.find("admission.degraded.aliases.0.use"), std::string::npos) << out;
}

}  // namespace
}  // namespace sluice::testing
