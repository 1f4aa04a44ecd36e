#pragma once
// One rerank through the gateway's routing (aliases, retries, fallbacks, breakers, token limits,
// metrics), for POST /v1/rerank and for any service that wants documents put in order of
// relevance to a query (the RAG service, after retrieval).

#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "gateway/gateway_service.hpp"
#include "gateway/rerank/rerank_answer.hpp"
#include "gateway/rerank/rerank_request.hpp"

namespace sluice::gateway {

// Where the call comes from: its trace, request id, client x-mock-* header lines and limits.
struct RerankContext {
  const core::TraceContext* trace = nullptr;
  std::string_view request_id;
  std::string_view forward_headers;
  RequestLimits limits;
};

struct RerankOutcome {
  Outcome outcome;      // how the call went (outcome.body is not kept)
  RerankAnswer answer;  // when outcome.ok: the ranked results and their usage
};

// Sends `request` (checked by parse_rerank_request) to a deployment of its model that serves
// rerank; an answer that cannot be read (see parse_rerank_answer) fails that attempt as a protocol
// error, which is retried elsewhere. `request` must outlive the call.
boost::asio::awaitable<RerankOutcome> rerank(GatewayService& service, const RerankRequest& request,
                                             RerankContext context, Caller caller = {});

}  // namespace sluice::gateway
