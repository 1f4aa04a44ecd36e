#include "api/ops_routes.hpp"

#include "core/json_text.hpp"
#include "core/version.hpp"

namespace sluice::api {
namespace {

boost::asio::awaitable<void> livez(http::Exchange& exchange) {
  exchange.response.set_json(200, R"({"status":"ok"})");
  co_return;
}

void append_results(std::string& body, const std::vector<ops::Health::NamedResult>& results) {
  bool first = true;
  for (const auto& entry : results) {
    if (!first) body += ',';
    first = false;
    body += "{\"name\":";
    core::append_json_string(body, entry.name);
    body += entry.result.ok ? ",\"ok\":true" : ",\"ok\":false";
    if (!entry.result.detail.empty()) {
      body += ",\"detail\":";
      core::append_json_string(body, entry.result.detail);
    }
    body += '}';
  }
}

// Checks decide readiness; upstream health is listed beside them for operators.
std::string readiness_body(const ops::Health::Report& report) {
  std::string body =
      report.ready ? R"({"status":"ready","checks":[)" : R"({"status":"not_ready","checks":[)";
  append_results(body, report.checks);
  body += R"(],"upstreams":[)";
  append_results(body, report.status);
  body += "]}";
  return body;
}

}  // namespace

void register_ops_routes(http::Router& router, const ops::Health& health,
                         const ops::Registry& registry, const core::MetricsConfig& metrics) {
  router.add("GET", "/livez", livez);
  router.add("GET", "/health/live", livez);

  auto readyz = [&health](http::Exchange& exchange) -> boost::asio::awaitable<void> {
    if (exchange.request.has_query_param("verbose")) {
      const auto report = health.readiness();
      exchange.response.set_json(report.ready ? 200 : 503, readiness_body(report));
    } else if (health.ready()) {
      exchange.response.set_json(200, R"({"status":"ready"})");
    } else {
      exchange.response.set_json(503, R"({"status":"not_ready"})");
    }
    co_return;
  };
  router.add("GET", "/readyz", readyz);
  router.add("GET", "/health/ready", readyz);

  router.add("GET", "/health", [](http::Exchange& exchange) -> boost::asio::awaitable<void> {
    std::string body = R"({"status":"healthy","version":)";
    core::append_json_string(body, kVersion);
    body += '}';
    exchange.response.set_json(200, std::move(body));
    co_return;
  });

  if (metrics.enabled)
    router.add("GET", metrics.path,
               [&registry](http::Exchange& exchange) -> boost::asio::awaitable<void> {
                 exchange.response.status = 200;
                 exchange.response.content_type = "text/plain; version=0.0.4; charset=utf-8";
                 exchange.response.body = registry.render();
                 co_return;
               });
}

}  // namespace sluice::api
