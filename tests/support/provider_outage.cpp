#include "support/provider_outage.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "gateway/gateway_metrics.hpp"
#include "gateway/gateway_service.hpp"
#include "gateway/providers/provider.hpp"
#include "gateway/routing/catalog.hpp"
#include "gateway/timing.hpp"
#include "ops/metrics.hpp"

namespace sluice::sim::testing {
namespace {

using gateway::AttemptResult;
using Clock = gateway::Timing::Clock;

// Time moves only between requests: a request, its backoffs included, takes no virtual time.
class VirtualClock final : public gateway::Timing {
 public:
  Clock::time_point now() const override { return at(seconds_); }
  boost::asio::awaitable<bool> sleep(Clock::duration, gateway::RequestLimits) override {
    co_return true;
  }
  static Clock::time_point at(double seconds) {
    return Clock::time_point{} +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }
  double seconds_ = 0;
};

// Answers every chat, except provider openai's during the outage (a 503, as upstream_5xx).
class OutageProvider final : public gateway::Provider {
 public:
  OutageProvider(std::string name, const VirtualClock& clock, const OutagePlan& plan)
      : name_(std::move(name)), clock_(clock), plan_(plan) {}

  const std::string& name() const override { return name_; }

  boost::asio::awaitable<AttemptResult> chat(const gateway::ChatRequest&, std::string_view,
                                             gateway::ChunkSink*) override {
    if (name_ == "openai" && clock_.seconds_ >= plan_.outage_start &&
        clock_.seconds_ < plan_.outage_end) {
      co_return AttemptResult::failure(
          core::AttemptOutcome::upstream_5xx,
          make_error(Errc::unavailable, "the upstream answered 503 Service Unavailable"));
    }
    AttemptResult answered;
    answered.body = R"({"object":"chat.completion","choices":[{"finish_reason":"stop"}]})";
    answered.finish_reason = "stop";
    answered.usage.prompt_tokens = 120;
    answered.usage.completion_tokens = 80;
    answered.usage.reported = true;
    co_return answered;
  }
  boost::asio::awaitable<AttemptResult> embeddings(const gateway::EmbeddingsRequest&,
                                                   std::string_view) override {
    co_return AttemptResult::failure(core::AttemptOutcome::rejected,
                                     make_error(Errc::invalid_request, "no embeddings"));
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override {
    co_return std::vector<std::string>{};
  }

 private:
  std::string name_;
  const VirtualClock& clock_;
  const OutagePlan& plan_;
};

core::GatewayConfig outage_config() {
  core::GatewayConfig config;
  for (const char* name : {"openai", "anthropic"}) {
    core::ProviderConfig provider;
    provider.name = name;
    provider.type = "mock";
    config.providers.push_back(provider);
  }
  core::ModelAliasConfig chat;
  chat.alias = "chat";
  chat.deployments = {{"openai", "gpt-4o-mini", 1, 0, ""}, {"anthropic", "claude-haiku", 1, 1, ""}};
  config.models = {chat};
  config.circuit_breaker.failure_threshold = 5;
  config.circuit_breaker.cooldown = std::chrono::seconds(10);
  return config;
}

// One replica: the server's own gateway objects, on the shared virtual clock.
struct Replica {
  Replica(const core::GatewayConfig& config, VirtualClock& clock, const OutagePlan& plan) {
    auto built = gateway::Catalog::build(config, [&](const core::ProviderConfig& c) {
      return Result<std::unique_ptr<gateway::Provider>>(
          std::make_unique<OutageProvider>(c.name, clock, plan));
    });
    if (!built.ok()) throw std::runtime_error(built.error().message);
    catalog = std::move(*built);
    metrics = std::make_unique<gateway::GatewayMetrics>(registry, *catalog, &clock);
    service = std::make_unique<gateway::GatewayService>(*catalog, config, *metrics, clock);
  }

  void chat(boost::asio::io_context& io, const boost::json::object& body) {
    gateway::ChatRequest request;
    request.body = &body;
    request.model = "chat";
    request.limits.deadline = service->deadline_for("chat", std::nullopt);
    auto done = boost::asio::co_spawn(io, service->chat(request, nullptr), boost::asio::use_future);
    io.restart();
    io.run();
    done.get();
  }

  ops::Registry registry;
  std::unique_ptr<gateway::Catalog> catalog;
  std::unique_ptr<gateway::GatewayMetrics> metrics;
  std::unique_ptr<gateway::GatewayService> service;
};

}  // namespace

Status run_provider_outage(const OutagePlan& plan, MetricsTimeline& timeline) {
  const core::GatewayConfig config = outage_config();
  VirtualClock clock;
  std::vector<std::unique_ptr<Replica>> replicas;
  for (int i = 0; i < plan.replicas; ++i) {
    replicas.push_back(std::make_unique<Replica>(config, clock, plan));
    timeline.add_replica(replica_instance(static_cast<std::size_t>(i)), replicas.back()->registry);
  }
  const boost::json::object body =
      boost::json::parse(R"({"model":"chat","messages":[{"role":"user","content":"Hello"}]})")
          .as_object();
  boost::asio::io_context io;
  // Requests arrive evenly, replicas taking turns; a scrape comes before the requests of its
  // instant.
  const double gap = 1.0 / (plan.requests_per_second * plan.replicas);
  long long request = 0;
  for (long long scrape = 0;; ++scrape) {
    const double scrape_at = static_cast<double>(scrape) * plan.scrape_interval;
    if (scrape_at > plan.end) break;
    clock.seconds_ = scrape_at;
    Status taken = timeline.snapshot(scrape_at);
    if (!taken.ok()) return taken;
    const double next_scrape = scrape_at + plan.scrape_interval;
    for (;;) {
      const double arrival = static_cast<double>(request) * gap;
      if (arrival >= next_scrape || arrival > plan.end) break;
      clock.seconds_ = arrival;
      replicas[static_cast<std::size_t>(request % plan.replicas)]->chat(io, body);
      ++request;
    }
  }
  for (int i = 0; i < plan.replicas; ++i)
    timeline.remove_replica(replica_instance(static_cast<std::size_t>(i)));
  return Status::success();
}

}  // namespace sluice::sim::testing
