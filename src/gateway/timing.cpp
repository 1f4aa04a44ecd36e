#include "gateway/timing.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sluice::gateway {
namespace asio = boost::asio;
namespace {

class RealTiming final : public Timing {
 public:
  Clock::time_point now() const override { return Clock::now(); }

  asio::awaitable<bool> sleep(Clock::duration delay, RequestLimits limits) override {
    const auto wanted = Clock::now() + delay;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_at(std::min(wanted, limits.deadline));
    auto subscription =
        core::Cancellation::subscribe(limits.cancellation, [&timer] { timer.cancel(); });
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    const bool cancelled = limits.cancellation && limits.cancellation->cancelled();
    co_return !cancelled && wanted <= limits.deadline;
  }
};

}  // namespace

Timing& real_timing() {
  static RealTiming timing;
  return timing;
}

}  // namespace sluice::gateway
