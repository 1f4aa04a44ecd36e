#include "ops/admission_wait.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace sluice::ops {
namespace asio = boost::asio;
using Verdict = AdmissionGate::Verdict;
using SteadyClock = std::chrono::steady_clock;

asio::awaitable<Verdict> wait_for_slot(AdmissionGate& gate, core::Priority priority,
                                       SteadyClock::time_point deadline, http::Exchange& exchange) {
  if (gate.try_admit()) co_return Verdict::admitted;
  // The timer ends the wait: at the deadline, or cancelled by a verdict (posted from whichever
  // loop released the slot) or by the client leaving. The gate then says which it was.
  auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, deadline);
  auto waiter = std::make_shared<AdmissionGate::Waiter>(priority);
  // Weak: the timer must die on its own loop, so the releasing thread never holds the last
  // reference; the posted handler's runs there.
  waiter->wake = [weak = std::weak_ptr<asio::steady_timer>(timer)](Verdict) {
    if (auto held = weak.lock()) {
      auto executor = held->get_executor();
      asio::post(executor, [timer = std::move(held)] { timer->cancel(); });
    }
  };
  Verdict verdict = gate.enter(waiter);
  if (verdict != Verdict::waiting) co_return verdict;
  exchange.watch_client();
  const auto subscription =
      core::Cancellation::subscribe(&exchange.cancellation, [&timer = *timer] { timer.cancel(); });
  if (!exchange.cancellation.cancelled())
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  verdict = gate.withdraw(*waiter,
                          exchange.cancellation.cancelled() ? Verdict::gone : Verdict::timed_out);
  co_return verdict;
}

}  // namespace sluice::ops
