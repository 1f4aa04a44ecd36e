#include "ops/admission_wait.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ops/admission_sequence.hpp"

namespace sluice::ops {
namespace asio = boost::asio;
using Verdict = AdmissionGate::Verdict;
using SteadyClock = std::chrono::steady_clock;

ExchangeWait::ExchangeWait(const asio::any_io_executor& executor, http::Exchange& exchange)
    : timer_(std::make_shared<Timer>(executor)), exchange_(exchange) {}

std::function<void(Verdict)> ExchangeWait::waker() const {
  return [weak = std::weak_ptr<Timer>(timer_)](Verdict) {
    if (auto held = weak.lock()) {
      auto executor = held->get_executor();
      asio::post(executor, [timer = std::move(held)] { timer->cancel(); });
    }
  };
}

asio::awaitable<void> ExchangeWait::until(SteadyClock::time_point deadline) {
  timer_->expires_at(deadline);
  exchange_.watch_client();
  const auto subscription = core::Cancellation::subscribe(&exchange_.cancellation,
                                                          [&timer = *timer_] { timer.cancel(); });
  if (!exchange_.cancellation.cancelled())
    co_await timer_->async_wait(asio::as_tuple(asio::use_awaitable));
}

Verdict ExchangeWait::reason() const {
  return exchange_.cancellation.cancelled() ? Verdict::gone : Verdict::timed_out;
}

asio::awaitable<Verdict> wait_for_slot(AdmissionGate& gate, core::Priority priority,
                                       SteadyClock::time_point deadline, http::Exchange& exchange) {
  ExchangeWait wait(co_await asio::this_coro::executor, exchange);
  co_return co_await wait_for_slot(gate, priority, deadline, wait);
}

}  // namespace sluice::ops
