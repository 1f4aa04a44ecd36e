// The admission section: defaults (off), every key loaded, and each problem naming its key.

#include <gtest/gtest.h>

#include "config_fixture.hpp"
#include "core/config.hpp"

namespace sluice::core {
namespace {

using std::chrono::milliseconds;
using ConfigAdmissionTest = testing::ConfigFileTest;
using testing::contains;
using testing::describe;
using testing::error_at;

TEST_F(ConfigAdmissionTest, OffByDefault) {
  auto r = load("");
  ASSERT_LOADS(r);
  EXPECT_FALSE(r->admission.enabled());
  EXPECT_EQ(r->admission.max_wait, milliseconds(1000));
  EXPECT_EQ(r->admission.degraded.top_k, 3);
}

TEST_F(ConfigAdmissionTest, ReadsEveryKey) {
  auto r = load(R"(
gateway:
  providers: [{name: m, type: mock}]
  models:
    - {alias: big, deployments: [{provider: m, model: big}]}
    - {alias: small, deployments: [{provider: m, model: small}]}
admission:
  max_concurrency: 64
  max_queue: 128
  max_wait: 250ms
  retry_after: 2s
  routes:
    - {route: /v1/chat/completions, max_concurrency: 8, max_queue: 16}
  degraded:
    enter_after: 5s
    exit_after: 1m
    top_k: 2
    aliases: [{model: big, use: small}]
)");
  ASSERT_LOADS(r);
  const AdmissionConfig& a = r->admission;
  EXPECT_TRUE(a.enabled());
  EXPECT_EQ(a.max_concurrency, 64);
  EXPECT_EQ(a.max_queue, 128);
  EXPECT_EQ(a.max_wait, milliseconds(250));
  EXPECT_EQ(a.retry_after, milliseconds(2000));
  ASSERT_EQ(a.routes.size(), 1u);
  EXPECT_EQ(a.routes[0], (RouteAdmissionConfig{"/v1/chat/completions", 8, 16}));
  EXPECT_EQ(a.degraded.enter_after, milliseconds(5000));
  EXPECT_EQ(a.degraded.exit_after, milliseconds(60000));
  EXPECT_EQ(a.degraded.top_k, 2);
  ASSERT_EQ(a.degraded.aliases.size(), 1u);
  EXPECT_EQ(a.degraded.aliases[0], (DegradedAliasConfig{"big", "small"}));
}

TEST_F(ConfigAdmissionTest, ProblemsNameTheirKeys) {
  auto r = load(R"(
admission:
  max_concurrency: -1
  max_queue: -5
  max_wait: 0s
  retry_after: 100ms
  routes:
    - {route: v1/chat, max_concurrency: 0}
    - {route: /v1/embeddings, max_concurrency: 1}
    - {route: /v1/embeddings, max_concurrency: 1}
  degraded:
    exit_after: 0s
    top_k: 0
    aliases: [{model: "", use: nowhere}]
)");
  EXPECT_ERROR_AT(r, "admission.max_concurrency", "0 turns admission control off");
  EXPECT_ERROR_AT(r, "admission.max_queue", "must be between 0");
  EXPECT_ERROR_AT(r, "admission.max_wait", "greater than 0");
  EXPECT_ERROR_AT(r, "admission.retry_after", "at least 1s");
  EXPECT_ERROR_AT(r, "admission.routes.0.route", "starting with '/'");
  EXPECT_ERROR_AT(r, "admission.routes.0.max_concurrency", "between 1");
  EXPECT_ERROR_AT(r, "admission.routes.2.route", "listed twice");
  EXPECT_ERROR_AT(r, "admission.degraded.exit_after", "greater than 0");
  EXPECT_ERROR_AT(r, "admission.degraded.top_k", "rag.max_top_k");
  EXPECT_ERROR_AT(r, "admission.degraded.aliases.0.model", "must not be empty");
  EXPECT_ERROR_AT(r, "admission.degraded.aliases.0.use", "not a configured model alias");
}

}  // namespace
}  // namespace sluice::core
