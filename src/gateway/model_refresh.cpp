#include "gateway/model_refresh.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ops/logger.hpp"

namespace sluice::gateway {
namespace asio = boost::asio;

ModelListRefresher::ModelListRefresher(Catalog& catalog, std::chrono::milliseconds interval)
    : catalog_(catalog), interval_(interval) {}

asio::awaitable<void> ModelListRefresher::run() {
  const auto executor = co_await asio::this_coro::executor;
  for (Provider* provider : catalog_.providers())
    asio::co_spawn(executor, keep_fresh(*provider), asio::detached);
}

asio::awaitable<void> ModelListRefresher::refresh(Provider& provider, bool& failing) {
  auto ids = co_await provider.list_models();
  if (!ids) {
    if (!failing)
      ops::logger().warn("cannot fetch the upstream model list; keeping the last one",
                         {{"provider", provider.name()}, {"error", ids.error().message}});
    failing = true;
    co_return;
  }
  if (failing)
    ops::logger().info("upstream model list fetched again", {{"provider", provider.name()}});
  failing = false;
  catalog_.set_upstream_models(provider, std::move(*ids));
}

asio::awaitable<void> ModelListRefresher::keep_fresh(Provider& provider) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  bool failing = false;
  for (;;) {
    co_await refresh(provider, failing);
    timer.expires_after(interval_);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
  }
}

}  // namespace sluice::gateway
