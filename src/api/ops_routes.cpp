#include "api/ops_routes.hpp"

#include "core/json_text.hpp"
#include "core/version.hpp"

namespace sluice::api {
namespace {

boost::asio::awaitable<void> livez(http::Exchange& exchange) {
  exchange.response.set_json(200, R"({"status":"ok"})");
  co_return;
}

std::string readiness_body(const ops::Health::Report& report) {
  std::string body =
      report.ready ? R"({"status":"ready","checks":[)" : R"({"status":"not_ready","checks":[)";
  bool first = true;
  for (const auto& check : report.checks) {
    if (!first) body += ',';
    first = false;
    body += "{\"name\":";
    core::append_json_string(body, check.name);
    body += check.result.ok ? ",\"ok\":true" : ",\"ok\":false";
    if (!check.result.detail.empty()) {
      body += ",\"detail\":";
      core::append_json_string(body, check.result.detail);
    }
    body += '}';
  }
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
