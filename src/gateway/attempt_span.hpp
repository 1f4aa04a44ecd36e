#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string_view>

#include "core/ids.hpp"
#include "gateway/routing/catalog.hpp"
#include "gateway/types.hpp"
#include "ops/span.hpp"

namespace sluice::gateway {

// What one attempt was: the call (operation, the model the client named), where it went and
// its place among the request's attempts.
struct AttemptSpanInfo {
  std::string_view operation;  // "chat", "embeddings"
  std::string_view requested_model;
  const Deployment& deployment;
  int attempt = 1;                            // 1-based, across retries and fallbacks
  std::string_view attempt_kind;              // first, retry, fallback
  const boost::json::object* body = nullptr;  // the client's request, when parsed
};

// The CLIENT span of one upstream attempt, after OpenTelemetry's GenAI conventions: named
// "{gen_ai.operation.name} {gen_ai.request.model}", with the provider, the model sent upstream,
// token usage and request parameters; a failed attempt has error status and error.type = its
// outcome. `attempt_trace` is the attempt's own context (its span id went upstream).
ops::Span attempt_span(const core::TraceContext& attempt_trace, const AttemptSpanInfo& info,
                       const AttemptResult& result, uint64_t start_unix_nanos,
                       uint64_t end_unix_nanos);

}  // namespace sluice::gateway
