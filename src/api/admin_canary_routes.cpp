#include "api/admin_canary_routes.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"

namespace sluice::api {
namespace json = boost::json;
namespace {

json::value optional_number(const std::optional<double>& value) {
  return value ? json::value(*value) : json::value(nullptr);
}

json::object reading_json(const gateway::CanaryReading& r) {
  return json::object{{"requests", r.requests},
                      {"failures", r.failures},
                      {"error_rate", r.error_rate()},
                      {"latency_samples", r.samples},
                      {"p99_s", optional_number(r.p99)}};
}

// `now` is the service's clock; the rollback's time is given in Unix seconds.
json::object canary_json(const gateway::CanaryStatus& s,
                         gateway::GatewayService::Clock::time_point now) {
  json::object out{{"object", "canary"},       {"alias", s.alias},
                   {"candidate", s.candidate}, {"configured_weight", s.configured_weight},
                   {"weight", s.weight},       {"state", s.rollback ? "rolled_back" : "active"}};
  if (s.rule) {
    out["rule"] = json::object{{"metric", gateway::to_string(s.rule->metric)},
                               {"threshold", s.rule->threshold},
                               {"window_s", std::chrono::duration<double>(s.rule->window).count()},
                               {"min_requests", s.rule->min_requests}};
  } else {
    out["rule"] = nullptr;
  }
  if (s.rollback) {
    const double ago = std::chrono::duration<double>(now - s.rollback->at).count();
    out["rollback"] =
        json::object{{"reason", s.rollback->reason},
                     {"at", static_cast<double>(core::unix_milliseconds()) / 1000 - ago},
                     {"candidate_value", optional_number(s.rollback->candidate_value)},
                     {"baseline_value", optional_number(s.rollback->baseline_value)}};
  } else {
    out["rollback"] = nullptr;
  }
  out["window"] = json::object{{"baseline", reading_json(s.baseline)},
                               {"candidate", reading_json(s.candidate_reading)}};
  return out;
}

void list_canaries(gateway::GatewayService& service, http::Exchange& exchange) {
  json::array data;
  const auto now = service.now();
  for (const gateway::CanaryStatus& status : service.canary_statuses())
    data.push_back(canary_json(status, now));
  exchange.response.set_json(
      200, json::serialize(json::object{{"object", "list"}, {"data", std::move(data)}}));
}

// The canary of the path's alias; null after answering 404.
gateway::CanaryController* canary_of(gateway::GatewayService& service, http::Exchange& exchange) {
  const std::string_view alias = exchange.request.param("id");
  if (gateway::CanaryController* canary = service.canaries().find(alias)) return canary;
  std::string names;
  for (const gateway::CanaryController* c : service.canaries().all())
    names += (names.empty() ? "" : ", ") + c->alias();
  exchange.response.set_error(
      make_error(Errc::not_found,
                 "The model alias `" + std::string(alias) + "` has no canary (" +
                     (names.empty() ? std::string("none is configured: gateway.models[].canary")
                                    : "aliases with one: " + names) +
                     ").",
                 "alias", "canary_not_found"));
  return nullptr;
}

void answer_state(gateway::GatewayService& service, http::Exchange& exchange,
                  gateway::CanaryController& canary) {
  const auto now = service.now();
  exchange.response.set_json(200, json::serialize(canary_json(canary.status(now), now)));
}

boost::asio::awaitable<void> roll_back(gateway::GatewayService& service, http::Exchange& exchange) {
  if (gateway::CanaryController* canary = canary_of(service, exchange)) {
    service.roll_back_canary(*canary);
    answer_state(service, exchange, *canary);
  }
  co_return;
}

boost::asio::awaitable<void> resume(gateway::GatewayService& service, http::Exchange& exchange) {
  if (gateway::CanaryController* canary = canary_of(service, exchange)) {
    service.resume_canary(*canary);
    answer_state(service, exchange, *canary);
  }
  co_return;
}

boost::asio::awaitable<void> list(gateway::GatewayService& service, http::Exchange& exchange) {
  list_canaries(service, exchange);
  co_return;
}

}  // namespace

void register_admin_canary_routes(http::Router& router, gateway::GatewayService& service) {
  router.add("GET", "/v1/admin/canaries",
             [&service](http::Exchange& exchange) { return list(service, exchange); });
  router.add("POST", "/v1/admin/canaries/{id}/rollback",
             [&service](http::Exchange& exchange) { return roll_back(service, exchange); });
  router.add("POST", "/v1/admin/canaries/{id}/resume",
             [&service](http::Exchange& exchange) { return resume(service, exchange); });
}

}  // namespace sluice::api
