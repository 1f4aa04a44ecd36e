#pragma once

#include <memory>

#include "core/config.hpp"

namespace sluice::api {
class RagChat;
}
namespace sluice::gateway {
class Catalog;
class GatewayService;
}  // namespace sluice::gateway
namespace sluice::http {
class Router;
}
namespace sluice::ops {
class Registry;
class Tracer;
}  // namespace sluice::ops
namespace sluice::rag {
class Retriever;
}
namespace sluice::store {
class Store;
}

namespace sluice::cmd {

// The answering half of RAG in `serve`: the answer cache, the answerer (extractive when
// rag.answer_model is empty or served by the mock provider), POST /v1/query and /query, the
// session routes, the rag_* metrics, and the rag/<collection> chat model for the OpenAI routes.
class AnswerServing {
 public:
  AnswerServing(const core::Config& config, store::Store& store, rag::Retriever& retriever,
                gateway::Catalog& catalog, gateway::GatewayService& gateway, http::Router& router,
                ops::Registry& metrics);
  ~AnswerServing();

  // For register_openai_routes: answers model "rag/<collection>".
  api::RagChat& rag_chat();
  // Retrieval and answer spans of sampled requests go to `tracer` (null: none).
  void set_tracer(ops::Tracer* tracer);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace sluice::cmd
