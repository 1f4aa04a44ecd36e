// Budgets against the real binary: a virtual key or a team at its daily budget is refused with a
// 429 naming the budget (or sent to a cheaper model when one is configured), the spend is the
// one /v1/admin/keys/{id}/usage reports, and it holds after a restart and on another replica of
// the same store. The dev profile's built-in mock answers with token usage, priced by the
// built-in price table (gpt-4o-mini: $0.15 and $0.60 per million tokens).
#include <csignal>

#include "support/admin_fixture.hpp"

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAdmin = "sk-budget-admin";
// Estimated at about $0.000003 before it runs (max_tokens 1), it costs about $0.00003: the
// mock answers at its own length.
constexpr const char* kChat =
    R"({"model":"gpt-4o-mini","max_tokens":1,"messages":[{"role":"user","content":"spend a little"}]})";

class BudgetsTest : public AdminStoreTest {
 protected:
  BudgetsTest()
      : AdminStoreTest(kAdmin, {{"SLUICE_BUDGETS__TEAMS__0__TEAM", "alpha"},
                                {"SLUICE_BUDGETS__TEAMS__0__DAILY_USD", "0.00001"},
                                {"SLUICE_BUDGETS__DOWNGRADES__0__MODEL", "gpt-4o"},
                                {"SLUICE_BUDGETS__DOWNGRADES__0__TO", "gpt-4o-mini"}}) {}
  double spent(int port, const std::string& id) {
    auto usage = as(port, kAdmin, "GET", "/v1/admin/keys/" + id + "/usage");
    EXPECT_EQ(usage.status, 200) << usage.raw;
    return usage.body.at("total").at("cost_usd").to_number<double>();
  }
  // sluice_budget_exceeded_total{budget="<budget>",action="<action>"} in /metrics; -1 if absent.
  long long exceeded(std::string_view budget, std::string_view action) const {
    auto metrics = http_request(server_->port(), "GET", "/metrics");
    if (!metrics) return -1;
    const std::string series = "sluice_budget_exceeded_total{budget=\"" + std::string(budget) +
                               "\",action=\"" + std::string(action) + "\"} ";
    const auto at = metrics->body.find(series);
    return at == std::string::npos ? -1 : std::stoll(metrics->body.substr(at + series.size()));
  }
  static bool refused_for_budget(const JsonResponse& response) {
    return response.status == 429 && contains(response.raw, R"("code":"budget_exceeded")");
  }
};

TEST_F(BudgetsTest, AKeyAtItsDailyBudgetIsRefusedAcrossRestartsAndReplicas) {
  // A hundred-thousandth of a dollar: the first call fits its estimate and spends more.
  auto [id, secret] = create(R"({"roles":["query"],"daily_budget_usd":0.00001})");
  auto [other_id, other] = create(R"({"roles":["query"]})");
  const int port = server_->port();
  ASSERT_EQ(as(port, secret, "POST", "/v1/chat/completions", kChat).status, 200);
  auto refused = as(port, secret, "POST", "/v1/chat/completions", kChat);
  EXPECT_TRUE(refused_for_budget(refused)) << refused.raw;
  EXPECT_TRUE(contains(refused.raw, "daily budget of $0.00001 of this API key is spent"))
      << refused.raw;
  EXPECT_TRUE(contains(refused.raw, R"("type":"rate_limit_error")")) << refused.raw;
  // The SDKs would otherwise retry it, or sleep until tomorrow.
  auto head =
      http_request(port, "POST", "/v1/chat/completions", kChat,
                   "Content-Type: application/json\r\nAuthorization: Bearer " + secret + "\r\n");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 429);
  EXPECT_EQ(head->header("x-should-retry"), "false");
  EXPECT_NE(head->header("retry-after"), "");
  EXPECT_TRUE(refused_for_budget(
      as(port, secret, "POST", "/v1/embeddings", R"({"model":"emb","input":"x"})")));
  EXPECT_TRUE(refused_for_budget(
      as(port, secret, "POST", "/v1/responses", R"({"model":"gpt-4o-mini","input":"x"})")));
  // Others keep going, and the key may still read.
  EXPECT_EQ(as(port, other, "POST", "/v1/chat/completions", kChat).status, 200);
  EXPECT_EQ(as(port, secret, "GET", "/v1/models").status, 200);
  EXPECT_EQ(exceeded("key", "refused"), 4);
  const double before = spent(port, id);
  EXPECT_GT(before, 0.000001);

  // Another replica of the store holds the key to the same spend, once it reads it.
  auto replica = start_replica();
  EXPECT_TRUE(eventually([&] {
    return refused_for_budget(as(replica->port(), secret, "POST", "/v1/chat/completions", kChat));
  }));
  replica.reset();

  server_->signal(SIGTERM);
  ASSERT_TRUE(server_->wait_exit(10s));
  server_ = start_replica();
  EXPECT_EQ(spent(server_->port(), id), before);
  EXPECT_TRUE(
      refused_for_budget(as(server_->port(), secret, "POST", "/v1/chat/completions", kChat)));
  // Raising the budget lets it call again at once.
  auto raised =
      as(server_->port(), kAdmin, "PATCH", "/v1/admin/keys/" + id, R"({"daily_budget_usd":100})");
  ASSERT_EQ(raised.status, 200) << raised.raw;
  EXPECT_EQ(raised.body.at("daily_budget_usd").to_number<double>(), 100.0);
  EXPECT_EQ(as(server_->port(), secret, "POST", "/v1/chat/completions", kChat).status, 200);
}

