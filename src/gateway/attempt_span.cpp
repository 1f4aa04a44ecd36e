#include "gateway/attempt_span.hpp"

#include "gateway/providers/provider.hpp"
#include "gateway/token_estimate.hpp"
#include "ops/tracer.hpp"

namespace sluice::gateway {

ops::Span attempt_span(const core::TraceContext& attempt_trace, const AttemptSpanInfo& info,
                       const AttemptResult& result, uint64_t start_unix_nanos,
                       uint64_t end_unix_nanos) {
  ops::Span span = ops::Tracer::span_for(attempt_trace, ops::SpanKind::client);
  const Deployment& deployment = info.deployment;
  span.name.reserve(info.operation.size() + 1 + deployment.upstream_model.size());
  span.name.append(info.operation).append(" ").append(deployment.upstream_model);
  span.start_unix_nanos = start_unix_nanos;
  span.end_unix_nanos = end_unix_nanos;
  span.attributes.reserve(14);
  span.add("gen_ai.operation.name", info.operation);
  span.add("gen_ai.provider.name", std::string_view(deployment.provider->name()));
  span.add("gen_ai.system", std::string_view(deployment.provider->name()));  // before 1.37
  span.add("gen_ai.request.model", std::string_view(deployment.upstream_model));
  if (info.body) {
    if (const long long max_tokens = requested_completion_tokens(info.body); max_tokens > 0)
      span.add("gen_ai.request.max_tokens", max_tokens);
    if (const auto* value = info.body->if_contains("temperature"); value && value->is_number())
      span.add("gen_ai.request.temperature", value->to_number<double>());
    if (const auto* value = info.body->if_contains("top_p"); value && value->is_number())
      span.add("gen_ai.request.top_p", value->to_number<double>());
  }
  if (result.usage.reported) {
    span.add("gen_ai.usage.input_tokens", result.usage.prompt_tokens);
    span.add("gen_ai.usage.output_tokens", result.usage.completion_tokens);
  }
  span.add("sluice.model", info.requested_model);
  span.add("sluice.deployment", std::string_view(deployment.id));
  span.add("sluice.attempt", info.attempt);
  span.add("sluice.attempt.kind", info.attempt_kind);
  span.add("sluice.outcome", core::to_string(result.outcome));
  if (!result.ok()) {
    span.add("error.type", core::to_string(result.outcome));
    span.status = ops::SpanStatus::error;
    span.status_message = result.error.message;
  }
  return span;
}

}  // namespace sluice::gateway
