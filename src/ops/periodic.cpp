#include "ops/periodic.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ops/blocking_pool.hpp"
#include "ops/logger.hpp"

namespace sluice::ops {

boost::asio::awaitable<void> repeat_blocking(std::chrono::milliseconds period,
                                             std::function<void()> work) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  for (;;) {
    timer.expires_after(period);
    boost::system::error_code ec;
    co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (ec) co_return;
    co_await run_blocking([&work] { work(); });
  }
}

void FailureStreak::report(const Status& status, std::string_view message) {
  if (!status && !failing_) logger().error(message, {{"error", status.error().message}});
  failing_ = !status;
}

}  // namespace sluice::ops