TEST_F(BudgetsTest, ACallWhoseEstimateWouldPassTheBudgetIsRefusedBeforeItRuns) {
  auto [id, secret] = create(R"({"roles":["query"],"daily_budget_usd":0.01})");
  const int port = server_->port();
  // 100k completion tokens of gpt-4o-mini ($0.60 per million): about $0.06.
  auto refused = as(port, secret, "POST", "/v1/chat/completions",
                    R"({"model":"gpt-4o-mini","max_tokens":100000,)"
                    R"("messages":[{"role":"user","content":"a long story"}]})");
  EXPECT_TRUE(refused_for_budget(refused)) << refused.raw;
  EXPECT_TRUE(contains(refused.raw, "would be passed")) << refused.raw;
  EXPECT_EQ(spent(port, id), 0.0);
  EXPECT_EQ(as(port, secret, "POST", "/v1/chat/completions", kChat).status, 200);
}

TEST_F(BudgetsTest, ATeamBudgetHoldsEveryKeyOfTheTeam) {
  auto [a_id, a] = create(R"({"team":"alpha","roles":["query"]})");
  auto [b_id, b] = create(R"({"team":"alpha","roles":["query"]})");
  auto [c_id, c] = create(R"({"team":"beta","roles":["query"]})");
  const int port = server_->port();
  ASSERT_EQ(as(port, a, "POST", "/v1/chat/completions", kChat).status, 200);
  auto refused = as(port, b, "POST", "/v1/chat/completions", kChat);
  EXPECT_TRUE(refused_for_budget(refused)) << refused.raw;
  EXPECT_TRUE(contains(refused.raw, "team alpha")) << refused.raw;
  EXPECT_EQ(exceeded("team", "refused"), 1);
  EXPECT_EQ(exceeded("key", "refused"), 0);
  EXPECT_EQ(as(port, c, "POST", "/v1/chat/completions", kChat).status, 200);
}

TEST_F(BudgetsTest, OverBudgetADowngradedModelAnswersAndSaysSo) {
  auto [id, secret] = create(R"({"roles":["query"],"daily_budget_usd":0.000001})");
  const int port = server_->port();
  const std::string big = R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})";
  ASSERT_EQ(as(port, secret, "POST", "/v1/chat/completions", big).status, 200);
  auto response =
      http_request(port, "POST", "/v1/chat/completions", big,
                   "Content-Type: application/json\r\nAuthorization: Bearer " + secret + "\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->header("x-sluice-budget-downgrade"), "gpt-4o -> gpt-4o-mini");
  EXPECT_TRUE(contains(response->body, "gpt-4o-mini")) << response->body;
  EXPECT_GE(exceeded("key", "downgraded"), 1);
  // No cheaper model for gpt-4o-mini itself: refused.
  EXPECT_TRUE(refused_for_budget(as(port, secret, "POST", "/v1/chat/completions", kChat)));
}

TEST_F(BudgetsTest, BadBudgetsAreRefusedNamingTheField) {
  for (const char* body : {R"({"daily_budget_usd":-1})", R"({"monthly_budget_usd":"5"})",
                           R"({"daily_budget_usd":1e12})"}) {
    auto refused = as(server_->port(), kAdmin, "POST", "/v1/admin/keys", body);
    EXPECT_EQ(refused.status, 400) << body << " " << refused.raw;
    EXPECT_TRUE(contains(refused.raw, "budget_usd")) << refused.raw;
  }
}

}  // namespace
}  // namespace sluice::testing
