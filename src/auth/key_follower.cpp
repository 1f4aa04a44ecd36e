#include "auth/key_follower.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ops/blocking_pool.hpp"
#include "ops/logger.hpp"

namespace sluice::auth {

Status KeyFollower::catch_up() {
  constexpr int kPage = 1000;
  std::size_t left_out = 0;
  for (;;) {
    auto changed = keys_.changed_since(registry_.followed_seq(), kPage);
    if (!changed) return changed.error();
    for (const store::ApiKey& key : *changed)
      if (!registry_.apply(key)) ++left_out;
    if (!changed->empty()) registry_.set_followed_seq(changed->back().change_seq);
    if (static_cast<int>(changed->size()) < kPage) break;
  }
  // Only another replica with a larger auth.max_keys can write past this one's: say so.
  if (left_out > 0)
    ops::logger().error("virtual keys left out: the key table is full",
                        {{"key", "auth.max_keys"},
                         {"max_keys", static_cast<long long>(registry_.max_keys())},
                         {"left_out", static_cast<long long>(left_out)}});
  return Status::success();
}

boost::asio::awaitable<void> KeyFollower::run(std::chrono::milliseconds period) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  bool failing = false;
  for (;;) {
    timer.expires_after(period);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec) co_return;
    const Status status = co_await ops::run_blocking([this] { return catch_up(); });
    if (!status && !failing)
      ops::logger().error("cannot read the virtual keys", {{"error", status.error().message}});
    failing = !status;
  }
}

}  // namespace sluice::auth
