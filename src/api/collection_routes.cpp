#include "api/json_body.hpp"
#include "api/rag_routes.hpp"
#include "api/tenant_access.hpp"
#include "core/json_read.hpp"
#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace {

constexpr std::size_t kMaxNameBytes = 64;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

boost::asio::awaitable<void> create_collection(RagApi& api, http::Exchange& exchange) {
  ParsedBody body;
  if (!co_await parse_object_body(exchange, body)) co_return;
  const std::string name(core::string_field(body.object, "name"));
  if (!is_valid_collection_name(name)) {
    exchange.response.set_error(make_error(
        Errc::invalid_request,
        "name must have 1 to 64 of the characters A-Z a-z 0-9 . _ -, start with a letter or "
        "digit, and not start with col_",
        "name"));
    co_return;
  }
  std::string language(core::string_field(body.object, "language"));
  if (language.empty()) language = "english";
  std::string embedding_model(core::string_field(body.object, "embedding_model"));
  if (!body.object.contains("embedding_model")) embedding_model = api.config.embedding_model;
  const store::TenantScope scope = scope_of(exchange);
  auto created = co_await ops::run_blocking([&] {
    return api.store.collections().create(name, language, embedding_model, scope.tenant());
  });
  if (!created) {
    exchange.response.set_error(created.error());
    co_return;
  }
  respond_json(exchange, 201, collection_json(*created));
}

boost::asio::awaitable<void> list_collections(RagApi& api, http::Exchange& exchange) {
  PageRequest page;
  if (!read_page_request(exchange, page)) co_return;
  const store::TenantScope scope = scope_of(exchange);
  auto listed = co_await ops::run_blocking(
      [&] { return api.store.collections().list(page.cursor, page.limit, scope.listed_tenant()); });
  if (!listed) {
    exchange.response.set_error(listed.error());
    co_return;
  }
  // The allow-list thins the page; its cursor stays right.
  std::erase_if(listed->items, [&](const store::Collection& c) { return !scope.may_use(c); });
  exchange.response.set_json(200, list_body(*listed, collection_json));
}

boost::asio::awaitable<void> get_collection(RagApi& api, http::Exchange& exchange) {
  const std::string id(exchange.request.param("collection"));
  const store::TenantScope scope = scope_of(exchange);
  auto found = co_await ops::run_blocking([&] { return find_collection(api.store, scope, id); });
  if (!found) {
    exchange.response.set_error(found.error());
    co_return;
  }
  respond_json(exchange, 200, collection_json(*found));
}

boost::asio::awaitable<void> delete_collection(RagApi& api, http::Exchange& exchange) {
  const std::string id(exchange.request.param("collection"));
  const store::TenantScope scope = scope_of(exchange);
  auto removed = co_await ops::run_blocking([&]() -> Result<store::Collection> {
    auto found = find_collection(api.store, scope, id);
    if (!found) return found;
    if (Status status = api.store.collections().remove(found->id); !status) return status.error();
    return found;
  });
  if (!removed) {
    exchange.response.set_error(removed.error());
    co_return;
  }
  if (api.on_change) api.on_change(removed->id);
  respond_deleted(exchange, "collection", removed->id);
}

}  // namespace

bool is_valid_collection_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes || name.starts_with("col_")) return false;
  if (!is_name_char(name.front()) || name.front() == '.' || name.front() == '_' ||
      name.front() == '-')
    return false;
  for (char c : name)
    if (!is_name_char(c)) return false;
  return true;
}

void register_collection_routes(http::Router& router, RagApi& api) {
  router.add("POST", "/v1/collections",
             [&api](http::Exchange& exchange) { return create_collection(api, exchange); });
  router.add("GET", "/v1/collections",
             [&api](http::Exchange& exchange) { return list_collections(api, exchange); });
  router.add("GET", "/v1/collections/{collection}",
             [&api](http::Exchange& exchange) { return get_collection(api, exchange); });
  router.add("DELETE", "/v1/collections/{collection}",
             [&api](http::Exchange& exchange) { return delete_collection(api, exchange); });
}

}  // namespace sluice::api
