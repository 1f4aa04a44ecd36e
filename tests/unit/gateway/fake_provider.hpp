#pragma once
// A Provider for tests: answers chats for the models it knows and 404s the rest, as a real
// upstream does; its model list can be told to fail a number of times first.

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <string>
#include <vector>

#include "gateway/providers/provider.hpp"
#include "gateway/routing/catalog.hpp"

namespace sluice::gateway::testing {

class FakeProvider final : public Provider {
 public:
  explicit FakeProvider(std::string name, std::vector<std::string> known = {})
      : known(std::move(known)), name_(std::move(name)) {}

  const std::string& name() const override { return name_; }

  boost::asio::awaitable<AttemptResult> chat(const ChatRequest&, std::string_view upstream_model,
                                             ChunkSink*) override {
    ++chats;
    if (std::find(known.begin(), known.end(), upstream_model) == known.end()) {
      co_return AttemptResult::failure(
          core::AttemptOutcome::upstream_4xx,
          make_error(Errc::not_found, "no such model", "model", "model_not_found"));
    }
    AttemptResult answered;
    answered.body = R"({"object":"chat.completion"})";
    co_return answered;
  }
  boost::asio::awaitable<AttemptResult> embeddings(const EmbeddingsRequest&,
                                                   std::string_view) override {
    co_return AttemptResult::failure(core::AttemptOutcome::rejected,
                                     make_error(Errc::invalid_request, "no embeddings"));
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> list_models() override {
    ++list_calls;
    if (list_failures_left > 0) {
      --list_failures_left;
      co_return make_error(Errc::bad_gateway, "upstream down");
    }
    co_return known;
  }

  std::vector<std::string> known;
  int list_failures_left = 0;
  int list_calls = 0;
  int chats = 0;

 private:
  std::string name_;
};

// Builds a catalog whose providers are FakeProviders; `fakes` receives them by name order.
inline std::unique_ptr<Catalog> fake_catalog(const core::GatewayConfig& config,
                                             std::vector<FakeProvider*>& fakes) {
  auto catalog = Catalog::build(config, [&fakes](const core::ProviderConfig& c) {
    auto provider = std::make_unique<FakeProvider>(c.name);
    fakes.push_back(provider.get());
    return Result<std::unique_ptr<Provider>>(std::move(provider));
  });
  return catalog.ok() ? std::move(*catalog) : nullptr;
}

// Runs a coroutine to its end on a private io_context.
template <class T>
T run_to_end(boost::asio::awaitable<T> task) {
  boost::asio::io_context io;
  auto result = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.run();
  return result.get();
}

}  // namespace sluice::gateway::testing
