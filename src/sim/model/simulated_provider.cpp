#include "sim/model/simulated_provider.hpp"

#include "sim/engine/random.hpp"

namespace sluice::sim {
namespace asio = boost::asio;
using gateway::AttemptResult;

UpstreamSet::UpstreamSet(Engine& engine, const ScenarioConfig& scenario, std::uint64_t seed) {
  for (const UpstreamConfig& config : scenario.providers) {
    const core::ProviderConfig* timeouts = nullptr;
    for (const core::ProviderConfig& p : scenario.gateway.providers)
      if (p.name == config.provider) timeouts = &p;
    if (!timeouts) continue;  // validation reports it
    entries_.push_back({config.provider, config.model,
                        std::make_unique<Upstream>(engine, config, *timeouts, scenario.topology,
                                                   derive_seed(seed, "upstream:" + config.provider +
                                                                         "/" + config.model))});
  }
  // traffic.replay.answers: each logged attempt goes to the upstream that serves its deployment,
  // in the order the attempts started.
  if (!scenario.replayed) return;
  const ReplayedTraffic& log = *scenario.replayed;
  std::vector<Upstream*> serving;
  for (const std::string& id : log.deployments) {
    const auto slash = id.find('/');
    serving.push_back(slash == std::string::npos ? nullptr
                                                 : find(id.substr(0, slash), id.substr(slash + 1)));
  }
  for (const ReplayedAnswer& answer : log.answers)
    if (Upstream* upstream = serving[answer.deployment]) upstream->replay(answer);
}

Upstream* UpstreamSet::find(const std::string& provider, const std::string& model) const {
  Upstream* any_model = nullptr;
  for (const Entry& e : entries_) {
    if (e.provider != provider) continue;
    if (e.model == model) return e.upstream.get();
    if (e.model.empty()) any_model = e.upstream.get();
  }
  return any_model;
}

Upstream* SimulatedProvider::upstream_of(std::string_view model) {
  for (const auto& [name, upstream] : by_model_)
    if (name == model) return upstream;
  Upstream* found = upstreams_.find(name_, std::string(model));
  by_model_.emplace_back(std::string(model), found);
  return found;
}

asio::awaitable<AttemptResult> SimulatedProvider::chat(const gateway::ChatRequest& request,
                                                       std::string_view upstream_model,
                                                       gateway::ChunkSink* sink) {
  const RequestPlan* plan = plans_.find(&request);
  Upstream* upstream = upstream_of(upstream_model);
  if (!plan || !upstream)
    co_return AttemptResult::failure(
        core::AttemptOutcome::rejected,
        make_error(Errc::invalid_request,
                   "provider " + name_ + " simulates no model " + std::string(upstream_model)));
  co_return co_await upstream->attempt(*plan, request.limits, request.stream ? sink : nullptr,
                                       region_);
}

asio::awaitable<AttemptResult> SimulatedProvider::embeddings(const gateway::EmbeddingsRequest&,
                                                             std::string_view) {
  co_return AttemptResult::failure(
      core::AttemptOutcome::rejected,
      make_error(Errc::invalid_request, "simulated providers answer chat completions only"));
}

asio::awaitable<Result<std::vector<std::string>>> SimulatedProvider::list_models() {
  co_return std::vector<std::string>{};
}

}  // namespace sluice::sim
