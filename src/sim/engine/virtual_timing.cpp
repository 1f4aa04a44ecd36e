#include "sim/engine/virtual_timing.hpp"

namespace sluice::sim {

boost::asio::awaitable<bool> VirtualTiming::sleep(Clock::duration delay,
                                                  gateway::RequestLimits limits) {
  const auto wanted = engine_.now() + delay;
  Alarm alarm(engine_);
  auto subscription =
      core::Cancellation::subscribe(limits.cancellation, [&alarm] { alarm.cancel(); });
  co_await alarm.wait_until(std::min(wanted, limits.deadline));
  const bool cancelled = limits.cancellation && limits.cancellation->cancelled();
  co_return !cancelled && wanted <= limits.deadline;
}

}  // namespace sluice::sim
