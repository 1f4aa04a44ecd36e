#pragma once

#include "gateway/timing.hpp"
#include "sim/engine/engine.hpp"

namespace sluice::sim {

// The gateway's clock and waits on the engine's virtual clock: GatewayService's backoffs,
// deadlines and breaker cooldowns run unmodified in simulated time. sleep() keeps real_timing()'s
// contract: it waits until the delay or the request's deadline, whichever comes first, or until
// the request's cancellation fires, and is true only when the whole delay passed.
class VirtualTiming final : public gateway::Timing {
 public:
  explicit VirtualTiming(Engine& engine) : engine_(engine) {}

  Clock::time_point now() const override { return engine_.now(); }
  boost::asio::awaitable<bool> sleep(Clock::duration delay, gateway::RequestLimits limits) override;

 private:
  Engine& engine_;
};

}  // namespace sluice::sim
