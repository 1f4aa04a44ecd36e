#pragma once
// Retrieval-augmented answers for OpenAI clients: model "rag/<collection>" on
// /v1/chat/completions. The last user message is the question, the user and assistant messages
// before it the conversation (condensed into the retrieval query as a session's); the answer
// comes back as a
// chat.completion (or chat.completion.chunk stream) with an extra top-level `citations` array in
// /v1/query's citation shape, plus `template_version` and `cached`. In a stream, the first chunk
// carries every passage's citation and the last one (finish_reason "stop") the cited ones.
// Optional extra request fields: top_k, filters (as in /v1/query).

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "gateway/gateway_service.hpp"
#include "gateway/model_list.hpp"
#include "http/exchange.hpp"
#include "rag/answerer.hpp"
#include "store/store.hpp"
#include "store/tenant_scope.hpp"

namespace sluice::api {

inline constexpr std::string_view kRagModelPrefix = "rag/";

class RagChat {
 public:
  RagChat(rag::Answerer& answerer, gateway::GatewayService& service, store::Store& store)
      : answerer_(answerer), service_(service), store_(store) {}

  // Whether `body` asks for a rag/<collection> model.
  static bool wants(const boost::json::object& body);
  // Answers the chat request `body` (a JSON object) on `exchange`.
  boost::asio::awaitable<void> handle(http::Exchange& exchange, boost::json::object& body);
  // "rag/<name>" of every collection, for /v1/models (at most kMaxListedCollections of them).
  boost::asio::awaitable<Result<std::vector<gateway::ListedModel>>> models(
      const store::TenantScope& scope);
  // The model "rag/<name>" when the collection exists; not_found otherwise.
  boost::asio::awaitable<Result<gateway::ListedModel>> model(const store::TenantScope& scope,
                                                             std::string_view id);

  static constexpr int kMaxListedCollections = 1000;

 private:
  rag::Answerer& answerer_;
  gateway::GatewayService& service_;
  store::Store& store_;
};

}  // namespace sluice::api
