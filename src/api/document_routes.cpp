#include "api/document_upload.hpp"
#include "api/document_url.hpp"
#include "api/json_body.hpp"
#include "api/rag_routes.hpp"
#include "api/tenant_access.hpp"
#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace {

// The collection named in the path; the default collection (rag.default_collection) is created
// by its first upload, so that clients can upload without setting anything up.
// Each tenant has its own default collection.
Result<store::Collection> collection_for_upload(RagApi& api, const store::TenantScope& scope,
                                                const std::string& id_or_name) {
  auto found = find_collection(api.store, scope, id_or_name);
  if (found || found.error().code != Errc::not_found || id_or_name != api.config.default_collection)
    return found;
  auto created = api.store.collections().create(id_or_name, "english", api.config.embedding_model,
                                                scope.tenant());
  if (!created && created.error().code == Errc::conflict)  // another upload created it first
    return find_collection(api.store, scope, id_or_name);
  return created;
}

// The upload as a NewDocument, from JSON (its text, or a URL to fetch) or a multipart form;
// parsed on the blocking pool when large. Answers the error itself.
boost::asio::awaitable<std::optional<store::NewDocument>> read_upload(
    http::Exchange& exchange, const core::RagConfig& config) {
  const std::string_view content_type = exchange.request.header("content-type");
  Result<store::NewDocument> upload = make_error(Errc::internal, "unread");
  if (is_multipart(content_type)) {
    const std::string_view body = exchange.request.body;
    // Not a conditional expression: GCC 12 destroys a co_await's temporary twice in one.
    if (body.size() > kParseOnPoolBytes)
      upload =
          co_await ops::run_blocking([&] { return upload_from_multipart(content_type, body); });
    else
      upload = upload_from_multipart(content_type, body);
  } else {
    ParsedBody body;
    if (!co_await parse_object_body(exchange, body)) co_return std::nullopt;
    if (is_url_upload(body.object))
      upload = co_await upload_from_url(body.object, config, &exchange.cancellation);
    else
      upload = upload_from_json(body.object);
  }
  if (!upload) {
    exchange.response.set_error(upload.error());
    co_return std::nullopt;
  }
  co_return std::move(*upload);
}

boost::asio::awaitable<void> upload_document(RagApi& api, http::Exchange& exchange) {
  auto upload = co_await read_upload(exchange, api.config);
  if (!upload) co_return;
  const std::string collection(exchange.request.param("collection"));
  const store::TenantScope scope = scope_of(exchange);
  auto put = co_await ops::run_blocking([&]() -> Result<store::PutOutcome> {
    auto target = collection_for_upload(api, scope, collection);
    if (!target) return target.error();
    return api.store.documents().put_document(target->id, *upload);
  });
  if (!put) {
    exchange.response.set_error(put.error());
    co_return;
  }
  if (put->created && api.on_job_queued) api.on_job_queued();
  respond_json(exchange, 202,
               {{"document_id", put->doc.id},
                {"job_id", put->job_id},
                {"status", put->doc.status},
                {"version", put->doc.version},
                {"created", put->created}});
}

boost::asio::awaitable<void> list_documents(RagApi& api, http::Exchange& exchange) {
  PageRequest page;
  if (!read_page_request(exchange, page)) co_return;
  const std::string collection(exchange.request.param("collection"));
  const store::TenantScope scope = scope_of(exchange);
  auto listed = co_await ops::run_blocking([&]() -> Result<store::Page<store::Document>> {
    auto found = find_collection(api.store, scope, collection);
    if (!found) return found.error();
    return api.store.documents().list(found->id, page.cursor, page.limit);
  });
  if (!listed) {
    exchange.response.set_error(listed.error());
    co_return;
  }
  exchange.response.set_json(
      200, list_body(*listed, [](const store::Document& d) { return document_json(d, nullptr); }));
}

// The document {id} (id or client id) of collection {collection}.
Result<store::Document> find_document(RagApi& api, const http::Exchange& exchange) {
  const http::Request& request = exchange.request;
  auto collection = find_collection(api.store, scope_of(exchange), request.param("collection"));
  if (!collection) return collection.error();
  return api.store.documents().find(collection->id, std::string(request.param("id")));
}

boost::asio::awaitable<void> get_document(RagApi& api, http::Exchange& exchange) {
  struct Found {
    store::Document document;
    std::optional<store::Job> job;
  };
  auto found = co_await ops::run_blocking([&]() -> Result<Found> {
    auto document = find_document(api, exchange);
    if (!document) return document.error();
    Found out{*std::move(document), std::nullopt};
    if (auto job = api.store.jobs().get(out.document.last_job_id)) out.job = *std::move(job);
    return out;
  });
  if (!found) {
    exchange.response.set_error(found.error());
    co_return;
  }
  respond_json(exchange, 200, document_json(found->document, found->job ? &*found->job : nullptr));
}

boost::asio::awaitable<void> delete_document(RagApi& api, http::Exchange& exchange) {
  auto removed = co_await ops::run_blocking([&]() -> Result<store::Document> {
    auto document = find_document(api, exchange);
    if (!document) return document;
    if (Status status = api.store.documents().remove(document->id); !status) return status.error();
    return document;
  });
  if (!removed) {
    exchange.response.set_error(removed.error());
    co_return;
  }
  if (api.on_change) api.on_change(removed->collection_id);
  respond_deleted(exchange, "document", removed->id);
}

}  // namespace

void register_document_routes(http::Router& router, RagApi& api) {
  router.add(
      "POST", "/v1/collections/{collection}/documents",
      [&api](http::Exchange& exchange) { return upload_document(api, exchange); },
      http::RouteOptions{.max_body_bytes = api.config.max_document_bytes,
                         .body_limit_key = "rag.max_document_bytes"});
  router.add("GET", "/v1/collections/{collection}/documents",
             [&api](http::Exchange& exchange) { return list_documents(api, exchange); });
  router.add("GET", "/v1/collections/{collection}/documents/{id}",
             [&api](http::Exchange& exchange) { return get_document(api, exchange); });
  router.add("DELETE", "/v1/collections/{collection}/documents/{id}",
             [&api](http::Exchange& exchange) { return delete_document(api, exchange); });
}

}  // namespace sluice::api
