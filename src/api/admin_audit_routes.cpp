#include "api/admin_audit_routes.hpp"

#include <boost/json.hpp>
#include <charconv>

#include "api/rag_api.hpp"
#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace json = boost::json;
namespace {

json::object event_json(const store::AuditEvent& event) {
  const auto or_null = [](const std::string& text) {
    return text.empty() ? json::value(nullptr) : json::value(text);
  };
  return json::object{{"id", event.seq},
                      {"object", "audit_event"},
                      {"created_at", event.at_ms / 1000},
                      {"created_at_ms", event.at_ms},
                      {"key_id", or_null(event.key_id)},
                      {"key_name", or_null(event.key_name)},
                      {"action", event.action},
                      {"target", or_null(event.target)},
                      {"result", event.result},
                      {"request_id", event.request_id},
                      {"client", event.client}};
}

// The query parameter `name` (as sent, at most 256 characters), empty when absent.
std::string text_param(const http::Exchange& exchange, std::string_view name) {
  const auto value = exchange.request.query_param(name);
  return value ? std::string(value->substr(0, 256)) : std::string();
}

// A Unix-seconds query parameter as milliseconds; 0 when absent; nullopt after answering a 400.
std::optional<int64_t> seconds_param(http::Exchange& exchange, std::string_view name) {
  const auto value = exchange.request.query_param(name);
  if (!value) return int64_t{0};
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
  if (ec != std::errc() || end != value->data() + value->size() || seconds <= 0 ||
      seconds > 100'000'000'000) {
    exchange.response.set_error(make_error(Errc::invalid_request,
                                           std::string(name) + " must be a time in Unix seconds",
                                           std::string(name)));
    return std::nullopt;
  }
  return seconds * 1000;
}

boost::asio::awaitable<void> list_audit(store::AuditStore& store, auth::AuditLog& log,
                                        http::Exchange& exchange) {
  PageRequest page;
  if (!read_page_request(exchange, page)) co_return;
  store::AuditFilter filter;
  filter.key_id = text_param(exchange, "key_id");
  filter.action = text_param(exchange, "action");
  filter.result = text_param(exchange, "result");
  const auto since = seconds_param(exchange, "since");
  if (!since) co_return;
  const auto until = seconds_param(exchange, "until");
  if (!until) co_return;
  filter.since_ms = *since;
  filter.until_ms = *until;
  auto listed = co_await ops::run_blocking([&] {
    // A failed flush leaves the events queued; the stored ones are still an answer.
    (void)log.flush();
    return store.list(filter, page.cursor, page.limit);
  });
  if (!listed) {
    exchange.response.set_error(listed.error());
    co_return;
  }
  exchange.response.set_json(200, list_body(*listed, event_json));
}

}  // namespace

void register_admin_audit_routes(http::Router& router, store::AuditStore& store,
                                 auth::AuditLog& log) {
  router.add("GET", "/v1/admin/audit",
             [&store, &log](http::Exchange& exchange) { return list_audit(store, log, exchange); });
}

}  // namespace sluice::api
