#include "ops/server_span.hpp"

#include "ops/http_observer.hpp"
#include "ops/tracer.hpp"

namespace sluice::ops {

Span server_span(const http::Exchange& exchange, uint64_t start_unix_nanos,
                 uint64_t end_unix_nanos) {
  Span span = Tracer::span_for(exchange.trace, SpanKind::server);
  const std::string_view method = method_label(exchange.request.method);
  const bool routed = exchange.route != "unmatched";
  span.name.reserve(method.size() + 1 + exchange.route.size());
  span.name.append(method == "_OTHER" ? "HTTP" : method);
  if (routed) span.name.append(" ").append(exchange.route);
  span.start_unix_nanos = start_unix_nanos;
  span.end_unix_nanos = end_unix_nanos;
  span.attributes.reserve(9);
  span.add("http.request.method", method);
  if (method == "_OTHER") span.add("http.request.method_original", exchange.request.method);
  if (routed) span.add("http.route", exchange.route);
  span.add("http.response.status_code", exchange.response.status);
  span.add("url.path", exchange.request.path);
  if (const std::string_view agent = exchange.request.header("user-agent"); !agent.empty())
    span.add("user_agent.original", agent);
  if (!exchange.client_address.empty()) span.add("client.address", exchange.client_address);
  span.add("sluice.request_id", std::string_view(exchange.request_id));
  if (exchange.response.status >= 500) {
    span.add("error.type", std::to_string(exchange.response.status));
    span.status = SpanStatus::error;
  }
  return span;
}

}  // namespace sluice::ops
