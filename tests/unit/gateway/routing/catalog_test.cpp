#include "gateway/routing/catalog.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <thread>

#include "../fake_provider.hpp"
#include "gateway/gateway_service.hpp"
#include "ops/metrics.hpp"

namespace sluice::gateway {
namespace {

using namespace std::chrono_literals;

core::GatewayConfig config_with(std::string default_provider) {
  core::GatewayConfig config;
  core::ProviderConfig a;
  a.name = "a";
  a.type = "mock";
  core::ProviderConfig b = a;
  b.name = "b";
  config.providers = {a, b};
  core::ModelAliasConfig fast;
  fast.alias = "fast";
  fast.deployments = {{"a", "m1", 1, 1, ""}, {"b", "m2", 1, 0, ""}};
  fast.fallbacks = {"slow"};
  core::ModelAliasConfig slow;
  slow.alias = "slow";
  slow.deployments = {{"b", "m3", 1, 0, ""}};
  config.models = {fast, slow};
  config.default_provider = std::move(default_provider);
  return config;
}

std::unique_ptr<Catalog> build(const core::GatewayConfig& config) {
  auto catalog = Catalog::build(config);
  EXPECT_TRUE(catalog.ok());
  return std::move(*catalog);
}

const Deployment& first_deployment(const Route& route) {
  return *route[0]->priority_groups[0][0].deployment;
}

// What the gateway records when the upstream answered.
void answered(const Route& route) {
  Deployment& d = *route[0]->priority_groups[0][0].deployment;
  d.stats.begin();
  d.stats.end(1ms, true);
}

// What it records when the upstream refused the name (a 404 is not the deployment's fault).
void refused(const Route& route) {
  Deployment& d = *route[0]->priority_groups[0][0].deployment;
  d.stats.begin();
  d.stats.end(1ms, false);
}

Provider& provider_named(Catalog& catalog, std::string_view name) {
  for (Provider* p : catalog.providers())
    if (p->name() == name) return *p;
  throw std::logic_error("no such provider");
}

TEST(CatalogTest, AliasesResolveWithFallbacksAndPriorityLevels) {
  auto catalog = build(config_with(""));
  auto chain = catalog->resolve("fast");
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_FALSE(chain->transient());
  const ModelAlias& fast = *(*chain)[0];
  ASSERT_EQ(fast.priority_groups.size(), 2u);
  EXPECT_EQ(fast.priority_groups[0][0].deployment->id, "b/m2");  // priority 0 first
  EXPECT_EQ(fast.priority_groups[1][0].deployment->id, "a/m1");
  EXPECT_EQ(fast.priority_groups[1][0].priority, 1);
  EXPECT_EQ((*chain)[1]->name, "slow");
  EXPECT_EQ(catalog->alias_names(), (std::vector<std::string>{"fast", "slow"}));
}

TEST(CatalogTest, AliasesNamingTheSameProviderModelShareOneDeployment) {
  auto config = config_with("");
  core::ModelAliasConfig other;
  other.alias = "other";
  other.deployments = {{"b", "m2", 7, 3, ""}};
  config.models.push_back(other);
  auto catalog = build(config);
  const AliasMember& in_fast = (*catalog->resolve("fast"))[0]->priority_groups[0][0];
  const AliasMember& in_other = (*catalog->resolve("other"))[0]->priority_groups[0][0];
  EXPECT_EQ(in_fast.deployment, in_other.deployment);  // one breaker, one stats, one series
  EXPECT_EQ(&in_fast.deployment->breaker, &in_other.deployment->breaker);
  EXPECT_EQ(in_fast.weight, 1);  // weight and priority stay the alias' own
  EXPECT_EQ(in_other.weight, 7);
  EXPECT_EQ(in_other.priority, 3);
  // A direct "provider/model" request reaches the same deployment too.
  EXPECT_EQ(&first_deployment(*catalog->resolve("b/m2")), in_fast.deployment);
  EXPECT_EQ(catalog->deployments().size(), 3u);  // a/m1, b/m2, b/m3
}

TEST(CatalogTest, ProviderSlashModelAndDefaultProvider) {
  auto strict = build(config_with(""));
  auto direct = strict->resolve("a/custom-model");
  ASSERT_TRUE(direct.ok());
  EXPECT_EQ(first_deployment(*direct).id, "a/custom-model");
  EXPECT_EQ(first_deployment(*direct).upstream_model, "custom-model");
  auto unknown = strict->resolve("gpt-unknown");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, Errc::not_found);
  EXPECT_EQ(unknown.error().code_detail, "model_not_found");
  auto open = build(config_with("b"));
  auto passthrough = open->resolve("gpt-unknown");
  ASSERT_TRUE(passthrough.ok());
  EXPECT_EQ(first_deployment(*passthrough).id, "b/gpt-unknown");
}

TEST(CatalogTest, UnconfirmedNamesAreKeptOnlyOnceTheUpstreamAnswered) {
  auto catalog = build(config_with("a"));
  const std::size_t configured = catalog->deployments().size();
  {
    auto route = catalog->resolve("new-model");
    ASSERT_TRUE(route.ok());
    EXPECT_TRUE(route->transient());
    EXPECT_EQ(first_deployment(*route).metric_label, "a/*");  // no series per arbitrary name
    refused(*route);
  }
  EXPECT_EQ(catalog->deployments().size(), configured);
  {
    auto route = catalog->resolve("new-model");
    EXPECT_TRUE(route->transient());
    answered(*route);
  }
  auto kept = catalog->resolve("new-model");
  EXPECT_FALSE(kept->transient());
  EXPECT_EQ(first_deployment(*kept).metric_label, "a/new-model");
  EXPECT_EQ(catalog->deployments().size(), configured + 1);
  // The bare name and "provider/model" share the promoted deployment.
  EXPECT_EQ(&first_deployment(*catalog->resolve("a/new-model")), &first_deployment(*kept));
}

TEST(CatalogTest, JunkNamesNeverLockOutValidOnes) {
  auto catalog = build(config_with("a"));
  for (int i = 0; i < 1000; ++i) {
    auto route = catalog->resolve("junk-" + std::to_string(i));
    ASSERT_TRUE(route.ok());
    refused(*route);
  }
  for (int i = 0; i < 1000; ++i) refused(*catalog->resolve("b/junk-" + std::to_string(i)));
  auto valid = catalog->resolve("b/valid-model");
  ASSERT_TRUE(valid.ok());
  answered(*valid);
  valid = catalog->resolve("b/valid-model");  // the old route settles as it is replaced
  EXPECT_FALSE(catalog->resolve("b/valid-model")->transient());
}

// The same, through the request path: the upstream 404s a thousand junk names, then a model it
// serves still routes, and is the only one the table kept.
TEST(CatalogTest, JunkNamesThroughTheGatewayNeverLockOutValidOnes) {
  auto config = config_with("a");
  std::vector<testing::FakeProvider*> fakes;
  auto catalog = testing::fake_catalog(config, fakes);
  ASSERT_TRUE(catalog);
  fakes[0]->known = {"valid-model"};
  ops::Registry registry;
  GatewayMetrics metrics(registry, *catalog);
  GatewayService service(*catalog, config, metrics);
  const std::size_t configured = catalog->deployments().size();
  auto chat = [&](const std::string& model) {
    boost::json::object body{{"model", model}, {"messages", boost::json::array{}}};
    ChatRequest request;
    request.body = &body;
    request.model = model;
    return testing::run_to_end(service.chat(request, nullptr));
  };
  for (int i = 0; i < 1000; ++i) {
    const Outcome junk = chat("junk-" + std::to_string(i));
    ASSERT_FALSE(junk.ok);
    EXPECT_EQ(junk.error.code, Errc::not_found);
  }
  EXPECT_EQ(catalog->deployments().size(), configured);
  const Outcome valid = chat("valid-model");
  EXPECT_TRUE(valid.ok) << valid.error.message;
  EXPECT_EQ(valid.deployment, "a/valid-model");
  EXPECT_EQ(catalog->deployments().size(), configured + 1);
  EXPECT_FALSE(catalog->resolve("valid-model")->transient());
  EXPECT_EQ(fakes[0]->chats, 1001);
}

TEST(CatalogTest, PromotionsAreBoundedYetEveryNameStillRoutes) {
  auto catalog = build(config_with("a"));
  for (std::size_t i = 0; i < kMaxPromotedModels; ++i)
    answered(*catalog->resolve("model-" + std::to_string(i)));
  EXPECT_FALSE(catalog->resolve("model-7")->transient());
  auto beyond = catalog->resolve("one-too-many");
  ASSERT_TRUE(beyond.ok());
  answered(*beyond);
  beyond = catalog->resolve("one-too-many");
  EXPECT_TRUE(beyond->transient());  // routes, but is not retained
}

TEST(CatalogTest, ListedModelsGetASlotAtOnceAndAreListed) {
  auto catalog = build(config_with("a"));
  catalog->set_upstream_models(provider_named(*catalog, "a"), {"up-2", "up-1"});
  catalog->set_upstream_models(provider_named(*catalog, "b"), {"only-b", "fast"});
  EXPECT_FALSE(catalog->resolve("up-1")->transient());
  EXPECT_FALSE(catalog->resolve("b/only-b")->transient());
  std::vector<std::string> ids;
  for (const auto& m : catalog->listed_models()) ids.push_back(m.id + "@" + m.owned_by);
  EXPECT_EQ(ids, (std::vector<std::string>{"fast@sluice", "slow@sluice", "a/up-1@a", "a/up-2@a",
                                           "up-1@a", "up-2@a", "b/fast@b", "b/only-b@b"}));
}

TEST(CatalogTest, FindModelAnswersForWhatRoutes) {
  auto strict = build(config_with(""));
  strict->set_upstream_models(provider_named(*strict, "b"), {"listed"});
  EXPECT_EQ(strict->find_model("fast")->owned_by, "sluice");
  EXPECT_EQ(strict->find_model("a/anything")->owned_by, "a");
  EXPECT_EQ(strict->find_model("listed")->owned_by, "b");  // a bare id some upstream lists
  EXPECT_FALSE(strict->find_model("unlisted").has_value());
  EXPECT_FALSE(strict->find_model("nope/model").has_value());
  EXPECT_TRUE(strict->resolve("listed").ok());
  auto open = build(config_with("a"));
  EXPECT_EQ(open->find_model("unlisted")->owned_by, "a");
}

// Event loops share the catalog: resolving, settling and list refreshes may interleave freely.
TEST(CatalogTest, ConcurrentResolvesPromotionsAndListRefreshes) {
  auto catalog = build(config_with("a"));
  Provider& b = provider_named(*catalog, "b");
  std::vector<std::thread> loops;
  for (int t = 0; t < 4; ++t)
    loops.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        EXPECT_TRUE(catalog->resolve("fast").ok());
        auto route = catalog->resolve("name-" + std::to_string(i % 200));
        if (t % 2 == 0) answered(*route);  // answered on two loops, not on the others
        EXPECT_TRUE(catalog->resolve("b/listed-" + std::to_string(i % 50)).ok());
      }
    });
  loops.emplace_back([&] {
    for (int i = 0; i < 200; ++i) {
      catalog->set_upstream_models(b, {"listed-" + std::to_string(i % 50)});
      EXPECT_FALSE(catalog->listed_models().empty());
    }
  });
  for (auto& loop : loops) loop.join();
  std::set<std::string> ids;
  for (const Deployment* d : catalog->deployments()) EXPECT_TRUE(ids.insert(d->id).second) << d->id;
  EXPECT_FALSE(catalog->resolve("name-7")->transient());  // answered, so kept
}

}  // namespace
}  // namespace sluice::gateway
