#pragma once
// A gateway::Provider whose upstream is simulated: the catalog is built with these by the
// production Catalog::build (through its provider factory), so GatewayService routes, retries and
// trips breakers over them exactly as over real ones. Chat only (streamed or not): the other
// endpoints answer `rejected`, as a provider without them does.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/providers/provider.hpp"
#include "sim/model/request_plan.hpp"
#include "sim/model/upstream.hpp"

namespace sluice::sim {

// Every simulated upstream of a run, shared by the replicas.
class UpstreamSet {
 public:
  UpstreamSet(Engine& engine, const ScenarioConfig& scenario, std::uint64_t seed);
  // The upstream that serves `provider`'s `model` (see upstream_for); null when none does.
  Upstream* find(const std::string& provider, const std::string& model) const;

 private:
  struct Entry {
    std::string provider;
    std::string model;
    std::unique_ptr<Upstream> upstream;
  };
  std::vector<Entry> entries_;
};

class SimulatedProvider final : public gateway::Provider {
 public:
  // `region`: the region of the replica whose catalog holds it (nullopt without regions); its
  // attempts cross the network to an upstream placed in another region.
  SimulatedProvider(std::string name, const UpstreamSet& upstreams, const PlanBoard& plans,
                    std::optional<std::size_t> region = std::nullopt)
      : name_(std::move(name)), upstreams_(upstreams), plans_(plans), region_(region) {}

  const std::string& name() const override { return name_; }
  boost::asio::awaitable<gateway::AttemptResult> chat(const gateway::ChatRequest& request,
                                                      std::string_view upstream_model,
                                                      gateway::ChunkSink* sink) override;
  boost::asio::awaitable<gateway::AttemptResult> embeddings(const gateway::EmbeddingsRequest&,
                                                            std::string_view) override;
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override;

 private:
  Upstream* upstream_of(std::string_view model);

  const std::string name_;
  const UpstreamSet& upstreams_;
  const PlanBoard& plans_;
  const std::optional<std::size_t> region_;
  std::vector<std::pair<std::string, Upstream*>> by_model_;  // resolved on first use
};

}  // namespace sluice::sim
