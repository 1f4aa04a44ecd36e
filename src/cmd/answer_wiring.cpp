#include "cmd/answer_wiring.hpp"

#include "api/query_routes.hpp"
#include "api/rag_chat.hpp"
#include "api/session_routes.hpp"
#include "gateway/mock_route.hpp"
#include "rag/answer_cache.hpp"
#include "rag/answerer.hpp"
#include "rag/rag_metrics.hpp"

namespace sluice::cmd {

struct AnswerServing::Parts {
  Parts(const core::Config& config, store::Store& store, rag::Retriever& retriever,
        gateway::Catalog& catalog, gateway::GatewayService& gateway, ops::Registry& registry)
      : cache(config.rag.cache_max_bytes, config.rag.cache_ttl),
        metrics(registry),
        answerer(retriever, gateway, store, cache, metrics, config.rag,
                 [&catalog](std::string_view model) {
                   return gateway::routes_only_to_mock(catalog, model);
                 }),
        chat(answerer, gateway, store) {}

  rag::AnswerCache cache;
  rag::RagMetrics metrics;
  rag::Answerer answerer;
  api::RagChat chat;
};

AnswerServing::AnswerServing(const core::Config& config, store::Store& store,
                             rag::Retriever& retriever, gateway::Catalog& catalog,
                             gateway::GatewayService& gateway, http::Router& router,
                             ops::Registry& metrics)
    : parts_(std::make_unique<Parts>(config, store, retriever, catalog, gateway, metrics)) {
  api::register_query_routes(router, parts_->answerer, gateway);
  api::register_session_routes(router, store, config.rag);
}

AnswerServing::~AnswerServing() = default;

void AnswerServing::set_tracer(ops::Tracer* tracer) { parts_->answerer.set_tracer(tracer); }

api::RagChat& AnswerServing::rag_chat() { return parts_->chat; }

}  // namespace sluice::cmd
