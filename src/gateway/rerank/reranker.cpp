#include "gateway/rerank/reranker.hpp"

#include <boost/json.hpp>

namespace sluice::gateway {
namespace json = boost::json;

boost::asio::awaitable<RerankOutcome> rerank(GatewayService& service, const RerankRequest& request,
                                             RerankContext context, Caller caller) {
  const json::object body = rerank_upstream_body(request);
  const std::string raw_body = json::serialize(body);
  EndpointRequest call;
  call.endpoint = Endpoint::rerank;
  call.body = &body;
  call.raw_body = raw_body;
  call.model = request.model;
  call.trace = context.trace;
  call.request_id = context.request_id;
  call.forward_headers = context.forward_headers;
  call.limits = context.limits;
  RerankOutcome ranked;
  ranked.outcome = co_await service.call(
      call, caller, [&request, &ranked](std::string_view answer_body, Usage& usage) -> Status {
        auto answer = parse_rerank_answer(answer_body, request);
        if (!answer) return answer.error();
        usage = answer->usage;
        ranked.answer = std::move(*answer);
        return {};
      });
  ranked.outcome.body.clear();
  co_return ranked;
}

}  // namespace sluice::gateway
