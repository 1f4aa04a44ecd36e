#include "api/session_routes.hpp"

#include <boost/json.hpp>

#include "api/json_body.hpp"
#include "api/tenant_access.hpp"
#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace json = boost::json;
using boost::asio::awaitable;

namespace {

json::object session_json(const store::Session& session) {
  return json::object{{"id", session.id},
                      {"object", "session"},
                      {"collection", session.collection_id},
                      {"created_at", session.created_at_ms / 1000}};
}

json::object message_json(const store::Message& message) {
  json::value citations = json::array();
  if (!message.citations_json.empty()) {
    boost::system::error_code ec;
    json::value parsed = json::parse(message.citations_json, ec);
    if (!ec && parsed.is_array()) citations = std::move(parsed);
  }
  return json::object{{"role", message.role},
                      {"content", message.content},
                      {"citations", std::move(citations)},
                      {"created_at", message.created_at_ms / 1000}};
}

// The session `id` when the scope covers its collection.
Result<store::Session> find_session(store::Store& store, const store::TenantScope& scope,
                                    const std::string& id) {
  auto session = store.sessions().get(id);
  if (!session) return session;
  if (Status owned =
          check_owner(store, scope, session->collection_id, store::session_not_found(id));
      !owned)
    return owned.error();
  return session;
}

void not_found_as(http::Exchange& exchange, Error error, std::string_view param) {
  error.param = std::string(param);
  exchange.response.set_error(error);
}

awaitable<void> create_session(store::Store& store, const core::RagConfig& config,
                               http::Exchange& exchange) {
  std::string collection = config.default_collection;
  if (!exchange.request.body.empty()) {
    ParsedBody parsed;
    if (!co_await parse_object_body(exchange, parsed)) co_return;
    if (const json::value* c = parsed.object.if_contains("collection"); c && !c->is_null()) {
      if (!c->is_string()) {
        exchange.response.set_error(
            make_error(Errc::invalid_request, "'collection' must be a string", "collection"));
        co_return;
      }
      collection = std::string(c->get_string());
    }
  }
  const store::TenantScope scope = scope_of(exchange);
  auto created = co_await ops::run_blocking([&]() -> Result<store::Session> {
    auto found = find_collection(store, scope, collection);
    if (!found) return found.error();
    return store.sessions().create(found->id);
  });
  if (!created) co_return not_found_as(exchange, created.error(), "collection");
  exchange.response.set_json(201, json::serialize(session_json(*created)));
}

awaitable<void> get_session(store::Store& store, http::Exchange& exchange) {
  const std::string id(exchange.request.param("id"));
  struct Loaded {
    store::Session session;
    std::vector<store::Message> messages;
  };
  const store::TenantScope scope = scope_of(exchange);
  auto loaded = co_await ops::run_blocking([&]() -> Result<Loaded> {
    auto session = find_session(store, scope, id);
    if (!session) return session.error();
    auto messages = store.sessions().last_messages(id, store::kMaxPageLimit);
    if (!messages) return messages.error();
    return Loaded{std::move(*session), std::move(*messages)};
  });
  if (!loaded) co_return not_found_as(exchange, loaded.error(), "id");
  json::object body = session_json(loaded->session);
  json::array messages;
  for (const auto& m : loaded->messages) messages.push_back(message_json(m));
  body["messages"] = std::move(messages);
  exchange.response.set_json(200, json::serialize(body));
}

awaitable<void> delete_session(store::Store& store, http::Exchange& exchange) {
  const std::string id(exchange.request.param("id"));
  const store::TenantScope scope = scope_of(exchange);
  const Status removed = co_await ops::run_blocking([&]() -> Status {
    // Checked, then removed: a session never changes collection.
    if (auto session = find_session(store, scope, id); !session) return session.error();
    return store.sessions().remove(id);
  });
  if (!removed) co_return not_found_as(exchange, removed.error(), "id");
  exchange.response.set_json(
      200, json::serialize(json::object{{"id", id}, {"object", "session"}, {"deleted", true}}));
}

}  // namespace

void register_session_routes(http::Router& router, store::Store& store,
                             const core::RagConfig& config) {
  router.add("POST", "/v1/sessions", [&store, &config](http::Exchange& exchange) {
    return create_session(store, config, exchange);
  });
  router.add("GET", "/v1/sessions/{id}",
             [&store](http::Exchange& exchange) { return get_session(store, exchange); });
  router.add("DELETE", "/v1/sessions/{id}",
             [&store](http::Exchange& exchange) { return delete_session(store, exchange); });
}

}  // namespace sluice::api
