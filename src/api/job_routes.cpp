#include "api/rag_routes.hpp"
#include "api/tenant_access.hpp"
#include "ops/blocking_pool.hpp"

namespace sluice::api {
namespace {

constexpr std::string_view kJobStates[] = {"queued", "running", "succeeded", "dead", "cancelled"};

boost::asio::awaitable<void> get_job(RagApi& api, http::Exchange& exchange) {
  const std::string id(exchange.request.param("id"));
  const store::TenantScope scope = scope_of(exchange);
  auto job = co_await ops::run_blocking([&]() -> Result<store::Job> {
    auto found = api.store.jobs().get(id);
    if (!found) return found;
    if (Status owned =
            check_owner(api.store, scope, found->collection_id, store::job_not_found(id));
        !owned)
      return owned.error();
    return found;
  });
  if (!job) {
    exchange.response.set_error(job.error());
    co_return;
  }
  respond_json(exchange, 200, job_json(*job));
}

boost::asio::awaitable<void> list_jobs(RagApi& api, http::Exchange& exchange) {
  PageRequest page;
  if (!read_page_request(exchange, page)) co_return;
  const std::string state(exchange.request.query_param("state").value_or(""));
  if (!state.empty() &&
      std::find(std::begin(kJobStates), std::end(kJobStates), state) == std::end(kJobStates)) {
    exchange.response.set_error(
        make_error(Errc::invalid_request,
                   "state must be queued, running, succeeded, dead or cancelled", "state"));
    co_return;
  }
  auto listed = co_await ops::run_blocking(
      [&] { return api.store.jobs().list(state, page.cursor, page.limit); });
  if (!listed) {
    exchange.response.set_error(listed.error());
    co_return;
  }
  exchange.response.set_json(200, list_body(*listed, job_json));
}

boost::asio::awaitable<void> retry_job(RagApi& api, http::Exchange& exchange) {
  const std::string id(exchange.request.param("id"));
  auto job = co_await ops::run_blocking([&]() -> Result<store::Job> {
    if (Status status = api.store.jobs().retry_dead(id); !status) return status.error();
    return api.store.jobs().get(id);
  });
  if (!job) {
    exchange.response.set_error(job.error());
    co_return;
  }
  if (api.on_job_queued) api.on_job_queued();
  respond_json(exchange, 200, job_json(*job));
}

}  // namespace

void register_job_routes(http::Router& router, RagApi& api) {
  router.add("GET", "/v1/jobs/{id}",
             [&api](http::Exchange& exchange) { return get_job(api, exchange); });
  router.add("GET", "/v1/admin/jobs",
             [&api](http::Exchange& exchange) { return list_jobs(api, exchange); });
  router.add("POST", "/v1/admin/jobs/{id}/retry",
             [&api](http::Exchange& exchange) { return retry_job(api, exchange); });
}

}  // namespace sluice::api
